"""Retention: how much the store holds, and dropping what has aged out."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

from watchtui.store.codec import ts
from watchtui.store.core import StoreCore
from watchtui.store.records import PruneCounts

# Vetting drops anything that starts before 1990: a span reaching past this means "everything".
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def days_before(now: datetime, days: int) -> datetime:
    """``now`` less ``days``, or 1970 for a span reaching further back (``retention_days =
    1000000000`` is valid config, and date arithmetic overflows past year 1)."""
    try:
        return max(now - timedelta(days=days), EPOCH)
    except OverflowError:
        return EPOCH


class Retention(StoreCore):
    """``Store`` mixin: ``counts`` and ``prune``."""

    def counts(self) -> dict[str, int]:
        """Row counts per table (diagnostics and tests)."""
        tables = (
            "sources",
            "fetch_log",
            "endpoint_state",
            "components",
            "component_transitions",
            "incidents",
            "updates",
            "probe_results",
            "probe_state",
            "probe_periods",
        )

        def query(c: sqlite3.Connection) -> dict[str, int]:
            return {t: int(c.execute(f"SELECT count(*) FROM {t}").fetchone()[0]) for t in tables}

        return self._read(query)

    def prune(self, older_than: datetime) -> PruneCounts:
        """Delete incidents resolved before ``older_than`` (with their updates), and fetch log
        entries, component transitions and probe results older than it, and probe periods that
        ended before it.  Open incidents, current probe periods and probe states are kept."""
        cutoff = ts(older_than)

        def prune(c: sqlite3.Connection) -> PruneCounts:
            doomed = "SELECT source_id, incident_id FROM incidents WHERE resolved_at < ?"
            updates = c.execute(
                f"DELETE FROM updates WHERE (source_id, incident_id) IN ({doomed})", (cutoff,)
            ).rowcount
            incidents = c.execute(
                "DELETE FROM incidents WHERE resolved_at IS NOT NULL AND resolved_at < ?",
                (cutoff,),
            ).rowcount
            fetches = c.execute("DELETE FROM fetch_log WHERE at < ?", (cutoff,)).rowcount
            transitions = c.execute(
                "DELETE FROM component_transitions WHERE at < ?", (cutoff,)
            ).rowcount
            results = c.execute("DELETE FROM probe_results WHERE at < ?", (cutoff,)).rowcount
            periods = c.execute(
                "DELETE FROM probe_periods WHERE ended_at IS NOT NULL AND ended_at < ?", (cutoff,)
            ).rowcount
            return PruneCounts(incidents, updates, fetches, transitions, results, periods)

        return self._write(prune)
