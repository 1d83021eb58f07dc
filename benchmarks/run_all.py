"""Run every benchmark and end with every goal's verdict.

    python benchmarks/run_all.py [--quick] [--only parse,poll,store,ui]

Each benchmark runs in its own interpreter (one after the other, never two at once), its output
shown as it comes.  At the end: the MEETS/MISSES line of every goal (and an ERROR line for a
benchmark that could not judge its goals), under the commit and tree state the run started from.
Published figures must come from a full (not ``--quick``) run of a clean tree at a named commit.

Exit status: 0 every goal met; 1 some goal missed; 2 some benchmark failed to judge its goals.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import VERDICT_PREFIXES, tree_state

HERE = Path(__file__).resolve().parent
BENCHMARKS = ("parse", "poll", "store", "ui")


def run_one(name: str, quick: bool) -> tuple[list[str], int, float]:
    argv = [sys.executable, str(HERE / f"bench_{name}.py"), *(["--quick"] if quick else [])]
    print(f"\n=== bench_{name} {'--quick' if quick else ''}".rstrip(), flush=True)
    started = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True, bufsize=1)
    assert process.stdout is not None
    verdicts: list[str] = []
    for line in process.stdout:
        sys.stdout.write(line)
        sys.stdout.flush()
        if line.startswith(VERDICT_PREFIXES):
            verdicts.append(line.rstrip("\n"))
    code = process.wait()
    return verdicts, code, time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="every benchmark's quick mode")
    parser.add_argument("--only", help=f"comma-separated subset of {','.join(BENCHMARKS)}")
    args = parser.parse_args(argv)
    chosen = [n.strip() for n in args.only.split(",")] if args.only else list(BENCHMARKS)
    unknown = sorted(set(chosen) - set(BENCHMARKS))
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}")

    before = tree_state()
    mode = "QUICK mode: not for publication" if args.quick else "full mode"
    print(f"watchtui benchmarks, {mode}; {before.describe()}", flush=True)

    summary: list[str] = []
    failed = False
    for name in chosen:
        verdicts, code, seconds = run_one(name, args.quick)
        summary.extend(verdicts)
        # A benchmark exits 0 (all met) or 1 (some missed); anything else, or no verdict at all,
        # means its goals were not judged.
        if code not in (0, 1) or not any(v.startswith(("MEETS", "MISSES")) for v in verdicts):
            summary.append(f"ERROR  bench_{name}: exited {code} after {seconds:.0f} s")
            failed = True

    after = tree_state()
    print("\n" + "=" * 100)
    print(f"SUMMARY ({mode}); started on {before.describe()}")
    if after != before:
        print(f"  the tree changed during the run; now: {after.describe()}")
    for line in summary:
        print(line)
    met = sum(line.startswith("MEETS") for line in summary)
    missed = sum(line.startswith("MISSES") for line in summary)
    errors = sum(line.startswith("ERROR") for line in summary)
    print(f"{met} met, {missed} missed, {errors} errors")
    if errors or failed:
        return 2
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
