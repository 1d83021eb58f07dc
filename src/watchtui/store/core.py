"""The store's foundation: opening the file, connections, transactions and change notification.

Every other part of ``Store`` is a mixin over ``StoreCore`` that talks to SQLite only through
``_read`` and ``_write``:

* each thread gets its own connection (WAL lets readers proceed while one writer writes);
* ``_write`` runs one short ``BEGIN IMMEDIATE`` transaction, retried while another process holds
  the write lock;
* ``_read`` runs one read transaction, or joins the one ``reading()`` holds on this thread;
* a raw ``sqlite3`` error never escapes: it becomes a ``StoreError``.

A store this process cannot write (a viewer of a shared collector's store) is opened read-only:
``mode=ro`` connections, no write lock, no migration, nothing created or chmod'ed, and every
write raises ``StoreError``.  See ``open``.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import TracebackType
from typing import Self, TypeVar

from watchtui.store import opening, schema
from watchtui.store.errors import (
    CorruptStore,
    StoreError,
    describe,
    is_busy,
    is_corrupt,
    newer_schema,
    not_upgradable,
    read_only,
)
from watchtui.store.files import cannot_write
from watchtui.store.handles import Handle

_BUSY_ATTEMPTS = 3
_BUSY_BACKOFF_S = 0.05

_T = TypeVar("_T")


class _PerThread(threading.local):
    # Class-level defaults: a missing attribute on a plain threading.local costs an exception
    # per lookup, and ``_read`` looks ``snapshot`` up on every query.
    conn: Handle | None = None
    # The connection whose read transaction ``reading()`` holds on this thread.
    snapshot: sqlite3.Connection | None = None
    # The store's ``_generation`` when ``conn`` was opened (an older one was opened immutable).
    generation: int = 0


class StoreCore:
    """Connections and transactions of one store file; see ``Store`` for the whole API."""

    def __init__(
        self, path: Path, busy_timeout: float, *, readonly: bool = False, explicit: bool = False
    ) -> None:
        self.path = path
        self.busy_timeout = busy_timeout
        # True when this process may only read the file: see ``open``.
        self.readonly = readonly
        self._explicit = explicit
        # Whether the whole-file ``PRAGMA quick_check`` has run (see ``check_integrity``).
        self.integrity_checked = False
        self._integrity_lock = threading.Lock()
        # Read-only and reading the main file as immutable, because nobody had the WAL store open
        # (no -wal/-shm to read through): see ``opening.open_read_only``.
        self._immutable = False
        # Bumped when immutable reading ends, so every thread reconnects normally.
        self._generation = 0
        # Set when open() found a corrupt file and moved it here before starting afresh.
        self.recovered_from: Path | None = None
        self._local = _PerThread()
        self._lock = threading.Lock()
        # Held while a corrupt file is replaced (see ``opening.start_afresh``): a thread wanting
        # a new connection meanwhile would open the file about to be moved aside.  Taken before
        # ``_lock`` when both are needed.
        self._replacing = threading.RLock()
        self._connections: dict[threading.Thread, Handle] = {}
        self._watch: sqlite3.Connection | None = None
        self._pid = os.getpid()
        self._closed = False
        self._read_count = 0
        self._write_count = 0
        self._count_lock = threading.Lock()

    # ---- opening ------------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        path: Path | str,
        *,
        busy_timeout: float = 5.0,
        explicit: bool = False,
        readonly: bool | None = None,
        check: bool = True,
    ) -> Self:
        """Open (creating, migrating or recovering as needed) the store at ``path``.

        ``explicit``: the user named the path (``--db`` / ``WATCHTUI_DB``) instead of using the
        default location.  Its directory must then exist, a new file follows the umask (see
        ``files``), and only a file whose header says watchtui made it is ever moved aside.

        ``readonly``: by default, read-only exactly when the file exists and this process may
        not write it or its directory; ``True`` forces it.  A read-only store creates, migrates,
        chmods and moves nothing, and refuses (one line) a store it cannot read as it is.

        Raises ``StoreError`` when the file cannot be used (read-only location, disk full, a
        database from a newer watchtui, a foreign SQLite database, a named file that is not a
        watchtui store).  A corrupt store (at the default location: any file that is not a
        healthy SQLite database) is renamed to ``<name>.corrupt-<UTC timestamp>`` and a fresh
        store is created; ``recovered_from`` then names the renamed file.

        ``check=False`` leaves out the one step that reads the whole file (``PRAGMA
        quick_check``: 30 ms for 36 MiB) for ``check_integrity`` to run later, e.g. once the
        first screen is up; the header, the owner and the schema are still checked here.
        """
        path = Path(path)
        if readonly is None:
            readonly = cannot_write(path)
        if readonly:
            return opening.open_read_only(cls, path, busy_timeout, check)
        return opening.open_writable(cls, path, busy_timeout, explicit, check)

    def _initialise(self, check: bool = True) -> None:
        try:
            with self._using() as conn:
                opening.check_file(self, conn, check)
                if not self.readonly:
                    # Some filesystems refuse WAL; SQLite then keeps its rollback journal, which
                    # is still correct, only less concurrent.
                    conn.execute("PRAGMA journal_mode=WAL").fetchone()
        except sqlite3.Error as exc:
            if is_corrupt(exc):
                raise CorruptStore(str(exc)) from exc
            raise self._error(exc) from exc
        if self.readonly:
            self._check_readable_version()
        else:
            self._run_migrations()

    def check_integrity(self) -> Path | None:
        """The ``PRAGMA quick_check`` that ``open(check=False)`` left out; nothing when it ran.

        None when the file is healthy.  A corrupt store is then handled as ``open`` handles one:
        moved aside and a fresh store started in its place, whose new name is returned (and kept
        in ``recovered_from``); ``StoreError`` when it may not be moved (read-only, or a file
        named by ``--db`` that watchtui did not make).  Other threads' queries meanwhile fail
        with a ``StoreError``; their next one reads the fresh store.  Callers in several threads
        wait for one check.
        """
        with self._integrity_lock:
            return None if self.integrity_checked else opening.check_integrity(self)

    def _run_migrations(self) -> None:
        target = len(schema.MIGRATIONS)
        # Nearly every open finds the store current: find that out in a read transaction, so
        # opening neither waits for nor blocks another process's writes.
        version = self.user_version()
        if version > target:
            raise newer_schema(self.path, version, target)
        if version == target:
            return
        while True:
            done = self._write(lambda conn: self._migrate_once(conn, target))
            if done:
                return

    def _check_readable_version(self) -> None:
        target = len(schema.MIGRATIONS)
        version = self.user_version()
        if version > target:
            raise newer_schema(self.path, version, target)
        if version < target:
            raise not_upgradable(self.path, version, target)

    def _migrate_once(self, conn: sqlite3.Connection, target: int) -> bool:
        # Read inside the write transaction: another process may have migrated meanwhile.
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if version > target:
            raise newer_schema(self.path, version, target)
        if version == target:
            return True
        schema.MIGRATIONS[version](conn)
        conn.execute(f"PRAGMA user_version = {version + 1}")
        return False

    # ---- connections ----------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        target, uri = (self._read_only_uri(), True) if self.readonly else (str(self.path), False)
        conn = sqlite3.connect(
            target,
            timeout=self.busy_timeout,
            isolation_level=None,
            check_same_thread=False,
            uri=uri,
        )
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA synchronous = NORMAL")
        # Each thread has a connection (the UI's first read, the books, the digest, workers), and
        # SQLite's default 2 MiB page cache each was 8 MiB of a watch screen's memory for reads
        # that the OS page cache serves as well: an overview reads a few hundred pages.
        conn.execute("PRAGMA cache_size = -512")
        conn.execute("PRAGMA trusted_schema = OFF")
        conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout * 1000)}")
        return conn

    def _read_only_uri(self) -> str:
        # mode=ro: no write lock ever, and an existing -shm is opened read-only.
        uri = Path(os.path.abspath(self.path)).as_uri() + "?mode=ro"
        return uri + "&immutable=1" if self._immutable else uri

    def _wal(self) -> Path:
        return self.path.with_name(self.path.name + "-wal")

    def _conn(self) -> Handle:
        if self._closed:
            raise StoreError(f"the history store {self.path} is closed", self.path)
        self._forget_parent_connections()
        if self._immutable:
            self._follow_writer()
        handle = self._local.conn
        if handle is not None:
            if self._local.generation == self._generation and not handle.closed:
                return handle
            # Opened immutable before a writer appeared, or the file was replaced: reconnect.
            with self._lock:
                if self._connections.get(threading.current_thread()) is handle:
                    del self._connections[threading.current_thread()]
            handle.close()
        with self._replacing:
            if self._closed:
                raise StoreError(f"the history store {self.path} is closed", self.path)
            handle = Handle(self._connect())
            with self._lock:
                self._sweep_dead_threads()
                self._connections[threading.current_thread()] = handle
                self._local.generation = self._generation
        self._local.conn = handle
        return handle

    def _hold(self) -> Handle:
        """This thread's connection, its guard held (release it when done)."""
        while True:
            handle = self._conn()
            handle.guard.acquire()
            if not handle.closed:
                return handle
            # Closed by ``close`` or a recovery between the lookup and the guard: look again
            # (a new connection, or the closed store's error).
            handle.guard.release()

    @contextlib.contextmanager
    def _using(self) -> Iterator[sqlite3.Connection]:
        handle = self._hold()
        try:
            yield handle.conn
        finally:
            handle.guard.release()

    def _follow_writer(self) -> None:
        """End immutable reading once a writer has the store open (its -wal exists): ordinary
        read-only connections then work, and the writer's first checkpoint would change the
        main file under an immutable one."""
        if not self._wal().exists():
            return
        with self._lock:
            self._leave_immutable_locked()

    def _leave_immutable_locked(self) -> None:
        if self._immutable:
            self._immutable = False
            self._generation += 1
            if self._watch is not None:
                self._watch.close()
                self._watch = None

    def _forget_parent_connections(self) -> None:
        if os.getpid() != self._pid:
            # A forked child must not use (or close) its parent's SQLite handles.
            self._local = _PerThread()
            self._connections = {}
            self._watch = None
            self._pid = os.getpid()

    def _sweep_dead_threads(self) -> None:
        for thread in [t for t in self._connections if not t.is_alive()]:
            self._connections.pop(thread).close(wait=False)

    def _error(self, exc: sqlite3.Error) -> StoreError:
        return StoreError(describe(exc, self.path, _BUSY_ATTEMPTS), self.path)

    # ---- transactions -----------------------------------------------------------------------

    def _write(self, action: Callable[[sqlite3.Connection], _T]) -> _T:
        """Run ``action`` in one BEGIN IMMEDIATE transaction, retrying while the file is busy."""
        if self.readonly:
            raise read_only(self.path)
        if self._snapshot() is not None:
            # The block's connection holds a read transaction that a write would have to upgrade
            # (failing if the file moved on) and the block's ROLLBACK would then undo.
            raise RuntimeError("the history store cannot write inside Store.reading()")
        for attempt in range(_BUSY_ATTEMPTS):
            try:
                with self._using() as conn:
                    conn.execute("BEGIN IMMEDIATE")
                    with self._count_lock:
                        self._write_count += 1
                    try:
                        result = action(conn)
                        conn.execute("COMMIT")
                    except BaseException:
                        self._rollback(conn)
                        raise
                    return result
            except sqlite3.Error as exc:
                if is_busy(exc) and attempt + 1 < _BUSY_ATTEMPTS:
                    time.sleep(_BUSY_BACKOFF_S * (attempt + 1))
                    continue
                raise self._error(exc) from exc
        raise AssertionError("unreachable")  # pragma: no cover

    def _read(self, action: Callable[[sqlite3.Connection], _T]) -> _T:
        """Run ``action`` in one read transaction, so multi-query results are consistent; inside
        ``reading()`` on this thread, in the block's transaction instead."""
        pinned = self._snapshot()
        if pinned is not None:
            try:
                return action(pinned)
            except sqlite3.Error as exc:
                raise self._error(exc) from exc
        for attempt in range(_BUSY_ATTEMPTS):
            try:
                with self._using() as conn:
                    self._begin_read(conn)
                    try:
                        return action(conn)
                    finally:
                        self._rollback(conn)
            except sqlite3.Error as exc:
                if is_busy(exc) and attempt + 1 < _BUSY_ATTEMPTS:
                    time.sleep(_BUSY_BACKOFF_S * (attempt + 1))
                    continue
                raise self._error(exc) from exc
        raise AssertionError("unreachable")  # pragma: no cover

    @contextlib.contextmanager
    def reading(self) -> Iterator[None]:
        """Hold one read transaction for the block: every query this thread makes inside it sees
        the same snapshot of the database, as of entering the block, whatever other threads and
        processes commit meanwhile.

        Nested blocks join the outer one.  Other threads are unaffected (they keep their own
        transactions).  Writing from this thread inside the block raises ``RuntimeError``.  Keep
        blocks short: WAL cannot checkpoint past a snapshot still held.
        """
        if self._snapshot() is not None:
            yield
            return
        # The guard stays held for the block, so nobody closes the connection under it.
        handle = self._pin_snapshot()
        self._local.snapshot = handle.conn
        try:
            yield
        finally:
            self._local.snapshot = None
            try:
                # Closed meanwhile by this thread (``close`` inside the block): nothing to undo.
                with contextlib.suppress(sqlite3.Error):
                    self._rollback(handle.conn)
            finally:
                handle.guard.release()

    @property
    def read_transactions(self) -> int:
        """Read transactions started so far, by every thread: one per query outside
        ``reading()``, one per outermost ``reading()`` block however many queries it runs."""
        return self._read_count

    @property
    def write_transactions(self) -> int:
        """Write transactions begun so far, by every thread (committed or not)."""
        return self._write_count

    def _snapshot(self) -> sqlite3.Connection | None:
        return self._local.snapshot

    def _begin_read(self, conn: sqlite3.Connection) -> None:
        conn.execute("BEGIN")
        with self._count_lock:
            self._read_count += 1

    def _pin_snapshot(self) -> Handle:
        """Begin the block's read transaction; returns with the handle's guard held."""
        for attempt in range(_BUSY_ATTEMPTS):
            handle = self._hold()
            conn = handle.conn
            try:
                self._begin_read(conn)
                # A deferred BEGIN takes its snapshot at the first read, not at BEGIN: read now,
                # so the block sees the database as of its start rather than its first query.
                conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()
                return handle
            except sqlite3.Error as exc:
                self._rollback(conn)
                handle.guard.release()
                if is_busy(exc) and attempt + 1 < _BUSY_ATTEMPTS:
                    time.sleep(_BUSY_BACKOFF_S * (attempt + 1))
                    continue
                raise self._error(exc) from exc
        raise AssertionError("unreachable")  # pragma: no cover

    @staticmethod
    def _rollback(conn: sqlite3.Connection) -> None:
        if conn.in_transaction:
            # SQLite may already have rolled back (e.g. after SQLITE_FULL): nothing left to undo.
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")

    # ---- closing --------------------------------------------------------------------------

    def close(self) -> None:
        # Closed first: a thread whose connection is closed below then gets the closed store's
        # error instead of opening (and leaving open) a new one.
        with self._replacing:
            self._closed = True
        self._disconnect(optimize=not self.readonly)

    def _disconnect(self, *, optimize: bool) -> None:
        """Close every thread's connection; each thread opens a new one on its next query.

        Waits for statements and ``reading()`` blocks other threads are running to finish."""
        with self._lock:
            handles = list(self._connections.values())
            self._connections.clear()
            if self._watch is not None:
                self._watch.close()
                self._watch = None
            # A new generation keeps ``data_version`` moving past the old watch connection's.
            self._generation += 1
        # Outside ``_lock``: a thread holding its guard may need ``_lock`` before it lets go.
        for handle in handles:
            handle.close(optimize=optimize)

    def __enter__(self) -> Self:
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
        whichever thread it is called.  An immutable read-only store (see
        ``opening.open_read_only``) moves it once, when a writer appears.
        """
        with self._replacing, self._lock:
            if self._closed:
                raise StoreError(f"the history store {self.path} is closed", self.path)
            self._forget_parent_connections()
            if self._immutable and self._wal().exists():
                self._leave_immutable_locked()
            try:
                if self._watch is None:
                    self._watch = self._connect()
                version = int(self._watch.execute("PRAGMA data_version").fetchone()[0])
            except sqlite3.Error as exc:
                raise self._error(exc) from exc
            # A new watch connection counts from scratch; the generation keeps the number moving.
            return version + (self._generation << 32)

    def user_version(self) -> int:
        return self._read(lambda c: int(c.execute("PRAGMA user_version").fetchone()[0]))
