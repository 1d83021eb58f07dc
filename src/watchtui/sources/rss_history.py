"""Statuspage ``history.atom``/``history.rss`` update paragraphs, read by the ``rss`` parser.

Statuspage carries each incident's updates only as HTML paragraphs, newest first, with no year and
in the page's time zone; see ``watchtui.sources.rss`` for the decisions.  This module finds the
paragraphs, places them in time (a paragraph whose date cannot be placed is left out and recorded)
and reads a maintenance's scheduled window.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

from watchtui.domain.model import IncidentUpdate
from watchtui.domain.text import clean_text, html_to_text
from watchtui.sources._common import Drops, UnusableTime

_STATUS_LABELS: dict[str, str] = {
    "investigating": "investigating",
    "identified": "identified",
    "monitoring": "monitoring",
    "update": "update",
    "resolved": "resolved",
    "postmortem": "postmortem",
    "scheduled": "scheduled",
    "in progress": "in_progress",
    "verifying": "verifying",
    "completed": "completed",
}
MAINTENANCE_STATUSES = frozenset({"scheduled", "in_progress", "verifying", "completed"})
TERMINAL_STATUSES = frozenset({"resolved", "completed", "postmortem"})

_MONTHS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
        start=1,
    )
}
_HOURS = 3600
_ZONES: dict[str, float] = {
    "UTC": 0, "GMT": 0, "Z": 0, "UT": 0, "WET": 0,
    "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7,
    "AKST": -9, "AKDT": -8, "HST": -10, "AST": -4, "ADT": -3, "NST": -3.5, "NDT": -2.5,
    "BST": 1, "WEST": 1, "CET": 1, "CEST": 2, "EET": 2, "EEST": 3, "MSK": 3,
    "HKT": 8, "SGT": 8, "AWST": 8, "JST": 9, "KST": 9, "ACST": 9.5, "ACDT": 10.5,
    "AEST": 10, "AEDT": 11, "NZST": 12, "NZDT": 13,
}  # fmt: skip
_NUMERIC_ZONE = re.compile(r"^(?P<sign>[+-])(?P<h>\d{1,2}):?(?P<m>\d{2})?$")

# Quantifiers are bounded so hostile input cannot make the scan quadratic.
_VAR = r"<var[^>]{0,60}>"
_STAMP = (
    r"(?P<month>[A-Za-z]{3})[A-Za-z.]{0,7}\s{0,5}" + _VAR + r"\s{0,5}(?P<day>\d{1,2})\s{0,5}</var>"
    r"\s{0,5},?\s{0,5}" + _VAR + r"\s{0,5}(?P<hour>\d{1,2}):(?P<minute>\d{2})\s{0,5}</var>"
)
_UPDATE_HEAD = re.compile(
    r"<small>\s{0,20}" + _STAMP + r"\s{0,20}(?P<zone>[A-Za-z+:0-9-]{1,10})?\s{0,20}</small>"
    r"\s{0,20}(?:<br\s{0,5}/?>\s{0,20})?<strong>\s{0,20}(?P<label>[^<]{1,40}?)\s{0,20}</strong>",
    re.IGNORECASE,
)
_SCHEDULE_HEAD = re.compile(
    r"THIS IS A SCHEDULED EVENT\s{0,20}"
    r"(?P<m1>[A-Za-z]{3})[A-Za-z.]{0,7}\s{0,5}" + _VAR + r"\s{0,5}(?P<d1>\d{1,2})\s{0,5}</var>"
    r"\s{0,5},?\s{0,5}" + _VAR + r"\s{0,5}(?P<t1>\d{1,2}:\d{2})\s{0,5}</var>"
    r"(?:\s{0,5}(?P<z1>[A-Za-z+:0-9-]{1,10}))?"
    r"(?:\s|&nbsp;|\u00a0){0,20}-(?:\s|&nbsp;|\u00a0){0,20}"
    r"(?:(?P<m2>[A-Za-z]{3})[A-Za-z.]{0,7}\s{0,5}" + _VAR + r"\s{0,5}(?P<d2>\d{1,2})\s{0,5}</var>"
    r"\s{0,5},?\s{0,5})?" + _VAR + r"\s{0,5}(?P<t2>\d{1,2}:\d{2})\s{0,5}</var>"
    r"(?:\s{0,5}(?P<z2>[A-Za-z+:0-9-]{1,10}))?",
    re.IGNORECASE,
)
_LEADING_DASH = re.compile(r"^\s*[-–—:]\s*")
_YEAR_SLACK = timedelta(days=1)


@dataclass(frozen=True)
class RawUpdate:
    status: str
    month: str  # as written: an unknown name loses only this update
    day: int
    hour: int
    minute: int
    offset: timedelta
    text: str


def _zone_offset(zone: str | None, fallback: timedelta | None) -> timedelta:
    if zone:
        hours = _ZONES.get(zone.upper())
        if hours is not None:
            return timedelta(hours=hours)
        numeric = _NUMERIC_ZONE.match(zone)
        if numeric:
            sign = -1 if numeric["sign"] == "-" else 1
            return sign * timedelta(hours=int(numeric["h"]), minutes=int(numeric["m"] or 0))
    return fallback if fallback is not None else timedelta(0)


def _month(name: str) -> int:
    month = _MONTHS.get(name[:3].lower())
    if month is None:
        raise UnusableTime(f"unknown month '{name[:3]}'")
    return month


def split_updates(body: str, fallback: timedelta | None) -> list[RawUpdate]:
    """Update paragraphs, newest first as the feed lists them; empty when there are none."""
    heads = [m for m in _UPDATE_HEAD.finditer(body) if _label_status(m["label"]) is not None]
    updates: list[RawUpdate] = []
    for index, head in enumerate(heads):
        end = heads[index + 1].start() if index + 1 < len(heads) else len(body)
        text = html_to_text(body[head.end() : end])
        updates.append(
            RawUpdate(
                status=_label_status(head["label"]) or "update",
                month=head["month"],
                day=int(head["day"]),
                hour=int(head["hour"]),
                minute=int(head["minute"]),
                offset=_zone_offset(head["zone"], fallback),
                text=clean_text(_LEADING_DASH.sub("", text, count=1)),
            )
        )
    return updates


def _label_status(label: str) -> str | None:
    return _STATUS_LABELS.get(" ".join(label.split()).lower())


def _candidates(
    month: int, day: int, hour: int, minute: int, offset: timedelta, around: datetime
) -> list[datetime]:
    found: list[datetime] = []
    for year in (around.year - 1, around.year, around.year + 1):
        try:
            local = datetime(year, month, day, hour, minute, tzinfo=timezone(offset))
            found.append(local.astimezone(UTC))
        except (ValueError, OverflowError):  # 29 February in a common year; year 0 or 10000
            continue
    if not found:
        raise UnusableTime(f"date {month}/{day} {hour:02}:{minute:02} is impossible")
    return found


def _closest(candidates: list[datetime], anchor: datetime) -> datetime:
    return min(candidates, key=lambda c: abs(c - anchor))


def update_id(entry_id: str, raw: list[RawUpdate], index: int) -> str:
    """Counted from the oldest paragraph, so ids stay put as newer ones are added on top."""
    return f"{entry_id}#{len(raw) - index}"


def place_updates(
    raw: list[RawUpdate], anchor: datetime, entry_id: str, drops: Drops
) -> list[datetime | None]:
    """Each paragraph's time (None for one that cannot be placed, recorded in ``drops``)."""
    placed: list[datetime | None] = []
    newer: datetime | None = None
    for index, update in enumerate(raw):
        when: datetime | None = None
        # Plain try rather than a Drops guard: this runs for every paragraph of every entry.
        try:
            fields = (_month(update.month), update.day, update.hour, update.minute, update.offset)
            if newer is None:
                when = _closest(_candidates(*fields, around=anchor), anchor)
            else:
                options = _candidates(*fields, around=newer)
                not_after = [c for c in options if c <= newer + _YEAR_SLACK]
                when = max(not_after) if not_after else _closest(options, newer)
            newer = when
        except (UnusableTime, OverflowError) as exc:
            reason = exc.reason if isinstance(exc, UnusableTime) else "a time is out of range"
            drops.add("update", update_id(entry_id, raw, index), f"{reason} (in entry {entry_id})")
        placed.append(when)
    return placed


def schedule(
    body: str, anchor: datetime, fallback: timedelta | None
) -> tuple[datetime | None, datetime | None]:
    found = _SCHEDULE_HEAD.search(body)
    if found is None:
        return None, None
    h1, m1 = (int(p) for p in found["t1"].split(":"))
    offset = _zone_offset(found["z2"] or found["z1"], fallback)
    start_fields = (_month(found["m1"]), int(found["d1"]), h1, m1)
    start = _closest(_candidates(*start_fields, offset, around=anchor), anchor)
    h2, m2 = (int(p) for p in found["t2"].split(":"))
    if found["m2"]:
        end_fields = (_month(found["m2"]), int(found["d2"]), h2, m2)
    else:
        end_fields = (start_fields[0], start_fields[1], h2, m2)
    ends = [c for c in _candidates(*end_fields, offset, around=start) if c >= start]
    return start, (min(ends) if ends else None)


def resolved_at(updates: tuple[IncidentUpdate, ...]) -> datetime | None:
    """The oldest terminal label in the run of terminal/"update" labels at the top."""
    resolved: datetime | None = None
    for update in updates:
        if update.status in TERMINAL_STATUSES:
            resolved = update.at
        elif update.status != "update":
            break
    return resolved
