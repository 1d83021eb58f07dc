"""Guessing a payload's kind from its bytes, for ``--kind auto`` and ``sources add`` without a kind.

Cheap and structural: it looks at top-level keys and root elements, never at provider names.
"""

from __future__ import annotations

import re
from typing import Any

from watchtui.domain.errors import FeedError
from watchtui.sources._common import decode_text, load_json, load_xml

_XML_START = re.compile(r"^\s*(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*<", re.DOTALL)


def sniff_kind(data: bytes) -> str:
    text = decode_text(data, "auto")
    if _XML_START.match(text):
        return _sniff_xml(data)
    payload = load_json(data, "auto")
    kind = _sniff_json(payload)
    if kind is None:
        raise FeedError("auto", "could not recognise this payload's format; pass --kind")
    return kind


def _sniff_xml(data: bytes) -> str:
    root = load_xml(data, "auto")
    if root.tag.endswith("feed"):
        return "rss"
    generator = root.findtext("channel/generator") or ""
    title = root.findtext("channel/title") or ""
    link = root.findtext("channel/link") or ""
    if "AWS Service Health Dashboard" in generator or "Amazon Web Services" in title:
        return "aws-rss"
    if "azure" in link.lower() or title.strip().lower().startswith("azure"):
        return "azure"
    return "rss"


def _sniff_json(payload: Any) -> str | None:
    if isinstance(payload, list):
        return _sniff_json_list(payload)
    if not isinstance(payload, dict):
        return None
    keys = set(payload)
    if "activeIncidents" in keys or "activeMaintenances" in keys:
        return "instatus"
    if "page" in keys and keys & {
        "components",
        "incidents",
        "incident",
        "scheduled_maintenances",
        "status",
    }:
        page = payload.get("page")
        if isinstance(page, dict) and isinstance(page.get("id"), str) and len(page["id"]) == 26:
            # incident.io's compatible API uses 26-character ULIDs where Statuspage uses 12.
            return "incidentio"
        return "statuspage"
    if "active_incidents" in keys:
        return "slack"
    if "archive" in keys and "current" in keys:
        return "aws"
    if isinstance(payload.get("result"), dict) and "status_overall" in payload["result"]:
        return "statusio"
    if isinstance(payload.get("data"), dict) and payload["data"].get("type") == "status_page":
        return "betterstack"
    if "status" in keys and "scheduled" in keys and ("issues" in keys or "incidents" in keys):
        return "heroku"
    if isinstance(payload.get("incidents"), list) and _first_has(
        payload["incidents"], "incidentUpdates", "lastUpdateStatus"
    ):
        return "checkly"
    if ("summary" in keys and isinstance(payload.get("summary"), dict)) or "layout" in keys:
        return "pagerduty"
    return None


def _first_has(items: list[Any], *keys: str) -> bool:
    first = next((i for i in items if isinstance(i, dict)), None)
    return first is not None and any(k in first for k in keys)


def _sniff_json_list(items: list[Any]) -> str | None:
    first = next((i for i in items if isinstance(i, dict)), None)
    if first is None:
        # An empty array is what AWS currentevents says when all is clear.
        return "aws" if not items else None
    keys = set(first)
    if {"external_desc", "begin"} <= keys or "affected_products" in keys:
        return "gcp"
    if "arn" in keys or "event_log" in keys or "event_type_code" in keys:
        return "aws"
    if "incidentUpdates" in keys or "lastUpdateStatus" in keys:
        return "checkly"
    if "notes" in keys and "services" in keys:
        return "slack"
    return None
