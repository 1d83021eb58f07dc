"""The registry of configured sources: what is polled, under which name, how often."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

from watchtui.domain.model import IMPACTS, Impact
from watchtui.store.codec import dt, dt_opt, ts
from watchtui.store.core import StoreCore
from watchtui.store.records import SourceRecord


def ensure_source(
    c: sqlite3.Connection, source_id: str, *, kind: str, url: str, name: str, at: str
) -> None:
    """Auto-register a source the caller never declared, so bookkeeping never fails on it;
    ``upsert_source`` later fills in the real kind, name and interval."""
    c.execute(
        """INSERT OR IGNORE INTO sources (id, kind, url, name, interval_s, enabled, added_at)
           VALUES (?, ?, ?, ?, 300, 1, ?)""",
        (source_id, kind, url, name, at),
    )


class SourceRegistry(StoreCore):
    """``Store`` mixin: registering, toggling, removing and listing sources."""

    def upsert_source(
        self,
        source_id: str,
        *,
        kind: str,
        url: str,
        name: str,
        interval: timedelta,
        enabled: bool = True,
        added_at: datetime | None = None,
    ) -> None:
        """Register or update a configured source (``added_at`` is kept from the first call)."""
        added = ts(added_at or datetime.now(UTC))
        self._write(
            lambda c: c.execute(
                """INSERT INTO sources (id, kind, url, name, interval_s, enabled, added_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT(id) DO UPDATE SET kind = excluded.kind, url = excluded.url,
                       name = excluded.name, interval_s = excluded.interval_s,
                       enabled = excluded.enabled""",
                (source_id, kind, url, name, interval.total_seconds(), int(enabled), added),
            )
        )

    def set_source_enabled(self, source_id: str, enabled: bool) -> None:
        self._write(
            lambda c: c.execute(
                "UPDATE sources SET enabled = ? WHERE id = ?", (int(enabled), source_id)
            )
        )

    def remove_source(self, source_id: str) -> None:
        """Forget a source and all its history (explicit user action only)."""
        self._write(lambda c: c.execute("DELETE FROM sources WHERE id = ?", (source_id,)))

    def sources(self) -> list[SourceRecord]:
        rows = self._read(
            lambda c: c.execute(
                """SELECT id, kind, url, name, interval_s, enabled, added_at, first_ingest_at,
                          last_ingest_at, page_indicator FROM sources ORDER BY id"""
            ).fetchall()
        )
        return [
            SourceRecord(
                id=r[0],
                kind=r[1],
                url=r[2],
                name=r[3],
                interval=timedelta(seconds=r[4]),
                enabled=bool(r[5]),
                added_at=dt(r[6]),
                first_ingest_at=dt_opt(r[7]),
                last_ingest_at=dt_opt(r[8]),
                page_indicator=_impact(r[9]),
            )
            for r in rows
        ]


def _impact(value: object) -> Impact | None:
    """A stored page headline, if it is one of the vocabulary's words."""
    return next((impact for impact in IMPACTS if impact == value), None)
