"""The schema: DDL of every version and the forward-only migrations between them.

A store's ``PRAGMA user_version`` is the number of migrations applied to it; ``MIGRATIONS[n]``
upgrades a store at version n to n + 1.  The runner (``StoreCore``) reads ``MIGRATIONS`` from this
module at open time, so a test that adds a migration patches it here.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

# 'wtch': marks the file as ours, so a foreign SQLite file is refused rather than migrated.
APPLICATION_ID = 0x77746368


_SCHEMA_V1: tuple[str, ...] = (
    """CREATE TABLE sources (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        url TEXT NOT NULL,
        name TEXT NOT NULL,
        interval_s REAL NOT NULL,
        enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
        added_at TEXT NOT NULL,
        first_ingest_at TEXT,
        last_ingest_at TEXT
    )""",
    """CREATE TABLE fetch_log (
        id INTEGER PRIMARY KEY,
        source_id TEXT NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
        url TEXT NOT NULL,
        at TEXT NOT NULL,
        outcome TEXT NOT NULL CHECK (outcome IN ('ok', 'not_modified', 'error', 'drifted')),
        http_status INTEGER,
        latency_ms REAL,
        bytes INTEGER,
        etag TEXT,
        last_modified TEXT,
        error TEXT
    )""",
    "CREATE INDEX fetch_log_source_at ON fetch_log(source_id, at)",
    "CREATE INDEX fetch_log_at ON fetch_log(at)",
    """CREATE TABLE endpoint_state (
        url TEXT PRIMARY KEY,
        source_id TEXT REFERENCES sources(id) ON DELETE CASCADE,
        etag TEXT,
        last_modified TEXT,
        last_success_at TEXT,
        last_attempt_at TEXT,
        last_outcome TEXT,
        last_error TEXT,
        consecutive_failures INTEGER NOT NULL DEFAULT 0,
        next_due_at TEXT,
        lease_owner TEXT,
        lease_until TEXT
    )""",
    "CREATE INDEX endpoint_state_source ON endpoint_state(source_id)",
    "CREATE INDEX endpoint_state_due ON endpoint_state(next_due_at)",
    """CREATE TABLE components (
        source_id TEXT NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
        component_id TEXT NOT NULL,
        name TEXT NOT NULL,
        grp TEXT,
        status TEXT NOT NULL,
        regions TEXT NOT NULL DEFAULT '[]',
        only_show_if_degraded INTEGER NOT NULL DEFAULT 0,
        status_since TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        first_seen_at TEXT NOT NULL,
        PRIMARY KEY (source_id, component_id)
    ) WITHOUT ROWID""",
    """CREATE TABLE component_transitions (
        id INTEGER PRIMARY KEY,
        source_id TEXT NOT NULL,
        component_id TEXT NOT NULL,
        at TEXT NOT NULL,
        old_status TEXT,
        new_status TEXT NOT NULL,
        FOREIGN KEY (source_id, component_id)
            REFERENCES components(source_id, component_id) ON DELETE CASCADE
    )""",
    "CREATE INDEX component_transitions_component"
    " ON component_transitions(source_id, component_id, at)",
    "CREATE INDEX component_transitions_at ON component_transitions(at)",
    """CREATE TABLE incidents (
        source_id TEXT NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
        incident_id TEXT NOT NULL,
        is_maintenance INTEGER NOT NULL DEFAULT 0,
        title TEXT NOT NULL,
        status TEXT NOT NULL,
        impact TEXT NOT NULL,
        started_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        resolved_at TEXT,
        resolution_inferred INTEGER NOT NULL DEFAULT 0,
        url TEXT,
        components TEXT NOT NULL DEFAULT '[]',
        regions TEXT NOT NULL DEFAULT '[]',
        scheduled_for TEXT,
        scheduled_until TEXT,
        first_seen_at TEXT NOT NULL,
        last_seen_at TEXT NOT NULL,
        PRIMARY KEY (source_id, incident_id)
    )""",
    "CREATE INDEX incidents_started ON incidents(started_at)",
    "CREATE INDEX incidents_resolved ON incidents(resolved_at)",
    "CREATE INDEX incidents_open ON incidents(source_id) WHERE resolved_at IS NULL",
    """CREATE TABLE updates (
        id INTEGER PRIMARY KEY,
        source_id TEXT NOT NULL,
        incident_id TEXT NOT NULL,
        update_id TEXT NOT NULL,
        at TEXT NOT NULL,
        status TEXT NOT NULL,
        text TEXT NOT NULL,
        UNIQUE (source_id, incident_id, update_id),
        FOREIGN KEY (source_id, incident_id)
            REFERENCES incidents(source_id, incident_id) ON DELETE CASCADE
    )""",
    "CREATE INDEX updates_at ON updates(at)",
    f"PRAGMA application_id = {APPLICATION_ID}",
)


def _migrate_0_to_1(conn: sqlite3.Connection) -> None:
    for statement in _SCHEMA_V1:
        conn.execute(statement)


_SCHEMA_V2_PROBES: tuple[str, ...] = (
    """CREATE TABLE probe_results (
        id INTEGER PRIMARY KEY,
        probe_id TEXT NOT NULL,
        at TEXT NOT NULL,
        ok INTEGER NOT NULL CHECK (ok IN (0, 1)),
        latency_ms REAL,
        error TEXT
    )""",
    "CREATE INDEX probe_results_probe_at ON probe_results(probe_id, at)",
    "CREATE INDEX probe_results_at ON probe_results(at)",
    """CREATE TABLE probe_state (
        probe_id TEXT PRIMARY KEY,
        state TEXT NOT NULL CHECK (state IN ('up', 'down', 'unknown')),
        since TEXT,
        consecutive_failures INTEGER NOT NULL DEFAULT 0,
        consecutive_successes INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        last_result_at TEXT,
        streak_started_at TEXT
    ) WITHOUT ROWID""",
    """CREATE TABLE probe_periods (
        id INTEGER PRIMARY KEY,
        probe_id TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('up', 'down')),
        started_at TEXT NOT NULL,
        ended_at TEXT
    )""",
    "CREATE INDEX probe_periods_probe ON probe_periods(probe_id, started_at)",
    "CREATE INDEX probe_periods_ended ON probe_periods(ended_at)",
    # At most one open period per probe, whatever a buggy or concurrent writer attempts.
    "CREATE UNIQUE INDEX probe_periods_open ON probe_periods(probe_id) WHERE ended_at IS NULL",
)


def _migrate_1_to_2(conn: sqlite3.Connection) -> None:
    # Purely additive: v1 tables and rows are untouched.
    for statement in _SCHEMA_V2_PROBES:
        conn.execute(statement)


def _migrate_2_to_3(conn: sqlite3.Connection) -> None:
    # Components that left their page are retired (kept for history, off the board); incidents
    # carry a note when watchtui corrected an impossible time; fetches say what a payload held
    # that could not be placed.
    conn.execute("ALTER TABLE components ADD COLUMN retired_at TEXT")
    conn.execute("ALTER TABLE incidents ADD COLUMN time_note TEXT")
    conn.execute("ALTER TABLE fetch_log ADD COLUMN note TEXT")
    conn.execute("ALTER TABLE endpoint_state ADD COLUMN last_note TEXT")
    # What the page last said about itself (Statuspage's status indicator), so the board is never
    # calmer than the page's own headline.
    conn.execute("ALTER TABLE sources ADD COLUMN page_indicator TEXT")
    # Stores written before component lifecycles held components their pages no longer list;
    # forgetting the validators makes the next fetch a full one, which retires them.
    conn.execute("UPDATE endpoint_state SET etag = NULL, last_modified = NULL")


def _migrate_3_to_4(conn: sqlite3.Connection) -> None:
    # The incident's impact when each update was first seen: the stream shows an update with
    # the impact it was published under, not whatever the incident became later.  Some v3
    # stores already have the column (it was briefly part of the v2 -> v3 step).
    columns = {row[1] for row in conn.execute("PRAGMA table_info(updates)")}
    if "impact" not in columns:
        conn.execute("ALTER TABLE updates ADD COLUMN impact TEXT")


def _migrate_4_to_5(conn: sqlite3.Connection) -> None:
    # A digest of the updates each incident was last ingested with, so a re-polled history that
    # did not change is not read back update by update.  NULL until the incident is next seen.
    conn.execute("ALTER TABLE incidents ADD COLUMN updates_digest BLOB")


# MIGRATIONS[n] upgrades a store at user_version n to n + 1.  Append only; a migration must keep
# every row of history (ALTER/copy, never DROP data).
MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [
    _migrate_0_to_1,
    _migrate_1_to_2,
    _migrate_2_to_3,
    _migrate_3_to_4,
    _migrate_4_to_5,
]


def schema_version() -> int:
    """The user_version a store has once fully migrated."""
    return len(MIGRATIONS)
