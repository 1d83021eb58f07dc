"""kill -9 at random moments: mid-ingest, and while a new store is being created and migrated.

A child process (``tests.reliability.workers ingest``) ingests big snapshots in a loop; every
incident always carries exactly ``UPDATES_PER_INCIDENT`` updates, so a half-written ingest shows
as a count that is off.  The child says when it reaches the operation under test and the parent
kills only then, and only a child still running: one that crashed on import or exited early fails
the test instead of passing for a killed one.  After every kill the store must open without being
taken for corrupt, pass ``PRAGMA integrity_check``, hold no half-written snapshot, and have lost
no update it held before.
"""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from tests.reliability.helpers import ROOT, Record, integrity, scaled, wait_for_line
from tests.reliability.workers import (
    COMPONENTS,
    INCIDENTS_PER_SNAPSHOT,
    INGESTING,
    OPENING,
    UPDATES_PER_INCIDENT,
)

from watchtui.store import Store, schema_version

KILL_ITERATIONS = scaled(20, 200)
FIRST_OPEN_KILLS = scaled(8, 40)
# Opening a new store (create + every migration) takes a few milliseconds: kills spread evenly
# over this window after "opening" land inside it, and some just after the first commits.
FIRST_OPEN_WINDOW_S = 0.006
READY_TIMEOUT = 60.0


def spawn_ingest(db: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.reliability.workers", "ingest", str(db)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def kill9(proc: subprocess.Popen[str]) -> tuple[str, str]:
    """SIGKILL a child that must still be running, and reap it; returns its stdout and stderr
    (which must hold no traceback)."""
    running = proc.poll() is None
    proc.send_signal(signal.SIGKILL)
    out, err = proc.communicate(timeout=30)
    assert running and proc.returncode == -signal.SIGKILL, (
        f"the child exited by itself (exit {proc.returncode}) before the kill: {err[-2000:]}"
    )
    assert "Traceback" not in err, err[-2000:]
    return out, err


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
        assert store.user_version() == schema_version()
        counts = store.counts()
    finally:
        store.close()
    assert integrity(db) == "ok"
    assert counts["incidents"] % INCIDENTS_PER_SNAPSHOT == 0, "half a snapshot was stored"
    assert counts["components"] in (0, COMPONENTS), "half a component list was stored"
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
            wait_for_line(proc, INGESTING, READY_TIMEOUT)
            delay = rng.uniform(0.0, 0.3)
            time.sleep(delay)
            wal = db.with_name(db.name + "-wal")
            live_wal = wal.exists() and wal.stat().st_size > 0
            kill9(proc)
            delays.append(delay)
            wal_at_kill += live_wal
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
    assert len(delays) == KILL_ITERATIONS
    assert updates > 0, "the child never committed anything: the kills proved nothing"


def test_kill9_during_first_open(tmp_path: Path, record: Record) -> None:
    """Killed while creating and migrating a new store: the next open must still work."""
    delays = [FIRST_OPEN_WINDOW_S * k / (FIRST_OPEN_KILLS - 1) for k in range(FIRST_OPEN_KILLS)]
    phases = {"no_file_yet": 0, "during_open": 0, "after_open": 0}
    with_data = 0
    started = time.monotonic()
    try:
        for n, delay in enumerate(delays):
            db = tmp_path / f"fresh-{n}.sqlite3"
            proc = spawn_ingest(db)
            said = wait_for_line(proc, OPENING, READY_TIMEOUT)
            time.sleep(delay)
            out, _ = kill9(proc)
            opened = INGESTING in said + out.splitlines()
            if not db.exists():
                phases["no_file_yet"] += 1
                continue
            phases["after_open" if opened else "during_open"] += 1
            counts = check_after_kill(db, 0)
            with_data += counts["incidents"] > 0
    finally:
        record(
            "crash",
            test="kill -9 while creating/migrating a new store",
            iterations=sum(phases.values()),
            kill_delay_s=f"0-{FIRST_OPEN_WINDOW_S}",
            killed_before_the_file_existed=phases["no_file_yet"],
            killed_during_open=phases["during_open"],
            killed_after_open=phases["after_open"],
            killed_after_data=with_data,
            seconds=round(time.monotonic() - started, 1),
        )
    assert sum(phases.values()) == FIRST_OPEN_KILLS
    assert phases["during_open"] > 0, "no kill landed inside Store.open: it was not tested"
