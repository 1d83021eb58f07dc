"""The store survives what the machine does to it: kill -9 mid-write, corrupt and truncated files,
old schemas, a full disk and a read-only location.

kill -9: a child process ingests big snapshots (every incident always carries exactly
``UPDATES_PER_INCIDENT`` updates) in a loop; the parent SIGKILLs it at random moments.  After every
kill the store must open without being taken for corrupt, pass ``PRAGMA integrity_check``, hold no
half-written snapshot, and have lost no update it held before.

Full disk and read-only: as root the test mounts a tiny tmpfs (and remounts it read-only); without
the privilege it falls back to SQLite's ``max_page_count`` (disk full) and file modes (read-only,
which root ignores).  The method used is recorded in RELIABILITY.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import select
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from tests.reliability.conftest import Record
from tests.reliability.helpers import (
    ROOT,
    T0,
    Clock,
    scaled,
    single_endpoint_spec,
    sp_incident,
    sp_summary,
)
from tests.reliability.workers import (
    CRASH_SOURCE,
    INCIDENTS_PER_SNAPSHOT,
    UPDATES_PER_INCIDENT,
    crash_snapshot,
)
from tests.support.feedserver import FeedServer

from watchtui import cli
from watchtui.engine.poller import Poller
from watchtui.store import Store, StoreError, schema_version
from watchtui.store import schema as store_schema

KILL_ITERATIONS = scaled(20, 200)
FIRST_OPEN_KILLS = scaled(6, 40)
READY_TIMEOUT = 60.0


# --- kill -9 -----------------------------------------------------------------------------------


def spawn_ingest(db: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.reliability.workers", "ingest", str(db)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_ready(proc: subprocess.Popen[str]) -> None:
    assert proc.stdout is not None
    ready, _, _ = select.select([proc.stdout], [], [], READY_TIMEOUT)
    line = proc.stdout.readline() if ready else ""
    if line.strip() != "ready":
        proc.kill()
        _, err = proc.communicate(timeout=10)
        raise AssertionError(f"ingest child did not start: {line!r} {err[-2000:]}")


def kill9(proc: subprocess.Popen[str]) -> str:
    """SIGKILL and reap; returns the child's stderr (it must hold no traceback)."""
    proc.send_signal(signal.SIGKILL)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL, f"child exited by itself: {err[-2000:]}"
    return err


def integrity(db: Path) -> str:
    conn = sqlite3.connect(db)
    try:
        return "; ".join(row[0] for row in conn.execute("PRAGMA integrity_check"))
    finally:
        conn.close()


def half_written(db: Path) -> int:
    """Incidents whose update count is not exactly what every snapshot gives them."""
    conn = sqlite3.connect(db)
    try:
        row = conn.execute(
            """SELECT count(*) FROM incidents i WHERE
               (SELECT count(*) FROM updates u WHERE u.source_id = i.source_id
                AND u.incident_id = i.incident_id) != ?""",
            (UPDATES_PER_INCIDENT,),
        ).fetchone()
        return int(row[0])
    finally:
        conn.close()


def check_after_kill(db: Path, previous_updates: int) -> dict[str, int]:
    store = Store.open(db)
    try:
        assert store.recovered_from is None, "a kill made the store look corrupt"
        counts = store.counts()
    finally:
        store.close()
    assert integrity(db) == "ok"
    assert counts["incidents"] % INCIDENTS_PER_SNAPSHOT == 0, "half a snapshot was stored"
    assert counts["components"] in (0, 300), "half a component list was stored"
    assert half_written(db) == 0, "an incident lost or lacks updates"
    assert counts["updates"] == counts["incidents"] * UPDATES_PER_INCIDENT
    assert counts["updates"] >= previous_updates, "previously stored updates were lost"
    return counts


def test_kill9_during_ingest(tmp_path: Path, record: Record) -> None:
    db = tmp_path / "history.sqlite3"
    rng = random.Random(20260729)
    updates = 0
    delays: list[float] = []
    wal_at_kill = 0
    counts: dict[str, int] = {}
    started = time.monotonic()
    try:
        for _ in range(KILL_ITERATIONS):
            proc = spawn_ingest(db)
            wait_ready(proc)
            delay = rng.uniform(0.0, 0.5)
            time.sleep(delay)
            delays.append(delay)
            wal = db.with_name(db.name + "-wal")
            wal_at_kill += wal.exists() and wal.stat().st_size > 0
            err = kill9(proc)
            assert "Traceback" not in err, err[-2000:]
            counts = check_after_kill(db, updates)
            updates = counts["updates"]
    finally:
        record(
            "crash",
            test="kill -9 during ingest",
            iterations=len(delays),
            kill_delay_s=f"{min(delays, default=0):.2f}-{max(delays, default=0):.2f}",
            kills_with_live_wal=wal_at_kill,
            snapshots_stored=counts.get("incidents", 0) // INCIDENTS_PER_SNAPSHOT,
            incidents=counts.get("incidents", 0),
            updates=counts.get("updates", 0),
            updates_per_incident=UPDATES_PER_INCIDENT,
            seconds=round(time.monotonic() - started, 1),
        )
    assert updates > 0, "the child never committed anything: the kills proved nothing"


