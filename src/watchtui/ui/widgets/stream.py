"""Incident stream: every update across sources, newest first, unread ones marked until seen."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from rich.text import Text
from textual import events
from textual.widgets import DataTable

from watchtui.ui import format as fmt
from watchtui.ui import watching
from watchtui.ui.messages import OpenIncident
from watchtui.ui.watching import WatchTarget
from watchtui.ui.widgets.keyed_table import Cells, KeyedTable
from watchtui.ui.widgets.state import PaneState, marker
from watchtui.view import StreamItem, stream_in

# The table stays light however long the store's memory is; history has its own screen.
MAX_ROWS = 500


def short_time(moment: datetime, now: datetime, *, local: bool = False) -> str:
    """'11:55' within the last day, else '07-28' (a date is what matters for old news)."""
    shown = moment.astimezone() if local else moment
    if now - moment < timedelta(hours=20):
        return shown.strftime("%H:%M")
    return shown.strftime("%m-%d")


class Unread:
    """Which stream updates arrived while the user was not looking.

    The first overview is the baseline (nothing is news yet); every update seen later is unread
    until its row is highlighted in the focused stream or its incident is opened.
    """

    def __init__(self) -> None:
        self._known: set[str] | None = None
        self._unread: set[str] = set()

    def observe(self, keys: Iterable[str]) -> None:
        current = set(keys)
        if self._known is not None:
            self._unread |= current - self._known
            self._unread &= current
        self._known = current

    def __contains__(self, key: str) -> bool:
        return key in self._unread

    def __len__(self) -> int:
        return len(self._unread)

    def seen(self, key: str) -> bool:
        """Mark ``key`` read; True if that changed anything."""
        if key in self._unread:
            self._unread.discard(key)
            return True
        return False

    def seen_incident(self, incident_key: str) -> list[str]:
        prefix = incident_key + "\x1f"
        done = [k for k in self._unread if k.startswith(prefix)]
        self._unread.difference_update(done)
        return done


class StreamPane(KeyedTable):
    FLEX_COLUMN = "text"
    COLUMNS = (
        (" ", "mark"),
        ("Time", "time"),
        ("Provider", "provider"),
        ("Impact", "impact"),
        ("Incident / latest update", "text"),
    )

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.unread = Unread()
        self._items: dict[str, StreamItem] = {}
        self._ascii = False

    def show(self, state: PaneState) -> None:
        self.ascii_only = state.ascii_only
        overview = state.overview
        self._ascii = state.ascii_only
        self.unread.observe(item.key for item in overview.stream)
        components = watching.incident_components(overview)
        rows: list[tuple[str, Cells]] = []
        items: dict[str, StreamItem] = {}
        for item in stream_in(overview, state.geography):
            if state.only_watched and not watching.stream_item_watched(
                item, overview.watched, components
            ):
                continue
            fields = [item.provider, item.incident_title, item.first_line]
            fields += [r.code for r in item.regions] + [r.name for r in item.regions]
            fields += list(components.get(item.incident_key, ()))
            if not state.matches(fields):
                continue
            items[item.key] = item
            rows.append((item.key, self._cells(item, state)))
            if len(rows) >= MAX_ROWS:
                break
        self._items = items
        self.sync(rows)
        if self.has_focus:
            self._mark_seen(self.cursor_key)

    def _mark_cell(self, key: str) -> Text:
        return Text(
            marker("unread", ascii_only=self._ascii) if key in self.unread else "", style="bold"
        )

    def _cells(self, item: StreamItem, state: PaneState) -> Cells:
        if item.update.status == "resolved":
            impact = Text("v resolved" if state.ascii_only else "✓ resolved", style="green")
        else:
            impact = fmt.impact_cell(item.impact, ascii_only=state.ascii_only)
        title_style = "" if item.is_open else "dim"
        text = Text.assemble(
            (item.incident_title, title_style),
            (" - " if state.ascii_only else " — ", "dim"),
            (item.first_line, "dim"),
        )
        return (
            self._mark_cell(item.key),
            Text(short_time(item.update.at, state.now, local=state.local_time)),
            Text(item.provider),
            impact,
            text,
        )

    def _mark_seen(self, key: str | None) -> None:
        if key is not None and self.unread.seen(key) and key in self._items:
            self.update_cell(key, "mark", self._mark_cell(key), update_width=True)

    def mark_incident_seen(self, incident_key: str) -> None:
        for key in self.unread.seen_incident(incident_key):
            if key in self._items:
                self.update_cell(key, "mark", self._mark_cell(key), update_width=True)

    def current(self) -> StreamItem | None:
        key = self.cursor_key
        return None if key is None else self._items.get(key)

    def watch_target(self) -> WatchTarget | None:
        item = self.current()
        if item is None:
            return None
        return WatchTarget("provider", item.source_id, item.provider)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        # Re-ordering rows can briefly highlight a row the cursor does not end on: only the
        # row under the cursor now counts as seen.
        if self.has_focus and event.row_key.value == self.cursor_key:
            self._mark_seen(self.cursor_key)

    def on_focus(self, event: events.Focus) -> None:
        self._mark_seen(self.cursor_key)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        item = self.current()
        if item is not None:
            self.mark_incident_seen(item.incident_key)
            self.post_message(OpenIncident(item.source_id, item.incident_id))
