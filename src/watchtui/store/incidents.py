"""Reading the history: components and their transitions, incidents with their updates, and the
stream of recent updates."""

from __future__ import annotations

import contextlib
import gc
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from watchtui.domain.model import Component, Incident, IncidentUpdate, Maintenance
from watchtui.store.codec import dt, dt_opt, json_tuple, ts
from watchtui.store.core import StoreCore
from watchtui.store.records import (
    ComponentTransition,
    RecentUpdate,
    StoredComponent,
    StoredIncident,
)


class IncidentQueries(StoreCore):
    """``Store`` mixin: the read side of the history."""

    def components(
        self, source_id: str | None = None, *, include_retired: bool = False
    ) -> list[StoredComponent]:
        """The components their pages list now; ``include_retired`` adds those that left."""
        sql = f"SELECT {_COMPONENT_COLUMNS} FROM components WHERE 1"
        params: tuple[Any, ...] = ()
        if not include_retired:
            sql += " AND retired_at IS NULL"
        if source_id is not None:
            sql += " AND source_id = ?"
            params = (source_id,)
        sql += " ORDER BY source_id, grp IS NOT NULL, grp, name, component_id"
        rows = self._read(lambda c: c.execute(sql, params).fetchall())
        return [_component_from_row(r) for r in rows]

    def component_history(self, source_id: str, component_id: str) -> list[ComponentTransition]:
        """Status transitions of one component, oldest first (the first has old_status None)."""
        rows = self._read(
            lambda c: c.execute(
                """SELECT at, old_status, new_status FROM component_transitions
                   WHERE source_id = ? AND component_id = ? ORDER BY at, id""",
                (source_id, component_id),
            ).fetchall()
        )
        return [ComponentTransition(source_id, component_id, dt(r[0]), r[1], r[2]) for r in rows]

    def incidents(
        self,
        since: datetime | None = None,
        until: datetime | None = None,
        source_id: str | None = None,
        open_only: bool = False,
        text: str | None = None,
        limit: int | None = None,
        *,
        maintenance: bool | None = None,
        with_updates: bool = True,
    ) -> list[StoredIncident]:
        """Incidents (and maintenances) active at some point in [since, until], newest start
        first.  ``text`` matches title, component names and update bodies (case-insensitive for
        ASCII).  ``maintenance``: None both, True only maintenances, False only incidents.
        ``with_updates=False`` leaves every ``incident.updates`` empty, for list views over long
        histories (about 5x faster); ``incident()`` then loads one in full."""
        where, params = _incident_filter(since, until, source_id, open_only, text, maintenance)
        order = " ORDER BY i.started_at DESC, i.source_id, i.incident_id"
        limit_sql = "" if limit is None else f" LIMIT {int(limit)}"
        selected = f"SELECT i.source_id, i.incident_id FROM incidents i{where}{order}{limit_sql}"

        def query(c: sqlite3.Connection) -> list[StoredIncident]:
            rows = c.execute(
                f"SELECT {_INCIDENT_COLUMNS} FROM incidents i{where}{order}{limit_sql}", params
            ).fetchall()
            if not rows or not with_updates:
                return _assemble_incidents(rows, [])
            # Unsorted: ordering 10 updates per incident in Python beats one global SQL sort.
            updates = c.execute(
                f"""WITH sel AS ({selected})
                    SELECT u.source_id, u.incident_id, u.update_id, u.at, u.status, u.text, u.id
                    FROM updates u JOIN sel
                      ON u.source_id = sel.source_id AND u.incident_id = sel.incident_id""",
                params,
            ).fetchall()
            return _assemble_incidents(rows, updates)

        return self._read(query)

    def incident(self, source_id: str, incident_id: str) -> StoredIncident | None:
        def query(c: sqlite3.Connection) -> list[StoredIncident]:
            rows = c.execute(
                f"SELECT {_INCIDENT_COLUMNS} FROM incidents i"
                " WHERE i.source_id = ? AND i.incident_id = ?",
                (source_id, incident_id),
            ).fetchall()
            updates = c.execute(
                """SELECT source_id, incident_id, update_id, at, status, text, id FROM updates
                   WHERE source_id = ? AND incident_id = ?""",
                (source_id, incident_id),
            ).fetchall()
            return _assemble_incidents(rows, updates)

        found = self._read(query)
        return found[0] if found else None

    def recent_updates(
        self, limit: int = 100, since: datetime | None = None, source_id: str | None = None
    ) -> list[RecentUpdate]:
        """The newest updates across all incidents, newest first (the UI's stream)."""
        clauses: list[str] = []
        params: list[Any] = []
        if since is not None:
            clauses.append("u.at >= ?")
            params.append(ts(since))
        if source_id is not None:
            clauses.append("u.source_id = ?")
            params.append(source_id)
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        params.append(int(limit))
        rows = self._read(
            lambda c: c.execute(
                f"""SELECT u.source_id, u.incident_id, i.title, coalesce(u.impact, i.impact),
                           i.is_maintenance,
                           u.update_id, u.at, u.status, u.text
                    FROM updates u JOIN incidents i
                      ON i.source_id = u.source_id AND i.incident_id = u.incident_id
                    {where} ORDER BY u.at DESC, u.id DESC LIMIT ?""",
                params,
            ).fetchall()
        )
        return [
            RecentUpdate(
                source_id=r[0],
                incident_id=r[1],
                title=r[2],
                impact=r[3],
                is_maintenance=bool(r[4]),
                update=_update_from_row(r[5:9]),
            )
            for r in rows
        ]


