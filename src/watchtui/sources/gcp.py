"""Google Cloud status: ``https://status.cloud.google.com/incidents.json``.

The feed is a JSON array of every incident of the last year or so, newest first, with no component
list and no page-level status.  Mapping decisions:

* Incident status: ``end`` present -> ``resolved``.  Open (``end`` absent): the newest update's
  ``status`` is ``AVAILABLE`` -> ``monitoring`` (Google says the service is back but has not closed
  the incident), anything else -> ``investigating``.  Google publishes no lifecycle beyond that, so
  ``identified`` is never claimed.
* Update status: ``AVAILABLE`` -> ``resolved`` in a closed incident, ``monitoring`` in an open one;
  ``SERVICE_INFORMATION``/``SERVICE_DISRUPTION``/``SERVICE_OUTAGE`` -> ``investigating``;
  anything else -> ``update``.
* Impact: the worse of ``severity`` (low -> minor, medium -> major, high -> critical) and
  ``status_impact`` (SERVICE_INFORMATION -> minor, SERVICE_DISRUPTION -> major, SERVICE_OUTAGE ->
  critical); a value outside those reads as ``unknown`` (so a readable other field still wins);
  ``minor`` when neither field is given, because an incident is still an incident.  In every
  real capture the two agree (low/INFORMATION, medium/DISRUPTION, high/OUTAGE).
* Components (listing ``derived``): one per product of an OPEN incident, status from
  ``status_impact`` (INFORMATION -> degraded, DISRUPTION -> partial_outage, OUTAGE ->
  major_outage; from ``severity`` when ``status_impact`` is unreadable, else unknown), worst wins;
  regions from ``currently_affected_locations``.  Products with no open incident are not listed:
  the feed cannot say they exist, and one that drops out of every open incident has recovered.
* Page status: none (Google makes no page-level claim here).
* An incident whose own time cannot be read is left out (recorded in ``Snapshot.dropped``), as is
  an update whose time cannot be read.

Speed: the live feed is ~1.4 MB and is polled often, so URLs and timestamps in their common exact
forms skip the general helpers (``_incident_url``, ``_time``); tests check both paths agree.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import datetime
from operator import itemgetter
from typing import Any, NamedTuple

from watchtui.domain.errors import FeedError
from watchtui.domain.model import (
    Component,
    ComponentStatus,
    Impact,
    Incident,
    PageStatus,
    Snapshot,
    status_rank,
    worst_impact,
)
from watchtui.domain.text import NAME_MAX, TITLE_MAX, clean_line, clean_text
from watchtui.sources._common import (
    Drops,
    Headers,
    UnusableTime,
    guard,
    load_json,
    parse_iso,
    safe_url,
)

KIND = "gcp"
PAGE_NAME = "Google Cloud Status"
PAGE_URL = "https://status.cloud.google.com/"

# The service_name Google gives incidents that span several products; it names no product.
_MULTIPLE_PRODUCTS = "Multiple Products"

_SEVERITY_IMPACT: dict[str, Impact] = {"low": "minor", "medium": "major", "high": "critical"}
_STATUS_IMPACT: dict[str, Impact] = {
    "SERVICE_INFORMATION": "minor",
    "SERVICE_DISRUPTION": "major",
    "SERVICE_OUTAGE": "critical",
}
_IMPACT_COMPONENT_STATUS: dict[Impact, ComponentStatus] = {
    "minor": "degraded",
    "major": "partial_outage",
    "critical": "major_outage",
}
_AVAILABLE = "AVAILABLE"


def parse(data: bytes, headers: Headers | None = None) -> Snapshot:
    with guard(KIND):
        payload = load_json(data, KIND, headers)
        if not isinstance(payload, list):
            raise FeedError(KIND, "incidents.json is not a list of incidents")
        names = _Names()
        drops = Drops()
        parsed: list[_Parsed] = []
        for raw in payload:
            row = _as_dict(raw, "incident")
            incident_id = names(row.get("id"))
            if not incident_id:
                raise FeedError(KIND, "incident without an id")
            with drops.item("incident", incident_id):
                parsed.append(_parse_incident(row, incident_id, names, drops))
        return Snapshot(
            kind=KIND,
            page_name=PAGE_NAME,
            page_url=PAGE_URL,
            # The feed carries no timestamp of its own; its newest modification is when it changed.
            updated_at=max((p.incident.updated_at for p in parsed), default=None),
            page_status=PageStatus(),
            components=_components(p for p in parsed if p.incident.is_open),
            component_listing="derived",
            incidents=tuple(p.incident for p in parsed),
            dropped=drops.as_tuple(),
        )


class _Names:
    """Per-parse memo of cleaned short strings: the same location ids and product titles recur
    hundreds of times in one feed, and cleaning is pure."""

    def __init__(self) -> None:
        self.seen: dict[str, str] = {}

    def __call__(self, value: object) -> str:
        if not isinstance(value, str):
            value = "" if value is None else str(value)
        cleaned = self.seen.get(value)
        if cleaned is None:
            cleaned = self.seen[value] = clean_line(value, NAME_MAX)
        return cleaned


class _Product(NamedTuple):
    id: str
    name: str


class _Parsed(NamedTuple):
    incident: Incident
    products: tuple[_Product, ...]
    current_regions: tuple[str, ...]
    component_status: ComponentStatus


def _as_dict(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise FeedError(KIND, f"{what} is not an object")
    return value


def _as_list(value: Any, what: str) -> list[Any]:
    # Older feeds lack the location fields entirely; absent and null both mean "none".
    if value is None:
        return []
    if not isinstance(value, list):
        raise FeedError(KIND, f"{what} is not a list")
    return value


def _time(value: Any, field: str) -> datetime | None:
    # Google always writes "+00:00", which fromisoformat reads straight into UTC: parse_iso's
    # normalisation would be a no-op, and this runs for every update.
    if isinstance(value, str) and value.endswith("+00:00") and value[:1].isdigit():
        try:
            return datetime.fromisoformat(value)
        except ValueError as exc:
            raise UnusableTime.bad(field, value) from exc
    return parse_iso(value, field)


def _required_time(row: dict[str, Any], *keys: str) -> datetime:
    for key in keys:
        value = _time(row.get(key), key)
        if value is not None:
            return value
    raise UnusableTime.missing("/".join(keys))


def _parse_incident(row: dict[str, Any], incident_id: str, names: _Names, drops: Drops) -> _Parsed:
    resolved_at = _time(row.get("end"), "end")
    started_at = _required_time(row, "begin", "created")
    modified = _time(row.get("modified"), "modified")
    products = _products(row, names)
    status_impact = _impact_of(_STATUS_IMPACT, row.get("status_impact"), str.upper)
    severity = _impact_of(_SEVERITY_IMPACT, row.get("severity"), str.lower)
    # An unreadable status_impact yields to a readable severity for the component's status.
    component_impact = status_impact if status_impact not in (None, "unknown") else severity
    current = _locations(row.get("currently_affected_locations"), names)
    regions = _locations(row.get("previously_affected_locations"), names, dict(current))
    rows = row.get("updates")
    if not rows and isinstance(row.get("most_recent_update"), dict):
        # ``most_recent_update`` repeats updates[0]; it is worth reading only if the list is empty.
        rows = [row["most_recent_update"]]
    walked = _walk_updates(incident_id, rows, names, regions, drops, closed=resolved_at is not None)
    # One validation call per incident, updates included, is markedly cheaper than building each
    # IncidentUpdate separately (and validates exactly the same).
    incident = Incident.model_validate(
        {
            "id": incident_id,
            "title": _title(row, names) or incident_id,
            "status": _incident_status(resolved_at, walked.newest_status),
            "impact": _worse(severity, status_impact) or "minor",
            "started_at": started_at,
            "updated_at": modified or walked.newest_at or started_at,
            "resolved_at": resolved_at,
            "url": _incident_url(row.get("uri"), incident_id),
            "components": tuple(p.name for p in products),
            "regions": tuple(regions),
            "updates": walked.updates,
        }
    )
    return _Parsed(
        incident=incident,
        products=products,
        current_regions=tuple(current),
        component_status=_IMPACT_COMPONENT_STATUS.get(component_impact or "unknown", "unknown"),
    )


def _title(row: dict[str, Any], names: _Names) -> str:
    desc = row.get("external_desc")
    title = clean_line(desc, TITLE_MAX)
    service = names(row.get("service_name"))
    return title or ("" if service == _MULTIPLE_PRODUCTS else service)


def _impact_of(table: dict[str, Impact], value: Any, fold: Callable[[str], str]) -> Impact | None:
    """The mapped impact; ``unknown`` for a value given but not in ``table``; None if absent."""
    if value is None or value == "":
        return None
    return table.get(fold(value), "unknown") if isinstance(value, str) else "unknown"


def _worse(a: Impact | None, b: Impact | None) -> Impact | None:
    if a is None or b is None:
        return a or b
    return worst_impact((a, b))


def _products(row: dict[str, Any], names: _Names) -> tuple[_Product, ...]:
    products: dict[str, _Product] = {}
    for entry in _as_list(row.get("affected_products"), "affected_products"):
        product = _as_dict(entry, "affected product")
        name = names(product.get("title"))
        if name and name != _MULTIPLE_PRODUCTS and name not in products:
            products[name] = _Product(names(product.get("id")) or name, name)
    if not products:
        name = names(row.get("service_name"))
        if name and name != _MULTIPLE_PRODUCTS:
            products[name] = _Product(names(row.get("service_key")) or name, name)
    return tuple(products.values())


def _locations(value: Any, names: _Names, into: dict[str, None] | None = None) -> dict[str, None]:
    """Location codes in feed order, added to ``into``.  Hot: called for every update."""
    codes: dict[str, None] = {} if into is None else into
    if not value:
        return codes
    seen = names.seen
    for entry in _as_list(value, "affected locations"):
        location = _as_dict(entry, "location")
        raw = location.get("id")
        code = seen.get(raw) if isinstance(raw, str) else None
        if not code:
            # The id is Google's region code; the title ("Iowa (us-central1)") only if it is absent.
            code = names(raw) or names(location.get("title"))
        if code:
            codes[code] = None
    return codes


class _Walked(NamedTuple):
    updates: list[dict[str, Any]]  # IncidentUpdate fields, newest first
    newest_at: datetime | None
    newest_status: str  # the feed's word, upper case


def _walk_updates(
    incident_id: str,
    value: Any,
    names: _Names,
    regions: dict[str, None],
    drops: Drops,
    *,
    closed: bool,
) -> _Walked:
    """Every update in one pass (this loop runs ~800 times per feed): timestamps, status, body,
    and the update's locations added to ``regions``."""
    rows = _as_list(value, "updates")
    updates: list[dict[str, Any]] = []
    newest_at: datetime | None = None
    newest_status = ""
    for index, entry in enumerate(rows):
        row = _as_dict(entry, "update")
        created_text = row.get("created")
        when_text = row.get("when")
        try:
            created = _time(created_text, "created")
            at = (created if when_text == created_text else _time(when_text, "when")) or created
            if at is None:
                raise UnusableTime.missing("when/created")
        except UnusableTime as exc:
            # Named like the id it would have had (position from the oldest update).
            update_id = f"{incident_id}#{len(rows) - 1 - index}"
            drops.add("update", update_id, f"{exc.reason} (in incident {incident_id})")
            continue
        status = row.get("status")
        status = status.upper() if isinstance(status, str) else ""
        if newest_at is None or at > newest_at:
            newest_at, newest_status = at, status
        _locations(row.get("affected_locations"), names, regions)
        updates.append(
            {
                "id": _update_id(incident_id, created, len(rows) - 1 - index),
                "at": at,
                "status": _update_status(status, closed=closed),
                "text": _body_text(row.get("text")),
            }
        )
    _dedupe_ids(updates)
    # Google lists newest first already; the (stable) sort only guards against a feed that does not.
    updates.sort(key=itemgetter("at"), reverse=True)
    return _Walked(updates, newest_at, newest_status)


