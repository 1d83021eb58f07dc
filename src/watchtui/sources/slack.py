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
  minor (degraded), notice -> none (operational: a notice is informational).  A type given but
  not one of these (a number, a new word) reads as ``unknown`` (so a new kind of trouble never
  reads as harmless); an incident with no type at all is treated like ``incident``.
* Maintenance is anything of type ``maintenance`` or with a maintenance status (scheduled,
  completed, cancelled); it becomes a ``Maintenance`` with impact ``maintenance``.
* status: active -> investigating (in_progress for maintenance), resolved -> resolved, scheduled ->
  scheduled, completed -> completed, cancelled -> cancelled.  Closed (resolved/completed/
  cancelled) incidents get ``resolved_at = date_updated``: Slack has no resolution timestamp.
* Components (listing ``derived``): Slack publishes no service list (``current`` names services
  only inside active incidents), so only services named by open incidents (and in-progress
  maintenance) become components, each with the worst status those incidents imply.  A service
  no open incident names is absent, which a derived listing reads as operational again.
* page_status: ``ok`` -> none; ``active`` -> the worst impact of the open incidents (maintenance
  when only maintenance is in progress, minor when the page says active but lists nothing); any
  other value -> ``unknown``, the word kept as the description.
* An incident whose own date cannot be read is left out, as is a note whose date cannot be read
  (both recorded in ``Snapshot.dropped``); a page ``date_updated`` that cannot be read counts as
  absent.
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
    DroppedWhat,
    Drops,
    Headers,
    UnusableTime,
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
        return _snapshot(raw, root.get("status"), _page_updated(root.get("date_updated")))


def _page_updated(value: Any) -> datetime | None:
    try:
        return parse_iso(value, "date_updated")
    except UnusableTime:
        return None


def _snapshot(raw: list[Any], page_word: Any, updated_at: datetime | None) -> Snapshot:
    incidents: list[Incident] = []
    maintenances: list[Maintenance] = []
    drops = Drops()
    for item in raw:
        row = expect_dict(item, KIND, "incident")
        incident_id = _str_id(row.get("id"))
        what: DroppedWhat = "maintenance" if _is_maintenance(row) else "incident"
        with drops.item(what, incident_id):
            event = _event(row, incident_id, drops)
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
        component_listing="derived",
        incidents=tuple(incidents),
        maintenances=tuple(maintenances),
        dropped=drops.as_tuple(),
    )


def _is_maintenance(raw: dict[str, Any]) -> bool:
    return _word(raw.get("type")) == "maintenance" or _word(raw.get("status")) in (
        _MAINTENANCE_STATUSES
    )


def _event(raw: dict[str, Any], incident_id: str, drops: Drops) -> Incident:
    word = _word(raw.get("status"))
    is_maintenance = _is_maintenance(raw)
    status = _status(word, is_maintenance)
    created = parse_iso(raw.get("date_created"), "date_created")
    updated = parse_iso(raw.get("date_updated"), "date_updated") or created
    started = created or updated
    if started is None or updated is None:
        raise UnusableTime.missing("date_created/date_updated")
    closed = word in _CLOSED
    fields: dict[str, Any] = {
        "id": incident_id,
        "title": clean_line(raw.get("title")),
        "status": status,
        "impact": "maintenance" if is_maintenance else _impact(raw.get("type")),
        "started_at": started,
        "updated_at": max(updated, started),
        "resolved_at": max(updated, started) if closed else None,
        "url": safe_url(raw.get("url")),
        "components": _services(raw),
        "updates": _updates(incident_id, raw, status if closed else None, drops),
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


def _impact(value: Any) -> Impact:
    if value is None or value == "":
        return impact_for_status(_TYPE_STATUS["incident"])
    kind = _word(value) if isinstance(value, str) else ""
    status = _TYPE_STATUS.get(kind)
    return impact_for_status(status) if status is not None else "unknown"


def _services(raw: dict[str, Any]) -> tuple[str, ...]:
    services = expect_list(raw.get("services"), KIND, "services")
    if not all(isinstance(s, str) for s in services):
        raise FeedError(KIND, "services is not a list of names")
    names = (clean_line(s, NAME_MAX) for s in services)
    return tuple(dict.fromkeys(n for n in names if n))


def _updates(
    incident_id: str, raw: dict[str, Any], closing: str | None, drops: Drops
) -> tuple[IncidentUpdate, ...]:
    notes = [expect_dict(n, KIND, "note") for n in expect_list(raw.get("notes"), KIND, "notes")]
    known: list[tuple[datetime, int, dict[str, Any]]] = []
    for index, note in enumerate(notes):
        # Notes have no ids of their own; a dropped one is named by its place in the list.
        with drops.item("update", f"{incident_id} note {index + 1}", f"in {incident_id}"):
            at = parse_iso(note.get("date_created"), "date_created")
            if at is None:
                raise UnusableTime.missing("date_created")
            known.append((at, index, note))
    known.sort(key=lambda t: t[:2])
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
    return _IMPACT_STATUS.get(impact, "unknown")


def _page_status(
    word: Any, incidents: list[Incident], maintenances: list[Maintenance]
) -> PageStatus:
    if word is None or word == "":
        return PageStatus()
    text = _word(word)
    description = _PAGE_DESCRIPTIONS.get(text, clean_line(word))
    if text == "ok":
        return PageStatus(indicator="none", description=description)
    if text != "active":
        # A claim we cannot read is still a claim.
        return PageStatus(indicator="unknown", description=description)
    impacts = [i.impact for i in incidents if i.is_open]
    if any(m.is_open and m.status == "in_progress" for m in maintenances):
        impacts.append("maintenance")
    indicator = worst_impact(impacts) if impacts else "minor"
    return PageStatus(indicator=indicator, description=description)
