"""Providers against each other: incidents from different providers (and the user's DOWN probes)
that touch the same canonical geography and started within a short window are a *possible*
common cause, worded as a hint, never as a claim.  Pure functions over what the caller loads from
the store.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from watchtui.domain import assessment, regions
from watchtui.domain.events import ChangeEvent
from watchtui.domain.text import clean_line
from watchtui.probes import ProbeSpec, ProbeState
from watchtui.signals.findings import CorrelationHint, item_key
from watchtui.signals.scope import probe_scope, provider_kind, provider_name, resolve_region
from watchtui.store import StoredIncident, probe_lease_key

__all__ = ["DEFAULT_WINDOW", "correlate", "correlation_events"]

DEFAULT_WINDOW = timedelta(minutes=30)


@dataclass(frozen=True)
class _Signal:
    geography: str
    participant: str  # source id, or probe:<id>
    name: str
    started_at: datetime
    incident_key: str | None


def _incident_signals(
    incidents: Iterable[StoredIncident],
    source_kinds: Mapping[str, str],
    names: Mapping[str, str] | None,
) -> list[_Signal]:
    signals: list[_Signal] = []
    for stored in incidents:
        incident = stored.incident
        if not assessment.counts_as_open_incident(incident, is_maintenance=stored.is_maintenance):
            continue
        kind = provider_kind(stored.source_id, source_kinds)
        geographies = {resolve_region(kind, raw).geography for raw in incident.regions}
        name = provider_name(stored.source_id, names)
        key = item_key(stored.source_id, incident.id)
        for geography in sorted(g for g in geographies if g):
            signals.append(_Signal(geography, stored.source_id, name, incident.started_at, key))
    return signals


def _probe_signals(
    probes: Iterable[tuple[ProbeSpec, ProbeState]], source_kinds: Mapping[str, str]
) -> list[_Signal]:
    signals: list[_Signal] = []
    for spec, state in probes:
        if state.state != "down" or state.since is None:
            continue
        scope = probe_scope(spec, provider_kind(spec.provider, source_kinds))
        if scope is not None and scope.geography is not None:
            participant = probe_lease_key(spec.id)
            signals.append(_Signal(scope.geography, participant, spec.id, state.since, None))
    return signals


def correlate(
    open_incidents: Sequence[StoredIncident],
    down_probes: Sequence[tuple[ProbeSpec, ProbeState]] = (),
    window: timedelta = DEFAULT_WINDOW,
    *,
    source_kinds: Mapping[str, str] | None = None,
    names: Mapping[str, str] | None = None,
) -> list[CorrelationHint]:
    """Group open incidents (``assessment.counts_as_open_incident``; regions resolved for their
    source's kind, ``source_kinds``: source id -> kind, else the catalog's) and DOWN probes by
    canonical geography; within a geography, signals starting within ``window`` of a group's
    first start form one group.  A group becomes a hint when it involves at least two
    participants (providers or probes).  Unmapped regions are ignored.  ``names``: display names
    by source id (default: the catalog's).  Newest hint first."""
    kinds = source_kinds or {}
    signals = _incident_signals(open_incidents, kinds, names) + _probe_signals(down_probes, kinds)
    by_geography: dict[str, list[_Signal]] = {}
    for signal in signals:
        by_geography.setdefault(signal.geography, []).append(signal)
    hints: list[CorrelationHint] = []
    for geography, members in by_geography.items():
        members.sort(key=lambda s: (s.started_at, s.participant))
        for group in _windows(members, window):
            if len({s.participant for s in group}) >= 2:
                hints.append(_hint(geography, group))
    hints.sort(key=lambda h: (h.started_at, h.geography), reverse=True)
    return hints


def _windows(members: list[_Signal], window: timedelta) -> list[list[_Signal]]:
    # Anchored at each group's first start, so a slow trickle of unrelated incidents cannot chain
    # into one ever-growing group.
    groups: list[list[_Signal]] = []
    for signal in members:
        if groups and signal.started_at - groups[-1][0].started_at <= window:
            groups[-1].append(signal)
        else:
            groups.append([signal])
    return groups


def _hint(geography: str, group: list[_Signal]) -> CorrelationHint:
    providers: dict[str, str] = {}
    probes: list[str] = []
    for signal in group:
        if signal.incident_key is None:
            if signal.name not in probes:
                probes.append(signal.name)
        else:
            providers.setdefault(signal.participant, signal.name)
    started = group[0].started_at
    latest = max(s.started_at for s in group)
    return CorrelationHint(
        geography=geography,
        source_ids=tuple(providers),
        providers=tuple(providers.values()),
        probe_ids=tuple(probes),
        started_at=started,
        latest_start=latest,
        incident_keys=tuple(s.incident_key for s in group if s.incident_key is not None),
        text=_hint_text(geography, list(providers.values()), probes, started, latest),
    )


def _hint_text(
    geography: str, names: list[str], probes: list[str], started: datetime, latest: datetime
) -> str:
    who: list[str] = []
    if names:
        who.append(f"{len(names)} provider{'s' if len(names) != 1 else ''}")
    if len(probes) == 1:
        who.append(f"your probe {probes[0]}")
    elif probes:
        who.append(f"{len(probes)} of your probes")
    fmt = "%H:%M" if started.date() == latest.date() else "%Y-%m-%d %H:%M"
    listed = ", ".join(names + [f"probe {p}" for p in probes])
    text = (
        f"{' and '.join(who)} reporting problems in {geography} "
        f"({regions.geography_name(geography)}) since {started.strftime(fmt)} UTC: {listed}. "
        "Possible common cause, not confirmed."
    )
    return clean_line(text, 400)


def _participants(hint: CorrelationHint) -> frozenset[str]:
    return frozenset(hint.source_ids) | {probe_lease_key(p) for p in hint.probe_ids}


def correlation_events(
    previous: Iterable[CorrelationHint], current: Iterable[CorrelationHint]
) -> list[ChangeEvent]:
    """A ``correlation`` event for each new hint, and again when a hint gains participants."""
    before = {h.key: h for h in previous}
    events: list[ChangeEvent] = []
    for hint in current:
        old = before.get(hint.key)
        if old is not None and _participants(hint) <= _participants(old):
            continue
        events.append(
            ChangeEvent(
                kind="correlation",
                source_id=f"correlation:{hint.geography}",
                at=hint.latest_start,
                title=hint.text,
                impact="minor",
                detail=", ".join(hint.incident_keys).replace("\x1f", "/"),
            )
        )
    return events
