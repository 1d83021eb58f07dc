"""Regions pane: canonical geographies, worst first, each followed by its provider regions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.widgets import DataTable

from watchtui.model import Region
from watchtui.ui import format as fmt
from watchtui.ui import watching
from watchtui.ui.messages import RegionFilterToggled, ShowIncidents
from watchtui.ui.watching import WatchTarget
from watchtui.ui.widgets.keyed_table import Cells, KeyedTable
from watchtui.ui.widgets.state import PaneState, marker
from watchtui.view import RegionRow, region_rows


@dataclass(frozen=True)
class _RowInfo:
    geography: str
    name: str
    region: Region | None = None
    provider: str | None = None


class RegionsPane(KeyedTable):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "toggle_region", "Region filter", id="region_filter"),
    ]

    FLEX_COLUMN = "name"
    COLUMNS = (("Geography", "name"), ("Status", "status"), ("Open", "open"))

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._info: dict[str, _RowInfo] = {}

    def show(self, state: PaneState) -> None:
        self.ascii_only = state.ascii_only
        rows: list[tuple[str, Cells]] = []
        info: dict[str, _RowInfo] = {}
        watched = state.overview.watched
        for row in region_rows(state.overview):
            if state.only_watched and not watching.region_row_watched(row, watched, state.overview):
                continue
            if not self._matches(row, state):
                continue
            key = f"g\x1f{row.geography}"
            info[key] = _RowInfo(row.geography, row.name)
            rows.append((key, self._geography_cells(row, state)))
            for provider, region, status in row.provider_regions:
                child = f"r\x1f{row.geography}\x1f{provider}\x1f{region.provider}\x1f{region.code}"
                info[child] = _RowInfo(row.geography, row.name, region, provider)
                label = Text.assemble(
                    f"  {marker('child', ascii_only=state.ascii_only)} ",
                    self._watch_mark(watching.region_value(region) in watched, state),
                    (provider, ""),
                    " ",
                    (region.code, "dim"),
                )
                rows.append(
                    (child, (label, fmt.status_cell(status, ascii_only=state.ascii_only), Text("")))
                )
        self._info = info
        self.sync(rows)

    @staticmethod
    def _matches(row: RegionRow, state: PaneState) -> bool:
        fields: list[str | None] = [row.name, row.geography]
        for provider, region, _ in row.provider_regions:
            fields += [provider, region.code, region.name]
        return state.matches(fields)

    def _geography_cells(self, row: RegionRow, state: PaneState) -> Cells:
        selected = state.geography == row.geography
        prefix = f"{marker('selected', ascii_only=state.ascii_only)} " if selected else ""
        label = Text.assemble(
            prefix,
            self._watch_mark(row.geography in state.overview.watched, state),
            (row.name, "bold"),
        )
        count = Text(str(row.open_incidents) if row.open_incidents else "", style="bold")
        return label, fmt.status_cell(row.status, ascii_only=state.ascii_only), count

    @staticmethod
    def _watch_mark(watched: bool, state: PaneState) -> str:
        return f"{marker('watched', ascii_only=state.ascii_only)} " if watched else ""

    def current(self) -> _RowInfo | None:
        key = self.cursor_key
        return None if key is None else self._info.get(key)

    def watch_target(self) -> WatchTarget | None:
        info = self.current()
        if info is None:
            return None
        if info.region is not None:
            label = f"{info.provider} {info.region.code}"
            return WatchTarget("region", watching.region_value(info.region), label)
        return WatchTarget("region", info.geography, info.name)

    def action_toggle_region(self) -> None:
        info = self.current()
        if info is not None:
            self.post_message(RegionFilterToggled(info.geography))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        info = self.current()
        if info is not None:
            self.post_message(ShowIncidents(info.name, geography=info.geography))
