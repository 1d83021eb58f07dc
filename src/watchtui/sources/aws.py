"""AWS Health Dashboard JSON, in the three shapes AWS has served (detected by shape, not by URL).

1. ``health.aws.amazon.com/public/currentevents``: a JSON array of *open* events, served as
   UTF-16BE with a BOM.  ``[]`` means all clear.
2. The retired ``status.aws.amazon.com/data.json``: ``{"archive": [...], "current": [...]}`` whose
   event descriptions carry per-update times as ``<span class="yellowfg">12:53 PM PDT</span>`` —
   a clock time without a date (AWS adds ``Aug 7,`` only once the day has changed).
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
watchtui must never look better than the source.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, time, timedelta, timezone
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
from watchtui.domain.text import NAME_MAX, clean_line, clean_text, html_to_text
from watchtui.sources._common import (
    Headers,
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
# An open event whose code we do not know still says something is wrong.
_UNKNOWN_OPEN_IMPACT: Impact = "minor"

# Epoch values above this are milliseconds: as seconds they would be past the year 5000.
_MILLISECONDS_THRESHOLD = 1e11

# AWS region codes, including GovCloud and ISO partitions (``us-gov-west-1``, ``us-isob-east-1``).
_REGION_CODE = re.compile(r"[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}")
_TRAILING_PARENS = re.compile(r"\(([^()]+)\)\s*$")

_STAMP_SPAN = re.compile(
    r"<span\b[^>]*\byellowfg\b[^>]*>(.*?)</span\s*>", re.IGNORECASE | re.DOTALL
)
_STAMP = re.compile(
    r"(?:(?P<month>[A-Za-z]{3})[a-z]*\.?\s+(?P<day>\d{1,2}),?\s+)?"
    r"(?P<hour>\d{1,2}):(?P<minute>\d{2})\s*(?P<ampm>[AaPp][Mm])\s+(?P<zone>[A-Za-z]{3,4})"
)
# The legacy dashboard labelled every time with the Pacific zone in force; other labels are
# accepted in case a capture shows them.
_ZONE_OFFSETS: dict[str, int] = {"PDT": -7, "PST": -8, "UTC": 0, "GMT": 0}
_MONTHS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}
# Update stamps are whole minutes while event dates have seconds, so the first update can read a
# little earlier than the event; only a larger step backwards means the day rolled over.
_ROLLOVER_SLACK = timedelta(minutes=5)
_RESOLVED_PREFIX = re.compile(r"^\s*\[RESOLVED\]\s*", re.IGNORECASE)


def parse(data: bytes, headers: Headers | None = None) -> Snapshot:
    with guard(KIND):
        snapshot = _parse_payload(load_json(data, KIND, headers))
    return snapshot


def _parse_payload(payload: Any) -> Snapshot:
    if isinstance(payload, dict):
        if "archive" in payload or "current" in payload:
            return _parse_legacy(payload)
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


def _epoch(value: Any) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError("timestamp is a boolean")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError("timestamp is not finite")
    try:
        return parse_epoch(number, milliseconds=abs(number) > _MILLISECONDS_THRESHOLD)
    except OSError as exc:  # some platforms' time_t limits
        raise ValueError("timestamp out of range") from exc


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
    for raw in items:
        event = expect_dict(raw, KIND, "event")
        incident, event_components = _health_event(event)
        incidents.append(incident)
        components += event_components
    return _events_snapshot(
        incidents,
        components,
        page_name="AWS Health Dashboard",
        page_url=HEALTH_URL,
        open_text=lambda n: f"{n} open event{'s' if n > 1 else ''}",
        none_text="No open events",
    )


def _health_event(event: dict[str, Any]) -> tuple[Incident, list[Component]]:
    incident_id = clean_line(event["arn"])
    if not incident_id:
        raise FeedError(KIND, "event without an ARN")
    started_at = _epoch(event["date"])
    if started_at is None:
        raise FeedError(KIND, "event without a date")
    region = _event_region(event, incident_id)
    code = _code(event.get("status"))
    updates = _health_updates(event, incident_id)
    change_times = [
        _epoch(expect_dict(change, KIND, "status change").get("timestamp"))
        for change in expect_list(event.get("impacted_service_status_changes"), KIND, "changes")
    ]
    ended_at = _epoch(event.get("end_time"))
    # A service recovering is a change to the event even when AWS posts no new log entry.
    moments = [started_at, *(u.at for u in updates), *change_times, ended_at]
    updated_at = max(t for t in moments if t is not None)
    resolved_at = ended_at or (updated_at if code == "0" else None)
    components = _impacted_components(event, region, resolved=resolved_at is not None)
    impact = _IMPACT.get(code, _UNKNOWN_OPEN_IMPACT)
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


def _health_updates(event: dict[str, Any], incident_id: str) -> tuple[IncidentUpdate, ...]:
    entries: list[tuple[datetime, str, str]] = []
    for raw in expect_list(event.get("event_log"), KIND, "event_log"):
        entry = expect_dict(raw, KIND, "event_log entry")
        at = _epoch(entry.get("timestamp"))
        if at is None:
            continue
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


# --- 2. legacy status.aws.amazon.com/data.json ----------------------------------------------


def _parse_legacy(payload: dict[str, Any]) -> Snapshot:
    archive = expect_list(payload.get("archive"), KIND, "archive")
    current = expect_list(payload.get("current"), KIND, "current")
    incidents = [_legacy_event(expect_dict(e, KIND, "event"), archived=True) for e in archive]
    open_components: list[Component] = []
    for raw in current:
        event = expect_dict(raw, KIND, "event")
        incident = _legacy_event(event, archived=False)
        incidents.append(incident)
        open_components.append(_legacy_component(event, incident))
    return _events_snapshot(
        incidents,
        open_components,
        page_name="AWS Service Health Dashboard",
        page_url=LEGACY_URL,
        open_text=lambda n: f"{n} current event(s)",
        none_text="No current events",
    )


def _legacy_event(event: dict[str, Any], *, archived: bool) -> Incident:
    slug = clean_line(event["service"], NAME_MAX)
    started_at = _epoch(event["date"])
    if started_at is None:
        raise FeedError(KIND, "event without a date")
    summary = clean_line(event.get("summary"))
    # The archive holds only finished events; "current" ones are finished once AWS prefixes them.
    resolved = archived or bool(_RESOLVED_PREFIX.match(summary))
    incident_id = f"{slug}@{int(started_at.timestamp())}"
    updates = _legacy_updates(event.get("description"), incident_id, started_at, resolved)
    updated_at = max([started_at, *(u.at for u in updates)])
    service_name = clean_line(event.get("service_name"), NAME_MAX)
    region = _region_from_slug(slug) or _region_from_name(service_name)
    return Incident(
        id=incident_id,
        title=_RESOLVED_PREFIX.sub("", summary) or service_name,
        status="resolved" if resolved else "update",
        impact=_IMPACT.get(_code(event.get("status")), _UNKNOWN_OPEN_IMPACT),
        started_at=started_at,
        updated_at=updated_at,
        resolved_at=updated_at if resolved else None,
        url=LEGACY_URL,
        components=(service_name,) if service_name else (),
        regions=(region,) if region else (),
        updates=updates,
    )


def _legacy_component(event: dict[str, Any], incident: Incident) -> Component:
    code = "0" if incident.resolved_at else _code(event.get("status"))
    return Component(
        id=clean_line(event["service"], NAME_MAX),
        name=incident.components[0]
        if incident.components
        else clean_line(event["service"], NAME_MAX),
        status=_COMPONENT_STATUS.get(code, "unknown"),
        regions=incident.regions,
    )


def _legacy_updates(
    description: Any, incident_id: str, started_at: datetime, resolved: bool
) -> tuple[IncidentUpdate, ...]:
    html = description if isinstance(description, str) else ""
    stamps = list(_STAMP_SPAN.finditer(html))
    entries: list[tuple[datetime, str]] = []
    preamble = html_to_text(html[: stamps[0].start()] if stamps else html)
    if preamble:
        entries.append((started_at, preamble))
    previous = started_at
    for index, stamp in enumerate(stamps):
        end = stamps[index + 1].start() if index + 1 < len(stamps) else len(html)
        text = html_to_text(html[stamp.end() : end])
        label = clean_line(html_to_text(stamp[1]))
        at = _stamp_time(label, previous)
        if at is None:
            # Keep the update and its label rather than fail the whole feed on one odd stamp.
            at, text = previous, clean_text(f"{label} {text}")
        previous = max(previous, at)
        entries.append((at, text))
    ids = _update_ids(incident_id, (at for at, _ in entries))
    updates = [
        IncidentUpdate(id=update_id, at=at, status="update", text=text)
        for update_id, (at, text) in zip(ids, entries, strict=True)
    ]
    if resolved and updates:
        updates[-1] = updates[-1].model_copy(update={"status": "resolved"})
    return tuple(reversed(updates))


def _stamp_time(label: str, previous: datetime) -> datetime | None:
    """``12:53 PM PDT`` or ``Aug 7, 1:50 AM PDT`` to UTC, dated relative to ``previous``.

    A bare time is on ``previous``'s local day unless that would put it before ``previous``, in
    which case the day rolled over; an explicit month and day get ``previous``'s year unless that
    goes backwards (an event running over New Year)."""
    match = _STAMP.fullmatch(label)
    if match is None:
        return None
    offset = _ZONE_OFFSETS.get(match["zone"].upper())
    hour, minute = int(match["hour"]), int(match["minute"])
    if offset is None or not 1 <= hour <= 12 or minute > 59:
        return None
    hour = hour % 12 + (12 if match["ampm"].upper() == "PM" else 0)
    zone = timezone(timedelta(hours=offset))
    local_previous = previous.astimezone(zone)
    try:
        if match["month"]:
            month = _MONTHS.get(match["month"].lower())
            if month is None:
                return None
            day = int(match["day"])
            candidate = datetime(local_previous.year, month, day, hour, minute, tzinfo=zone)
            if candidate < previous - _ROLLOVER_SLACK:
                candidate = candidate.replace(year=candidate.year + 1)
        else:
            candidate = datetime.combine(local_previous.date(), time(hour, minute), tzinfo=zone)
            if candidate < previous - _ROLLOVER_SLACK:
                candidate += timedelta(days=1)
    except ValueError:  # Feb 30, or Feb 29 moved to a common year
        return None
    return candidate.astimezone(UTC)


# --- 3. services.json (catalogue) -------------------------------------------------------------


def _parse_catalogue(items: list[Any]) -> Snapshot:
    components = [_catalogue_entry(expect_dict(raw, KIND, "service")) for raw in items]
    return Snapshot(
        kind=KIND,
        page_name="AWS Health Dashboard service catalogue",
        page_url=HEALTH_URL,
        page_status=PageStatus(description="Service catalogue: no status information"),
        components=_merge_components(components),
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
        incidents=tuple(incidents),
    )
