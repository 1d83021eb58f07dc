"""Checkly status pages: ``<page>/api/status-page/<slug>/unresolved-incidents``.

The real body is ``{"incidents": [...]}`` (a bare array is accepted too).  Incident: ``id``,
``name``, ``severity`` (MINOR | MEDIUM | MAJOR | CRITICAL), ``created_at``, ``updated_at``,
``lastUpdateStatus`` (INVESTIGATING | IDENTIFIED | MONITORING | RESOLVED), ``services[{id, name}]``
and ``incidentUpdates[{id, status, description, publicIncidentUpdateDate, created_at}]``, as in
Checkly's public API reference (checklyhq.com/docs/api-reference/status-page-incidents).

Mapping decisions:

* severity -> impact (and the status of the services it names, so that ``impact_for_status``
  agrees): MINOR ("most users unaffected") and MEDIUM ("some users affected") -> minor
  (degraded), MAJOR -> major (partial_outage), CRITICAL -> critical (major_outage); a severity
  given but not one of these -> ``unknown`` (for the services too); none given -> minor.  Real
  MEDIUM incidents are titled "… Degraded", which is why MEDIUM is not read as an outage.
* status = ``lastUpdateStatus`` lower-cased (else the newest update's, else investigating).
  RESOLVED closes the incident at its newest resolving update (else ``updated_at``).
* Components (listing ``derived``): the endpoint names services only inside unresolved
  incidents; those of open incidents become components with the worst status their incidents
  imply.  A service no open incident names is absent, which a derived listing reads as
  recovered, and the page status stays unset: the endpoint states none.
* Updates are dated by ``publicIncidentUpdateDate`` (what the page shows), else ``created_at``.
* An incident whose own time cannot be read is left out, as is an update whose time cannot be
  read (recorded in ``Snapshot.dropped``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from watchtui.domain.errors import FeedError
from watchtui.domain.model import (
    Component,
    ComponentStatus,
    Incident,
    IncidentUpdate,
    Snapshot,
    impact_for_status,
    worst_status,
)
from watchtui.domain.text import NAME_MAX, clean_line, html_to_text
from watchtui.sources._common import (
    Drops,
    Headers,
    UnusableTime,
    expect_dict,
    expect_list,
    guard,
    load_json,
    parse_iso,
)

KIND = "checkly"

_SEVERITY: dict[str, ComponentStatus] = {
    "MINOR": "degraded",
    "MEDIUM": "degraded",
    "MAJOR": "partial_outage",
    "CRITICAL": "major_outage",
}


def parse(data: bytes, headers: Headers | None = None) -> Snapshot:
    with guard(KIND):
        payload = load_json(data, KIND, headers)
        if isinstance(payload, dict):
            if "incidents" not in payload:
                raise FeedError(KIND, "no incidents list")
            payload = payload["incidents"]
        if not isinstance(payload, list):
            raise FeedError(KIND, "incidents is not a list")
        drops = Drops()
        parsed: list[tuple[Incident, list[tuple[str, str, ComponentStatus]]]] = []
        for raw in payload:
            row = expect_dict(raw, KIND, "incident")
            incident_id = _id(row.get("id"), "incident")
            with drops.item("incident", incident_id):
                parsed.append(_incident(row, incident_id, drops))
        return Snapshot(
            kind=KIND,
            components=_components(parsed),
            component_listing="derived",
            incidents=tuple(incident for incident, _ in parsed),
            dropped=drops.as_tuple(),
        )


def _id(value: Any, what: str) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int)) or value == "":
        raise FeedError(KIND, f"{what} without a usable id")
    return clean_line(value, NAME_MAX)


def _incident(
    raw: dict[str, Any], incident_id: str, drops: Drops
) -> tuple[Incident, list[tuple[str, str, ComponentStatus]]]:
    created = parse_iso(raw.get("created_at"), "created_at")
    updated = parse_iso(raw.get("updated_at"), "updated_at")
    updates = _updates(raw, incident_id, drops)
    times = [t for t in (created, updated, *(u.at for u in updates)) if t is not None]
    if not times:
        raise UnusableTime.missing("created_at/updated_at or update")
    status = clean_line(raw.get("lastUpdateStatus")).lower() or (
        updates[0].status if updates else "investigating"
    )
    severity = _severity(raw.get("severity"))
    services = _services(raw, severity)
    incident = Incident(
        id=incident_id,
        title=clean_line(raw.get("name")),
        status=status,
        impact=impact_for_status(severity),
        started_at=created or min(times),
        updated_at=max(times),
        resolved_at=_resolved_at(updates, updated, max(times)) if status == "resolved" else None,
        components=tuple(dict.fromkeys(name for _, name, _ in services)),
        updates=updates,
    )
    return incident, services


def _severity(value: Any) -> ComponentStatus:
    if value is None or value == "":
        return "degraded"  # an incident of unstated severity is still trouble
    word = clean_line(value).upper() if isinstance(value, str) else ""
    return _SEVERITY.get(word, "unknown")


def _services(
    raw: dict[str, Any], severity: ComponentStatus
) -> list[tuple[str, str, ComponentStatus]]:
    found = []
    for row in (
        expect_dict(s, KIND, "service") for s in expect_list(raw.get("services"), KIND, "services")
    ):
        name = clean_line(row.get("name"), NAME_MAX)
        if name:
            service_id = _id(row["id"], "service") if row.get("id") is not None else name
            found.append((service_id, name, severity))
    return found


def _updates(raw: dict[str, Any], incident_id: str, drops: Drops) -> tuple[IncidentUpdate, ...]:
    rows = expect_list(raw.get("incidentUpdates"), KIND, "incidentUpdates")
    updates = []
    for row in (expect_dict(r, KIND, "incident update") for r in rows):
        update_id = _id(row.get("id"), "incident update")
        with drops.item("update", update_id, f"in incident {incident_id}"):
            at = parse_iso(
                row.get("publicIncidentUpdateDate"), "publicIncidentUpdateDate"
            ) or parse_iso(row.get("created_at"), "created_at")
            if at is None:
                raise UnusableTime.missing("publicIncidentUpdateDate/created_at")
            updates.append(
                IncidentUpdate(
                    id=update_id,
                    at=at,
                    status=clean_line(row.get("status")).lower() or "update",
                    text=html_to_text(row.get("description")),
                )
            )
    return tuple(sorted(updates, key=lambda u: u.at, reverse=True))


def _resolved_at(
    updates: tuple[IncidentUpdate, ...], updated: datetime | None, latest: datetime
) -> datetime:
    resolving = [u.at for u in updates if u.status == "resolved"]
    return max(resolving) if resolving else (updated or latest)


def _components(
    parsed: list[tuple[Incident, list[tuple[str, str, ComponentStatus]]]],
) -> tuple[Component, ...]:
    names: dict[str, str] = {}
    statuses: dict[str, list[ComponentStatus]] = {}
    for incident, services in parsed:
        if not incident.is_open:
            continue
        for service_id, name, status in services:
            names.setdefault(service_id, name)
            statuses.setdefault(service_id, []).append(status)
    return tuple(
        Component(id=service_id, name=names[service_id], status=worst_status(found))
        for service_id, found in statuses.items()
    )
