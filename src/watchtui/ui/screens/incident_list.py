"""Incidents of one provider, service or geography: open ones first, then the newest.

The incident table built on the table kit (``ui.widgets.fitted_table``) lives here too: history
and the probes screen use it.
"""

from __future__ import annotations

from collections.abc import Sequence
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
from watchtui.engine.overview import IncidentView, count_open, open_first
from watchtui.engine.protocol import WatchEngine
from watchtui.ui import format as fmt
from watchtui.ui.screens.engine_screen import EngineScreen, OpenIncident
from watchtui.ui.widgets.fitted_table import (
    ColumnSpec,
    EmptyNote,
    FittedTable,
    one_line,
)
from watchtui.ui.widgets.one_line import OneLine

# --- incidents ------------------------------------------------------------------------------


def incident_columns(*, provider: bool = True, resolved: bool = False) -> list[ColumnSpec]:
    columns = [ColumnSpec("started", "Started UTC", 12)]
    if provider:
        columns.append(ColumnSpec("provider", "Provider", 14, narrow_width=11))
    columns += [
        ColumnSpec("impact", "Impact", 10),
        ColumnSpec("status", "Status", 15, min_table_width=110),
        ColumnSpec("title", "Title", None),
    ]
    if resolved:
        columns.append(ColumnSpec("resolved", "Resolved UTC", 13, min_table_width=140))
    columns.append(ColumnSpec("duration", "Duration", 9))
    return columns


def incident_cells(view: IncidentView, now: datetime, *, ascii_only: bool) -> dict[str, Text]:
    incident = view.incident
    is_open = incident.is_open
    open_mark = "* " if ascii_only else "● "
    title_style = "bold" if is_open else ""
    span = fmt.duration(incident.started_at, incident.resolved_at, now)
    if is_open:
        duration = Text(open_mark + span, style="bold")
        resolved = Text("open", style="bold")
    elif view.resolution_inferred:
        duration = Text("~" + span)
        resolved = Text("~" + fmt.short_date_time(incident.resolved_at or now))
    else:
        duration = Text(span)
        resolved = Text(" " + fmt.short_date_time(incident.resolved_at or now))
    status_word = incident.status.replace("_", " ")
    status = (
        Text(open_mark + status_word, style="bold")
        if is_open
        else Text("  " + status_word, style="bright_black")
    )
    return {
        "started": Text(fmt.short_date_time(incident.started_at)),
        "provider": Text(one_line(view.provider)),
        "impact": fmt.impact_cell(incident.impact, ascii_only=ascii_only),
        "status": status,
        "title": Text(one_line(incident.title), style=title_style),
        "resolved": resolved,
        "duration": duration,
    }


def legend(*, ascii_only: bool) -> Text:
    return Text.assemble(
        ("* " if ascii_only else "● ", "bold"),
        "open   ",
        ("~", "bold"),
        " resolution inferred: the feed dropped it without a resolved update",
        style="bright_black",
    )


class IncidentTable(FittedTable):
    """Incidents by key; ``enter`` (or a click on the selected row) asks to open one."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", "Open", id="incident_table.open"),
    ]

    class OpenRequested(Message):
        def __init__(self, view: IncidentView) -> None:
            super().__init__()
            self.view = view

    def __init__(
        self,
        *,
        provider: bool = True,
        resolved: bool = False,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(
            incident_columns(provider=provider, resolved=resolved), id=id, classes=classes
        )
        self._views: dict[str, IncidentView] = {}

    def show(self, views: Sequence[IncidentView], now: datetime, *, ascii_only: bool) -> None:
        self._views = {view.key: view for view in views}
        self.set_rows(
            (view.key, incident_cells(view, now, ascii_only=ascii_only)) for view in views
        )

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        key = event.row_key.value
        view = None if key is None else self._views.get(key)
        if view is not None:
            self.post_message(self.OpenRequested(view))


# --- the screen -----------------------------------------------------------------------------


class IncidentListScreen(EngineScreen):
    """Current and past incidents of a provider, one of its services, or a geography."""

    CSS_PATH = "../styles/incident_list.tcss"
    HELP_TITLE: ClassVar[str] = "On this list of incidents"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "escape", "back", "Back", tooltip="Back to where you were", id="incident_list.back"
        ),
        Binding(
            "r", "reload", "Reload", tooltip="Read the list again now", id="incident_list.reload"
        ),
    ]
    # Open incidents' durations tick; the store changes under us as the app polls.

    class Loaded(Message):
        def __init__(self, views: list[IncidentView]) -> None:
            super().__init__()
            self.views = views

    def __init__(
        self,
        engine: WatchEngine,
        *,
        clock: Clock = utcnow,
        title: str,
        source_id: str | None = None,
        component: str | None = None,
        geography: str | None = None,
        ascii_only: bool = False,
        on_open_incident: OpenIncident | None = None,
    ) -> None:
        super().__init__(
            engine, clock=clock, ascii_only=ascii_only, on_open_incident=on_open_incident
        )
        self.list_title = title
        self.source_id = source_id
        self.component = component
        self.geography = geography
        self._count: int | None = None
        self._open_count = 0

    def compose(self) -> ComposeResult:
        yield OneLine(self._heading(), ascii_only=self.ascii_only, id="heading")
        # One provider's list needs no provider column.
        yield IncidentTable(provider=self.source_id is None, id="incidents")
        yield EmptyNote(id="nothing")
        yield Static(legend(ascii_only=self.ascii_only), id="legend", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(IncidentTable).focus()
        self.action_reload()
        if hasattr(self.app, "board"):
            # Live through the app's one board state: a new overview means new data here too.
            self.watch(self.app, "board", lambda _: self.action_reload(), init=False)

    def action_reload(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, exit_on_error=False, name="loading incidents")
    def _load(self) -> None:
        views = self.engine.incidents_for(
            source_id=self.source_id, component=self.component, geography=self.geography
        )
        if not get_current_worker().is_cancelled:
            self.post_message(self.Loaded(open_first(views)))

    def on_incident_list_screen_loaded(self, message: IncidentListScreen.Loaded) -> None:
        self.failure = None
        self._count = len(message.views)
        self._open_count = count_open(message.views)
        table = self.query_one(IncidentTable)
        table.show(message.views, self.clock(), ascii_only=self.ascii_only)
        nothing = Text(f"watchtui has recorded no incidents of {one_line(self.list_title)}.")
        self.query_one(EmptyNote).explain(table, None if message.views else nothing)
        self.query_one("#heading", OneLine).show(self._heading())

    def watch_failure(self) -> None:
        if self.is_mounted:
            self.query_one("#heading", OneLine).show(self._heading())

    def _heading(self) -> Text:
        heading = Text.assemble((one_line(self.list_title), "bold"))
        if self._count is None:
            heading.append(
                "  loading" + fmt.ellipsis(ascii_only=self.ascii_only), style="bright_black"
            )
        else:
            plural = "s" if self._count != 1 else ""
            heading.append(
                f"  {self._count} incident{plural}, {self._open_count} open",
                style="bright_black",
            )
        if self.failure:
            heading.append("  " + one_line(self.failure), style="red")
        return heading
