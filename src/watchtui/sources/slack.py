"""Slack status API v2.0.0: ``/api/v2.0.0/current`` and ``/api/v2.0.0/history``.

``current`` is ``{status, active_incidents[], date_created, date_updated}``; ``history`` is a bare
array of the same incident objects (docs.slack.dev/reference/slack-status-api).  One parser reads
both: an array is history, an object is current.

Incident objects: ``id`` (a number in the wild, a string in the docs: both become ``str``),
``title``, ``type`` (incident | notice | outage), ``status`` (active | resolved, and per third-party
notes scheduled | completed | cancelled for maintenance), ``url``, ``services[]`` (names),
``notes[{date_created, body}]`` and timestamps with local offsets (``-07:00``), converted to UTC.
``\\/`` in URLs and names is ordinary JSON escaping.

Mapping decisions:

* type -> impact (component status for the services it names, chosen so that
  ``impact_for_status`` gives the same impact back): outage -> major (partial_outage), incident ->
  minor (degraded), notice -> none (operational: a notice is informational).  An unknown type is
  treated like ``incident`` so a new kind of trouble never reads as harmless.
* Maintenance is anything of type ``maintenance`` or with a maintenance status (scheduled,
  completed, cancelled); it becomes a ``Maintenance`` with impact ``maintenance``.
* status: active -> investigating (in_progress for maintenance), resolved -> resolved, scheduled ->
  scheduled, completed -> completed, cancelled -> cancelled.  Closed (resolved/completed/
  cancelled) incidents get ``resolved_at = date_updated``: Slack has no resolution timestamp.
* Components: Slack publishes no service list, so only services named by open incidents (and
  in-progress maintenance) become components, each with the worst status those incidents imply.
  Everything else is simply absent rather than claimed operational.
* page_status: ``ok`` -> none; ``active`` -> the worst impact of the open incidents (maintenance
  when only maintenance is in progress, minor when the page says active but lists nothing); any
  other word -> no indicator, the word kept as the description.
* Notes are the updates, newest first.  Their ids are ``<incident id>-<n>`` with ``n`` counting
  from the oldest note, so ids stay stable as notes are appended.  Notes carry no status: they are
  ``update`` except the newest note of a closed incident, which takes the closing status.
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
    worst_impact,
    worst_status,
)
from watchtui.domain.text import NAME_MAX, clean_line, html_to_text
from watchtui.sources._common import (
    Headers,
    expect_dict,
    expect_list,
    guard,
    load_json,
    parse_iso,
    safe_url,
)

KIND = "slack"
PAGE_NAME = "Slack"
PAGE_URL = "https://status.slack.com"

_TYPE_STATUS: dict[str, ComponentStatus] = {
    "outage": "partial_outage",
    "incident": "degraded",
    "notice": "operational",
}
_IMPACT_STATUS: dict[Impact, ComponentStatus] = {
    impact_for_status(s): s for s in _TYPE_STATUS.values()
}
_MAINTENANCE_STATUSES = frozenset({"scheduled", "completed", "cancelled"})
_CLOSED = frozenset({"resolved", "completed", "cancelled"})
_PAGE_DESCRIPTIONS = {"ok": "No active incidents", "active": "Active incidents"}


def parse(data: bytes, headers: Headers | None = None) -> Snapshot:
    with guard(KIND):
        payload = load_json(data, KIND, headers)
        if isinstance(payload, list):
            return _snapshot(payload, None, None)
        root = expect_dict(payload, KIND, "payload")
        if "active_incidents" not in root and "status" not in root:
            raise FeedError(KIND, "neither a current-status object nor a history array")
        raw = expect_list(root.get("active_incidents"), KIND, "active_incidents")
        return _snapshot(raw, root.get("status"), parse_iso(root.get("date_updated")))


def _snapshot(raw: list[Any], page_word: Any, updated_at: datetime | None) -> Snapshot:
    incidents: list[Incident] = []
    maintenances: list[Maintenance] = []
    for item in raw:
        event = _event(expect_dict(item, KIND, "incident"))
        if isinstance(event, Maintenance):
            maintenances.append(event)
        else:
            incidents.append(event)
    return Snapshot(
        kind=KIND,
        page_name=PAGE_NAME,
        page_url=PAGE_URL,
        updated_at=updated_at,
        page_status=_page_status(page_word, incidents, maintenances),
        components=_components(incidents, maintenances),
        incidents=tuple(incidents),
        maintenances=tuple(maintenances),
    )


def _event(raw: dict[str, Any]) -> Incident:
    incident_id = _str_id(raw.get("id"))
    kind = _word(raw.get("type"))
    word = _word(raw.get("status"))
    is_maintenance = kind == "maintenance" or word in _MAINTENANCE_STATUSES
    status = _status(word, is_maintenance)
    created = parse_iso(raw.get("date_created"))
    updated = parse_iso(raw.get("date_updated")) or created
    started = created or updated
    if started is None or updated is None:
        raise FeedError(KIND, f"incident {incident_id} has no date")
    closed = word in _CLOSED
    fields: dict[str, Any] = {
        "id": incident_id,
        "title": clean_line(raw.get("title")),
        "status": status,
        "impact": "maintenance" if is_maintenance else _impact(kind),
        "started_at": started,
        "updated_at": max(updated, started),
        "resolved_at": max(updated, started) if closed else None,
        "url": safe_url(raw.get("url")),
        "components": _services(raw),
        "updates": _updates(incident_id, raw, status if closed else None),
    }
    if is_maintenance:
        return Maintenance(**fields)
    return Incident(**fields)


def _str_id(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, str)) or value == "":
        raise FeedError(KIND, "incident without a usable id")
    return clean_line(value, NAME_MAX)


def _word(value: Any) -> str:
    return clean_line(value).lower().replace(" ", "_")


def _status(word: str, is_maintenance: bool) -> str:
    if word == "active":
        return "in_progress" if is_maintenance else "investigating"
    return word or "update"


def _impact(kind: str) -> Impact:
    return impact_for_status(_TYPE_STATUS.get(kind, "degraded"))


def _services(raw: dict[str, Any]) -> tuple[str, ...]:
    services = expect_list(raw.get("services"), KIND, "services")
    if not all(isinstance(s, str) for s in services):
        raise FeedError(KIND, "services is not a list of names")
    names = (clean_line(s, NAME_MAX) for s in services)
    return tuple(dict.fromkeys(n for n in names if n))


def _updates(
    incident_id: str, raw: dict[str, Any], closing: str | None
) -> tuple[IncidentUpdate, ...]:
    notes = [expect_dict(n, KIND, "note") for n in expect_list(raw.get("notes"), KIND, "notes")]
    dated = [(parse_iso(n.get("date_created")), index, n) for index, n in enumerate(notes)]
    known = sorted(
        ((at, index, n) for at, index, n in dated if at is not None), key=lambda t: t[:2]
    )
    updates = [
        IncidentUpdate(
            id=f"{incident_id}-{position}",
            at=at,
            status="update",
            text=html_to_text(note.get("body")),
        )
        for position, (at, _, note) in enumerate(known)
    ]
    if closing is not None and updates:
        updates[-1] = updates[-1].model_copy(update={"status": closing})
    return tuple(reversed(updates))


def _components(
    incidents: list[Incident], maintenances: list[Maintenance]
) -> tuple[Component, ...]:
    statuses: dict[str, list[ComponentStatus]] = {}
    for incident in incidents:
        if incident.is_open:
            for name in incident.components:
                statuses.setdefault(name, []).append(_status_for_impact(incident.impact))
    for maintenance in maintenances:
        if maintenance.is_open and maintenance.status == "in_progress":
            for name in maintenance.components:
                statuses.setdefault(name, []).append("maintenance")
    return tuple(
        Component(id=name, name=name, status=worst_status(found))
        for name, found in statuses.items()
    )


def _status_for_impact(impact: Impact) -> ComponentStatus:
    return _IMPACT_STATUS.get(impact, "degraded")


def _page_status(
    word: Any, incidents: list[Incident], maintenances: list[Maintenance]
) -> PageStatus:
    if word is None:
        return PageStatus()
    text = _word(word)
    description = _PAGE_DESCRIPTIONS.get(text, clean_line(word))
    if text == "ok":
        return PageStatus(indicator="none", description=description)
    if text != "active":
        return PageStatus(indicator=None, description=description)
    impacts = [i.impact for i in incidents if i.is_open]
    if any(m.is_open and m.status == "in_progress" for m in maintenances):
        impacts.append("maintenance")
    indicator = worst_impact(impacts) if impacts else "minor"
    return PageStatus(indicator=indicator, description=description)
