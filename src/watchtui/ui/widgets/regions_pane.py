"""Regions pane: canonical geographies, worst first, each followed by its provider regions and
the user's probes there.

Healthy provider regions are folded into their geography's row ("9 ok"), as the Services pane
folds operational services, and a geography with many impaired locations shows its worst few and
a row counting the rest; ``a`` (in the Services pane) or a filter unfolds everything.

A geography with a probe down is not "ok" whatever its providers say: its row reads
"✖ probe DOWN" (unless the providers already report a major outage) and it sorts with the worst.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.widgets import DataTable

from watchtui.domain import regions
from watchtui.domain.model import ComponentStatus, Region, status_rank
from watchtui.engine.overview import ProbeView, RegionRow, region_rows
from watchtui.ui import format as fmt
from watchtui.ui.messages import OpenProbe, RegionFilterToggled, ShowIncidents
from watchtui.ui.widgets.keyed_table import Cells, KeyedTable, no_matches
from watchtui.ui.widgets.state import PaneState, fold, marker
from watchtui.viewmodel import signals, watching
from watchtui.viewmodel.watching import WatchTarget


@dataclass(frozen=True)
class _RowInfo:
    geography: str
    name: str
    region: Region | None = None
    provider: str | None = None
    probe: str | None = None


@dataclass
class _Geography:
    """A region row from the providers (if any) plus the user's probes in that geography."""

    geography: str
    name: str
    row: RegionRow | None = None
    probes: list[ProbeView] = field(default_factory=list)

    @property
    def provider_status(self) -> ComponentStatus | None:
        return None if self.row is None else self.row.status

    @property
    def rank(self) -> int:
        ranks = [signals.probe_rank(p) for p in self.probes]
        if self.row is not None:
            ranks.append(status_rank(self.row.status))
        return max(ranks, default=0)

    @property
    def open_incidents(self) -> int:
        return 0 if self.row is None else self.row.open_incidents


def geographies(state: PaneState) -> list[_Geography]:
    """Providers' region rows merged with the probes, worst first (as ``region_rows`` orders)."""
    overview = state.overview
    merged = {
        row.geography: _Geography(row.geography, row.name, row) for row in region_rows(overview)
    }
    by_geography: dict[str, list[ProbeView]] = defaultdict(list)
    for probe in overview.probes:
        geography = signals.probe_geography(probe)
        if geography is not None:
            by_geography[geography].append(probe)
    for geography, probes in by_geography.items():
        entry = merged.setdefault(
            geography,
            _Geography(
                geography, regions.geography_name(None if geography == "unmapped" else geography)
            ),
        )
        entry.probes = sorted(probes, key=lambda p: (-signals.probe_rank(p), p.id))
    return sorted(
        merged.values(),
        key=lambda g: (-g.rank, -g.open_incidents, g.geography == "unmapped", g.name),
    )


