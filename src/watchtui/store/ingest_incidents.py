"""Merging a snapshot's incidents and maintenances (with their updates) into the history."""

from __future__ import annotations

import sqlite3
from array import array
from collections.abc import Sequence
from datetime import datetime
from hashlib import blake2b
from itertools import groupby
from operator import itemgetter
from typing import Any, Literal, NamedTuple

from watchtui.domain.events import ChangeEvent
from watchtui.domain.model import Incident, IncidentUpdate, Maintenance, Snapshot
from watchtui.store.codec import chunks, json_list, marks, ts, ts_opt

# An update as stored: (at, status, text).
_StoredUpdate = tuple[datetime, str, str]


class _IncRow(NamedTuple):
    is_maintenance: int
    title: str
    status: str
    impact: str
    started_at: str
    updated_at: str
    resolved_at: str | None
    resolution_inferred: int
    url: str | None
    components: str
    regions: str
    scheduled_for: str | None
    scheduled_until: str | None
    first_seen_at: str
    last_seen_at: str
    time_note: str | None
    # ``updates_digest`` of the updates this incident was last ingested with (NULL: not known,
    # for incidents written before v5): the same digest again means they are all stored as they
    # are, so a re-polled history need not read them back to compare.
    updates_digest: bytes | None


def updates_digest(updates: Sequence[IncidentUpdate]) -> bytes:
    """A digest of what the store keeps of each update: id, status, text and instant.  The times
    go in as floats (exact to the microsecond at today's epochs), which costs less than
    formatting them."""
    fields = [field for u in updates for field in (u.id, u.status, u.text)]
    digest = blake2b(digest_size=16)
    digest.update("\x1f".join(fields).encode("utf-8", "surrogatepass"))
    # The model does not forbid the separator in a field; the lengths keep them apart anyway.
    digest.update(array("q", map(len, fields)).tobytes())
    digest.update(array("d", [u.at.timestamp() for u in updates]).tobytes())
    return digest.digest()


_SIGHTING = _IncRow._fields.index("last_seen_at")


def _same_but_sighting(row: _IncRow, old: _IncRow) -> bool:
    """Equal but for ``last_seen_at``: the incident was only seen again."""
    return row[:_SIGHTING] == old[:_SIGHTING] and row[_SIGHTING + 1 :] == old[_SIGHTING + 1 :]


_INCIDENT_UPSERT = """
INSERT INTO incidents (source_id, incident_id, is_maintenance, title, status, impact, started_at,
    updated_at, resolved_at, resolution_inferred, url, components, regions, scheduled_for,
    scheduled_until, first_seen_at, last_seen_at, time_note, updates_digest)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT(source_id, incident_id) DO UPDATE SET
    is_maintenance = excluded.is_maintenance, title = excluded.title, status = excluded.status,
    impact = excluded.impact, started_at = excluded.started_at, updated_at = excluded.updated_at,
    resolved_at = excluded.resolved_at, resolution_inferred = excluded.resolution_inferred,
    url = excluded.url, components = excluded.components, regions = excluded.regions,
    scheduled_for = excluded.scheduled_for, scheduled_until = excluded.scheduled_until,
    last_seen_at = excluded.last_seen_at, time_note = excluded.time_note,
    updates_digest = excluded.updates_digest
"""

# Updates are append-only; an edited body (same id) replaces the stored one, silently.
_UPDATE_UPSERT = """
INSERT INTO updates (source_id, incident_id, update_id, at, status, text, impact)
VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT(source_id, incident_id, update_id) DO UPDATE SET
    at = excluded.at, status = excluded.status, text = excluded.text
WHERE updates.at IS NOT excluded.at OR updates.status IS NOT excluded.status
   OR updates.text IS NOT excluded.text
"""


