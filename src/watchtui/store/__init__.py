"""The local history store: one SQLite file shared by every watchtui process of a user.

Synchronous stdlib ``sqlite3``; callers run it in worker threads.  Concurrency model:

* each thread gets its own connection (WAL lets readers proceed while one writer writes);
* every write is one short ``BEGIN IMMEDIATE`` transaction, retried when another process holds the
  write lock, and turned into a ``StoreError`` (never a raw ``sqlite3`` exception) when it still
  cannot proceed;
* several processes coordinate polling through leases on ``endpoint_state`` (``try_claim``) and
  notice each other's writes through ``data_version``.

Timestamps are stored as fixed-width ISO-8601 UTC text (``2024-05-01T12:00:00.000000+00:00``), so
SQL compares them as strings, and always come back as aware UTC datetimes.

Ingest semantics (see ``Store.ingest``): a snapshot is merged, never replayed; updates are never
deleted; incidents vanish from the store only through ``prune``.

The user's own probes (``watchtui.probes``) keep every result (``probe_results``, for latency
sparklines), one hysteresis state per probe (``probe_state``) and their up/down history summarised
as periods (``probe_periods``), so "how long was it down last week" never scans raw results.  Probe
runs are coordinated with the same leases as endpoints, keyed ``probe:<id>``.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import sqlite3
import stat
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, NamedTuple, TypeVar

from watchtui.domain import assessment
from watchtui.domain.assessment import Health
from watchtui.domain.events import ChangeEvent
from watchtui.domain.model import (
    Component,
    ComponentStatus,
    Impact,
    Incident,
    IncidentUpdate,
    Maintenance,
    Snapshot,
    impact_for_status,
)

FetchOutcome = Literal["ok", "not_modified", "error", "drifted"]

FETCH_OUTCOMES: tuple[FetchOutcome, ...] = ("ok", "not_modified", "error", "drifted")

ProbeStateName = Literal["up", "down", "unknown"]
PROBE_STATES: tuple[ProbeStateName, ...] = ("up", "down", "unknown")
# Lease keys for probes live beside endpoint URLs in endpoint_state; no URL starts with it.
PROBE_LEASE_PREFIX = "probe:"

# 'wtch': marks the file as ours, so a foreign SQLite file is refused rather than migrated.
APPLICATION_ID = 0x77746368
# A stale view stays stale for three polling intervals before the source counts as stale.
STALE_INTERVALS = 3

_BUSY_ATTEMPTS = 3
_BUSY_BACKOFF_S = 0.05
_IN_CHUNK = 500

_SQLITE_PERM = 3
_SQLITE_BUSY = 5
_SQLITE_LOCKED = 6
_SQLITE_READONLY = 8
_SQLITE_IOERR = 10
_SQLITE_CORRUPT = 11
_SQLITE_FULL = 13
_SQLITE_CANTOPEN = 14
_SQLITE_NOTADB = 26

_T = TypeVar("_T")


class StoreError(Exception):
    """The history store cannot do what was asked; ``str()`` is a clear, printable sentence."""

    def __init__(self, message: str, path: Path | None = None) -> None:
        super().__init__(message)
        self.path = path


class _CorruptStore(Exception):
    """Internal: the file at open time is not a usable SQLite database."""


# --------------------------------------------------------------------------------------------
# Records returned by queries


@dataclass(frozen=True, slots=True)
class SourceRecord:
    id: str
    kind: str
    url: str
    name: str
    interval: timedelta
    enabled: bool
    added_at: datetime
    first_ingest_at: datetime | None
    last_ingest_at: datetime | None


@dataclass(frozen=True, slots=True)
class StoredComponent:
    source_id: str
    component: Component
    # When the status last changed (as observed by watchtui).
    status_since: datetime
    # When a fetch last listed the component: the age of what we know about it.
    updated_at: datetime
    first_seen_at: datetime


@dataclass(frozen=True, slots=True)
class ComponentTransition:
    source_id: str
    component_id: str
    at: datetime
    old_status: ComponentStatus | None  # None: first sighting
    new_status: ComponentStatus


@dataclass(frozen=True, slots=True)
class StoredIncident:
    source_id: str
    # A ``Maintenance`` when ``is_maintenance``; updates newest first.
    incident: Incident
    is_maintenance: bool
    # The resolution was deduced from the incident vanishing from a current-only feed.
    resolution_inferred: bool
    first_seen_at: datetime
    last_seen_at: datetime

    @property
    def duration(self) -> timedelta | None:
        """Start to resolution; None while open (use ``duration_at``)."""
        if self.incident.resolved_at is None:
            return None
        return assessment.duration(self.incident, self.incident.resolved_at)

    def duration_at(self, now: datetime) -> timedelta:
        return assessment.duration(self.incident, now)


@dataclass(frozen=True, slots=True)
class RecentUpdate:
    source_id: str
    incident_id: str
    title: str
    impact: Impact
    is_maintenance: bool
    update: IncidentUpdate


@dataclass(frozen=True, slots=True)
class EndpointState:
    url: str
    source_id: str | None
    etag: str | None
    last_modified: str | None
    last_success_at: datetime | None
    last_attempt_at: datetime | None
    last_outcome: FetchOutcome | None
    last_error: str | None
    consecutive_failures: int
    next_due_at: datetime | None
    lease_owner: str | None
    lease_until: datetime | None


@dataclass(frozen=True, slots=True)
class FetchStats:
    source_id: str
    last_success_at: datetime | None
    last_attempt_at: datetime | None
    # Over the last ``window`` fetches of the source (all its endpoints).
    window: int
    mean_latency_ms: float | None
    # Share of 304 Not Modified among the successful fetches in the window.
    not_modified_share: float | None
    last_error: str | None
    last_error_at: datetime | None
    consecutive_failures: int
    # What the newest parse of any endpoint left out (items with impossible times, …), if any.
    last_note: str | None = None


@dataclass(frozen=True, slots=True)
class PruneCounts:
    incidents: int
    updates: int
    fetch_log: int
    transitions: int
    probe_results: int = 0
    probe_periods: int = 0


@dataclass(frozen=True, slots=True)
class ProbeResult:
    """One run of a probe.  ``latency_ms`` is None when nothing answered (timeout, refused)."""

    ok: bool
    latency_ms: float | None
    error: str | None
    at: datetime


@dataclass(frozen=True, slots=True)
class ProbeState:
    """A probe's hysteresis state (see ``watchtui.probes.advance``).

    ``since``: when the current up/down state began, i.e. the first result of the streak that
    confirmed it (None while unknown).  ``streak_started_at``: the first result of the current run
    of equal outcomes, so "failing for 6 min" counts from the first failure, not the Nth.
    """

    probe_id: str
    state: ProbeStateName = "unknown"
    since: datetime | None = None
    consecutive_failures: int = 0
    consecutive_successes: int = 0
    last_error: str | None = None
    last_result_at: datetime | None = None
    streak_started_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ProbePeriod:
    probe_id: str
    state: Literal["up", "down"]
    started_at: datetime
    ended_at: datetime | None  # None: still in this state

    def duration_at(self, now: datetime) -> timedelta:
        return (self.ended_at or now) - self.started_at


# --------------------------------------------------------------------------------------------
# Timestamps


def _ts(value: datetime) -> str:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("the store only accepts timezone-aware datetimes")
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def _ts_opt(value: datetime | None) -> str | None:
    return None if value is None else _ts(value)


def _dt(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _dt_opt(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def _json_list(values: Sequence[str]) -> str:
    return json.dumps(list(values), ensure_ascii=False)


def _chunks(items: Sequence[_T], size: int = _IN_CHUNK) -> Iterator[Sequence[_T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _marks(count: int) -> str:
    return ",".join("?" * count)


# --------------------------------------------------------------------------------------------
# Schema and migrations

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
    # Stores written before component lifecycles held components their pages no longer list;
    # forgetting the validators makes the next fetch a full one, which retires them.
    conn.execute("UPDATE endpoint_state SET etag = NULL, last_modified = NULL")


# MIGRATIONS[n] upgrades a store at user_version n to n + 1.  Append only; a migration must keep
# every row of history (ALTER/copy, never DROP data).
MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [
    _migrate_0_to_1,
    _migrate_1_to_2,
    _migrate_2_to_3,
]


def schema_version() -> int:
    """The user_version a store has once fully migrated."""
    return len(MIGRATIONS)


# --------------------------------------------------------------------------------------------
# Filesystem preparation and recovery


def _prepare_directory(directory: Path) -> None:
    if directory.is_dir():
        return
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        # mkdir's mode is filtered by the umask; the history is private whatever the umask.
        os.chmod(directory, 0o700)
    except OSError as exc:
        raise StoreError(
            f"cannot create the history directory {directory}: {exc.strerror or exc}", directory
        ) from exc


def _prepare_file(path: Path) -> None:
    """Create the database file 0600 before SQLite does, or tighten an existing one."""
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        _tighten_mode(path)
        return
    except OSError as exc:
        raise StoreError(
            f"cannot create the history store {path}: {exc.strerror or exc}", path
        ) from exc
    os.close(fd)
    # os.open's mode, too, is filtered by the umask; never leave the file wider than 0600.
    os.chmod(path, 0o600)


def _tighten_mode(path: Path) -> None:
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise StoreError(f"the history store {path} is not a regular file", path)
        if info.st_mode & 0o077 and info.st_uid == os.getuid():
            os.chmod(path, 0o600)
    except OSError as exc:
        raise StoreError(
            f"cannot access the history store {path}: {exc.strerror or exc}", path
        ) from exc


def _move_aside(path: Path, now: datetime) -> Path:
    stamp = now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    aside = path.with_name(f"{path.name}.corrupt-{stamp}")
    counter = 1
    while aside.exists():
        aside = path.with_name(f"{path.name}.corrupt-{stamp}-{counter}")
        counter += 1
    try:
        os.replace(path, aside)
        for suffix in ("-wal", "-shm"):
            companion = path.with_name(path.name + suffix)
            if companion.exists():
                # A WAL left beside a fresh database would be replayed into it.
                os.replace(companion, aside.with_name(aside.name + suffix))
    except OSError as exc:
        raise StoreError(
            f"the history store {path} is corrupt and could not be moved aside: "
            f"{exc.strerror or exc}",
            path,
        ) from exc
    return aside


def _code(exc: sqlite3.Error) -> int:
    return int(getattr(exc, "sqlite_errorcode", 0) or 0) & 0xFF


def _is_busy(exc: sqlite3.Error) -> bool:
    return _code(exc) in (_SQLITE_BUSY, _SQLITE_LOCKED) or "locked" in str(exc)


def _is_corrupt(exc: sqlite3.Error) -> bool:
    return _code(exc) in (_SQLITE_CORRUPT, _SQLITE_NOTADB)


def _describe(exc: sqlite3.Error, path: Path) -> str:
    code = _code(exc)
    messages = {
        _SQLITE_FULL: f"the disk holding the history store {path} is full",
        _SQLITE_READONLY: f"the history store {path} is read-only (check the file and directory "
        "permissions)",
        _SQLITE_CANTOPEN: f"cannot open the history store {path} (check that its directory "
        "exists and is writable)",
        _SQLITE_PERM: f"permission denied on the history store {path}",
        _SQLITE_IOERR: f"disk I/O error on the history store {path}",
        _SQLITE_CORRUPT: f"the history store {path} is corrupt; restart watchtui to move it "
        "aside and start a fresh one",
        _SQLITE_NOTADB: f"{path} is not a watchtui history store",
    }
    if code in (_SQLITE_BUSY, _SQLITE_LOCKED) or _is_busy(exc):
        return (
            f"the history store {path} stayed locked by another process; gave up after "
            f"{_BUSY_ATTEMPTS} tries"
        )
    return messages.get(code, f"history store error on {path}: {exc}")


# --------------------------------------------------------------------------------------------
# The store


class Store:
    """The history store.  Create with ``Store.open(path)``; thread-safe; close when done."""

    def __init__(self, path: Path, busy_timeout: float) -> None:
        self.path = path
        self.busy_timeout = busy_timeout
        # Set when open() found a corrupt file and moved it here before starting afresh.
        self.recovered_from: Path | None = None
        self._local = threading.local()
        self._lock = threading.Lock()
        self._connections: dict[threading.Thread, sqlite3.Connection] = {}
        self._watch: sqlite3.Connection | None = None
        self._pid = os.getpid()
        self._closed = False

    # ---- opening ------------------------------------------------------------------------

    @classmethod
    def open(cls, path: Path | str, *, busy_timeout: float = 5.0) -> Store:
        """Open (creating, migrating or recovering as needed) the store at ``path``.

        Raises ``StoreError`` when the file cannot be used (read-only location, disk full, a
        database from a newer watchtui, a foreign SQLite database).  A file that is not a SQLite
        database at all, or a corrupt one, is renamed to ``<name>.corrupt-<UTC timestamp>`` and a
        fresh store is created; ``recovered_from`` then names the renamed file.
        """
        path = Path(path)
        _prepare_directory(path.parent)
        _prepare_file(path)
        store = cls(path, busy_timeout)
        try:
            store._initialise()
        except _CorruptStore:
            store.close()
            aside = _move_aside(path, datetime.now(UTC))
            _prepare_file(path)
            store = cls(path, busy_timeout)
            store._initialise()
            store.recovered_from = aside
        except BaseException:
            store.close()
            raise
        return store

    def _initialise(self) -> None:
        try:
            conn = self._conn()
            self._probe(conn)
            # Some filesystems refuse WAL; SQLite then keeps its rollback journal, which is still
            # correct, only less concurrent.
            conn.execute("PRAGMA journal_mode=WAL").fetchone()
        except sqlite3.Error as exc:
            if _is_corrupt(exc):
                raise _CorruptStore(str(exc)) from exc
            raise StoreError(_describe(exc, self.path), self.path) from exc
        self._run_migrations()

    def _probe(self, conn: sqlite3.Connection) -> None:
        """Reject files that are not ours or not healthy before touching them."""
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        check = conn.execute("PRAGMA quick_check(1)").fetchone()
        if check is None or check[0] != "ok":
            raise _CorruptStore(str(check[0] if check else "quick_check returned nothing"))
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        if app_id not in (0, APPLICATION_ID) or (app_id == 0 and version == 0 and tables):
            raise StoreError(
                f"{self.path} is a SQLite database that watchtui did not create; refusing to "
                "touch it (choose another history file)",
                self.path,
            )

    def _run_migrations(self) -> None:
        target = len(MIGRATIONS)
        while True:
            done = self._write(lambda conn: self._migrate_once(conn, target))
            if done:
                return

    def _migrate_once(self, conn: sqlite3.Connection, target: int) -> bool:
        # Read inside the write transaction: another process may have migrated meanwhile.
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if version > target:
            raise StoreError(
                f"the history store {self.path} was written by a newer watchtui (schema "
                f"v{version}, this one knows v{target}); upgrade watchtui or use another file",
                self.path,
            )
        if version == target:
            return True
        MIGRATIONS[version](conn)
        conn.execute(f"PRAGMA user_version = {version + 1}")
        return False

    # ---- connections and transactions -----------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(
            self.path,
            timeout=self.busy_timeout,
            isolation_level=None,
            check_same_thread=False,
        )
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA trusted_schema = OFF")
        conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout * 1000)}")
        return conn

    def _conn(self) -> sqlite3.Connection:
        if self._closed:
            raise StoreError(f"the history store {self.path} is closed", self.path)
        self._forget_parent_connections()
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is not None:
            return conn
        conn = self._connect()
        with self._lock:
            self._sweep_dead_threads()
            self._connections[threading.current_thread()] = conn
        self._local.conn = conn
        return conn

    def _forget_parent_connections(self) -> None:
        if os.getpid() != self._pid:
            # A forked child must not use (or close) its parent's SQLite handles.
            self._local = threading.local()
            self._connections = {}
            self._watch = None
            self._pid = os.getpid()

    def _sweep_dead_threads(self) -> None:
        for thread in [t for t in self._connections if not t.is_alive()]:
            self._connections.pop(thread).close()

    def _write(self, action: Callable[[sqlite3.Connection], _T]) -> _T:
        """Run ``action`` in one BEGIN IMMEDIATE transaction, retrying while the file is busy."""
        for attempt in range(_BUSY_ATTEMPTS):
            conn = self._conn()
            try:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    result = action(conn)
                    conn.execute("COMMIT")
                except BaseException:
                    self._rollback(conn)
                    raise
                return result
            except sqlite3.Error as exc:
                if _is_busy(exc) and attempt + 1 < _BUSY_ATTEMPTS:
                    time.sleep(_BUSY_BACKOFF_S * (attempt + 1))
                    continue
                raise StoreError(_describe(exc, self.path), self.path) from exc
        raise AssertionError("unreachable")  # pragma: no cover

    def _read(self, action: Callable[[sqlite3.Connection], _T]) -> _T:
        """Run ``action`` in one read transaction, so multi-query results are consistent."""
        for attempt in range(_BUSY_ATTEMPTS):
            conn = self._conn()
            try:
                conn.execute("BEGIN")
                try:
                    return action(conn)
                finally:
                    self._rollback(conn)
            except sqlite3.Error as exc:
                if _is_busy(exc) and attempt + 1 < _BUSY_ATTEMPTS:
                    time.sleep(_BUSY_BACKOFF_S * (attempt + 1))
                    continue
                raise StoreError(_describe(exc, self.path), self.path) from exc
        raise AssertionError("unreachable")  # pragma: no cover

    @staticmethod
    def _rollback(conn: sqlite3.Connection) -> None:
        if conn.in_transaction:
            # SQLite may already have rolled back (e.g. after SQLITE_FULL): nothing left to undo.
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")

    def close(self) -> None:
        with self._lock:
            for conn in self._connections.values():
                # SQLite's advice: refresh planner statistics when a connection closes.
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("PRAGMA optimize")
                conn.close()
            self._connections.clear()
            if self._watch is not None:
                self._watch.close()
                self._watch = None
        self._local = threading.local()
        self._closed = True

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # ---- change notification ----------------------------------------------------------------

    def data_version(self) -> int:
        """A number that changes whenever any connection (another thread or another process)
        commits to the file.  Cheap: poll it and reload views when it changes.

        Uses a dedicated connection that never writes, so every commit anywhere moves it, from
        whichever thread it is called.
        """
        with self._lock:
            if self._closed:
                raise StoreError(f"the history store {self.path} is closed", self.path)
            self._forget_parent_connections()
            try:
                if self._watch is None:
                    self._watch = self._connect()
                return int(self._watch.execute("PRAGMA data_version").fetchone()[0])
            except sqlite3.Error as exc:
                raise StoreError(_describe(exc, self.path), self.path) from exc

    def user_version(self) -> int:
        return self._read(lambda c: int(c.execute("PRAGMA user_version").fetchone()[0]))

    # ---- sources ------------------------------------------------------------------------------

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
        added = _ts(added_at or datetime.now(UTC))
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
                          last_ingest_at FROM sources ORDER BY id"""
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
                added_at=_dt(r[6]),
                first_ingest_at=_dt_opt(r[7]),
                last_ingest_at=_dt_opt(r[8]),
            )
            for r in rows
        ]

    # ---- ingest -------------------------------------------------------------------------------

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
        _ts(fetched_at)  # reject naive datetimes before opening a transaction
        return self._write(
            lambda conn: _Ingest(conn, source_id, fetched_at, lists_only_current).run(snapshot)
        )

    # ---- fetch bookkeeping ----------------------------------------------------------------------

    def record_fetch(
        self,
        source_id: str,
        url: str,
        at: datetime,
        outcome: FetchOutcome,
        *,
        http_status: int | None = None,
        latency_ms: float | None = None,
        bytes: int | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
        error: str | None = None,
        next_due_at: datetime | None = None,
        release_owner: str | None = None,
        note: str | None = None,
    ) -> list[ChangeEvent]:
        """Log one fetch attempt and update the endpoint's state.

        Call it after ``ingest`` succeeded (outcome ``ok``): a crash in between then only costs a
        refetch, because the validators (etag / last_modified) are stored here.  ``drifted`` means
        the payload arrived but could not be understood; its validators are not kept, so the next
        fetch downloads it again.  ``next_due_at`` and ``release_owner`` schedule the next fetch
        and give up the lease in the same transaction.  Returns source_failing / source_drifted /
        source_recovered events when the endpoint's state changes kind.  ``note`` says what a
        successful parse left out (kept until the next successful parse of the endpoint).
        """
        if outcome not in FETCH_OUTCOMES:
            raise ValueError(f"unknown fetch outcome {outcome!r}")
        record = _FetchRecord(
            source_id,
            url,
            at,
            outcome,
            http_status,
            latency_ms,
            bytes,
            etag,
            last_modified,
            error,
            next_due_at,
            release_owner,
            note,
        )
        return self._write(record.apply)

    def endpoint_state(self, url: str) -> EndpointState | None:
        row = self._read(
            lambda c: c.execute(
                f"SELECT {_ENDPOINT_COLUMNS} FROM endpoint_state WHERE url = ?", (url,)
            ).fetchone()
        )
        return None if row is None else _endpoint_from_row(row)

    def endpoint_states(self, source_id: str | None = None) -> list[EndpointState]:
        # Probe leases share the table; they are not endpoints.
        sql = f"SELECT {_ENDPOINT_COLUMNS} FROM endpoint_state WHERE {_NOT_PROBE_LEASE}"
        params: tuple[Any, ...] = ()
        if source_id is not None:
            sql += " AND source_id = ?"
            params = (source_id,)
        rows = self._read(lambda c: c.execute(sql + " ORDER BY url", params).fetchall())
        return [_endpoint_from_row(r) for r in rows]

    def health(self, source_id: str, now: datetime, interval: timedelta) -> Health:
        """failing (an endpoint's last attempt errored) > drifted (an endpoint's last payload was
        not understood) > stale (no success for ``STALE_INTERVALS`` intervals) > fresh; never
        when no fetch was ever recorded."""
        states = self.endpoint_states(source_id)
        attempted = [s for s in states if s.last_attempt_at is not None]
        if not attempted:
            return "never"
        outcomes = {s.last_outcome for s in attempted}
        if "error" in outcomes:
            return "failing"
        if "drifted" in outcomes:
            return "drifted"
        successes = [s.last_success_at for s in attempted if s.last_success_at is not None]
        if not successes or max(successes) < now - STALE_INTERVALS * interval:
            return "stale"
        return "fresh"

    def fetch_stats(self, source_id: str, window: int = 20) -> FetchStats:
        def query(c: sqlite3.Connection) -> FetchStats:
            recent = c.execute(
                """SELECT outcome, latency_ms FROM fetch_log WHERE source_id = ?
                   ORDER BY at DESC, id DESC LIMIT ?""",
                (source_id, window),
            ).fetchall()
            error = c.execute(
                """SELECT at, error FROM fetch_log WHERE source_id = ?
                   AND outcome IN ('error', 'drifted') ORDER BY at DESC, id DESC LIMIT 1""",
                (source_id,),
            ).fetchone()
            state = c.execute(
                """SELECT max(last_success_at), max(last_attempt_at),
                          coalesce(max(consecutive_failures), 0),
                          group_concat(last_note, '; ')
                   FROM endpoint_state WHERE source_id = ?""",
                (source_id,),
            ).fetchone()
            return _fetch_stats(source_id, recent, error, state)

        return self._read(query)

    # ---- scheduling and leases ----------------------------------------------------------

    def try_claim(self, url: str, owner: str, now: datetime, until: datetime) -> bool:
        """Take (or renew) the lease on ``url`` until ``until``; False when another owner holds
        an unexpired lease.  Atomic across processes."""
        now_s, until_s = _ts(now), _ts(until)

        def claim(c: sqlite3.Connection) -> bool:
            c.execute("INSERT OR IGNORE INTO endpoint_state (url) VALUES (?)", (url,))
            cursor = c.execute(
                """UPDATE endpoint_state SET lease_owner = ?, lease_until = ?
                   WHERE url = ? AND (lease_until IS NULL OR lease_until < ? OR lease_owner = ?)""",
                (owner, until_s, url, now_s, owner),
            )
            return cursor.rowcount == 1

        return self._write(claim)

    def release(self, url: str, owner: str) -> None:
        """Give up ``owner``'s lease on ``url`` (no-op when someone else holds it)."""
        self._write(
            lambda c: c.execute(
                """UPDATE endpoint_state SET lease_owner = NULL, lease_until = NULL
                   WHERE url = ? AND lease_owner = ?""",
                (url, owner),
            )
        )

    def set_next_due(self, url: str, when: datetime, *, source_id: str | None = None) -> None:
        when_s = _ts(when)

        def schedule(c: sqlite3.Connection) -> None:
            c.execute(
                """INSERT INTO endpoint_state (url, next_due_at) VALUES (?, ?)
                   ON CONFLICT(url) DO UPDATE SET next_due_at = excluded.next_due_at""",
                (url, when_s),
            )
            if source_id is not None:
                _ensure_source(c, source_id, kind="unknown", url=url, name=source_id, at=when_s)
                c.execute("UPDATE endpoint_state SET source_id = ? WHERE url = ?", (source_id, url))

        self._write(schedule)

    def due_endpoints(self, now: datetime) -> list[str]:
        """URLs whose next_due_at has come (or was never set), most overdue first."""
        rows = self._read(
            lambda c: c.execute(
                f"""SELECT url FROM endpoint_state
                   WHERE (next_due_at IS NULL OR next_due_at <= ?) AND {_NOT_PROBE_LEASE}
                   ORDER BY next_due_at IS NOT NULL, next_due_at, url""",
                (_ts(now),),
            ).fetchall()
        )
        return [r[0] for r in rows]

    # ---- queries ------------------------------------------------------------------------------

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
        return [ComponentTransition(source_id, component_id, _dt(r[0]), r[1], r[2]) for r in rows]

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
            params.append(_ts(since))
        if source_id is not None:
            clauses.append("u.source_id = ?")
            params.append(source_id)
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        params.append(int(limit))
        rows = self._read(
            lambda c: c.execute(
                f"""SELECT u.source_id, u.incident_id, i.title, i.impact, i.is_maintenance,
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

    # ---- probes -------------------------------------------------------------------------------

    def record_probe_result(
        self, probe_id: str, result: ProbeResult, new_state: ProbeState
    ) -> bool:
        """Log one probe run and store the state ``advance`` computed from it, atomically; open
        and close up/down periods when the state changes.

        Returns False (result logged, state untouched) when the store already holds a state from a
        later result: a slow run never overwrites newer knowledge.
        """
        if new_state.probe_id != probe_id:
            raise ValueError(f"state of probe {new_state.probe_id!r} given for {probe_id!r}")
        _ts(result.at)  # reject naive datetimes before opening a transaction
        return self._write(lambda c: _ProbeWrite(probe_id, result, new_state).apply(c))

    def probe_state(self, probe_id: str) -> ProbeState | None:
        row = self._read(
            lambda c: c.execute(
                f"SELECT {_PROBE_STATE_COLUMNS} FROM probe_state WHERE probe_id = ?", (probe_id,)
            ).fetchone()
        )
        return None if row is None else _probe_state_from_row(row)

    def probe_states(self) -> dict[str, ProbeState]:
        """Every probe's state by id (probes never run have none: treat them as unknown)."""
        rows = self._read(
            lambda c: c.execute(
                f"SELECT {_PROBE_STATE_COLUMNS} FROM probe_state ORDER BY probe_id"
            ).fetchall()
        )
        return {r[0]: _probe_state_from_row(r) for r in rows}

    def probe_results(
        self, probe_id: str, since: datetime | None = None, limit: int | None = None
    ) -> list[ProbeResult]:
        """The newest ``limit`` results at or after ``since``, oldest first (sparkline order)."""
        clauses = ["probe_id = ?"]
        params: list[Any] = [probe_id]
        if since is not None:
            clauses.append("at >= ?")
            params.append(_ts(since))
        limit_sql = "" if limit is None else f" LIMIT {max(0, int(limit))}"
        rows = self._read(
            lambda c: c.execute(
                f"""SELECT at, ok, latency_ms, error FROM probe_results
                    WHERE {" AND ".join(clauses)} ORDER BY at DESC, id DESC{limit_sql}""",
                params,
            ).fetchall()
        )
        return [
            ProbeResult(ok=bool(r[1]), latency_ms=r[2], error=r[3], at=_dt(r[0]))
            for r in reversed(rows)
        ]

    def probe_periods(
        self, probe_id: str | None = None, since: datetime | None = None
    ) -> list[ProbePeriod]:
        """Up/down periods overlapping [since, now], oldest first (all probes when no id)."""
        clauses: list[str] = []
        params: list[Any] = []
        if probe_id is not None:
            clauses.append("probe_id = ?")
            params.append(probe_id)
        if since is not None:
            clauses.append("(ended_at IS NULL OR ended_at >= ?)")
            params.append(_ts(since))
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        rows = self._read(
            lambda c: c.execute(
                f"""SELECT probe_id, state, started_at, ended_at FROM probe_periods{where}
                    ORDER BY started_at, id""",
                params,
            ).fetchall()
        )
        return [ProbePeriod(r[0], r[1], _dt(r[2]), _dt_opt(r[3])) for r in rows]

    def remove_probe(self, probe_id: str) -> None:
        """Forget a probe and all its history (explicit user action only)."""

        def remove(c: sqlite3.Connection) -> None:
            for table in ("probe_results", "probe_state", "probe_periods"):
                c.execute(f"DELETE FROM {table} WHERE probe_id = ?", (probe_id,))
            c.execute("DELETE FROM endpoint_state WHERE url = ?", (probe_lease_key(probe_id),))

        self._write(remove)

    # ---- retention ----------------------------------------------------------------------------

    def prune(self, older_than: datetime) -> PruneCounts:
        """Delete incidents resolved before ``older_than`` (with their updates), and fetch log
        entries, component transitions and probe results older than it, and probe periods that
        ended before it.  Open incidents, current probe periods and probe states are kept."""
        cutoff = _ts(older_than)

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


# --------------------------------------------------------------------------------------------
# Row mapping

_ENDPOINT_COLUMNS = (
    "url, source_id, etag, last_modified, last_success_at, last_attempt_at, last_outcome, "
    "last_error, consecutive_failures, next_due_at, lease_owner, lease_until"
)


def _endpoint_from_row(r: Sequence[Any]) -> EndpointState:
    return EndpointState(
        url=r[0],
        source_id=r[1],
        etag=r[2],
        last_modified=r[3],
        last_success_at=_dt_opt(r[4]),
        last_attempt_at=_dt_opt(r[5]),
        last_outcome=r[6],
        last_error=r[7],
        consecutive_failures=int(r[8]),
        next_due_at=_dt_opt(r[9]),
        lease_owner=r[10],
        lease_until=_dt_opt(r[11]),
    )


_NOT_PROBE_LEASE = f"url NOT LIKE '{PROBE_LEASE_PREFIX}%'"


def probe_lease_key(probe_id: str) -> str:
    """The ``try_claim``/``release`` key that lets one process at a time run a probe."""
    return PROBE_LEASE_PREFIX + probe_id


_PROBE_STATE_COLUMNS = (
    "probe_id, state, since, consecutive_failures, consecutive_successes, last_error, "
    "last_result_at, streak_started_at"
)


def _probe_state_from_row(r: Sequence[Any]) -> ProbeState:
    return ProbeState(
        probe_id=r[0],
        state=r[1],
        since=_dt_opt(r[2]),
        consecutive_failures=int(r[3]),
        consecutive_successes=int(r[4]),
        last_error=r[5],
        last_result_at=_dt_opt(r[6]),
        streak_started_at=_dt_opt(r[7]),
    )


@dataclass(frozen=True, slots=True)
class _ProbeWrite:
    probe_id: str
    result: ProbeResult
    state: ProbeState

    def apply(self, c: sqlite3.Connection) -> bool:
        at = _ts(self.result.at)
        c.execute(
            """INSERT INTO probe_results (probe_id, at, ok, latency_ms, error)
               VALUES (?, ?, ?, ?, ?)""",
            (self.probe_id, at, int(self.result.ok), self.result.latency_ms, self.result.error),
        )
        old = c.execute(
            "SELECT state, last_result_at FROM probe_state WHERE probe_id = ?", (self.probe_id,)
        ).fetchone()
        if old is not None and old[1] is not None and old[1] > at:
            return False
        self._write_state(c)
        if self.state.state != "unknown" and (old is None or old[0] != self.state.state):
            self._switch_period(c, at)
        return True

    def _write_state(self, c: sqlite3.Connection) -> None:
        s = self.state
        c.execute(
            f"""INSERT OR REPLACE INTO probe_state ({_PROBE_STATE_COLUMNS})
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
            (
                self.probe_id,
                s.state,
                _ts_opt(s.since),
                s.consecutive_failures,
                s.consecutive_successes,
                s.last_error,
                _ts_opt(s.last_result_at),
                _ts_opt(s.streak_started_at),
            ),
        )

    def _switch_period(self, c: sqlite3.Connection, at: str) -> None:
        started = _ts_opt(self.state.since) or at
        # Never end a period before it began, whatever the clocks say.
        c.execute(
            """UPDATE probe_periods SET ended_at = max(started_at, ?)
               WHERE probe_id = ? AND ended_at IS NULL""",
            (started, self.probe_id),
        )
        c.execute(
            "INSERT INTO probe_periods (probe_id, state, started_at) VALUES (?, ?, ?)",
            (self.probe_id, self.state.state, started),
        )


def _fetch_stats(
    source_id: str,
    recent: list[tuple[str, float | None]],
    error: tuple[str, str | None] | None,
    state: tuple[str | None, str | None, int, str | None],
) -> FetchStats:
    latencies = [lat for _, lat in recent if lat is not None]
    successes = [o for o, _ in recent if o in ("ok", "not_modified")]
    return FetchStats(
        source_id=source_id,
        last_success_at=_dt_opt(state[0]),
        last_attempt_at=_dt_opt(state[1]),
        window=len(recent),
        mean_latency_ms=sum(latencies) / len(latencies) if latencies else None,
        not_modified_share=(
            successes.count("not_modified") / len(successes) if successes else None
        ),
        last_error=None if error is None else error[1],
        last_error_at=None if error is None else _dt(error[0]),
        consecutive_failures=int(state[2]),
        last_note=state[3] or None,
    )


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
        regions=tuple(json.loads(r[5])),
        only_show_if_degraded=bool(r[6]),
    )
    return StoredComponent(r[0], component, _dt(r[7]), _dt(r[8]), _dt(r[9]))


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
        params["since"] = _ts(since)
    if until is not None:
        clauses.append("i.started_at <= :until")
        params["until"] = _ts(until)
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
    return IncidentUpdate(id=u[0], at=_dt(u[1]), status=u[2], text=u[3])


def _incident_from_row(r: Sequence[Any], updates: list[tuple[Any, ...]]) -> StoredIncident:
    # Validated in one call, nested updates included (pydantic parses the ISO text itself):
    # cheaper than model_construct, and the model's guarantees hold even for a hand-edited file.
    fields: dict[str, Any] = {
        "id": r[1],
        "title": r[3],
        "status": r[4],
        "impact": r[5],
        "started_at": r[6],
        "updated_at": r[7],
        "resolved_at": r[8],
        "url": r[10],
        "components": json.loads(r[11]),
        "regions": json.loads(r[12]),
        "updates": [{"id": u[2], "at": u[3], "status": u[4], "text": u[5]} for u in updates],
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
        first_seen_at=_dt(r[15]),
        last_seen_at=_dt(r[16]),
    )


# --------------------------------------------------------------------------------------------
# Writing: sources and fetches


def _ensure_source(
    c: sqlite3.Connection, source_id: str, *, kind: str, url: str, name: str, at: str
) -> None:
    """Auto-register a source the caller never declared, so bookkeeping never fails on it;
    ``upsert_source`` later fills in the real kind, name and interval."""
    c.execute(
        """INSERT OR IGNORE INTO sources (id, kind, url, name, interval_s, enabled, added_at)
           VALUES (?, ?, ?, ?, 300, 1, ?)""",
        (source_id, kind, url, name, at),
    )


@dataclass(frozen=True, slots=True)
class _FetchRecord:
    source_id: str
    url: str
    at: datetime
    outcome: FetchOutcome
    http_status: int | None
    latency_ms: float | None
    bytes: int | None
    etag: str | None
    last_modified: str | None
    error: str | None
    # The poller's bookkeeping after a fetch, folded into the same transaction: one write per
    # fetch instead of three is what keeps a 500-source round cheap.
    next_due_at: datetime | None = None
    release_owner: str | None = None
    note: str | None = None

    def apply(self, c: sqlite3.Connection) -> list[ChangeEvent]:
        at = _ts(self.at)
        _ensure_source(c, self.source_id, kind="unknown", url=self.url, name=self.source_id, at=at)
        c.execute(
            """INSERT INTO fetch_log (source_id, url, at, outcome, http_status, latency_ms,
                                      bytes, etag, last_modified, error, note)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (
                self.source_id,
                self.url,
                at,
                self.outcome,
                self.http_status,
                self.latency_ms,
                self.bytes,
                self.etag,
                self.last_modified,
                self.error,
                self.note,
            ),
        )
        c.execute("INSERT OR IGNORE INTO endpoint_state (url) VALUES (?)", (self.url,))
        previous = c.execute(
            "SELECT last_outcome FROM endpoint_state WHERE url = ?", (self.url,)
        ).fetchone()[0]
        self._update_state(c, at)
        if self.next_due_at is not None:
            c.execute(
                "UPDATE endpoint_state SET next_due_at = ? WHERE url = ?",
                (_ts(self.next_due_at), self.url),
            )
        if self.release_owner is not None:
            c.execute(
                """UPDATE endpoint_state SET lease_owner = NULL, lease_until = NULL
                   WHERE url = ? AND lease_owner = ?""",
                (self.url, self.release_owner),
            )
        return self._events(c, previous)

    def _update_state(self, c: sqlite3.Connection, at: str) -> None:
        common = "source_id = :source_id, last_attempt_at = :at, last_outcome = :outcome"
        params = {
            "source_id": self.source_id,
            "at": at,
            "outcome": self.outcome,
            "url": self.url,
            "etag": self.etag,
            "last_modified": self.last_modified,
            "error": self.error,
            "note": self.note,
        }
        if self.outcome == "ok":
            # A 200 replaces the validators, even with none: the server may have dropped them.
            sets = f"""{common}, last_success_at = :at, etag = :etag,
                       last_modified = :last_modified, last_error = NULL,
                       consecutive_failures = 0, last_note = :note"""
        elif self.outcome == "not_modified":
            # A 304 may refresh the validators; without them the old ones still hold.
            sets = f"""{common}, last_success_at = :at, etag = coalesce(:etag, etag),
                       last_modified = coalesce(:last_modified, last_modified),
                       last_error = NULL, consecutive_failures = 0"""
        else:
            sets = f"""{common}, last_error = :error,
                       consecutive_failures = consecutive_failures + 1"""
        c.execute(f"UPDATE endpoint_state SET {sets} WHERE url = :url", params)

    def _events(self, c: sqlite3.Connection, previous: str | None) -> list[ChangeEvent]:
        kind: Literal["source_failing", "source_drifted", "source_recovered"] | None = None
        if self.outcome == "error" and previous != "error":
            kind = "source_failing"
        elif self.outcome == "drifted" and previous != "drifted":
            kind = "source_drifted"
        elif self.outcome in ("ok", "not_modified") and previous in ("error", "drifted"):
            kind = "source_recovered"
        if kind is None:
            return []
        name = c.execute("SELECT name FROM sources WHERE id = ?", (self.source_id,)).fetchone()
        return [
            ChangeEvent(
                kind=kind,
                source_id=self.source_id,
                at=self.at,
                title=name[0] if name else self.source_id,
                old_status=previous,
                new_status=self.outcome,
                detail=self.url if kind == "source_recovered" else (self.error or ""),
            )
        ]


# --------------------------------------------------------------------------------------------
# Writing: ingest


class _CompRow(NamedTuple):
    name: str
    grp: str | None
    status: str
    regions: str
    only_show_if_degraded: int
    status_since: str
    updated_at: str
    first_seen_at: str


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


_INCIDENT_UPSERT = """
INSERT INTO incidents (source_id, incident_id, is_maintenance, title, status, impact, started_at,
    updated_at, resolved_at, resolution_inferred, url, components, regions, scheduled_for,
    scheduled_until, first_seen_at, last_seen_at, time_note)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT(source_id, incident_id) DO UPDATE SET
    is_maintenance = excluded.is_maintenance, title = excluded.title, status = excluded.status,
    impact = excluded.impact, started_at = excluded.started_at, updated_at = excluded.updated_at,
    resolved_at = excluded.resolved_at, resolution_inferred = excluded.resolution_inferred,
    url = excluded.url, components = excluded.components, regions = excluded.regions,
    scheduled_for = excluded.scheduled_for, scheduled_until = excluded.scheduled_until,
    last_seen_at = excluded.last_seen_at, time_note = excluded.time_note
"""

# Updates are append-only; an edited body (same id) replaces the stored one, silently.
_UPDATE_UPSERT = """
INSERT INTO updates (source_id, incident_id, update_id, at, status, text) VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT(source_id, incident_id, update_id) DO UPDATE SET
    at = excluded.at, status = excluded.status, text = excluded.text
WHERE updates.at IS NOT excluded.at OR updates.status IS NOT excluded.status
   OR updates.text IS NOT excluded.text
"""

_COMPONENT_UPSERT = """
INSERT INTO components (source_id, component_id, name, grp, status, regions,
    only_show_if_degraded, status_since, updated_at, first_seen_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT(source_id, component_id) DO UPDATE SET
    name = excluded.name, grp = excluded.grp, status = excluded.status,
    regions = excluded.regions, only_show_if_degraded = excluded.only_show_if_degraded,
    status_since = excluded.status_since, updated_at = excluded.updated_at, retired_at = NULL
"""


class _Ingest:
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
        self.now = _ts(fetched_at)
        self.lists_only_current = lists_only_current
        self.first_ingest_at: str | None = None
        self.events: list[ChangeEvent] = []

    def run(self, snapshot: Snapshot) -> list[ChangeEvent]:
        self._prepare_source(snapshot)
        self._components(snapshot)
        self._incidents(snapshot)
        self._mark_ingested()
        # Stable: for equal times, update events stay before the incident-level event.
        return sorted(self.events, key=lambda e: e.at)

    # ---- source ---------------------------------------------------------------------------

    def _prepare_source(self, snapshot: Snapshot) -> None:
        _ensure_source(
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

    def _mark_ingested(self) -> None:
        self.c.execute(
            """UPDATE sources SET first_ingest_at = coalesce(first_ingest_at, :now),
                                  last_ingest_at = max(coalesce(last_ingest_at, ''), :now)
               WHERE id = :id""",
            {"now": self.now, "id": self.source_id},
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
            regions=_json_list(component.regions),
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

    # ---- incidents -------------------------------------------------------------------------

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
            known_updates = self._load_update_ids([i for i in latest if i in stored])
            self._write_incidents(latest, stored, known_updates)
        if self.lists_only_current:
            self._infer_resolutions(set(latest))

    def _load_incidents(self, ids: Sequence[str]) -> dict[str, _IncRow]:
        stored: dict[str, _IncRow] = {}
        for chunk in _chunks(ids):
            for r in self.c.execute(
                f"""SELECT incident_id, is_maintenance, title, status, impact, started_at,
                           updated_at, resolved_at, resolution_inferred, url, components, regions,
                           scheduled_for, scheduled_until, first_seen_at, last_seen_at, time_note
                    FROM incidents WHERE source_id = ? AND incident_id IN ({_marks(len(chunk))})""",
                (self.source_id, *chunk),
            ):
                stored[r[0]] = _IncRow(*r[1:])
        return stored

    def _load_update_ids(self, ids: Sequence[str]) -> dict[str, set[str]]:
        known: dict[str, set[str]] = {}
        for chunk in _chunks(ids):
            for incident_id, update_id in self.c.execute(
                f"""SELECT incident_id, update_id FROM updates
                    WHERE source_id = ? AND incident_id IN ({_marks(len(chunk))})""",
                (self.source_id, *chunk),
            ):
                known.setdefault(incident_id, set()).add(update_id)
        return known

    def _write_incidents(
        self,
        latest: dict[str, tuple[Incident, bool]],
        stored: dict[str, _IncRow],
        known_updates: dict[str, set[str]],
    ) -> None:
        incident_rows: list[tuple[Any, ...]] = []
        update_rows: list[tuple[Any, ...]] = []
        for incident_id, (incident, is_maintenance) in latest.items():
            old = stored.get(incident_id)
            # Update events first: with equal times the news reads "update", then "resolved".
            self._collect_updates(incident, old, known_updates.get(incident_id, set()), update_rows)
            row = self._merge_incident(incident, is_maintenance, old)
            if row != old:
                incident_rows.append((self.source_id, incident_id, *row))
        self.c.executemany(_INCIDENT_UPSERT, incident_rows)
        self.c.executemany(_UPDATE_UPSERT, update_rows)

    def _fresh_row(self, incident: Incident, is_maintenance: bool, old: _IncRow | None) -> _IncRow:
        scheduled_for = scheduled_until = None
        if isinstance(incident, Maintenance):
            scheduled_for = _ts_opt(incident.scheduled_for)
            scheduled_until = _ts_opt(incident.scheduled_until)
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
            started_at=_ts(incident.started_at),
            updated_at=_ts(incident.updated_at),
            resolved_at=_ts_opt(incident.resolved_at),
            resolution_inferred=0,
            url=incident.url,
            components=_json_list(incident.components),
            regions=_json_list(incident.regions),
            scheduled_for=scheduled_for,
            scheduled_until=scheduled_until,
            first_seen_at=self.now if old is None else old.first_seen_at,
            last_seen_at=self.now if old is None else max(old.last_seen_at, self.now),
            time_note=incident.time_note,
        )

    def _merge_incident(
        self, incident: Incident, is_maintenance: bool, old: _IncRow | None
    ) -> _IncRow:
        fresh = self._fresh_row(incident, is_maintenance, old)
        if old is None:
            self._new_incident_event(incident, fresh)
            return fresh
        kept = old._replace(last_seen_at=fresh.last_seen_at)
        was_open, now_open = old.resolved_at is None, fresh.resolved_at is None
        if old.resolution_inferred and not now_open:
            # The source's own resolution time replaces the guess; the event was already sent.
            if fresh.updated_at >= old.updated_at:
                return fresh
            return kept._replace(resolved_at=fresh.resolved_at, resolution_inferred=0)
        if not was_open and now_open:
            reappeared = bool(old.resolution_inferred) and self.lists_only_current
            if fresh.updated_at > old.updated_at or reappeared:
                self._incident_event("incident_opened", incident, old, detail="reopened")
                return fresh
            return kept  # an older (cached) view of a since-resolved incident
        if fresh.updated_at < old.updated_at:
            return kept  # an older view: never let it overwrite newer knowledge
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
        known: set[str],
        rows: list[tuple[Any, ...]],
    ) -> None:
        # Oldest first, so rowid order matches publication order for equal timestamps.
        for update in reversed(incident.updates):
            rows.append(
                (self.source_id, incident.id, update.id, _ts(update.at), update.status, update.text)
            )
            if update.id in known:
                continue
            known.add(update.id)
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
