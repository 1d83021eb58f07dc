"""Independent signals compared: the user's probes against providers' claims, and providers
against each other.  Pure functions over data the caller loads from the store.

* ``disagreements``: a probe tied to a provider is DOWN while that provider reports the probe's
  scope (region / service) operational, or the provider reports an outage there while the probe
  is UP.  Both are worth an operator's attention: the first means "it's probably you (or the
  provider has not noticed yet)", the second "the outage may not reach you".
* ``correlate``: incidents from different providers (and down probes) that touch the same
  canonical geography and started within a short window: a *possible* common cause, worded as a
  hint, never as a claim.

Matching is deliberately asymmetric.  To say "the provider reports operational" every signal
that could explain the probe's failure counts against it (an open incident that names no region
may be anywhere); to say "the provider reports an outage there" the provider must name the
probe's region / service explicitly.  Both directions therefore err towards silence.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from watchtui import catalog
from watchtui.domain import regions
from watchtui.domain.events import ChangeEvent
from watchtui.domain.model import ComponentStatus, Impact, Incident, Maintenance, Region
from watchtui.domain.text import clean_line, fold
from watchtui.engine.overview import IncidentView, resolve_region
from watchtui.probes import ProbeSpec, ProbeState, format_duration, probe_label
from watchtui.store import StoredComponent, StoredIncident, probe_lease_key

__all__ = [
    "DEFAULT_WINDOW",
    "CorrelationHint",
    "Disagreement",
    "DisagreementKind",
    "ProbeScope",
    "correlate",
    "correlation_events",
    "disagreement_events",
    "disagreements",
    "probe_scope",
]

DisagreementKind = Literal["probe_down_provider_ok", "provider_outage_probe_up"]
DEFAULT_WINDOW = timedelta(minutes=30)
# A probe state this many intervals old is not evidence of anything (the runner stopped).
STALE_PROBE_INTERVALS = 3

_OUTAGE_IMPACTS_SCOPED: frozenset[Impact] = frozenset({"major", "critical"})
_OUTAGE_STATUSES_SCOPED: frozenset[ComponentStatus] = frozenset({"partial_outage", "major_outage"})
# A probe without region or service speaks for the whole provider: only a provider-wide scale
# outage contradicts it (a major incident in one AWS product says little about a generic probe).
_OUTAGE_IMPACTS_UNSCOPED: frozenset[Impact] = frozenset({"critical"})
_OUTAGE_STATUSES_UNSCOPED: frozenset[ComponentStatus] = frozenset({"major_outage"})


# ---------------------------------------------------------------------------------------------
# Probe scope: which provider regions a probe's ``region`` means


@dataclass(frozen=True)
class ProbeScope:
    """A probe's region, resolved.  ``geography`` alone (``by_geography``) when the probe named a
    canonical geography; else the provider region (``region``), matched by code."""

    raw: str
    label: str
    by_geography: bool
    geography: str | None
    region: Region | None

    def matches(self, kind: str, raw_region: str) -> bool:
        found = resolve_region(kind, raw_region)
        if self.by_geography:
            return found.geography is not None and found.geography == self.geography
        if self.region is not None and self.region.geography is not None:
            return (found.provider, found.code.casefold()) == (
                self.region.provider,
                self.region.code.casefold(),
            )
        # An unknown region on both sides: the same words name the same place.
        return fold(" ".join(raw_region.split())) == fold(" ".join(self.raw.split()))


def probe_scope(spec: ProbeSpec, kind: str) -> ProbeScope | None:
    """None when the probe names no region.  ``kind``: the provider's source kind (its region
    taxonomy: azure, aws, gcp, …)."""
    if spec.region is None:
        return None
    raw = spec.region.strip()
    if raw.casefold() in regions.GEOGRAPHIES:
        geography = raw.casefold()
        return ProbeScope(raw, regions.geography_name(geography), True, geography, None)
    region = resolve_region(kind, raw)
    return ProbeScope(raw, region.name, False, region.geography, region)


def _probe_geography(spec: ProbeSpec, kind: str) -> str | None:
    scope = probe_scope(spec, kind)
    return None if scope is None else scope.geography


def _kind_of(provider: str | None, source_kinds: Mapping[str, str]) -> str:
    if provider is None:
        return ""
    if provider in source_kinds:
        return source_kinds[provider]
    entry = catalog.get(provider)
    return entry.kind if entry is not None else ""


def _provider_name(provider: str, names: Mapping[str, str] | None) -> str:
    if names and provider in names:
        return names[provider]
    entry = catalog.get(provider)
    return entry.name if entry is not None else provider


# ---------------------------------------------------------------------------------------------
# What touches a probe's scope


def _service_named(service: str, names: Iterable[str | None]) -> bool:
    wanted = fold(" ".join(service.split()))
    return any(name is not None and fold(" ".join(name.split())) == wanted for name in names)


def _incident_names_service(service: str, incident: Incident) -> bool:
    return _service_named(service, incident.components) or fold(service) in fold(incident.title)


def _incident_may_touch(
    spec: ProbeSpec, scope: ProbeScope | None, kind: str, incident: Incident
) -> bool:
    """Could this incident explain a failure in the probe's scope?  (Lenient: silence is cheap.)"""
    if (
        spec.service is not None
        and incident.components
        and not _incident_names_service(spec.service, incident)
    ):
        return False
    if scope is not None and incident.regions:
        return any(scope.matches(kind, r) for r in incident.regions)
    return True


