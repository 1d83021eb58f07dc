"""What the screens show, computed from the store without Textual: plain frozen dataclasses.

The engine builds an ``Overview`` in a worker thread; widgets only render it.  Everything here is
pure, so the UI's logic (grouping by geography, worst-first ordering, watch filtering) is tested
without a terminal.  Imports only the domain and ``signals.findings``: the UI imports this module,
and must not pay for the store, the poller or httpx to do so.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from watchtui.domain import regions
from watchtui.domain.assessment import BLIND, Health, counts_as_open_incident, is_blind
from watchtui.domain.model import (
    ComponentStatus,
    Impact,
    Incident,
    IncidentUpdate,
    Region,
    impact_rank,
    status_rank,
    worst_status,
)
from watchtui.signals.findings import CorrelationHint, Disagreement, item_key

# The signals' findings are shown as they are: one type each, under the names screens know.
DisagreementView = Disagreement
HintView = CorrelationHint


@dataclass(frozen=True)
class SourceView:
    id: str
    name: str
    kind: str
    url: str
    interval: int
    health: Health
    last_success_at: datetime | None = None
    last_attempt_at: datetime | None = None
    last_error: str | None = None
    latency_ms: float | None = None
    not_modified_share: float | None = None
    enabled: bool = True
    # ``domain.assessment.source_impact``: unknown while watchtui cannot see the source.
    impact: Impact = "unknown"
    # What the source last said (its open incidents and components), however old.
    known_impact: Impact = "none"
    open_incidents: int = 0
    # What the newest parse left out (items with impossible times, …).
    note: str | None = None

    @property
    def blind(self) -> bool:
        return is_blind(self.health)


@dataclass(frozen=True)
class ComponentView:
    source_id: str
    provider: str
    id: str
    name: str
    group: str | None
    status: ComponentStatus
    regions: tuple[Region, ...]
    updated_at: datetime | None
    only_show_if_degraded: bool = False

    @property
    def key(self) -> str:
        return item_key(self.source_id, self.id)


@dataclass(frozen=True)
class IncidentView:
    source_id: str
    provider: str
    incident: Incident
    is_maintenance: bool = False
    resolution_inferred: bool = False
    regions: tuple[Region, ...] = ()

    @property
    def key(self) -> str:
        return item_key(self.source_id, self.incident.id)

    @property
    def counts_as_open(self) -> bool:
        """Whether every count of open incidents counts it (a maintenance under way is not one:
        ``domain.assessment.counts_as_open_incident``)."""
        return counts_as_open_incident(self.incident, is_maintenance=self.is_maintenance)


def count_open(views: Iterable[IncidentView]) -> int:
    """Open incidents among ``views``, as the header, the panes, kiosk and ``status`` count them."""
    return sum(1 for view in views if view.counts_as_open)


@dataclass(frozen=True)
class StreamItem:
    """One incident update in the cross-source stream."""

    source_id: str
    provider: str
    incident_id: str
    incident_title: str
    impact: Impact
    is_open: bool
    update: IncidentUpdate
    regions: tuple[Region, ...] = ()
    components: tuple[str, ...] = ()
    # An open incident whose source has published no update yet: ``update`` is a stand-in at
    # the incident's start, with no text.
    placeholder: bool = False

    @property
    def key(self) -> str:
        return item_key(self.incident_key, self.update.id)

    @property
    def incident_key(self) -> str:
        return item_key(self.source_id, self.incident_id)

    @property
    def first_line(self) -> str:
        if self.placeholder:
            return "no updates published yet"
        return self.update.text.split("\n", 1)[0]


@dataclass(frozen=True)
class RegionRow:
    geography: str  # canonical geography, or "unmapped"
    name: str
    status: ComponentStatus
    open_incidents: int
    provider_regions: tuple[tuple[str, Region, ComponentStatus], ...]  # (provider, region, worst)

    @property
    def key(self) -> str:
        return self.geography


@dataclass(frozen=True)
class ProbeView:
    """One of the user's own probes, with its verdict and recent latencies (oldest first)."""

    id: str
    label: str
    type: str
    target: str
    state: Literal["up", "down", "unknown"]
    since: datetime | None
    provider: str | None = None  # source id it depends on
    provider_name: str | None = None
    service: str | None = None
    region: Region | None = None
    last_error: str | None = None
    latency_ms: float | None = None
    latencies: tuple[float | None, ...] = ()

    @property
    def key(self) -> str:
        return f"probe:{self.id}"


