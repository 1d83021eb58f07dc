"""The one wall clock.  Everything that needs the time takes a clock (a callable) defaulting to
this, so tests freeze time by handing in their own."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    return datetime.now(UTC)