def _incident_names_scope(
    spec: ProbeSpec, scope: ProbeScope | None, kind: str, incident: Incident
) -> bool:
    """Does this incident explicitly name the probe's region and service?  (Strict.)"""
    if spec.service is not None and not _incident_names_service(spec.service, incident):
        return False
    return scope is None or any(scope.matches(kind, r) for r in incident.regions)


def _component_may_touch(
    spec: ProbeSpec, scope: ProbeScope | None, kind: str, stored: StoredComponent
) -> bool:
    component = stored.component
    if spec.service is not None and not _service_named(
        spec.service, (component.name, component.group)
    ):
        return False
    if scope is not None and component.regions:
        return any(scope.matches(kind, r) for r in component.regions)
    return True


def _component_names_scope(
    spec: ProbeSpec, scope: ProbeScope | None, kind: str, stored: StoredComponent
) -> bool:
    component = stored.component
    if spec.service is not None and not _service_named(
        spec.service, (component.name, component.group)
    ):
        return False
    return scope is None or any(scope.matches(kind, r) for r in component.regions)


# ---------------------------------------------------------------------------------------------
# Disagreements


@dataclass(frozen=True)
class Disagreement:
    """A probe and its provider tell different stories.  ``message`` is the operator's line;
    ``evidence`` holds the provider-side keys (``source\\x1fincident`` / ``source\\x1fcomponent``)
    behind an outage claim."""

    probe_id: str
    provider: str
    kind: DisagreementKind
    since: datetime
    message: str
    detail: str = ""
    region: str | None = None
    service: str | None = None
    evidence: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return f"{self.probe_id}\x1f{self.kind}"


@dataclass(frozen=True)
class _Context:
    spec: ProbeSpec
    state: ProbeState
    provider: str
    kind: str
    scope: ProbeScope | None
    name: str
    components: tuple[StoredComponent, ...]
    incidents: tuple[StoredIncident, ...]
    now: datetime


def _fresh(spec: ProbeSpec, state: ProbeState, now: datetime) -> bool:
    if state.last_result_at is None or state.since is None:
        return False
    horizon = timedelta(seconds=STALE_PROBE_INTERVALS * spec.interval + spec.timeout)
    return now - state.last_result_at <= horizon