@dataclass(frozen=True)
class Overview:
    """Everything on the board at one moment of the store.  ``generated_at``: when the store was
    read; an engine hands out the same object again while nothing it shows has changed."""

    generated_at: datetime
    sources: tuple[SourceView, ...] = ()
    components: tuple[ComponentView, ...] = ()
    open_incidents: tuple[IncidentView, ...] = ()
    stream: tuple[StreamItem, ...] = ()
    watched: frozenset[str] = field(default_factory=frozenset)
    probes: tuple[ProbeView, ...] = ()
    disagreements: tuple[DisagreementView, ...] = ()
    hints: tuple[HintView, ...] = ()

    @property
    def open_count(self) -> int:
        return count_open(self.open_incidents)

    @property
    def nothing_read_yet(self) -> bool:
        """Sources are enabled and not one has ever been read: the board knows nothing yet (it
        says "no data yet" rather than all clear, or than a list of waiting sources)."""
        enabled = [s for s in self.sources if s.enabled]
        return bool(enabled) and all(s.last_success_at is None for s in enabled)

    @property
    def unhealthy_sources(self) -> tuple[SourceView, ...]:
        """Sources watchtui cannot see now (never read, stale, failing or drifted)."""
        return tuple(s for s in self.sources if s.health in BLIND)


def region_rows(overview: Overview) -> list[RegionRow]:
    """Canonical geographies, worst first, each with its provider regions and open incidents."""
    members: dict[str, dict[tuple[str, str], tuple[Region, ComponentStatus]]] = defaultdict(dict)
    incidents: dict[str, set[str]] = defaultdict(set)
    for component in overview.components:
        for region in component.regions:
            geo = region.geography or "unmapped"
            slot = (component.provider, region.code)
            previous = members[geo].get(slot)
            status = (
                component.status
                if previous is None
                else worst_status([previous[1], component.status])
            )
            members[geo][slot] = (region, status)
    for view in overview.open_incidents:
        counted = view.counts_as_open
        for region in view.regions:
            geo = region.geography or "unmapped"
            if counted:
                incidents[geo].add(view.key)
            slot = (view.provider, region.code)
            implied = _status_for_impact(view.incident.impact)
            previous = members[geo].get(slot)
            if previous is None:
                members[geo][slot] = (region, implied)
            elif counted:
                # A region never reads calmer than an open incident placed in it, even while
                # the provider's components there still say operational (as the header does).
                members[geo][slot] = (previous[0], worst_status([previous[1], implied]))
    rows = []
    for geo, slots in members.items():
        provider_regions = tuple(
            sorted(
                ((provider, region, status) for (provider, _), (region, status) in slots.items()),
                key=lambda item: (-status_rank(item[2]), item[0], item[1].name),
            )
        )
        rows.append(
            RegionRow(
                geography=geo,
                name=regions.geography_name(None if geo == "unmapped" else geo),
                status=worst_status([status for _, _, status in provider_regions]),
                open_incidents=len(incidents.get(geo, ())),
                provider_regions=provider_regions,
            )
        )
    rows.sort(
        key=lambda r: (-status_rank(r.status), -r.open_incidents, r.geography == "unmapped", r.name)
    )
    return rows


# The inverse of ``domain.model.impact_for_status``, for a region only an incident names.
_STATUS_FOR_IMPACT: dict[Impact, ComponentStatus] = {
    "none": "operational",
    "maintenance": "maintenance",
    "unknown": "unknown",
    "minor": "degraded",
    "major": "partial_outage",
    "critical": "major_outage",
}


def _status_for_impact(impact: Impact) -> ComponentStatus:
    return _STATUS_FOR_IMPACT[impact]


def components_in(
    overview: Overview, geography: str | None = None, *, hide_quiet: bool = True
) -> list[ComponentView]:
    """Services pane rows: worst first, grouped by provider then group, narrowed to a geography.

    ``only_show_if_degraded`` components are hidden while operational, as their page hides them.
    """
    chosen: Iterable[ComponentView] = overview.components
    if geography is not None:
        chosen = (
            c for c in chosen if any((r.geography or "unmapped") == geography for r in c.regions)
        )
    if hide_quiet:
        chosen = (c for c in chosen if not (c.only_show_if_degraded and c.status == "operational"))
    return sorted(
        chosen,
        key=lambda c: (-status_rank(c.status), c.provider, c.group or "", c.name),
    )


def stream_in(overview: Overview, geography: str | None = None) -> list[StreamItem]:
    items: Iterable[StreamItem] = overview.stream
    if geography is not None:
        items = (
            i for i in items if any((r.geography or "unmapped") == geography for r in i.regions)
        )
    return sorted(items, key=lambda i: (i.update.at, impact_rank(i.impact)), reverse=True)


def open_first(views: Iterable[IncidentView]) -> list[IncidentView]:
    """Open incidents first, then newest first: how incident lists are ordered."""
    return sorted(views, key=lambda v: (v.incident.is_open, v.incident.started_at), reverse=True)
