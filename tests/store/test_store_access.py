"""Who may do what with the store file: modes, named paths versus the default location, and
read-only opening.

These run as whoever runs the suite (root in CI, where permission bits do not bind), so
read-only opening is forced here with ``readonly=True``; tests/deploy/test_shared_host.py proves
the automatic choice with real users.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from watchtui.domain.model import Incident, Snapshot
from watchtui.store import Store, StoreError
from watchtui.store import schema as store_schema

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def snap(*ids: str) -> Snapshot:
    return Snapshot(
        kind="statuspage",
        page_name="Example",
        page_url="https://status.example.com",
        incidents=tuple(
            Incident(
                id=i,
                title=f"Incident {i}",
                status="investigating",
                impact="minor",
                started_at=T0,
                updated_at=T0,
            )
            for i in ids
        ),
    )


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def companions(path: Path) -> tuple[Path, Path]:
    return path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")


@pytest.fixture
def umask() -> Iterator[None]:
    old = os.umask(0o022)
    yield
    os.umask(old)


@pytest.fixture
def filled(tmp_path: Path) -> Path:
    path = tmp_path / "history.db"
    with Store.open(path) as store:
        store.ingest("gh", snap("i1"), T0, lists_only_current=False)
    return path


@pytest.fixture
def damaged(filled: Path) -> Path:
    """A watchtui store cut to a third: its header intact, its pages gone."""
    with Store.open(filled) as store:
        for n in range(40):
            many = snap(*(f"n{n}-{k}" for k in range(20)))
            store.ingest("gh", many, T0, lists_only_current=False)
    size = filled.stat().st_size
    assert size > 3 * 4096
    with open(filled, "r+b") as handle:
        handle.truncate(size // 3)
    return filled


# ---- modes ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mask", "expected"),
    [(0o027, 0o640), (0o022, 0o644), (0o077, 0o600), (0o277, 0o600)],
    ids=["027", "022", "077", "277"],
)
def test_a_named_store_follows_the_umask(
    tmp_path: Path, umask: None, mask: int, expected: int
) -> None:
    path = tmp_path / "history.db"
    os.umask(mask)
    with Store.open(path, explicit=True) as store:
        store.ingest("gh", snap("i1"), T0, lists_only_current=False)
        # SQLite gives -wal and -shm the database file's mode; 0277 still leaves the owner rw.
        assert [mode(p) for p in (path, *companions(path))] == [expected] * 3


def test_the_default_store_stays_private_under_a_group_umask(tmp_path: Path, umask: None) -> None:
    path = tmp_path / "state" / "history.db"
    os.umask(0o027)
    with Store.open(path) as store:
        store.ingest("gh", snap("i1"), T0, lists_only_current=False)
        assert [mode(p) for p in (path, *companions(path))] == [0o600] * 3
    assert mode(path.parent) == 0o700


@pytest.mark.parametrize("explicit", [False, True], ids=["default", "named"])
@pytest.mark.parametrize("wider", [0o640, 0o644, 0o660])
def test_opening_never_changes_an_existing_mode(tmp_path: Path, explicit: bool, wider: int) -> None:
    path = tmp_path / "state" / "history.db"
    Store.open(path).close()
    path.chmod(wider)
    path.parent.chmod(0o750)
    with Store.open(path, explicit=explicit) as store:
        store.ingest("gh", snap("i1"), T0, lists_only_current=False)
        assert mode(companions(path)[0]) == wider
    assert (mode(path), mode(path.parent)) == (wider, 0o750)


# ---- a named path versus the default location ----------------------------------------------


def test_a_named_path_in_a_missing_directory_is_refused_and_nothing_created(
    tmp_path: Path,
) -> None:
    with pytest.raises(StoreError, match=r"directory .*missing.* does not exist"):
        Store.open(tmp_path / "missing" / "history.db", explicit=True)
    assert list(tmp_path.iterdir()) == []


def test_the_default_location_creates_its_directories(tmp_path: Path) -> None:
    path = tmp_path / "state" / "watchtui" / "history.db"
    Store.open(path).close()
    assert path.is_file()


def _real_store_truncated_into_its_header(path: Path) -> None:
    with Store.open(path) as store:
        store.ingest("gh", snap("i1"), T0, lists_only_current=False)
    with open(path, "r+b") as handle:
        handle.truncate(50)


NOT_STORES = {
    "text": lambda p: p.write_text("my notes\n" * 200),
    "garbage": lambda p: p.write_bytes(b"\x00\xff garbage" * 100),
    "sqlite header without watchtui's id": lambda p: p.write_bytes(
        b"SQLite format 3\x00" + b"\xff" * 200
    ),
    "a store cut inside its header": _real_store_truncated_into_its_header,
}


@pytest.mark.parametrize("kind", list(NOT_STORES))
def test_a_named_file_that_is_not_a_store_is_refused_untouched(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "notes.txt"
    NOT_STORES[kind](path)
    before = path.read_bytes()
    with pytest.raises(StoreError, match="is not a watchtui history store; refusing to touch it"):
        Store.open(path, explicit=True)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


@pytest.mark.parametrize("kind", list(NOT_STORES))
def test_the_default_location_moves_any_unreadable_file_aside(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "history.db"
    NOT_STORES[kind](path)
    before = path.read_bytes()
    with Store.open(path) as store:
        assert store.recovered_from is not None
        assert store.recovered_from.read_bytes() == before


def test_a_named_damaged_watchtui_store_is_moved_aside(damaged: Path) -> None:
    content = damaged.read_bytes()
    with Store.open(damaged, explicit=True) as store:
        assert store.recovered_from is not None
        assert store.recovered_from.read_bytes() == content
        assert store.incidents() == []


def test_a_named_foreign_sqlite_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "app.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE mine (x)")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="did not create"):
        Store.open(path, explicit=True)


# ---- opening without a write lock ------------------------------------------------------------


@pytest.mark.parametrize("readonly", [False, True], ids=["writer", "reader"])
def test_opening_a_current_store_does_not_wait_for_the_write_lock(
    filled: Path, readonly: bool
) -> None:
    """A collector mid-write must not make every other open wait (or fail) for the lock."""
    holder = sqlite3.connect(filled, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with Store.open(filled, busy_timeout=0.05, readonly=readonly) as store:
            assert [s.incident.id for s in store.incidents()] == ["i1"]
    finally:
        holder.execute("ROLLBACK")
        holder.close()


# ---- read-only ------------------------------------------------------------------------------


def test_a_read_only_store_reads_and_refuses_writes(filled: Path) -> None:
    before = filled.read_bytes()
    with Store.open(filled, readonly=True) as store:
        assert store.readonly
        assert [s.incident.id for s in store.incidents()] == ["i1"]
        with pytest.raises(StoreError, match=r"cannot change the history store .* may only read"):
            store.ingest("gh", snap("i2"), T0, lists_only_current=False)
        with pytest.raises(StoreError, match="may only read"):
            store.prune(T0)
    assert filled.read_bytes() == before


def test_a_writable_store_is_not_read_only(filled: Path) -> None:
    with Store.open(filled) as store:
        assert not store.readonly


def test_a_read_only_store_sees_another_processes_commits(filled: Path) -> None:
    with Store.open(filled) as writer, Store.open(filled, readonly=True) as reader:
        version = reader.data_version()
        writer.ingest("gh", snap("i1", "i2"), T0, lists_only_current=False)
        assert reader.data_version() != version
        assert sorted(s.incident.id for s in reader.incidents()) == ["i1", "i2"]


def test_a_read_only_store_works_from_several_threads(filled: Path) -> None:
    found: list[list[str]] = []
    with Store.open(filled, readonly=True) as store:

        def read() -> None:
            found.append([s.incident.id for s in store.incidents()])

        threads = [threading.Thread(target=read) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert found == [["i1"]] * 4


def test_a_read_only_store_from_a_newer_watchtui_says_so(filled: Path) -> None:
    conn = sqlite3.connect(filled)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    with pytest.raises(StoreError) as raised:
        Store.open(filled, readonly=True)
    message = str(raised.value)
    assert "written by a newer watchtui (schema v99;" in message
    assert "upgrade watchtui to read it" in message
    assert "\n" not in message


def test_a_read_only_store_needing_an_upgrade_says_so_and_is_left_alone(
    filled: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    current = store_schema.schema_version()

    def add_a_table(conn: sqlite3.Connection) -> None:
        conn.execute("CREATE TABLE later (x)")

    monkeypatch.setattr(store_schema, "MIGRATIONS", [*store_schema.MIGRATIONS, add_a_table])
    with pytest.raises(StoreError) as raised:
        Store.open(filled, readonly=True)
    assert f"schema v{current} and this watchtui needs v{current + 1}" in str(raised.value)
    assert "cannot upgrade it" in str(raised.value)
    conn = sqlite3.connect(filled)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == current
    conn.close()
    # Its owner upgrades it on the next open.
    with Store.open(filled) as store:
        assert store.user_version() == current + 1


def test_a_read_only_store_that_was_never_set_up_says_so(tmp_path: Path) -> None:
    path = tmp_path / "history.db"
    path.write_bytes(b"")
    with pytest.raises(StoreError, match="empty: its owner's watchtui has not set it up"):
        Store.open(path, readonly=True)


def test_a_missing_store_cannot_be_opened_read_only(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="there is no history store at"):
        Store.open(tmp_path / "history.db", readonly=True)
    assert list(tmp_path.iterdir()) == []


def test_a_damaged_store_opened_read_only_is_reported_not_moved(damaged: Path) -> None:
    before = sorted(p.name for p in damaged.parent.iterdir())
    with pytest.raises(StoreError, match="corrupt, and this user may only read it"):
        Store.open(damaged, readonly=True)
    assert sorted(p.name for p in damaged.parent.iterdir()) == before


def test_a_text_file_opened_read_only_is_not_a_store(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("my notes\n" * 200)
    with pytest.raises(StoreError, match="is not a watchtui history store"):
        Store.open(path, readonly=True)


def test_a_store_nobody_has_open_is_read_without_creating_anything(filled: Path) -> None:
    """With no -wal/-shm (the last writer closed), reading must not create them: they would be
    this user's files beside another user's store (or impossible in a directory it cannot
    write)."""
    assert sorted(p.name for p in filled.parent.iterdir()) == ["history.db"]
    with Store.open(filled, readonly=True) as store:
        assert [s.incident.id for s in store.incidents()] == ["i1"]
        store.data_version()
        assert sorted(p.name for p in filled.parent.iterdir()) == ["history.db"]
    assert sorted(p.name for p in filled.parent.iterdir()) == ["history.db"]


def test_a_reader_opened_while_nobody_writes_follows_a_writer_that_starts(filled: Path) -> None:
    with Store.open(filled, readonly=True) as reader:
        version = reader.data_version()
        assert [s.incident.id for s in reader.incidents()] == ["i1"]
        with Store.open(filled) as writer:
            writer.ingest("gh", snap("i1", "i2"), T0, lists_only_current=False)
            assert reader.data_version() != version
            assert sorted(s.incident.id for s in reader.incidents()) == ["i1", "i2"]
            seen: list[list[str]] = []
            worker = threading.Thread(
                target=lambda: seen.append(sorted(s.incident.id for s in reader.incidents()))
            )
            worker.start()
            worker.join()
            assert seen == [["i1", "i2"]]
            writer.ingest("gh", snap("i1", "i2", "i3"), T0, lists_only_current=False)
            assert len(reader.incidents()) == 3
