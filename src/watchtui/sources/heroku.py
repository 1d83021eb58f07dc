"""Heroku status: ``status.heroku.com/api/v4/current-status``.

Shape: ``status[] {system: Apps|Data|Tools, status: green|yellow|red|blue}``, ``incidents[]`` and
``scheduled[]`` of issue objects ``{id, created_at, updated_at, title, resolved, upcoming,
status_dev, status_prod, href, full_url, updates[{id, created_at, update_type, contents,
status_dev, status_prod}]}``.  The older v3 body (``status: {"Production": "green", …}``,
``issues[]``) is read the same way.

Mapping decisions:

* colour -> component status (as Heroku's own legend and other clients read it): green ->
  operational, yellow -> degraded, red -> major_outage, blue -> maintenance; anything else ->
  unknown.  Each system is a component; the page indicator is the worst impact the systems imply
  and the description lists them verbatim ("Apps: green, Data: blue, …").
* An issue's impact is the worst of its own ``status_prod``/``status_dev`` (falling back to its
  updates' colours) through the same table, and at least minor (an incident means something went
  wrong even while every colour stayed green); a colour given but not in the table reads as
  ``unknown``; no colour at all is minor.  Scheduled issues are ``Maintenance`` with impact
  maintenance.
* ``resolved`` is the only truth about openness: a resolved issue that is still listed (Heroku
  keeps finished maintenance in ``scheduled[]`` for a while) is closed, at the time of its newest
  ``resolved`` update, else its ``updated_at``.
* Status words: an issue's status is its newest update's ``update_type`` (issue -> investigating,
  maintenance -> in_progress, others kept: identified, monitoring, update, scheduled, resolved).
  A closed incident is ``resolved``, a closed maintenance ``completed``; an open one whose newest
  update claims resolution is just ``update``.  Open maintenance without an in-progress update is
  ``scheduled`` while ``upcoming`` is true, else ``in_progress``.
* Issues name no systems in this feed, so ``Incident.components`` stays empty, and maintenance
  windows exist only inside the title text, so ``scheduled_for/until`` stay unset.
* Component listing ``full``: ``status[]`` lists every system.
* An issue whose own time cannot be read is left out, as is an update whose time cannot be read
  (both recorded in ``Snapshot.dropped``).
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

KIND = "heroku"
PAGE_NAME = "Heroku"
PAGE_URL = "https://status.heroku.com"

_COLOURS: dict[str, ComponentStatus] = {
    "green": "operational",
    "yellow": "degraded",
    "red": "major_outage",
    "blue": "maintenance",
}
_UPDATE_WORDS = {"issue": "investigating", "maintenance": "in_progress"}
_CLOSING_WORDS = frozenset({"resolved", "completed"})


def parse(data: bytes, headers: Headers | None = None) -> Snapshot:
    with guard(KIND):
        root = expect_dict(load_json(data, KIND, headers), KIND, "payload")
        if "status" not in root:
            raise FeedError(KIND, "no status list")
        components = _components(root["status"])
        drops = Drops()
        incidents: list[Incident] = []
        maintenances: list[Maintenance] = []
        lists: tuple[tuple[Any, DroppedWhat], ...] = (
            (root.get("incidents", root.get("issues")), "incident"),
            (root.get("scheduled"), "maintenance"),
        )
        for raw_list, what in lists:
            for raw in expect_list(raw_list, KIND, "issues"):
                _read_issue(expect_dict(raw, KIND, "issue"), what, incidents, maintenances, drops)
        return Snapshot(
            kind=KIND,
            page_name=PAGE_NAME,
            page_url=PAGE_URL,
            page_status=_page_status(components),
            components=components,
            component_listing="full",
            incidents=tuple(incidents),
            maintenances=tuple(maintenances),
            dropped=drops.as_tuple(),
        )


def _read_issue(
    raw: dict[str, Any],
    what: DroppedWhat,
    incidents: list[Incident],
    maintenances: list[Maintenance],
    drops: Drops,
) -> None:
    issue_id = _str_id(raw.get("id"))
    with drops.item(what, issue_id):
        fields = _issue(raw, issue_id, drops, maintenance=what == "maintenance")
        if what == "maintenance":
            maintenances.append(Maintenance(**fields))
        else:
            incidents.append(Incident(**fields))


def _components(raw: Any) -> tuple[Component, ...]:
    if isinstance(raw, dict):  # v3: {"Production": "green", "Development": "green"}
        pairs = list(raw.items())
    else:
        rows = [expect_dict(r, KIND, "system") for r in expect_list(raw, KIND, "status")]
        pairs = [(r.get("system"), r.get("status")) for r in rows]
    components: list[Component] = []
    for system, colour in pairs:
        name = clean_line(system, NAME_MAX)
        if not name:
            raise FeedError(KIND, "system without a name")
        components.append(Component(id=name, name=name, status=_colour(colour)))
    return tuple(components)


def _colour(value: Any) -> ComponentStatus:
    return _COLOURS.get(clean_line(value).lower(), "unknown")


def _page_status(components: tuple[Component, ...]) -> PageStatus:
    if not components:
        return PageStatus()
    description = ", ".join(f"{c.name}: {_colour_word(c.status)}" for c in components)
    return PageStatus(
        indicator=worst_impact([impact_for_status(c.status) for c in components]),
        description=clean_line(description),
    )


def _colour_word(status: ComponentStatus) -> str:
    return next((word for word, s in _COLOURS.items() if s == status), "unknown")


def _issue(
    raw: dict[str, Any], issue_id: str, drops: Drops, *, maintenance: bool
) -> dict[str, Any]:
    """Keyword arguments for an ``Incident`` or ``Maintenance``."""
    created = parse_iso(raw.get("created_at"), "created_at")
    updated = parse_iso(raw.get("updated_at"), "updated_at")
    updates = _updates(raw, issue_id, drops)
    times = [t for t in (created, updated, *(u.at for u in updates)) if t is not None]
    if not times:
        raise UnusableTime.missing("created_at/updated_at or update")
    started = created or min(times)
    resolved = raw.get("resolved") is True
    return {
        "id": issue_id,
        "title": clean_line(raw.get("title")),
        "status": _issue_status(raw, updates, resolved, maintenance),
        "impact": "maintenance" if maintenance else _impact(raw),
        "started_at": started,
        "updated_at": max(times),
        "resolved_at": _resolved_at(updates, updated, started) if resolved else None,
        "url": safe_url(raw.get("full_url")) or safe_url(raw.get("href")),
        "updates": updates,
    }


def _str_id(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, str)) or value == "":
        raise FeedError(KIND, "issue without a usable id")
    return clean_line(value, NAME_MAX)


def _updates(raw: dict[str, Any], issue_id: str, drops: Drops) -> tuple[IncidentUpdate, ...]:
    rows = [
        expect_dict(u, KIND, "update") for u in expect_list(raw.get("updates"), KIND, "updates")
    ]
    updates = []
    for position, row in enumerate(rows):
        own_id = row.get("id")
        update_id = _str_id(own_id) if own_id is not None else f"{issue_id}-{position}"
        with drops.item("update", update_id, f"in issue {issue_id}"):
            at = parse_iso(row.get("created_at"), "created_at") or parse_iso(
                row.get("updated_at"), "updated_at"
            )
            if at is None:
                raise UnusableTime.missing("created_at/updated_at")
            word = _word(row.get("update_type"))
            updates.append(
                IncidentUpdate(
                    id=update_id,
                    at=at,
                    status=_UPDATE_WORDS.get(word, word or "update"),
                    text=html_to_text(row.get("contents")),
                )
            )
    return tuple(sorted(updates, key=lambda u: u.at, reverse=True))


def _word(value: Any) -> str:
    return clean_line(value).lower().replace(" ", "_")


def _issue_status(
    raw: dict[str, Any], updates: tuple[IncidentUpdate, ...], resolved: bool, maintenance: bool
) -> str:
    if resolved:
        return "completed" if maintenance else "resolved"
    newest = updates[0].status if updates else ""
    if newest in _CLOSING_WORDS:
        return "update"
    if maintenance and newest != "in_progress":
        return "scheduled" if raw.get("upcoming") is True else "in_progress"
    return newest or "investigating"


def _impact(raw: dict[str, Any]) -> Impact:
    colours = [raw.get("status_prod"), raw.get("status_dev")]
    if not any(_colour(c) != "unknown" for c in colours):
        colours += [
            expect_dict(u, KIND, "update").get(key)
            for u in expect_list(raw.get("updates"), KIND, "updates")
            for key in ("status_prod", "status_dev")
        ]
    # A colour outside the legend counts as unknown; one not given at all does not count.
    given: list[ComponentStatus] = [_colour(c) for c in colours if c is not None and c != ""]
    impact = impact_for_status(worst_status(given))
    # An incident always means something went wrong, even when every colour stayed green.
    return "minor" if impact == "none" else impact


def _resolved_at(
    updates: tuple[IncidentUpdate, ...], updated: datetime | None, started: datetime
) -> datetime:
    closing = [u.at for u in updates if u.status in _CLOSING_WORDS]
    if closing:
        return max(closing)
    return updated or started
