"""status.io public status API: ``api.status.io/1.0/status/<page id>``.

Shape (kb.status.io/developers/public-status-api): ``result.status_overall {updated, status,
status_code}``, ``result.status[] {id, name, updated, status, status_code, containers[{id, name,
updated, status, status_code}]}``, ``result.incidents[] {_id, name, datetime_open,
messages[{details, state, status, datetime}], components_affected[{_id, name}],
containers_affected[{_id, name}]}``, ``result.maintenance {active[], upcoming[]}`` whose entries
add ``datetime_planned_start/end``.

Status codes (status.io's legend, as public clients decode them): 100 Operational, 200 Planned
Maintenance, 300 Degraded Performance, 400 Partial Service Disruption, 500 Service Disruption, 600
Security Event.  Mapped to operational, maintenance, degraded, partial_outage, major_outage and
major_outage (a security event is at least as serious as a disruption); an unknown code falls back
to the label's words, else unknown.  The page indicator and every impact go through
``impact_for_status`` (so an unreadable overall status is indicator ``unknown``).

Containers are status.io's locations/regions: each (component, container) pair is one
``Component`` named after the component with ``regions=(container name,)`` and the container's own
status; a component without containers is one ``Component`` with its own status.  Incidents name
their components (``components_affected``) and regions (``containers_affected``) the same way.

Incident message ``state``: 100 investigating, 200 identified, 300 monitoring (400 resolved per one
client; unverified).  The endpoint lists only active incidents, so an incident is open unless its
newest message says resolved.  Its impact is the worst message ``status`` code: minor when none is
given or all say operational, ``unknown`` when the only codes given cannot be read.  Maintenance in
``active`` is in_progress, in ``upcoming`` scheduled; message states there read 100 scheduled, 200
in_progress, 300 completed (unverified).  Update ids are the message's
``_id`` when present, else ``<event id>-<n>`` counting from the oldest message.

Component listing ``full`` when ``result.status`` lists the components (the public status
endpoint always does), else ``none``.  An incident or maintenance whose own time cannot be read is
left out, as is a message whose time cannot be read (recorded in ``Snapshot.dropped``); an
unreadable ``status_overall.updated`` counts as absent.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from watchtui.domain.errors import FeedError
from watchtui.domain.model import (
    Component,
    ComponentStatus,
    Impact,
    Incident,
    IncidentUpdate,
    Maintenance,
    PageStatus,
    Snapshot,
    impact_for_status,
    worst_status,
)
from watchtui.domain.text import NAME_MAX, clean_line, html_to_text
from watchtui.sources._common import (
    DroppedWhat,
    Drops,
    Headers,
    UnusableTime,
    expect_dict,
    expect_list,
    guard,
    load_json,
    parse_iso,
)

KIND = "statusio"

_CODES: dict[int, ComponentStatus] = {
    100: "operational",
    200: "maintenance",
    300: "degraded",
    400: "partial_outage",
    500: "major_outage",
    600: "major_outage",
}
# Checked in order on the label when the code is unknown.
_LABEL_WORDS: tuple[tuple[str, ComponentStatus], ...] = (
    ("operational", "operational"),
    ("maintenance", "maintenance"),
    ("degraded", "degraded"),
    ("partial", "partial_outage"),
    ("disruption", "major_outage"),
    ("security", "major_outage"),
    ("outage", "major_outage"),
)
_INCIDENT_STATES = {100: "investigating", 200: "identified", 300: "monitoring", 400: "resolved"}
_MAINTENANCE_STATES = {100: "scheduled", 200: "in_progress", 300: "completed"}


def parse(data: bytes, headers: Headers | None = None) -> Snapshot:
    with guard(KIND):
        root = expect_dict(load_json(data, KIND, headers), KIND, "payload")
        result = expect_dict(root.get("result"), KIND, "result")
        if "status_overall" not in result and "status" not in result:
            raise FeedError(KIND, "result has neither status_overall nor status")
        overall = _optional_dict(result.get("status_overall"), "status_overall")
        maintenance = _optional_dict(result.get("maintenance"), "maintenance")
        drops = Drops()
        incidents: list[Incident] = []
        for raw in expect_list(result.get("incidents"), KIND, "incidents"):
            fields = _guarded(expect_dict(raw, KIND, "incident"), None, "incident", drops)
            if fields is not None:
                incidents.append(Incident(**fields))
        return Snapshot(
            kind=KIND,
            updated_at=_page_updated(overall),
            page_status=_page_status(overall),
            components=_components(result.get("status")),
            component_listing="full" if isinstance(result.get("status"), list) else "none",
            incidents=tuple(incidents),
            maintenances=_maintenances(maintenance, drops),
            dropped=drops.as_tuple(),
        )


def _page_updated(overall: dict[str, Any]) -> datetime | None:
    try:
        return parse_iso(overall.get("updated"), "updated")
    except UnusableTime:
        return None


def _guarded(
    raw: dict[str, Any], maintenance: str | None, what: DroppedWhat, drops: Drops
) -> dict[str, Any] | None:
    """The event's fields, or None when its time cannot be read (recorded in ``drops``)."""
    event_id = _str_id(raw.get("_id") or raw.get("id"))
    with drops.item(what, event_id):
        fields = _event(raw, event_id, maintenance, drops)
        return fields
    return None


