"""AWS Health Dashboard JSON, in the three shapes AWS has served (detected by shape, not by URL).

1. ``health.aws.amazon.com/public/currentevents``: a JSON array of *open* events, served as
   UTF-16BE with a BOM.  ``[]`` means all clear.
2. The retired ``status.aws.amazon.com/data.json``: ``{"archive": [...], "current": [...]}`` whose
   event descriptions carry per-update times as ``<span class="yellowfg">12:53 PM PDT</span>`` —
   a clock time without a date (AWS adds ``Aug 7,`` only once the day has changed).  Read by
   ``watchtui.sources.aws_legacy``.
3. ``services.json``, the service catalogue behind the dashboard: services and regions, no status.

Status codes are the same in all of them (AWS Health's own icons: operating normally,
informational message, performance issues, service disruption), confirmed against the payloads —
events whose logs talk of investigating escalate ``1 -> 2 -> 3`` and services move ``"0" -> "3"``
when a region fails and back to ``"0"`` on recovery:

====  ==================  =================  =========
code  AWS meaning         component status   impact
====  ==================  =================  =========
0     operating normally  operational        none
1     informational       degraded           minor
2     performance issues  partial_outage     major
3     service disruption  major_outage       critical
====  ==================  =================  =========

"Informational" is not mapped to operational: AWS only posts it when something is wrong, and
watchtui must never look better than the source.  A code outside the table (``"7"``, a word) reads
as ``unknown`` for both; an event with no code at all is ``minor`` (AWS posted it, so something
is wrong).

Component listing: the two event shapes are ``derived`` (components are the services OPEN events
name; one no open event names is operating normally again), the catalogue is ``full`` (every
service in every region, with no status).  An event whose own time cannot be read is left out and
recorded in ``Snapshot.dropped``, as is a log entry or status change whose time cannot be read.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from watchtui.domain.errors import FeedError
from watchtui.domain.model import (
    Component,
    ComponentStatus,
    Impact,
    Incident,
    IncidentUpdate,
    PageStatus,
    Snapshot,
    status_rank,
    worst_impact,
)
from watchtui.domain.regions import lookup
from watchtui.domain.text import NAME_MAX, clean_line, html_to_text
from watchtui.sources._common import (
    Drops,
    Headers,
    UnusableTime,
    expect_dict,
    expect_list,
    guard,
    load_json,
    parse_epoch,
)

KIND = "aws"

HEALTH_URL = "https://health.aws.amazon.com/health/status"
LEGACY_URL = "https://status.aws.amazon.com/"

_COMPONENT_STATUS: dict[str, ComponentStatus] = {
    "0": "operational",
    "1": "degraded",
    "2": "partial_outage",
    "3": "major_outage",
}
_IMPACT: dict[str, Impact] = {"0": "none", "1": "minor", "2": "major", "3": "critical"}
# An event without a code still says something is wrong.
_UNSTATED_IMPACT: Impact = "minor"

# Epoch values above this are milliseconds: as seconds they would be past the year 5000.
_MILLISECONDS_THRESHOLD = 1e11

# AWS region codes, including GovCloud and ISO partitions (``us-gov-west-1``, ``us-isob-east-1``).
_REGION_CODE = re.compile(r"[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}")
_TRAILING_PARENS = re.compile(r"\(([^()]+)\)\s*$")


def parse(data: bytes, headers: Headers | None = None) -> Snapshot:
    with guard(KIND):
        snapshot = _parse_payload(load_json(data, KIND, headers))
    return snapshot


def _parse_payload(payload: Any) -> Snapshot:
    if isinstance(payload, dict):
        if "archive" in payload or "current" in payload:
            # Imported here: the legacy module builds on this one's helpers.
            from watchtui.sources.aws_legacy import parse_legacy

            return parse_legacy(payload)
        raise FeedError(KIND, "JSON object is neither currentevents nor the legacy data.json")
    if not isinstance(payload, list):
        raise FeedError(KIND, "payload is neither a JSON array nor an object")
    if not payload:
        return _parse_current_events([])
    first = payload[0]
    if isinstance(first, dict):
        if {"arn", "event_log", "impacted_services"} & first.keys():
            return _parse_current_events(payload)
        if "event_type_code" in first or ("region_id" in first and "summary" not in first):
            return _parse_catalogue(payload)
    raise FeedError(KIND, "array holds neither Health events nor catalogue entries")


# --- shared helpers -------------------------------------------------------------------------


def _code(value: Any) -> str:
    """Status codes come as strings at the top level and as ints in event logs."""
    if isinstance(value, bool) or value is None:
        return ""
    return str(value).strip()


def _epoch(value: Any, field: str) -> datetime | None:
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError) as exc:
        raise UnusableTime.bad(field, value) from exc
    if isinstance(value, bool) or not math.isfinite(number):
        raise UnusableTime.bad(field, value)
    try:
        return parse_epoch(number, milliseconds=abs(number) > _MILLISECONDS_THRESHOLD, field=field)
    except UnusableTime as exc:
        raise UnusableTime.bad(field, value) from exc  # quote what the feed said, not the float


def _impact(value: Any) -> Impact:
    code = _code(value)
    if not code:
        return _UNSTATED_IMPACT
    return _IMPACT.get(code, "unknown")


def _region_from_slug(slug: str) -> str | None:
    """``ec2-us-east-2`` -> ``us-east-2``; None for global (``cloudfront``)."""
    parts = slug.split("-")
    for start in range(1, len(parts)):
        candidate = "-".join(parts[start:]).lower()
        if _REGION_CODE.fullmatch(candidate):
            region = lookup("aws", candidate)
            return region.code if region is not None else candidate
    return None


def _region_from_name(name: str) -> str | None:
    """``UAE`` or ``Amazon S3 (N. Virginia)`` -> the region code, when the taxonomy knows it."""
    text = name.strip()
    match = _TRAILING_PARENS.search(text)
    for candidate in (text, match[1] if match else ""):
        if candidate:
            region = lookup("aws", candidate)
            if region is not None:
                return region.code
    return None


def _update_ids(incident_id: str, times: Iterable[datetime]) -> list[str]:
    """Ids from the update time, so they survive AWS appending updates; ties get a suffix."""
    seen: dict[int, int] = {}
    ids: list[str] = []
    for at in times:
        stamp = int(at.timestamp())
        seen[stamp] = seen.get(stamp, 0) + 1
        suffix = f"-{seen[stamp]}" if seen[stamp] > 1 else ""
        ids.append(f"{incident_id}#{stamp}{suffix}")
    return ids


def _merge_components(components: Iterable[Component]) -> tuple[Component, ...]:
    """One component per id; the same service listed twice keeps its worse status."""
    merged: dict[str, Component] = {}
    for component in components:
        known = merged.get(component.id)
        if known is None or status_rank(component.status) > status_rank(known.status):
            merged[component.id] = component
    return tuple(merged.values())


# --- 1. health.aws.amazon.com/public/currentevents -------------------------------------------


def _parse_current_events(items: list[Any]) -> Snapshot:
    incidents: list[Incident] = []
    components: list[Component] = []
    drops = Drops()
    for raw in items:
        event = expect_dict(raw, KIND, "event")
        incident_id = clean_line(event["arn"])
        if not incident_id:
            raise FeedError(KIND, "event without an ARN")
        with drops.item("incident", incident_id):
            incident, event_components = _health_event(event, incident_id, drops)
            incidents.append(incident)
            # Derived listing: a service no open event names is operating normally again.
            if incident.is_open:
                components += event_components
    return _events_snapshot(
        incidents,
        components,
        drops,
        page_name="AWS Health Dashboard",
        page_url=HEALTH_URL,
        open_text=lambda n: f"{n} open event{'s' if n > 1 else ''}",
        none_text="No open events",
    )


def _health_event(
    event: dict[str, Any], incident_id: str, drops: Drops
) -> tuple[Incident, list[Component]]:
    started_at = _epoch(event.get("date"), "date")
    if started_at is None:
        raise UnusableTime.missing("date")
    ended_at = _epoch(event.get("end_time"), "end_time")
    region = _event_region(event, incident_id)
    code = _code(event.get("status"))
    updates = _health_updates(event, incident_id, drops)
    change_times = _change_times(event, incident_id, drops)
    # A service recovering is a change to the event even when AWS posts no new log entry.
    moments = [started_at, *(u.at for u in updates), *change_times, ended_at]
    updated_at = max(t for t in moments if t is not None)
    resolved_at = ended_at or (updated_at if code == "0" else None)
    components = _impacted_components(event, region, resolved=resolved_at is not None)
    impact = _impact(code)
    incident = Incident(
        id=incident_id,
        title=clean_line(event.get("summary") or event.get("service_name")),
        status="resolved" if resolved_at else "update",
        impact=impact,
        started_at=started_at,
        updated_at=updated_at,
        resolved_at=resolved_at,
        url=HEALTH_URL,
        components=tuple(dict.fromkeys(c.name for c in components if c.name)),
        regions=(region,) if region else (),
        updates=updates,
    )
    return incident, components


def _event_region(event: dict[str, Any], arn: str) -> str | None:
    """The ARN's region field (``arn:aws:health:me-central-1::event/…``), else the display name."""
    parts = arn.split(":")
    if len(parts) > 3 and parts[0] == "arn" and parts[3].strip():
        return parts[3].strip()
    name = clean_line(event.get("region_name"), NAME_MAX)
    return _region_from_name(name) or name or None


