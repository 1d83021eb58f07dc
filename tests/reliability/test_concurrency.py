"""Several processes on one store: viewers reading the way the UI does, collectors polling a feed
server whose payloads change every second.

Asserted: no exception (in particular no "database is locked") reaches any process, and each
endpoint is fetched once per interval in total, also when two collectors share the store (the
lease in ``endpoint_state`` must keep the count from doubling).  Viewers count the changes they
saw in what they read, which can be no more than the collectors' successful fetches (each one
commits at most one new state).
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.reliability.helpers import ROOT, T0, Record, scaled, sp_incident, sp_summary
from tests.reliability.workers import (
    CRASH_SOURCE,
    ChangeCounter,
    crash_snapshot,
    overview_marker,
)
from tests.support.feedserver import FeedServer

from watchtui.store import Store

INTERVAL = 2
SOURCES = 4
PATHS = [f"/c{n}/api/v2/summary.json" for n in range(SOURCES)]
ONE_COLLECTOR_SECONDS = scaled(8.0, 240.0)
TWO_COLLECTORS_SECONDS = scaled(8.0, 120.0)
# Process start-up (imports, first Store.open) eats into the window before the first fetch.
STARTUP_ALLOWANCE = 2.0


class ChangingFeeds:
    """Every second, each path gets a new update; every 20 s a new incident replaces the last."""

    def __init__(self, server: FeedServer) -> None:
        self.server = server
        self.stop = threading.Event()
        self.versions = 0
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _publish(self) -> None:
        v = self.versions
        for n, path in enumerate(PATHS):
            incident = sp_incident(f"s{n}-i{v // 20}", v % 20 + 1)
            self.server.set(path, sp_summary([incident]))
        self.versions += 1

    def _run(self) -> None:
        while not self.stop.wait(1.0):
            self._publish()

    def __enter__(self) -> ChangingFeeds:
        self._publish()
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(5)


@pytest.fixture
def feeds() -> Iterator[ChangingFeeds]:
    with FeedServer() as server, ChangingFeeds(server) as changing:
        yield changing


def spawn(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.reliability.workers", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def report_of(proc: subprocess.Popen[str], timeout: float) -> dict[str, Any]:
    out, err = proc.communicate(timeout=timeout)
    lines = [line for line in out.splitlines() if line.startswith("{")]
    if not lines:
        return {"role": "?", "errors": [f"no report (exit {proc.returncode}): {err[-2000:]}"]}
    report: dict[str, Any] = json.loads(lines[-1])
    if err.strip():
        report.setdefault("stderr", err[-2000:])
    return report


def run_processes(
    feeds: ChangingFeeds, db: Path, collectors: int, viewers: int, seconds: float
) -> tuple[list[dict[str, Any]], float]:
    base = feeds.server.base_url
    started = time.monotonic()
    procs = [
        spawn("collector", str(db), base, str(INTERVAL), str(seconds), *PATHS)
        for _ in range(collectors)
    ]
    procs += [spawn("viewer", str(db), str(seconds)) for _ in range(viewers)]
    reports = [report_of(p, seconds + 120) for p in procs]
    return reports, time.monotonic() - started


def fetch_window(seconds: float) -> tuple[float, float]:
    """The plausible number of fetches of one endpoint in ``seconds`` at INTERVAL ±10% jitter,
    with the collector's 0.2 s tick and its start-up time."""
    low = (seconds - STARTUP_ALLOWANCE) / (INTERVAL * 1.1 + 0.3)
    high = seconds / (INTERVAL * 0.9) + 1
    return low, high


def exercise(
    feeds: ChangingFeeds,
    tmp_path: Path,
    record: Record,
    collectors: int,
    seconds: float,
) -> None:
    db = tmp_path / "shared.sqlite3"
    for path in PATHS:
        feeds.server.requests(path)  # counts start from here
    before = {path: feeds.server.request_count(path) for path in PATHS}
    reports, elapsed = run_processes(feeds, db, collectors, 2, seconds)
    counts = [feeds.server.request_count(p) - before[p] for p in PATHS]
    low, high = fetch_window(seconds)
    errors = [e for r in reports for e in r.get("errors", []) + r.get("fetch_errors", [])]
    stderr = [r["stderr"] for r in reports if r.get("stderr")]
    locked = [e for e in errors + stderr if "locked" in e.lower()]
    viewers = [r for r in reports if r.get("role") == "viewer"]
    collected = [r for r in reports if r.get("role") == "collector"]
    ok_fetches = sum(c.get("outcomes", {}).get("ok", 0) for c in collected)
    seen = [v.get("changes_seen", 0) for v in viewers]
    record(
        "concurrency",
        processes=f"{collectors} collector(s) + 2 viewers",
        seconds=round(seconds),
        interval_s=INTERVAL,
        sources=SOURCES,
        fetches_per_endpoint=counts,
        expected_fetches=f"{low:.0f}-{high:.0f}",
        payload_versions=feeds.versions,
        viewer_rounds=[v.get("rounds", 0) for v in viewers],
        changes_seen=seen,
        ok_fetches=ok_fetches,
        poll_outcomes=[c.get("outcomes", {}) for c in collected],
        errors=len(errors) + len(stderr),
        locked_errors=len(locked),
        wall_seconds=round(elapsed, 1),
    )
    assert not locked, locked[:5]
    assert not errors, errors[:5]
    assert not stderr, stderr[:2]
    assert len(viewers) == 2 and len(collected) == collectors, reports
    assert all(v.get("rounds", 0) > 0 for v in viewers)
    assert all(n > 0 for n in seen), "viewers never saw a write"
    assert all(n <= ok_fetches for n in seen), f"viewers saw {seen} changes of {ok_fetches} writes"
    for path, count in zip(PATHS, counts, strict=True):
        assert low <= count <= high, f"{path}: {count} fetches, expected {low:.1f}-{high:.1f}"


def test_one_collector_two_viewers(feeds: ChangingFeeds, tmp_path: Path, record: Record) -> None:
    exercise(feeds, tmp_path, record, collectors=1, seconds=ONE_COLLECTOR_SECONDS)


def test_two_collectors_fetch_once_per_interval(
    feeds: ChangingFeeds, tmp_path: Path, record: Record
) -> None:
    exercise(feeds, tmp_path, record, collectors=2, seconds=TWO_COLLECTORS_SECONDS)


def test_a_viewer_counts_each_commit_once_across_reconnects(tmp_path: Path) -> None:
    """The viewers' change count: a reconnect without a write is no change, and a write seen
    through a connection and again after reconnecting is one.  (PRAGMA data_version restarts with
    every connection and counted each of these twice.)"""
    db = tmp_path / "shared.sqlite3"
    counter = ChangeCounter()
    commits = 0
    with Store.open(db) as writer:
        writer.ingest(CRASH_SOURCE, crash_snapshot(0), T0, lists_only_current=False)
        for index in range(1, 4):
            with Store.open(db) as viewer:
                counter.see(overview_marker(viewer))
                viewer.data_version()
                writer.ingest(CRASH_SOURCE, crash_snapshot(index), T0, lists_only_current=False)
                commits += 1
                counter.see(overview_marker(viewer))
                counter.see(overview_marker(viewer))
            with Store.open(db) as viewer:
                counter.see(overview_marker(viewer))
    assert counter.changes == commits, f"{counter.changes} changes counted for {commits} commits"
