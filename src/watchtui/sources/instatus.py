"""Instatus public ``<page>/summary.json``.

Shape (instatus.com/help/api/public-data and a real capture): ``page {name, url, status}``,
``activeIncidents[] {id, name, started, status, impact, url, updatedAt}``, ``activeMaintenances[]
{id, name, start, status, duration, url, updatedAt}``.  The documented example has no ``id`` or
``updatedAt``, gives ``duration`` as a string of minutes and dates in JavaScript's
``Date.toString()`` form (``Sat Jun 11 2022 18:55:50 GMT+0000 (Coordinated Universal Time)``);
real pages send ISO 8601.  Both are read; a missing id is taken from the URL's last segment.

Mapping decisions (one table for component-like words, then ``impact_for_status``):

* OPERATIONAL -> operational, UNDERMAINTENANCE -> maintenance, DEGRADEDPERFORMANCE -> degraded,
  PARTIALOUTAGE and MINOROUTAGE -> partial_outage, MAJOROUTAGE -> major_outage.
* page.status: UP -> none, HASISSUES -> minor (issues of unstated size), UNDERMAINTENANCE ->
  maintenance, and ``ALL|SOME|ONE`` + one of the words above -> that word's impact (so
  ONEMAJOROUTAGE -> critical, like a Statuspage page with one component in major outage).  The
  description spells the code out ("One major outage").  An unknown code -> ``unknown``.
* Incident impact = its ``impact`` word through the table (a word outside it -> ``unknown``, no
  impact given -> minor); status = the lower-cased status word; RESOLVED closes it at
  ``updatedAt`` (else ``started``).
* Maintenance: NOTSTARTEDYET -> scheduled, INPROGRESS -> in_progress, COMPLETED -> completed
  (closed at ``updatedAt``, else the planned end); ``scheduled_until`` = start + duration minutes.
* summary.json lists no components and no updates, so neither is produced (component listing
  ``none``).
* An incident or maintenance whose time (or duration) cannot be read is left out and recorded in
  ``Snapshot.dropped``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from watchtui.domain.errors import FeedError
from watchtui.domain.model import (
    ComponentStatus,
    Impact,
    Incident,
    Maintenance,
    PageStatus,
    Snapshot,
    impact_for_status,
)
from watchtui.domain.text import NAME_MAX, clean_line
from watchtui.sources._common import (
    Drops,
    Headers,
    UnusableTime,
    expect_dict,
    expect_list,
    guard,
    load_json,
    parse_iso,
    safe_url,
)

KIND = "instatus"

_WORDS: dict[str, ComponentStatus] = {
    "OPERATIONAL": "operational",
    "UNDERMAINTENANCE": "maintenance",
    "DEGRADEDPERFORMANCE": "degraded",
    "PARTIALOUTAGE": "partial_outage",
    "MINOROUTAGE": "partial_outage",
    "MAJOROUTAGE": "major_outage",
}
_WORD_TEXT = {
    "OPERATIONAL": "operational",
    "UNDERMAINTENANCE": "under maintenance",
    "DEGRADEDPERFORMANCE": "degraded performance",
    "PARTIALOUTAGE": "partial outage",
    "MINOROUTAGE": "minor outage",
    "MAJOROUTAGE": "major outage",
}
_PAGE_PLAIN: dict[str, tuple[Impact, str]] = {
    "UP": ("none", "All systems operational"),
    "HASISSUES": ("minor", "Some systems have issues"),
    "UNDERMAINTENANCE": ("maintenance", "Under maintenance"),
}
_SCOPES = ("ALL", "SOME", "ONE")
_MAINTENANCE_STATUS = {
    "NOTSTARTEDYET": "scheduled",
    "INPROGRESS": "in_progress",
    "COMPLETED": "completed",
}
# JavaScript Date.prototype.toString(): "Sat Jun 11 2022 18:55:50 GMT+0000 (Coordinated …)".
_JS_DATE = re.compile(
    r"^[A-Za-z]{3} ([A-Za-z]{3}) (\d{1,2}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT([+-])(\d{2})(\d{2})"
)
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def parse(data: bytes, headers: Headers | None = None) -> Snapshot:
    with guard(KIND):
        root = expect_dict(load_json(data, KIND, headers), KIND, "payload")
        if "page" not in root:
            raise FeedError(KIND, "no page object")
        page = expect_dict(root["page"], KIND, "page")
        drops = Drops()
        incidents: list[Incident] = []
        for raw in expect_list(root.get("activeIncidents"), KIND, "activeIncidents"):
            row = expect_dict(raw, KIND, "incident")
            url = safe_url(row.get("url"))
            with drops.item("incident", _event_id(row, url)):
                incidents.append(_incident(row, url))
        maintenances: list[Maintenance] = []
        for raw in expect_list(root.get("activeMaintenances"), KIND, "activeMaintenances"):
            row = expect_dict(raw, KIND, "maintenance")
            url = safe_url(row.get("url"))
            with drops.item("maintenance", _event_id(row, url)):
                maintenances.append(_maintenance(row, url))
        return Snapshot(
            kind=KIND,
            page_name=clean_line(page.get("name"), NAME_MAX) or None,
            page_url=safe_url(page.get("url")),
            page_status=_page_status(page.get("status")),
            component_listing="none",
            incidents=tuple(incidents),
            maintenances=tuple(maintenances),
            dropped=drops.as_tuple(),
        )


def _code(value: Any) -> str:
    return clean_line(value).upper().replace("_", "").replace(" ", "")


def _page_status(value: Any) -> PageStatus:
    code = _code(value)
    if code in _PAGE_PLAIN:
        indicator, description = _PAGE_PLAIN[code]
        return PageStatus(indicator=indicator, description=description)
    for scope in _SCOPES:
        word = code.removeprefix(scope)
        if code.startswith(scope) and word in _WORDS:
            text = f"{scope.capitalize()} {_WORD_TEXT[word]}"
            return PageStatus(indicator=impact_for_status(_WORDS[word]), description=text)
    if not code:
        return PageStatus()
    # A status we cannot read is still a claim.
    return PageStatus(indicator="unknown", description=clean_line(value))


def _instant(value: Any, field: str) -> datetime | None:
    if isinstance(value, str) and (match := _JS_DATE.match(value.strip())):
        month, day, year, hour, minute, second, sign, off_h, off_m = match.groups()
        offset = timedelta(hours=int(off_h), minutes=int(off_m)) * (1 if sign == "+" else -1)
        try:
            local = datetime(
                int(year),
                _MONTHS.index(month.lower()) + 1,
                int(day),
                int(hour),
                int(minute),
                int(second),
                tzinfo=UTC,
            )
            return local - offset
        except (ValueError, OverflowError) as exc:  # "Feb 30", an unknown month, year 0
            raise UnusableTime.bad(field, value) from exc
    return parse_iso(value, field)


def _event_id(raw: dict[str, Any], url: str | None) -> str:
    value = raw.get("id")
    if isinstance(value, (str, int)) and not isinstance(value, bool) and value != "":
        return clean_line(value, NAME_MAX)
    tail = url.rstrip("/").rsplit("/", 1)[-1] if url else ""
    if not tail:
        raise FeedError(KIND, "entry with neither an id nor a url")
    return clean_line(tail, NAME_MAX)


def _impact(value: Any) -> Impact:
    if value is None or value == "":
        return impact_for_status("degraded")  # an incident of unstated size is still trouble
    status = _WORDS.get(_code(value)) if isinstance(value, str) else None
    return impact_for_status(status) if status is not None else "unknown"


def _incident(raw: dict[str, Any], url: str | None) -> Incident:
    started = _instant(raw.get("started"), "started")
    updated = _instant(raw.get("updatedAt"), "updatedAt")
    if started is None:
        raise UnusableTime.missing("started")
    word = _code(raw.get("status"))
    updated_at = max(updated or started, started)
    return Incident(
        id=_event_id(raw, url),
        title=clean_line(raw.get("name")),
        status=word.lower() or "investigating",
        impact=_impact(raw.get("impact")),
        started_at=started,
        updated_at=updated_at,
        resolved_at=updated_at if word == "RESOLVED" else None,
        url=url,
    )


def _maintenance(raw: dict[str, Any], url: str | None) -> Maintenance:
    start = _instant(raw.get("start"), "start")
    if start is None:
        raise UnusableTime.missing("start")
    end = _end(start, raw.get("duration"))
    updated = _instant(raw.get("updatedAt"), "updatedAt")
    code = _code(raw.get("status"))
    status = _MAINTENANCE_STATUS.get(code, code.lower() or "scheduled")
    updated_at = max(updated or start, start)
    return Maintenance(
        id=_event_id(raw, url),
        title=clean_line(raw.get("name")),
        status=status,
        impact="maintenance",
        started_at=start,
        updated_at=updated_at,
        resolved_at=(updated or end or start) if status == "completed" else None,
        url=url,
        scheduled_for=start,
        scheduled_until=end,
    )


def _end(start: datetime, duration: Any) -> datetime | None:
    if duration is None or duration == "" or isinstance(duration, bool):
        return None
    try:
        return start + timedelta(minutes=float(duration))
    except (TypeError, ValueError, OverflowError) as exc:  # "soon", NaN, or past year 9999
        raise UnusableTime(
            f"duration '{clean_line(str(duration), 40)}' gives no usable end"
        ) from exc
