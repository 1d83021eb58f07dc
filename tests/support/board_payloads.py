"""Payload builders in the providers' own wire formats, for the UI test board (``board.py``).

Each builder returns what the provider serves, in the shape ``watchtui.sources`` reads: Atlassian
Statuspage v2 JSON (``summary.json``, ``incidents.json``), Google Cloud's ``incidents.json``, the
AWS Health Dashboard's ``currentevents`` (UTF-16BE with a byte-order mark, as AWS serves it), the
Azure status RSS feed and a plain Atom feed.  Text is passed through as given (escaped for XML
where the format needs it), so hostile titles reach the parsers exactly as a provider would send
them.
"""

from __future__ import annotations

import codecs
import json
import zlib
from collections.abc import Iterable, Sequence
from datetime import datetime
from email.utils import format_datetime
from typing import Any
from xml.sax.saxutils import escape

JSON = "application/json; charset=utf-8"
RSS = "application/rss+xml; charset=utf-8"
ATOM = "application/atom+xml; charset=utf-8"

Row = dict[str, Any]


def iso(moment: datetime) -> str:
    """Statuspage's timestamp form: ``2026-07-29T11:35:00.000Z``."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def google_time(moment: datetime) -> str:
    """Google's timestamp form: ``2026-07-29T11:20:00+00:00``."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S+00:00")


def epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def rfc822(moment: datetime) -> str:
    return format_datetime(moment, usegmt=True)


# --- Atlassian Statuspage v2 ---------------------------------------------------------------


def sp_page(page_id: str, name: str, url: str, updated: datetime) -> Row:
    return {
        "id": page_id,
        "name": name,
        "url": url,
        "time_zone": "Etc/UTC",
        "updated_at": iso(updated),
    }


def sp_component(
    component_id: str,
    name: str,
    status: str = "operational",
    *,
    group_id: str | None = None,
    position: int = 1,
) -> Row:
    return {
        "id": component_id,
        "name": name,
        "status": status,
        "created_at": "2024-01-01T00:00:00.000Z",
        "updated_at": "2026-07-01T00:00:00.000Z",
        "position": position,
        "description": None,
        "showcase": False,
        "start_date": None,
        "group_id": group_id,
        "page_id": "page",
        "group": False,
        "only_show_if_degraded": False,
    }


def sp_group(group_id: str, name: str, children: Sequence[str], *, position: int = 1) -> Row:
    return {
        "id": group_id,
        "name": name,
        "status": "operational",
        "created_at": "2024-01-01T00:00:00.000Z",
        "updated_at": "2026-07-01T00:00:00.000Z",
        "position": position,
        "description": None,
        "showcase": False,
        "start_date": None,
        "group_id": None,
        "page_id": "page",
        "group": True,
        "only_show_if_degraded": False,
        "components": list(children),
    }


def sp_update(
    update_id: str,
    at: datetime,
    status: str,
    body: str,
    *,
    affected: Iterable[tuple[str, str, str]] = (),
) -> Row:
    """One ``incident_updates`` entry; ``affected``: (component id, name, new status)."""
    return {
        "id": update_id,
        "status": status,
        "body": body,
        "incident_id": "",
        "created_at": iso(at),
        "updated_at": iso(at),
        "display_at": iso(at),
        "affected_components": [
            {"code": code, "name": name, "old_status": "operational", "new_status": new}
            for code, name, new in affected
        ]
        or None,
        "deliver_notifications": True,
        "custom_tweet": None,
        "tweet_id": None,
    }


def sp_incident(
    incident_id: str,
    name: str,
    *,
    status: str,
    impact: str,
    created: datetime,
    updates: Sequence[Row],
    resolved: datetime | None = None,
    components: Sequence[Row] = (),
    page_url: str = "",
    scheduled_for: datetime | None = None,
    scheduled_until: datetime | None = None,
) -> Row:
    """An incident (or, with ``scheduled_for``, a scheduled maintenance); updates newest first."""
    newest = max((datetime.fromisoformat(u["display_at"]) for u in updates), default=created)
    row: Row = {
        "id": incident_id,
        "name": name,
        "status": status,
        "created_at": iso(created),
        "updated_at": iso(max(newest, resolved or newest)),
        "monitoring_at": None,
        "resolved_at": None if resolved is None else iso(resolved),
        "impact": impact,
        "shortlink": f"{page_url}/incidents/{incident_id}",
        "started_at": iso(created),
        "page_id": "page",
        "incident_updates": list(updates),
        "components": list(components),
    }
    if scheduled_for is not None:
        row["scheduled_for"] = iso(scheduled_for)
        row["scheduled_until"] = None if scheduled_until is None else iso(scheduled_until)
        row["scheduled_remind_prior"] = False
        row["scheduled_auto_in_progress"] = True
        row["scheduled_auto_completed"] = True
    return row


def sp_summary(
    page: Row,
    components: Sequence[Row],
    *,
    incidents: Sequence[Row] = (),
    maintenances: Sequence[Row] = (),
    indicator: str = "none",
    description: str = "All Systems Operational",
) -> bytes:
    return json.dumps(
        {
            "page": page,
            "components": list(components),
            "incidents": list(incidents),
            "scheduled_maintenances": list(maintenances),
            "status": {"indicator": indicator, "description": description},
        }
    ).encode()


