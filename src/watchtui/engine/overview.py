"""What the screens show, computed from the store without Textual: plain frozen dataclasses.

The engine builds an ``Overview`` in a worker thread; widgets only render it.  Everything here is
pure, so the UI's logic (grouping by geography, worst-first ordering, watch filtering) is tested
without a terminal.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from watchtui.domain import regions
from watchtui.domain.assessment import BLIND, Health, is_blind
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

# The region taxonomy each kind speaks; Statuspage colo codes are IATA-style like Cloudflare's.
_TAXONOMY = {"aws": "aws", "aws-rss": "aws", "gcp": "gcp", "azure": "azure"}
_FALLBACK_TAXONOMIES = ("cloudflare", "aws", "gcp", "azure")


def resolve_region(kind: str, raw: str) -> Region:
    first = _TAXONOMY.get(kind)
    for provider in (first, *_FALLBACK_TAXONOMIES) if first else _FALLBACK_TAXONOMIES:
        if provider is None:
            continue
        found = regions.lookup(provider, raw)
        if found is not None:
            return found
    return Region(provider=first or kind, code=raw, name=raw)


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
        return f"{self.source_id}\x1f{self.id}"


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
        return f"{self.source_id}\x1f{self.incident.id}"


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
        return f"{self.source_id}\x1f{self.incident_id}\x1f{self.update.id}"

    @property
    def incident_key(self) -> str:
        return f"{self.source_id}\x1f{self.incident_id}"

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
class DisagreementView:
    """A probe and its provider tell different stories: the headline of the stream."""

    key: str
    probe_id: str
    provider: str
    kind: str  # probe_down_provider_ok | provider_outage_probe_up
    since: datetime
    message: str
    region: Region | None = None


@dataclass(frozen=True)
class HintView:
    """Several providers (or probes) in trouble in one geography at about the same time."""

    key: str
    geography: str
    text: str
    started_at: datetime
    providers: tuple[str, ...]
    incident_keys: tuple[str, ...] = ()


_BLIND_WORDS: tuple[tuple[Health, str], ...] = (
    ("failing", "failing"),
    ("stale", "stale"),
    ("drifted", "drifted"),
    ("never", "not read yet"),
)


@dataclass(frozen=True)
class Overview:
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
    def unhealthy_sources(self) -> tuple[SourceView, ...]:
        """Sources watchtui cannot see now (never read, stale, failing or drifted)."""
        return tuple(s for s in self.sources if s.health in BLIND)

    def headline(self) -> str:
        """'1 disagreement · 3 open incidents · 1 source stale' — the line an operator reads
        first; a disagreement between a probe and its provider leads."""
        parts = []
        if self.disagreements:
            n = len(self.disagreements)
            parts.append(f"{n} disagreement{'s' if n != 1 else ''}")
        incidents = [i for i in self.open_incidents if not i.is_maintenance]
        count = len(incidents)
        enabled = [s for s in self.sources if s.enabled]
        not_read_yet = bool(enabled) and all(s.last_success_at is None for s in enabled)
        if count:
            parts.append(f"{count} open incident{'s' if count != 1 else ''}")
        elif not_read_yet:
            # Blind, not quiet: nothing has ever been read, so "no incidents" would be a lie.
            parts.append("No data yet")
        elif self.unhealthy_sources:
            parts.append("No known open incidents")
        else:
            parts.append("No open incidents")
        down = sum(1 for p in self.probes if p.state == "down")
        if down:
            parts.append(f"{down} probe{'s' if down != 1 else ''} down")
        by_health: dict[str, int] = defaultdict(int)
        for source in self.unhealthy_sources:
            by_health[source.health] += 1
        for health, words in _BLIND_WORDS:
            if by_health[health] and not (health == "never" and not_read_yet):
                n = by_health[health]
                parts.append(f"{n} source{'s' if n != 1 else ''} {words}")
        return " · ".join(parts)


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
        for region in view.regions:
            geo = region.geography or "unmapped"
            incidents[geo].add(view.key)
            slot = (view.provider, region.code)
            if slot not in members[geo]:
                members[geo][slot] = (region, _status_for_impact(view.incident.impact))
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


_STATUS_FOR_IMPACT: dict[Impact, ComponentStatus] = {
    "none": "operational",
    "maintenance": "maintenance",
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
