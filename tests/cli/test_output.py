"""How the CLI prints: times to the second, counted nouns, durations, tables."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from watchtui.cli.output import count, duration, table
from watchtui.domain.document import iso


def test_times_are_utc_to_the_second() -> None:
    at = datetime(2026, 7, 29, 14, 0, 5, 999999, tzinfo=timezone(timedelta(hours=2)))
    assert iso(at) == "2026-07-29T12:00:05Z"
    assert iso(None) is None


@pytest.mark.parametrize(
    ("number", "noun", "plural", "expected"),
    [
        (0, "update", None, "0 updates"),
        (1, "update", None, "1 update"),
        (2, "update", None, "2 updates"),
        (1, "day", None, "1 day"),
        (3, "status change", None, "3 status changes"),
        (2, "entry", "entries", "2 entries"),
    ],
)
def test_count(number: int, noun: str, plural: str | None, expected: str) -> None:
    assert count(number, noun, plural) == expected


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [(-5, "0m"), (59, "0m"), (60, "1m"), (3 * 3600 + 300, "3h05m"), (90000, "1d01h")],
)
def test_duration(seconds: int, expected: str) -> None:
    assert duration(seconds) == expected


def test_table_aligns_under_a_header_and_caps_columns() -> None:
    text = table(
        ["ID", "NAME", "NOTE"],
        [["a", "short", "x"], ["bb", "a very long name indeed", "y"]],
        widest=(0, 8),
    )
    assert text.splitlines() == [
        "ID  NAME      NOTE",
        "a   short     x",
        "bb  a very …  y",
    ]
    assert table(["ID", "NOTE"], []) == "ID  NOTE\n"
