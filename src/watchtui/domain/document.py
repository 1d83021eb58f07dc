"""The stable JSON shape of the model, shared by ``watchtui parse --json`` and later commands.

Field names and meanings are documented in the README; change them only additively.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from watchtui.domain.model import Component, Incident, IncidentUpdate, Maintenance, Snapshot

JSON_FORMAT_VERSION = 1


def iso(value: datetime | None) -> str | None:
    """ISO 8601 in UTC to the second, with ``Z``: the one way a time is written for people and
    scripts (a clock's microseconds, an inferred resolution's included, are noise to both)."""
    if value is None:
        return None
    return value.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def update_to_dict(update: IncidentUpdate) -> dict[str, Any]:
    return {"id": update.id, "at": iso(update.at), "status": update.status, "text": update.text}


def incident_to_dict(incident: Incident) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": incident.id,
        "title": incident.title,
        "status": incident.status,
        "impact": incident.impact,
        "started_at": iso(incident.started_at),
        "updated_at": iso(incident.updated_at),
        "resolved_at": iso(incident.resolved_at),
        "url": incident.url,
        "components": list(incident.components),
        "regions": list(incident.regions),
        "updates": [update_to_dict(u) for u in incident.updates],
        "time_note": incident.time_note,
    }
    if isinstance(incident, Maintenance):
        data["scheduled_for"] = iso(incident.scheduled_for)
        data["scheduled_until"] = iso(incident.scheduled_until)
    return data


def component_to_dict(component: Component) -> dict[str, Any]:
    return {
        "id": component.id,
        "name": component.name,
        "group": component.group,
        "status": component.status,
        "regions": list(component.regions),
    }


def snapshot_to_dict(snapshot: Snapshot) -> dict[str, Any]:
    return {
        "format": JSON_FORMAT_VERSION,
        "kind": snapshot.kind,
        "page_name": snapshot.page_name,
        "page_url": snapshot.page_url,
        "updated_at": iso(snapshot.updated_at),
        "page_status": {
            "indicator": snapshot.page_status.indicator,
            "description": snapshot.page_status.description,
        },
        "derived_impact": snapshot.derived_impact,
        "components": [component_to_dict(c) for c in snapshot.components],
        "incidents": [incident_to_dict(i) for i in snapshot.incidents],
        "maintenances": [incident_to_dict(m) for m in snapshot.maintenances],
        "component_listing": snapshot.component_listing,
        "dropped": [{"what": d.what, "id": d.id, "reason": d.reason} for d in snapshot.dropped],
    }