def _change_times(event: dict[str, Any], incident_id: str, drops: Drops) -> list[datetime]:
    """When services changed status: a change to the event even without a new log entry.  One
    whose time cannot be read is recorded and skipped rather than losing the whole event."""
    times: list[datetime] = []
    changes = expect_list(event.get("impacted_service_status_changes"), KIND, "changes")
    for index, raw in enumerate(changes):
        change = expect_dict(raw, KIND, "status change")
        with drops.item("update", f"{incident_id}#change-{index}", f"in event {incident_id}"):
            at = _epoch(change.get("timestamp"), "status change timestamp")
            if at is not None:
                times.append(at)
    return times


def _health_updates(
    event: dict[str, Any], incident_id: str, drops: Drops
) -> tuple[IncidentUpdate, ...]:
    entries: list[tuple[datetime, str, str]] = []
    for index, raw in enumerate(expect_list(event.get("event_log"), KIND, "event_log")):
        entry = expect_dict(raw, KIND, "event_log entry")
        # Log entries have no ids; position in the (oldest first) log names a dropped one.
        with drops.item("update", f"{incident_id}#log-{index}", f"in event {incident_id}"):
            at = _epoch(entry.get("timestamp"), "event_log timestamp")
            if at is None:
                raise UnusableTime.missing("event_log timestamp")
            status = "resolved" if _code(entry.get("status")) == "0" else "update"
            entries.append((at, status, html_to_text(entry.get("message"))))
    # The feed lists oldest first; ids are assigned in that order so they do not shift.
    entries.sort(key=lambda e: e[0])
    ids = _update_ids(incident_id, (at for at, _, _ in entries))
    updates = [
        IncidentUpdate(id=update_id, at=at, status=status, text=text)
        for update_id, (at, status, text) in zip(ids, entries, strict=True)
    ]
    return tuple(reversed(updates))


