"""From results to UP/DOWN: streaks, the first result, and how transitions are announced."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests.probes.helpers import MIN, T0, http
from watchtui.probes import ProbeResult, ProbeSpec, ProbeState, advance, format_duration, is_due


def run_sequence(
    outcomes: str, spec: ProbeSpec, state: ProbeState | None = None
) -> list[tuple[str, int, int, list[str]]]:
    """Feed 'u'/'x' results a minute apart; (state, failures, successes, event kinds) each."""
    trace: list[tuple[str, int, int, list[str]]] = []
    for n, outcome in enumerate(outcomes):
        at = T0 + n * MIN
        result = ProbeResult(
            ok=outcome == "u", latency_ms=5.0, error=None if outcome == "u" else "HTTP 500", at=at
        )
        state, events = advance(state, result, spec)
        trace.append(
            (
                state.state,
                state.consecutive_failures,
                state.consecutive_successes,
                [e.kind for e in events],
            )
        )
    return trace


def test_hysteresis_needs_streaks_once_the_state_is_known() -> None:
    spec = http("https://x/", down_after=3, up_after=2)
    assert run_sequence("uuxxuxxxxuu", spec) == [
        ("up", 0, 1, []),  # unknown -> up is the normal start, not news
        ("up", 0, 2, []),
        ("up", 1, 0, []),
        ("up", 2, 0, []),
        ("up", 0, 1, []),  # two failures are not an incident
        ("up", 1, 0, []),
        ("up", 2, 0, []),
        ("down", 3, 0, ["probe_down"]),
        ("down", 4, 0, []),
        ("down", 0, 1, []),
        ("up", 0, 2, ["probe_up"]),
    ]


def test_a_probe_failing_from_the_start_goes_down_and_says_so() -> None:
    spec = http("https://x/", down_after=2, up_after=1)
    assert run_sequence("xxu", spec) == [
        ("unknown", 1, 0, []),
        ("down", 2, 0, ["probe_down"]),
        ("up", 0, 1, ["probe_up"]),
    ]


def test_the_first_success_sets_the_state_whatever_up_after_says() -> None:
    # Regression: a probe that answered 200 read "unknown" until its second round.
    spec = http("https://x/", down_after=3, up_after=5)
    assert run_sequence("u", spec) == [("up", 0, 1, [])]
    state, _ = advance(None, ProbeResult(ok=True, latency_ms=4.0, error=None, at=T0), spec)
    assert (state.since, state.streak_started_at, state.last_result_at) == (T0, T0, T0)


def test_a_first_failure_counts_towards_down_after_and_a_success_then_reads_up() -> None:
    spec = http("https://x/", down_after=3, up_after=5)
    assert run_sequence("xxuxxx", spec) == [
        ("unknown", 1, 0, []),
        ("unknown", 2, 0, []),
        ("up", 0, 1, []),  # never down, so nothing to recover from: no up_after streak needed
        ("up", 1, 0, []),
        ("up", 2, 0, []),
        ("down", 3, 0, ["probe_down"]),
    ]


def test_up_after_still_guards_recovery_from_down() -> None:
    spec = http("https://x/", down_after=1, up_after=3)
    assert run_sequence("xuuu", spec) == [
        ("down", 1, 0, ["probe_down"]),
        ("down", 0, 1, []),
        ("down", 0, 2, []),
        ("up", 0, 3, ["probe_up"]),
    ]


def test_single_result_thresholds() -> None:
    spec = http("https://x/", down_after=1, up_after=1)
    assert [row[0] for row in run_sequence("uxux", spec)] == ["up", "down", "up", "down"]


def test_state_times_count_from_the_first_result_of_the_streak() -> None:
    spec = http("https://x/", down_after=3, up_after=2)
    state: ProbeState | None = None
    for n, ok in enumerate([True, True, False, False, False]):
        result = ProbeResult(
            ok=ok, latency_ms=None, error=None if ok else "HTTP 500", at=T0 + n * MIN
        )
        state, _ = advance(state, result, spec)
    assert state is not None
    assert (state.since, state.streak_started_at, state.last_result_at) == (
        T0 + 2 * MIN,
        T0 + 2 * MIN,
        T0 + 4 * MIN,
    )
    assert state.last_error == "HTTP 500"


def test_probe_events_are_worded_for_an_operator() -> None:
    spec = http("https://x/", id="api-eu", region="eu-west", down_after=3, up_after=2)
    state: ProbeState | None = None
    down: list[Any] = []
    # Failures at 0, 3 and 6 minutes: confirmed DOWN after 6 minutes of failing.
    for minutes in (0, 3, 6):
        result = ProbeResult(ok=False, latency_ms=None, error="HTTP 503", at=T0 + minutes * MIN)
        state, down = advance(state, result, spec)
    (event,) = down
    assert event.kind == "probe_down"
    assert event.title == "Your probe api-eu (eu-west) failing for 6 min"
    assert (event.detail, event.source_id, event.at) == ("HTTP 503", "probe:api-eu", T0 + 6 * MIN)
    assert (event.old_status, event.new_status, event.impact) == ("unknown", "down", "major")
    for minutes in (12, 13):
        result = ProbeResult(ok=True, latency_ms=3.0, error=None, at=T0 + minutes * MIN)
        state, up = advance(state, result, spec)
    (event,) = up
    assert event.kind == "probe_up"
    assert event.title == "Your probe api-eu (eu-west) is back up after 12 min down"
    assert event.detail == "last error: HTTP 503"


def test_format_duration() -> None:
    assert [
        format_duration(timedelta(seconds=s)) for s in (-5, 0, 59, 60, 359, 3600, 3720, 90000)
    ] == ["0 s", "0 s", "59 s", "1 min", "5 min", "1 h", "1 h 2 min", "1 d 1 h"]


def test_is_due() -> None:
    spec = http("https://x/", interval=30)
    assert is_due(spec, None, T0)
    state = ProbeState("api", last_result_at=T0)
    assert not is_due(spec, state, T0 + timedelta(seconds=20))
    assert is_due(spec, state, T0 + timedelta(seconds=29.8))
