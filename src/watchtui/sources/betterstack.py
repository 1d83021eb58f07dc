"""Better Stack (Better Uptime) status pages: ``<page>/index.json``, a JSON:API document.

``data`` is the ``status_page`` (``company_name``, ``custom_domain``, ``subdomain``,
``aggregate_state``, ``updated_at``); ``included[]`` holds ``status_page_section`` (``name``),
``status_page_resource`` (``public_name``, ``status_page_section_id``, ``status``),
``status_report`` (``title``, ``report_type`` manual|automatic|maintenance, ``starts_at``,
``ends_at``, ``affected_resources[{status_page_resource_id, status}]``, ``aggregate_state``,
``relationships.status_updates``) and ``status_update`` (``message``, ``published_at``,
``affected_resources``).  Ids are strings in JSON:API references and sometimes integers in
attributes (``status_page_section_id``); both are compared as strings.

How resolution is expressed: ``ends_at`` stays null on resolved manual reports, so it is not the
end.  A report is closed when its ``aggregate_state`` is ``resolved`` (a value the API docs do not
list but real pages send), or failing that when every resource it affects is ``resolved``.  It
closes at its newest update's ``published_at``, else ``ends_at``, else ``starts_at``.  The
``status_updates`` relationship is not in time order; updates are sorted newest first.

Mapping decisions:

* resource/aggregate state -> component status: operational -> operational, degraded -> degraded,
  downtime -> major_outage, maintenance -> maintenance, anything else (not_monitored …) ->
  unknown.  The page indicator is ``impact_for_status`` of the page's ``aggregate_state`` (so an
  unreadable state is ``unknown``; none given, no indicator).
* Components are the resources, grouped under their section's name; the document lists every
  resource of the page (component listing ``full``).
* Reports of type maintenance are ``Maintenance`` (impact maintenance; ``scheduled_for/until`` =
  ``starts_at``/``ends_at``; completed when closed; in_progress when one of its resources is in
  maintenance now or the page's own ``updated_at`` falls inside the window; otherwise scheduled).
  Other reports are incidents whose impact is the worst non-resolved state any of their updates or
  the report gave a resource (minor when none is given or all are operational; an unreadable
  state counts as unknown), status ``resolved`` when closed and ``investigating`` otherwise:
  Better Stack has no lifecycle words.
* An update's status is ``resolved`` when it marks every resource it names resolved, else
  ``update``; the newest update of a closed report takes the closing status.
* A report whose own time cannot be read is left out, as is a status update whose
  ``published_at`` cannot be read (recorded in ``Snapshot.dropped``); an unreadable page
  ``updated_at`` counts as absent.
"""

from __future__ import annotations

from dataclasses import dataclass
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

KIND = "betterstack"

_STATES: dict[str, ComponentStatus] = {
    "operational": "operational",
    "degraded": "degraded",
    "downtime": "major_outage",
    "maintenance": "maintenance",
}
_PAGE_TEXT = {
    "operational": "All systems operational",
    "degraded": "Degraded performance",
    "downtime": "Downtime",
    "maintenance": "Under maintenance",
}


@dataclass(frozen=True)
class _Update:
    id: str
    at: datetime
    text: str
    states: tuple[tuple[str, str], ...]  # (resource id, state word)


def parse(data: bytes, headers: Headers | None = None) -> Snapshot:
    with guard(KIND):
        root = expect_dict(load_json(data, KIND, headers), KIND, "payload")
        page = expect_dict(root.get("data"), KIND, "data")
        if page.get("type") != "status_page":
            raise FeedError(KIND, "data is not a status_page")
        attributes = expect_dict(page.get("attributes"), KIND, "status page attributes")
        included = [
            expect_dict(i, KIND, "included entry")
            for i in expect_list(root.get("included"), KIND, "included")
        ]
        return _snapshot(attributes, included)