def _impacted_components(
    event: dict[str, Any], region: str | None, *, resolved: bool
) -> list[Component]:
    impacted = event.get("impacted_services")
    services = expect_dict(impacted, KIND, "impacted_services") if impacted is not None else {}
    if not services:
        # A single-service event may list no impacted services: the event's own service is it.
        slug = _code(event.get("service"))
        if slug and not slug.startswith("multipleservices"):
            current = "0" if resolved else event.get("status")
            services = {slug: {"service_name": event.get("service_name"), "current": current}}
    group = clean_line(event.get("region_name"), NAME_MAX) or None
    components = []
    for raw_slug, raw_info in services.items():
        info = expect_dict(raw_info, KIND, "impacted service")
        slug = clean_line(raw_slug, NAME_MAX)
        own_region = _region_from_slug(slug)
        # Global services (``cloudfront``) appear in every regional event: qualify them by region
        # so each event's view of them is a component of its own.
        component_id = slug if own_region or not region else f"{slug}@{region}"
        component_region = own_region or region
        components.append(
            Component(
                id=component_id,
                name=clean_line(info.get("service_name") or slug, NAME_MAX),
                group=group,
                status=_COMPONENT_STATUS.get(_code(info.get("current")), "unknown"),
                regions=(component_region,) if component_region else (),
            )
        )
    return components


# --- 3. services.json (catalogue) -------------------------------------------------------------


def _parse_catalogue(items: list[Any]) -> Snapshot:
    components = [_catalogue_entry(expect_dict(raw, KIND, "service")) for raw in items]
    return Snapshot(
        kind=KIND,
        page_name="AWS Health Dashboard service catalogue",
        page_url=HEALTH_URL,
        page_status=PageStatus(description="Service catalogue: no status information"),
        components=_merge_components(components),
        # Every service in every region: one missing from a later catalogue has been retired.
        component_listing="full",
    )


def _catalogue_entry(entry: dict[str, Any]) -> Component:
    slug = clean_line(entry["service"], NAME_MAX)
    if not slug:
        raise FeedError(KIND, "catalogue entry without a service id")
    region = clean_line(entry.get("region_id"), NAME_MAX)
    return Component(
        id=slug,
        name=clean_line(entry.get("service_name") or slug, NAME_MAX),
        group=clean_line(entry.get("region_name"), NAME_MAX) or None,
        # The catalogue says nothing about health: unknown, never operational.
        status="unknown",
        regions=(region,) if region else (),
    )


def _events_snapshot(
    incidents: list[Incident],
    components: list[Component],
    drops: Drops,
    *,
    page_name: str,
    page_url: str,
    open_text: Callable[[int], str],
    none_text: str,
) -> Snapshot:
    """Both event shapes (currentevents and the legacy data.json) end the same way: the page's
    claim is the worst open event, and the page changed when its newest event did."""
    open_impacts = [i.impact for i in incidents if i.is_open]
    if open_impacts:
        page_status = PageStatus(
            indicator=worst_impact(open_impacts), description=open_text(len(open_impacts))
        )
    else:
        page_status = PageStatus(indicator="none", description=none_text)
    return Snapshot(
        kind=KIND,
        page_name=page_name,
        page_url=page_url,
        updated_at=max((i.updated_at for i in incidents), default=None),
        page_status=page_status,
        components=_merge_components(components),
        component_listing="derived",
        incidents=tuple(incidents),
        dropped=drops.as_tuple(),
    )
