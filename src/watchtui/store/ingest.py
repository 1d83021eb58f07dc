"""Ingest: merging one parsed fetch into the history, atomically, and reporting what changed.

A snapshot is merged, never replayed; updates are never deleted; incidents vanish from the store
only through ``prune``.  This module holds the component half; ``ingest_incidents`` the
incident half.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from typing import Any, NamedTuple

from watchtui.domain.events import ChangeEvent
from watchtui.domain.model import Component, Snapshot, impact_for_status
from watchtui.store.codec import json_list, ts
from watchtui.store.core import StoreCore
from watchtui.store.ingest_incidents import IncidentMerge
from watchtui.store.sources import ensure_source


class IngestWrites(StoreCore):
    """``Store`` mixin: ``ingest``."""

    def ingest(
        self,
        source_id: str,
        snapshot: Snapshot,
        fetched_at: datetime,
        *,
        lists_only_current: bool,
    ) -> list[ChangeEvent]:
        """Merge one parsed fetch into the history, atomically; return what changed.

        ``lists_only_current``: the endpoint lists every incident that is open right now and
        nothing else (Azure RSS, AWS currentevents, Statuspage summary), so an open incident it
        no longer lists is resolved at ``fetched_at`` (flagged inferred).  History endpoints
        (``False``) never resolve by absence.  Ingesting the same snapshot again changes nothing
        and returns no events.
        """
        ts(fetched_at)  # reject naive datetimes before opening a transaction
        return self._write(
            lambda conn: _Ingest(conn, source_id, fetched_at, lists_only_current).run(snapshot)
        )


class _CompRow(NamedTuple):
    name: str
    grp: str | None
    status: str
    regions: str
    only_show_if_degraded: int
    status_since: str
    updated_at: str
    first_seen_at: str


_COMPONENT_UPSERT = """
INSERT INTO components (source_id, component_id, name, grp, status, regions,
    only_show_if_degraded, status_since, updated_at, first_seen_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT(source_id, component_id) DO UPDATE SET
    name = excluded.name, grp = excluded.grp, status = excluded.status,
    regions = excluded.regions, only_show_if_degraded = excluded.only_show_if_degraded,
    status_since = excluded.status_since, updated_at = excluded.updated_at, retired_at = NULL
"""


class _Ingest(IncidentMerge):
    """One snapshot merged into the store inside the caller's transaction."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        source_id: str,
        fetched_at: datetime,
        lists_only_current: bool,
    ) -> None:
        self.c = conn
        self.source_id = source_id
        self.fetched_at = fetched_at.astimezone(UTC)
        self.now = ts(fetched_at)
        self.lists_only_current = lists_only_current
        self.first_ingest_at = None
        self.events = []

    def run(self, snapshot: Snapshot) -> list[ChangeEvent]:
        self._prepare_source(snapshot)
        self._components(snapshot)
        self._incidents(snapshot)
        self._mark_ingested(snapshot)
        # Stable: for equal times, update events stay before the incident-level event.
        return sorted(self.events, key=lambda e: e.at)

    # ---- source ---------------------------------------------------------------------------

    def _prepare_source(self, snapshot: Snapshot) -> None:
        ensure_source(
            self.c,
            self.source_id,
            kind=snapshot.kind,
            url=snapshot.page_url or "",
            name=snapshot.page_name or self.source_id,
            at=self.now,
        )
        row = self.c.execute(
            "SELECT first_ingest_at FROM sources WHERE id = ?", (self.source_id,)
        ).fetchone()
        self.first_ingest_at = row[0]

    def _mark_ingested(self, snapshot: Snapshot) -> None:
        self.c.execute(
            """UPDATE sources SET first_ingest_at = coalesce(first_ingest_at, :now),
                                  last_ingest_at = max(coalesce(last_ingest_at, ''), :now)
               WHERE id = :id""",
            {"now": self.now, "id": self.source_id},
        )
        claim = snapshot.page_status.indicator
        if claim is not None:
            # Only endpoints that carry the page's headline say it; the others leave it be.
            self.c.execute(
                "UPDATE sources SET page_indicator = ? WHERE id = ?", (claim, self.source_id)
            )

    # ---- components ------------------------------------------------------------------------

    def _components(self, snapshot: Snapshot) -> None:
        """Apply the snapshot's components according to how it lists them (see
        ``ComponentListing``): a full listing retires what it no longer names; a listing derived
        from open incidents returns what no open incident names to operational."""
        listing = snapshot.component_listing
        latest = {c.id: c for c in snapshot.components}
        if listing == "none" and not latest:
            return
        stored = {
            r[0]: (_CompRow(*r[1:9]), r[9])
            for r in self.c.execute(
                """SELECT component_id, name, grp, status, regions, only_show_if_degraded,
                          status_since, updated_at, first_seen_at, retired_at
                   FROM components WHERE source_id = ?""",
                (self.source_id,),
            )
        }
        writes: list[tuple[Any, ...]] = []
        transitions: list[tuple[Any, ...]] = []
        for component in latest.values():
            old, retired_at = stored.get(component.id, (None, None))
            row = self._component_row(component, old)
            if old is None or old.status != row.status:
                transitions.append(
                    (self.source_id, component.id, self.now, old and old.status, row.status)
                )
                self._component_event(component, old)
            if row != old or retired_at is not None:
                writes.append((self.source_id, component.id, *row))
        absent = [(cid, row) for cid, (row, retired) in stored.items() if cid not in latest]
        if listing == "derived":
            for cid, row in absent:
                if row.status != "operational":
                    self._recover(cid, row, writes, transitions)
        elif listing == "full":
            self.c.executemany(
                """UPDATE components SET retired_at = ?
                   WHERE source_id = ? AND component_id = ? AND retired_at IS NULL""",
                [(self.now, self.source_id, cid) for cid, _ in absent],
            )
        self.c.executemany(_COMPONENT_UPSERT, writes)
        self.c.executemany(
            """INSERT INTO component_transitions (source_id, component_id, at, old_status,
                                                  new_status) VALUES (?, ?, ?, ?, ?)""",
            transitions,
        )

    def _recover(
        self,
        component_id: str,
        old: _CompRow,
        writes: list[tuple[Any, ...]],
        transitions: list[tuple[Any, ...]],
    ) -> None:
        """A component derived from incidents that no open incident names any more."""
        row = old._replace(status="operational", status_since=self.now, updated_at=self.now)
        writes.append((self.source_id, component_id, *row))
        transitions.append((self.source_id, component_id, self.now, old.status, "operational"))
        self.events.append(
            ChangeEvent(
                kind="component_status_changed",
                source_id=self.source_id,
                at=self.fetched_at,
                component_id=component_id,
                title=old.name,
                impact="none",
                old_status=old.status,
                new_status="operational",
                detail="no open incident names it any more",
            )
        )

    def _component_row(self, component: Component, old: _CompRow | None) -> _CompRow:
        changed = old is None or old.status != component.status
        return _CompRow(
            name=component.name,
            grp=component.group,
            status=component.status,
            regions=json_list(component.regions),
            only_show_if_degraded=int(component.only_show_if_degraded),
            status_since=self.now if changed or old is None else old.status_since,
            updated_at=self.now if old is None else max(old.updated_at, self.now),
            first_seen_at=self.now if old is None else old.first_seen_at,
        )

    def _component_event(self, component: Component, old: _CompRow | None) -> None:
        # A first sighting is news only once the source has a baseline, and only if unwell.
        if old is None and (self.first_ingest_at is None or component.status == "operational"):
            return
        self.events.append(
            ChangeEvent(
                kind="component_status_changed",
                source_id=self.source_id,
                at=self.fetched_at,
                component_id=component.id,
                title=component.name,
                impact=impact_for_status(component.status),
                old_status=None if old is None else old.status,
                new_status=component.status,
            )
        )
