"""Generic RSS 2.0 and Atom feeds, with special knowledge of Statuspage ``history.atom/.rss``.

Every ``<item>``/``<entry>`` becomes one incident.  The helpers at the top (``channel_of``,
``child_text``, ``rss_date``) are shared with the Azure and AWS RSS parsers.

Statuspage history feeds carry each incident's updates only as HTML paragraphs::

    <p><small>Feb <var data-var='date'> 8</var>, <var data-var='time'>09:00</var> UTC</small>
    <br><strong>Resolved</strong> - text</p>

newest first, with no year and in the page's time zone (``UTC``, ``PST``/``PDT`` …); they are read
by ``watchtui.sources.rss_history``.  Decisions:

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
* An entry without a usable date, or none of whose update paragraphs can be placed in time, is
  left out and recorded in ``Snapshot.dropped`` (a single paragraph that cannot be placed loses
  only itself); a feed-level date that cannot be read counts as absent.  Duplicate ids merge as
  ``watchtui.domain.vetting`` merges them (an open copy wins, then the newest).
* Component listing ``none``: entries name no components, so the feed says nothing about any.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
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
from watchtui.domain.vetting import merge_duplicates
from watchtui.sources._common import (
    DroppedWhat,
    Drops,
    Headers,
    UnusableTime,
    guard,
    load_xml,
    parse_iso,
    parse_rfc822,
    safe_url,
)
from watchtui.sources.rss_history import (
    MAINTENANCE_STATUSES,
    TERMINAL_STATUSES,
    RawUpdate,
    place_updates,
    resolved_at,
    schedule,
    split_updates,
    update_id,
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
    """The element's RFC 822 date; ``UnusableTime`` naming ``tag`` when it cannot be read."""
    return parse_rfc822(child_text(element, tag), tag)


def fallback_id(*parts: object) -> str:
    """A stable id for an item that has none of its own."""
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode("utf-8")).hexdigest()
    return f"sha256:{digest[:20]}"


def unique_by_id(items: Iterable[Incident]) -> list[Incident]:
    """One item per id by the same rule ``vet`` applies (an open copy wins, then the newest), so
    a resolved duplicate can never hide an open one here either."""
    return merge_duplicates(list(items))


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


def _read_rss(channel: Element, drops: Drops) -> _Feed:
    read = (_rss_entry(item, drops) for item in channel.findall("item"))
    entries = [e for e in read if e is not None]
    updated = _feed_date(lambda: rss_date(channel, "lastBuildDate")) or _feed_date(
        lambda: rss_date(channel, "pubDate")
    )
    return _Feed(
        title=child_text(channel, "title"),
        url=safe_url(child_text(channel, "link")),
        updated=updated,
        entries=entries,
    )


def _rss_entry(item: Element, drops: Drops) -> _Entry | None:
    title = clean_line(child_text(item, "title"))
    link = safe_url(child_text(item, "link"))
    guid_el = item.find("guid")
    guid = clean_line(guid_el.text) if guid_el is not None and guid_el.text else ""
    if link is None and guid_el is not None and guid_el.get("isPermaLink", "true") != "false":
        link = safe_url(guid)
    raw_date = child_text(item, "pubDate")
    entry_id = guid or (link or "") or fallback_id(title, raw_date)
    with drops.item("incident", entry_id):
        published = parse_rfc822(raw_date, "pubDate")
        body = child_text(item, _CONTENT_ENCODED) or child_text(item, "description") or ""
        return _Entry(
            id=entry_id,
            title=title,
            url=link,
            published=published,
            updated=None,
            offset=_raw_offset_rfc822(raw_date),
            body=body,
            body_is_html=True,
        )
    return None


def _atom_link(element: Element) -> str | None:
    links = element.findall(f"{ATOM}link")
    preferred = [link for link in links if link.get("rel", "alternate") == "alternate"]
    for link in preferred or links:
        url = safe_url(link.get("href"))
        if url:
            return url
    return None


def _read_atom(root: Element, drops: Drops) -> _Feed:
    read = (_atom_entry(entry, drops) for entry in root.findall(f"{ATOM}entry"))
    return _Feed(
        title=child_text(root, f"{ATOM}title"),
        url=_atom_link(root),
        updated=_feed_date(lambda: parse_iso(child_text(root, f"{ATOM}updated"), "updated")),
        entries=[e for e in read if e is not None],
    )


