"""Atlassian Statuspage API v2 (``/api/v2/*.json``) and pages that imitate it.

Every public v2 endpoint returns ``{"page": {...}, <key>: ...}``; which keys are present tells the
endpoint apart (summary, incidents, incident, scheduled maintenances, components, status), so one
parser reads them all.  ``parse_as`` is shared with Statuspage-compatible hosts (incident.io) so
their errors carry their own kind; everything beyond the top-level object is optional there.

Notable decisions (see the README's source table for the user-facing summary):

* Group rows (``group: true``) are containers, not components: they are dropped and their name is
  given to their children (found through ``group_id`` or the group's ``components`` id list).
* ``affected_components`` in updates may spell names with a ``"<group> - "`` prefix; they are
  resolved to the component's own name by ``code`` first, then by stripping a known group prefix.
  Entries with ``old_status == new_status`` still name an affected component; watchtui does not
  model transitions, so they need no special case.
* A migrated incident's update keeps the original time in ``display_at`` while ``created_at`` is the
  migration date; ``display_at`` is what the provider publishes as "when", so it wins, and an
  incident never starts after its earliest published update.
* The status word is the truth about openness: an incident still investigating is open even if a
  stale ``resolved_at`` survived a reopen; a resolved one without ``resolved_at`` is closed at its
  newest update.
* Impact and indicator words outside the API's vocabulary (a number, a new word) read as
  ``unknown``; an absent impact stays ``none`` (maintenance: ``maintenance``), as the page's own
  indicator and components still count.
* Component listing, by endpoint: ``summary.json`` and ``components.json`` list every component
  (``full``: one missing has left the page); ``status.json``, ``incidents.json``,
  ``incidents/unresolved.json``, ``incidents/<id>.json`` and ``scheduled-maintenances.json`` say
  nothing about the page's components (``none``), even where incidents embed some.
* An incident, maintenance or update whose time cannot be read is left out and recorded in
  ``Snapshot.dropped``; a page ``updated_at`` that cannot be read is treated as absent.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import quote

from pydantic import TypeAdapter

from watchtui.domain.errors import FeedError
from watchtui.domain.model import (
    IMPACTS,
    INCIDENT_STATUSES,
    Component,
    ComponentListing,
    ComponentStatus,
    Impact,
    Incident,
    IncidentUpdate,
    Maintenance,
    PageStatus,
    Snapshot,
)
from watchtui.domain.text import NAME_MAX, clean_line, clean_lines, html_to_text
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

KIND = "statuspage"

_PAYLOAD_KEYS = ("status", "components", "incidents", "incident", "scheduled_maintenances")

_COMPONENT_STATUS: dict[str, ComponentStatus] = {
    "operational": "operational",
    "degraded_performance": "degraded",
    "partial_outage": "partial_outage",
    "major_outage": "major_outage",
    "under_maintenance": "maintenance",
}

_CLOSED_STATUSES = frozenset({"resolved", "postmortem", "completed"})
_OPEN_STATUSES = frozenset(
    {"investigating", "identified", "monitoring", "scheduled", "in_progress", "verifying"}
)

# "Amsterdam, Netherlands - (AMS)" (Cloudflare colos).  A bare "(XXX)" counts only after a
# "City, Country" name: product names such as "Data Loss Prevention (DLP)" end the same way.


def parse(data: bytes, headers: Headers | None = None) -> Snapshot:
    return parse_as(data, headers, kind=KIND)


def parse_as(data: bytes, headers: Headers | None, *, kind: str) -> Snapshot:
    """Parse any Statuspage v2 public payload, reporting errors under ``kind``."""
    with guard(kind):
        payload = expect_dict(load_json(data, kind, headers), kind, "payload")
        if not any(key in payload for key in _PAYLOAD_KEYS):
            raise FeedError(kind, "not a Statuspage payload (no status/components/incidents)")
        return _snapshot(payload, kind)


@dataclass
class _Directory:
    """What the page says about its components, used to name an incident's components."""

    groups: dict[str, str] = field(default_factory=dict)  # group id -> name
    group_of: dict[str, str] = field(default_factory=dict)  # child id -> group name
    names: dict[str, str] = field(default_factory=dict)  # component id -> own name
    # The page's own component rows (groups excluded) with their cleaned id and name, so each
    # row is cleaned once.
    components: list[tuple[dict[str, Any], str, str]] = field(default_factory=list)

    @property
    def group_names(self) -> set[str]:
        return set(self.groups.values())


