"""Opening a store file: what is checked before it is touched, a corrupt file moved aside for a
fresh store, and opening read-only.  ``StoreCore.open`` and ``StoreCore.check_integrity`` are the
entry points (documented there); ``core`` keeps connections and transactions.

The one check that reads the whole file, ``PRAGMA quick_check``, may run at open (the default)
or later through ``check_integrity`` (``open(check=False)``: a screen that wants its first frame
from the store does not wait 30 ms for a 36 MiB file).  Either way a corrupt store meets the same
fate: moved aside and replaced by a fresh one, or refused when it may not be moved.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from watchtui.store import schema
from watchtui.store.errors import CorruptStore, StoreError, corrupt_read_only, is_corrupt
from watchtui.store.files import (
    carries_store_header,
    check_readable,
    check_sqlite,
    in_wal_mode,
    move_aside,
    not_a_store,
    prepare_directory,
    prepare_file,
)

if TYPE_CHECKING:
    from watchtui.store.core import StoreCore

_S = TypeVar("_S", bound="StoreCore")


def open_writable(
    cls: type[_S], path: Path, busy_timeout: float, explicit: bool, check: bool
) -> _S:
    prepare_directory(path.parent, explicit=explicit)
    prepare_file(path, explicit=explicit)
    if explicit:
        check_sqlite(path)
    store = cls(path, busy_timeout, explicit=explicit)
    try:
        try:
            store._initialise(check)
        except CorruptStore:
            start_afresh(store)
    except BaseException:
        store.close()
        raise
    return store


def open_read_only(cls: type[_S], path: Path, busy_timeout: float, check: bool) -> _S:
    check_readable(path)
    check_sqlite(path)
    store = cls(path, busy_timeout, readonly=True)
    # A WAL store is read through its -wal and -shm files, which exist while anyone has it
    # open.  Without them SQLite would create them, owned by this user (and perhaps not
    # writable by the store's owner), or fail where this user may not write the directory.
    # Then the main file holds every commit (the last writer to close checkpointed it):
    # read it as immutable until a writer appears (``_follow_writer``).
    store._immutable = in_wal_mode(path) and not store._wal().exists()
    try:
        store._initialise(check)
    except CorruptStore as exc:
        store.close()
        if not carries_store_header(path):
            raise not_a_store(path) from exc
        raise corrupt_read_only(path) from exc
    except BaseException:
        store.close()
        raise
    return store


def check_file(store: StoreCore, conn: sqlite3.Connection, check: bool) -> None:
    """Reject files that are not ours or not healthy before touching them (``check``: with the
    whole-file ``quick_check``)."""
    conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    if check:
        quick_check(store, conn)
    app_id = conn.execute("PRAGMA application_id").fetchone()[0]
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
    if app_id not in (0, schema.APPLICATION_ID) or (app_id == 0 and version == 0 and tables):
        raise StoreError(
            f"{store.path} is a SQLite database that watchtui did not create; refusing to "
            "touch it (choose another history file)",
            store.path,
        )


def quick_check(store: StoreCore, conn: sqlite3.Connection) -> None:
    result = conn.execute("PRAGMA quick_check(1)").fetchone()
    if result is None or result[0] != "ok":
        raise CorruptStore(str(result[0] if result else "quick_check returned nothing"))
    store.integrity_checked = True


def check_integrity(store: StoreCore) -> Path | None:
    """``StoreCore.check_integrity`` of a store opened without the check."""
    try:
        # A connection of its own, with a small cache, closed at once: reading the whole file
        # through a thread's connection would leave it holding 2 MiB of pages nobody needs.
        conn = store._connect()
        try:
            conn.execute("PRAGMA cache_size = -256")
            quick_check(store, conn)
        finally:
            conn.close()
        return None
    except sqlite3.Error as exc:
        if not is_corrupt(exc):
            raise store._error(exc) from exc
    except CorruptStore:
        pass
    # Checked: a store that may not be moved is refused once, not at every call.
    store.integrity_checked = True
    if store.readonly:
        raise corrupt_read_only(store.path)
    return start_afresh(store)


def start_afresh(store: StoreCore) -> Path:
    """Move the corrupt file aside and create a new store at its path, in the same object (every
    thread reconnects to the new file on its next query)."""
    if store._explicit and not carries_store_header(store.path):
        # Only watchtui's own default file is ours whatever it holds; a named file may be
        # anything the user has (a typo in --db must not rename their notes).
        raise not_a_store(store.path) from None
    with store._replacing:
        store._disconnect(optimize=False)
        aside = move_aside(store.path, datetime.now(UTC))
        prepare_file(store.path, explicit=store._explicit)
        store._initialise()
        store.recovered_from = aside
    return aside
