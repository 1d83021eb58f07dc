"""What watchtui concludes from what it stored: the one definition of each judgement.

The board's header and panes, kiosk, notifications, ``watchtui status``, ``watchtui history`` and
the exit codes all ask here, so they can never disagree:

* which incidents are *on the board* (open incidents, and maintenances while they are under way);
* a source's *impact*: ``unknown`` whenever watchtui cannot currently see the source (never read,
  failing, drifted or stale) — blindness is never reported as "none" — otherwise the worst of its
  open incidents, its current components and the page's own headline;
* how long something lasted (never negative, whatever clocks the sources keep);
* the monitoring-plugin exit code.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Literal

from watchtui.domain.model import (
    ComponentStatus,
    Impact,
    Incident,
    impact_for_status,
    worst_impact,
)

# fresh: read recently; stale: no success for 3 intervals; failing: the last attempt errored;
# drifted: fetched but not understood; never: not read yet; disabled: switched off by the user.
Health = Literal["fresh", "stale", "failing", "drifted", "never", "disabled"]
HEALTHS: tuple[Health, ...] = ("fresh", "stale", "failing", "drifted", "never", "disabled")

# Health values under which watchtui cannot vouch for anything the source says now.
BLIND: frozenset[Health] = frozenset({"stale", "failing", "drifted", "never"})

# Maintenance statuses that mean the work is under way (Statuspage says in_progress, then
# verifying; other pages only the first).
_MAINTENANCE_UNDER_WAY = frozenset({"in_progress", "verifying"})


def is_blind(health: Health) -> bool:
    return health in BLIND


def on_board(incident: Incident, *, is_maintenance: bool) -> bool:
    """Open incidents, and maintenances while under way (a scheduled one is not trouble yet)."""
    if incident.resolved_at is not None:
        return False
    return not is_maintenance or incident.status in _MAINTENANCE_UNDER_WAY


def counts_as_open_incident(incident: Incident, *, is_maintenance: bool) -> bool:
    """What the header counts as "open incidents": on the board and not planned work."""
    return not is_maintenance and on_board(incident, is_maintenance=False)


def known_impact(
    incident_impacts: Iterable[Impact],
    component_statuses: Iterable[ComponentStatus],
    page_claim: Impact | None = None,
) -> Impact:
    """The worst of what the source last said: its open incidents, its components and its own
    headline (a page that says "major" is never shown calmer than that)."""
    impacts = list(incident_impacts)
    impacts += [impact_for_status(status) for status in component_statuses]
    if page_claim is not None:
        impacts.append(page_claim)
    return worst_impact(impacts)


def source_impact(
    health: Health,
    incident_impacts: Iterable[Impact],
    component_statuses: Iterable[ComponentStatus],
    page_claim: Impact | None = None,
) -> Impact:
    """A source's impact now: ``unknown`` while watchtui is blind to it, ``none`` when disabled,
    else what it last said (see ``known_impact``)."""
    if health == "disabled":
        return "none"
    if is_blind(health):
        return "unknown"
    return known_impact(incident_impacts, component_statuses, page_claim)


def elapsed(start: datetime, end: datetime) -> timedelta:
    """``end - start``, never negative: a source whose clocks disagree cannot undo time."""
    return max(end - start, timedelta(0))


def duration(incident: Incident, now: datetime) -> timedelta:
    """How long an incident lasted, or has lasted so far while open."""
    return elapsed(incident.started_at, incident.resolved_at or now)


# The monitoring-plugin convention (Nagios, Icinga, Sensu…).
EXIT_OK = 0
EXIT_WARNING = 1
EXIT_CRITICAL = 2
EXIT_UNKNOWN = 3
# A command ended by Ctrl-C: 128 + SIGINT, the shell's convention.
EXIT_INTERRUPTED = 130

_EXIT_FOR_IMPACT: dict[Impact, int] = {
    "none": EXIT_OK,
    "maintenance": EXIT_OK,
    "unknown": EXIT_UNKNOWN,
    "minor": EXIT_WARNING,
    "major": EXIT_CRITICAL,
    "critical": EXIT_CRITICAL,
}


def exit_code(
    impacts: Iterable[Impact], *, probe_down: bool = False, probe_up: bool = False
) -> int:
    """The worst *known* state wins (a watched probe down is critical); UNKNOWN only when nothing
    worse than OK is known, so one unreadable source does not mask a real outage elsewhere.  A
    check that read nothing (no source, no probe that answered) knows nothing: UNKNOWN, never
    OK."""
    codes = [_EXIT_FOR_IMPACT[impact] for impact in impacts]
    if probe_down:
        codes.append(EXIT_CRITICAL)
    if probe_up:
        codes.append(EXIT_OK)
    if not codes:
        return EXIT_UNKNOWN
    known = [code for code in codes if code != EXIT_UNKNOWN]
    worst_known = max(known, default=EXIT_OK)
    if worst_known > EXIT_OK:
        return worst_known
    return EXIT_UNKNOWN if EXIT_UNKNOWN in codes else EXIT_OK