def _snapshot(payload: dict[str, Any], kind: str) -> Snapshot:
    page = _optional_dict(payload.get("page"), kind, "page")
    page_url = safe_url(page.get("url"))
    rows = [
        expect_dict(r, kind, "component")
        for r in expect_list(payload.get("components"), kind, "components")
    ]
    incident_rows = [
        expect_dict(r, kind, "incident")
        for r in expect_list(payload.get("incidents"), kind, "incidents")
    ]
    if "incident" in payload:
        incident_rows.append(expect_dict(payload["incident"], kind, "incident"))
    maintenance_rows = [
        expect_dict(r, kind, "scheduled maintenance")
        for r in expect_list(payload.get("scheduled_maintenances"), kind, "scheduled_maintenances")
    ]
    # Incidents.json can hold maintenances too; a scheduled window is what makes one.
    maintenance_rows += [r for r in incident_rows if r.get("scheduled_for")]
    incident_rows = [r for r in incident_rows if not r.get("scheduled_for")]

    directory = _directory(rows, incident_rows + maintenance_rows, kind)
    drops = Drops()
    incidents = [_incident(r, directory, page_url, kind, drops) for r in incident_rows]
    maintenances = [_maintenance(r, directory, page_url, kind, drops) for r in maintenance_rows]
    return Snapshot(
        kind=kind,
        page_name=clean_line(page.get("name"), NAME_MAX) or None,
        page_url=page_url,
        updated_at=_page_updated(page),
        page_status=_page_status(payload.get("status"), kind),
        # One validation call for all components: pages like Cloudflare's list hundreds.
        components=_COMPONENTS.validate_python(
            [
                _component(row, component_id, name, directory)
                for row, component_id, name in directory.components
            ]
        ),
        component_listing=_listing(payload),
        incidents=tuple(i for i in incidents if i is not None),
        maintenances=tuple(m for m in maintenances if m is not None),
        dropped=drops.as_tuple(),
    )


def _listing(payload: dict[str, Any]) -> ComponentListing:
    # Only summary.json and components.json carry the page's component list; the incident and
    # maintenance endpoints embed components of their own items, which is no listing.
    return "full" if isinstance(payload.get("components"), list) else "none"


def _page_updated(page: dict[str, Any]) -> datetime | None:
    try:
        return parse_iso(page.get("updated_at"), "page updated_at")
    except UnusableTime:
        return None


def _optional_dict(value: Any, kind: str, what: str) -> dict[str, Any]:
    return {} if value is None else expect_dict(value, kind, what)


def _is_group(row: dict[str, Any]) -> bool:
    return row.get("group") is True


def _required_id(row: dict[str, Any], kind: str, what: str) -> str:
    value = row.get("id")
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise FeedError(kind, f"{what} has no id")
    text = clean_line(value, NAME_MAX)
    if not text:
        raise FeedError(kind, f"{what} has no id")
    return text


# --- page and components -------------------------------------------------------------------------


def _page_status(value: Any, kind: str) -> PageStatus:
    status = _optional_dict(value, kind, "status")
    raw = status.get("indicator")
    indicator: Impact | None = None
    if raw is not None and raw != "":
        # A claim we cannot read is still a claim: unknown, not "no indicator".
        word = clean_line(raw).lower() if isinstance(raw, str) else ""
        indicator = _as_impact(word) or "unknown"
    return PageStatus(indicator=indicator, description=clean_line(status.get("description")))


def _as_impact(word: str) -> Impact | None:
    for impact in IMPACTS:
        if word == impact:
            return impact
    return None


def _directory(
    rows: list[dict[str, Any]], incident_rows: list[dict[str, Any]], kind: str
) -> _Directory:
    directory = _Directory()
    # A single-incident payload has no page component list, but its incidents embed full
    # component objects, which are enough to resolve affected_components codes.  The page's own
    # rows come after them and win.
    embedded = [
        row
        for r in incident_rows
        for c in expect_list(r.get("components"), kind, "incident components")
        if not _is_group(row := expect_dict(c, kind, "incident component"))
    ]
    ordered = embedded + rows
    ids = _required_ids(ordered, kind)
    names = clean_lines([row.get("name") for row in ordered], NAME_MAX)
    directory.names.update(zip(ids[: len(embedded)], names[: len(embedded)], strict=True))
    for row, component_id, name in zip(
        rows, ids[len(embedded) :], names[len(embedded) :], strict=True
    ):
        if _is_group(row):
            directory.groups[component_id] = name
            for child in expect_list(row.get("components"), kind, "group components"):
                # Looked up by clean component ids: an id that needed cleaning just loses its
                # group, it cannot smuggle text in (the key is never shown).
                if isinstance(child, str):
                    directory.group_of[child] = name
        else:
            directory.names[component_id] = name
            directory.components.append((row, component_id, name))
    return directory


