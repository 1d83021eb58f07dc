"""The soaks, run in a child process: ``python -m tests.reliability.soaks {soak|fault_soak} DIR``.

A fresh interpreter per soak, so the memory figures measure the soak itself and not whatever ran
earlier in the pytest process (a Textual app run, a 100 MB download, the allocator's state after
them).  The child runs the real poller, fetch layer, parsers and store against a loopback
``FeedServer`` on a fake clock, and prints one JSON line with everything it measured; the parent
test asserts on it.  A child that crashes prints no line, and the test fails with its stderr.

Soak: each cycle serves one step of ``watchtui.demo.Scenario`` (laps of 16 steps, each lap a new
start time so its incidents are new), advances the clock past every endpoint's interval and
polls; 304s, a 503 and an HTML challenge page come from the scenario itself.  Fault soak: one
source alternating between a good payload and an aborted or refused download.
"""

from __future__ import annotations

import asyncio
import gc
import json
import random
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

from tests.reliability.helpers import (
    T0,
    Clock,
    mib,
    open_fds,
    rss_bytes,
    scaled,
    single_endpoint_spec,
    sp_incident,
    sp_summary,
    sqlite_heap_bytes,
)
from tests.support.feedserver import Fault, FeedServer

from watchtui.config import SourceSpec, derive_endpoints
from watchtui.demo import DEMO_SOURCES, PEAK_STEP, STEPS, DemoSource, Scenario
from watchtui.engine.poller import Poller
from watchtui.sources import parse_payload
from watchtui.store import Store