def _incident_status(resolved_at: datetime | None, newest_status: str) -> str:
    if resolved_at is not None:
        return "resolved"
    return "monitoring" if newest_status == _AVAILABLE else "investigating"


def _update_status(status: str, *, closed: bool) -> str:
    if status == _AVAILABLE:
        return "resolved" if closed else "monitoring"
    return "investigating" if status in _STATUS_IMPACT else "update"


def _update_id(incident_id: str, created: datetime | None, index_from_oldest: int) -> str:
    """The feed has no update ids.  Google never edits an update's ``created``, so incident id +
    ``created`` (epoch seconds) identifies it; without ``created``, the position counted from the
    oldest update, which stays put while Google adds newer ones."""
    if created is None:
        return f"{incident_id}#{index_from_oldest}"
    return f"{incident_id}@{int(created.timestamp())}"


def _dedupe_ids(updates: list[dict[str, Any]]) -> None:
    ids = [u["id"] for u in updates]
    if len(set(ids)) == len(ids):
        return
    seen: set[str] = set()
    # Walk from the oldest so the suffixes, too, stay put as newer updates arrive.
    for update in reversed(updates):
        base = update_id = update["id"]
        n = 1
        while update_id in seen:
            n += 1
            update_id = f"{base}~{n}"
        seen.add(update_id)
        update["id"] = update_id


