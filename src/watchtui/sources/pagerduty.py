"""PagerDuty-hosted status pages: ``<page>/api/data`` (status.pagerduty.com, GitHub's regional
Enterprise Cloud pages au./jp./us.githubstatus.com, ``*.trust.pagerduty.com``).

No capture of this endpoint exists in the shared feeds.  Its shape is taken from public clients
that poll it (all inferred from their decoding code and test fixtures, not from a real body):

* ikan31/tuip ``internal/providers/pagerdutystatus/pagerdutystatus.go`` and its ``_test.go``
  (later revision): ``{"layout": {"layout_settings": {"name", "statusPage":
  {"globalStatusHeadline"}, "business_services": [{"id", "name", "grouping_element": true} |
  {"id", "status_page_service_id", "displayName" | "summary", "name", "Head_ID"}]}}}``, served at
  ``/api/data`` of status.pagerduty.com and {au,jp,us}.githubstatus.com
  (``internal/providers/builtin/builtin.go``).
* inket/stts ``stts/Services/Super/PagerDutyService.swift``: the same object is embedded in the
  HTML as ``<script id="data">``; ``statusPage`` also has ``globalStatusHeadlineHasError`` (bool),
  ``linkText``, ``linkUrlText``.  An older embedded shape was ``{"summary": {"open_incidents":
  [{"title", "updates": [{"severity": all_good|minor|major|maintenance}]}]}}``.

``/api/data`` carries no incidents: posts (``/api/posts``) and their severities
(``/api/post_enums``) are separate endpoints, so this parser reports the page's headline and its
service list only.

Mapping decisions:

* page_status: ``globalStatusHeadlineHasError: false`` -> none.  Otherwise the headline's words
  decide, as the clients above do: maintenance -> maintenance, partial -> major, major/outage/
  disruption -> critical, degraded/minor/performance -> minor, "operational"/"smoothly"/"all
  systems" -> none.  A headline flagged as an error that matches none of these -> minor (the flag
  says something is wrong); an unflagged headline matching none -> ``unknown`` (a claim watchtui
  cannot read); no headline and no flag -> no indicator.  The headline itself is the description.
* Components are the non-grouping ``business_services`` (name = ``displayName``, then
  ``summary``, then ``name``; id = ``status_page_service_id``, which posts reference, else ``id``;
  group = the grouping element named by ``Head_ID``).  Their status is operational when the page
  says all is well and unknown otherwise: the endpoint does not say which service is affected.
  The list is every service of the page (component listing ``full``).
* The legacy ``summary.open_incidents`` shape has no ids or timestamps, so it yields a page status
  only (the worst latest-update severity, ``unknown`` for a severity outside the four, minor for
  none; the titles as description) and says nothing about components (listing ``none``).
* Neither shape carries times, so nothing is ever dropped.
"""

from __future__ import annotations

from typing import Any

from watchtui.domain.errors import FeedError
from watchtui.domain.model import (
    Component,
    ComponentStatus,
    Impact,
    PageStatus,
    Snapshot,
    worst_impact,
)
from watchtui.domain.text import NAME_MAX, clean_line
from watchtui.sources._common import Headers, expect_dict, expect_list, guard, load_json

KIND = "pagerduty"

# Checked in order: the first matching word decides.
_HEADLINE_WORDS: tuple[tuple[tuple[str, ...], Impact], ...] = (
    (("maintenance",), "maintenance"),
    (("partial",), "major"),
    (("major", "outage", "disruption", "critical"), "critical"),
    (("degraded", "minor", "performance"), "minor"),
    (("operational", "smoothly", "all systems", "no known"), "none"),
)
_LEGACY_SEVERITY: dict[str, Impact] = {
    "all_good": "none",
    "minor": "minor",
    "major": "major",
    "maintenance": "maintenance",
}


