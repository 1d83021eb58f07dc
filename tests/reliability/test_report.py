"""scripts/reliability.py and the report it writes: RELIABILITY.md only from a clean tree at a
commit, stamped with it; a dry run never writes it; accepted-by-design inputs apart from faults;
both forms' figures side by side."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.reliability.helpers import ROOT
from tests.reliability.report import render

# What the script needs to run: itself and the modules that render the report.
SCRIPT_FILES = (
    "scripts/reliability.py",
    "tests/__init__.py",
    *(str(p.relative_to(ROOT)) for p in sorted((ROOT / "tests/reliability").glob("report*.py"))),
)


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def repo_with_the_script(tmp_path: Path) -> Path:
    """A git repository holding the script and the report modules, committed."""
    repo = tmp_path / "repo"
    for name in SCRIPT_FILES:
        target = repo / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, target)
    (repo / "src").mkdir()
    (repo / "src" / "kept.py").write_text("x = 1\n", encoding="utf-8")
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "start")
    return repo


def run_script(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "scripts/reliability.py", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_refuses_to_write_from_a_tree_with_uncommitted_files(tmp_path: Path) -> None:
    repo = repo_with_the_script(tmp_path)
    (repo / "src" / "kept.py").write_text("x = 2\n", encoding="utf-8")
    (repo / "tests" / "new_test.py").write_text("", encoding="utf-8")
    done = run_script(repo)
    assert done.returncode == 2, done.stderr
    assert "refusing to write RELIABILITY.md" in done.stderr
    assert "src/kept.py" in done.stderr and "tests/new_test.py" in done.stderr
    assert not (repo / "RELIABILITY.md").exists()


def test_refuses_when_watchtui_would_come_from_another_tree(tmp_path: Path) -> None:
    """Clean, but this tree has no src/watchtui: the tests would run someone else's code."""
    repo = repo_with_the_script(tmp_path)
    done = run_script(repo)
    assert done.returncode == 2, done.stderr
    assert "watchtui would be imported from" in done.stderr
    assert not (repo / "RELIABILITY.md").exists()


def test_partial_runs_need_dry_run_and_a_dry_run_never_writes_the_report(tmp_path: Path) -> None:
    repo = repo_with_the_script(tmp_path)
    refused = run_script(repo, "--forms", "ci")
    assert refused.returncode == 2 and "need --dry-run" in refused.stderr
    results = repo / ".reliability"
    results.mkdir()
    (results / "last-run.json").write_text('{"forms": ["ci"], "fuzz": null}', encoding="utf-8")
    (results / "results-ci.json").write_text('{"rows": [], "tests": {}}', encoding="utf-8")
    (repo / "src" / "kept.py").write_text("x = 3\n", encoding="utf-8")
    done = run_script(repo, "--dry-run", "--render-only")
    assert done.returncode == 0, done.stderr
    assert not (repo / "RELIABILITY.md").exists()
    text = (results / "RELIABILITY.dry-run.md").read_text(encoding="utf-8")
    assert "DRY RUN, NOT FOR PUBLISHING" in text and git(repo, "rev-parse", "HEAD") in text


def row(section: str, **fields: Any) -> dict[str, Any]:
    return {"section": section, "nodeid": "t", "test_outcome": "passed", **fields}


def results(kills: int, rows: list[dict[str, Any]]) -> dict[str, Any]:
    kill = row(
        "crash",
        test="kill -9 during ingest",
        iterations=kills,
        kill_delay_s="0-0.3",
        kills_with_live_wal=kills,
        snapshots_stored=7,
        incidents=350,
        updates=1400,
        seconds=1.0,
    )
    return {"rows": [kill, *rows], "tests": {}, "run": {"seconds": 1.0}}


def test_accepted_inputs_have_their_own_table_and_both_forms_show() -> None:
    fault = row("faults", fault="HTTP 500", kind="statuspage", outcome="error", health="failing")
    accepted = row("accepted", fault="JSON as text/html", kind="statuspage", why="CDNs lie")
    text = render(
        results(200, [fault, accepted]),
        results(20, []),
        None,
        {"commit": "c0ffee", "clean": True, "watchtui_from": "here"},
    )
    faults = text.split("## 1. ")[1].split("## 2. ")[0]
    accepted_table = text.split("## 2. Accepted by design")[1].split("## 3. ")[0]
    assert "HTTP 500" in faults and "JSON as text/html" not in faults
    assert "JSON as text/html" in accepted_table and "CDNs lie" in accepted_table
    assert "Commit: `c0ffee` (tree clean" in text
    forms = text.split("## 9. CI form (bounded, runs in every pytest) beside the full form")[1]
    kills = next(line for line in forms.splitlines() if line.startswith("| kill -9 during"))
    assert "200 kills" in kills.split("|")[2] and "20 kills" in kills.split("|")[3]