def _snapshot(page: dict[str, Any], included: list[dict[str, Any]]) -> Snapshot:
    by_type: dict[str, list[_Entry]] = {}
    for entry in included:
        attributes = _optional_dict(entry.get("attributes"), "attributes")
        item = _Entry(_id(entry.get("id")), attributes, entry)
        by_type.setdefault(clean_line(entry.get("type")), []).append(item)
    sections = {
        e.id: clean_line(e.attributes.get("name"), NAME_MAX)
        for e in by_type.get("status_page_section", [])
    }
    components = tuple(
        _component(e.id, e.attributes, sections) for e in by_type.get("status_page_resource", [])
    )
    drops = Drops()
    updates: dict[str, _Update] = {}
    for update_entry in by_type.get("status_update", []):
        with drops.item("update", update_entry.id):
            updates[update_entry.id] = _update(update_entry.id, update_entry.attributes)
    page_updated = _page_updated(page)
    context = _Context({c.id: c for c in components}, updates, page_updated)
    incidents: list[Incident] = []
    maintenances: list[Maintenance] = []
    for report_entry in by_type.get("status_report", []):
        maintenance = _word(report_entry.attributes.get("report_type")) == "maintenance"
        with drops.item("maintenance" if maintenance else "incident", report_entry.id):
            report = _report(report_entry, context)
            if isinstance(report, Maintenance):
                maintenances.append(report)
            else:
                incidents.append(report)
    return Snapshot(
        kind=KIND,
        page_name=clean_line(page.get("company_name"), NAME_MAX) or None,
        page_url=_page_url(page),
        updated_at=page_updated,
        page_status=_page_status(page.get("aggregate_state")),
        components=components,
        component_listing="full",
        incidents=tuple(incidents),
        maintenances=tuple(maintenances),
        dropped=drops.as_tuple(),
    )


def _page_updated(page: dict[str, Any]) -> datetime | None:
    try:
        return parse_iso(page.get("updated_at"), "updated_at")
    except UnusableTime:
        return None


@dataclass(frozen=True)
class _Entry:
    id: str
    attributes: dict[str, Any]
    raw: dict[str, Any]


@dataclass(frozen=True)
class _Context:
    components: dict[str, Component]
    updates: dict[str, _Update]
    page_updated: datetime | None


def _optional_dict(value: Any, what: str) -> dict[str, Any]:
    return {} if value is None else expect_dict(value, KIND, what)


def _id(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int)) or value == "":
        raise FeedError(KIND, "entry without a usable id")
    return clean_line(value, NAME_MAX)


def _word(value: Any) -> str:
    return clean_line(value).lower()


def _state(value: Any) -> ComponentStatus:
    return _STATES.get(_word(value), "unknown")


def _page_url(page: dict[str, Any]) -> str | None:
    domain = clean_line(page.get("custom_domain"), NAME_MAX)
    if domain:
        return safe_url(f"https://{domain}")
    subdomain = clean_line(page.get("subdomain"), NAME_MAX)
    return safe_url(f"https://{subdomain}.betteruptime.com") if subdomain else None


def _page_status(value: Any) -> PageStatus:
    word = _word(value)
    if not word:
        return PageStatus()
    if word not in _STATES:
        # A state we cannot read is still a claim.
        return PageStatus(indicator="unknown", description=clean_line(value))
    return PageStatus(indicator=impact_for_status(_STATES[word]), description=_PAGE_TEXT[word])


def _component(entry_id: str, raw: dict[str, Any], sections: dict[str, str]) -> Component:
    section = raw.get("status_page_section_id")
    group = sections.get(_id(section)) if section is not None else None
    return Component(
        id=entry_id,
        name=clean_line(raw.get("public_name"), NAME_MAX),
        group=group or None,
        status=_state(raw.get("status")),
    )