def parse(data: bytes, headers: Headers | None = None) -> Snapshot:
    with guard(KIND):
        root = expect_dict(load_json(data, KIND, headers), KIND, "payload")
        if "layout" in root:
            return _from_layout(expect_dict(root["layout"], KIND, "layout"))
        if "summary" in root:
            return _from_legacy(expect_dict(root["summary"], KIND, "summary"))
        raise FeedError(KIND, "no layout (or legacy summary) object")


def _from_layout(layout: dict[str, Any]) -> Snapshot:
    settings = expect_dict(layout.get("layout_settings"), KIND, "layout_settings")
    banner = expect_dict(settings.get("statusPage", {}), KIND, "statusPage")
    page_status = _headline_status(banner)
    healthy = page_status.indicator == "none"
    return Snapshot(
        kind=KIND,
        page_name=clean_line(settings.get("name"), NAME_MAX) or None,
        page_status=page_status,
        components=_components(settings, "operational" if healthy else "unknown"),
        # Without a service list the endpoint says nothing about components.
        component_listing="full" if isinstance(settings.get("business_services"), list) else "none",
    )


def _headline_status(banner: dict[str, Any]) -> PageStatus:
    headline = clean_line(banner.get("globalStatusHeadline"))
    has_error = banner.get("globalStatusHeadlineHasError")
    if has_error is not None and not isinstance(has_error, bool):
        raise FeedError(KIND, "globalStatusHeadlineHasError is not a boolean")
    if has_error is False:
        return PageStatus(indicator="none", description=headline)
    lowered = headline.lower()
    for words, impact in _HEADLINE_WORDS:
        if any(word in lowered for word in words):
            return PageStatus(indicator=impact, description=headline)
    if has_error:
        return PageStatus(indicator="minor", description=headline)
    return PageStatus(indicator="unknown" if headline else None, description=headline)


def _components(settings: dict[str, Any], status: ComponentStatus) -> tuple[Component, ...]:
    rows = [
        expect_dict(r, KIND, "business service")
        for r in expect_list(settings.get("business_services"), KIND, "business_services")
    ]
    groups = {
        _text_id(row.get("id")): clean_line(row.get("name"), NAME_MAX)
        for row in rows
        if row.get("grouping_element") is True
    }
    components: list[Component] = []
    for row in rows:
        if row.get("grouping_element") is True:
            continue
        name = _first_text(row, "displayName", "summary", "name")
        if not name:
            continue
        service_id = row.get("status_page_service_id") or row.get("id") or name
        head = row.get("Head_ID")
        components.append(
            Component(
                id=_text_id(service_id),
                name=name,
                group=groups.get(_text_id(head)) if head else None,
                status=status,
            )
        )
    return tuple(components)


def _first_text(row: dict[str, Any], *keys: str) -> str:
    for key in keys:
        text = clean_line(row.get(key), NAME_MAX)
        if text:
            return text
    return ""


def _text_id(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise FeedError(KIND, "business service id is not a string")
    return clean_line(value, NAME_MAX)


def _from_legacy(summary: dict[str, Any]) -> Snapshot:
    incidents = [
        expect_dict(i, KIND, "open incident")
        for i in expect_list(summary.get("open_incidents"), KIND, "open_incidents")
    ]
    impacts: list[Impact] = []
    for incident in incidents:
        updates = expect_list(incident.get("updates"), KIND, "updates")
        latest = expect_dict(updates[0], KIND, "update") if updates else {}
        raw = latest.get("severity")
        severity = clean_line(raw).lower() if isinstance(raw, str) else ""
        if raw is None or raw == "":
            impacts.append("minor")  # an open incident of unstated severity is still trouble
        else:
            impacts.append(_LEGACY_SEVERITY.get(severity, "unknown"))
    titles = "; ".join(t for t in (clean_line(i.get("title")) for i in incidents) if t)
    return Snapshot(
        kind=KIND,
        page_status=PageStatus(
            indicator=worst_impact(impacts),
            description=clean_line(titles) if titles else "No known issue",
        ),
    )
