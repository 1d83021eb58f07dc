"""Kiosk mode: read-only wall display, open incidents large, cycling through their details.

Disagreements between the user's probes and their providers come first, above everything, with
the correlation hints under them (worded as hints).

It never asks anything of the user and never stops: a failure while drawing is shown in one line
and the next overview or cycle tries again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.screen import Screen
from textual.widgets import Static

from watchtui.domain.model import impact_rank
from watchtui.engine.overview import IncidentView, Overview
from watchtui.ui import format as fmt
from watchtui.ui.screens.incident import facts_text
from watchtui.ui.widgets.ascii import ascii_scrollbars
from watchtui.ui.widgets.source_strip import SourceStrip
from watchtui.ui.widgets.status_header import StatusHeader
from watchtui.viewmodel import signals

if TYPE_CHECKING:
    from watchtui.ui.app import WatchApp


def kiosk_order(overview: Overview) -> list[IncidentView]:
    """Worst first, then the most recently started."""
    return sorted(
        overview.open_incidents,
        key=lambda v: (-impact_rank(v.incident.impact), -v.incident.started_at.timestamp()),
    )


def signals_text(overview: Overview, *, ascii_only: bool) -> Text:
    """Disagreements (the headline), then hints; empty when there are none."""
    lines: list[Text] = []
    for found in signals.ordered_disagreements(overview):
        lines.append(
            Text.assemble(
                (f"{fmt.disagree_mark(ascii_only=ascii_only)} ", fmt.disagree_style()),
                (found.message, "bold"),
            )
        )
    for hint in signals.ordered_hints(overview):
        lines.append(
            Text.assemble(
                ("? possible common cause: ", f"italic {fmt.hint_style()}"),
                (hint.text, "italic"),
            )
        )
    return Text("\n").join(lines)


class KioskScreen(Screen[None]):
    CSS_PATH = "../styles/main.tcss"
    BINDINGS: ClassVar[list[BindingType]] = []

    def __init__(self) -> None:
        super().__init__()
        # Overviews can arrive before the panes exist; they are drawn once mounted.
        self._ready = False
        self.overview: Overview | None = None
        self.incidents: list[IncidentView] = []
        self.index = 0

    @property
    def watch_app(self) -> WatchApp:
        return cast("WatchApp", self.app)

    def compose(self) -> ComposeResult:
        yield StatusHeader(self.watch_app.clock, id="header")
        yield SourceStrip(id="strip")
        yield Static("", id="kiosk-signals", markup=False)
        yield Static("", id="kiosk-counter", markup=False)
        yield Static(Text("Loading..."), id="kiosk-title", markup=False)
        yield Static("", id="kiosk-body", markup=False)
        yield Static("", id="kiosk-list", markup=False)

    def on_mount(self) -> None:
        self.set_class(self.watch_app.ascii_only, "-ascii")
        if self.watch_app.ascii_only:
            ascii_scrollbars(self)
        self.set_interval(self.watch_app.kiosk_cycle_seconds, self.next_incident, name="cycle")
        self._ready = True
        self.watch(self.app, "board", self._board_changed, init=True)

    def _board_changed(self, overview: Overview | None) -> None:
        if overview is not None:
            self.show_overview(overview)

    def show_overview(self, overview: Overview) -> None:
        current = self.incidents[self.index].key if self.incidents else None
        self.overview = overview
        self.incidents = kiosk_order(overview)
        keys = [v.key for v in self.incidents]
        self.index = keys.index(current) if current in keys else 0
        self.refresh_view()

    def next_incident(self) -> None:
        if len(self.incidents) > 1:
            self.index = (self.index + 1) % len(self.incidents)
            self.refresh_view()

    def refresh_view(self) -> None:
        try:
            self._draw()
        except Exception as error:  # a wall display must outlive any drawing bug
            self.query_one("#kiosk-counter", Static).update(
                Text(f"display error ({type(error).__name__}); retrying", style="red")
            )

    def _draw(self) -> None:
        overview = self.overview
        if overview is None or not self._ready:
            return
        app = self.watch_app
        now = app.clock()
        ascii_only = app.ascii_only
        self.query_one(StatusHeader).show_overview(overview, ascii_only=ascii_only)
        self.query_one(SourceStrip).show_sources(overview.sources, now, ascii_only=ascii_only)
        lead = signals_text(overview, ascii_only=ascii_only)
        signal_box = self.query_one("#kiosk-signals", Static)
        signal_box.update(lead)
        signal_box.display = bool(lead.plain)
        counter = self.query_one("#kiosk-counter", Static)
        title = self.query_one("#kiosk-title", Static)
        body = self.query_one("#kiosk-body", Static)
        listing = self.query_one("#kiosk-list", Static)
        if not self.incidents:
            counter.update("")
            if lead.plain:
                title.update(Text("No open incidents from the providers", style="bold"))
            else:
                title.update(Text("All clear: no open incidents", style="bold green"))
            body.update("")
            listing.update("")
            return
        view = self.incidents[self.index]
        counter.update(Text(f"Incident {self.index + 1} of {len(self.incidents)}", style="dim"))
        title.update(Text(view.incident.title, style="bold"))
        details = facts_text(view, now, ascii_only=ascii_only, local=app.local_time)
        if view.incident.updates:
            latest = view.incident.updates[0]
            details.append("\n\n")
            details.append(f"Latest ({fmt.timestamp(latest.at, local=app.local_time)}): ", "bold")
            details.append(latest.text)
        body.update(details)
        listing.update(self._listing(ascii_only))

    def _listing(self, ascii_only: bool) -> Text:
        lines = []
        for position, view in enumerate(self.incidents):
            pointer = (">" if ascii_only else "▶") if position == self.index else " "
            lines.append(
                Text.assemble(
                    f"{pointer} ",
                    fmt.impact_cell(view.incident.impact, ascii_only=ascii_only),
                    "  ",
                    (view.provider, "bold"),
                    "  ",
                    view.incident.title,
                )
            )
        return Text("\n").join(lines)
