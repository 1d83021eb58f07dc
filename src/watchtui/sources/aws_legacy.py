"""The retired ``status.aws.amazon.com/data.json`` (the old Service Health Dashboard), read by the
``aws`` kind when a payload has that shape; see ``watchtui.sources.aws`` for the shared mapping.

``{"archive": [...], "current": [...]}``: every archived event is finished; a current one is
finished once AWS prefixes its summary with ``[RESOLVED]``.  Event descriptions carry per-update
times as ``<span class="yellowfg">12:53 PM PDT</span>``, a clock time without a date (AWS adds
``Aug 7,`` only once the day has changed); they are dated relative to the event and to each other.
Components (listing ``derived``) are the services of open current events only.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta, timezone
from typing import Any

from watchtui.domain.model import Component, Incident, IncidentUpdate, Snapshot
from watchtui.domain.text import NAME_MAX, clean_line, clean_text, html_to_text
from watchtui.sources._common import Drops, UnusableTime, expect_dict, expect_list
from watchtui.sources.aws import (
    _COMPONENT_STATUS,
    KIND,
    LEGACY_URL,
    _code,
    _epoch,
    _events_snapshot,
    _impact,
    _region_from_name,
    _region_from_slug,
    _update_ids,
)

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


def parse_legacy(payload: dict[str, Any]) -> Snapshot:
    archive = expect_list(payload.get("archive"), KIND, "archive")
    current = expect_list(payload.get("current"), KIND, "current")
    drops = Drops()
    incidents: list[Incident] = []
    open_components: list[Component] = []
    events = [(e, True) for e in archive] + [(e, False) for e in current]
    for raw, archived in events:
        event = expect_dict(raw, KIND, "event")
        slug = clean_line(event["service"], NAME_MAX)
        # The id embeds the start time, so a dropped event is named by its service and raw date.
        with drops.item("incident", f"{slug}@{clean_line(event.get('date'), 40)}"):
            incident = _legacy_event(event, slug, archived=archived)
            incidents.append(incident)
            if incident.is_open:
                open_components.append(_legacy_component(event, incident))
    return _events_snapshot(
        incidents,
        open_components,
        drops,
        page_name="AWS Service Health Dashboard",
        page_url=LEGACY_URL,
        open_text=lambda n: f"{n} current event(s)",
        none_text="No current events",
    )


def _legacy_event(event: dict[str, Any], slug: str, *, archived: bool) -> Incident:
    started_at = _epoch(event.get("date"), "date")
    if started_at is None:
        raise UnusableTime.missing("date")
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
        impact=_impact(event.get("status")),
        started_at=started_at,
        updated_at=updated_at,
        resolved_at=updated_at if resolved else None,
        url=LEGACY_URL,
        components=(service_name,) if service_name else (),
        regions=(region,) if region else (),
        updates=updates,
    )


def _legacy_component(event: dict[str, Any], incident: Incident) -> Component:
    code = _code(event.get("status"))
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
    try:
        local_previous = previous.astimezone(zone)
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
    except (ValueError, OverflowError):  # Feb 30, Feb 29 in a common year, or beyond year 9999
        return None
    return candidate.astimezone(UTC)