def sp_incidents(page: Row, incidents: Sequence[Row]) -> bytes:
    return json.dumps({"page": page, "incidents": list(incidents)}).encode()


# --- Google Cloud incidents.json -------------------------------------------------------------


def gcp_location(code: str, title: str) -> Row:
    return {"title": title, "id": code}


def gcp_update(at: datetime, status: str, text: str, locations: Sequence[Row] = ()) -> Row:
    stamp = google_time(at)
    return {
        "created": stamp,
        "modified": stamp,
        "when": stamp,
        "text": text,
        "status": status,
        "affected_locations": list(locations),
    }


def gcp_incident(
    incident_id: str,
    description: str,
    *,
    begin: datetime,
    updates: Sequence[Row],
    product: tuple[str, str],
    severity: str,
    status_impact: str,
    end: datetime | None = None,
    locations: Sequence[Row] = (),
) -> Row:
    """One incident; ``updates`` newest first; ``product``: (id, title)."""
    newest = updates[0]["modified"] if updates else google_time(begin)
    product_id, title = product
    return {
        "id": incident_id,
        "number": str(zlib.crc32(incident_id.encode())),
        "begin": google_time(begin),
        "created": google_time(begin),
        "end": None if end is None else google_time(end),
        "modified": google_time(end) if end is not None else newest,
        "external_desc": description,
        "updates": list(updates),
        "most_recent_update": updates[0] if updates else None,
        "status_impact": status_impact,
        "severity": severity,
        "service_key": product_id,
        "service_name": title,
        "affected_products": [{"title": title, "id": product_id}],
        "uri": f"incidents/{incident_id}",
        "currently_affected_locations": [] if end is not None else list(locations),
        "previously_affected_locations": list(locations) if end is not None else [],
    }


def gcp_feed(incidents: Sequence[Row]) -> bytes:
    """The whole feed, newest incident first, as Google lists it."""
    return json.dumps(list(incidents), indent=1).encode()


# --- AWS Health Dashboard currentevents -----------------------------------------------------


def aws_log(at: datetime, status: int, message: str, summary: str) -> Row:
    return {"summary": summary, "message": message, "status": status, "timestamp": epoch(at)}


def aws_event(
    arn: str,
    summary: str,
    *,
    date: datetime,
    status: str,
    service: str,
    service_name: str,
    region_name: str,
    log: Sequence[Row],
    impacted: dict[str, tuple[str, str]],
    end_time: datetime | None = None,
) -> Row:
    """One event; ``log`` oldest first (as AWS lists it); ``impacted``: slug -> (name, code)."""
    event: Row = {
        "date": str(epoch(date)),
        "arn": arn,
        "region_name": region_name,
        "status": status,
        "service": service,
        "service_name": service_name,
        "summary": summary,
        "event_log": list(log),
        "impacted_services": {
            slug: {"service_name": name, "current": code, "max": code}
            for slug, (name, code) in impacted.items()
        },
    }
    if end_time is not None:
        event["end_time"] = str(epoch(end_time))
    return event


def aws_feed(events: Sequence[Row]) -> bytes:
    """The array of open events, UTF-16BE with a byte-order mark, as AWS serves it."""
    return codecs.BOM_UTF16_BE + json.dumps(list(events), ensure_ascii=False).encode("utf-16-be")


# --- Azure status RSS and a plain Atom feed -------------------------------------------------


def azure_item(
    guid: str, title: str, description: str, published: datetime, categories: Sequence[str]
) -> str:
    tags = "".join(f"<category>{escape(c)}</category>" for c in categories)
    return (
        f'<item><guid isPermaLink="false">{escape(guid)}</guid>'
        "<link>https://azure.status.microsoft/en-us/status/</link>"
        f"{tags}<title>{escape(title)}</title>"
        f"<description>{escape(description)}</description>"
        f"<pubDate>{rfc822(published)}</pubDate></item>"
    )


def azure_feed(items: Sequence[str], built: datetime) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<rss xmlns:a10="http://www.w3.org/2005/Atom" version="2.0"><channel>'
        "<title>Azure Status</title>"
        "<link>https://azure.status.microsoft/en-us/status/</link>"
        "<description>Azure Status</description><language>en-us</language>"
        f"<lastBuildDate>{rfc822(built)}</lastBuildDate>{''.join(items)}</channel></rss>"
    ).encode()


def atom_entry(entry_id: str, title: str, html: str, published: datetime, link: str) -> str:
    stamp = google_time(published)
    return (
        f"<entry><title>{escape(title)}</title>"
        f'<link rel="alternate" href="{escape(link)}"/><id>{escape(entry_id)}</id>'
        f"<published>{stamp}</published><updated>{stamp}</updated>"
        f'<content type="html">{escape(html)}</content></entry>'
    )


def atom_feed(title: str, link: str, updated: datetime, entries: Sequence[str]) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>{escape(title)}</title>"
        f'<link href="{escape(link)}"/><id>urn:watchtui:{escape(title)}</id>'
        f"<updated>{google_time(updated)}</updated>{''.join(entries)}</feed>"
    ).encode()
