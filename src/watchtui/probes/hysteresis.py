"""From single results to UP/DOWN: one failure is not an incident, one success not a recovery."""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from watchtui.config.probe_spec import ProbeSpec
from watchtui.domain.events import ChangeEvent
from watchtui.probes.naming import probe_label
from watchtui.store import ProbeResult, ProbeState, probe_lease_key

__all__ = ["advance", "format_duration"]


def advance(
    state: ProbeState | None, result: ProbeResult, spec: ProbeSpec
) -> tuple[ProbeState, list[ChangeEvent]]:
    """The state after ``result``, and the events it causes.  Pure.

    DOWN after ``down_after`` consecutive failures, UP again after ``up_after`` consecutive
    successes; anything shorter only moves the counters.  A new probe starts unknown and is UP
    at its first success: ``up_after`` guards against announcing a recovery on a fluke, and a
    probe that was never down has nothing to recover from (an operator whose target answered 200
    expects to read "up", not "unknown").  Failures from unknown count towards ``down_after`` as
    usual.  Entering DOWN emits ``probe_down`` (from unknown too: a probe failing from the start
    is news); leaving DOWN emits ``probe_up``; unknown -> up is the normal start and emits nothing.
    """
    old = state if state is not None else ProbeState(probe_id=spec.id)
    continuing = old.consecutive_successes > 0 if result.ok else old.consecutive_failures > 0
    streak_start = (
        old.streak_started_at if continuing and old.streak_started_at is not None else result.at
    )
    successes = old.consecutive_successes + 1 if result.ok else 0
    failures = 0 if result.ok else old.consecutive_failures + 1
    target: Literal["up", "down"] = "up" if result.ok else "down"
    if result.ok:
        reached = successes >= spec.up_after or old.state == "unknown"
    else:
        reached = failures >= spec.down_after
    changed = reached and old.state != target
    new = ProbeState(
        probe_id=spec.id,
        state=target if changed else old.state,
        since=streak_start if changed else old.since,
        consecutive_failures=failures,
        consecutive_successes=successes,
        # The latest failure's reason, kept after recovery ("last error: HTTP 500").
        last_error=old.last_error if result.ok else result.error,
        last_result_at=result.at,
        streak_started_at=streak_start,
    )
    if not changed or (target == "up" and old.state != "down"):
        return new, []
    return new, [_transition_event(spec, old, new, result)]


def format_duration(delta: timedelta) -> str:
    """``45 s``, ``6 min``, ``2 h 5 min``, ``3 d 4 h``: a duration as an operator says it."""
    seconds = max(0, int(delta.total_seconds()))
    if seconds < 60:
        return f"{seconds} s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


def _transition_event(
    spec: ProbeSpec, old: ProbeState, new: ProbeState, result: ProbeResult
) -> ChangeEvent:
    assert new.since is not None
    label = probe_label(spec)
    if new.state == "down":
        title = f"Your probe {label} failing for {format_duration(result.at - new.since)}"
        detail = result.error or ""
    else:
        down_for = new.since - old.since if old.since is not None else timedelta(0)
        title = f"Your probe {label} is back up after {format_duration(down_for)} down"
        detail = f"last error: {old.last_error}" if old.last_error else ""
    return ChangeEvent(
        kind="probe_down" if new.state == "down" else "probe_up",
        source_id=probe_lease_key(spec.id),
        at=result.at,
        title=title,
        # A recovery is announced as loudly as the outage it ends (as for components).
        impact="major",
        old_status=old.state,
        new_status=new.state,
        detail=detail,
    )
