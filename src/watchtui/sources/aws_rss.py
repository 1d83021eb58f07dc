"""AWS status RSS (``status.aws.amazon.com/rss/<service>-<region>.rss`` and ``rss/all.rss``).

Each ``<item>`` is one UPDATE, not an incident.  Its guid names the service feed and the update's
own time: ``http://status.aws.amazon.com/#ec2-us-east-1_1488319860`` (slug + epoch seconds of the
``pubDate``).  Decisions:

* Updates are grouped by slug and walked oldest to newest; an update after a resolved one starts a
  new incident, so "[RESOLVED] A" followed by "Informational message: B" is two incidents.  An item
  whose guid has no slug is an incident of its own.
* The title prefix carries the severity: "Informational message" and "Performance issues" are
  ``minor``, "Service disruption" (and the newer "Service impact") ``major``; an unknown prefix
  counts as ``minor`` (AWS posted it, so something is wrong).  "Service is operating normally",
  a "Resolved:" prefix or a "[RESOLVED]" tag anywhere (AWS also writes "Informational message:
  [RESOLVED] …") resolve the incident.  An incident's impact is the worst of its updates (``minor``
  when it only ever had a resolving message).
* No lifecycle words: open incidents and their updates are ``investigating``, resolving updates
  ``resolved``.  ``resolved_at`` is the resolving update's time.
* Region: the slug's tail when it is a region code (known to ``domain.regions``, or shaped like
  one, so a new region is kept rather than dropped); global services (``billingconsole``) have none.
  ``Incident.components`` holds the service part of the slug (``ec2``): the feed has no names.
* Incident id: ``<slug>_<epoch of its first update>``, stable while that update stays in the feed.
* Components (listing ``derived``): one per slug of an OPEN incident (id ``ec2-us-east-1``, name
  ``ec2``, its region), status from the incident's impact (minor -> degraded, major ->
  partial_outage).  A service whose incidents are all resolved is not listed: it has recovered.
* An item whose date cannot be read is left out (recorded in ``Snapshot.dropped`` as an update);
  a ``lastBuildDate`` that cannot be read is treated as absent.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from xml.etree.ElementTree import Element

from watchtui.domain import regions
from watchtui.domain.model import (
    Component,
    ComponentStatus,
    Impact,
    Incident,
    IncidentUpdate,
    Snapshot,
    worst_impact,
    worst_status,
)
from watchtui.domain.text import NAME_MAX, clean_line, html_to_text
from watchtui.sources._common import (
    Drops,
    Headers,
    UnusableTime,
    guard,
    load_xml,
    parse_epoch,
    safe_url,
)
from watchtui.sources.rss import channel_of, child_text, fallback_id, rss_date

KIND = "aws-rss"

_GUID = re.compile(r"#(?P<slug>[A-Za-z0-9][A-Za-z0-9._-]{0,120}?)_(?P<epoch>\d{9,11})\s*$")
_REGION_SHAPE = re.compile(r"^[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$")
_RESOLVED_TAG = re.compile(r"\[\s*resolved\s*\]", re.IGNORECASE)
_PREFIX = re.compile(r"^\s*(?P<prefix>[A-Za-z][A-Za-z ]{1,40}?)\s*:\s*(?P<rest>.*)$", re.DOTALL)

_RESOLVING_PREFIXES = frozenset({"service is operating normally", "resolved"})
_SEVERITIES: dict[str, Impact] = {
    "informational message": "minor",
    "performance issues": "minor",
    "performance issue": "minor",
    "service disruption": "major",
    "service impact": "major",
}


@dataclass(frozen=True)
class _Update:
    slug: str | None
    key: str
    at: datetime
    title: str
    resolves: bool
    impact: Impact | None
    text: str
    url: str | None
    position: int


def _read_title(raw: str) -> tuple[str, bool, Impact | None]:
    """(title without prefixes and tags, resolves?, severity) from an AWS item title."""
    title = raw
    resolves = bool(_RESOLVED_TAG.search(title))
    impact: Impact | None = None
    for _ in range(3):  # "Resolved: Informational message: …" nests prefixes
        match = _PREFIX.match(title)
        if match is None:
            break
        prefix = " ".join(match["prefix"].split()).lower()
        if prefix in _RESOLVING_PREFIXES:
            resolves = True
        elif prefix in _SEVERITIES:
            impact = _SEVERITIES[prefix]
        else:
            break
        title = match["rest"]
    title = clean_line(_RESOLVED_TAG.sub("", title))
    return title, resolves, impact


def _update(item: Element, position: int, drops: Drops) -> _Update | None:
    guid = clean_line(child_text(item, "guid"), 300)
    match = _GUID.search(guid)
    raw_title = clean_line(child_text(item, "title"))
    with drops.item("update", guid or raw_title):
        at = rss_date(item, "pubDate") or (
            parse_epoch(match["epoch"], field="guid time") if match else None
        )
        if at is None:
            raise UnusableTime.missing("pubDate or dated guid")
        return _read_update(item, guid, match, raw_title, at, position)
    return None


def _read_update(
    item: Element,
    guid: str,
    match: re.Match[str] | None,
    raw_title: str,
    at: datetime,
    position: int,
) -> _Update:
    title, resolves, impact = _read_title(raw_title)
    return _Update(
        slug=match["slug"] if match else None,
        key=f"{match['slug']}_{match['epoch']}" if match else guid or fallback_id(raw_title, at),
        at=at,
        title=title or raw_title,
        resolves=resolves,
        impact=impact,
        text=html_to_text(child_text(item, "description")),
        url=safe_url(child_text(item, "link")),
        position=position,
    )


def _service_and_region(slug: str | None) -> tuple[str | None, str | None]:
    if not slug:
        return None, None
    parts = slug.split("-")
    # Longest tail first: region codes contain dashes, service slugs rarely do.
    for cut in range(1, len(parts)):
        tail = "-".join(parts[cut:]).lower()
        known = regions.lookup("aws", tail)
        if (known is not None and known.code.lower() == tail) or _REGION_SHAPE.match(tail):
            return "-".join(parts[:cut]), tail
    return slug, None


def _group(updates: list[_Update]) -> list[list[_Update]]:
    """Incidents as lists of updates, oldest first."""
    by_slug: dict[str, list[_Update]] = defaultdict(list)
    singles: list[list[_Update]] = []
    for update in updates:
        if update.slug is None:
            singles.append([update])
        else:
            by_slug[update.slug].append(update)
    groups: list[list[_Update]] = []
    for series in by_slug.values():
        # The feed lists newest first, so among equal times the later item is the older one.
        series.sort(key=lambda u: (u.at, -u.position))
        for update in series:
            if not groups or groups[-1][0].slug != update.slug or groups[-1][-1].resolves:
                groups.append([])
            groups[-1].append(update)
    return groups + singles


def _incident(group: list[_Update]) -> Incident:
    first, newest = group[0], group[-1]
    service, region = _service_and_region(first.slug)
    status = "resolved" if newest.resolves else "investigating"
    impacts = [u.impact for u in group if u.impact is not None]
    return Incident(
        id=first.key,
        title=next((u.title for u in reversed(group) if u.title), first.key),
        status=status,
        impact=worst_impact(impacts) if impacts else "minor",
        started_at=first.at,
        updated_at=newest.at,
        resolved_at=newest.at if newest.resolves else None,
        url=next((u.url for u in reversed(group) if u.url), None),
        components=(clean_line(service, NAME_MAX),) if service else (),
        regions=(region,) if region else (),
        updates=_updates(group),
    )


def _updates(group: list[_Update]) -> tuple[IncidentUpdate, ...]:
    """Newest first; a guid AWS reused within one incident gets a suffix so ids stay unique."""
    seen: dict[str, int] = {}
    made: list[IncidentUpdate] = []
    for update in group:
        seen[update.key] = seen.get(update.key, 0) + 1
        suffix = f"#{seen[update.key]}" if seen[update.key] > 1 else ""
        made.append(
            IncidentUpdate(
                id=update.key + suffix,
                at=update.at,
                status="resolved" if update.resolves else "investigating",
                text=update.text,
            )
        )
    return tuple(reversed(made))


_IMPACT_STATUS: dict[Impact, ComponentStatus] = {"minor": "degraded", "major": "partial_outage"}


def _components(pairs: list[tuple[str | None, Incident]]) -> tuple[Component, ...]:
    """One component per slug named by an open incident, with the worst status they imply."""
    statuses: dict[str, list[ComponentStatus]] = {}
    found: dict[str, Component] = {}
    for slug, incident in pairs:
        service, region = _service_and_region(slug)
        if slug is None or service is None or not incident.is_open:
            continue
        statuses.setdefault(slug, []).append(_IMPACT_STATUS.get(incident.impact, "unknown"))
        found.setdefault(
            slug,
            Component(
                id=clean_line(slug, NAME_MAX),
                name=clean_line(service, NAME_MAX),
                regions=(region,) if region else (),
            ),
        )
    return tuple(
        component.model_copy(update={"status": worst_status(statuses[slug])})
        for slug, component in found.items()
    )


def _last_build(channel: Element) -> datetime | None:
    try:
        return rss_date(channel, "lastBuildDate")
    except UnusableTime:
        return None


def parse(data: bytes, headers: Headers | None = None) -> Snapshot:
    with guard(KIND):
        channel = channel_of(load_xml(data, KIND), KIND)
        drops = Drops()
        read = (_update(item, n, drops) for n, item in enumerate(channel.findall("item")))
        updates = [u for u in read if u is not None]
        pairs = [(group[0].slug, _incident(group)) for group in _group(updates)]
        incidents = sorted((i for _, i in pairs), key=lambda i: i.updated_at, reverse=True)
        return Snapshot(
            kind=KIND,
            page_name=clean_line(child_text(channel, "title")) or None,
            page_url=safe_url(child_text(channel, "link")),
            updated_at=_last_build(channel),
            components=_components(pairs),
            component_listing="derived",
            incidents=tuple(incidents),
            dropped=drops.as_tuple(),
        )
