"""Benchmark of the history store: ingest rate and query times.

Run: ``python benchmarks/bench_store.py [--incidents N] [--updates-per-incident N]``.
Prints figures only; the query figures are given as a ratio against a bare ``sqlite3`` SELECT of
the same rows in the same run, so they mean something on any machine.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

from watchtui.domain.model import Incident, IncidentUpdate, Snapshot
from watchtui.store import Store

_T = TypeVar("_T")
NOW = datetime(2024, 6, 1, tzinfo=UTC)


def _incident(number: int, updates: int, span: timedelta) -> Incident:
    started = NOW - span + timedelta(minutes=number * 7 % int(span.total_seconds() // 60))
    body = "We are investigating elevated error rates on the API. " * 4
    return Incident(
        id=f"inc-{number}",
        title=f"Elevated errors #{number}",
        status="resolved",
        impact="minor",
        started_at=started,
        updated_at=started + timedelta(minutes=updates),
        resolved_at=started + timedelta(minutes=updates),
        components=("API", "Webhooks"),
        updates=tuple(
            IncidentUpdate(
                id=f"u-{number}-{k}",
                at=started + timedelta(minutes=k),
                status="resolved" if k == updates - 1 else "investigating",
                text=f"{body} (update {k})",
            )
            for k in reversed(range(updates))
        ),
    )


def _timed(action: Callable[[], _T]) -> tuple[float, _T]:
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def _best(action: Callable[[], object], repeat: int = 5) -> float:
    return min(_timed(action)[0] for _ in range(repeat))


def _bare_history(path: Path, since: str) -> int:
    conn = sqlite3.connect(path)
    try:
        incidents = conn.execute(
            "SELECT * FROM incidents WHERE resolved_at IS NULL OR resolved_at >= ?", (since,)
        ).fetchall()
        updates = conn.execute(
            """SELECT u.* FROM updates u JOIN incidents i USING (source_id, incident_id)
               WHERE i.resolved_at IS NULL OR i.resolved_at >= ?""",
            (since,),
        ).fetchall()
        return len(incidents) + len(updates)
    finally:
        conn.close()


def _bare_incidents(path: Path, since: str) -> int:
    conn = sqlite3.connect(path)
    try:
        return len(
            conn.execute(
                "SELECT * FROM incidents WHERE resolved_at IS NULL OR resolved_at >= ?", (since,)
            ).fetchall()
        )
    finally:
        conn.close()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--incidents", type=int, default=10_000)
    parser.add_argument("--updates-per-incident", type=int, default=10)
    parser.add_argument("--per-snapshot", type=int, default=10)
    args = parser.parse_args(argv)
    per_snapshot = args.per_snapshot
    span = timedelta(days=85)

    incidents = [_incident(n, args.updates_per_incident, span) for n in range(args.incidents)]
    snapshots = [
        Snapshot(kind="statuspage", incidents=tuple(incidents[i : i + per_snapshot]))
        for i in range(0, len(incidents), per_snapshot)
    ]
    total_updates = args.incidents * args.updates_per_incident
    out = sys.stdout.write

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        store = Store.open(path)
        fetched = NOW - timedelta(days=1)

        def ingest_all() -> None:
            for k, snap in enumerate(snapshots):
                store.ingest(
                    "bench", snap, fetched + timedelta(seconds=k), lists_only_current=False
                )

        elapsed, _ = _timed(ingest_all)
        out(
            f"ingest: {len(snapshots)} snapshots x {per_snapshot * args.updates_per_incident}"
            f" updates = {total_updates} updates in {elapsed:.2f} s"
            f" ({total_updates / elapsed:,.0f} updates/s, {elapsed / len(snapshots) * 1000:.2f}"
            " ms/snapshot)\n"
        )

        history = Snapshot(kind="statuspage", incidents=tuple(incidents[-50:]))
        repoll, _ = _timed(
            lambda: [
                store.ingest("bench", history, NOW + timedelta(seconds=k), lists_only_current=False)
                for k in range(200)
            ]
        )
        out(
            f"steady-state re-poll of an unchanged 50-incident history: "
            f"{repoll / 200 * 1000:.2f} ms/ingest\n"
        )

        since = NOW - timedelta(days=90)
        query = _best(lambda: store.incidents(since=since))
        found = len(store.incidents(since=since))
        bare = _best(lambda: _bare_history(path, since.isoformat(timespec="microseconds")))
        out(
            f"90-day history: {found} incidents with {total_updates} updates in "
            f"{query * 1000:.0f} ms; bare sqlite3 SELECT of the same rows {bare * 1000:.0f} ms"
            f" (ratio {query / bare:.1f}x)\n"
        )
        bare_list = _best(lambda: _bare_incidents(path, since.isoformat(timespec="microseconds")))
        listing = _best(lambda: store.incidents(since=since, with_updates=False))
        out(
            f"90-day history without updates (list view): {listing * 1000:.0f} ms; bare"
            f" {bare_list * 1000:.0f} ms (ratio {listing / bare_list:.1f}x)\n"
        )
        text = _best(lambda: store.incidents(since=since, text="#9999"))
        out(f"90-day history with text filter: {text * 1000:.0f} ms\n")
        limited = _best(lambda: store.incidents(since=since, limit=100))
        out(f"90-day history, newest 100: {limited * 1000:.1f} ms\n")
        recent = _best(lambda: store.recent_updates(200))
        out(f"recent_updates(200): {recent * 1000:.1f} ms\n")
        single = _best(lambda: store.incident("bench", "inc-5000"))
        out(f"incident(one): {single * 1000:.2f} ms\n")
        store.close()

        size = path.stat().st_size / 1e6
        reopen, reopened = _timed(lambda: Store.open(path))
        reopened.close()
        out(f"reopen (integrity probe) of a {size:.0f} MB store: {reopen * 1000:.0f} ms\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