def test_kill9_during_first_open(tmp_path: Path, record: Record) -> None:
    """Killed while creating and migrating a new store: the next open must still work."""
    rng = random.Random(7)
    outcomes = {"empty": 0, "with_data": 0}
    started = time.monotonic()
    try:
        for n in range(FIRST_OPEN_KILLS):
            db = tmp_path / f"fresh-{n}.sqlite3"
            proc = spawn_ingest(db)
            time.sleep(rng.uniform(0.0, 1.2))
            proc.kill()
            proc.communicate(timeout=30)
            if not db.exists():
                outcomes["empty"] += 1
                continue
            with Store.open(db) as store:
                assert store.recovered_from is None
                assert store.user_version() == schema_version()
                has_data = store.counts()["incidents"] > 0
            outcomes["with_data" if has_data else "empty"] += 1
            assert integrity(db) == "ok"
            assert half_written(db) == 0
    finally:
        record(
            "crash",
            test="kill -9 while creating/migrating a new store",
            iterations=FIRST_OPEN_KILLS,
            killed_before_first_commit=outcomes["empty"],
            killed_after_data=outcomes["with_data"],
            seconds=round(time.monotonic() - started, 1),
        )


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


DAMAGES = {
    "truncated to 50%": truncate_to(0.5),
    "truncated to 10%": truncate_to(0.1),
    "truncated to 50 bytes (inside the header)": truncate_bytes(50),
    "truncated to 4096 bytes (first page only)": truncate_bytes(4096),
    "random bytes": garbage,
    "a b-tree page zeroed": zero_page(3),
}