def _optional_dict(value: Any, what: str) -> dict[str, Any]:
    return {} if value is None else expect_dict(value, KIND, what)


def _status(code: Any, label: Any) -> ComponentStatus:
    if isinstance(code, int) and not isinstance(code, bool) and code in _CODES:
        return _CODES[code]
    words = clean_line(label).lower()
    return next((status for word, status in _LABEL_WORDS if word in words), "unknown")


def _page_status(overall: dict[str, Any]) -> PageStatus:
    if overall.get("status_code") in (None, "") and not clean_line(overall.get("status")):
        return PageStatus()  # no claim at all, as opposed to one we cannot read
    status = _status(overall.get("status_code"), overall.get("status"))
    return PageStatus(
        indicator=impact_for_status(status), description=clean_line(overall.get("status"))
    )


def _components(raw: Any) -> tuple[Component, ...]:
    components: list[Component] = []
    for row in (expect_dict(r, KIND, "component") for r in expect_list(raw, KIND, "status")):
        component_id = _str_id(row.get("id"))
        name = clean_line(row.get("name"), NAME_MAX)
        containers = [
            expect_dict(c, KIND, "container")
            for c in expect_list(row.get("containers"), KIND, "containers")
        ]
        if not containers:
            status = _status(row.get("status_code"), row.get("status"))
            components.append(Component(id=component_id, name=name, status=status))
        for container in containers:
            region = clean_line(container.get("name"), NAME_MAX)
            components.append(
                Component(
                    id=f"{component_id}/{_str_id(container.get('id'))}",
                    name=name,
                    status=_status(container.get("status_code"), container.get("status")),
                    regions=(region,) if region else (),
                )
            )
    return tuple(components)


def _str_id(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, str)) or value == "":
        raise FeedError(KIND, "entry without a usable id")
    return clean_line(value, NAME_MAX)


def _maintenances(raw: dict[str, Any], drops: Drops) -> tuple[Maintenance, ...]:
    found: list[Maintenance] = []
    for key, status in (("active", "in_progress"), ("upcoming", "scheduled")):
        for item in expect_list(raw.get(key), KIND, f"maintenance.{key}"):
            fields = _guarded(expect_dict(item, KIND, "maintenance"), status, "maintenance", drops)
            if fields is not None:
                found.append(Maintenance(**fields))
    return tuple(found)


