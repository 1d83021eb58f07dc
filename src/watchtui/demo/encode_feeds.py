"""The feed encoders: Slack's status API (current and history) and a Statuspage ``history.rss``
(Demo Deploy's, which serves a 503 page or a browser challenge instead at two steps)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from xml.sax.saxutils import escape

from watchtui.demo.clock import StoryClock
from watchtui.demo.story_clouds import (
    DEPLOY_FAULTS,
    DEPLOY_FEED_TITLE,
    DEPLOY_PAST,
    DEPLOY_POSTS,
    DEPLOY_QUIET_SINCE,
    DEPLOY_TITLE,
    HTML_503,
    HTML_CHALLENGE,
    SLACK_BEGAN_AGO,
    SLACK_ENDED_AGO,
    SLACK_FIRST_NOTE,
    SLACK_INCIDENT_TITLE,
    SLACK_LAST_NOTE,
    SLACK_SERVICES,
    DeployPast,
)
from watchtui.demo.wire import HTML, JSON, MONTHS, PACIFIC, RSS, Payload, json_bytes, rfc822

# --- Slack status API -------------------------------------------------------------------------


def slack_current_payload(clock: StoryClock) -> Payload:
    body = {
        "status": "ok",
        "date_created": (clock.start - SLACK_BEGAN_AGO).astimezone(PACIFIC).isoformat(),
        "date_updated": (clock.start - SLACK_ENDED_AGO).astimezone(PACIFIC).isoformat(),
        "active_incidents": [],
    }
    return Payload(json_bytes(body), JSON)


def slack_history_payload(clock: StoryClock) -> Payload:
    began = (clock.start - SLACK_BEGAN_AGO).astimezone(PACIFIC).isoformat()
    ended = (clock.start - SLACK_ENDED_AGO).astimezone(PACIFIC).isoformat()
    incident_id = int(clock.token("demo-chat", "incident", length=4), 36) % 9000 + 1000
    body = [
        {
            "id": incident_id,
            "date_created": began,
            "date_updated": ended,
            "title": SLACK_INCIDENT_TITLE,
            "type": "incident",
            "status": "resolved",
            "url": f"https://status.demo-chat.example/incidents/{incident_id}",
            "services": list(SLACK_SERVICES),
            "notes": [
                {"date_created": ended, "body": SLACK_LAST_NOTE},
                {"date_created": began, "body": SLACK_FIRST_NOTE},
            ],
        }
    ]
    return Payload(json_bytes(body), JSON)


# --- Demo Deploy: Statuspage-style history.rss, sometimes broken --------------------------------


def deploy_payload(clock: StoryClock, step: int) -> Payload:
    fault = DEPLOY_FAULTS.get(step)
    if fault == "503":
        return Payload(HTML_503, HTML, status=503, fault=True)
    if fault == "challenge":
        return Payload(HTML_CHALLENGE, HTML, fault=True)
    items = [_past_item(clock, past) for past in DEPLOY_PAST]
    posts = [p for p in DEPLOY_POSTS if p[0] <= step]
    newest = clock.start - DEPLOY_QUIET_SINCE
    if posts:
        times = [clock.event(p[0], 0.4) for p in posts]
        newest = times[-1]
        paragraphs = [(at, label, text) for (_, label, text), at in zip(posts, times, strict=True)]
        items.insert(0, _item(clock, "usw-deploys", DEPLOY_TITLE, paragraphs))
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">\n'
        "  <channel>\n"
        f"    <title>{DEPLOY_FEED_TITLE}</title>\n"
        "    <link>https://status.demo-deploy.example</link>\n"
        "    <description>Statuspage</description>\n"
        f"    <pubDate>{rfc822(newest, '+0000')}</pubDate>\n"
        f"{''.join(items)}"
        "  </channel>\n"
        "</rss>\n"
    )
    return Payload(body.encode("utf-8"), RSS)


def _past_item(clock: StoryClock, past: DeployPast) -> str:
    began = clock.start - past.began_ago
    updates = [(began + offset, label, text) for offset, label, text in past.updates]
    return _item(clock, past.key, past.title, updates)


def _item(
    clock: StoryClock, key: str, title: str, paragraphs: Iterable[tuple[datetime, str, str]]
) -> str:
    ordered = sorted(paragraphs, key=lambda p: p[0], reverse=True)
    html = "".join(
        f"<p><small>{MONTHS[at.month - 1]} <var data-var='date'>{at.day:>2}</var>, "
        f"<var data-var='time'>{at:%H:%M}</var> UTC</small><br><strong>{label}</strong> - "
        f"{escape(text)}</p>"
        for at, label, text in ordered
    )
    link = f"https://status.demo-deploy.example/incidents/{clock.token('demo-deploy', key)}"
    return (
        "    <item>\n"
        f"      <title>{escape(title)}</title>\n"
        f"      <description>\n{escape(html)}      </description>\n"
        f"      <pubDate>{rfc822(ordered[0][0], '+0000')}</pubDate>\n"
        f"      <link>{link}</link>\n"
        f"      <guid>{link}</guid>\n"
        "    </item>\n"
    )
