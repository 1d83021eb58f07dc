"""Every source's health and fetch statistics; refresh, disable or add sources from here."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import DataTable, Footer, Static
from textual.worker import get_current_worker

from watchtui.domain.clock import Clock, utcnow
from watchtui.engine.overview import SourceView
from watchtui.engine.protocol import WatchEngine
from watchtui.ui import format as fmt
from watchtui.ui.messages import RefreshSource
from watchtui.ui.screens.catalog_picker import CatalogPicker
from watchtui.ui.screens.engine_screen import EngineScreen, OpenIncident
from watchtui.ui.widgets.fitted_table import ColumnSpec, EmptyNote, FittedTable, one_line, show_text
from watchtui.ui.widgets.one_line import OneLine
from watchtui.viewmodel.severity import separator

SOURCE_COLUMNS = (
    ColumnSpec("name", "Source", 18, narrow_width=14),
    ColumnSpec("kind", "Kind", 11, min_table_width=100),
    ColumnSpec("health", "Health", 10),
    ColumnSpec("last_ok", "Last OK", 7, numeric=True),
    ColumnSpec("latency", "Latency", 7, numeric=True),
    ColumnSpec("share", "304s", 4, numeric=True),
    ColumnSpec("every", "Every", 5, numeric=True),
    ColumnSpec("url", "URL", 34, min_table_width=150),
    ColumnSpec("error", "Last error", None),
)


NO_SOURCES = (
    "No sources: watchtui watches nothing.  Press a to add one from the catalogue of providers, "
    "or add [[sources]] entries to the config."
)


def every(seconds: int) -> str:
    """'45s', '1m', '1m30s', '2h': a polling interval, short."""
    if seconds < 60:
        return f"{seconds}s"
    if seconds % 3600 == 0:
        return f"{seconds // 3600}h"
    minutes, rest = divmod(seconds, 60)
    return f"{minutes}m{rest:02d}s" if rest else f"{minutes}m"


def health_of(source: SourceView) -> str:
    return source.health if source.enabled else "disabled"


def source_cells(source: SourceView, now: datetime, *, ascii_only: bool) -> dict[str, Text]:
    dash = "-" if ascii_only else "—"
    latency = fmt.latency(source.latency_ms, ascii_only=ascii_only)
    share = dash if source.not_modified_share is None else f"{source.not_modified_share:.0%}"
    error = (
        Text(one_line(source.last_error), style="red")
        if source.last_error and source.enabled
        else Text(one_line(source.note or ""), style="yellow")
    )
    return {
        "name": Text(one_line(source.name), style="" if source.enabled else "bright_black"),
        "kind": Text(source.kind),
        "health": fmt.health_cell(health_of(source), ascii_only=ascii_only),
        "last_ok": Text(fmt.age(source.last_success_at, now), justify="right"),
        "latency": Text(latency, justify="right"),
        "share": Text(share, justify="right"),
        "every": Text(every(source.interval), justify="right"),
        "url": Text(source.url),
        "error": error,
    }


def source_detail(source: SourceView, now: datetime, *, ascii_only: bool) -> Text:
    """The selected source in full: what the table truncates or drops at 80 columns."""
    dot = separator(ascii_only=ascii_only)
    detail = Text.assemble(
        (one_line(source.name), "bold"),
        dot,
        source.kind,
        dot,
        source.url,
        dot,
        f"every {every(source.interval)}",
        dot,
        fmt.health_cell(health_of(source), ascii_only=ascii_only),
    )
    if source.last_attempt_at is not None:
        detail.append(f"{dot}last try {fmt.age(source.last_attempt_at, now)} ago")
    if source.last_error:
        detail.append("\nLast error: ", style="bold")
        # The whole message, wrapped: remote text, so plain Text and never markup.
        detail.append(source.last_error.strip(), style="red")
    if source.note:
        detail.append("\nLeft out: ", style="bold")
        detail.append(source.note.strip(), style="yellow")
    return detail


class SourcesScreen(EngineScreen):
    """The sources table, live; the selected source's detail under it."""

    CSS_PATH = "../styles/sources.tcss"
    HELP_TITLE: ClassVar[str] = "On the sources screen"
    # Tooltips are what the help screen (?) says; the footer keeps the short descriptions.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", tooltip="Back to the board", id="sources.back"),
        Binding(
            "r",
            "refresh_source",
            "Refresh",
            tooltip="Poll the selected source now",
            id="sources.refresh",
        ),
        Binding(
            "x",
            "toggle_source",
            "On/off",
            tooltip="Switch the selected source off or on (saved in the config)",
            id="sources.toggle",
        ),
        Binding(
            "space",
            "toggle_source",
            "On/off",
            show=False,
            tooltip="Switch the selected source off or on (saved in the config)",
            id="sources.toggle_space",
        ),
        Binding(
            "a", "add_source", "Add", tooltip="Add a source from the catalogue", id="sources.add"
        ),
    ]
    # Ages tick and the app's poller updates the store; unchanged cells are not redrawn.

    class Loaded(Message):
        def __init__(self, sources: list[SourceView]) -> None:
            super().__init__()
            self.sources = sources

    class Changed(Message):
        """An action on a source finished; ``summary`` is shown to the user."""

        def __init__(self, summary: str) -> None:
            super().__init__()
            self.summary = summary

    def __init__(
        self,
        engine: WatchEngine,
        *,
        clock: Clock = utcnow,
        ascii_only: bool = False,
        on_open_incident: OpenIncident | None = None,
    ) -> None:
        super().__init__(
            engine, clock=clock, ascii_only=ascii_only, on_open_incident=on_open_incident
        )
        self.sources: dict[str, SourceView] = {}
        self._loaded = False

    def compose(self) -> ComposeResult:
        yield OneLine(self._heading(), ascii_only=self.ascii_only, id="heading")
        yield FittedTable(SOURCE_COLUMNS, min_flex=12, id="sources")
        yield EmptyNote(id="nothing")
        yield Static(Text(""), id="detail", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(FittedTable).focus()
        self._load()
        if hasattr(self.app, "board"):
            # Live through the app's one board state: a new overview means new data here too.
            self.watch(self.app, "board", self._board_changed, init=False)

    def _board_changed(self) -> None:
        self._load()

    @property
    def selected(self) -> SourceView | None:
        key = self.query_one(FittedTable).cursor_key
        return None if key is None else self.sources.get(key)

    # --- loading ---------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="sources", exit_on_error=False, name="Loading sources")
    def _load(self) -> None:
        sources = self.engine.sources()
        if not get_current_worker().is_cancelled:
            self.post_message(self.Loaded(sources))

    def on_sources_screen_loaded(self, message: SourcesScreen.Loaded) -> None:
        self.failure = None
        self._loaded = True
        now = self.clock()
        self.sources = {source.id: source for source in message.sources}
        table = self.query_one(FittedTable)
        table.set_rows(
            (source.id, source_cells(source, now, ascii_only=self.ascii_only))
            for source in message.sources
        )
        self.query_one(EmptyNote).explain(table, None if self.sources else Text(NO_SOURCES))
        self.query_one("#detail").display = bool(self.sources)
        self._update_heading()
        self._show_detail()

    def on_sources_screen_changed(self, message: SourcesScreen.Changed) -> None:
        self.notify(message.summary, markup=False)
        self._load()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_detail()

    def watch_failure(self) -> None:
        self._update_heading()

    # --- actions ---------------------------------------------------------------------------

    def action_refresh_source(self) -> None:
        source = self.selected
        if source is None:
            return
        if not source.enabled:
            warning = f"{one_line(source.name)} is disabled: x enables it"
            self.notify(warning, severity="warning", markup=False)
            return
        # The app polls it: its news is announced and the board (hence this screen) follows.
        self.post_message(RefreshSource(source.id, one_line(source.name)))

    def action_toggle_source(self) -> None:
        source = self.selected
        if source is not None:
            self._set_enabled(source, not source.enabled)

    @work(thread=True, group="toggle", exit_on_error=False, name="Switching a source")
    def _set_enabled(self, source: SourceView, enabled: bool) -> None:
        self.engine.set_source_enabled(source.id, enabled)
        verb = "Enabled" if enabled else "Disabled"
        self.post_message(self.Changed(f"{verb} {one_line(source.name)}"))

    def action_add_source(self) -> None:
        def added(provider_id: str | None) -> None:
            if provider_id is not None:
                self._add(provider_id)

        self.app.push_screen(
            CatalogPicker(watched=self.sources.keys(), ascii_only=self.ascii_only), added
        )

    @work(thread=True, group="add", exit_on_error=False, name="Adding a source")
    def _add(self, provider_id: str) -> None:
        view = self.engine.add_catalog_source(provider_id)
        self.post_message(self.Changed(f"Added {one_line(view.name)}; first poll is due now"))

    # --- rendering -------------------------------------------------------------------------

    def _show_detail(self) -> None:
        source = self.selected
        detail = (
            Text("No sources.", style="bright_black")
            if source is None
            else source_detail(source, self.clock(), ascii_only=self.ascii_only)
        )
        show_text(self.query_one("#detail", Static), detail)

    def _update_heading(self) -> None:
        if self.is_mounted:
            self.query_one("#heading", OneLine).show(self._heading())

    def _heading(self) -> Text:
        dot = separator(ascii_only=self.ascii_only)
        heading = Text.assemble(("Sources", "bold"))
        if not self._loaded:
            heading.append(
                dot + "loading" + fmt.ellipsis(ascii_only=self.ascii_only), style="bright_black"
            )
        else:
            count = len(self.sources)
            heading.append(f"  {count} source{'s' if count != 1 else ''}")
            by_health = Counter(health_of(s) for s in self.sources.values())
            for health in ("failing", "stale", "drifted", "never", "disabled"):
                if by_health[health]:
                    heading.append(dot)
                    heading.append_text(
                        fmt.health_cell(health, ascii_only=self.ascii_only)
                        + Text(f" {by_health[health]}")
                    )
        if self.failure:
            heading.append("  " + one_line(self.failure), style="red")
        heading.no_wrap = True
        heading.overflow = "ellipsis"
        return heading