def _event(
    raw: dict[str, Any], event_id: str, maintenance: str | None, drops: Drops
) -> dict[str, Any]:
    """Keyword arguments for an ``Incident`` (``maintenance`` None) or a ``Maintenance`` (its
    status)."""
    planned_start = parse_iso(raw.get("datetime_planned_start"), "datetime_planned_start")
    planned_end = parse_iso(raw.get("datetime_planned_end"), "datetime_planned_end")
    opened = parse_iso(raw.get("datetime_open"), "datetime_open")
    messages = _messages(raw, event_id, drops)
    updates = _updates(event_id, messages, maintenance is not None)
    # A planned start is when work begins, not when the entry last changed.
    activity = [t for t in (opened, *(u.at for u in updates)) if t is not None]
    if not activity and not (maintenance and planned_start):
        raise UnusableTime.missing("datetime_open or message")
    started = planned_start if maintenance and planned_start else opened or min(activity)
    newest = updates[0] if updates else None
    closed = newest is not None and newest.status in {"resolved", "completed"}
    fields: dict[str, Any] = {
        "id": event_id,
        "title": clean_line(raw.get("name")),
        "status": _event_status(newest, closed, maintenance),
        "impact": "maintenance" if maintenance else _impact(raw, messages),
        "started_at": started,
        "updated_at": max(activity) if activity else started,
        "resolved_at": newest.at if closed and newest else None,
        "components": _names(raw.get("components_affected")),
        "regions": _names(raw.get("containers_affected")),
        "updates": updates,
    }
    if maintenance:
        fields["scheduled_for"] = planned_start
        fields["scheduled_until"] = planned_end
    return fields


def _event_status(newest: IncidentUpdate | None, closed: bool, maintenance: str | None) -> str:
    if newest is not None and (closed or maintenance is None):
        return newest.status
    # Which list a maintenance sits in says more than its messages' unverified state codes.
    return maintenance or "investigating"


def _messages(
    raw: dict[str, Any], event_id: str, drops: Drops
) -> list[tuple[datetime, dict[str, Any]]]:
    rows = [
        expect_dict(m, KIND, "message") for m in expect_list(raw.get("messages"), KIND, "messages")
    ]
    dated: list[tuple[datetime, dict[str, Any]]] = []
    for index, message in enumerate(rows):
        own_id = message.get("_id") or message.get("id")
        name = clean_line(own_id, NAME_MAX) or f"{event_id} message {index + 1}"
        with drops.item("update", name, f"in {event_id}"):
            at = parse_iso(message.get("datetime"), "datetime")
            if at is None:
                raise UnusableTime.missing("datetime")
            dated.append((at, message))
    # Stable sort: same-instant messages keep the feed's order.
    return sorted(dated, key=lambda t: t[0])


def _updates(
    event_id: str, messages: list[tuple[datetime, dict[str, Any]]], maintenance: bool
) -> tuple[IncidentUpdate, ...]:
    states = _MAINTENANCE_STATES if maintenance else _INCIDENT_STATES
    updates = []
    for position, (at, message) in enumerate(messages):
        state = message.get("state")
        own_id = message.get("_id") or message.get("id")
        updates.append(
            IncidentUpdate(
                id=_str_id(own_id) if own_id else f"{event_id}-{position}",
                at=at,
                status=states.get(state, "update") if isinstance(state, int) else "update",
                text=html_to_text(message.get("details")),
            )
        )
    return tuple(reversed(updates))


def _impact(raw: dict[str, Any], messages: list[tuple[datetime, dict[str, Any]]]) -> Impact:
    codes = [raw.get("status_code"), *(m.get("status") for _, m in messages)]
    # A code given but not in the legend is unknown; an absent one says nothing.
    given: list[ComponentStatus] = [_status(c, None) for c in codes if c is not None and c != ""]
    impact = impact_for_status(worst_status(given))
    # An incident means something went wrong even when every code says operational.
    return "minor" if impact == "none" else impact


def _names(raw: Any) -> tuple[str, ...]:
    names = []
    for entry in expect_list(raw, KIND, "affected list"):
        name = entry.get("name") if isinstance(entry, dict) else entry
        text = clean_line(name, NAME_MAX)
        if text:
            names.append(text)
    return tuple(dict.fromkeys(names))
