"""Services pane: each provider's components, providers worst first, components worst first.

Operational components are folded into their provider's row ("12 ok") unless ``a`` shows them
all, a text filter is typed, or they are watched: the pane stays calm with hundreds of services.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import DataTable

from watchtui.model import ComponentStatus, status_rank, worst_status
from watchtui.ui import format as fmt
from watchtui.ui import watching
from watchtui.ui.messages import ShowIncidents
from watchtui.ui.watching import WatchTarget
from watchtui.ui.widgets.keyed_table import Cells, KeyedTable
from watchtui.ui.widgets.state import PaneState, marker
from watchtui.view import ComponentView, components_in


@dataclass(frozen=True)
class _RowInfo:
    source_id: str
    provider: str
    component: str | None = None


@dataclass
class _Group:
    source_id: str
    provider: str
    components: list[ComponentView]

    @property
    def status(self) -> ComponentStatus:
        return worst_status([c.status for c in self.components])


class ServicesPane(KeyedTable):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "toggle_all", "All services", show=False, id="all_services"),
    ]

    class ShowAllToggled(Message):
        """``a`` flips between troubled-only and all services (the screen owns that state)."""

    FLEX_COLUMN = "name"
    COLUMNS = (("Service", "name"), ("Status", "status"), ("Where", "where"))

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
            key = f"p\x1f{group.source_id}"
            info[key] = _RowInfo(group.source_id, group.provider)
            rows.append((key, self._provider_cells(group, hidden, state)))
            for component in shown:
                ckey = f"c\x1f{component.key}"
                info[ckey] = _RowInfo(group.source_id, group.provider, component.name)
                rows.append((ckey, self._component_cells(component, state)))
        self._info = info
        self.sync(rows)

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
        open_counts: dict[str, int] = defaultdict(int)
        for view in overview.open_incidents:
            open_counts[view.source_id] += 1
        groups = [_Group(sid, comps[0].provider, comps) for sid, comps in by_source.items()]
        groups.sort(
            key=lambda g: (-status_rank(g.status), -open_counts[g.source_id], g.provider.casefold())
        )
        return groups

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
        label = Text.assemble(self._watch_mark(watched, state), (group.provider, "bold"))
        summary = Text(f"{hidden} ok" if hidden else "", style="dim")
        return label, fmt.status_cell(group.status, ascii_only=state.ascii_only), summary

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
        if info is None:
            return None
        if info.component is None:
            return WatchTarget("provider", info.source_id, info.provider)
        value = watching.component_value(info.source_id, info.component)
        return WatchTarget("component", value, f"{info.provider} {info.component}")

    def action_toggle_all(self) -> None:
        self.post_message(self.ShowAllToggled())

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        info = self.current()
        if info is None:
            return
        if info.component is None:
            self.post_message(ShowIncidents(info.provider, source_id=info.source_id))
        else:
            self.post_message(
                ShowIncidents(
                    f"{info.provider} · {info.component}",
                    source_id=info.source_id,
                    component=info.component,
                )
            )