class IncidentMerge:
    """The incident half of one ingest (see ``ingest._Ingest``, which sets these attributes and
    runs it inside the caller's transaction)."""

    c: sqlite3.Connection
    source_id: str
    fetched_at: datetime
    now: str
    lists_only_current: bool
    first_ingest_at: str | None
    events: list[ChangeEvent]

    def _incidents(self, snapshot: Snapshot) -> None:
        latest: dict[str, tuple[Incident, bool]] = {}
        for item, is_maintenance in [(i, False) for i in snapshot.incidents] + [
            (m, True) for m in snapshot.maintenances
        ]:
            seen = latest.get(item.id)
            if seen is None or item.updated_at >= seen[0].updated_at:
                latest[item.id] = (item, is_maintenance)
        if latest:
            stored = self._load_incidents(list(latest))
            digests = {i: updates_digest(item.updates) for i, (item, _) in latest.items()}
            # Only incidents whose updates may have changed have theirs read back and compared.
            same = {i for i, old in stored.items() if old.updates_digest == digests[i]}
            known_updates = self._load_updates([i for i in stored if i not in same])
            self._write_incidents(latest, stored, digests, same, known_updates)
        if self.lists_only_current:
            self._infer_resolutions(set(latest))

    def _load_incidents(self, ids: Sequence[str]) -> dict[str, _IncRow]:
        stored: dict[str, _IncRow] = {}
        for chunk in chunks(ids):
            for r in self.c.execute(
                f"""SELECT incident_id, is_maintenance, title, status, impact, started_at,
                           updated_at, resolved_at, resolution_inferred, url, components, regions,
                           scheduled_for, scheduled_until, first_seen_at, last_seen_at, time_note,
                           updates_digest
                    FROM incidents WHERE source_id = ? AND incident_id IN ({marks(len(chunk))})""",
                (self.source_id, *chunk),
            ):
                stored[r[0]] = _IncRow(*r[1:])
        return stored

    def _load_updates(self, ids: Sequence[str]) -> dict[str, dict[str, _StoredUpdate]]:
        known: dict[str, dict[str, _StoredUpdate]] = {}
        for chunk in chunks(ids):
            rows = self.c.execute(
                f"""SELECT incident_id, update_id, at, status, text FROM updates
                    WHERE source_id = ? AND incident_id IN ({marks(len(chunk))})
                    ORDER BY incident_id""",
                (self.source_id, *chunk),
            )
            # Compared with the snapshot's own datetimes: parsing 500 stored times is cheaper
            # than formatting 500 snapshot ones, and an unchanged update is all most have.
            parse = datetime.fromisoformat  # dt(), without a call per row
            for incident_id, group in groupby(rows, key=itemgetter(0)):
                known[incident_id] = {r[1]: (parse(r[2]), r[3], r[4]) for r in group}
        return known

    def _write_incidents(
        self,
        latest: dict[str, tuple[Incident, bool]],
        stored: dict[str, _IncRow],
        digests: dict[str, bytes],
        same_updates: set[str],
        known_updates: dict[str, dict[str, _StoredUpdate]],
    ) -> None:
        incident_rows: list[tuple[Any, ...]] = []
        seen_again: list[str] = []
        update_rows: list[tuple[Any, ...]] = []
        for incident_id, (incident, is_maintenance) in latest.items():
            old = stored.get(incident_id)
            if incident_id not in same_updates:
                # Update events first: with equal times the news reads "update", then "resolved".
                known = known_updates.get(incident_id, {})
                self._collect_updates(incident, old, known, update_rows)
            # Whatever view wins the incident row, every update just ingested is stored as given.
            row = self._merge_incident(incident, is_maintenance, old)._replace(
                updates_digest=digests[incident_id]
            )
            if old is not None and _same_but_sighting(row, old):
                if row.last_seen_at != old.last_seen_at:
                    seen_again.append(incident_id)
            else:
                incident_rows.append((self.source_id, incident_id, *row))
        self.c.executemany(_INCIDENT_UPSERT, incident_rows)
        # Most of a re-polled history is unchanged: the sighting is all there is to write.
        for chunk in chunks(seen_again):
            self.c.execute(
                f"""UPDATE incidents SET last_seen_at = ?
                    WHERE source_id = ? AND incident_id IN ({marks(len(chunk))})""",
                (self.now, self.source_id, *chunk),
            )
        self.c.executemany(_UPDATE_UPSERT, update_rows)

    def _fresh_row(self, incident: Incident, is_maintenance: bool, old: _IncRow | None) -> _IncRow:
        scheduled_for = scheduled_until = None
        if isinstance(incident, Maintenance):
            scheduled_for = ts_opt(incident.scheduled_for)
            scheduled_until = ts_opt(incident.scheduled_until)
        if old is not None:
            # An item once seen as a maintenance stays one; plain incident views lack the window.
            is_maintenance = is_maintenance or bool(old.is_maintenance)
            scheduled_for = scheduled_for or old.scheduled_for
            scheduled_until = scheduled_until or old.scheduled_until
        return _IncRow(
            is_maintenance=int(is_maintenance),
            title=incident.title,
            status=incident.status,
            impact=incident.impact,
            started_at=ts(incident.started_at),
            updated_at=ts(incident.updated_at),
            resolved_at=ts_opt(incident.resolved_at),
            resolution_inferred=0,
            url=incident.url,
            components=json_list(incident.components),
            regions=json_list(incident.regions),
            scheduled_for=scheduled_for,
            scheduled_until=scheduled_until,
            first_seen_at=self.now if old is None else old.first_seen_at,
            last_seen_at=self.now if old is None else max(old.last_seen_at, self.now),
            time_note=incident.time_note,
            updates_digest=None,  # set by the caller, which has it
        )

    def _merge_incident(
        self, incident: Incident, is_maintenance: bool, old: _IncRow | None
    ) -> _IncRow:
        fresh = self._fresh_row(incident, is_maintenance, old)
        if old is None:
            self._new_incident_event(incident, fresh)
            return fresh
        was_open, now_open = old.resolved_at is None, fresh.resolved_at is None
        if old.resolution_inferred and not now_open:
            # The source's own resolution time replaces the guess; the event was already sent.
            if fresh.updated_at >= old.updated_at:
                return fresh
            return old._replace(
                last_seen_at=fresh.last_seen_at,
                resolved_at=fresh.resolved_at,
                resolution_inferred=0,
            )
        if not was_open and now_open:
            reappeared = bool(old.resolution_inferred) and self.lists_only_current
            if fresh.updated_at > old.updated_at or reappeared:
                self._incident_event("incident_opened", incident, old, detail="reopened")
                return fresh
            # An older (cached) view of a since-resolved incident.
            return old._replace(last_seen_at=fresh.last_seen_at)
        if fresh.updated_at < old.updated_at:
            # An older view: never let it overwrite newer knowledge.
            return old._replace(last_seen_at=fresh.last_seen_at)
        if was_open and not now_open:
            self._incident_event("incident_resolved", incident, old, at=incident.resolved_at)
        elif (old.status, old.impact) != (fresh.status, fresh.impact):
            self._incident_event("incident_updated", incident, old, at=incident.updated_at)
        return fresh

    def _new_incident_event(self, incident: Incident, fresh: _IncRow) -> None:
        if incident.resolved_at is None:
            newest = incident.updates[0].text if incident.updates else ""
            self._incident_event("incident_opened", incident, None, detail=newest)
        # Already resolved when first seen: history backfill, unless it happened after this
        # source's first fetch (opened and resolved between two polls).
        resolved = fresh.resolved_at or ""
        if self.first_ingest_at is not None and resolved >= self.first_ingest_at:
            self._incident_event(
                "incident_resolved",
                incident,
                None,
                at=incident.resolved_at,
                detail="opened and resolved between fetches",
            )

    def _incident_event(
        self,
        kind: Literal["incident_opened", "incident_updated", "incident_resolved"],
        incident: Incident,
        old: _IncRow | None,
        *,
        at: datetime | None = None,
        detail: str = "",
    ) -> None:
        if at is None:
            at = incident.started_at if old is None else self.fetched_at
        self.events.append(
            ChangeEvent(
                kind=kind,
                source_id=self.source_id,
                at=at,
                incident_id=incident.id,
                title=incident.title,
                impact=incident.impact,
                old_status=None if old is None else old.status,
                new_status=incident.status,
                detail=detail,
            )
        )

    def _collect_updates(
        self,
        incident: Incident,
        old: _IncRow | None,
        known: dict[str, _StoredUpdate],
        rows: list[tuple[Any, ...]],
    ) -> None:
        """The rows of updates that are new or were edited (same id, new time, status or text),
        and an event for each new one."""
        # A payload may list one id twice: the first-listed (newest) version is the update.
        unique: list[IncidentUpdate] = []
        listed: set[str] = set()
        for update in incident.updates:
            if update.id not in listed:
                listed.add(update.id)
                unique.append(update)
        # Oldest first, so rowid order matches publication order for equal timestamps.
        for update in reversed(unique):
            stored = known.get(update.id)
            if stored == (update.at, update.status, update.text):
                continue
            at = ts(update.at)
            rows.append(
                (
                    self.source_id,
                    incident.id,
                    update.id,
                    at,
                    update.status,
                    update.text,
                    incident.impact,
                )
            )
            if stored is not None:
                continue  # edited: replaced silently
            known[update.id] = (update.at, update.status, update.text)
            if old is not None:
                self.events.append(
                    ChangeEvent(
                        kind="update_added",
                        source_id=self.source_id,
                        at=update.at,
                        incident_id=incident.id,
                        title=incident.title,
                        impact=incident.impact,
                        new_status=update.status,
                        detail=update.text,
                    )
                )

    def _infer_resolutions(self, present: set[str]) -> None:
        vanished = [
            r
            for r in self.c.execute(
                """SELECT incident_id, is_maintenance, title, status, impact, started_at
                   FROM incidents WHERE source_id = ? AND resolved_at IS NULL""",
                (self.source_id,),
            ).fetchall()
            if r[0] not in present
        ]
        writes: list[tuple[Any, ...]] = []
        for incident_id, is_maintenance, title, status, impact, started_at in vanished:
            new_status = "completed" if is_maintenance else "resolved"
            # Never before its start, whatever the clocks say.
            writes.append((max(self.now, started_at), new_status, self.source_id, incident_id))
            self.events.append(
                ChangeEvent(
                    kind="incident_resolved",
                    source_id=self.source_id,
                    at=self.fetched_at,
                    incident_id=incident_id,
                    title=title,
                    impact=impact,
                    old_status=status,
                    new_status=new_status,
                    inferred=True,
                    detail="no longer listed by the source",
                )
            )
        self.c.executemany(
            """UPDATE incidents SET resolved_at = ?, resolution_inferred = 1, status = ?
               WHERE source_id = ? AND incident_id = ?""",
            writes,
        )