def disagreements(
    probe_specs: Sequence[ProbeSpec],
    probe_states: Mapping[str, ProbeState],
    components: Sequence[StoredComponent],
    open_incidents: Sequence[StoredIncident],
    source_kinds: Mapping[str, str],
    now: datetime,
    *,
    unhealthy: Collection[str] = (),
    names: Mapping[str, str] | None = None,
) -> list[Disagreement]:
    """Current disagreements, one per probe at most, in probe order.

    ``probe_specs`` should have gone through ``probes.link_provider``; probes without a provider,
    unknown or stale states, and providers that are not watched (absent from ``source_kinds``:
    source id -> kind) or whose data is not current (``unhealthy``: stale/failing/drifted
    source ids) are skipped: no data is not a claim.  ``names``: display names by source id
    (default: the catalog's).
    """
    found: list[Disagreement] = []
    for spec in probe_specs:
        state = probe_states.get(spec.id)
        provider = spec.provider
        if provider is None or state is None or state.state == "unknown":
            continue
        if provider not in source_kinds or provider in unhealthy or not _fresh(spec, state, now):
            continue
        kind = _kind_of(provider, source_kinds)
        context = _Context(
            spec=spec,
            state=state,
            provider=provider,
            kind=kind,
            scope=probe_scope(spec, kind),
            name=_provider_name(provider, names),
            components=tuple(c for c in components if c.source_id == provider),
            incidents=tuple(
                i for i in open_incidents if i.source_id == provider and i.incident.is_open
            ),
            now=now,
        )
        item = _probe_down_provider_ok(context) if state.state == "down" else _outage_up(context)
        if item is not None:
            found.append(item)
    return found


def _active(stored: StoredIncident, now: datetime) -> bool:
    """Open incidents are active; an open maintenance only once under way."""
    incident = stored.incident
    if not stored.is_maintenance:
        return True
    if incident.status == "in_progress":
        return True
    start = incident.started_at
    if isinstance(incident, Maintenance) and incident.scheduled_for is not None:
        start = incident.scheduled_for
    return start <= now


def _scope_words(context: _Context) -> str:
    """``Virtual Machines in West Europe`` / ``West Europe`` / ``Virtual Machines``."""
    service, scope = context.spec.service, context.scope
    if service and scope:
        return f"{service} in {scope.label}"
    return service or (scope.label if scope else "")


def _probe_down_provider_ok(context: _Context) -> Disagreement | None:
    spec, scope, kind = context.spec, context.scope, context.kind
    for stored in context.incidents:
        # Maintenance under way explains a failure as well as an incident does.
        if _active(stored, context.now) and _incident_may_touch(spec, scope, kind, stored.incident):
            return None
    for component in context.components:
        if component.component.status != "operational" and _component_may_touch(
            spec, scope, kind, component
        ):
            return None
    since = context.state.since
    assert since is not None
    what = _scope_words(context) or "all systems"
    message = (
        f"Your probe {probe_label(spec)} failing for {format_duration(context.now - since)}; "
        f"{context.name} reports {what} operational"
    )
    return Disagreement(
        probe_id=spec.id,
        provider=context.provider,
        kind="probe_down_provider_ok",
        since=since,
        message=message,
        detail=context.state.last_error or "",
        region=spec.region,
        service=spec.service,
    )


def _outage_up(context: _Context) -> Disagreement | None:
    spec, scope, kind = context.spec, context.scope, context.kind
    scoped = scope is not None or spec.service is not None
    impacts = _OUTAGE_IMPACTS_SCOPED if scoped else _OUTAGE_IMPACTS_UNSCOPED
    statuses = _OUTAGE_STATUSES_SCOPED if scoped else _OUTAGE_STATUSES_UNSCOPED
    starts: list[datetime] = []
    evidence: list[str] = []
    details: list[str] = []
    for stored in context.incidents:
        incident = stored.incident
        if stored.is_maintenance or incident.impact not in impacts:
            continue
        if _incident_names_scope(spec, scope, kind, incident):
            starts.append(incident.started_at)
            evidence.append(f"{stored.source_id}\x1f{incident.id}")
            details.append(incident.title)
    for component in context.components:
        status = component.component.status
        if status in statuses and _component_names_scope(spec, scope, kind, component):
            starts.append(component.status_since)
            evidence.append(f"{component.source_id}\x1f{component.component.id}")
            details.append(f"{component.component.name}: {status.replace('_', ' ')}")
    if not evidence:
        return None
    up_since = context.state.since
    assert up_since is not None
    where = f" in {scope.label}" if scope else ""
    service = f" ({spec.service})" if spec.service else ""
    if not scoped:
        service = f" ({clean_line(details[0], 80)})"
    message = f"{context.name} reports an outage{where}{service} but your probe {spec.id} is up"
    return Disagreement(
        probe_id=spec.id,
        provider=context.provider,
        kind="provider_outage_probe_up",
        since=max(min(starts), up_since),
        message=message,
        detail="; ".join(details[:3]),
        region=spec.region,
        service=spec.service,
        evidence=tuple(evidence),
    )


