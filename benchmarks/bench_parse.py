"""Parse benchmark: parse+normalise of EVERY real payload, as a ratio to decoding the same bytes.

    python benchmarks/bench_parse.py [--feeds DIR] [--repeat N] [--quick]

For each file under ``../shared/feeds`` (captured from the live services; see its ``SOURCES.md``):

- the product: ``watchtui.sources.parse_payload(kind, data)`` with the kind ``sniff_kind`` finds
  (what ``kind = "auto"`` does; vetting is not included);
- the baseline, on the same bytes: ``json.loads(data)`` for JSON, and for RSS/Atom/XML the XML
  parser the product itself uses, ``defusedxml.ElementTree.fromstring(data, forbid_dtd=True)``.

Fair measurement:

- cold string cache: the sanitiser (``watchtui.domain.text``) memoises the cleaned form of short
  strings; every ``lru_cache`` in that module is cleared before every measured parse, so a payload
  is never measured against strings its previous repetition already cleaned.  One-time set-up that
  a running app pays once per process (imports, compiled regexes, the region table) is warmed by
  one unmeasured parse of each payload first;
- CPU time of the measuring thread (``time.thread_time``), which is what a parse costs: both sides
  are single-threaded and CPU-bound, and on a shared machine wall time is inflated by preemption,
  which hits a 10 ms parse far more often than a 0.3 ms decode and so skews the ratio with the
  load (the wall-clock ratio is printed too, for information);
- interleaved: each repetition times the baseline and the parse back to back (alternating which
  goes first), so drift in machine load hits both; the cyclic GC is collected once per payload and
  left enabled throughout, for both (collecting before every call would time each call with cold
  CPU caches, which inflates the micro-second baselines of the small payloads);
- medians of the repetitions.

Goal: parse <= 3x the baseline, for every payload (one MEETS/MISSES line each).

Where this goal measures something else than parser overhead (judged against it all the same,
until a different goal is agreed):

- HTML bodies: RSS/Atom descriptions, the Azure feed and AWS's legacy ``status-data`` carry HTML
  that must become plain text, a second parse of most of the bytes that neither ``json.loads`` nor
  the XML parser does.  The same-work floor there is the XML/JSON parse plus ``html.parser`` over
  the same bodies (about 8x the XML parse alone on the RSS/Atom payloads); a goal of <= 3x that
  floor would compare like with like;
- small payloads (a few KB, decoded in microseconds): the ratio is the parser's fixed per-call cost
  (building the snapshot's models) over a near-zero baseline; an absolute bound per parse (say
  <= 0.5 ms) says more there.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import defusedxml.ElementTree as SafeET

import watchtui.domain.text as text_module
from watchtui.sources import parse_payload
from watchtui.sources.sniff import sniff_kind

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import error, header, median, ratio, verdict

GOAL = 3.0
XML_KINDS = frozenset({"rss", "azure", "aws-rss"})
DEFAULT_FEEDS = Path(__file__).resolve().parents[2] / "shared" / "feeds"


def clear_text_caches() -> None:
    """Every memo in ``watchtui.domain.text`` (today: ``_clean_short_line``)."""
    for value in vars(text_module).values():
        cache_clear = getattr(value, "cache_clear", None)
        if callable(cache_clear):
            cache_clear()


def baseline_for(kind: str, data: bytes) -> tuple[str, Callable[[], object]]:
    if kind in XML_KINDS or data.lstrip()[:1] == b"<":
        return "defusedxml", lambda: SafeET.fromstring(data, forbid_dtd=True)
    # json.loads reads a BOM and UTF-16/32 from bytes itself (AWS serves UTF-16BE).
    return "json.loads", lambda: json.loads(data)


def _time(
    action: Callable[[], object], before: Callable[[], None] | None = None
) -> tuple[float, float]:
    """(CPU seconds of this thread, wall seconds) of one call."""
    if before is not None:
        before()
    wall, cpu = time.perf_counter(), time.thread_time()
    action()
    return time.thread_time() - cpu, time.perf_counter() - wall


@dataclass(frozen=True)
class Row:
    name: str
    kind: str
    size: int
    baseline: str
    base_s: float  # CPU, median
    parse_s: float
    wall_ratio: float  # of the wall-clock medians

    @property
    def ratio(self) -> float:
        return ratio(self.parse_s, self.base_s)


def measure(path: Path, feeds: Path, repeat: int) -> Row:
    data = path.read_bytes()
    kind = sniff_kind(data)
    baseline_name, baseline = baseline_for(kind, data)

    def parse() -> object:
        return parse_payload(kind, data)

    parse()  # warm the one-time set-up (imports, compiled patterns); then caches are cleared
    baseline()
    gc.collect()
    base: list[tuple[float, float]] = []
    parsed: list[tuple[float, float]] = []
    for n in range(repeat):
        if n % 2 == 0:
            base.append(_time(baseline))
            parsed.append(_time(parse, before=clear_text_caches))
        else:
            parsed.append(_time(parse, before=clear_text_caches))
            base.append(_time(baseline))
    return Row(
        str(path.relative_to(feeds)),
        kind,
        len(data),
        baseline_name,
        median(cpu for cpu, _ in base),
        median(cpu for cpu, _ in parsed),
        ratio(median(wall for _, wall in parsed), median(wall for _, wall in base)),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--feeds", type=Path, default=DEFAULT_FEEDS)
    parser.add_argument("--repeat", type=int, help="repetitions per payload (default 15, quick 5)")
    parser.add_argument("--quick", action="store_true", help="5 repetitions per payload")
    parser.add_argument("--only", help="only payloads whose path contains this text")
    args = parser.parse_args(argv)
    repeat = args.repeat or (5 if args.quick else 15)
    header(f"bench_parse: every real payload, cold string cache, CPU time, median of {repeat}")
    if not (args.feeds / "SOURCES.md").is_file():
        error("parse", f"real feeds not found at {args.feeds} (pass --feeds)")
        return 2
    paths = sorted(p for p in args.feeds.rglob("*") if p.is_file() and p.suffix != ".md")
    if args.only:
        paths = [p for p in paths if args.only in str(p.relative_to(args.feeds))]
    print(
        f"{'':6} {'':6} {'ratio':>6} {'base ms':>8} {'parse ms':>8} {'wall':>5} {'KB':>5}"
        f" {'kind':<11} {'baseline':<10} payload   (ms: CPU; wall: the wall-clock ratio)",
        flush=True,
    )
    all_ok = True
    for path in paths:
        name = str(path.relative_to(args.feeds))
        try:
            row = measure(path, args.feeds, repeat)
        except Exception as exc:  # a payload that no longer parses is a finding, not a crash
            error(f"parse {name}", f"{type(exc).__name__}: {exc}")
            all_ok = False
            continue
        all_ok &= verdict(
            "parse",
            row.ratio <= GOAL,
            f"{row.ratio:5.1f}x {row.base_s * 1e3:8.3f} {row.parse_s * 1e3:8.3f}"
            f" {row.wall_ratio:4.1f}x {row.size / 1024:5.0f} {row.kind:<11} {row.baseline:<10}"
            f" {row.name}",
            f"<= {GOAL:g}x",
        )
    return 0 if all_ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
