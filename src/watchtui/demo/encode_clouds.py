"""The cloud encoders: the AWS Health ``currentevents`` array (UTF-16BE with a BOM), Google
Cloud's ``incidents.json`` and Azure's status RSS channel, each at one step of the story."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any
from xml.sax.saxutils import escape

from watchtui.demo.clock import StoryClock
from watchtui.demo.story_clouds import (
    AWS_DROPPED_AT,
    AWS_EVENT_SUMMARY,
    AWS_POSTS,
    AWS_REGION,
    AWS_REGION_NAME,
    AWS_SERVICES,
    AZURE_CLEAR,
    AZURE_FEED_TITLE,
    AZURE_GUID,
    AZURE_OPEN,
    AZURE_OPEN_TEXT,
    AZURE_REGION,
    AZURE_SERVICES_OPEN,
    AZURE_SERVICES_UPDATE,
    AZURE_TITLE,
    AZURE_UPDATE,
    AZURE_UPDATE_TEXT,
    GCP_DESCRIPTION,
    GCP_INCIDENT_KEY,
    GCP_LOCATION,
    GCP_PAST,
    GCP_POSTS,
    GCP_PRODUCTS,
    GCP_RESOLVED,
    AwsPost,
    GcpPast,
    GcpPost,
)
from watchtui.demo.wire import (
    AWS_JSON,
    JSON,
    RSS,
    Payload,
    hm,
    iso_offset,
    json_bytes,
    long_date,
    rfc822,
)

# --- AWS Health currentevents ---------------------------------------------------------------------


def aws_payload(clock: StoryClock, step: int) -> Payload:
    posts = [p for p in AWS_POSTS if p.step <= step]
    events = [_aws_event(clock, posts)] if posts and step < AWS_DROPPED_AT else []
    text = json.dumps(events, ensure_ascii=False, separators=(",", ":"))
    return Payload(b"\xfe\xff" + text.encode("utf-16-be"), AWS_JSON)


def _aws_event(clock: StoryClock, posts: list[AwsPost]) -> dict[str, Any]:
    times = [clock.event(p.step, 0.7) for p in posts]
    current: dict[str, str] = {}
    worst: dict[str, str] = {}
    changes = []
    for post, at in zip(posts, times, strict=True):
        for slug, new in post.services:
            old = current.get(slug, "0")
            current[slug] = new
            worst[slug] = max(worst.get(slug, "0"), new)
            changes.append(
                {
                    "service": f"{slug}-{AWS_REGION}",
                    "service_name": AWS_SERVICES[slug],
                    "previous_status": old,
                    "current_status": new,
                    "timestamp": int(at.timestamp()) * 1000,
                }
            )
    token = clock.token("demo-aws", "event", length=16).upper()
    event: dict[str, Any] = {
        "date": str(int(times[0].timestamp())),
        "arn": f"arn:aws:health:{AWS_REGION}::event/MULTIPLE_SERVICES/"
        f"AWS_MULTIPLE_SERVICES_OPERATIONAL_ISSUE/AWS_MULTIPLE_SERVICES_OPERATIONAL_ISSUE_"
        f"DEMO_{token}",
        "region_name": AWS_REGION_NAME,
        "status": str(posts[-1].status),
        "service": f"multipleservices-{AWS_REGION}",
        "service_name": "Multiple services",
        "summary": AWS_EVENT_SUMMARY,
    }
    if posts[-1].status == 0:
        event["end_time"] = str(int(times[-1].timestamp()))
    event["event_log"] = [
        {
            "summary": post.summary,
            "message": post.message.format(began=hm(times[0]), at=hm(at)),
            "status": post.status,
            "timestamp": int(at.timestamp()),
        }
        for post, at in zip(posts, times, strict=True)
    ]
    event["impacted_services"] = {
        f"{slug}-{AWS_REGION}": {
            "service_name": AWS_SERVICES[slug],
            "current": status,
            "max": worst[slug],
        }
        for slug, status in current.items()
    }
    event["impacted_service_status_changes"] = changes
    return event


# --- Google Cloud incidents.json ------------------------------------------------------------------


def gcp_payload(clock: StoryClock, step: int) -> Payload:
    incidents = [_gcp_past(clock, past) for past in GCP_PAST]
    posts = [p for p in GCP_POSTS if p.step <= step]
    if posts:
        incidents.insert(0, _gcp_incident(clock, posts))
    return Payload(json_bytes(incidents), JSON)


def _gcp_incident(clock: StoryClock, posts: list[GcpPost]) -> dict[str, Any]:
    incident_id = clock.token("demo-gcp", "incident", GCP_INCIDENT_KEY, length=20, upper=True)
    began = clock.event(1, 0.9)
    times = [clock.event(p.step, 0.45) for p in posts]
    closed = posts[-1].closes
    products = [*GCP_PRODUCTS, *(product for p in posts for product in p.adds_products)]
    names = ", ".join(t for _, t in products[:-1]) + f" and {products[-1][1]}"
    updates = [
        _gcp_update(
            at,
            p.status,
            GCP_LOCATION,
            p.text.format(
                names=names,
                began_date=long_date(began),
                began=hm(began),
                next_update=hm(at + timedelta(minutes=30)),
                date=long_date(at),
                time=hm(at),
            ),
        )
        for p, at in zip(posts, times, strict=True)
    ]
    updates.reverse()
    escalated = any(p.status == "SERVICE_OUTAGE" for p in posts)
    worst = "SERVICE_OUTAGE" if escalated else "SERVICE_DISRUPTION"
    incident: dict[str, Any] = {
        "id": incident_id,
        "number": str(int(clock.token("demo-gcp", "number", length=12), 36))[:19],
        "begin": iso_offset(began),
        "created": iso_offset(times[0]),
    }
    if closed:
        incident["end"] = iso_offset(times[-1])
    incident.update(
        {
            "modified": iso_offset(times[-1] + timedelta(seconds=1)),
            "external_desc": GCP_DESCRIPTION,
            "updates": updates,
            "most_recent_update": updates[0],
            "status_impact": worst,
            "severity": "high" if escalated else "medium",
            "service_key": "zall",
            "service_name": "Multiple Products",
            "affected_products": [{"title": t, "id": i} for i, t in products],
            "uri": f"https://status.demo-gcp.example/incidents/{incident_id}",
            "currently_affected_locations": [] if closed else [dict(GCP_LOCATION)],
            "previously_affected_locations": [dict(GCP_LOCATION)] if closed else [],
        }
    )
    return incident


def _gcp_update(at: datetime, status: str, location: dict[str, str], text: str) -> dict[str, Any]:
    return {
        "created": iso_offset(at),
        "modified": iso_offset(at + timedelta(seconds=1)),
        "when": iso_offset(at),
        "text": text,
        "status": status,
        "affected_locations": [dict(location)],
    }


def _gcp_past(clock: StoryClock, past: GcpPast) -> dict[str, Any]:
    incident_id = clock.token("demo-gcp", "incident", past.key, length=20, upper=True)
    began = clock.start - timedelta(days=past.days_ago)
    ended = began + timedelta(minutes=past.minutes)
    product_id, product = past.product
    resolved = GCP_RESOLVED.format(names=product, date=long_date(ended), time=hm(ended))
    first_update = _gcp_update(began, "SERVICE_INFORMATION", past.location, past.first)
    last_update = _gcp_update(ended, "AVAILABLE", past.location, resolved)
    return {
        "id": incident_id,
        "number": str(int(clock.token("demo-gcp", "number", past.key, length=12), 36))[:19],
        "begin": iso_offset(began),
        "created": iso_offset(began + timedelta(minutes=4)),
        "end": iso_offset(ended),
        "modified": iso_offset(ended + timedelta(seconds=1)),
        "external_desc": past.description,
        "updates": [last_update, first_update],
        "most_recent_update": last_update,
        "status_impact": "SERVICE_INFORMATION",
        "severity": "low",
        "service_key": product_id,
        "service_name": product,
        "affected_products": [{"title": product, "id": product_id}],
        "uri": f"https://status.demo-gcp.example/incidents/{incident_id}",
        "currently_affected_locations": [],
        "previously_affected_locations": [dict(past.location)],
    }


# --- Azure status RSS -------------------------------------------------------------------------


def azure_payload(clock: StoryClock, step: int) -> Payload:
    if step >= AZURE_CLEAR:
        built = clock.event(AZURE_CLEAR, 0.3)
        items = ""
    elif step >= AZURE_OPEN:
        built = clock.event(AZURE_UPDATE if step >= AZURE_UPDATE else AZURE_OPEN, 0.3)
        items = _azure_item(clock, step)
    else:
        built = clock.start - timedelta(hours=2, minutes=6, seconds=13)
        items = ""
    body = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<rss xmlns:a10="http://www.w3.org/2005/Atom"\n  version="2.0">\n'
        '  <channel xmlns:slash="http://purl.org/rss/1.0/modules/slash/" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:wfw="http://wellformedweb.org/CommentAPI/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/">\n'
        f"    <title>{AZURE_FEED_TITLE}</title>\n"
        "    <link>https://status.demo-azure.example/en-us/status/</link>\n"
        f"    <description>{AZURE_FEED_TITLE}</description>\n"
        "    <language>en-us</language>\n"
        f"    <lastBuildDate>{rfc822(built, 'Z')}</lastBuildDate>\n"
        f"{items}"
        "  </channel>\n"
        "</rss>"
    )
    return Payload(body.encode("utf-8"), RSS)


def _azure_item(clock: StoryClock, step: int) -> str:
    opened = clock.event(AZURE_OPEN, 0.3)
    services = list(AZURE_SERVICES_OPEN)
    paragraphs = [AZURE_OPEN_TEXT.format(time=hm(opened), date=long_date(opened))]
    if step >= AZURE_UPDATE:
        services += AZURE_SERVICES_UPDATE
        paragraphs.append(AZURE_UPDATE_TEXT)
    description = "".join(f"<p>{p}</p>" for p in paragraphs)
    categories = "".join(
        f"      <category>{escape(c)}</category>\n" for c in [*services, AZURE_REGION]
    )
    return (
        "    <item>\n"
        f'      <guid\n        isPermaLink="false">{AZURE_GUID}</guid>\n'
        "      <link>https://status.demo-azure.example/en-us/status/</link>\n"
        f"{categories}"
        f"      <title>{escape(AZURE_TITLE)}</title>\n"
        f"      <description>{escape(description)}</description>\n"
        # Azure never moves pubDate when it updates an item.
        f"      <pubDate>{rfc822(opened, 'Z')}</pubDate>\n"
        "    </item>\n"
    )
