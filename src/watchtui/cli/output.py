"""How the CLI prints: times to the second, counted nouns, tables with a header row."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

__all__ = ["count", "duration", "stamp", "table", "whole_seconds"]

# Keys of the JSON documents (domain.document and the CLI's own) that hold an ISO time.
_TIME_KEYS = frozenset(
    {
        "at",
        "since",
        "started_at",
        "updated_at",
        "resolved_at",
        "scheduled_for",
        "scheduled_until",
        "generated_at",
        "last_success_at",
        "last_attempt_at",
    }
)
_FRACTION = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\.\d+(Z|[+-]\d\d:\d\d)$")


def stamp(value: datetime | None) -> str | None:
    """ISO 8601 in UTC to the second, with ``Z``: what a person or a script wants to read."""
    if value is None:
        return None
    return value.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def whole_seconds(value: Any) -> Any:
    """``value`` with every time field of a JSON document cut to the second.

    The domain's documents keep what a clock said (an inferred resolution carries microseconds);
    nothing the CLI prints should.
    """
    if isinstance(value, dict):
        return {
            key: (
                _FRACTION.sub(r"\1\2", item)
                if key in _TIME_KEYS and isinstance(item, str)
                else whole_seconds(item)
            )
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [whole_seconds(item) for item in value]
    return value


def count(number: int, noun: str, plural: str | None = None) -> str:
    """``1 update``, ``2 updates``, ``0 probes``."""
    return f"{number} {noun if number == 1 else plural or noun + 's'}"


def duration(seconds: int) -> str:
    """``45m``, ``3h05m``, ``2d04h``: never negative, never more than two units."""
    minutes = max(seconds, 0) // 60
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    if days:
        return f"{days}d{hours:02d}h"
    if hours:
        return f"{hours}h{minutes:02d}m"
    return f"{minutes}m"


def table(
    header: Sequence[str], rows: Sequence[Sequence[str]], *, widest: Sequence[int] = ()
) -> str:
    """Left-aligned columns under an upper-case header; the last column is never padded.

    ``widest`` caps the width of the first columns (longer cells are cut with ``…``), so one
    long title cannot push every other row off a terminal.
    """
    caps = list(widest) + [0] * (len(header) - len(widest))
    cells = [[_cut(str(cell), caps[i]) for i, cell in enumerate(row)] for row in rows]
    widths = [
        max([len(header[i]), *(len(row[i]) for row in cells)]) for i in range(len(header) - 1)
    ]
    lines = []
    for row in [list(header), *cells]:
        padded = [cell.ljust(widths[i]) for i, cell in enumerate(row[:-1])]
        lines.append("  ".join([*padded, row[-1]]).rstrip())
    return "\n".join(lines) + "\n"


def _cut(text: str, limit: int) -> str:
    if limit <= 0 or len(text) <= limit:
        return text
    return text[: limit - 1] + "…"
