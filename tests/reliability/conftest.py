"""Collects what every reliability test measured into one JSON file that RELIABILITY.md is rendered
from, so the published figures are the ones the assertions ran against.

Rows are keyed by test node id and merged into the existing results file of the same form (CI or
full): running one test file refreshes its rows and keeps the others.  Each row is joined with the
test's pytest outcome at the end of the session, so a failed assertion shows as FAILED next to the
figures that made it fail.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from tests.reliability.helpers import MODE, ROOT, Record, results_path


class Collector:
    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []
        self.outcomes: dict[str, str] = {}
        self.durations: dict[str, float] = {}
        self.collected: set[str] = set()
        self.files: set[str] = set()

    def _keeps(self, nodeid: str) -> bool:
        """A previous row survives unless its test ran now or no longer exists in a file that
        was collected now (a renamed or removed case must not linger in the report)."""
        if nodeid in self.outcomes:
            return False
        return nodeid.split("::")[0] not in self.files or nodeid in self.collected

    def add(self, section: str, nodeid: str, fields: dict[str, Any]) -> None:
        self.rows.append({"section": section, "nodeid": nodeid, **fields})

    def outcome(self, report: pytest.TestReport) -> None:
        if report.when == "call" or report.outcome != "passed":
            # A setup/teardown failure or a skip overrides a passing call.
            previous = self.outcomes.get(report.nodeid)
            if previous in (None, "passed"):
                self.outcomes[report.nodeid] = _outcome_word(report)
        if report.when == "call":
            self.durations[report.nodeid] = round(report.duration, 2)

    def write(self) -> None:
        path = results_path()
        if not self.outcomes:
            return
        previous = _load(path)
        kept = [r for r in previous.get("rows", []) if self._keeps(r.get("nodeid", ""))]
        tests = {k: v for k, v in previous.get("tests", {}).items() if self._keeps(k)}
        for nodeid, outcome in self.outcomes.items():
            tests[nodeid] = {"outcome": outcome, "seconds": self.durations.get(nodeid)}
        rows = kept + [
            {**r, "test_outcome": self.outcomes.get(r["nodeid"], "unknown")} for r in self.rows
        ]
        payload = {
            **previous,
            "mode": MODE,
            "written_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": _machine(),
            "rows": rows,
            "tests": tests,
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        ignore = path.parent / ".gitignore"
        if path.parent == ROOT / ".reliability" and not ignore.exists():
            # Results are regenerated, never committed; only RELIABILITY.md is.
            ignore.write_text("*\n", encoding="utf-8")
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps(payload, indent=1, sort_keys=True), encoding="utf-8")
        tmp.replace(path)


def _outcome_word(report: pytest.TestReport) -> str:
    """pytest reports an expected failure as skipped (and an unexpected pass as passed)."""
    if hasattr(report, "wasxfail"):
        return "xfailed" if report.skipped else "xpassed"
    return report.outcome


def _load(path: Any) -> dict[str, Any]:
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return loaded if isinstance(loaded, dict) and loaded.get("mode") == MODE else {}


def _git(*args: str) -> str:
    try:
        return subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=5, check=False
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def _machine() -> dict[str, Any]:
    import watchtui

    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
        # Informative only: scripts/reliability.py stamps RELIABILITY.md with the commit it
        # checked was clean before and after the run.
        "commit": _git("rev-parse", "HEAD"),
        "uncommitted": bool(_git("status", "--porcelain", "--", "src", "tests", "scripts")),
        "watchtui_from": watchtui.__file__,
    }


COLLECTOR = Collector()


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if "tests/reliability/" in report.nodeid.replace("\\", "/"):
        COLLECTOR.outcome(report)


def pytest_itemcollected(item: pytest.Item) -> None:
    # Before -k/-m deselection: a test that still exists keeps its previous row.
    COLLECTOR.collected.add(item.nodeid)
    COLLECTOR.files.add(item.nodeid.split("::")[0])


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    COLLECTOR.write()


@pytest.fixture
def record(request: pytest.FixtureRequest) -> Iterator[Record]:
    """``record(section, **fields)``: one row of figures for RELIABILITY.md."""

    def add(section: str, **fields: Any) -> None:
        COLLECTOR.add(section, request.node.nodeid, fields)

    yield add
