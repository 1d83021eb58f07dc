"""Store benchmark: the history store against bare ``sqlite3`` doing the same SQL work, in one run.

    python benchmarks/bench_store.py [--incidents 10000] [--updates-per-incident 10] [--quick]

``--quick`` runs fewer repetitions of the same sizes (the goals are stated for 10,000 incidents).

A synthetic history (N incidents x M updates over 85 days, ingested 10 incidents per snapshot) is
written with ``Store.ingest`` and read back with ``Store.incidents``; every judged figure is a ratio
to a bare ``sqlite3`` baseline that produces the same rows, on a file with the same schema, indexes
and pragmas (WAL, ``synchronous=NORMAL``, foreign keys on), through one persistent connection.

Goals, judged on CPU time (``time.thread_time``: the store and SQLite both run in the calling
thread, and on a shared machine wall time also measures the neighbours; the wall-clock ratio is
printed too), each a median of interleaved repetitions, the order alternating, the cyclic GC
collected before every timed call and enabled during it, for both sides:

- ingest: all snapshots into an empty store <= 3x bare INSERTs of the very rows ``Store.ingest``
  wrote (copied back out of its file), one ``BEGIN IMMEDIATE`` transaction per snapshot as it uses;
- re-poll of an unchanged 50-incident history <= 3x the least SQL that learns nothing changed and
  records the sighting: one write transaction that reads those 50 incident rows and their update
  ids, moves their ``last_seen_at`` on and the source's ``last_ingest_at`` (what ``Store.ingest``
  writes for an unchanged history);
- 90-day history with updates (``Store.incidents(since=...)``, objects assembled) <= 3x a bare
  SELECT of the same incident rows (same filter, same order) and their update rows, in one read
  transaction;
- 90-day list view (``with_updates=False``) <= 3x the bare SELECT of the same incident rows.

Other figures (text filter, newest 100, ``recent_updates``, ``incident()``, reopen) are printed for
information and have no goal.
"""

from __future__ import annotations

import argparse
import gc
import sqlite3
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from watchtui.domain.model import Incident, IncidentUpdate, Snapshot
from watchtui.store import Store
from watchtui.store.codec import ts

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import header, median, ratio, verdict

_T = TypeVar("_T")
NOW = datetime(2024, 6, 1, tzinfo=UTC)
SOURCE = "bench"
GOAL = 3.0
REPOLL_INCIDENTS = 50
REPOLL_INGESTS = 20  # per timed repetition


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


class Cost(NamedTuple):
    cpu: float  # seconds of this thread's CPU time (SQLite runs in the calling thread)
    wall: float


def _timed(action: Callable[[], _T]) -> tuple[Cost, _T]:
    gc.collect()
    wall, cpu = time.perf_counter(), time.thread_time()
    result = action()
    return Cost(time.thread_time() - cpu, time.perf_counter() - wall), result


def medians(costs: Sequence[Cost]) -> Cost:
    return Cost(median(c.cpu for c in costs), median(c.wall for c in costs))


def interleaved(
    product: Callable[[], object], bare: Callable[[], object], repeat: int
) -> tuple[Cost, Cost]:
    """Medians of ``repeat`` timings of each, alternating which goes first."""
    a: list[Cost] = []
    b: list[Cost] = []
    for n in range(repeat):
        if n % 2 == 0:
            a.append(_timed(product)[0])
            b.append(_timed(bare)[0])
        else:
            b.append(_timed(bare)[0])
            a.append(_timed(product)[0])
    return medians(a), medians(b)


def info(label: str, action: Callable[[], object]) -> None:
    cost = medians([_timed(action)[0] for _ in range(3)])
    print(
        f"  {label:<50} {cost.cpu * 1000:9.2f} ms CPU {cost.wall * 1000:9.2f} ms wall"
        "   (figure only, no goal)"
    )


def judge(name: str, product: Cost, bare: Cost, what: str, per: int = 1) -> bool:
    r = ratio(product.cpu, bare.cpu)
    return verdict(
        f"store.{name}",
        r <= GOAL,
        f"{r:.2f}x {what} (CPU {product.cpu / per * 1000:.2f} vs {bare.cpu / per * 1000:.2f} ms;"
        f" wall ratio {ratio(product.wall, bare.wall):.2f}x)",
        f"<= {GOAL:g}x",
    )


# ---------------------------------------------------------------------------------------------
# The bare side


def bare_connect(path: Path) -> sqlite3.Connection:
    """A connection set up as the store sets up its own."""
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL").fetchone()
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA trusted_schema = OFF")
    return conn


@contextmanager
def transaction(conn: sqlite3.Connection, begin: str) -> Iterator[None]:
    conn.execute(begin)
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT" if begin.startswith("BEGIN IMMEDIATE") else "ROLLBACK")


Batch = tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]