def _affected(raw: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    rows = expect_list(raw.get("affected_resources"), KIND, "affected_resources")
    pairs = []
    for row in (expect_dict(r, KIND, "affected resource") for r in rows):
        pairs.append((_id(row.get("status_page_resource_id")), _word(row.get("status"))))
    return tuple(pairs)


def _update(entry_id: str, raw: dict[str, Any]) -> _Update:
    at = parse_iso(raw.get("published_at"), "published_at")
    if at is None:
        raise UnusableTime.missing("published_at")
    return _Update(entry_id, at, html_to_text(raw.get("message")), _affected(raw))


def _report(entry: _Entry, context: _Context) -> Incident:
    entry_id, raw = entry.id, entry.attributes
    updates = _report_updates(entry.raw, context)
    affected = _affected(raw)
    every_state = [*affected, *(pair for u in updates for pair in u.states)]
    starts = parse_iso(raw.get("starts_at"), "starts_at")
    ends = parse_iso(raw.get("ends_at"), "ends_at")
    times = [t for t in (starts, *(u.at for u in updates)) if t is not None]
    if not times:
        raise UnusableTime.missing("starts_at or update")
    started = starts or min(times)
    closed = _closed(raw, affected)
    maintenance = _word(raw.get("report_type")) == "maintenance"
    closing = "completed" if maintenance else "resolved"
    fields: dict[str, Any] = {
        "id": entry_id,
        "title": clean_line(raw.get("title")),
        "impact": "maintenance" if maintenance else _impact(every_state),
        "started_at": started,
        # A maintenance's start is planned work, not a change to the report.
        "updated_at": max(u.at for u in updates) if updates else started,
        "resolved_at": (max(u.at for u in updates) if updates else ends or started)
        if closed
        else None,
        "components": _names(every_state, context),
        "updates": _model_updates(updates, closing if closed else None),
    }
    if not maintenance:
        return Incident(status=closing if closed else "investigating", **fields)
    return Maintenance(
        status=closing if closed else _maintenance_status(affected, starts, ends, context),
        scheduled_for=starts,
        scheduled_until=ends,
        **fields,
    )


def _report_updates(entry: dict[str, Any], context: _Context) -> list[_Update]:
    relationships = _optional_dict(entry.get("relationships"), "relationships")
    link = _optional_dict(relationships.get("status_updates"), "status_updates")
    refs = [expect_dict(r, KIND, "reference") for r in expect_list(link.get("data"), KIND, "data")]
    found = (context.updates.get(_id(ref.get("id"))) for ref in refs)
    # The relationship lists updates in no particular order (seen: newest, oldest, middle).
    return sorted((u for u in found if u is not None), key=lambda u: u.at, reverse=True)


def _closed(raw: dict[str, Any], affected: tuple[tuple[str, str], ...]) -> bool:
    state = _word(raw.get("aggregate_state"))
    if state:
        return state == "resolved"
    return bool(affected) and all(word == "resolved" for _, word in affected)


def _impact(states: list[tuple[str, str]]) -> Impact:
    # Resolved is no state of trouble; a word outside the table is one we cannot read.
    given = [_state(word) for _, word in states if word and word != "resolved"]
    impact = impact_for_status(worst_status(given))
    # A report means something went wrong even when every resource it names is operational.
    return "minor" if impact == "none" else impact


def _names(states: list[tuple[str, str]], context: _Context) -> tuple[str, ...]:
    names = (context.components[r].name for r, _ in states if r in context.components)
    return tuple(dict.fromkeys(n for n in names if n))


def _model_updates(updates: list[_Update], closing: str | None) -> tuple[IncidentUpdate, ...]:
    result = []
    for index, update in enumerate(updates):
        words = [word for _, word in update.states]
        status = "resolved" if words and all(w == "resolved" for w in words) else "update"
        if index == 0 and closing is not None:
            status = closing
        result.append(IncidentUpdate(id=update.id, at=update.at, status=status, text=update.text))
    return tuple(result)


def _maintenance_status(
    affected: tuple[tuple[str, str], ...],
    starts: datetime | None,
    ends: datetime | None,
    context: _Context,
) -> str:
    current = [context.components.get(r) for r, _ in affected]
    if any(c is not None and c.status == "maintenance" for c in current):
        return "in_progress"
    now = context.page_updated
    if now is not None and starts is not None and starts <= now and (ends is None or now < ends):
        return "in_progress"
    return "scheduled"