# Google's own incident paths.  A URL built from PAGE_URL and such a path is exactly what safe_url
# would return, so only other shapes need its (per-character, comparatively slow) scan.
_PLAIN_URI = re.compile(r"incidents/[A-Za-z0-9_-]{1,200}")


def _incident_url(uri: Any, incident_id: str) -> str | None:
    if not isinstance(uri, str) or not uri.strip():
        return safe_url(f"{PAGE_URL}incidents/{incident_id}")
    if _PLAIN_URI.fullmatch(uri):
        return PAGE_URL + uri
    uri = uri.strip()
    if uri.lower().startswith(("https://", "http://")):
        return safe_url(uri)
    return safe_url(PAGE_URL + uri.lstrip("/"))


def _components(open_incidents: Iterable[_Parsed]) -> tuple[Component, ...]:
    statuses: dict[str, ComponentStatus] = {}
    names: dict[str, str] = {}
    regions: dict[str, dict[str, None]] = {}
    for parsed in open_incidents:
        for product in parsed.products:
            names.setdefault(product.id, product.name)
            current = statuses.get(product.id)
            if current is None or status_rank(parsed.component_status) > status_rank(current):
                statuses[product.id] = parsed.component_status
            regions.setdefault(product.id, {}).update(dict.fromkeys(parsed.current_regions))
    return tuple(
        Component(id=pid, name=names[pid], status=statuses[pid], regions=tuple(regions[pid]))
        for pid in names
    )


