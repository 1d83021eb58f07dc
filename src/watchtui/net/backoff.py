"""When to poll again: intervals, jitter, exponential backoff and Retry-After.

Pure functions (the random source is injectable), so the poller's scheduling is testable without
a clock or a network.
"""

from __future__ import annotations

import email.utils
import math
import random
from datetime import UTC, datetime

import httpx

__all__ = [
    "BACKOFF_CAP",
    "DEFAULT_INTERVAL",
    "MAX_INTERVAL",
    "MIN_INTERVAL",
    "RETRY_AFTER_CAP",
    "backoff_delay",
    "clamp_interval",
    "failure_delay",
    "next_interval",
    "parse_retry_after",
    "retry_after_of",
]

MIN_INTERVAL = 15.0
DEFAULT_INTERVAL = 60.0
MAX_INTERVAL = 24 * 3600.0
BACKOFF_CAP = 900.0
# A server may ask for any Retry-After; past an hour we would rather look again than trust it.
RETRY_AFTER_CAP = 3600.0

_JITTER = 0.10


def clamp_interval(value: float | None) -> float:
    """A polling interval within [MIN_INTERVAL, MAX_INTERVAL]; missing or non-finite -> default."""
    if value is None or not math.isfinite(value):
        return DEFAULT_INTERVAL
    return min(max(float(value), MIN_INTERVAL), MAX_INTERVAL)


def _jittered(value: float, jitter: random.Random | None) -> float:
    rng = jitter if jitter is not None else random
    return value * rng.uniform(1 - _JITTER, 1 + _JITTER)


def next_interval(interval: float, jitter: random.Random | None = None) -> float:
    """The normal wait before the next poll: ``interval`` ±10%, so sources drift apart."""
    return _jittered(interval, jitter)


def backoff_delay(
    consecutive_failures: int,
    interval: float,
    *,
    cap: float = BACKOFF_CAP,
    jitter: random.Random | None = None,
) -> float:
    """Wait after ``consecutive_failures`` failures in a row: interval·2^(n-1), capped, ±10%.

    The cap limits growth only: backing off never polls more often than ``interval`` itself (a
    source polled hourly is not retried after ``cap``).  Jitter applies after the cap so that many
    sources failing together do not retry in lockstep.
    """
    if consecutive_failures <= 0:
        return next_interval(interval, jitter)
    exponent = min(consecutive_failures - 1, 32)
    base = max(interval, min(cap, interval * 2.0**exponent))
    return _jittered(base, jitter)


def failure_delay(
    consecutive_failures: int,
    interval: float,
    retry_after: float | None = None,
    *,
    cap: float = BACKOFF_CAP,
    jitter: random.Random | None = None,
) -> float:
    """Backoff that also honours a server's Retry-After (bounded by RETRY_AFTER_CAP)."""
    delay = backoff_delay(consecutive_failures, interval, cap=cap, jitter=jitter)
    if retry_after is None:
        return delay
    return max(delay, min(retry_after, RETRY_AFTER_CAP))


def parse_retry_after(value: str, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After value: delta-seconds or an HTTP-date (past -> 0)."""
    text = value.strip()
    if not text:
        return None
    if text.isascii() and text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def retry_after_of(headers: httpx.Headers) -> float | None:
    """The Retry-After of a response, in seconds from now; ``None`` when absent or unreadable."""
    value = headers.get("retry-after")
    return None if value is None else parse_retry_after(value, datetime.now(UTC))
