"""Poll benchmark: one cycle over N sources served on loopback, as a ratio to a bare httpx fetch
of the same URLs in the same run (same concurrency), plus the steady-state share of 304s.

    python benchmarks/bench_poll.py [--sources 500]

Goal: steady-state cycle ≤ 1.5× the bare fetch (wall and CPU); ≥ 95% of polls answered 304 when
nothing changes.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from watchtui.config import SourceSpec, derive_endpoints
from watchtui.engine.poller import DEFAULT_CONCURRENCY, Poller
from watchtui.net.fetch import make_client
from watchtui.store import Store

# Run as `python benchmarks/bench_poll.py`: the test helpers live under the repo root.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.support.feedserver import FeedServer


def payload(i: int) -> bytes:
    components = [
        {
            "id": f"c{i}-{n}",
            "name": f"Component {n}",
            "status": "operational",
            "group": False,
            "group_id": None,
            "only_show_if_degraded": False,
        }
        for n in range(12)
    ]
    incidents = (
        [
            {
                "id": f"i{i}",
                "name": f"Elevated errors on page {i}",
                "status": "investigating",
                "impact": "minor",
                "created_at": "2026-07-29T11:00:00Z",
                "updated_at": "2026-07-29T11:30:00Z",
                "started_at": "2026-07-29T11:00:00Z",
                "resolved_at": None,
                "shortlink": "https://stspg.io/x",
                "components": [],
                "incident_updates": [
                    {
                        "id": f"u{i}-{k}",
                        "status": "investigating",
                        "body": "<p>Looking.</p>" * 5,
                        "created_at": "2026-07-29T11:00:00Z",
                        "display_at": "2026-07-29T11:00:00Z",
                        "updated_at": "2026-07-29T11:00:00Z",
                        "affected_components": None,
                    }
                    for k in range(3)
                ],
            }
        ]
        if i % 10 == 0
        else []
    )
    return json.dumps(
        {
            "page": {
                "id": "abcdefghijkl",
                "name": f"Page {i}",
                "url": "https://x",
                "updated_at": "2026-07-29T11:30:00Z",
            },
            "status": {"indicator": "none", "description": "All Systems Operational"},
            "components": components,
            "incidents": incidents,
            "scheduled_maintenances": [],
        }
    ).encode()


async def bare_fetch(urls: list[str]) -> None:
    semaphore = asyncio.Semaphore(DEFAULT_CONCURRENCY)

    async def one(client: httpx.AsyncClient, url: str) -> None:
        async with semaphore:
            response = await client.get(url)
            response.read()

    async with make_client() as client:
        await asyncio.gather(*(one(client, u) for u in urls))


def timed(coro_factory: object) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    asyncio.run(coro_factory())  # type: ignore[operator]
    return time.perf_counter() - wall, time.process_time() - cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sources", type=int, default=500)
    parser.add_argument("--steady-rounds", type=int, default=3)
    args = parser.parse_args()
    with FeedServer() as server, tempfile.TemporaryDirectory() as tmp:
        specs = []
        for i in range(args.sources):
            path = f"/p{i}/api/v2/summary.json"
            server.set(path, payload(i))
            url = server.url(path)
            specs.append(
                SourceSpec(
                    id=f"p{i}",
                    name=f"Page {i}",
                    kind="statuspage",
                    base_url=url,
                    interval=60,
                    endpoints=derive_endpoints("statuspage", url, 60),
                )
            )
        urls = [s.endpoints[0].url for s in specs]
        store = Store.open(Path(tmp) / "bench.sqlite3")
        clock_now = [datetime.now(UTC)]

        def clock() -> datetime:
            return clock_now[0]

        outcomes: Counter[str] = Counter()

        async def cycle() -> None:
            poller = Poller(store, specs, clock=clock)
            try:
                for o in await poller.poll_detailed(force=True):
                    outcomes[o.outcome] += 1
            finally:
                await poller.aclose()

        base_wall, base_cpu = timed(lambda: bare_fetch(urls))
        cold_wall, cold_cpu = timed(cycle)
        outcomes.clear()
        steady = []
        for _ in range(args.steady_rounds):
            clock_now[0] += timedelta(seconds=61)
            steady.append(timed(cycle))
        base2_wall, base2_cpu = timed(lambda: bare_fetch(urls))
        base_wall, base_cpu = min(base_wall, base2_wall), min(base_cpu, base2_cpu)
        steady_wall = min(w for w, _ in steady)
        steady_cpu = min(c for _, c in steady)
        share = outcomes["not_modified"] / max(1, sum(outcomes.values()))
        print(f"{args.sources} sources on loopback, concurrency {DEFAULT_CONCURRENCY}")
        print(f"bare httpx fetch:           wall {base_wall:6.2f}s  cpu {base_cpu:6.2f}s")
        print(
            f"cold cycle (parse+ingest):  wall {cold_wall:6.2f}s  cpu {cold_cpu:6.2f}s"
            f"  ratio wall {cold_wall / base_wall:4.2f}x cpu {cold_cpu / base_cpu:4.2f}x"
        )
        print(
            f"steady cycle (304s):        wall {steady_wall:6.2f}s  cpu {steady_cpu:6.2f}s"
            f"  ratio wall {steady_wall / base_wall:4.2f}x cpu {steady_cpu / base_cpu:4.2f}x"
            "  (goal ≤ 1.5x)"
        )
        print(f"steady-state 304 share: {share:.1%} (goal ≥ 95%) {dict(outcomes)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