def _required_ids(rows: list[dict[str, Any]], kind: str) -> list[str]:
    """Each row's ``_required_id``, cleaned in one pass when all are strings (as pages send)."""
    raw = [row.get("id") for row in rows]
    if all(type(value) is str for value in raw):
        ids = clean_lines(raw, NAME_MAX)
        if all(ids):
            return ids
    return [
        _required_id(row, kind, "component group" if _is_group(row) else "component")
        for row in rows
    ]


_COMPONENTS: TypeAdapter[tuple[Component, ...]] = TypeAdapter(tuple[Component, ...])


def _component(
    row: dict[str, Any], component_id: str, name: str, directory: _Directory
) -> dict[str, Any]:
    group_id = row.get("group_id")
    group = directory.groups.get(group_id) if isinstance(group_id, str) else None
    raw_status = row.get("status")
    status = _COMPONENT_STATUS.get(raw_status) if isinstance(raw_status, str) else None
    return {
        "id": component_id,
        "name": name,
        "group": group or directory.group_of.get(component_id),
        "status": status or _COMPONENT_STATUS.get(clean_line(raw_status).lower(), "unknown"),
        "regions": region_codes(name),
        "only_show_if_degraded": row.get("only_show_if_degraded") is True,
    }


def region_codes(name: str) -> tuple[str, ...]:
    """The location code a component name ends with: ``"Paris, France - (CDG)"`` or
    ``"Paris, France (CDG)"`` -> CDG.  A bare ``(XXX)`` counts only after a "City, Country" name,
    so "Data Loss Prevention (DLP)" is not a place.  Hand-written rather than a regex search:
    Cloudflare's page has hundreds of these and this runs on every poll."""
    if len(name) < 6 or name[-1] != ")" or name[-5] != "(":
        return ()
    code = name[-4:-1]
    if not (code.isascii() and code.isalpha() and code.isupper()):
        return ()
    head = name[:-5]
    stripped = head.rstrip()
    if stripped.endswith("-") and stripped[-2:-1].isspace():
        return (code,)
    if head[-1:].isspace():
        comma = head.rfind(",")
        if comma != -1 and "(" not in head[comma:] and ")" not in head[comma:]:
            return (code,)
    return ()


# --- incidents and maintenances ------------------------------------------------------------------


def _incident(
    row: dict[str, Any], directory: _Directory, page_url: str | None, kind: str, drops: Drops
) -> Incident | None:
    incident_id = _required_id(row, kind, "incident")
    with drops.item("incident", incident_id):
        return Incident(**_incident_fields(row, incident_id, directory, page_url, kind, drops))
    return None


def _maintenance(
    row: dict[str, Any], directory: _Directory, page_url: str | None, kind: str, drops: Drops
) -> Maintenance | None:
    incident_id = _required_id(row, kind, "maintenance")
    with drops.item("maintenance", incident_id):
        fields = _incident_fields(row, incident_id, directory, page_url, kind, drops)
        if fields["impact"] == "none":
            fields["impact"] = "maintenance"
        return Maintenance(
            **fields,
            scheduled_for=parse_iso(row.get("scheduled_for"), "scheduled_for"),
            scheduled_until=parse_iso(row.get("scheduled_until"), "scheduled_until"),
        )
    return None


def _incident_fields(
    row: dict[str, Any],
    incident_id: str,
    directory: _Directory,
    page_url: str | None,
    kind: str,
    drops: Drops,
) -> dict[str, Any]:
    updates = _updates(row, incident_id, kind, drops)
    status = _lifecycle_word(row.get("status"))
    own_start = parse_iso(row.get("started_at"), "started_at") or parse_iso(
        row.get("created_at"), "created_at"
    )
    started = _started_at(own_start, updates)
    newest = updates[0].at if updates else None
    updated = parse_iso(row.get("updated_at"), "updated_at") or newest or started
    if started is None or updated is None:
        raise UnusableTime.missing("started_at/created_at/updated_at or update")
    components = _incident_components(row, directory, kind)
    return {
        "id": incident_id,
        "title": clean_line(row.get("name")),
        "status": status,
        "impact": _impact(row.get("impact")),
        "started_at": started,
        "updated_at": updated,
        "resolved_at": _resolved_at(row, status, newest or updated),
        "url": _incident_url(row, incident_id, page_url),
        "components": components,
        "regions": _unique(code for name in components for code in region_codes(name)),
        "updates": updates,
    }


