"""The store survives damaged files and schema changes: corrupt, truncated, empty and foreign
files, older and newer schemas, a migration that fails half-way.  (kill -9 is test_kill9.py; a
full disk and a read-only location test_disk.py.)
"""

from __future__ import annotations

import random
import sqlite3
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from tests.reliability.helpers import (
    T0,
    Record,
)
from tests.reliability.workers import (
    CRASH_SOURCE,
    crash_snapshot,
)

from watchtui import cli
from watchtui.config.paths import db_path
from watchtui.store import Store, StoreError, schema_version
from watchtui.store import schema as store_schema

# --- corrupt files ---------------------------------------------------------------------------


def filled_store(path: Path, snapshots: int = 3) -> dict[str, int]:
    with Store.open(path) as store:
        for index in range(snapshots):
            store.ingest(
                CRASH_SOURCE,
                crash_snapshot(index),
                T0 + timedelta(minutes=index),
                lists_only_current=False,
            )
        return store.counts()


def truncate_to(fraction: float) -> Any:
    def damage(path: Path) -> None:
        size = path.stat().st_size
        with open(path, "r+b") as handle:
            handle.truncate(int(size * fraction))

    return damage


def truncate_bytes(size: int) -> Any:
    def damage(path: Path) -> None:
        with open(path, "r+b") as handle:
            handle.truncate(size)

    return damage


def garbage(path: Path) -> None:
    path.write_bytes(random.Random(1).randbytes(path.stat().st_size))


def zero_page(number: int) -> Any:
    def damage(path: Path) -> None:
        with open(path, "r+b") as handle:
            handle.seek(number * 4096)
            handle.write(bytes(4096))

    return damage


# Each damage, and whether the file still carries a watchtui header afterwards.
DAMAGES: dict[str, tuple[Any, bool]] = {
    "truncated to 50%": (truncate_to(0.5), True),
    "truncated to 10%": (truncate_to(0.1), True),
    "truncated to 50 bytes (inside the header)": (truncate_bytes(50), False),
    "truncated to 4096 bytes (first page only)": (truncate_bytes(4096), True),
    "random bytes": (garbage, False),
    "a b-tree page zeroed": (zero_page(3), True),
}


def damaged_store(path: Path, damage: str) -> bytes:
    path.parent.mkdir(parents=True, exist_ok=True)
    filled_store(path)
    DAMAGES[damage][0](path)
    return path.read_bytes()


def asides_of(path: Path) -> list[Path]:
    return [
        a
        for a in path.parent.glob(path.name + ".corrupt-*")
        if not a.name.endswith(("-wal", "-shm"))
    ]


@pytest.mark.parametrize("damage", list(DAMAGES))
def test_damaged_file_is_moved_aside(
    damage: str, record: Record, capsys: pytest.CaptureFixture[str]
) -> None:
    """At the default location the file is watchtui's own whatever it holds: a damaged one is
    kept aside, byte for byte, and a new store started."""
    path = db_path()
    damaged = damaged_store(path, damage)
    row: dict[str, Any] = {"test": f"damaged file at the default location: {damage}"}
    try:
        code = cli.main(["history", "--since", "4w"])
        message = capsys.readouterr().err.strip()
        row.update(cli_exit=code, message=message)
        assert code == 0
        assert "moved it to" in message and ".corrupt-" in message
        check_fresh_store(path)
        asides = asides_of(path)
        assert len(asides) == 1
        assert asides[0].read_bytes() == damaged, "the damaged file must be kept as it was"
        row["kept_aside"] = asides[0].name
    finally:
        record("crash", **row)


@pytest.mark.parametrize("damage", list(DAMAGES))
def test_damaged_named_file(
    damage: str, tmp_path: Path, record: Record, capsys: pytest.CaptureFixture[str]
) -> None:
    """A file named with --db is moved aside only while its header says watchtui made it;
    without that header it is refused and left exactly as it was."""
    path = tmp_path / "history.sqlite3"
    damaged = damaged_store(path, damage)
    ours = DAMAGES[damage][1]
    code = cli.main(["--db", str(path), "history", "--since", "4w"])
    message = capsys.readouterr().err.strip()
    if ours:
        record(
            "crash",
            test=f"damaged file named with --db: {damage}",
            message=message,
            cli_exit=code,
            kept_aside=[a.name for a in asides_of(path)],
        )
        assert code == 0
        assert "moved it to" in message and ".corrupt-" in message
        check_fresh_store(path)
        assert [a.read_bytes() for a in asides_of(path)] == [damaged]
        return
    record(
        "accepted",
        fault=f"a file named with --db, {damage}: no watchtui header left",
        kind="store",
        outcome=f"refused in one line, file untouched, exit {code}: {message}",
        why="a named file may be anything the user has (a typo in --db must not rename their "
        "notes); only watchtui's own default file, or a file whose header says watchtui made "
        "it, is moved aside",
    )
    assert code != 0
    assert "not a watchtui history store" in message
    assert path.read_bytes() == damaged and not asides_of(path)


def check_fresh_store(path: Path) -> None:
    with Store.open(path) as store:
        assert store.recovered_from is None  # the fresh store is healthy
        assert store.counts()["incidents"] == 0
        store.ingest(CRASH_SOURCE, crash_snapshot(0), T0, lists_only_current=False)


def test_empty_file_becomes_a_new_store(tmp_path: Path, record: Record) -> None:
    """A zero-byte file holds no history; SQLite treats it as a new database."""
    path = tmp_path / "history.sqlite3"
    path.write_bytes(b"")
    with Store.open(path) as store:
        recovered = store.recovered_from
        assert store.user_version() == schema_version()
    record(
        "accepted",
        fault="a history file of zero bytes",
        kind="store",
        outcome="opened as a new, empty store at the current schema; nothing moved aside",
        why="a zero-byte file holds no history to keep, and SQLite itself treats it as a new "
        "database",
    )
    assert recovered is None


