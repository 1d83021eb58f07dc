"""Scheduling: intervals, jitter, backoff and Retry-After, all pure."""

from __future__ import annotations

import random
from datetime import UTC, datetime

from watchtui.net.backoff import (
    DEFAULT_INTERVAL,
    MAX_INTERVAL,
    MIN_INTERVAL,
    backoff_delay,
    clamp_interval,
    failure_delay,
    next_interval,
    parse_retry_after,
)

# -- scheduling ---------------------------------------------------------------------------------


def test_backoff_grows_then_caps() -> None:
    rng = random.Random(7)
    bases = [60, 120, 240, 480, 900, 900, 900]
    for failures, base in enumerate(bases, start=1):
        delay = backoff_delay(failures, 60, jitter=rng)
        assert base * 0.9 <= delay <= base * 1.1, (failures, delay)
    assert backoff_delay(10_000, 60, jitter=rng) <= 900 * 1.1


def test_backoff_never_polls_faster_than_interval() -> None:
    rng = random.Random(1)
    assert backoff_delay(1, 3600, cap=900, jitter=rng) >= 3600 * 0.9
    assert 0.9 * 60 <= backoff_delay(0, 60, jitter=rng) <= 1.1 * 60


def test_jitter_is_bounded_and_real() -> None:
    rng = random.Random(42)
    samples = [next_interval(100, rng) for _ in range(2000)]
    assert min(samples) >= 90 and max(samples) <= 110
    assert max(samples) - min(samples) > 15
    assert 90 <= next_interval(100) <= 110


def test_failure_delay_honours_bounded_retry_after() -> None:
    rng = random.Random(3)
    assert failure_delay(1, 60, 600, jitter=rng) == 600
    assert failure_delay(1, 60, 10**9, jitter=rng) == 3600
    assert failure_delay(1, 60, 1, jitter=rng) <= 66


def test_parse_retry_after() -> None:
    now = datetime(2024, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("120", now) == 120.0
    assert parse_retry_after(" 0 ", now) == 0.0
    assert parse_retry_after("Mon, 01 Jan 2024 12:01:30 GMT", now) == 90.0
    assert parse_retry_after("Mon, 01 Jan 2024 11:00:00 GMT", now) == 0.0
    for junk in ("", "soon", "-5", "1.5", "²"):
        assert parse_retry_after(junk, now) is None


def test_clamp_interval() -> None:
    assert clamp_interval(None) == DEFAULT_INTERVAL
    assert clamp_interval(float("nan")) == DEFAULT_INTERVAL
    assert clamp_interval(1) == MIN_INTERVAL
    assert clamp_interval(-5) == MIN_INTERVAL
    assert clamp_interval(90) == 90
    assert clamp_interval(10**9) == MAX_INTERVAL