def disagreement_events(
    previous: Iterable[Disagreement], current: Iterable[Disagreement], now: datetime
) -> list[ChangeEvent]:
    """``disagreement_started`` for each new one (at its ``since``), ``disagreement_ended`` (at
    ``now``) for each one gone.  Keep ``current`` as the next call's ``previous``."""
    before = {d.key: d for d in previous}
    after = {d.key: d for d in current}
    events = [
        _disagreement_event("disagreement_started", d, d.since)
        for key, d in after.items()
        if key not in before
    ]
    events += [
        _disagreement_event("disagreement_ended", d, now)
        for key, d in before.items()
        if key not in after
    ]
    return events


def _disagreement_event(
    kind: Literal["disagreement_started", "disagreement_ended"], d: Disagreement, at: datetime
) -> ChangeEvent:
    title = d.message if kind == "disagreement_started" else f"No longer: {d.message}"
    return ChangeEvent(
        kind=kind,
        source_id=probe_lease_key(d.probe_id),
        at=at,
        title=clean_line(title, 300),
        impact="minor",
        new_status=d.kind,
        detail=clean_line(d.detail, 300),
    )


# ---------------------------------------------------------------------------------------------
# Correlation


@dataclass(frozen=True)
class CorrelationHint:
    """Problems from several providers (and/or the user's probes) in one geography, starting
    close together.  A hint: ``text`` says so."""

    geography: str
    providers: tuple[str, ...]  # source ids
    provider_names: tuple[str, ...]
    probe_ids: tuple[str, ...]
    started_at: datetime
    latest_start: datetime
    incident_keys: tuple[str, ...]
    text: str

    @property
    def key(self) -> str:
        return f"{self.geography}@{self.started_at.isoformat()}"

    @property
    def participants(self) -> frozenset[str]:
        return frozenset(self.providers) | {probe_lease_key(p) for p in self.probe_ids}


@dataclass(frozen=True)
class _Signal:
    geography: str
    participant: str  # source id, or probe:<id>
    name: str
    started_at: datetime
    incident_key: str | None


def _incident_signals(incidents: Iterable[IncidentView]) -> list[_Signal]:
    signals: list[_Signal] = []
    for view in incidents:
        if view.is_maintenance or not view.incident.is_open:
            continue
        geographies = {r.geography for r in view.regions if r.geography}
        for geography in sorted(geographies):
            signals.append(
                _Signal(
                    geography, view.source_id, view.provider, view.incident.started_at, view.key
                )
            )
    return signals


def _probe_signals(
    probes: Iterable[tuple[ProbeSpec, ProbeState]], source_kinds: Mapping[str, str]
) -> list[_Signal]:
    signals: list[_Signal] = []
    for spec, state in probes:
        if state.state != "down" or state.since is None:
            continue
        geography = _probe_geography(spec, _kind_of(spec.provider, source_kinds))
        if geography is not None:
            signals.append(_Signal(geography, probe_lease_key(spec.id), spec.id, state.since, None))
    return signals


def correlate(
    incidents: Sequence[IncidentView],
    down_probes: Sequence[tuple[ProbeSpec, ProbeState]] = (),
    window: timedelta = DEFAULT_WINDOW,
    *,
    source_kinds: Mapping[str, str] | None = None,
) -> list[CorrelationHint]:
    """Group open incidents (regions resolved, as in ``Overview.open_incidents``) and DOWN
    probes by canonical geography; within a geography, signals starting within ``window`` of a
    group's first start form one group.  A group becomes a hint when it involves at least two
    participants (providers or probes).  Maintenance and unmapped regions are ignored.  Newest
    hint first."""
    signals = _incident_signals(incidents) + _probe_signals(down_probes, source_kinds or {})
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
        providers=tuple(providers),
        provider_names=tuple(providers.values()),
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


def correlation_events(
    previous: Iterable[CorrelationHint], current: Iterable[CorrelationHint]
) -> list[ChangeEvent]:
    """A ``correlation`` event for each new hint, and again when a hint gains participants."""
    before = {h.key: h for h in previous}
    events: list[ChangeEvent] = []
    for hint in current:
        old = before.get(hint.key)
        if old is not None and hint.participants <= old.participants:
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
