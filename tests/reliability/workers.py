"""Child processes of the crash and concurrency tests: ``python -m tests.reliability.workers ...``.

Each concurrency worker prints one JSON line on stdout when it finishes; exceptions are caught and
reported in it rather than left to kill the process, so the parent can say exactly what reached
which process.  The ingest loop only ever ends by SIGKILL: it says ``opening`` just before it
opens (creates, migrates) its store and ``ingesting`` just before its first write, so the parent
kills only a child that reached the operation under test.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import sys
import time
import traceback
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from watchtui.config import Endpoint, SourceSpec
from watchtui.domain.model import Component, Incident, IncidentUpdate, Snapshot
from watchtui.store import Store

# The crash snapshots: every snapshot adds INCIDENTS_PER_SNAPSHOT incidents, each with exactly
# UPDATES_PER_INCIDENT updates, so a half-written ingest is visible as a count that is off.
INCIDENTS_PER_SNAPSHOT = 50
UPDATES_PER_INCIDENT = 4
COMPONENTS = 300
CRASH_SOURCE = "crash"
_BASE = datetime(2026, 1, 1, tzinfo=UTC)
_FILLER = "Engineers are investigating elevated error rates; more details to follow. " * 4


def crash_snapshot(index: int) -> Snapshot:
    """Snapshot ``index``: its own new incidents plus the previous snapshot's, re-listed with a
    new status (so ingest both inserts and updates in one transaction)."""
    incidents = [_incident(index, j, "investigating") for j in range(INCIDENTS_PER_SNAPSHOT)]
    if index > 0:
        incidents += [_incident(index - 1, j, "identified") for j in range(INCIDENTS_PER_SNAPSHOT)]
    statuses = ("operational", "degraded", "partial_outage", "major_outage")
    components = tuple(
        Component(id=f"c{n}", name=f"Component {n}", status=statuses[(n + index) % 4])
        for n in range(COMPONENTS)
    )
    return Snapshot(kind="statuspage", components=components, incidents=tuple(incidents))


def _incident(index: int, j: int, status: str) -> Incident:
    started = _BASE + timedelta(minutes=index)
    iid = f"s{index}-i{j}"
    updates = tuple(
        IncidentUpdate(
            id=f"{iid}-u{k}",
            at=started + timedelta(seconds=k),
            status="investigating",
            text=f"{iid} update {k}. {_FILLER}",
        )
        for k in reversed(range(UPDATES_PER_INCIDENT))
    )
    updated = started + timedelta(seconds=UPDATES_PER_INCIDENT + (status != "investigating"))
    return Incident(
        id=iid,
        title=f"Incident {iid}",
        status=status,
        impact="major",
        started_at=started,
        updated_at=updated,
        updates=updates,
    )


OPENING = "opening"
INGESTING = "ingesting"


def _say(marker: str) -> None:
    sys.stdout.write(marker + "\n")
    sys.stdout.flush()


def ingest_forever(db: Path) -> None:
    """Ingest ever newer snapshots until killed, continuing where the last (killed) run stopped."""
    _say(OPENING)
    store = Store.open(db)
    index = store.counts()["incidents"] // INCIDENTS_PER_SNAPSHOT
    _say(INGESTING)
    url = "https://crash.example/api/v2/summary.json"
    while True:
        at = _BASE + timedelta(minutes=index, seconds=30)
        store.ingest(CRASH_SOURCE, crash_snapshot(index), at, lists_only_current=False)
        store.record_fetch(CRASH_SOURCE, url, at, "ok", http_status=200, bytes=1)
        store.set_next_due(url, at + timedelta(seconds=60), source_id=CRASH_SOURCE)
        index += 1


# --- concurrency workers ------------------------------------------------------------------


def overview_marker(store: Store) -> str:
    """What the UI reads for its overview (open incidents, components, recent updates, a 30-day
    list), read in one snapshot and digested: it differs exactly when the content did.

    PRAGMA data_version cannot serve as this marker: it is per connection, so a viewer that
    reconnects sees it start again and counts a change that never happened.
    """
    with store.reading():
        read = (
            store.incidents(open_only=True),
            store.components(),
            store.recent_updates(100),
            store.incidents(since=datetime.now(UTC) - timedelta(days=30), limit=200),
        )
    return hashlib.sha256(repr(read).encode()).hexdigest()


class ChangeCounter:
    """Changes seen between consecutive markers; the first marker is the baseline."""

    def __init__(self) -> None:
        self.last: str | None = None
        self.changes = 0

    def see(self, marker: str) -> None:
        if self.last is not None and marker != self.last:
            self.changes += 1
        self.last = marker


def viewer(db: Path, seconds: float) -> dict[str, Any]:
    """The UI's read pattern: open, read the overview, poll data_version; repeat."""
    errors: list[str] = []
    rounds = 0
    counter = ChangeCounter()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with Store.open(db) as store:
                for _ in range(5):
                    counter.see(overview_marker(store))
                    store.data_version()
                    rounds += 1
        except Exception as exc:
            errors.append(f"{type(exc).__name__}: {exc}")
            time.sleep(0.05)
    return {"role": "viewer", "rounds": rounds, "changes_seen": counter.changes, "errors": errors}


