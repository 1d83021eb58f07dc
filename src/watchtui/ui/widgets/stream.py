"""Incident stream: every update across sources, newest first, unread ones marked until seen.

Above the updates, pinned: disagreements between the user's probes and their providers (marked
"≠", the headline of the whole screen) and correlation hints (marked "?", worded as a possible
common cause, never as a claim).  Pinned rows are keyed like the others, so a disagreement whose
wording changes ("failing for 7 min") is updated in place and the cursor stays where it is.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from rich.text import Text
from textual import events
from textual.widgets import DataTable

from watchtui.domain import regions
from watchtui.engine.overview import DisagreementView, HintView, StreamItem, stream_in
from watchtui.ui import format as fmt
from watchtui.ui.messages import OpenIncident, OpenProbe, ShowIncidents
from watchtui.ui.widgets.keyed_table import Cells, KeyedTable, no_matches
from watchtui.ui.widgets.state import PaneState, marker
from watchtui.viewmodel import signals, watching
from watchtui.viewmodel.watching import WatchTarget

# The table stays light however long the store's memory is; history has its own screen.
MAX_ROWS = 500
# Pinned rows' keys: a colon never appears in a source id, so they cannot meet an update's key.
DISAGREEMENT_PREFIX = "disagreement:"
HINT_PREFIX = "hint:"
HINT_LEAD = "possible common cause: "


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

    def seen_all(self) -> list[str]:
        done = list(self._unread)
        self._unread.clear()
        return done

    def seen_incident(self, incident_key: str) -> list[str]:
        prefix = incident_key + "\x1f"
        done = [k for k in self._unread if k.startswith(prefix)]
        self._unread.difference_update(done)
        return done


class StreamPane(KeyedTable):
    FOLLOWS_TOP = True
    MAX_WIDTHS: ClassVar[dict[str, int]] = {"provider": 18}
    FLEX_COLUMN = "text"
    ABOVE_WORD = "newer"
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
        self._pinned: dict[str, DisagreementView | HintView] = {}
        self._names: dict[str, str] = {}
        self._ascii = False

    def show(self, state: PaneState) -> None:
        self.ascii_only = state.ascii_only
        overview = state.overview
        self._ascii = state.ascii_only
        self.unread.observe(item.key for item in overview.stream)
        components = watching.incident_components(overview)
        rows, self._pinned = self._pinned_rows(state)
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
            if len(items) >= MAX_ROWS:
                break
        if not rows and (state.needle or state.only_watched or state.geography):
            rows.append(("none", no_matches(len(self.COLUMNS), ascii_only=state.ascii_only)))
        self._items = items
        self.sync(rows)
        if self.has_focus:
            self._mark_seen(self.cursor_key)

    def _pinned_rows(
        self, state: PaneState
    ) -> tuple[list[tuple[str, Cells]], dict[str, DisagreementView | HintView]]:
        overview = state.overview
        rows: list[tuple[str, Cells]] = []
        pinned: dict[str, DisagreementView | HintView] = {}
        # Disagreements concern the user's own probes: shown whatever the watchlist says.
        for found in signals.ordered_disagreements(overview, state.geography):
            name = signals.provider_name(overview, found.provider)
            self._names[found.provider] = name
            if not state.matches([found.message, found.probe_id, found.provider, name]):
                continue
            key = DISAGREEMENT_PREFIX + found.key
            pinned[key] = found
            rows.append((key, self._disagreement_cells(found, name, state)))
        for hint in signals.ordered_hints(overview, state.geography):
            if state.only_watched and not signals.hint_watched(hint, overview.watched):
                continue
            if not state.matches([hint.text, hint.geography, *hint.providers]):
                continue
            key = HINT_PREFIX + hint.key
            pinned[key] = hint
            rows.append((key, self._hint_cells(hint, state)))
        return rows, pinned

    @staticmethod
    def _disagreement_cells(found: DisagreementView, provider: str, state: PaneState) -> Cells:
        probe_state = "down" if found.kind == "probe_down_provider_ok" else "up"
        return (
            Text(fmt.disagree_mark(ascii_only=state.ascii_only), style=fmt.disagree_style()),
            Text(fmt.when(found.since, state.now, local=state.local_time)),
            Text(provider),
            fmt.probe_cell(probe_state, ascii_only=state.ascii_only),
            Text(found.message, style="bold"),
        )

    @staticmethod
    def _hint_cells(hint: HintView, state: PaneState) -> Cells:
        providers = hint.providers
        if not providers:
            who = "your probes"  # a hint may rest on the user's probes alone
        elif len(providers) == 1:
            who = providers[0]
        else:
            who = f"{len(providers)} providers"
        return (
            Text("?", style=f"bold {fmt.hint_style()}"),
            Text(fmt.when(hint.started_at, state.now, local=state.local_time)),
            Text(who),
            # A hint is a possibility, not a finding: unknown on the scale, worded as a hint.
            fmt.level_cell("unknown", ascii_only=state.ascii_only, word="hint"),
            Text.assemble((HINT_LEAD, f"italic {fmt.hint_style()}"), (hint.text, "italic")),
        )

    def _mark_cell(self, key: str) -> Text:
        return Text(
            marker("unread", ascii_only=self._ascii) if key in self.unread else "", style="bold"
        )

    def _cells(self, item: StreamItem, state: PaneState) -> Cells:
        if item.update.status == "resolved":
            # After the update that resolves it, the incident's level is ok.
            impact = fmt.level_cell("none", ascii_only=state.ascii_only)
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
            Text(fmt.when(item.update.at, state.now, local=state.local_time)),
            Text(item.provider),
            impact,
            text,
        )

    def _mark_seen(self, key: str | None) -> None:
        if key is not None and self.unread.seen(key) and key in self._items:
            self.update_cell(key, "mark", self._mark_cell(key), update_width=True)

    def mark_all_read(self) -> None:
        for key in self.unread.seen_all():
            if key in self._items:
                self.update_cell(key, "mark", self._mark_cell(key), update_width=True)

    def mark_incident_seen(self, incident_key: str) -> None:
        for key in self.unread.seen_incident(incident_key):
            if key in self._items:
                self.update_cell(key, "mark", self._mark_cell(key), update_width=True)

    def current(self) -> StreamItem | None:
        key = self.cursor_key
        return None if key is None else self._items.get(key)

    def current_pinned(self) -> DisagreementView | HintView | None:
        key = self.cursor_key
        return None if key is None else self._pinned.get(key)

    def watch_target(self) -> WatchTarget | None:
        pinned = self.current_pinned()
        if isinstance(pinned, DisagreementView):
            name = self._names.get(pinned.provider, pinned.provider)
            return WatchTarget("provider", pinned.provider, name)
        if isinstance(pinned, HintView):
            return WatchTarget("region", pinned.geography, regions.geography_name(pinned.geography))
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
        pinned = self.current_pinned()
        if isinstance(pinned, DisagreementView):
            self.post_message(OpenProbe(pinned.probe_id))
            return
        if isinstance(pinned, HintView):
            name = regions.geography_name(pinned.geography)
            self.post_message(ShowIncidents(name, geography=pinned.geography))
            return
        item = self.current()
        if item is not None:
            self.mark_incident_seen(item.incident_key)
            self.post_message(OpenIncident(item.source_id, item.incident_id))
