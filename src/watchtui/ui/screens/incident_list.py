"""Incidents of one provider, service or geography: open ones first, then the newest.

This module also holds what the secondary screens (history, sources, incident list) share: a
keyed table whose columns come and go with the width, the incident table built on it, and a
screen base class that owns the engine, the clock, opening an incident and the one place worker
failures are reported.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static
from textual.worker import Worker, WorkerState, get_current_worker

from watchtui.domain.assessment import counts_as_open_incident
from watchtui.domain.clock import utcnow
from watchtui.engine.overview import IncidentView, open_first
from watchtui.engine.protocol import WatchEngine
from watchtui.ui import format as fmt
from watchtui.ui.widgets.ascii import ascii_scrollbars
from watchtui.ui.widgets.keyed_table import KeyedTable, same_cell
from watchtui.ui.widgets.one_line import OneLine

Clock = Callable[[], datetime]
OpenIncident = Callable[[IncidentView], None]


def one_line(text: str) -> str:
    """Collapse whitespace so a multi-line remote string fits a table cell."""
    return " ".join(text.split())


def show_text(static: Static, text: Text) -> None:
    """Update ``static`` only if ``text`` differs, so an idle reload sends nothing."""
    current = static.content
    if not (isinstance(current, Text) and same_cell(current, text)):
        static.update(text)


# --- a table updated by key -----------------------------------------------------------------


@dataclass(frozen=True)
class ColumnSpec:
    key: str
    label: str
    # None marks the one flexible column: it takes whatever width the others leave.
    width: int | None
    # The column is dropped from tables narrower than this, so 80 columns stay readable.
    min_table_width: int = 0
    # Width in tables narrower than NARROW_TABLE, where every cell counts.
    narrow_width: int | None = None
    # Numbers read best right-aligned, under a right-aligned label.
    numeric: bool = False

    def width_in(self, table_width: int) -> int | None:
        if self.narrow_width is not None and table_width < NARROW_TABLE:
            return self.narrow_width
        return self.width


NARROW_TABLE = 100


class FittedTable(KeyedTable):
    """A ``KeyedTable`` whose columns fit its width, fed rows as cells by column key.

    Columns are chosen from the specs by the table's width and the flexible one takes the rest;
    only a width change that alters them rebuilds the table (the cursor stays on its row key).
    """

    def __init__(
        self,
        columns: Sequence[ColumnSpec],
        *,
        min_flex: int = 16,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self._specs = tuple(columns)
        self._min_flex = min_flex
        self._layout: tuple[tuple[str, int], ...] = ()
        self._rows: list[tuple[str, dict[str, Text]]] = []

    @property
    def visible_columns(self) -> tuple[str, ...]:
        return tuple(key for key, _ in self._layout)

    def set_rows(self, rows: Iterable[tuple[str, dict[str, Text]]]) -> None:
        """Show exactly ``rows`` (key, cells by column key), in this order."""
        seen: set[str] = set()
        self._rows = []
        for key, cells in rows:
            # Two rows with one key would crash add_row; the first (best ranked) wins.
            if key not in seen:
                seen.add(key)
                self._rows.append((key, {k: _fit(v) for k, v in cells.items()}))
        if self._layout:
            self.sync(self._tuples())

    def on_mount(self) -> None:
        # The screen knows the mode (ScreenHost tests have no WatchApp to ask).
        self.ascii_only = bool(getattr(self.screen, "ascii_only", False))

    def _tuples(self) -> list[tuple[str, tuple[Text, ...]]]:
        return [
            (key, tuple(self._cell(cells, column, width) for column, width in self._layout))
            for key, cells in self._rows
        ]

    def _cell(self, cells: dict[str, Text], column: str, width: int) -> Text:
        cell = cells.get(column, Text(""))
        # Rich cuts with "…"; ASCII mode cuts first, with "...".
        return fmt.fit(cell, width, ascii_only=True) if self.ascii_only else cell

    @on(events.Resize)
    def _relayout(self, event: events.Resize) -> None:
        layout = self._layout_for(event.size.width)
        if layout != self._layout:
            self._rebuild(layout)

    def _layout_for(self, width: int) -> tuple[tuple[str, int], ...]:
        visible = [
            (spec.key, spec.width_in(width))
            for spec in self._specs
            if width >= spec.min_table_width
        ]
        padding = 2 * self.cell_padding
        fixed = sum((cells or 0) + padding for _, cells in visible)
        # Room for the vertical scrollbar is always kept so its appearing does not reflow columns.
        scrollbar = self.styles.scrollbar_size_vertical
        flex = max(self._min_flex, width - fixed - scrollbar)
        return tuple((key, flex if cells is None else cells) for key, cells in visible)

    def _rebuild(self, layout: tuple[tuple[str, int], ...]) -> None:
        # A new column set cannot be reached by updating cells, so this one rebuild (on resize
        # only) is the exception to never refilling; the cursor is put back on its row key.
        selected = self.cursor_key
        labels = {
            spec.key: Text(spec.label, justify="right" if spec.numeric else "left")
            for spec in self._specs
        }
        with self.app.batch_update():
            self._layout = layout
            self.clear(columns=True)
            for key, width in layout:
                self.add_column(labels[key], width=width, key=key)
            self.sync(self._tuples())
            if selected is not None:
                self.move_to_key(selected)


class EmptyNote(Static):
    """Says why a list has no rows, right under its column headings: an empty table says
    nothing, and a filter that matches nothing should say so.  The table shrinks to its
    headings meanwhile (``-empty``, height auto in the screens' styles) and keeps the focus, so
    the screen's keys go on working."""

    DEFAULT_CSS = """
    EmptyNote {
        display: none;
        height: 1fr;
        padding: 0 1;
        color: $text-muted;
    }
    EmptyNote.-shown {
        display: block;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(Text(""), id=id, markup=False)

    def explain(self, table: FittedTable, why: Text | None) -> None:
        """``why`` the table is empty, or None when it has rows."""
        table.set_class(why is not None, "-empty")
        self.set_class(why is not None, "-shown")
        if why is not None:
            show_text(self, why)


def _fit(cell: Text) -> Text:
    cell.no_wrap = True
    cell.overflow = "ellipsis"
    return cell


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


def open_count(views: Iterable[IncidentView]) -> int:
    """Open incidents as the header counts them: a maintenance under way is not one."""
    return sum(
        1 for v in views if counts_as_open_incident(v.incident, is_maintenance=v.is_maintenance)
    )


def dated(moment: datetime, *, local: bool) -> str:
    """'Jul 29 11:10 UTC': the one date format, with the zone it is shown in (for facts, where
    no column heading says it)."""
    return f"{fmt.short_date_time(moment, local=local)} {'local' if local else 'UTC'}"


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

    @property
    def selected_view(self) -> IncidentView | None:
        key = self.cursor_key
        return None if key is None else self._views.get(key)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        key = event.row_key.value
        view = None if key is None else self._views.get(key)
        if view is not None:
            self.post_message(self.OpenRequested(view))


# --- the screen base ------------------------------------------------------------------------


class EngineScreen(Screen[None]):
    """A screen over the engine: opens incidents, reports worker failures in one place."""

    failure: reactive[str | None] = reactive(None)

    def __init__(
        self,
        engine: WatchEngine,
        *,
        clock: Clock = utcnow,
        ascii_only: bool = False,
        on_open_incident: OpenIncident | None = None,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.engine = engine
        self.clock = clock
        self.ascii_only = ascii_only
        self._on_open_incident = on_open_incident

    def on_mount(self) -> None:
        # Runs after the subclass's own on_mount (Textual calls every class's handler).
        if self.ascii_only:
            ascii_scrollbars(self)

    def open_incident(self, view: IncidentView) -> None:
        if self._on_open_incident is not None:
            self._on_open_incident(view)
            return
        from watchtui.ui.screens.incident import IncidentScreen  # the app shell's screen

        self.app.push_screen(
            IncidentScreen(
                self.engine,
                self.clock,
                view.source_id,
                view.incident.id,
                ascii_only=self.ascii_only,
            )
        )

    def on_incident_table_open_requested(self, event: IncidentTable.OpenRequested) -> None:
        event.stop()
        self.open_incident(event.view)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:
            what = event.worker.name or "background task"
            self.failure = f"{what} failed: {event.worker.error}"
            self.notify(self.failure, severity="error", markup=False)

    def action_back(self) -> None:
        self.dismiss()


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
    RELOAD_SECONDS: ClassVar[float] = 30.0

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
        self.set_interval(self.RELOAD_SECONDS, self.action_reload)

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
        self._open_count = open_count(message.views)
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
