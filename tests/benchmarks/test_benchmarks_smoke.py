"""Each benchmark still runs and judges every goal it states (tiny sizes; figures not checked).

The benchmarks live outside the package and import from it (and from ``tests.support``), so a
module that moves breaks them silently; this runs each one's smallest mode in a subprocess and
checks that every goal printed a MEETS or MISSES line and none an ERROR line.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, shared_feeds_dir

BENCHMARKS = ROOT / "benchmarks"

POLL_GOALS = ("poll.steady_cpu", "poll.steady_wall", "poll.steady_304_share")
STORE_GOALS = ("store.ingest", "store.repoll_unchanged", "store.history_90d", "store.list_90d")
UI_GOALS = ("ui.first_paint", "ui.rss_first_paint", "ui.rss_after_idle", "ui.idle_bytes")


def run_bench(name: str, *args: str, timeout: float = 60) -> list[str]:
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / f"bench_{name}.py"), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
    )
    lines = done.stdout.splitlines()
    errors = [line for line in lines if line.startswith("ERROR")]
    assert not errors, f"{errors}\n{done.stderr[-2000:]}"
    # 0: every goal met, 1: some missed; both are verdicts.
    assert done.returncode in (0, 1), done.stdout[-2000:] + done.stderr[-2000:]
    return [line for line in lines if line.startswith(("MEETS ", "MISSES "))]


def judged(verdicts: list[str], goal: str) -> bool:
    return any(line.split(" ", 1)[1].lstrip().startswith(f"{goal}:") for line in verdicts)


def test_parse_judges_every_payload() -> None:
    feeds = shared_feeds_dir()
    if feeds is None:
        pytest.skip("real feeds not found")
    payloads = [p for p in feeds.rglob("*") if p.is_file() and p.suffix != ".md"]
    verdicts = run_bench("parse", "--feeds", str(feeds), "--repeat", "1")
    assert len([v for v in verdicts if judged([v], "parse")]) == len(payloads)


def test_poll_judges_its_goals() -> None:
    verdicts = run_bench("poll", "--sources", "8", "--rounds", "1")
    assert all(judged(verdicts, goal) for goal in POLL_GOALS), verdicts


def test_store_judges_its_goals() -> None:
    verdicts = run_bench("store", "--incidents", "100", "--repeat", "1")
    assert all(judged(verdicts, goal) for goal in STORE_GOALS), verdicts


def test_ui_judges_its_goals() -> None:
    if not (Path(sys.executable).parent / "watchtui").exists():
        pytest.skip("the watchtui console script is not installed beside this interpreter")
    verdicts = run_bench(
        "ui",
        *("--runs", "1", "--idle", "0.5", "--quiet", "0.3"),
        *("--providers", "1", "--incidents-per-provider", "3"),
        *("--no-change", "--no-profile"),
    )
    assert all(judged(verdicts, goal) for goal in UI_GOALS), verdicts
