"""One incident in full: facts, affected services and regions, the whole update timeline."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import ClassVar
from urllib.parse import urlsplit

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static
from textual.worker import Worker, WorkerState

from watchtui.domain import regions
from watchtui.domain.model import IncidentUpdate
from watchtui.engine.overview import IncidentView
from watchtui.engine.protocol import WatchEngine
from watchtui.ui import format as fmt
from watchtui.ui.settings import follow, setting
from watchtui.ui.widgets.ascii import ascii_scrollbars
from watchtui.viewmodel.severity import separator


def is_web_url(url: str | None) -> bool:
    if not url:
        return False
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _line(label: str, *value: str | Text | tuple[str, str]) -> Text:
    return Text.assemble((f"{label:<10}", "bold"), *value, "\n")


def facts_text(view: IncidentView, now: datetime, *, ascii_only: bool, local: bool) -> Text:
    incident = view.incident
    dot = separator(ascii_only=ascii_only)
    nothing = "-" if ascii_only else "—"
    kind = "maintenance" if view.is_maintenance else "incident"
    state = "open" if incident.is_open else "resolved"
    text = Text.assemble(
        (view.provider, "bold"),
        dot,
        fmt.impact_cell(incident.impact, ascii_only=ascii_only),
        dot,
        f"{kind} {state}",
        dot,
        ("status: ", "dim"),
        incident.status.replace("_", " "),
        "\n\n",
    )
    text.append_text(
        _line(
            "Started",
            fmt.dated(incident.started_at, local=local),
            (f"  ({fmt.age(incident.started_at, now)} ago)", "dim"),
        )
    )
    if incident.resolved_at is None:
        text.append_text(_line("Resolved", ("not yet", "bold")))
    else:
        inferred = " (inferred: no longer listed)" if view.resolution_inferred else ""
        text.append_text(
            _line("Resolved", fmt.dated(incident.resolved_at, local=local), (inferred, "dim"))
        )
    lasted = fmt.duration(incident.started_at, incident.resolved_at, now)
    text.append_text(_line("Duration", lasted + (" so far" if incident.is_open else "")))
    if incident.time_note:
        # The source gave an impossible time; say so rather than show it as fact.
        text.append_text(_line("Times", (incident.time_note, "italic")))
    text.append_text(_line("Services", ", ".join(incident.components) or nothing))
    if view.regions:
        for index, region in enumerate(view.regions):
            where = f"{region.code} {region.name}" if region.name != region.code else region.code
            geography = (
                f"  ({regions.geography_name(region.geography)})" if region.geography else ""
            )
            text.append_text(_line("Regions" if index == 0 else "", where, (geography, "dim")))
    else:
        text.append_text(_line("Regions", nothing))
    link = incident.url if is_web_url(incident.url) else None
    text.append_text(_line("Link", (link or nothing, "underline" if link else "")))
    text.rstrip()
    return text


def update_text(update: IncidentUpdate, *, ascii_only: bool, local: bool) -> Text:
    dot = separator(ascii_only=ascii_only)
    header = Text.assemble(
        (fmt.dated(update.at, local=local), "bold"),
        dot,
        (update.status.replace("_", " "), "bold green" if update.status == "resolved" else "bold"),
        "\n",
    )
    return header + Text(update.text or "(no text)")


class IncidentScreen(Screen[None]):
    """Pushed over the main screen, which is kept: ``escape`` returns to exactly where you were."""

    CSS_PATH = "../styles/incident.tcss"
    HELP_TITLE: ClassVar[str] = "On this incident"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", tooltip="Back to where you were", id="back"),
        Binding("o", "open_link", "Open in browser", id="open_link"),
        Binding("y", "copy_link", "Copy link", id="copy_link"),
        Binding("j", "scroll('down')", "Scroll down", show=False, id="scroll_down"),
        Binding("k", "scroll('up')", "Scroll up", show=False, id="scroll_up"),
        Binding("g", "scroll('home')", "Top", show=False, id="scroll_top"),
        Binding("G", "scroll('end')", "Bottom", show=False, id="scroll_bottom"),
    ]

    def __init__(
        self,
        engine: WatchEngine,
        clock: Callable[[], datetime],
        source_id: str,
        incident_id: str,
        *,
        ascii_only: bool | None = None,
        local_time: bool | None = None,
    ) -> None:
        super().__init__()
        self.engine = engine
        self.clock = clock
        self.source_id = source_id
        self.incident_id = incident_id
        self._ascii = ascii_only
        self._local = local_time
        self.view: IncidentView | None = None

    @property
    def ascii_only(self) -> bool:
        return self._ascii if self._ascii is not None else bool(getattr(self.app, "ascii_only", 0))

    @property
    def local_time(self) -> bool:
        return self._local if self._local is not None else setting(self, "local_time")

    def compose(self) -> ComposeResult:
        yield Static(Text("Loading..."), id="incident-title")
        yield Static("", id="facts", markup=False)
        yield VerticalScroll(id="timeline")
        yield Footer()

    def on_mount(self) -> None:
        self.set_class(self.ascii_only, "-ascii")
        if self.ascii_only:
            ascii_scrollbars(self)
        self.load()
        if self._local is None:
            follow(self, "local_time", self._local_time_changed)

    def _local_time_changed(self) -> None:
        if self.view is not None:
            self.show_incident(self.view)

    @work(thread=True, exclusive=True, exit_on_error=False)
    def load(self) -> None:
        view = self.engine.incident(self.source_id, self.incident_id)
        self.app.call_from_thread(self.show_incident, view)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # Worker state changes do not bubble past their screen: a failed read would otherwise
        # leave "Loading..." on screen for ever.
        if event.state is WorkerState.ERROR:
            self.query_one("#incident-title", Static).update(
                Text(f"Could not read this incident: {event.worker.error}", style="bold red")
            )

    def show_incident(self, view: IncidentView | None) -> None:
        self.view = view
        title = self.query_one("#incident-title", Static)
        if view is None:
            title.update(Text("This incident is no longer in the store.", style="bold"))
            return
        title.update(Text(view.incident.title, style="bold"))
        now = self.clock()
        self.query_one("#facts", Static).update(
            facts_text(view, now, ascii_only=self.ascii_only, local=self.local_time)
        )
        timeline = self.query_one("#timeline", VerticalScroll)
        count = len(view.incident.updates)
        timeline.border_title = f"Updates ({count}, newest first)"
        timeline.remove_children()
        timeline.mount_all(
            Static(
                update_text(u, ascii_only=self.ascii_only, local=self.local_time),
                classes="update",
                markup=False,
            )
            for u in view.incident.updates
        )
        if not view.incident.updates:
            timeline.mount(
                Static(Text("No updates published yet.", style="italic"), classes="update")
            )
        timeline.focus()

    @property
    def link(self) -> str | None:
        return None if self.view is None else self.view.incident.url

    def action_back(self) -> None:
        self.dismiss()

    def action_scroll(self, where: str) -> None:
        timeline = self.query_one("#timeline", VerticalScroll)
        {
            "down": timeline.scroll_down,
            "up": timeline.scroll_up,
            "home": timeline.scroll_home,
            "end": timeline.scroll_end,
        }[where]()

    def action_open_link(self) -> None:
        url = self.link
        if url is None:
            self.notify("This incident has no link.", severity="warning")
        elif not is_web_url(url):
            self.notify("Refusing to open a link that is not http(s).", severity="warning")
        else:
            self._open_in_browser(url)

    @work(thread=True, exit_on_error=False)
    def _open_in_browser(self, url: str) -> None:
        # A console browser may take the terminal for a while: never on the UI thread.
        import webbrowser  # here: 5 ms of start-up for a key rarely pressed

        webbrowser.open(url)

    def action_copy_link(self) -> None:
        url = self.link
        if url is None or not is_web_url(url):
            self.notify("This incident has no web link to copy.", severity="warning")
            return
        self.app.copy_to_clipboard(url)
        self.notify("Link copied (OSC 52).", timeout=2)