_COMPONENT_COLUMNS = (
    "source_id, component_id, name, grp, status, regions, only_show_if_degraded, "
    "status_since, updated_at, first_seen_at"
)


def _component_from_row(r: Sequence[Any]) -> StoredComponent:
    component = Component(
        id=r[1],
        name=r[2],
        group=r[3],
        status=r[4],
        regions=json_tuple(r[5]),
        only_show_if_degraded=bool(r[6]),
    )
    return StoredComponent(r[0], component, dt(r[7]), dt(r[8]), dt(r[9]))


_INCIDENT_COLUMNS = (
    "i.source_id, i.incident_id, i.is_maintenance, i.title, i.status, i.impact, i.started_at, "
    "i.updated_at, i.resolved_at, i.resolution_inferred, i.url, i.components, i.regions, "
    "i.scheduled_for, i.scheduled_until, i.first_seen_at, i.last_seen_at, i.time_note"
)


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _incident_filter(
    since: datetime | None,
    until: datetime | None,
    source_id: str | None,
    open_only: bool,
    text: str | None,
    maintenance: bool | None,
) -> tuple[str, dict[str, Any]]:
    clauses: list[str] = []
    params: dict[str, Any] = {}
    if source_id is not None:
        clauses.append("i.source_id = :source_id")
        params["source_id"] = source_id
    if open_only:
        clauses.append("i.resolved_at IS NULL")
    if since is not None:
        clauses.append("(i.resolved_at IS NULL OR i.resolved_at >= :since)")
        params["since"] = ts(since)
    if until is not None:
        clauses.append("i.started_at <= :until")
        params["until"] = ts(until)
    if maintenance is not None:
        clauses.append("i.is_maintenance = :maintenance")
        params["maintenance"] = int(maintenance)
    if text:
        clauses.append(
            """(i.title LIKE :text ESCAPE '\\' OR i.components LIKE :text ESCAPE '\\'
                OR EXISTS (SELECT 1 FROM updates t WHERE t.source_id = i.source_id
                           AND t.incident_id = i.incident_id AND t.text LIKE :text ESCAPE '\\'))"""
        )
        params["text"] = _like_pattern(text)
    return (f" WHERE {' AND '.join(clauses)}" if clauses else ""), params


_gc_lock = threading.Lock()
_gc_depth = 0
_gc_was_enabled = False


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic GC while building many acyclic objects (a long history): the
    collections it would trigger rescan the whole heap and cost a third of the time.  Counted,
    so concurrent queries in several threads re-enable it only when the last one is done."""
    global _gc_depth, _gc_was_enabled
    with _gc_lock:
        if _gc_depth == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_depth += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_depth -= 1
            if _gc_depth == 0 and _gc_was_enabled:
                gc.enable()


def _assemble_incidents(
    rows: list[tuple[Any, ...]], updates: list[tuple[Any, ...]]
) -> list[StoredIncident]:
    """Attach updates (rows ending in their rowid, any order) to incident rows, newest first.

    Equal timestamps keep publication order: rows were inserted oldest first."""
    if len(rows) + len(updates) < 1000:
        return _build_incidents(rows, updates)
    with _gc_paused():
        return _build_incidents(rows, updates)


def _build_incidents(
    rows: list[tuple[Any, ...]], updates: list[tuple[Any, ...]]
) -> list[StoredIncident]:
    by_incident: dict[tuple[str, str], list[tuple[Any, ...]]] = {}
    for u in updates:
        by_incident.setdefault((u[0], u[1]), []).append(u)
    result: list[StoredIncident] = []
    for r in rows:
        raw = by_incident.get((r[0], r[1]), [])
        raw.sort(key=lambda u: (u[3], u[6]), reverse=True)
        result.append(_incident_from_row(r, raw))
    return result


def _update_from_row(u: Sequence[Any]) -> IncidentUpdate:
    return IncidentUpdate(id=u[0], at=dt(u[1]), status=u[2], text=u[3])


def _incident_from_row(r: Sequence[Any], updates: list[tuple[Any, ...]]) -> StoredIncident:
    # Validated in one call, nested updates included: cheaper than model_construct, and the
    # model's guarantees hold even for a hand-edited file.  Times go in parsed by
    # ``datetime.fromisoformat``, whose UTC the model's check passes as it is (pydantic's own
    # parse gives its own time zone, which the check must convert).
    fields: dict[str, Any] = {
        "id": r[1],
        "title": r[3],
        "status": r[4],
        "impact": r[5],
        "started_at": dt(r[6]),
        "updated_at": dt(r[7]),
        "resolved_at": dt_opt(r[8]),
        "url": r[10],
        "components": json_tuple(r[11]),
        "regions": json_tuple(r[12]),
        "updates": [{"id": u[2], "at": dt(u[3]), "status": u[4], "text": u[5]} for u in updates],
        "time_note": r[17],
    }
    incident: Incident
    if r[2]:
        incident = Maintenance(**fields, scheduled_for=r[13], scheduled_until=r[14])
    else:
        incident = Incident(**fields)
    return StoredIncident(
        source_id=r[0],
        incident=incident,
        is_maintenance=bool(r[2]),
        resolution_inferred=bool(r[9]),
        first_seen_at=dt(r[15]),
        last_seen_at=dt(r[16]),
    )
