"""What every demo encoder shares: the response type, content types, JSON and the providers'
date formats (spelled out by hand so the bytes do not depend on the locale)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

JSON = "application/json; charset=utf-8"
# AWS names no charset: the BOM is the only thing that says UTF-16.
AWS_JSON = "application/json"
RSS = "application/rss+xml; charset=utf-8"
HTML = "text/html; charset=utf-8"
TEXT = "text/plain; charset=utf-8"

# Slack writes its timestamps in Pacific time.
PACIFIC = timezone(timedelta(hours=-7))

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_LONG_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


@dataclass(frozen=True, slots=True)
class Payload:
    """One response of the demo server.  ``fault`` marks a deliberately broken response."""

    body: bytes
    content_type: str
    status: int = 200
    fault: bool = False


def json_bytes(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def iso_ms(t: datetime) -> str:
    return f"{t:%Y-%m-%dT%H:%M:%S}.{t.microsecond // 1000:03d}Z"


def iso_offset(t: datetime) -> str:
    return f"{t:%Y-%m-%dT%H:%M:%S}+00:00"


def rfc822(t: datetime, zone: str) -> str:
    return f"{_DAYS[t.weekday()]}, {t.day:02d} {MONTHS[t.month - 1]} {t.year} {t:%H:%M:%S} {zone}"


def hm(t: datetime) -> str:
    return f"{t:%H:%M} UTC"


def long_date(t: datetime) -> str:
    return f"{t.day} {_LONG_MONTHS[t.month - 1]}, {t.year}"
