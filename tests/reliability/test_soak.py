"""Accelerated soaks: thousands of poll cycles against the demo scenario, and a source that
alternates between good payloads and aborted downloads, on a fake clock (``soaks.py``).

Each soak runs in a fresh interpreter, so its memory bound holds whatever ran before it in the
pytest process.  Resident memory, SQLite's own heap and open file descriptors are measured at the
start, after warm-up and at the end.  After warm-up, memory outside SQLite and the descriptors
must stay flat; SQLite's heap (its page caches fill as the database grows) must stay within its
bound.  At the end the store must hold exactly what the feeds said last.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.reliability.helpers import ROOT, Record, scaled

# Seconds a soak may take before it counts as hung (the full form runs for many minutes).
SOAK_TIMEOUT = scaled(600.0, 7200.0)
RSS_TOLERANCE_MIB = scaled(8.0, 16.0)
# SQLite's heap: a page cache of 2 MiB (SQLite's default) per connection, one connection per
# thread that touches the store, plus statements and schemas.
SQLITE_HEAP_BOUND_MIB = 32.0
FD_TOLERANCE = 4


def run_child(which: str, directory: Path) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, "-m", "tests.reliability.soaks", which, str(directory)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=SOAK_TIMEOUT,
        check=False,
    )
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    assert proc.returncode == 0 and lines, f"the {which} child failed: {proc.stderr[-3000:]}"
    row: dict[str, Any] = json.loads(lines[-1])
    row["measured_in"] = "a fresh interpreter"
    row["tolerance_outside_sqlite_mib"] = RSS_TOLERANCE_MIB
    row["sqlite_bound_mib"] = SQLITE_HEAP_BOUND_MIB
    return row


def check_memory(row: dict[str, Any]) -> None:
    assert row["growth_outside_sqlite_mib"] <= RSS_TOLERANCE_MIB, row
    if row["sqlite_end_mib"] is not None:
        assert row["sqlite_end_mib"] <= SQLITE_HEAP_BOUND_MIB, row


def test_soak(tmp_path: Path, record: Record) -> None:
    row = run_child("soak", tmp_path)
    record("soak", **row)
    assert row["open_match"], (row["open_missing"], row["open_extra"])
    check_memory(row)
    assert row["fds_end"] - row["fds_warm"] <= FD_TOLERANCE
    outcomes = row["outcomes"]
    assert outcomes.get("ok", 0) > 0 and outcomes.get("not_modified", 0) > 0
    # The scenario's own faults (a 503, an HTML challenge page) and nothing else.
    failed = outcomes.get("error", 0) + outcomes.get("drifted", 0)
    assert failed <= 2 * (row["laps"] + 1), outcomes


def test_fault_soak(tmp_path: Path, record: Record) -> None:
    """Aborted downloads (resets, endless and oversized bodies, bombs) over and over: no
    descriptor, connection or memory may leak from the fetch layer."""
    row = run_child("fault_soak", tmp_path)
    record("fault_soak", **row)
    outcomes: dict[str, int] = row["outcomes"]
    assert sum(v for k, v in outcomes.items() if k == "good: ok") == row["good_cycles"], outcomes
    assert not any(k.endswith(": ok") for k in outcomes if not k.startswith("good")), outcomes
    assert row["open_match"], (row["open_now"], row["last_good"])
    assert row["fds_end"] - row["fds_warm"] <= FD_TOLERANCE
    check_memory(row)