# --- text -----------------------------------------------------------------------------------

# Markdown escapes Google's editor inserts so that "1." or "#" is not read as list or heading
# syntax.  Only these unambiguous ones are undone: a general "\<punct>" rule would also eat the
# backslashes of Windows paths that appear, unfenced, in real workarounds.
_ESCAPED_LIST_MARKER = re.compile(r"^([ \t]*\d+)\\([.)])", re.MULTILINE)
_ESCAPED_LINE_MARKER = re.compile(r"^([ \t]*)\\([-+*>])", re.MULTILINE)
_ESCAPED_HASH = re.compile(r"\\#")
_FENCE = re.compile(r"^[ \t]*(?:```|~~~)", re.MULTILINE)


def unescape_markdown(text: str) -> str:
    """Undo Markdown escapes outside fenced code blocks (where backslashes are literal)."""
    if "\\" not in text:
        return text
    # Splitting on the fence marker alternates prose, code, prose …; the markers are put back.
    parts = _FENCE.split(text)
    fences = _FENCE.findall(text)
    out: list[str] = []
    for index, part in enumerate(parts):
        if index % 2 == 0:
            part = _ESCAPED_LIST_MARKER.sub(r"\1\2", part)
            part = _ESCAPED_LINE_MARKER.sub(r"\1\2", part)
            part = _ESCAPED_HASH.sub("#", part)
        out.append(part)
        if index < len(fences):
            out.append(fences[index])
    return "".join(out)


# A superset of what text.clean_text/clean_line remove or rewrite, plus every other character
# str.isspace() accepts: C0/C1 controls (incl. \t, \r, ESC, NEL), NBSP, Ogham space, U+180E,
# U+2000-U+200F (spaces, zero-width, directional marks), U+2028-U+202F (separators, bidi
# embeddings, narrow NBSP), U+205F-U+206F, ideographic space, surrogates, BOM, interlinear marks.
def _body_text(value: object) -> str:
    return clean_text(unescape_markdown(value) if isinstance(value, str) else value)
