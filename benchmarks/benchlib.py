"""What every benchmark shares: the verdict line, medians, and the state of the checkout.

Every goal is judged by one line that starts with ``MEETS`` or ``MISSES``::

    MEETS  poll.steady_cpu: 1.12x the bare client (goal <= 1.3x)

``run_all.py`` collects exactly those lines (and ``ERROR`` lines, printed when a benchmark cannot
judge a goal at all), so a goal without such a line is a goal nobody judged.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VERDICT_PREFIXES = ("MEETS", "MISSES", "ERROR")


def verdict(name: str, ok: bool, figure: str, goal: str) -> bool:
    """Print one goal's verdict; returns ``ok`` so callers can fold the exit status."""
    word = "MEETS " if ok else "MISSES"
    print(f"{word} {name}: {figure} (goal {goal})", flush=True)
    return ok


def error(name: str, reason: str) -> None:
    """A goal that could not be judged (the measurement itself failed)."""
    print(f"ERROR  {name}: {reason}", flush=True)


def median(values: Iterable[float]) -> float:
    return statistics.median(list(values))


def ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator > 0 else float("inf")


@dataclass(frozen=True)
class TreeState:
    commit: str
    changes: tuple[str, ...]  # `git status --porcelain` lines
    error: str | None = None

    @property
    def clean(self) -> bool:
        return self.error is None and not self.changes

    def describe(self) -> str:
        if self.error is not None:
            return f"commit unknown ({self.error})"
        if not self.changes:
            return f"commit {self.commit}, tree clean"
        modified = sum(1 for line in self.changes if not line.startswith("??"))
        untracked = len(self.changes) - modified
        return (
            f"commit {self.commit}, tree DIRTY ({modified} changed, {untracked} untracked): "
            "figures are not publishable"
        )


def tree_state() -> TreeState:
    """HEAD and the uncommitted changes, read without taking git's index lock."""

    def git(*args: str) -> str:
        done = subprocess.run(
            ["git", "--no-optional-locks", *args],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        )
        return done.stdout

    try:
        commit = git("rev-parse", "--short=12", "HEAD").strip()
        changes = tuple(line for line in git("status", "--porcelain").splitlines() if line)
    except (OSError, subprocess.SubprocessError) as exc:
        return TreeState("", (), error=str(exc))
    return TreeState(commit, changes)


def header(title: str) -> None:
    """The first line of every benchmark: what ran, on which commit, in which interpreter, and how
    busy the machine was (figures taken on a loaded machine are noisier)."""
    loads = os.getloadavg()
    cpus = os.cpu_count() or 1
    load = ", ".join(f"{x:.1f}" for x in loads)
    print(
        f"{title}  ({tree_state().describe()}; python {sys.version.split()[0]}; "
        f"{cpus} CPUs, load {load})",
        flush=True,
    )
    if loads[0] > 0.75 * cpus:
        print(
            f"WARNING: the machine is busy (load {loads[0]:.1f} on {cpus} CPUs): the figures are "
            "noisier; rerun on a quiet machine before publishing them",
            flush=True,
        )