INTERVAL = 15
STEP_SECONDS = 60.0  # > every interval and every early backoff, so each endpoint is due
# End each run on the scenario's busiest step, so the final comparison has open incidents.
LAPS = scaled(25, 625)
CYCLES = LAPS * STEPS + PEAK_STEP + 1
CI_SOURCES = ("demo-aws", "demo-azure", "demo-git", "demo-deploy")
SOURCES = scaled(
    tuple(s for s in DEMO_SOURCES if s.id in CI_SOURCES),
    DEMO_SOURCES,
)
WARMUP_CYCLES = max(3 * STEPS, CYCLES // 10)


def spec_for(source: DemoSource, base_url: str) -> SourceSpec:
    endpoints = tuple(
        e.model_copy(update={"interval": INTERVAL})
        for e in derive_endpoints(source.kind, source.config_url(base_url), INTERVAL)
    )
    return SourceSpec(
        id=source.id,
        name=source.name,
        kind=source.kind,
        base_url=source.config_url(base_url),
        interval=INTERVAL,
        endpoints=endpoints,
    )


def serve_step(server: FeedServer, scenario: Scenario, step: int) -> None:
    payloads = scenario.payloads(step)
    for source in SOURCES:
        for path in source.paths:
            payload = payloads[path]
            # clear() also drops the server's request log, which would otherwise grow here.
            server.clear(path)
            server.set(path, payload.body, status=payload.status, content_type=payload.content_type)


def expected_open(scenario: Scenario, step: int) -> set[tuple[str, str]]:
    """What the scenario's feeds say is open at ``step`` (parsed on their own, store-free)."""
    payloads = scenario.payloads(step)
    expected: set[tuple[str, str]] = set()
    for source in SOURCES:
        open_ids: set[str] = set()
        resolved: set[str] = set()
        for path in source.paths:
            payload = payloads[path]
            if payload.fault:
                raise RuntimeError("the final step must not be a fault step")
            snapshot = parse_payload(
                source.kind, payload.body, {"content-type": payload.content_type}
            )
            for item in (*snapshot.incidents, *snapshot.maintenances):
                (open_ids if item.resolved_at is None else resolved).add(item.id)
        expected |= {(source.id, iid) for iid in open_ids - resolved}
    return expected


def probe() -> dict[str, float | None]:
    gc.collect()
    sqlite = sqlite_heap_bytes()
    return {
        "rss_mib": mib(rss_bytes()),
        "sqlite_mib": mib(sqlite) if sqlite is not None else None,
        "fds": open_fds(),
    }


def memory_fields(
    start: dict[str, float | None], warm: dict[str, float | None], end: dict[str, float | None]
) -> dict[str, Any]:
    """RSS at the three probes, and how much of its growth after warm-up is SQLite's own heap
    (page caches fill as the database grows, up to their bound) rather than anything else."""
    rss = {name: p["rss_mib"] for name, p in (("start", start), ("warm", warm), ("end", end))}
    assert rss["end"] is not None and rss["warm"] is not None
    growth = round(rss["end"] - rss["warm"], 1)
    fields: dict[str, Any] = {f"rss_{name}_mib": value for name, value in rss.items()}
    fields["rss_growth_after_warmup_mib"] = growth
    fields["sqlite_start_mib"] = start["sqlite_mib"]
    fields["sqlite_warm_mib"] = warm["sqlite_mib"]
    fields["sqlite_end_mib"] = end["sqlite_mib"]
    sqlite_warm, sqlite_end = warm["sqlite_mib"], end["sqlite_mib"]
    if sqlite_warm is not None and sqlite_end is not None:
        fields["growth_outside_sqlite_mib"] = round(growth - (sqlite_end - sqlite_warm), 1)
    else:
        fields["growth_outside_sqlite_mib"] = growth
    return fields


async def soak(directory: Path) -> dict[str, Any]:
    clock = Clock()
    outcomes: Counter[str] = Counter()
    events: Counter[str] = Counter()
    with FeedServer() as server, Store.open(directory / "soak.sqlite3") as store:
        specs = [spec_for(s, server.base_url) for s in SOURCES]
        poller = Poller(store, specs, clock=clock, total_timeout=10.0, rng=random.Random(3))
        start = probe()
        warm: dict[str, float | None] = {}
        scenario = Scenario(T0, step_seconds=STEP_SECONDS)
        started = time.monotonic()
        try:
            for cycle in range(CYCLES):
                lap, step = divmod(cycle, STEPS)
                if step == 0:
                    # A new start each lap: new incident ids, later times.
                    lap_start = T0 + timedelta(seconds=lap * STEPS * STEP_SECONDS)
                    scenario = Scenario(lap_start, step_seconds=STEP_SECONDS)
                serve_step(server, scenario, step)
                clock.now = scenario.at(step)
                for outcome in await poller.poll_detailed():
                    outcomes[outcome.outcome] += 1
                    events.update(e.kind for e in outcome.events)
                if cycle + 1 == WARMUP_CYCLES:
                    warm = probe()
        finally:
            await poller.aclose()
        end = probe()
        elapsed = time.monotonic() - started
        stored_open = {(s.source_id, s.incident.id) for s in store.incidents(open_only=True)}
        wanted = expected_open(scenario, (CYCLES - 1) % STEPS)
        counts = store.counts()
    return {
        "cycles": CYCLES,
        "laps": LAPS,
        "sources": len(SOURCES),
        "endpoints": sum(len(s.paths) for s in SOURCES),
        "seconds": round(elapsed, 1),
        "cycles_per_second": round(CYCLES / elapsed, 1),
        **memory_fields(start, warm, end),
        "fds_start": start["fds"],
        "fds_warm": warm["fds"],
        "fds_end": end["fds"],
        "warmup_cycles": WARMUP_CYCLES,
        "outcomes": dict(outcomes),
        "events": dict(events),
        "stored_incidents": counts["incidents"],
        "stored_updates": counts["updates"],
        "open_expected": len(wanted),
        "open_stored": len(stored_open),
        "open_match": stored_open == wanted,
        "open_missing": sorted(wanted - stored_open),
        "open_extra": sorted(stored_open - wanted),
    }


FAULT_CYCLES = scaled(400, 8000)
FAULT_PATH = "/flaky/api/v2/summary.json"
FAULT_ROTATION: tuple[tuple[str, Fault | None], ...] = (
    ("reset", Fault.reset()),
    ("good", None),
    ("short body", Fault.truncated(b'{"page": {"id": "x"}')),
    ("good", None),
    ("endless", Fault.endless()),
    ("good", None),
    ("100 MB", Fault.huge(100 * 1024 * 1024)),
    ("good", None),
    ("gzip bomb", Fault.gzip_bomb(256 * 1024 * 1024)),
    ("good", None),
    ("503", Fault.status(503)),
    ("good", None),
    ("html", Fault.html_error_page()),
    ("good", None),
    ("redirect loop", Fault.redirect(FAULT_PATH)),
    ("good", None),
)
FAULT_WARMUP_CYCLES = len(FAULT_ROTATION) * 4


async def fault_soak(directory: Path) -> dict[str, Any]:
    clock = Clock()
    outcomes: Counter[str] = Counter()
    with FeedServer() as server, Store.open(directory / "faults.sqlite3") as store:
        spec = single_endpoint_spec("flaky", "statuspage", server.url(FAULT_PATH), INTERVAL)
        poller = Poller(store, [spec], clock=clock, total_timeout=10.0, rng=random.Random(5))
        start = probe()
        warm: dict[str, float | None] = {}
        started = time.monotonic()
        try:
            for cycle in range(FAULT_CYCLES):
                name, fault = FAULT_ROTATION[cycle % len(FAULT_ROTATION)]
                server.clear(FAULT_PATH)
                if fault is None:
                    # A new body every time: a 200 with content, never a 304.
                    server.set(FAULT_PATH, sp_summary([sp_incident(f"i{cycle}")]))
                else:
                    server.fault(FAULT_PATH, fault)
                # Past the longest backoff, so the endpoint is due every cycle.
                clock.advance(2000)
                (outcome,) = await poller.poll_detailed()
                outcomes[f"{name}: {outcome.outcome}"] += 1
                if cycle + 1 == FAULT_WARMUP_CYCLES:
                    warm = probe()
        finally:
            await poller.aclose()
        end = probe()
        open_now = sorted(s.incident.id for s in store.incidents(open_only=True))
    good = [c for c in range(FAULT_CYCLES) if FAULT_ROTATION[c % len(FAULT_ROTATION)][1] is None]
    return {
        "cycles": FAULT_CYCLES,
        "rotation": [n for n, _ in FAULT_ROTATION],
        "seconds": round(time.monotonic() - started, 1),
        **memory_fields(start, warm, end),
        "fds_start": start["fds"],
        "fds_warm": warm["fds"],
        "fds_end": end["fds"],
        "outcomes": dict(outcomes),
        "good_cycles": len(good),
        "open_now": open_now,
        "last_good": f"i{good[-1]}",
        "open_match": open_now == [f"i{good[-1]}"],
    }


def main(argv: list[str]) -> int:
    which, directory = argv[0], Path(argv[1])
    run = {"soak": soak, "fault_soak": fault_soak}[which]
    row = asyncio.run(run(directory))
    sys.stdout.write(json.dumps(row) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
