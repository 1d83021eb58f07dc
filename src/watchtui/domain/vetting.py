"""Vetting a parsed snapshot before anything stores or shows it: duplicates and impossible times.

Parsers translate what a feed says; ``vet`` decides what of it is believable, relative to when it
was fetched.  It is pure and idempotent (``vet(vet(s, t), t) == vet(s, t)``), and it touches only
the incidents, maintenances, components and ``dropped`` of a snapshot.

Duplicates (the same id twice in one payload) merge into one item, whatever their order:

* incidents and maintenances: an open copy always wins over a resolved one (a stale resolved copy
  must never hide an open incident); then the newest ``updated_at``; then a stable key (the copy's
  serialised form), so ties do not depend on feed order.  Updates are the union of every copy's
  (by update id, the winning copy's version first), newest first;
* components: the worst status wins, ties again by the stable key.

Plausibility, with ``fetched_at`` as "now":

* an incident whose ``started_at`` is before 1990 or more than a day after the fetch is dropped
  (recorded in ``Snapshot.dropped``); a maintenance may be announced ahead, so its ``started_at``,
  ``scheduled_for`` and ``scheduled_until`` may lie up to ~400 days ahead;
* an update dated before 1990 or more than a day ahead is dropped (recorded);
* ``resolved_at``/``updated_at`` more than a day ahead become the fetch time, and before
  ``started_at`` become ``started_at``; a maintenance window ending before it starts ends at its
  start.  Each correction is explained in the item's ``time_note``;
* "ahead" for a maintenance's updates and times means beyond its announced window when that ends
  later than a day from now: posts dated at the planned start are how some pages announce work.

Duplicates merge first and the merged item is then vetted: an implausible open copy is dropped
rather than letting a resolved copy claim the incident is over.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, TypeVar

from watchtui.domain.model import (
    Component,
    DroppedItem,
    Incident,
    IncidentUpdate,
    Maintenance,
    Snapshot,
    status_rank,
)

EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
# Clocks disagree and pages post in local time carelessly; a day ahead is still believable.
FUTURE_SLACK = timedelta(days=1)
# Maintenance is announced ahead; a year and a bit covers annual planned work.
MAINTENANCE_AHEAD = timedelta(days=400)

ItemT = TypeVar("ItemT", bound=Incident)


def vet(snapshot: Snapshot, fetched_at: datetime) -> Snapshot:
    """``snapshot`` with duplicates merged and impossible times dropped or corrected."""
    if fetched_at.tzinfo is None or fetched_at.utcoffset() is None:
        raise ValueError("fetched_at must be timezone-aware")
    now = fetched_at.astimezone(UTC)
    dropped: list[DroppedItem] = []
    incidents = _vet_all(merge_duplicates(snapshot.incidents), now, dropped)
    maintenances = _vet_all(merge_duplicates(snapshot.maintenances), now, dropped)
    components = merge_components(snapshot.components)
    if (
        not dropped
        and _same(incidents, snapshot.incidents)
        and _same(maintenances, snapshot.maintenances)
        and _same(components, snapshot.components)
    ):
        return snapshot
    return snapshot.model_copy(
        update={
            "incidents": tuple(incidents),
            "maintenances": tuple(maintenances),
            "components": tuple(components),
            "dropped": (*snapshot.dropped, *dropped),
        }
    )


def _same(new: Sequence[Any], old: Sequence[Any]) -> bool:
    return len(new) == len(old) and all(a is b for a, b in zip(new, old, strict=True))


# --- duplicates ------------------------------------------------------------------------------


def merge_duplicates(items: Sequence[ItemT]) -> list[ItemT]:
    """One item per id, in order of first appearance; see the module docstring for the rule."""
    groups: dict[str, list[ItemT]] = {}
    for item in items:
        groups.setdefault(item.id, []).append(item)
    if len(groups) == len(items):
        return list(items)
    return [copies[0] if len(copies) == 1 else _merge(copies) for copies in groups.values()]


def _precedence(item: Incident) -> tuple[bool, datetime, str]:
    return (item.is_open, item.updated_at, item.model_dump_json())


def _merge(copies: list[ItemT]) -> ItemT:
    ranked = sorted(copies, key=_precedence, reverse=True)
    winner = ranked[0]
    updates: dict[str, IncidentUpdate] = {}
    for copy in ranked:
        for update in copy.updates:
            updates.setdefault(update.id, update)
    merged = sorted(updates.values(), key=lambda u: (u.at, u.id), reverse=True)
    return winner.model_copy(update={"updates": tuple(merged)})


def merge_components(components: Sequence[Component]) -> list[Component]:
    """One component per id, in order of first appearance; the worst status wins."""
    groups: dict[str, list[Component]] = {}
    for component in components:
        groups.setdefault(component.id, []).append(component)
    if len(groups) == len(components):
        return list(components)
    return [
        max(copies, key=lambda c: (status_rank(c.status), c.model_dump_json()))
        for copies in groups.values()
    ]


# --- plausibility ----------------------------------------------------------------------------


def _vet_all(items: list[ItemT], now: datetime, dropped: list[DroppedItem]) -> list[ItemT]:
    kept: list[ItemT] = []
    for item in items:
        vetted = _vet_item(item, now, dropped)
        if vetted is not None:
            kept.append(vetted)
    return kept


def _vet_item(item: ItemT, now: datetime, dropped: list[DroppedItem]) -> ItemT | None:
    maintenance = isinstance(item, Maintenance)
    what: Literal["incident", "maintenance"] = "maintenance" if maintenance else "incident"
    horizon = now + FUTURE_SLACK
    latest_start = now + MAINTENANCE_AHEAD if maintenance else horizon
    starts: list[tuple[str, datetime | None]] = [("started_at", item.started_at)]
    if isinstance(item, Maintenance):
        starts += [("scheduled_for", item.scheduled_for), ("scheduled_until", item.scheduled_until)]
    for field, value in starts:
        reason = _implausible(field, value, latest_start, now)
        if reason is not None:
            dropped.append(DroppedItem(what=what, id=item.id, reason=reason))
            return None

    # A maintenance announced ahead may carry posts and changes dated inside its window (Better
    # Stack dates the announcement at the planned start); nothing else may be dated ahead.
    ceiling = max(horizon, *(value for _, value in starts if value is not None))
    changes: dict[str, Any] = {}
    updates = tuple(u for u in item.updates if EARLIEST <= u.at <= ceiling)
    if len(updates) != len(item.updates):
        for update in item.updates:
            reason = _implausible("update time", update.at, ceiling, now)
            if reason is not None:
                context = f"{reason} (in {what} {item.id})"
                dropped.append(DroppedItem(what="update", id=update.id, reason=context))
        changes["updates"] = updates

    notes: list[str] = []
    started = item.started_at
    for field in ("updated_at", "resolved_at"):
        value = getattr(item, field)
        if value is not None:
            fixed = _clamp(field, value, started, max(now, started), ceiling, notes)
            if fixed != value:
                changes[field] = fixed
    if isinstance(item, Maintenance):
        window_start, window_end = item.scheduled_for, item.scheduled_until
        if window_start is not None and window_end is not None and window_end < window_start:
            notes.append(_note("scheduled_until", window_end, "before scheduled_for", window_start))
            changes["scheduled_until"] = window_start

    if notes:
        changes["time_note"] = "; ".join([*([item.time_note] if item.time_note else []), *notes])
    return item.model_copy(update=changes) if changes else item


def _implausible(field: str, value: datetime | None, latest: datetime, now: datetime) -> str | None:
    if value is None:
        return None
    if value < EARLIEST:
        return f"{field} {_iso(value)} is before 1990"
    if value > latest:
        days = (latest - now).days
        ahead = "a day" if days <= 1 else f"{days} days"
        return f"{field} {_iso(value)} is more than {ahead} after the fetch ({_iso(now)})"
    return None


def _clamp(
    field: str,
    value: datetime,
    started: datetime,
    future_fallback: datetime,
    ceiling: datetime,
    notes: list[str],
) -> datetime:
    """``value`` within [started, ceiling]; the fallback is itself in that range, so a second
    pass changes nothing."""
    if value > ceiling:
        notes.append(_note(field, value, "in the future", future_fallback))
        return future_fallback
    if value < started:
        notes.append(_note(field, value, "before started_at", started))
        return started
    return value


def _note(field: str, said: datetime, why: str, shown: datetime) -> str:
    return f"{field} {_iso(said)} was {why}; shown as {_iso(shown)}"


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