@pytest.mark.parametrize("damage", list(DAMAGES))
def test_damaged_file_is_moved_aside(
    damage: str, tmp_path: Path, record: Record, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "history.sqlite3"
    filled_store(path)
    DAMAGES[damage](path)
    damaged = path.read_bytes()
    row: dict[str, Any] = {"test": f"damaged file: {damage}"}
    try:
        code = cli.main(["--db", str(path), "history", "--since", "4w"])
        message = capsys.readouterr().err.strip()
        row.update(cli_exit=code, message=message)
        assert code == 0
        assert "moved it to" in message and ".corrupt-" in message
        with Store.open(path) as store:
            assert store.recovered_from is None  # the fresh store is healthy
            assert store.counts()["incidents"] == 0
            store.ingest(CRASH_SOURCE, crash_snapshot(0), T0, lists_only_current=False)
        asides = [
            a
            for a in tmp_path.glob("history.sqlite3.corrupt-*")
            if not a.name.endswith(("-wal", "-shm"))
        ]
        assert len(asides) == 1
        assert asides[0].read_bytes() == damaged, "the damaged file must be kept as it was"
        row["kept_aside"] = asides[0].name
    finally:
        record("crash", **row)


def test_empty_file_becomes_a_new_store(tmp_path: Path, record: Record) -> None:
    """A zero-byte file holds no history; SQLite treats it as a new database."""
    path = tmp_path / "history.sqlite3"
    path.write_bytes(b"")
    with Store.open(path) as store:
        recovered = store.recovered_from
        assert store.user_version() == schema_version()
    record("crash", test="damaged file: zero bytes", message="(none: nothing to keep)")
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


# --- full disk, read-only --------------------------------------------------------------------


def _run(*argv: str) -> bool:
    try:
        result = subprocess.run(argv, capture_output=True, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return False
    return result.returncode == 0


@contextlib.contextmanager
def tiny_tmpfs(where: Path, size: str) -> Iterator[bool]:
    """A size-limited tmpfs at ``where`` when this process may mount (root); else False."""
    where.mkdir()
    mounted = os.geteuid() == 0 and _run(
        "mount", "-t", "tmpfs", "-o", f"size={size}", "t", str(where)
    )
    try:
        yield mounted
    finally:
        if mounted:
            _run("umount", "-l", str(where))


def test_disk_full(tmp_path: Path, record: Record) -> None:
    where = tmp_path / "small"
    with tiny_tmpfs(where, "1m") as mounted:
        path = where / "history.sqlite3"
        store = Store.open(path)
        if not mounted:
            # SQLite's own size cap: writes beyond it fail with SQLITE_FULL like a full disk.
            conn = store._conn()
            pages = conn.execute("PRAGMA page_count").fetchone()[0]
            conn.execute(f"PRAGMA max_page_count = {pages + 40}")
        method = "1 MiB tmpfs" if mounted else "PRAGMA max_page_count"
        stored = 0
        message = ""
        try:
            for index in range(200):
                store.ingest(
                    CRASH_SOURCE,
                    crash_snapshot(index),
                    T0 + timedelta(minutes=index),
                    lists_only_current=False,
                )
                stored = store.counts()["incidents"]
        except StoreError as exc:
            message = str(exc)
        counts_after = store.counts()  # still readable
        resumed = False
        if mounted:
            # Space comes back: the same Store object writes again, no restart needed.
            assert _run("mount", "-o", "remount,size=64m", str(where))
            store.ingest(CRASH_SOURCE, crash_snapshot(500), T0, lists_only_current=False)
            resumed = store.counts()["incidents"] > counts_after["incidents"]
        store.close()
        check = integrity(path)
        record(
            "crash",
            test=f"disk full ({method})",
            message=message,
            incidents_before_full=stored,
            kept_after_full=counts_after["incidents"],
            writes_resumed_after_space_freed=resumed if mounted else None,
            integrity=check,
        )
    assert "is full" in message
    assert counts_after["incidents"] == stored, "the failed write changed stored data"
    assert counts_after["updates"] == stored * UPDATES_PER_INCIDENT
    assert check == "ok"
    assert resumed or not mounted


def fill_up(where: Path) -> Path:
    """Take every free byte of the filesystem at ``where``."""
    filler = where / "filler"
    with open(filler, "wb") as handle, contextlib.suppress(OSError):
        while True:
            handle.write(bytes(64 * 1024))
            handle.flush()
    return filler


def test_disk_full_during_poll(tmp_path: Path, record: Record) -> None:
    """The poller on a full disk: the round fails with the store's clear StoreError (the app
    shows it and retries next cycle); once space is back the same Poller and Store carry on."""
    where = tmp_path / "small"
    with tiny_tmpfs(where, "4m") as mounted:
        if not mounted:
            pytest.skip("needs a size-limited filesystem (root + mount)")
        message, resumed = asyncio.run(_poll_on_full_disk(where))
        record(
            "crash",
            test="disk full during a poll (4 MiB tmpfs, filled up)",
            message=message,
            writes_resumed_after_space_freed=resumed,
            integrity=integrity(where / "history.sqlite3"),
        )
    assert "is full" in message
    assert resumed


async def _poll_on_full_disk(where: Path) -> tuple[str, bool]:
    path = where / "history.sqlite3"
    clock = Clock()
    with FeedServer() as server, Store.open(path) as store:
        url = server.url("/sp/api/v2/summary.json")
        server.set("/sp/api/v2/summary.json", sp_summary([sp_incident("a")]))
        poller = Poller(store, [single_endpoint_spec("src", "statuspage", url)], clock=clock)
        try:
            assert [o.outcome for o in await poller.poll_detailed()] == ["ok"]
            big = [sp_incident(f"n{n}", 20) for n in range(300)]
            server.set("/sp/api/v2/summary.json", sp_summary(big))
            filler = fill_up(where)
            clock.advance(3600)
            message = ""
            try:
                await poller.poll()
            except StoreError as exc:
                message = str(exc)
            assert store.incident("src", "a") is not None, "stored data lost"
            filler.unlink()
            clock.advance(3600)
            await poller.poll()
            resumed = len(store.incidents(open_only=True)) == len(big)
        finally:
            await poller.aclose()
    return message, resumed


def test_collect_survives_disk_full(tmp_path: Path, record: Record) -> None:
    """`watchtui collect` (the headless collector) on a disk that fills up, then frees."""
    where = tmp_path / "small"
    with tiny_tmpfs(where, "4m") as mounted, FeedServer() as server:
        if not mounted:
            pytest.skip("needs a size-limited filesystem (root + mount)")
        path = "/sp/api/v2/summary.json"
        server.set(path, sp_summary([sp_incident("a")]))
        config = tmp_path / "config.toml"
        config.write_text(
            f'[watch]\nproviders = []\n\n[[sources]]\nid = "sp"\nkind = "statuspage"\n'
            f'url = "{server.url(path)}"\ninterval = 15\n',
            encoding="utf-8",
        )
        db = where / "history.sqlite3"
        proc = subprocess.Popen(
            [sys.executable, "-m", "watchtui", "--config", str(config), "--db", str(db), "collect"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            alive, stored, err = _collect_through_full_disk(proc, server, path, where)
        finally:
            if proc.poll() is None:
                proc.terminate()
            _, tail = proc.communicate(timeout=30)
            err = err or tail
        record(
            "crash",
            test="`watchtui collect` while the disk fills up (4 MiB tmpfs)",
            message=err.strip() or "(kept running)",
            still_running_when_full=alive,
            stored_after_space_freed=stored,
        )
    assert alive, err
    assert stored


def _collect_through_full_disk(
    proc: subprocess.Popen[str], server: FeedServer, path: str, where: Path
) -> tuple[bool, bool, str]:
    deadline = time.monotonic() + READY_TIMEOUT
    while server.request_count(path) < 1 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert server.request_count(path) == 1, "collect never fetched"
    time.sleep(0.5)  # let the first ingest commit
    big = [sp_incident(f"n{n}", 20) for n in range(300)]
    server.set(path, sp_summary(big))
    filler = fill_up(where)
    time.sleep(5)
    alive = proc.poll() is None
    filler.unlink()
    if not alive:
        return False, False, proc.communicate(timeout=30)[1]
    # The source is due 15 s after its first fetch; give it that and a little more.
    deadline = time.monotonic() + 25
    stored = False
    while not stored and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.5)
        with Store.open(where / "history.sqlite3") as store:
            stored = len(store.incidents(open_only=True)) == len(big)
    return True, stored, ""


def make_read_only(where: Path, mounted: bool) -> str:
    """Every store connection must be closed first: the kernel refuses a read-only remount
    while files are open for writing."""
    if mounted:
        assert _run("mount", "-o", "remount,ro", str(where))
        return "tmpfs remounted read-only"
    if os.geteuid() != 0:
        for item in [where, *where.iterdir()]:
            item.chmod(0o500 if item.is_dir() else 0o400)
        return "file modes (0500 directory, 0400 files)"
    pytest.skip("root without mount: no way to make a directory read-only for root")
    return ""


def test_read_only_location_at_start(tmp_path: Path, record: Record) -> None:
    where = tmp_path / "ro"
    with tiny_tmpfs(where, "16m") as mounted:
        path = where / "history.sqlite3"
        with Store.open(path) as store:
            store.ingest(CRASH_SOURCE, crash_snapshot(0), T0, lists_only_current=False)
        method = make_read_only(where, mounted)
        try:
            with pytest.raises(StoreError) as at_open:
                Store.open(path)
        finally:
            if not mounted:
                # Writable again, so the temporary directory can be cleaned up.
                for item in [where, *where.iterdir()]:
                    item.chmod(0o700 if item.is_dir() else 0o600)
        record("crash", test=f"read-only store at start ({method})", message=str(at_open.value))
    assert str(path) in str(at_open.value)
    assert any(w in str(at_open.value) for w in ("read-only", "writable", "permission"))


def test_read_only_while_running(tmp_path: Path, record: Record) -> None:
    """A store that stops accepting writes mid-run (SQLITE_READONLY).  Simulated with
    ``PRAGMA query_only`` on the store's connection: a real remount read-only is refused by the
    kernel while SQLite holds the files open, and making the files immutable under a live
    connection kills the process with SIGBUS through SQLite's mmapped -shm file (a test
    artefact, not something a read-only remount does)."""
    path = tmp_path / "history.sqlite3"
    with Store.open(path) as store:
        store.ingest(CRASH_SOURCE, crash_snapshot(0), T0, lists_only_current=False)
        store._conn().execute("PRAGMA query_only = 1")
        with pytest.raises(StoreError) as during:
            store.ingest(CRASH_SOURCE, crash_snapshot(1), T0, lists_only_current=False)
        still_readable = store.counts()["incidents"]
    record(
        "crash",
        test="store turns read-only while running (PRAGMA query_only)",
        message=str(during.value),
        reads_still_work=still_readable == INCIDENTS_PER_SNAPSHOT,
    )
    assert "read-only" in str(during.value)
    assert still_readable == INCIDENTS_PER_SNAPSHOT