def test_foreign_sqlite_file_is_refused_untouched(tmp_path: Path, record: Record) -> None:
    path = tmp_path / "other.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE mine (x)")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(StoreError) as info:
        Store.open(path)
    record("crash", test="someone else's SQLite file", message=str(info.value))
    assert "did not create" in str(info.value)
    assert path.read_bytes() == before


# --- schema versions ---------------------------------------------------------------------------


def history_dump(store: Store) -> dict[str, Any]:
    """Everything a user would miss if a migration dropped it."""
    return {
        "sources": store.sources(),
        "components": store.components(),
        "transitions": [
            t
            for c in store.components()
            for t in store.component_history(c.source_id, c.component.id)
        ],
        "incidents": store.incidents(),
        "updates": store.recent_updates(limit=100_000),
        "endpoints": store.endpoint_states(),
        "fetch_stats": store.fetch_stats(CRASH_SOURCE),
    }


def fill_history(store: Store) -> None:
    url = "https://crash.example/api/v2/summary.json"
    for index in range(3):
        at = T0 + timedelta(minutes=index)
        store.ingest(CRASH_SOURCE, crash_snapshot(index), at, lists_only_current=False)
        store.record_fetch(CRASH_SOURCE, url, at, "ok", http_status=200, etag=f'"{index}"')
        store.set_next_due(url, at + timedelta(minutes=1), source_id=CRASH_SOURCE)
    store.record_fetch(CRASH_SOURCE, url, T0 + timedelta(minutes=5), "error", error="HTTP 503")


def write_previous_schema(source: Path, target: Path, version: int) -> None:
    """``target`` as the release with schema ``version`` would hold ``source``'s history: that
    schema, and every row through the columns it had (later migrations only add columns)."""
    conn = sqlite3.connect(target)
    for migrate in store_schema.MIGRATIONS[:version]:
        migrate(conn)
    conn.execute("ATTACH DATABASE ? AS newer", (str(source),))
    tables = [
        row[0]
        for row in conn.execute("SELECT name FROM main.sqlite_master WHERE type = 'table'")
        if not row[0].startswith("sqlite_")
    ]
    for table in tables:
        columns = ", ".join(row[1] for row in conn.execute(f"PRAGMA main.table_info({table})"))
        conn.execute(f"INSERT INTO main.{table} ({columns}) SELECT {columns} FROM newer.{table}")
    conn.execute(f"PRAGMA user_version = {version}")
    conn.commit()
    conn.close()


def test_previous_schema_upgrades_keeping_history(tmp_path: Path, record: Record) -> None:
    current = len(store_schema.MIGRATIONS)
    old_version = max(1, current - 1)
    reference = tmp_path / "reference.sqlite3"
    with Store.open(reference) as store:
        fill_history(store)
    path = tmp_path / "history.sqlite3"
    write_previous_schema(reference, path, old_version)
    with Store.open(reference) as store:
        before = history_dump(store)
    with Store.open(path) as upgraded:
        after = history_dump(upgraded)
        version = upgraded.user_version()
    if old_version < 3 <= current:
        # v3 forgets every endpoint's validators on purpose (the next fetch is a full one).
        before["endpoints"] = [
            replace(e, etag=None, last_modified=None) for e in before["endpoints"]
        ]
    record(
        "crash",
        test=f"schema v{old_version} store opened by v{current}",
        message="history identical after upgrade" if after == before else "HISTORY CHANGED",
    )
    assert version == current
    assert after == before


def test_added_migration_keeps_history_and_a_failing_one_changes_nothing(
    tmp_path: Path, record: Record, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The runner itself: vN -> vN+1 keeps every row; a migration that fails half-way is rolled
    back whole, with a clear error, and the store still opens at vN afterwards."""
    current = list(store_schema.MIGRATIONS)
    path = tmp_path / "history.sqlite3"
    with Store.open(path) as store:
        fill_history(store)
        before = history_dump(store)

    def broken(conn: sqlite3.Connection) -> None:
        conn.execute("ALTER TABLE incidents ADD COLUMN note TEXT")
        conn.execute("INSERT INTO no_such_table VALUES (1)")

    monkeypatch.setattr(store_schema, "MIGRATIONS", [*current, broken])
    with pytest.raises(StoreError) as info:
        Store.open(path)
    failed_message = str(info.value)

    def additive(conn: sqlite3.Connection) -> None:
        conn.execute("ALTER TABLE incidents ADD COLUMN note TEXT")
        conn.execute("CREATE TABLE reliability_marker (x)")

    monkeypatch.setattr(store_schema, "MIGRATIONS", current)
    with Store.open(path) as same:
        assert same.user_version() == len(current)
        assert history_dump(same) == before
    monkeypatch.setattr(store_schema, "MIGRATIONS", [*current, additive])
    with Store.open(path) as upgraded:
        assert upgraded.user_version() == len(current) + 1
        after = history_dump(upgraded)
    record("crash", test="migration failing half-way", message=failed_message)
    record(
        "crash",
        test=f"added migration v{len(current)} -> v{len(current) + 1}",
        message="history identical after upgrade" if after == before else "HISTORY CHANGED",
    )
    assert "no_such_table" in failed_message
    assert after == before


def test_newer_schema_is_refused(tmp_path: Path, record: Record) -> None:
    path = tmp_path / "history.sqlite3"
    Store.open(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {schema_version() + 3}")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError) as info:
        Store.open(path)
    record("crash", test="store from a newer watchtui", message=str(info.value))
    assert "newer watchtui" in str(info.value)
