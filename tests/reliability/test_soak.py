"""Accelerated soak: thousands of poll cycles against the demo scenario, on a fake clock.

Each cycle serves one step of ``watchtui.demo.Scenario`` (laps of 16 steps, each lap a new start
time so its incidents are new), advances the clock past every endpoint's interval and polls.  The
real poller, fetch layer, parsers and store run throughout; 304s, a 503 and an HTML challenge page
come from the scenario itself.  Resident memory and open file descriptors are measured at the
start, after warm-up and at the end; after warm-up they must stay flat.  At the end the store's
open incidents must be exactly what the scenario's last step says is open.
"""

from __future__ import annotations

import asyncio
import gc
import random
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

from tests.reliability.conftest import Record
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
LAPS = scaled(62, 625)
CYCLES = LAPS * STEPS + PEAK_STEP + 1
CI_SOURCES = ("demo-aws", "demo-azure", "demo-git", "demo-deploy")
SOURCES = scaled(
    tuple(s for s in DEMO_SOURCES if s.id in CI_SOURCES),
    DEMO_SOURCES,
)
WARMUP_CYCLES = max(3 * STEPS, CYCLES // 10)
RSS_TOLERANCE_MIB = scaled(16.0, 24.0)
FD_TOLERANCE = 4


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
            assert not payload.fault, "the final step must not be a fault step"
            snapshot = parse_payload(
                source.kind, payload.body, {"content-type": payload.content_type}
            )
            for item in (*snapshot.incidents, *snapshot.maintenances):
                (open_ids if item.resolved_at is None else resolved).add(item.id)
        expected |= {(source.id, iid) for iid in open_ids - resolved}
    return expected


def probe() -> dict[str, float]:
    gc.collect()
    return {"rss_mib": mib(rss_bytes()), "fds": open_fds()}


def test_soak(tmp_path: Path, record: Record) -> None:
    row: dict[str, Any] = {
        "cycles": CYCLES,
        "sources": len(SOURCES),
        "endpoints": sum(len(s.paths) for s in SOURCES),
    }
    try:
        asyncio.run(soak(tmp_path, row))
    finally:
        record("soak", **row)


async def soak(tmp_path: Path, row: dict[str, Any]) -> None:
    clock = Clock()
    outcomes: Counter[str] = Counter()
    events: Counter[str] = Counter()
    with FeedServer() as server, Store.open(tmp_path / "soak.sqlite3") as store:
        specs = [spec_for(s, server.base_url) for s in SOURCES]
        poller = Poller(store, specs, clock=clock, total_timeout=10.0, rng=random.Random(3))
        start = probe()
        warm: dict[str, float] = {}
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
    row.update(
        seconds=round(elapsed, 1),
        cycles_per_second=round(CYCLES / elapsed, 1),
        rss_start_mib=start["rss_mib"],
        rss_warm_mib=warm.get("rss_mib"),
        rss_end_mib=end["rss_mib"],
        rss_growth_after_warmup_mib=round(end["rss_mib"] - warm["rss_mib"], 1),
        fds_start=start["fds"],
        fds_warm=warm.get("fds"),
        fds_end=end["fds"],
        warmup_cycles=WARMUP_CYCLES,
        outcomes=dict(outcomes),
        events=dict(events),
        stored_incidents=counts["incidents"],
        stored_updates=counts["updates"],
        open_expected=len(wanted),
        open_stored=len(stored_open),
        open_match=stored_open == wanted,
    )
    assert stored_open == wanted, (sorted(stored_open - wanted), sorted(wanted - stored_open))
    assert end["rss_mib"] - warm["rss_mib"] <= RSS_TOLERANCE_MIB
    assert end["fds"] - warm["fds"] <= FD_TOLERANCE
    assert outcomes["ok"] > 0 and outcomes["not_modified"] > 0
    # The scenario's own faults (a 503, an HTML challenge page) and nothing else.
    assert outcomes["error"] + outcomes["drifted"] <= 2 * (LAPS + 1)


# --- fault soak ------------------------------------------------------------------------------

FAULT_CYCLES = scaled(800, 8000)
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


def is_good(cycle: int) -> bool:
    return FAULT_ROTATION[cycle % len(FAULT_ROTATION)][1] is None


def test_fault_soak(tmp_path: Path, record: Record) -> None:
    """Aborted downloads (resets, endless and oversized bodies, bombs) over and over: no
    descriptor, connection or memory may leak from the fetch layer."""
    row: dict[str, Any] = {"cycles": FAULT_CYCLES, "rotation": [n for n, _ in FAULT_ROTATION]}
    try:
        asyncio.run(fault_soak(tmp_path, row))
    finally:
        record("fault_soak", **row)


async def fault_soak(tmp_path: Path, row: dict[str, Any]) -> None:
    clock = Clock()
    outcomes: Counter[str] = Counter()
    with FeedServer() as server, Store.open(tmp_path / "faults.sqlite3") as store:
        spec = single_endpoint_spec("flaky", "statuspage", server.url(FAULT_PATH), INTERVAL)
        poller = Poller(store, [spec], clock=clock, total_timeout=10.0, rng=random.Random(5))
        start = probe()
        warm: dict[str, float] = {}
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
                if cycle + 1 == len(FAULT_ROTATION) * 4:
                    warm = probe()
        finally:
            await poller.aclose()
        end = probe()
        open_now = {s.incident.id for s in store.incidents(open_only=True)}
    last_good = max(
        c for c in range(FAULT_CYCLES) if FAULT_ROTATION[c % len(FAULT_ROTATION)][1] is None
    )
    row.update(
        seconds=round(time.monotonic() - started, 1),
        rss_start_mib=start["rss_mib"],
        rss_warm_mib=warm["rss_mib"],
        rss_end_mib=end["rss_mib"],
        rss_growth_after_warmup_mib=round(end["rss_mib"] - warm["rss_mib"], 1),
        fds_start=start["fds"],
        fds_warm=warm["fds"],
        fds_end=end["fds"],
        outcomes=dict(outcomes),
        open_match=open_now == {f"i{last_good}"},
    )
    good_cycles = sum(
        1 for c in range(FAULT_CYCLES) if FAULT_ROTATION[c % len(FAULT_ROTATION)][1] is None
    )
    assert sum(v for k, v in outcomes.items() if k.startswith("good: ok")) == good_cycles
    assert not any(k.endswith(": ok") for k in outcomes if not k.startswith("good"))
    assert open_now == {f"i{last_good}"}
    assert end["fds"] - warm["fds"] <= FD_TOLERANCE
    assert end["rss_mib"] - warm["rss_mib"] <= RSS_TOLERANCE_MIB