def collector(db: Path, base_url: str, paths: list[str], interval: int, seconds: float) -> Any:
    """``Poller.run`` on the real clock for ``seconds``; every exception is reported."""
    specs = [
        SourceSpec(
            id=f"src{n}",
            name=f"Source {n}",
            kind="statuspage",
            base_url=base_url + path,
            interval=interval,
            endpoints=(
                Endpoint(
                    url=base_url + path,
                    role="current",
                    interval=interval,
                    lists_only_current=True,
                ),
            ),
        )
        for n, path in enumerate(paths)
    ]
    return asyncio.run(_collect(db, specs, seconds))


async def _collect(db: Path, specs: list[SourceSpec], seconds: float) -> dict[str, Any]:
    # Imported here: the ingest child, started hundreds of times by the kill tests, skips it.
    from watchtui.engine.poller import Poller

    errors: list[str] = []
    fetch_errors: list[str] = []
    outcomes: dict[str, int] = {}
    store = Store.open(db)
    poller = Poller(store, specs, total_timeout=10.0)
    original = poller.poll_detailed

    async def counted(**kwargs: Any) -> Any:
        results = await original(**kwargs)
        for result in results:
            outcomes[result.outcome] = outcomes.get(result.outcome, 0) + 1
            if result.error:
                fetch_errors.append(f"{result.url}: {result.error}")
        return results

    poller.poll_detailed = counted  # type: ignore[method-assign]
    stop = asyncio.Event()
    asyncio.get_running_loop().call_later(seconds, stop.set)
    events = 0

    def on_events(batch: list[Any]) -> None:
        nonlocal events
        events += len(batch)

    try:
        while not stop.is_set():
            try:
                await poller.run(stop, on_events, tick=0.2)
            except Exception as exc:
                # Poller.run ended: note why and go on, as the app's worker would.
                errors.append(f"{type(exc).__name__}: {exc}")
    finally:
        await poller.aclose()
        store.close()
    return {
        "role": "collector",
        "outcomes": outcomes,
        "events": events,
        "errors": errors,
        "fetch_errors": fetch_errors,
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="role", required=True)
    ingest = sub.add_parser("ingest")
    ingest.add_argument("db", type=Path)
    view = sub.add_parser("viewer")
    view.add_argument("db", type=Path)
    view.add_argument("seconds", type=float)
    collect = sub.add_parser("collector")
    collect.add_argument("db", type=Path)
    collect.add_argument("base_url")
    collect.add_argument("interval", type=int)
    collect.add_argument("seconds", type=float)
    collect.add_argument("paths", nargs="+")
    args = parser.parse_args(argv)
    if args.role == "ingest":
        ingest_forever(args.db)
        return 0
    try:
        if args.role == "viewer":
            result = viewer(args.db, args.seconds)
        else:
            result = collector(args.db, args.base_url, args.paths, args.interval, args.seconds)
    except Exception:
        result = {"role": args.role, "errors": [traceback.format_exc()]}
    sys.stdout.write(json.dumps(result) + "\n")
    return 1 if result["errors"] or result.get("fetch_errors") else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