class BareIngest:
    """The rows one ``Store.ingest`` run wrote, ready to be inserted again by plain SQL."""

    def __init__(self, source_db: Path, per_snapshot: int) -> None:
        conn = sqlite3.connect(source_db)
        try:
            self.schema = [
                sql
                for (sql,) in conn.execute(
                    "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL"
                    " AND name NOT LIKE 'sqlite_%' ORDER BY type = 'index', rowid"
                )
            ]
            self.sources = conn.execute("SELECT * FROM sources").fetchall()
            incident_sql = "SELECT * FROM incidents ORDER BY rowid"
            cursor = conn.execute(incident_sql)
            columns = [d[0] for d in cursor.description]
            key = columns.index("incident_id")
            incidents = cursor.fetchall()
            cursor = conn.execute("SELECT * FROM updates ORDER BY id")
            update_key = [d[0] for d in cursor.description].index("incident_id")
            updates = cursor.fetchall()
        finally:
            conn.close()
        batch_of = {row[key]: int(row[key].split("-")[1]) // per_snapshot for row in incidents}
        batches: dict[int, Batch] = defaultdict(lambda: ([], []))
        for row in incidents:
            batches[batch_of[row[key]]][0].append(row)
        for row in updates:
            batches[batch_of[row[update_key]]][1].append(row)
        self.batches = [batches[n] for n in sorted(batches)]
        self.rows = len(incidents) + len(updates)

    def prepare(self, path: Path) -> sqlite3.Connection:
        conn = bare_connect(path)
        for statement in self.schema:
            conn.execute(statement)
        with transaction(conn, "BEGIN IMMEDIATE"):
            conn.executemany(f"INSERT INTO sources VALUES ({_marks(self.sources)})", self.sources)
        return conn

    def run(self, conn: sqlite3.Connection) -> None:
        for incidents, updates in self.batches:
            with transaction(conn, "BEGIN IMMEDIATE"):
                conn.executemany(f"INSERT INTO incidents VALUES ({_marks(incidents)})", incidents)
                if updates:
                    conn.executemany(f"INSERT INTO updates VALUES ({_marks(updates)})", updates)


def _marks(rows: Sequence[tuple[Any, ...]]) -> str:
    return ",".join("?" * len(rows[0]))


_HISTORY_INCIDENTS = """SELECT * FROM incidents i
    WHERE i.resolved_at IS NULL OR i.resolved_at >= ?
    ORDER BY i.started_at DESC, i.source_id, i.incident_id"""
_HISTORY_UPDATES = """SELECT u.* FROM updates u JOIN incidents i USING (source_id, incident_id)
    WHERE i.resolved_at IS NULL OR i.resolved_at >= ?"""


def bare_history(conn: sqlite3.Connection, since: str) -> int:
    with transaction(conn, "BEGIN"):
        incidents = conn.execute(_HISTORY_INCIDENTS, (since,)).fetchall()
        updates = conn.execute(_HISTORY_UPDATES, (since,)).fetchall()
    return len(incidents) + len(updates)


def bare_listing(conn: sqlite3.Connection, since: str) -> int:
    with transaction(conn, "BEGIN"):
        return len(conn.execute(_HISTORY_INCIDENTS, (since,)).fetchall())


def bare_repoll(conn: sqlite3.Connection, ids: list[str], seen: str) -> None:
    marks = ",".join("?" * len(ids))
    with transaction(conn, "BEGIN IMMEDIATE"):
        conn.execute(
            f"SELECT * FROM incidents WHERE source_id = ? AND incident_id IN ({marks})",
            (SOURCE, *ids),
        ).fetchall()
        conn.execute(
            f"SELECT incident_id, update_id FROM updates"
            f" WHERE source_id = ? AND incident_id IN ({marks})",
            (SOURCE, *ids),
        ).fetchall()
        conn.execute(
            "UPDATE incidents SET last_seen_at = ?"
            f" WHERE source_id = ? AND incident_id IN ({marks})",
            (seen, SOURCE, *ids),
        )
        conn.execute("UPDATE sources SET last_ingest_at = ? WHERE id = ?", (seen, SOURCE))


# ---------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--incidents", type=int, default=10_000, help="default 10,000")
    parser.add_argument("--updates-per-incident", type=int, default=10)
    parser.add_argument("--per-snapshot", type=int, default=10)
    parser.add_argument("--repeat", type=int, help="repetitions per figure (default 5, quick 3)")
    parser.add_argument("--quick", action="store_true", help="3 repetitions")
    args = parser.parse_args(argv)
    n_incidents = args.incidents
    repeat = args.repeat or (3 if args.quick else 5)
    per_snapshot = args.per_snapshot
    header(
        f"bench_store: {n_incidents:,} incidents x {args.updates_per_incident} updates, "
        f"median of {repeat}"
    )
    span = timedelta(days=85)
    incidents = [_incident(n, args.updates_per_incident, span) for n in range(n_incidents)]
    snapshots = [
        Snapshot(kind="statuspage", incidents=tuple(incidents[i : i + per_snapshot]))
        for i in range(0, len(incidents), per_snapshot)
    ]
    repoll_history = Snapshot(kind="statuspage", incidents=tuple(incidents[-REPOLL_INCIDENTS:]))
    repoll_ids = [i.id for i in repoll_history.incidents]
    total_updates = n_incidents * args.updates_per_incident
    del incidents
    fetched = NOW - timedelta(days=1)
    ok = True

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        path = work / "bench.sqlite3"

        # --- ingest: interleaved product / bare runs, each into an empty file ----------------
        store_runs: list[Cost] = []
        bare_runs: list[Cost] = []

        def product_ingest(n: int) -> None:
            target = path if n == 0 else work / f"ingest{n}.sqlite3"
            store = Store.open(target)
            try:

                def ingest_all() -> None:
                    for k, snap in enumerate(snapshots):
                        store.ingest(
                            SOURCE, snap, fetched + timedelta(seconds=k), lists_only_current=False
                        )

                store_runs.append(_timed(ingest_all)[0])
            finally:
                store.close()
            if n:
                target.unlink()

        def bare_run(n: int, bare_ingest: BareIngest) -> None:
            target = work / f"bare{n}.sqlite3"
            conn = bare_ingest.prepare(target)
            try:
                bare_runs.append(_timed(lambda: bare_ingest.run(conn))[0])
            finally:
                conn.close()
            target.unlink()

        product_ingest(0)  # also the file every query below reads
        bare_ingest = BareIngest(path, per_snapshot)
        for n in range(1, repeat + 1):
            if n % 2:
                bare_run(n, bare_ingest)
                product_ingest(n)
            else:
                product_ingest(n)
                bare_run(n, bare_ingest)
        snapshots.clear()
        gc.collect()
        rows = bare_ingest.rows
        store_ingest, bare_ingest_s = medians(store_runs[1:]), medians(bare_runs)
        print(
            f"ingest: {n_incidents // per_snapshot} snapshots, {n_incidents:,} incidents and "
            f"{total_updates:,} updates ({rows:,} rows): {store_ingest.wall:.2f} s wall, "
            f"{total_updates / store_ingest.wall:,.0f} updates/s"
        )
        ok &= judge("ingest", store_ingest, bare_ingest_s, "bare INSERTs of the same rows")

        store = Store.open(path)
        bare = bare_connect(path)
        try:
            # --- re-poll of an unchanged history --------------------------------------------
            clock = [NOW]

            def product_repoll() -> None:
                for _ in range(REPOLL_INGESTS):
                    clock[0] += timedelta(seconds=1)
                    store.ingest(SOURCE, repoll_history, clock[0], lists_only_current=False)

            def bare_repolls() -> None:
                for _ in range(REPOLL_INGESTS):
                    clock[0] += timedelta(seconds=1)
                    bare_repoll(bare, repoll_ids, ts(clock[0]))

            product_repoll()  # the first re-poll after the bulk ingest is not steady state
            repoll, bare_r = interleaved(product_repoll, bare_repolls, repeat)
            ok &= judge(
                "repoll_unchanged",
                repoll,
                bare_r,
                f"bare read-and-touch of the same {REPOLL_INCIDENTS} incidents, per ingest",
                per=REPOLL_INGESTS,
            )

            # --- 90-day history -------------------------------------------------------------
            since = NOW - timedelta(days=90)
            since_sql = ts(since)
            found = store.incidents(since=since)
            found_updates = sum(len(i.incident.updates) for i in found)
            bare_rows = bare_history(bare, since_sql)
            if bare_rows != len(found) + found_updates:
                print(f"  WARNING: bare history read {bare_rows} rows, the store {len(found)}+")
            history, bare_h = interleaved(
                lambda: store.incidents(since=since), lambda: bare_history(bare, since_sql), repeat
            )
            ok &= judge(
                "history_90d",
                history,
                bare_h,
                f"a bare SELECT of the same {len(found):,} incidents + {found_updates:,} updates",
            )
            listing, bare_l = interleaved(
                lambda: store.incidents(since=since, with_updates=False),
                lambda: bare_listing(bare, since_sql),
                repeat,
            )
            ok &= judge(
                "list_90d",
                listing,
                bare_l,
                f"a bare SELECT of the same {len(found):,} incident rows",
            )

            # --- figures without goals ------------------------------------------------------
            print("other figures:")
            info(
                "90-day history with text filter '#9999'",
                lambda: store.incidents(since=since, text="#9999"),
            )
            info("90-day history, newest 100", lambda: store.incidents(since=since, limit=100))
            info("recent_updates(200)", lambda: store.recent_updates(200))
            info("incident(one)", lambda: store.incident(SOURCE, "inc-500"))
        finally:
            bare.close()
            store.close()
        size = path.stat().st_size / 1e6
        info(
            f"reopen (integrity probe) of the {size:.0f} MB store", lambda: Store.open(path).close()
        )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