class RegionsPane(KeyedTable):
    FOLLOWS_TOP = True
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
        for geo in geographies(state):
            if state.only_watched and not self._watched(geo, state):
                continue
            if not self._matches(geo, state):
                continue
            key = f"g\x1f{geo.geography}"
            info[key] = _RowInfo(geo.geography, geo.name)
            children = self._children(geo, state)
            unfold = state.show_all_services or bool(state.needle) or state.only_watched
            shown = [c for c in children if unfold or c[3]]
            healthy = len(children) - len(shown)
            shown, folded = fold(shown, unfolded=unfold)
            rows.append((key, self._geography_cells(geo, state, healthy)))
            for child, child_info, cells, _ in shown:
                info[child] = child_info
                rows.append((child, cells))
            if folded:
                fkey = f"f\x1f{geo.geography}"
                info[fkey] = _RowInfo(geo.geography, geo.name)
                more = Text.assemble(
                    f"  +{len(folded)} more impaired locations", (" (a: show all)", "dim")
                )
                rows.append((fkey, (more, Text(""), Text(""))))
        if not rows and (state.needle or state.only_watched):
            rows.append(("none", no_matches(len(self.COLUMNS), ascii_only=state.ascii_only)))
        self._info = info
        self.sync(rows)

    def _children(
        self, geo: _Geography, state: PaneState
    ) -> list[tuple[str, _RowInfo, Cells, bool]]:
        """(key, info, cells, impaired): probes always count as impaired (the user's own)."""
        # (rank, probes before providers on a tie, name): worst first, your own signal first.
        ranked: list[tuple[tuple[int, int, str], str, _RowInfo, Cells, bool]] = []
        for probe in geo.probes:
            key = f"p\x1f{geo.geography}\x1f{probe.id}"
            row_info = _RowInfo(geo.geography, geo.name, probe.region, probe.provider, probe.id)
            ranked.append(
                (
                    (-signals.probe_rank(probe), 0, probe.id),
                    key,
                    row_info,
                    self._probe_cells(probe, state),
                    True,
                )
            )
        provider_regions = geo.row.provider_regions if geo.row is not None else ()
        for provider, region, status in provider_regions:
            key = f"r\x1f{geo.geography}\x1f{provider}\x1f{region.provider}\x1f{region.code}"
            row_info = _RowInfo(geo.geography, geo.name, region, provider)
            label = Text.assemble(
                f"  {marker('child', ascii_only=state.ascii_only)} ",
                self._watch_mark(watching.region_value(region) in state.overview.watched, state),
                (provider, ""),
                " ",
                (region.code, "dim"),
            )
            cells = (label, fmt.status_cell(status, ascii_only=state.ascii_only), Text(""))
            impaired = status != "operational"
            ranked.append(
                (
                    (-status_rank(status), 1, f"{provider} {region.name}"),
                    key,
                    row_info,
                    cells,
                    impaired,
                )
            )
        ranked.sort(key=lambda item: item[0])
        return [(key, row_info, cells, bad) for _, key, row_info, cells, bad in ranked]

    @staticmethod
    def _probe_cells(probe: ProbeView, state: PaneState) -> Cells:
        label = Text.assemble(
            f"  {marker('child', ascii_only=state.ascii_only)} ",
            ("probe ", "dim"),
            (probe.id, "bold" if probe.state == "down" else ""),
        )
        return label, fmt.probe_cell(probe.state, ascii_only=state.ascii_only), Text("")

    @staticmethod
    def _watched(geo: _Geography, state: PaneState) -> bool:
        watched = state.overview.watched
        if geo.row is not None and watching.region_row_watched(geo.row, watched, state.overview):
            return True
        return geo.geography in watched or any(
            signals.probe_watched(p, watched) for p in geo.probes
        )

    @staticmethod
    def _matches(geo: _Geography, state: PaneState) -> bool:
        fields: list[str | None] = [geo.name, geo.geography]
        if geo.row is not None:
            for provider, region, _ in geo.row.provider_regions:
                fields += [provider, region.code, region.name]
        for probe in geo.probes:
            fields += signals.probe_fields(probe)
        return state.matches(fields)

    def _geography_cells(self, geo: _Geography, state: PaneState, healthy: int) -> Cells:
        selected = state.geography == geo.geography
        prefix = f"{marker('selected', ascii_only=state.ascii_only)} " if selected else ""
        label = Text.assemble(
            prefix,
            self._watch_mark(geo.geography in state.overview.watched, state),
            (geo.name, "bold"),
            (f"  {healthy} ok" if healthy else "", "dim"),
        )
        count = Text(str(geo.open_incidents) if geo.open_incidents else "", style="bold")
        return label, self._geography_status(geo, state), count

    @staticmethod
    def _geography_status(geo: _Geography, state: PaneState) -> Text:
        ascii_only = state.ascii_only
        provider_status = geo.provider_status
        probe_down = any(p.state == "down" for p in geo.probes)
        if provider_status == "major_outage" or (provider_status is not None and not probe_down):
            return fmt.status_cell(provider_status, ascii_only=ascii_only)
        if probe_down:
            return fmt.probe_cell("down", ascii_only=ascii_only, subject="probe")
        worst = "unknown" if all(p.state == "unknown" for p in geo.probes) else "up"
        return fmt.probe_cell(worst, ascii_only=ascii_only, subject="probe")

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
        if info.region is not None and info.probe is None:
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
        if info is None:
            return
        if info.probe is not None:
            self.post_message(OpenProbe(info.probe))
        else:
            self.post_message(ShowIncidents(info.name, geography=info.geography))
