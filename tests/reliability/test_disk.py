"""The store on a full disk and in a read-only location.  On a full disk the store itself, the
poller and `watchtui collect` say so in one line, keep what they had, and carry on once space
comes back; a store this process may not write opens read-only and says so when written to.

As root the tests mount a tiny tmpfs (and fill it, or remount it read-only); without the privilege
they fall back to SQLite's ``max_page_count`` (disk full) and file modes (read-only, which root
ignores), or skip.  The method used is recorded in RELIABILITY.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from tests.reliability.helpers import (
    T0,
    Clock,
    Record,
    integrity,
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

from watchtui.engine.poller import Poller
from watchtui.store import Store, StoreError

READY_TIMEOUT = 60.0


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
            conn = store._conn().conn
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


def fill_up(where: Path, leave: int = 0) -> Path:
    """Take every free byte of the filesystem at ``where`` but ``leave``."""
    filler = where / "filler"
    with open(filler, "wb") as handle, contextlib.suppress(OSError):
        while True:
            handle.write(bytes(64 * 1024))
            handle.flush()
    if leave:
        os.truncate(filler, max(0, filler.stat().st_size - leave))
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


# Room for collect to open the store (its -shm index is mmapped: running out of room there is a
# SIGBUS, not a full disk) and not for the big payload's ingest.
COLLECT_FREE_BYTES = 128 * 1024


def test_collect_survives_disk_full(tmp_path: Path, record: Record) -> None:
    """`watchtui collect` (the headless collector) whose ingest hits a full disk: it says so,
    keeps running, stores nothing half-way, and stores the payload once space is freed."""
    where = tmp_path / "small"
    with tiny_tmpfs(where, "4m") as mounted, FeedServer() as server:
        if not mounted:
            pytest.skip("needs a size-limited filesystem (root + mount)")
        path = "/sp/api/v2/summary.json"
        big = [sp_incident(f"n{n}", 20) for n in range(300)]
        server.set(path, sp_summary(big))
        config = tmp_path / "config.toml"
        config.write_text(
            f'[watch]\nproviders = []\n\n[[sources]]\nid = "sp"\nkind = "statuspage"\n'
            f'url = "{server.url(path)}"\ninterval = 15\n',
            encoding="utf-8",
        )
        db = where / "history.sqlite3"
        Store.open(db).close()
        filler = fill_up(where, leave=COLLECT_FREE_BYTES)
        proc = subprocess.Popen(
            [sys.executable, "-m", "watchtui", "--config", str(config), "--db", str(db), "collect"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        err = StderrTail(proc)
        try:
            row = _collect_through_full_disk(proc, err, server, path, filler, len(big))
        finally:
            if proc.poll() is None:
                proc.terminate()
            proc.wait(timeout=30)
            err.thread.join(5)
        record(
            "crash",
            test="`watchtui collect` whose ingest hits a full disk (4 MiB tmpfs)",
            message=row.get("told") or err.text().strip(),
            **{k: v for k, v in row.items() if k != "told"},
        )
    assert row.get("told"), f"collect never reported the full disk: {err.text()[-2000:]}"
    # Said as the store's own error, not as an unexpected one wrapped by the failed round.
    assert "unexpected" not in row["told"], row["told"]
    assert row["still_running_after_the_error"], err.text()[-2000:]
    assert row["incidents_stored_while_full"] == 0
    assert row["stored_after_space_freed"]


class StderrTail:
    """The child's stderr, read line by line as it comes (a full pipe would block the child)."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.lines: list[str] = []
        self._stream = proc.stderr
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        assert self._stream is not None
        for line in self._stream:
            self.lines.append(line)

    def text(self) -> str:
        return "".join(self.lines)


def stored_incidents(db: Path) -> int:
    """Read-only, so looking does not need room on the full disk."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return int(conn.execute("SELECT count(*) FROM incidents").fetchone()[0])
    finally:
        conn.close()


def _collect_through_full_disk(
    proc: subprocess.Popen[str],
    err: StderrTail,
    server: FeedServer,
    path: str,
    filler: Path,
    incidents: int,
) -> dict[str, Any]:
    db = filler.with_name("history.sqlite3")
    deadline = time.monotonic() + READY_TIMEOUT
    told = ""
    while not told and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.1)
        told = next((line.strip() for line in err.lines if "is full" in line), "")
    time.sleep(0.5)  # a collector that dies of the error it just reported dies by now
    row: dict[str, Any] = {
        "told": told,
        "fetches_while_full": server.request_count(path),
        "still_running_after_the_error": proc.poll() is None,
        "incidents_stored_while_full": stored_incidents(db),
    }
    filler.unlink()
    stored = 0
    freed = time.monotonic()
    while stored != incidents and time.monotonic() - freed < 20 and proc.poll() is None:
        time.sleep(0.2)
        stored = stored_incidents(db)
    row["stored_after_space_freed"] = stored == incidents
    row["seconds_to_store_after_space_freed"] = round(time.monotonic() - freed, 1)
    return row


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
    """A store this process may not write opens read-only: everything it holds can be read (a
    viewer on a shared host), and a write says in one line that the store is read-only."""
    where = tmp_path / "ro"
    with tiny_tmpfs(where, "16m") as mounted:
        path = where / "history.sqlite3"
        with Store.open(path) as store:
            store.ingest(CRASH_SOURCE, crash_snapshot(0), T0, lists_only_current=False)
        method = make_read_only(where, mounted)
        try:
            with Store.open(path) as store:
                read_only = store.readonly
                readable = store.counts()["incidents"]
                with pytest.raises(StoreError) as writing:
                    store.ingest(CRASH_SOURCE, crash_snapshot(1), T0, lists_only_current=False)
        finally:
            if not mounted:
                # Writable again, so the temporary directory can be cleaned up.
                for item in [where, *where.iterdir()]:
                    item.chmod(0o700 if item.is_dir() else 0o600)
        record(
            "crash",
            test=f"read-only store at start ({method})",
            message=str(writing.value),
            opened_read_only=read_only,
            reads_still_work=readable == INCIDENTS_PER_SNAPSHOT,
        )
    assert read_only
    assert readable == INCIDENTS_PER_SNAPSHOT
    said = str(writing.value)
    assert str(path) in said and ("read-only" in said or "may only read" in said), said


def test_read_only_while_running(tmp_path: Path, record: Record) -> None:
    """A store that stops accepting writes mid-run (SQLITE_READONLY).  Simulated with
    ``PRAGMA query_only`` on the store's connection: a real remount read-only is refused by the
    kernel while SQLite holds the files open, and making the files immutable under a live
    connection kills the process with SIGBUS through SQLite's mmapped -shm file (a test
    artefact, not something a read-only remount does)."""
    path = tmp_path / "history.sqlite3"
    with Store.open(path) as store:
        store.ingest(CRASH_SOURCE, crash_snapshot(0), T0, lists_only_current=False)
        store._conn().conn.execute("PRAGMA query_only = 1")
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
