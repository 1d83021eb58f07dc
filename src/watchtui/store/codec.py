"""How values are written to and read back from SQL text, and batching for ``IN (...)`` lists.

Timestamps are fixed-width ISO-8601 UTC text (``2024-05-01T12:00:00.000000+00:00``), so SQL
compares them as strings, and always come back as aware UTC datetimes.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from functools import lru_cache
from typing import TypeVar

_T = TypeVar("_T")

# Well under SQLite's default limit of bound parameters per statement.
IN_CHUNK = 500


def ts(value: datetime) -> str:
    if value.tzinfo is not UTC:  # the model's times are UTC already: most never come here
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("the store only accepts timezone-aware datetimes")
        value = value.astimezone(UTC)
    return value.isoformat(timespec="microseconds")


def ts_opt(value: datetime | None) -> str | None:
    return None if value is None else ts(value)


def dt(value: str) -> datetime:
    return datetime.fromisoformat(value)


def dt_opt(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def json_list(values: Sequence[str]) -> str:
    if not values:
        return "[]"
    if isinstance(values, tuple):
        return _json_tuple(values)
    return json.dumps(list(values), ensure_ascii=False)


@lru_cache(maxsize=1024)
def _json_tuple(values: tuple[str, ...]) -> str:
    # Component and region lists repeat across a feed's incidents, and across every re-poll.
    return json.dumps(list(values), ensure_ascii=False)


@lru_cache(maxsize=1024)
def json_tuple(text: str) -> object:
    """``json_list`` read back as a tuple, memoised like it for the same reason.  Anything but a
    list (a hand-edited file) comes back as it is, for the model to refuse."""
    value = json.loads(text)
    return tuple(value) if isinstance(value, list) else value


def chunks(items: Sequence[_T], size: int = IN_CHUNK) -> Iterator[Sequence[_T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def marks(count: int) -> str:
    return ",".join("?" * count)
