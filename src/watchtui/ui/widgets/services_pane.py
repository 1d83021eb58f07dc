"""Services pane: each provider's components, providers worst first, components worst first.

Operational components are folded into their provider's row ("12 ok") unless ``a`` shows them
all, a text filter is typed, or they are watched: the pane stays calm with hundreds of services.
A provider with many impaired components (Cloudflare's edge locations in a regional event) shows
its worst few and one row counting the rest, so it cannot push every other provider below the
fold; ``a`` unfolds it.

The user's probes sit right under the provider they depend on, never folded: the provider's row
keeps the provider's own claim, so "● ok" above "probe api-eu ✖ DOWN 6m" shows the disagreement.
Probes tied to no provider gather under "Your probes".
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import ClassVar

from rich.text import Text
from textual.widgets import DataTable

from watchtui.domain.model import impact_rank, status_rank
from watchtui.engine.overview import ComponentView, ProbeView, SourceView, components_in
from watchtui.ui import format as fmt
from watchtui.ui.messages import OpenProbe, ShowIncidents
from watchtui.ui.widgets.keyed_table import Cells, KeyedTable, no_matches
from watchtui.ui.widgets.state import PaneState, fold, marker
from watchtui.viewmodel import severity, signals, watching
from watchtui.viewmodel.watching import WatchTarget

# The group of probes that depend on no configured provider.
UNLINKED = ""
UNLINKED_NAME = "Your probes"


@dataclass(frozen=True)
class _RowInfo:
    source_id: str
    provider: str
    component: str | None = None
    probe: str | None = None


@dataclass
class _Group:
    source_id: str
    provider: str
    components: list[ComponentView]
    probes: list[ProbeView] = field(default_factory=list)
    # The provider's own judgement (``domain.assessment.source_impact``); None for the group of
    # probes tied to no provider.
    source: SourceView | None = None

    @property
    def rank(self) -> int:
        ranks = [signals.probe_rank(p) for p in self.probes]
        ranks += [status_rank(c.status) for c in self.components]
        if self.source is not None:
            # Impacts and component statuses share one order (see domain.model).
            ranks.append(impact_rank(self.source.impact))
        return max(ranks, default=0)


class ServicesPane(KeyedTable):
    FOLLOWS_TOP = True
    FLEX_COLUMN = "name"
    COLUMNS = (("Service", "name"), ("Status", "status"), ("Where", "where"))
    MAX_WIDTHS: ClassVar[dict[str, int]] = {"where": 18}

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._info: dict[str, _RowInfo] = {}

    def show(self, state: PaneState) -> None:
        self.ascii_only = state.ascii_only
        rows: list[tuple[str, Cells]] = []
        info: dict[str, _RowInfo] = {}
        for group in self._groups(state):
            shown = [c for c in group.components if self._expanded(c, group, state)]
            hidden = len(group.components) - len(shown)
            shown, folded = fold(shown, unfolded=state.show_all_services or bool(state.needle))
            key = f"p\x1f{group.source_id}"
            info[key] = _RowInfo(group.source_id, group.provider)
            rows.append((key, self._provider_cells(group, hidden, state)))
            for probe in group.probes:
                pkey = f"probe\x1f{probe.id}"
                info[pkey] = _RowInfo(group.source_id, group.provider, probe=probe.id)
                rows.append((pkey, self._probe_cells(probe, state)))
            for component in shown:
                ckey = f"c\x1f{component.key}"
                info[ckey] = _RowInfo(group.source_id, group.provider, component.name)
                rows.append((ckey, self._component_cells(component, state)))
            if folded:
                fkey = f"f\x1f{group.source_id}"
                info[fkey] = _RowInfo(group.source_id, group.provider)
                rows.append((fkey, self._folded_cells(folded, state)))
        if not rows and (state.needle or state.only_watched or state.geography):
            rows.append(("none", no_matches(len(self.COLUMNS), ascii_only=state.ascii_only)))
        self._info = info
        self.sync(rows)

    @staticmethod
    def _folded_cells(folded: list[ComponentView], state: PaneState) -> Cells:
        """'+52 more impaired: 31 MAJOR · 20 maint · 1 CRITICAL (a: show all)'."""
        counts = Counter(severity.level_of_status(c.status) for c in folded)
        words = [
            f"{counts[level]} {severity.LOOKS[level].word}"
            for level in reversed(severity.LEVELS)
            if counts[level]
        ]
        sep = severity.separator(ascii_only=state.ascii_only)
        label = Text.assemble(
            f"  +{len(folded)} more impaired: ", (sep.join(words), ""), (" (a: show all)", "dim")
        )
        worst = severity.worst([severity.level_of_status(c.status) for c in folded])
        return label, fmt.level_cell(worst, ascii_only=state.ascii_only), Text("")

    def _groups(self, state: PaneState) -> list[_Group]:
        overview = state.overview
        by_source: dict[str, list[ComponentView]] = defaultdict(list)
        for component in components_in(overview, state.geography):
            if state.only_watched and not watching.component_watched(component, overview.watched):
                continue
            if not state.matches(
                [component.provider, component.name, component.group]
                + [r.code for r in component.regions]
                + [r.name for r in component.regions]
            ):
                continue
            by_source[component.source_id].append(component)
        sources = {s.id: s for s in overview.sources}
        groups = {
            sid: _Group(sid, comps[0].provider, comps, source=sources.get(sid))
            for sid, comps in by_source.items()
        }
        for source in self._sources_without_components(state, set(groups)):
            groups[source.id] = _Group(source.id, source.name, [], source=source)
        for probe in self._probes(state):
            source_id = probe.provider or UNLINKED
            if source_id not in groups:
                name = (
                    signals.provider_name(overview, source_id) if probe.provider else UNLINKED_NAME
                )
                groups[source_id] = _Group(source_id, name, [], source=sources.get(source_id))
            groups[source_id].probes.append(probe)
        open_counts: dict[str, int] = defaultdict(int)
        for view in overview.open_incidents:
            open_counts[view.source_id] += 1
        return sorted(
            groups.values(),
            key=lambda g: (
                -g.rank,
                -open_counts[g.source_id],
                g.source_id == UNLINKED,
                g.provider.casefold(),
            ),
        )

    @staticmethod
    def _sources_without_components(state: PaneState, shown: set[str]) -> list[SourceView]:
        """Providers with something to say but no component in view: an open incident (named
        components or not, updates or not), or blindness.  Either must be on the board."""
        overview = state.overview
        in_scope = {
            v.source_id
            for v in overview.open_incidents
            if state.geography is None
            or any((r.geography or "unmapped") == state.geography for r in v.regions)
        }
        chosen = []
        for source in overview.sources:
            if source.id in shown or not source.enabled:
                continue
            if source.id not in in_scope and not (source.blind and state.geography is None):
                continue
            if state.only_watched and source.id not in overview.watched:
                continue
            if not state.matches([source.name, source.id]):
                continue
            chosen.append(source)
        return chosen

    @staticmethod
    def _probes(state: PaneState) -> list[ProbeView]:
        overview = state.overview
        chosen = []
        for probe in overview.probes:
            if state.geography is not None and signals.probe_geography(probe) != state.geography:
                continue
            if state.only_watched and not signals.probe_watched(probe, overview.watched):
                continue
            if not state.matches(signals.probe_fields(probe)):
                continue
            chosen.append(probe)
        return sorted(chosen, key=lambda p: (-signals.probe_rank(p), p.id))

    @staticmethod
    def _expanded(component: ComponentView, group: _Group, state: PaneState) -> bool:
        return (
            component.status != "operational"
            or state.show_all_services
            or bool(state.needle)
            or state.only_watched
            or watching.component_value(component.source_id, component.name)
            in state.overview.watched
        )

    @staticmethod
    def _watch_mark(watched: bool, state: PaneState) -> str:
        return f"{marker('watched', ascii_only=state.ascii_only)} " if watched else ""

    def _provider_cells(self, group: _Group, hidden: int, state: PaneState) -> Cells:
        watched = group.source_id in state.overview.watched
        source = group.source
        notes = []
        if source is not None and source.open_incidents:
            notes.append(f"{source.open_incidents} open")
        if source is not None and source.blind:
            notes.append(f"{source.health}, last read {fmt.age(source.last_success_at, state.now)}")
        if hidden:
            notes.append(f"{hidden} ok")
        sep = severity.separator(ascii_only=state.ascii_only)
        # The counts follow the name in the wide column, so the name is never the part cut.
        label = Text.assemble(
            self._watch_mark(watched, state),
            (group.provider, "bold"),
            ("  " + sep.join(notes) if notes else "", "dim"),
        )
        # A provider known only through a probe says nothing itself.
        status = (
            fmt.impact_cell(source.impact, ascii_only=state.ascii_only)
            if source is not None
            else Text("")
        )
        return label, status, Text("")

    @staticmethod
    def _probe_cells(probe: ProbeView, state: PaneState) -> Cells:
        label = Text.assemble(
            "  ", ("probe ", "dim"), (probe.id, "bold" if probe.state == "down" else "")
        )
        status = fmt.probe_cell(probe.state, ascii_only=state.ascii_only)
        if probe.since is not None and probe.state != "unknown":
            status.append(f" {fmt.age(probe.since, state.now)}", style="dim")
        return label, status, Text(signals.where(probe) or (probe.service or ""), style="dim")

    def _component_cells(self, component: ComponentView, state: PaneState) -> Cells:
        watched = (
            watching.component_value(component.source_id, component.name) in state.overview.watched
        )
        label = Text.assemble("  ", self._watch_mark(watched, state), component.name)
        where = ", ".join(r.code for r in component.regions) or (component.group or "")
        return (
            label,
            fmt.status_cell(component.status, ascii_only=state.ascii_only),
            Text(where, style="dim"),
        )

    def current(self) -> _RowInfo | None:
        key = self.cursor_key
        return None if key is None else self._info.get(key)

    def watch_target(self) -> WatchTarget | None:
        info = self.current()
        if info is None or info.source_id == UNLINKED:
            return None
        if info.component is None:
            return WatchTarget("provider", info.source_id, info.provider)
        value = watching.component_value(info.source_id, info.component)
        return WatchTarget("component", value, f"{info.provider} {info.component}")

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        info = self.current()
        if info is None:
            return
        if info.probe is not None:
            self.post_message(OpenProbe(info.probe))
        elif info.source_id == UNLINKED:
            return
        elif info.component is None:
            self.post_message(ShowIncidents(info.provider, source_id=info.source_id))
        else:
            self.post_message(
                ShowIncidents(
                    f"{info.provider} · {info.component}",
                    source_id=info.source_id,
                    component=info.component,
                )
            )