def _atom_entry(entry: Element, drops: Drops) -> _Entry | None:
    title = clean_line(child_text(entry, f"{ATOM}title"))
    link = _atom_link(entry)
    raw_published = child_text(entry, f"{ATOM}published")
    raw_updated = child_text(entry, f"{ATOM}updated")
    entry_id = (
        clean_line(child_text(entry, f"{ATOM}id"))
        or (link or "")
        or fallback_id(title, raw_published, raw_updated)
    )
    with drops.item("incident", entry_id):
        published = parse_iso(raw_published, "published")
        updated = parse_iso(raw_updated, "updated")
        content = entry.find(f"{ATOM}content")
        if content is None:
            content = entry.find(f"{ATOM}summary")
        body, is_html = _atom_body(content)
        return _Entry(
            id=entry_id,
            title=title,
            url=link,
            published=published,
            updated=updated,
            offset=_first_offset(raw_published, raw_updated),
            body=body,
            body_is_html=is_html,
        )
    return None


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
# Entries to incidents


def _labelled(entry: _Entry, raw: list[RawUpdate], anchor: datetime, drops: Drops) -> Incident:
    placed = place_updates(raw, anchor, entry.id, drops)
    updates = tuple(
        IncidentUpdate(
            id=update_id(entry.id, raw, index), at=at, status=update.status, text=update.text
        )
        for index, (update, at) in enumerate(zip(raw, placed, strict=True))
        if at is not None
    )
    if not updates:
        raise UnusableTime("no update date could be placed")
    times = [u.at for u in updates]
    status = next((u.status for u in updates if u.status != "update"), "update")
    maintenance = any(u.status in MAINTENANCE_STATUSES for u in updates)
    incident = Incident(
        id=entry.id,
        title=entry.title,
        status=status,
        impact="maintenance" if maintenance else "minor",
        started_at=min(times),
        updated_at=max([*times, *([entry.updated] if entry.updated else [])]),
        resolved_at=resolved_at(updates) if status in TERMINAL_STATUSES else None,
        url=entry.url,
        updates=updates,
    )
    if not maintenance:
        return incident
    start, end = schedule(entry.body, entry.published or anchor, entry.offset)
    return Maintenance(**incident.model_dump(), scheduled_for=start, scheduled_until=end)


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


def _incidents(entries: list[_Entry], drops: Drops) -> list[Incident]:
    newest = max((r for r in map(_recency, entries) if r is not None), default=None)
    result: list[Incident] = []
    for entry in entries:
        when, anchor = entry.when, entry.anchor
        raw = split_updates(entry.body, entry.offset) if entry.body_is_html else []
        what: DroppedWhat = (
            "maintenance" if any(u.status in MAINTENANCE_STATUSES for u in raw) else "incident"
        )
        with drops.item(what, entry.id):
            if when is None or anchor is None:
                raise UnusableTime.missing("published/updated")
            if raw:
                result.append(_labelled(entry, raw, anchor, drops))
            else:
                result.append(_generic(entry, when, _recency(entry) == newest))
    return unique_by_id(result)


def _read(root: Element, drops: Drops) -> _Feed:
    if root.tag == f"{ATOM}feed":
        return _read_atom(root, drops)
    if root.tag != "rss":
        raise FeedError(KIND, f"neither RSS 2.0 nor Atom (root {clean_line(root.tag, 60)!r})")
    return _read_rss(channel_of(root, KIND), drops)


def _feed_date(read: Callable[[], datetime | None]) -> datetime | None:
    """The feed's own date is optional metadata: one that cannot be read counts as absent."""
    try:
        return read()
    except UnusableTime:
        return None


def parse(data: bytes, headers: Headers | None = None) -> Snapshot:
    with guard(KIND):
        drops = Drops()
        feed = _read(load_xml(data, KIND), drops)
        items = _incidents(feed.entries, drops)
        return Snapshot(
            kind=KIND,
            page_name=clean_line(feed.title) or None,
            page_url=feed.url,
            updated_at=feed.updated,
            # Entries name no components, so this feed says nothing about any.
            component_listing="none",
            incidents=tuple(i for i in items if not isinstance(i, Maintenance)),
            maintenances=tuple(i for i in items if isinstance(i, Maintenance)),
            dropped=drops.as_tuple(),
        )
