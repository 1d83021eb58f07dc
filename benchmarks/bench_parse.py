"""Parse benchmark: parse+normalise time of every real payload as a ratio to a bare decode.

The baseline is measured in the same run on the same bytes (``json.loads``, or
``xml.etree.ElementTree.fromstring`` for XML), so the ratio means something on a noisy machine.
Goal: ≤ 3× on the 1.35 MB GCP feed and the 212 KB Cloudflare summary.

    python benchmarks/bench_parse.py [--feeds DIR] [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

from watchtui.sources import parse_payload
from watchtui.sources.sniff import sniff_kind

GOALS = {
    "gcp/incidents_2022-07-03.json": 3.0,
    "statuspage/cloudflare/summary_2026-07-29_major.json": 3.0,
}


def _best(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    # The minimum is the least noisy estimate of the cost itself; report the median alongside.
    return min(times)


def _baseline(data: bytes) -> Callable[[], object]:
    if data.lstrip()[:1] == b"<":
        return lambda: ET.fromstring(data)
    if data[:2] in (b"\xfe\xff", b"\xff\xfe"):
        return lambda: json.loads(data.decode("utf-16"))
    return lambda: json.loads(data)


def main() -> int:
    default_feeds = Path(__file__).resolve().parent.parent.parent / "shared" / "feeds"
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--feeds", type=Path, default=default_feeds)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    if not (args.feeds / "SOURCES.md").is_file():
        print(f"real feeds not found at {args.feeds}", file=sys.stderr)
        return 2
    print(f"{'payload':<68} {'KB':>6} {'base ms':>8} {'parse ms':>9} {'ratio':>6}")
    failed = False
    for path in sorted(p for p in args.feeds.rglob("*") if p.is_file() and p.suffix != ".md"):
        data = path.read_bytes()
        relative = str(path.relative_to(args.feeds))
        kind = sniff_kind(data)
        base = _best(_baseline(data), args.repeat)
        parsed = _best(lambda data=data, kind=kind: parse_payload(kind, data), args.repeat)
        ratio = parsed / base if base else float("inf")
        goal = GOALS.get(relative)
        mark = ""
        if goal is not None:
            mark = (
                f"  ok (goal ≤ {goal:.1f}×)" if ratio <= goal else f"  MISSED (goal ≤ {goal:.1f}×)"
            )
            failed |= ratio > goal
        print(
            f"{relative:<68} {len(data) / 1024:6.0f} {base * 1e3:8.2f} {parsed * 1e3:9.2f}"
            f" {ratio:5.1f}×{mark}"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
