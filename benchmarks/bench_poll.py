"""Poll benchmark: watchtui's poll round over N loopback sources against a bare httpx client doing
the same exchanges, interleaved in one run; and the steady-state share of 304 answers.

    python benchmarks/bench_poll.py [--sources 500] [--rounds 7] [--quick]

``--quick`` runs fewer rounds, never fewer sources: each side has a per-round cost that does not
grow with the number of sources, so the ratios depend on it; the goals are stated for 500.

Both sides poll the same N Statuspage summaries (one endpoint each), served by the test feed
server (``tests/support/feedserver.py``) running in a SEPARATE PROCESS, so the CPU figures (user
plus system time of this process from ``getrusage``: the event loop and the poller's worker
threads) are the client's alone.

- watchtui: one ``Poller`` kept across rounds, as the app keeps it, running ``Poller.poll()`` (what
  the app's engine runs each round: fetch every due endpoint, parse and ingest what changed,
  bookkeeping and leases in the SQLite store, staleness check); between rounds its clock moves on by
  two intervals so every endpoint is due again;
- baseline: a bare ``httpx.AsyncClient`` from the same ``make_client()`` (same limits, headers),
  kept across rounds, the same concurrency (a semaphore of ``DEFAULT_CONCURRENCY``), sending the
  same validators (``If-None-Match`` and ``If-Modified-Since`` remembered from each URL's last
  answer), so in steady state both get 304s.

Each side has one unmeasured cold round (full 200s: the baseline just reads the bodies, watchtui
also parses and ingests them; printed for information) and ``WARMUP_ROUNDS`` unmeasured warm-up
rounds of 304s (printed for information too); then the steady rounds alternate which side goes
first, the cyclic GC is collected before each, and the goals are judged on the median of the
paired rounds' ratios (below).

Why five warm-up rounds: both sides take several rounds to settle after the cold one (measured at
2671c4d over 15 rounds: the bare client's first were 541, 424, 449 ms against about 340 after, and
watchtui's 647, 738, 597, 528 against about 395 after), and with one warm-up round the medians of
7 compared one side's transient with the other's steady state (1.54x one run, 1.19x the next).

Why the ratio is the median of paired rounds (each watchtui round against the bare round run next
to it) rather than the ratio of the two medians: this machine's speed drifts in phases of several
rounds, and two 15-round runs at 990043c gave a ratio of medians of 1.51x and 1.13x where the
paired medians were 1.21x and 1.14x.  The ratio of the medians is printed too.

Goals (steady state, nothing changed): CPU <= 1.3x the bare client; wall <= 1.5x; >= 95% of
watchtui's polls answered 304 (counted from the store's fetch log: an endpoint it skipped counts
against it).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from watchtui.config import SourceSpec, derive_endpoints
from watchtui.engine.poller import DEFAULT_CONCURRENCY, Poller
from watchtui.net.fetch import make_client
from watchtui.store import Store

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import ROOT, error, header, median, ratio, verdict

INTERVAL = 60
WARMUP_ROUNDS = 5
CPU_GOAL = 1.3
WALL_GOAL = 1.5
SHARE_GOAL = 0.95
LAST_MODIFIED = datetime(2026, 7, 29, 11, 30, tzinfo=UTC)


def payload(i: int) -> bytes:
    """A Statuspage summary: 12 components; every tenth page has an open incident."""
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


def path_of(i: int) -> str:
    return f"/p{i}/api/v2/summary.json"


# ---------------------------------------------------------------------------------------------
# The server, in its own process


def serve(sources: int) -> int:
    """``--serve N``: serve N summaries (ETag and Last-Modified), print the base URL, and run
    until stdin closes."""
    sys.path.insert(0, str(ROOT))
    from tests.support.feedserver import FeedServer

    with FeedServer() as server:
        for i in range(sources):
            server.set(path_of(i), payload(i), last_modified=LAST_MODIFIED)
        print(server.base_url, flush=True)
        sys.stdin.read()
    return 0


@dataclass
class ServerProcess:
    sources: int
    process: subprocess.Popen[str] | None = None
    base_url: str = ""

    def __enter__(self) -> ServerProcess:
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--serve", str(self.sources)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        self.base_url = self.process.stdout.readline().strip()
        if not self.base_url.startswith("http://"):
            self.__exit__()
            raise RuntimeError("the feed server process did not start")
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self.process is None:
            return
        if self.process.stdin is not None:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)


# ---------------------------------------------------------------------------------------------
# The two sides


@dataclass
class BareClient:
    """httpx alone: conditional GETs with the validators each URL last answered with."""

    urls: list[str]
    client: httpx.AsyncClient = field(default_factory=make_client)
    validators: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    statuses: Counter[int] = field(default_factory=Counter)

    async def round(self) -> None:
        semaphore = asyncio.Semaphore(DEFAULT_CONCURRENCY)

        async def one(url: str) -> None:
            async with semaphore:
                etag, last_modified = self.validators.get(url, (None, None))
                headers = {}
                if etag:
                    headers["If-None-Match"] = etag
                if last_modified:
                    headers["If-Modified-Since"] = last_modified
                response = await self.client.get(url, headers=headers)
                self.statuses[response.status_code] += 1
                if response.status_code == 200:
                    self.validators[url] = (
                        response.headers.get("etag"),
                        response.headers.get("last-modified"),
                    )

        await asyncio.gather(*(one(url) for url in self.urls))


@dataclass
class Figures:
    wall: list[float] = field(default_factory=list)
    user: list[float] = field(default_factory=list)
    system: list[float] = field(default_factory=list)

    @property
    def cpu(self) -> list[float]:
        return [u + s for u, s in zip(self.user, self.system, strict=True)]

    def add(self, wall: float, user: float, system: float) -> None:
        self.wall.append(wall)
        self.user.append(user)
        self.system.append(system)


async def timed(action: Callable[[], Awaitable[object]]) -> tuple[float, float, float]:
    """Wall, user CPU and system CPU seconds of this process (every thread) during ``action``."""
    gc.collect()
    wall, before = time.perf_counter(), resource.getrusage(resource.RUSAGE_SELF)
    await action()
    after = resource.getrusage(resource.RUSAGE_SELF)
    return (
        time.perf_counter() - wall,
        after.ru_utime - before.ru_utime,
        after.ru_stime - before.ru_stime,
    )


def fetch_outcomes(db: Path, since: datetime) -> Counter[str]:
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute(
            "SELECT outcome, count(*) FROM fetch_log WHERE at >= ? GROUP BY outcome",
            (since.isoformat(timespec="microseconds"),),
        ).fetchall()
    finally:
        conn.close()
    return Counter({outcome: count for outcome, count in rows})


@dataclass
class Result:
    sources: int
    rounds: int
    cold_bare: tuple[float, float, float]
    cold_watch: tuple[float, float, float]
    warmup_bare: Figures
    warmup_watch: Figures
    bare: Figures
    watch: Figures
    outcomes: Counter[str]
    bare_statuses: Counter[int]


async def run(base_url: str, sources: int, rounds: int, db: Path) -> Result:
    specs = []
    for i in range(sources):
        url = base_url + path_of(i)
        specs.append(
            SourceSpec(
                id=f"p{i}",
                name=f"Page {i}",
                kind="statuspage",
                base_url=url,
                interval=INTERVAL,
                endpoints=derive_endpoints("statuspage", url, INTERVAL),
            )
        )
    assert all(len(spec.endpoints) == 1 for spec in specs)
    store = Store.open(db)
    now = [datetime.now(UTC)]

    def clock() -> datetime:
        return now[0]

    poller = Poller(store, specs, clock=clock)
    bare = BareClient([spec.endpoints[0].url for spec in specs])

    async def watch_round() -> None:
        now[0] += timedelta(seconds=2 * INTERVAL)  # every endpoint is due again
        await poller.poll()

    try:
        cold_bare = await timed(bare.round)
        cold_watch = await timed(watch_round)
        warmup_bare, warmup_watch = Figures(), Figures()
        for _ in range(WARMUP_ROUNDS):
            warmup_bare.add(*await timed(bare.round))
            warmup_watch.add(*await timed(watch_round))
        bare.statuses.clear()
        steady_since = now[0] + timedelta(seconds=1)
        bare_figures, watch_figures = Figures(), Figures()
        for n in range(rounds):
            if n % 2 == 0:
                bare_figures.add(*await timed(bare.round))
                watch_figures.add(*await timed(watch_round))
            else:
                watch_figures.add(*await timed(watch_round))
                bare_figures.add(*await timed(bare.round))
    finally:
        await poller.aclose()
        await bare.client.aclose()
        store.close()
    outcomes = fetch_outcomes(db, steady_since)
    return Result(
        sources,
        rounds,
        cold_bare,
        cold_watch,
        warmup_bare,
        warmup_watch,
        bare_figures,
        watch_figures,
        outcomes,
        bare.statuses,
    )


def paired_ratio(product: list[float], baseline: list[float]) -> float:
    """The median of each steady round's ratio to the baseline round run next to it.  This
    machine's speed drifts in phases of several rounds; a ratio of the two sides' medians can set
    one side's slow phase against the other's fast one, a round against its neighbour cannot."""
    return median(ratio(p, b) for p, b in zip(product, baseline, strict=True))


def report(r: Result) -> bool:
    def runs(values: list[float]) -> str:
        return ", ".join(f"{v * 1000:.0f}" for v in values)

    bw, bc = median(r.bare.wall), median(r.bare.cpu)
    ww, wc = median(r.watch.wall), median(r.watch.cpu)
    print(
        f"{r.sources} sources on loopback (server in its own process), concurrency "
        f"{DEFAULT_CONCURRENCY}, {r.rounds} steady rounds per side, medians"
    )
    print(
        f"cold round, for information (200s; watchtui also parses and ingests): bare wall "
        f"{r.cold_bare[0] * 1000:.0f} ms cpu {sum(r.cold_bare[1:]) * 1000:.0f} ms; watchtui wall "
        f"{r.cold_watch[0] * 1000:.0f} ms cpu {sum(r.cold_watch[1:]) * 1000:.0f} ms"
    )
    print(
        f"warm-up, {WARMUP_ROUNDS} rounds of 304s each, for information: cpu (ms) bare "
        f"{runs(r.warmup_bare.cpu)}; watchtui {runs(r.warmup_watch.cpu)}"
    )
    for label, side in (("bare httpx", r.bare), ("watchtui", r.watch)):
        print(
            f"steady {label + ':':<12} wall {median(side.wall) * 1000:6.0f} ms  cpu "
            f"{median(side.cpu) * 1000:6.0f} ms (user {median(side.user) * 1000:.0f}, system "
            f"{median(side.system) * 1000:.0f})"
        )
        print(f"  runs (ms): wall {runs(side.wall)}; cpu {runs(side.cpu)}")
    expected = r.sources * r.rounds
    not_modified = r.outcomes.get("not_modified", 0)
    share = not_modified / expected if expected else 0.0
    bare_304 = r.bare_statuses.get(304, 0) / max(1, sum(r.bare_statuses.values()))
    print(
        f"steady outcomes: watchtui {dict(r.outcomes)} of {expected} endpoint polls; "
        f"bare HTTP statuses {dict(r.bare_statuses)} ({bare_304:.1%} 304)"
    )
    cpu_ratio = paired_ratio(r.watch.cpu, r.bare.cpu)
    wall_ratio = paired_ratio(r.watch.wall, r.bare.wall)
    print(
        f"ratio of the medians, for information: cpu {ratio(wc, bc):.2f}x, "
        f"wall {ratio(ww, bw):.2f}x"
    )
    ok = verdict(
        "poll.steady_cpu",
        cpu_ratio <= CPU_GOAL,
        f"{cpu_ratio:.2f}x the bare client, median of {r.rounds} paired rounds (medians "
        f"{wc * 1000:.0f} vs {bc * 1000:.0f} ms CPU)",
        f"<= {CPU_GOAL}x",
    )
    ok &= verdict(
        "poll.steady_wall",
        wall_ratio <= WALL_GOAL,
        f"{wall_ratio:.2f}x the bare client, median of {r.rounds} paired rounds (medians "
        f"{ww * 1000:.0f} vs {bw * 1000:.0f} ms)",
        f"<= {WALL_GOAL}x",
    )
    ok &= verdict(
        "poll.steady_304_share",
        share >= SHARE_GOAL,
        f"{share:.1%} of {expected} polls answered 304",
        f">= {SHARE_GOAL:.0%}",
    )
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sources", type=int, default=500, help="sources (default 500)")
    parser.add_argument("--rounds", type=int, help="steady rounds per side (default 7, quick 3)")
    parser.add_argument("--quick", action="store_true", help="3 steady rounds per side")
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve is not None:
        return serve(args.serve)
    sources = args.sources
    rounds = args.rounds or (3 if args.quick else 7)
    header(f"bench_poll: {sources} sources, steady state against a bare httpx client")
    try:
        with ServerProcess(sources) as server, tempfile.TemporaryDirectory() as tmp:
            result = asyncio.run(run(server.base_url, sources, rounds, Path(tmp) / "bench.sqlite3"))
    except Exception as exc:
        error("poll", f"the benchmark failed: {type(exc).__name__}: {exc}")
        raise
    return 0 if report(result) else 1


if __name__ == "__main__":
    raise SystemExit(main())
