"""Azure status RSS (``azure.status.microsoft/en-us/status/feed/``).

The feed lists only what is current: every ``<item>`` is an active incident and a channel with no
items is Azure's "all clear".  Decisions, all forced by what the feed does not say:

* No severity: Azure puts only significant, multi-customer issues on this feed (smaller ones go to
  Service Health in the portal), so every item is impact ``major``.
* No lifecycle: every item is status ``investigating`` and open; a resolved issue simply leaves the
  feed.
* ``<category>`` mixes services and regions with nothing marking which is which: a value is a
  region when ``domain.regions`` knows it as an Azure region ("West US"), otherwise a service
  (``Incident.components``).  When no category is a region, region names spelled in the title are
  used.  Regions are kept as the feed spells them.
* ``pubDate`` stays at the first publication while the text keeps changing, so ``updated_at`` is
  the later of ``pubDate`` and the channel's ``lastBuildDate``.
* Components (listing ``derived``): the feed has no per-service status and names services only
  while they are affected, so each service an item names is a component in ``partial_outage``
  (what impact ``major`` implies), with the regions of the items naming it.  A service that
  leaves the feed is not listed, which a derived listing reads as recovered.
* Page status: ``none``/"All clear" for an empty channel, otherwise ``major`` (the same reading
  as the items): the feed's presence of items is its only claim.
* An item whose ``pubDate`` cannot be read is left out (recorded in ``Snapshot.dropped``); a
  ``lastBuildDate`` that cannot be read is treated as absent.
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import cache
from xml.etree.ElementTree import Element

from watchtui.domain import regions
from watchtui.domain.model import (
    Component,
    ComponentStatus,
    Incident,
    IncidentUpdate,
    PageStatus,
    Snapshot,
)
from watchtui.domain.text import NAME_MAX, clean_line, html_to_text
from watchtui.sources._common import Drops, Headers, UnusableTime, guard, load_xml, safe_url
from watchtui.sources.rss import channel_of, child_text, fallback_id, rss_date, unique_by_id

KIND = "azure"

_STATUS = "investigating"
# Every item is impact major; this is the component status that implies it.
_COMPONENT_STATUS: ComponentStatus = "partial_outage"


def _categories(item: Element) -> list[str]:
    values: list[str] = []
    for category in item.findall("category"):
        value = clean_line(category.text, NAME_MAX)
        if value and value not in values:
            values.append(value)
    return values


@cache
def _region_pattern() -> re.Pattern[str]:
    # Longest names first so "West US 2" wins over "West US".
    names = sorted({r.name for r in regions.all_regions("azure")}, key=len, reverse=True)
    alternatives = "|".join(re.escape(name).replace(r"\ ", r"\s+") for name in names)
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])", re.IGNORECASE)


def _regions_in_title(title: str) -> list[str]:
    found: list[str] = []
    for match in _region_pattern().finditer(title):
        value = clean_line(match.group(0), NAME_MAX)
        if value not in found:
            found.append(value)
    return found


def _incident(item: Element, built: datetime | None) -> Incident:
    title = clean_line(child_text(item, "title"))
    published = rss_date(item, "pubDate")
    started = published or built
    if started is None:
        raise UnusableTime.missing("pubDate (nor a channel lastBuildDate)")
    updated = max(started, built) if built else started
    categories = _categories(item)
    item_regions = [c for c in categories if regions.lookup("azure", c) is not None]
    services = tuple(c for c in categories if c not in item_regions)
    if not item_regions:
        item_regions = _regions_in_title(title)
    incident_id = clean_line(child_text(item, "guid")) or fallback_id(title, published)
    return Incident(
        id=incident_id,
        title=title,
        status=_STATUS,
        impact="major",
        started_at=started,
        updated_at=updated,
        url=safe_url(child_text(item, "link")),
        components=services,
        regions=tuple(item_regions),
        updates=(
            IncidentUpdate(
                id=incident_id,
                at=updated,
                status=_STATUS,
                text=html_to_text(child_text(item, "description")),
            ),
        ),
    )


def _page_status(count: int) -> PageStatus:
    if count == 0:
        return PageStatus(indicator="none", description="All clear")
    noun = "issue" if count == 1 else "issues"
    return PageStatus(indicator="major", description=f"{count} active {noun}")


def _components(incidents: list[Incident]) -> tuple[Component, ...]:
    regions_of: dict[str, dict[str, None]] = {}
    for incident in incidents:
        if incident.is_open:
            for service in incident.components:
                regions_of.setdefault(service, {}).update(dict.fromkeys(incident.regions))
    return tuple(
        Component(id=name, name=name, status=_COMPONENT_STATUS, regions=tuple(found))
        for name, found in regions_of.items()
    )


def _last_build(channel: Element) -> datetime | None:
    try:
        return rss_date(channel, "lastBuildDate")
    except UnusableTime:
        return None


def parse(data: bytes, headers: Headers | None = None) -> Snapshot:
    with guard(KIND):
        channel = channel_of(load_xml(data, KIND), KIND)
        built = _last_build(channel)
        drops = Drops()
        read: list[Incident] = []
        for item in channel.findall("item"):
            name = clean_line(child_text(item, "guid")) or clean_line(child_text(item, "title"))
            with drops.item("incident", name):
                read.append(_incident(item, built))
        incidents = unique_by_id(read)
        return Snapshot(
            kind=KIND,
            page_name=clean_line(child_text(channel, "title")) or None,
            page_url=safe_url(child_text(channel, "link")),
            updated_at=built,
            page_status=_page_status(len(incidents)),
            components=_components(incidents),
            component_listing="derived",
            incidents=tuple(incidents),
            dropped=drops.as_tuple(),
        )
