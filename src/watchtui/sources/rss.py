"""Generic RSS 2.0 and Atom feeds, with special knowledge of Statuspage ``history.atom/.rss``.

Every ``<item>``/``<entry>`` becomes one incident.  The helpers at the top (``channel_of``,
``child_text``, ``rss_date``) are shared with the Azure and AWS RSS parsers.

Statuspage history feeds carry each incident's updates only as HTML paragraphs::

    <p><small>Feb <var data-var='date'> 8</var>, <var data-var='time'>09:00</var> UTC</small>
    <br><strong>Resolved</strong> - text</p>

newest first, with no year and in the page's time zone (``UTC``, ``PST``/``PDT`` …).  Decisions:

* Only a ``<small>`` timestamp directly followed by a ``<strong>`` holding a known status word
  starts an update; ``<strong>Impact</strong>``, ``<strong>Required Action</strong>`` … stay inside
  the update text.
* The year comes from the entry: the newest update takes the year that puts it closest to the
  entry's ``<updated>`` (``<pubDate>`` in RSS), which handles Dec→Jan rollover and maintenances
  whose ``<published>`` lies in the future; each older update then takes the latest year that does
  not put it after its newer neighbour (a day of slack for sloppy ordering).
* The zone abbreviation is resolved from a table; an unknown one falls back to the offset the
  entry's own timestamps carry (Statuspage writes them in the page's zone), else UTC.
* Statuspage labels an update "Update" when its status did not change, so the incident's status is
  the newest label that is not "Update" (an incident with only "Update" labels has status
  ``update``).  It is closed when that status is resolved/completed/postmortem; ``resolved_at`` is
  the oldest terminal label of the run at the top, so a later postmortem does not move the
  resolution time.
* An entry with any Scheduled/In progress/Verifying/Completed label is a maintenance (impact
  ``maintenance``, in ``Snapshot.maintenances``); its window comes from the ``THIS IS A SCHEDULED
  EVENT <start> - <end>`` header when present.  Incidents get impact ``minor``: the feed never says
  how bad, and an open incident must not look like nothing.
* Entries without recognisable labels (any other feed): one update with the entry text.  An
  operator wants "what is going on now", not every post ever made, so such an entry is closed at its
  own date when its title says resolved/completed (or its body says "has been resolved" …), open if
  it is the newest entry in the feed, and otherwise closed at its own date (superseded by newer
  posts).  Its status is ``resolved`` when the words say so, else ``update``.
* Entries without any date are skipped (nothing to place them in time); duplicate ids keep the
  first entry.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from xml.etree.ElementTree import Element

from watchtui.domain.errors import FeedError
from watchtui.domain.model import (
    Incident,
    IncidentUpdate,
    Maintenance,
    Snapshot,
)
from watchtui.domain.text import BODY_MAX, clean_line, clean_text, html_to_text
from watchtui.sources._common import (
    Headers,
    guard,
    load_xml,
    parse_iso,
    parse_rfc822,
    safe_url,
)

KIND = "rss"

ATOM = "{http://www.w3.org/2005/Atom}"
_CONTENT_ENCODED = "{http://purl.org/rss/1.0/modules/content/}encoded"

# --------------------------------------------------------------------------------------------
# Shared XML helpers (also used by azure and aws_rss)


def channel_of(root: Element, kind: str) -> Element:
    """The ``<channel>`` of an RSS 2.0 document; anything else is not the feed we expected."""
    if root.tag != "rss":
        raise FeedError(kind, f"not an RSS feed (root element {clean_line(root.tag, 60)!r})")
    channel = root.find("channel")
    if channel is None:
        raise FeedError(kind, "RSS feed without a <channel>")
    return channel


def child_text(element: Element, tag: str) -> str | None:
    child = element.find(tag)
    if child is None or child.text is None:
        return None
    return child.text


def rss_date(element: Element, tag: str) -> datetime | None:
    return parse_rfc822(child_text(element, tag))


def fallback_id(*parts: object) -> str:
    """A stable id for an item that has none of its own."""
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode("utf-8")).hexdigest()
    return f"sha256:{digest[:20]}"


def unique_by_id(items: Iterable[Incident]) -> list[Incident]:
    seen: set[str] = set()
    kept: list[Incident] = []
    for item in items:
        if item.id not in seen:
            seen.add(item.id)
            kept.append(item)
    return kept


# --------------------------------------------------------------------------------------------
# Reading entries


@dataclass(frozen=True)
class _Entry:
    id: str
    title: str
    url: str | None
    published: datetime | None
    updated: datetime | None
    # Offset the entry's own timestamps were written in (Statuspage uses the page's zone).
    offset: timedelta | None
    body: str
    body_is_html: bool

    @property
    def when(self) -> datetime | None:
        return self.published or self.updated

    @property
    def anchor(self) -> datetime | None:
        """Best guess of when the entry last changed: what update years are placed around."""
        return self.updated or self.published


@dataclass(frozen=True)
class _Feed:
    title: str | None
    url: str | None
    updated: datetime | None
    entries: list[_Entry]


def _raw_offset_iso(value: str | None) -> timedelta | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.utcoffset()


def _first_offset(*values: str | None) -> timedelta | None:
    offsets = (_raw_offset_iso(v) for v in values)
    return next((o for o in offsets if o is not None), None)


def _raw_offset_rfc822(value: str | None) -> timedelta | None:
    if not value:
        return None
    try:
        return parsedate_to_datetime(value.strip()).utcoffset()
    except (TypeError, ValueError, IndexError):
        return None


def _read_rss(channel: Element) -> _Feed:
    entries = [_rss_entry(item) for item in channel.findall("item")]
    updated = rss_date(channel, "lastBuildDate") or rss_date(channel, "pubDate")
    return _Feed(
        title=child_text(channel, "title"),
        url=safe_url(child_text(channel, "link")),
        updated=updated,
        entries=entries,
    )


def _rss_entry(item: Element) -> _Entry:
    title = clean_line(child_text(item, "title"))
    link = safe_url(child_text(item, "link"))
    guid_el = item.find("guid")
    guid = clean_line(guid_el.text) if guid_el is not None and guid_el.text else ""
    if link is None and guid_el is not None and guid_el.get("isPermaLink", "true") != "false":
        link = safe_url(guid)
    raw_date = child_text(item, "pubDate")
    published = parse_rfc822(raw_date)
    body = child_text(item, _CONTENT_ENCODED) or child_text(item, "description") or ""
    return _Entry(
        id=guid or (link or "") or fallback_id(title, raw_date),
        title=title,
        url=link,
        published=published,
        updated=None,
        offset=_raw_offset_rfc822(raw_date),
        body=body,
        body_is_html=True,
    )


def _atom_link(element: Element) -> str | None:
    links = element.findall(f"{ATOM}link")
    preferred = [link for link in links if link.get("rel", "alternate") == "alternate"]
    for link in preferred or links:
        url = safe_url(link.get("href"))
        if url:
            return url
    return None


def _read_atom(root: Element) -> _Feed:
    return _Feed(
        title=child_text(root, f"{ATOM}title"),
        url=_atom_link(root),
        updated=parse_iso(child_text(root, f"{ATOM}updated")),
        entries=[_atom_entry(entry) for entry in root.findall(f"{ATOM}entry")],
    )


def _atom_entry(entry: Element) -> _Entry:
    title = clean_line(child_text(entry, f"{ATOM}title"))
    link = _atom_link(entry)
    raw_published = child_text(entry, f"{ATOM}published")
    raw_updated = child_text(entry, f"{ATOM}updated")
    content = entry.find(f"{ATOM}content")
    if content is None:
        content = entry.find(f"{ATOM}summary")
    body, is_html = _atom_body(content)
    return _Entry(
        id=clean_line(child_text(entry, f"{ATOM}id"))
        or (link or "")
        or fallback_id(title, raw_published, raw_updated),
        title=title,
        url=link,
        published=parse_iso(raw_published),
        updated=parse_iso(raw_updated),
        offset=_first_offset(raw_published, raw_updated),
        body=body,
        body_is_html=is_html,
    )


def _atom_body(content: Element | None) -> tuple[str, bool]:
    if content is None:
        return "", False
    kind = content.get("type", "text").lower()
    if kind == "xhtml":
        return _serialise_xhtml(content), True
    return content.text or "", kind in ("html", "text/html")


def _serialise_xhtml(element: Element) -> str:
    """Inline XHTML back to an HTML string (namespace prefixes dropped) for ``html_to_text``."""
    parts: list[str] = [html.escape(element.text or "")]
    for child in element:
        tag = child.tag.rsplit("}", 1)[-1]
        parts.append(f"<{tag}>{_serialise_xhtml(child)}</{tag}>")
        parts.append(html.escape(child.tail or ""))
    return "".join(parts)


# --------------------------------------------------------------------------------------------
# Statuspage update paragraphs

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
_MAINTENANCE_STATUSES = frozenset({"scheduled", "in_progress", "verifying", "completed"})
_TERMINAL_STATUSES = frozenset({"resolved", "completed", "postmortem"})

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
class _RawUpdate:
    status: str
    month: int
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
        raise ValueError(f"unknown month {name[:3]!r}")
    return month


def _split_updates(body: str, fallback: timedelta | None) -> list[_RawUpdate]:
    """Update paragraphs, newest first as the feed lists them; empty when there are none."""
    heads = [m for m in _UPDATE_HEAD.finditer(body) if _label_status(m["label"]) is not None]
    updates: list[_RawUpdate] = []
    for index, head in enumerate(heads):
        end = heads[index + 1].start() if index + 1 < len(heads) else len(body)
        text = html_to_text(body[head.end() : end])
        updates.append(
            _RawUpdate(
                status=_label_status(head["label"]) or "update",
                month=_month(head["month"]),
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
        except ValueError:  # 29 February in a common year
            continue
        found.append(local.astimezone(UTC))
    if not found:
        raise ValueError(f"impossible date {month}/{day}")
    return found


def _closest(candidates: list[datetime], anchor: datetime) -> datetime:
    return min(candidates, key=lambda c: abs(c - anchor))


def _place_updates(raw: list[_RawUpdate], anchor: datetime) -> list[datetime]:
    placed: list[datetime] = []
    for update in raw:
        fields = (update.month, update.day, update.hour, update.minute, update.offset)
        if not placed:
            placed.append(_closest(_candidates(*fields, around=anchor), anchor))
            continue
        newer = placed[-1]
        options = _candidates(*fields, around=newer)
        not_after = [c for c in options if c <= newer + _YEAR_SLACK]
        placed.append(max(not_after) if not_after else _closest(options, newer))
    return placed


def _schedule(
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


# --------------------------------------------------------------------------------------------
# Entries to incidents


def _labelled(entry: _Entry, raw: list[_RawUpdate]) -> Incident:
    anchor = entry.anchor
    if anchor is None:
        raise ValueError("entry without a date")
    times = _place_updates(raw, anchor)
    updates = tuple(
        IncidentUpdate(
            id=f"{entry.id}#{len(raw) - index}", at=at, status=update.status, text=update.text
        )
        for index, (update, at) in enumerate(zip(raw, times, strict=True))
    )
    status = next((u.status for u in updates if u.status != "update"), "update")
    maintenance = any(u.status in _MAINTENANCE_STATUSES for u in updates)
    incident = Incident(
        id=entry.id,
        title=entry.title,
        status=status,
        impact="maintenance" if maintenance else "minor",
        started_at=min(times),
        updated_at=max([*times, *([entry.updated] if entry.updated else [])]),
        resolved_at=_resolved_at(updates) if status in _TERMINAL_STATUSES else None,
        url=entry.url,
        updates=updates,
    )
    if not maintenance:
        return incident
    start, end = _schedule(entry.body, entry.published or anchor, entry.offset)
    return Maintenance(**incident.model_dump(), scheduled_for=start, scheduled_until=end)


def _resolved_at(updates: tuple[IncidentUpdate, ...]) -> datetime | None:
    """The oldest terminal label in the run of terminal/"update" labels at the top."""
    resolved: datetime | None = None
    for update in updates:
        if update.status in _TERMINAL_STATUSES:
            resolved = update.at
        elif update.status != "update":
            break
    return resolved


_RESOLVED_TITLE = re.compile(r"\b(?:resolved|completed)\b", re.IGNORECASE)
_RESOLVED_BODY = re.compile(
    r"\b(?:has|have) been (?:resolved|completed|fixed|restored|mitigated)\b"
    r"|\bis (?:now )?(?:resolved|fixed)\b|^\s*\[?(?:resolved|completed)\b",
    re.IGNORECASE,
)


def _generic(entry: _Entry, when: datetime, is_newest: bool) -> Incident:
    text = html_to_text(entry.body) if entry.body_is_html else clean_text(entry.body, BODY_MAX)
    says_resolved = bool(_RESOLVED_TITLE.search(entry.title) or _RESOLVED_BODY.search(text))
    is_open = not says_resolved and is_newest
    status = "resolved" if says_resolved else "update"
    updated = max(when, entry.updated or when)
    return Incident(
        id=entry.id,
        title=entry.title,
        status=status,
        impact="minor",
        started_at=when,
        updated_at=updated,
        resolved_at=None if is_open else when,
        url=entry.url,
        updates=(IncidentUpdate(id=f"{entry.id}#1", at=when, status=status, text=text),),
    )


def _recency(entry: _Entry) -> datetime | None:
    return max((d for d in (entry.published, entry.updated) if d is not None), default=None)


def _incidents(entries: list[_Entry]) -> list[Incident]:
    newest = max((r for r in map(_recency, entries) if r is not None), default=None)
    result: list[Incident] = []
    for entry in entries:
        when = entry.when
        if when is None:
            continue
        raw = _split_updates(entry.body, entry.offset) if entry.body_is_html else []
        if raw:
            result.append(_labelled(entry, raw))
        else:
            result.append(_generic(entry, when, _recency(entry) == newest))
    return unique_by_id(result)


def _read(root: Element) -> _Feed:
    if root.tag == f"{ATOM}feed":
        return _read_atom(root)
    if root.tag != "rss":
        raise FeedError(KIND, f"neither RSS 2.0 nor Atom (root {clean_line(root.tag, 60)!r})")
    return _read_rss(channel_of(root, KIND))


def parse(data: bytes, headers: Headers | None = None) -> Snapshot:
    with guard(KIND):
        feed = _read(load_xml(data, KIND))
        items = _incidents(feed.entries)
        return Snapshot(
            kind=KIND,
            page_name=clean_line(feed.title) or None,
            page_url=feed.url,
            updated_at=feed.updated,
            incidents=tuple(i for i in items if not isinstance(i, Maintenance)),
            maintenances=tuple(i for i in items if isinstance(i, Maintenance)),
        )