def _lifecycle_word(value: Any) -> str:
    word = re.sub(r"[\s-]+", "_", clean_line(value).lower())
    return word if word in INCIDENT_STATUSES else "update"


def _impact(value: Any) -> Impact:
    if value is None or value == "":
        # An unstated impact is not invented: the page's own indicator and components still count
        # (a maintenance's caller makes it "maintenance").
        return "none"
    # Only the API's own words count: a number (3) or a new word is something we cannot read.
    impact = _as_impact(clean_line(value).lower()) if isinstance(value, str) else None
    return impact or "unknown"


def _started_at(own: datetime | None, updates: tuple[IncidentUpdate, ...]) -> datetime | None:
    earliest = min((u.at for u in updates), default=None)
    if own is None or (earliest is not None and earliest < own):
        return earliest
    return own


def _resolved_at(row: dict[str, Any], status: str, newest: datetime | None) -> datetime | None:
    if status in _OPEN_STATUSES:
        return None
    resolved = parse_iso(row.get("resolved_at"), "resolved_at")
    if resolved is None and status in _CLOSED_STATUSES:
        return newest
    return resolved


def _incident_url(row: dict[str, Any], incident_id: str, page_url: str | None) -> str | None:
    shortlink = safe_url(row.get("shortlink"))
    if shortlink or page_url is None:
        return shortlink
    return safe_url(f"{page_url.rstrip('/')}/incidents/{quote(incident_id, safe='')}")


def _updates(
    row: dict[str, Any], incident_id: str, kind: str, drops: Drops
) -> tuple[IncidentUpdate, ...]:
    raw = expect_list(row.get("incident_updates"), kind, "incident_updates")
    updates: list[IncidentUpdate] = []
    for index, entry in enumerate(raw):
        update = expect_dict(entry, kind, "update")
        update_id = clean_line(update.get("id"), NAME_MAX) or f"{incident_id}-{index}"
        # Plain try rather than a Drops guard: this runs for every update of every incident.
        try:
            updates.append(_update(update, update_id))
        except UnusableTime as exc:
            drops.add("update", update_id, f"{exc.reason} (in incident {incident_id})")
    return tuple(sorted(updates, key=lambda u: u.at, reverse=True))


def _update(row: dict[str, Any], update_id: str) -> IncidentUpdate:
    at = (
        parse_iso(row.get("display_at"), "display_at")
        or parse_iso(row.get("created_at"), "created_at")
        or parse_iso(row.get("updated_at"), "updated_at")
    )
    if at is None:
        raise UnusableTime.missing("display_at/created_at/updated_at")
    return IncidentUpdate(
        id=update_id,
        at=at,
        status=_lifecycle_word(row.get("status")),
        text=html_to_text(row.get("body")),
    )


def _incident_components(row: dict[str, Any], directory: _Directory, kind: str) -> tuple[str, ...]:
    names = [
        clean_line(expect_dict(c, kind, "incident component").get("name"), NAME_MAX)
        for c in expect_list(row.get("components"), kind, "incident components")
    ]
    for update in expect_list(row.get("incident_updates"), kind, "incident_updates"):
        affected = expect_list(
            expect_dict(update, kind, "update").get("affected_components"),
            kind,
            "affected_components",
        )
        names += [
            _affected_name(expect_dict(a, kind, "affected component"), directory) for a in affected
        ]
    return _unique(n for n in names if n)


def _affected_name(entry: dict[str, Any], directory: _Directory) -> str:
    code = entry.get("code")
    if isinstance(code, str | int) and not isinstance(code, bool):
        known = directory.names.get(clean_line(code, NAME_MAX))
        if known:
            return known
    name = clean_line(entry.get("name"), NAME_MAX)
    # Longest first, so "Europe - West" wins over "Europe" as the prefix to strip.
    for group in sorted(directory.group_names, key=len, reverse=True):
        prefix = f"{group} - "
        if group and name.startswith(prefix) and len(name) > len(prefix):
            return name[len(prefix) :]
    return name


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))
