"""The user's probes against their providers' claims: pure functions over what the caller loads
from the store.

A probe tied to a provider is DOWN while that provider reports the probe's scope (region /
service) operational ("it's probably you, or the provider has not noticed yet"), or the provider
reports an outage there while the probe is UP ("the outage may not reach you").

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

from watchtui.domain import assessment
from watchtui.domain.events import ChangeEvent
from watchtui.domain.model import ComponentStatus, Impact, Incident
from watchtui.domain.text import clean_line, fold
from watchtui.probes import ProbeSpec, ProbeState, format_duration, probe_label
from watchtui.signals.findings import Disagreement, item_key
from watchtui.signals.scope import (
    ProbeScope,
    probe_region,
    probe_scope,
    provider_kind,
    provider_name,
)
from watchtui.store import STALE_INTERVALS, StoredComponent, StoredIncident, probe_lease_key

__all__ = ["disagreement_events", "disagreements", "fresh_until", "message_changes_at"]

_OUTAGE_IMPACTS_SCOPED: frozenset[Impact] = frozenset({"major", "critical"})
_OUTAGE_STATUSES_SCOPED: frozenset[ComponentStatus] = frozenset({"partial_outage", "major_outage"})
# A probe without region or service speaks for the whole provider: only a provider-wide scale
# outage contradicts it (a major incident in one AWS product says little about a generic probe).
_OUTAGE_IMPACTS_UNSCOPED: frozenset[Impact] = frozenset({"critical"})
_OUTAGE_STATUSES_UNSCOPED: frozenset[ComponentStatus] = frozenset({"major_outage"})


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


def _component_in_service(spec: ProbeSpec, stored: StoredComponent) -> bool:
    component = stored.component
    return spec.service is None or _service_named(spec.service, (component.name, component.group))


def _component_may_touch(
    spec: ProbeSpec, scope: ProbeScope | None, kind: str, stored: StoredComponent
) -> bool:
    if not _component_in_service(spec, stored):
        return False
    if scope is not None and stored.component.regions:
        return any(scope.matches(kind, r) for r in stored.component.regions)
    return True


def _component_names_scope(
    spec: ProbeSpec, scope: ProbeScope | None, kind: str, stored: StoredComponent
) -> bool:
    if not _component_in_service(spec, stored):
        return False
    return scope is None or any(scope.matches(kind, r) for r in stored.component.regions)


# ---------------------------------------------------------------------------------------------
# Disagreements


@dataclass(frozen=True)
class _Context:
    spec: ProbeSpec
    state: ProbeState
    provider: str
    kind: str
    scope: ProbeScope | None
    name: str
    components: tuple[StoredComponent, ...]
    incidents: tuple[StoredIncident, ...]  # the provider's, on the board
    now: datetime


def fresh_until(spec: ProbeSpec, state: ProbeState) -> datetime | None:
    """Until when the probe's state is evidence of anything (later, the runner has stopped and
    it says nothing); None when it never ran."""
    if state.last_result_at is None or state.since is None:
        return None
    # The probes' staleness is the sources': a few missed intervals.
    horizon = timedelta(seconds=STALE_INTERVALS * spec.interval + spec.timeout)
    return state.last_result_at + horizon


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
    source id -> kind) or that watchtui cannot see now (``unhealthy``: source ids whose health
    is blind) are skipped: no data is not a claim.  ``names``: display names by source id
    (default: the catalog's).
    """
    on_board = [
        i
        for i in open_incidents
        if assessment.on_board(i.incident, is_maintenance=i.is_maintenance)
    ]
    found: list[Disagreement] = []
    for spec in probe_specs:
        state = probe_states.get(spec.id)
        provider = spec.provider
        if provider is None or state is None or state.state == "unknown":
            continue
        until = fresh_until(spec, state)
        if provider not in source_kinds or provider in unhealthy or until is None or now > until:
            continue
        kind = provider_kind(provider, source_kinds)
        context = _Context(
            spec=spec,
            state=state,
            provider=provider,
            kind=kind,
            scope=probe_scope(spec, kind),
            name=provider_name(provider, names),
            components=tuple(c for c in components if c.source_id == provider),
            incidents=tuple(i for i in on_board if i.source_id == provider),
            now=now,
        )
        item = _probe_down_provider_ok(context) if state.state == "down" else _outage_up(context)
        if item is not None:
            found.append(item)
    return found


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
        if _incident_may_touch(spec, scope, kind, stored.incident):
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
        region=probe_region(spec, kind),
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
        if not assessment.counts_as_open_incident(incident, is_maintenance=stored.is_maintenance):
            continue
        if incident.impact in impacts and _incident_names_scope(spec, scope, kind, incident):
            starts.append(incident.started_at)
            evidence.append(item_key(stored.source_id, incident.id))
            details.append(incident.title)
    for component in context.components:
        status = component.component.status
        if status in statuses and _component_names_scope(spec, scope, kind, component):
            starts.append(component.status_since)
            evidence.append(item_key(component.source_id, component.component.id))
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
        region=probe_region(spec, kind),
        service=spec.service,
        evidence=tuple(evidence),
    )


def message_changes_at(found: Disagreement, now: datetime) -> datetime | None:
    """When ``found.message`` next reads differently with nothing else changed: a failing probe's
    message says for how long (``format_duration``: seconds in the first minute, then minutes)."""
    if found.kind != "probe_down_provider_ok":
        return None
    seconds = int(assessment.elapsed(found.since, now).total_seconds())
    step = 1 if seconds < 60 else 60
    return found.since + timedelta(seconds=(seconds // step + 1) * step)


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
