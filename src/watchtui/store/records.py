"""The records the store's queries return (frozen dataclasses) and the vocabularies they use."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from watchtui.domain import assessment
from watchtui.domain.model import Component, ComponentStatus, Impact, Incident, IncidentUpdate

FetchOutcome = Literal["ok", "not_modified", "error", "drifted"]

FETCH_OUTCOMES: tuple[FetchOutcome, ...] = ("ok", "not_modified", "error", "drifted")

ProbeStateName = Literal["up", "down", "unknown"]
PROBE_STATES: tuple[ProbeStateName, ...] = ("up", "down", "unknown")


@dataclass(frozen=True, slots=True)
class SourceRecord:
    id: str
    kind: str
    url: str
    name: str
    interval: timedelta
    enabled: bool
    added_at: datetime
    first_ingest_at: datetime | None
    last_ingest_at: datetime | None
    # The page's own headline at its last fetch that carried one (None: it never said).
    page_indicator: Impact | None = None


@dataclass(frozen=True, slots=True)
class StoredComponent:
    source_id: str
    component: Component
    # When the status last changed (as observed by watchtui).
    status_since: datetime
    # When a fetch last listed the component: the age of what we know about it.
    updated_at: datetime
    first_seen_at: datetime


@dataclass(frozen=True, slots=True)
class ComponentTransition:
    source_id: str
    component_id: str
    at: datetime
    old_status: ComponentStatus | None  # None: first sighting
    new_status: ComponentStatus


@dataclass(frozen=True, slots=True)
class StoredIncident:
    source_id: str
    # A ``Maintenance`` when ``is_maintenance``; updates newest first.
    incident: Incident
    is_maintenance: bool
    # The resolution was deduced from the incident vanishing from a current-only feed.
    resolution_inferred: bool
    first_seen_at: datetime
    last_seen_at: datetime

    @property
    def duration(self) -> timedelta | None:
        """Start to resolution; None while open (use ``duration_at``)."""
        if self.incident.resolved_at is None:
            return None
        return assessment.duration(self.incident, self.incident.resolved_at)

    def duration_at(self, now: datetime) -> timedelta:
        return assessment.duration(self.incident, now)


@dataclass(frozen=True, slots=True)
class RecentUpdate:
    source_id: str
    incident_id: str
    title: str
    # The incident's impact when this update was first seen (the incident's now, for updates
    # stored before watchtui kept it).
    impact: Impact
    is_maintenance: bool
    update: IncidentUpdate


@dataclass(frozen=True, slots=True)
class EndpointState:
    url: str
    source_id: str | None
    etag: str | None
    last_modified: str | None
    last_success_at: datetime | None
    last_attempt_at: datetime | None
    last_outcome: FetchOutcome | None
    last_error: str | None
    consecutive_failures: int
    next_due_at: datetime | None
    lease_owner: str | None
    lease_until: datetime | None


@dataclass(frozen=True, slots=True)
class FetchStats:
    source_id: str
    last_success_at: datetime | None
    last_attempt_at: datetime | None
    # Over the last ``window`` fetches of the source (all its endpoints).
    window: int
    mean_latency_ms: float | None
    # Share of 304 Not Modified among the successful fetches in the window.
    not_modified_share: float | None
    last_error: str | None
    last_error_at: datetime | None
    consecutive_failures: int
    # What the newest parse of any endpoint left out (items with impossible times, …), if any.
    last_note: str | None = None


@dataclass(frozen=True, slots=True)
class PruneCounts:
    incidents: int
    updates: int
    fetch_log: int
    transitions: int
    probe_results: int = 0
    probe_periods: int = 0


@dataclass(frozen=True, slots=True)
class ProbeResult:
    """One run of a probe.  ``latency_ms`` is None when nothing answered (timeout, refused)."""

    ok: bool
    latency_ms: float | None
    error: str | None
    at: datetime


@dataclass(frozen=True, slots=True)
class ProbeState:
    """A probe's hysteresis state (see ``watchtui.probes.advance``).

    ``since``: when the current up/down state began, i.e. the first result of the streak that
    confirmed it (None while unknown).  ``streak_started_at``: the first result of the current run
    of equal outcomes, so "failing for 6 min" counts from the first failure, not the Nth.
    """

    probe_id: str
    state: ProbeStateName = "unknown"
    since: datetime | None = None
    consecutive_failures: int = 0
    consecutive_successes: int = 0
    last_error: str | None = None
    last_result_at: datetime | None = None
    streak_started_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ProbePeriod:
    probe_id: str
    state: Literal["up", "down"]
    started_at: datetime
    ended_at: datetime | None  # None: still in this state

    def duration_at(self, now: datetime) -> timedelta:
        return (self.ended_at or now) - self.started_at
