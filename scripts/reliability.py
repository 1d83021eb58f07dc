"""Run the reliability suite in both forms and regenerate RELIABILITY.md from what it measured.

Regenerate RELIABILITY.md (about 30 minutes; the only way to write it) from a clean checkout of
the commit to report on, e.g. a worktree of HEAD:

    git worktree add --detach /tmp/rel HEAD
    cd /tmp/rel && /work/main/.venv/bin/python scripts/reliability.py
    cp /tmp/rel/RELIABILITY.md /work/main/RELIABILITY.md
    cd /work/main && git worktree remove --force /tmp/rel

It refuses to run when src/, tests/, scripts/ or pyproject.toml hold an uncommitted or untracked
file, runs the tests with this tree's src/ first on PYTHONPATH (and checks that watchtui is
imported from there), runs the full form, then the CI form (the bounded one every ``pytest``
runs), then the parser fuzzing, checks that the tree is still clean at the same commit, and only
then writes RELIABILITY.md, stamped with that commit.

Iterating, on any tree: ``--dry-run`` never writes RELIABILITY.md (it renders to
``.reliability/RELIABILITY.dry-run.md``, marked as a dry run):

    python scripts/reliability.py --dry-run --forms ci          # the CI form (~1.5 min)
    python scripts/reliability.py --dry-run --forms full -- tests/reliability/test_kill9.py
    python scripts/reliability.py --dry-run --render-only       # re-render the last results

Every figure comes from ``.reliability/results-<form>.json``, written by the tests themselves
(tests/reliability/conftest.py) next to their pytest outcome; the fuzzing counts come from
Hypothesis' own statistics of a run of tests/sources/test_fuzz.py.  Nothing is typed by hand.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "RELIABILITY.md"
DRY_OUTPUT = ROOT / ".reliability" / "RELIABILITY.dry-run.md"
STATE = ROOT / ".reliability" / "last-run.json"
# What the report is about: a change to any of these makes the tree unfit to report on.
WATCHED = ("src", "tests", "scripts", "pyproject.toml")
FORMS = ("full", "ci")


def results_file(form: str) -> Path:
    return ROOT / ".reliability" / f"results-{form}.json"


def child_env(form: str | None = None) -> dict[str, str]:
    """This tree's src/ (and root, for ``tests``) ahead of whatever the virtualenv installed."""
    path = [str(ROOT / "src"), str(ROOT)]
    if os.environ.get("PYTHONPATH"):
        path.append(os.environ["PYTHONPATH"])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(path)}
    if form is not None:
        env["WATCHTUI_RELIABILITY"] = form
        env["WATCHTUI_RELIABILITY_RESULTS"] = str(results_file(form))
    return env


# --- the tree ---------------------------------------------------------------------------------


def git(*args: str) -> str:
    """Git's output, unstripped: porcelain lines start with a meaningful space."""
    return subprocess.run(
        ["git", *args], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout


def dirty_files() -> list[str]:
    status = git("status", "--porcelain", "--untracked-files=all", "--", *WATCHED)
    return [line[3:] for line in status.splitlines() if line.strip()]


def watchtui_origin() -> str:
    """Where the children will import watchtui from."""
    return subprocess.run(
        [sys.executable, "-c", "import watchtui; print(watchtui.__file__)"],
        cwd=ROOT,
        env=child_env(),
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def check_tree(commit: str) -> str | None:
    """Why the tree is not fit to report on, or None."""
    dirty = dirty_files()
    if dirty:
        shown = "\n  ".join(dirty[:20])
        return f"uncommitted or untracked files under {', '.join(WATCHED)}:\n  {shown}"
    now = git("rev-parse", "HEAD").strip()
    if now != commit:
        return f"HEAD moved during the run ({commit[:12]} -> {now[:12]})"
    return None


def foreign_code(forms: dict[str, dict[str, Any] | None]) -> str | None:
    """A form whose tests imported watchtui from elsewhere than this tree's src/, or did not
    run at all."""
    for form, results in forms.items():
        if not results:
            return f"the {form} form recorded no results (see pytest's output above)"
        origin = str((results.get("machine") or {}).get("watchtui_from", ""))
        if not origin.startswith(str(ROOT / "src") + os.sep):
            return f"the {form} form's tests imported watchtui from {origin or 'nowhere'}"
    return None


def results_dir() -> Path:
    """.reliability/, ignored by git as a whole: results are regenerated, never committed."""
    path = ROOT / ".reliability"
    path.mkdir(exist_ok=True)
    ignore = path / ".gitignore"
    if not ignore.exists():
        ignore.write_text("*\n", encoding="utf-8")
    return path


# --- running ------------------------------------------------------------------------------


def run_suite(form: str, extra: Sequence[str]) -> dict[str, Any]:
    results = results_file(form)
    results.unlink(missing_ok=True)  # a report never mixes rows of two runs
    targets = [a for a in extra if _is_target(a)] or ["tests/reliability"]
    options = [a for a in extra if not _is_target(a)]
    command = [sys.executable, "-m", "pytest", *targets, "-q", "-p", "no:cacheprovider", *options]
    started = time.monotonic()
    code = subprocess.run(command, cwd=ROOT, env=child_env(form), check=False).returncode
    run = {
        "command": " ".join([f"WATCHTUI_RELIABILITY={form} pytest", *command[3:]]),
        "exit_code": code,
        "seconds": round(time.monotonic() - started, 1),
    }
    loaded = read_json(results)
    loaded["run"] = run
    results_dir()
    results.write_text(json.dumps(loaded, indent=1, sort_keys=True), encoding="utf-8")
    return loaded


def _is_target(arg: str) -> bool:
    """A test file, directory or node id (the rest are pytest options and their values)."""
    return not arg.startswith("-") and (ROOT / arg.split("::")[0]).exists()


_STATS_HEADER = re.compile(r"^(tests/\S+::(\w+)(?:\[(.+)\])?):\s*$")
_STATS_COUNTS = re.compile(r"(\d+) passing, (\d+) failing, and (\d+) invalid")


def run_fuzz() -> dict[str, Any]:
    command = [
        sys.executable,
        "-m",
        "pytest",
        "tests/sources/test_fuzz.py",
        "-q",
        "-p",
        "no:cacheprovider",
        "--hypothesis-show-statistics",
    ]
    started = time.monotonic()
    proc = subprocess.run(
        command, cwd=ROOT, env=child_env(), capture_output=True, text=True, check=False
    )
    return {
        "command": " ".join(["pytest", *command[3:]]),
        "exit_code": proc.returncode,
        "seconds": round(time.monotonic() - started, 1),
        "tests": parse_hypothesis_statistics(proc.stdout),
        "summary": proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else "",
    }


def parse_hypothesis_statistics(text: str) -> list[dict[str, Any]]:
    """One entry per test (and parameter): examples run in every phase, summed."""
    entries: list[dict[str, Any]] = []
    current: dict[str, Any] | None = None
    for line in text.splitlines():
        header = _STATS_HEADER.match(line)
        if header:
            current = {
                "test": header[2],
                "param": header[3] or "",
                "passing": 0,
                "failing": 0,
                "invalid": 0,
            }
            entries.append(current)
            continue
        counts = _STATS_COUNTS.search(line)
        if counts and current is not None:
            current["passing"] += int(counts[1])
            current["failing"] += int(counts[2])
            current["invalid"] += int(counts[3])
    return entries


def read_json(path: Path) -> dict[str, Any]:
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return loaded if isinstance(loaded, dict) else {}


# --- main ---------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument(
        "--dry-run",
        "--check",
        action="store_true",
        help="any tree; never writes RELIABILITY.md (renders to .reliability/)",
    )
    parser.add_argument(
        "--forms",
        default="full,ci",
        help="dry run only: which forms to run, comma-separated (default full,ci)",
    )
    parser.add_argument("--render-only", action="store_true", help="dry run only: no tests")
    parser.add_argument("--skip-fuzz", action="store_true", help="dry run only: no fuzzing")
    parser.add_argument(
        "pytest_args", nargs="*", help="dry run only: test paths and pytest options (after --)"
    )
    args = parser.parse_args(argv)
    args.forms = [f.strip() for f in args.forms.split(",") if f.strip()]
    if not set(args.forms) <= set(FORMS):
        parser.error(f"--forms takes {', '.join(FORMS)}")
    partial = args.forms != list(FORMS) or args.render_only or args.skip_fuzz or args.pytest_args
    if partial and not args.dry_run:
        parser.error("--forms, --render-only, --skip-fuzz and test selections need --dry-run")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from tests.reliability.report import render

    commit = git("rev-parse", "HEAD").strip()
    origin = watchtui_origin()
    if not args.dry_run:
        problem = check_tree(commit)
        if problem is None and not origin.startswith(str(ROOT / "src") + os.sep):
            problem = f"watchtui would be imported from {origin}, not from {ROOT / 'src'}"
        if problem:
            sys.stderr.write(f"refusing to write RELIABILITY.md: {problem}\n")
            return 2
    previous = read_json(STATE)
    # A re-render keeps the stamp of the run it renders, not of whatever HEAD is now.
    state = previous
    code = 0
    if not args.render_only:
        for form in args.forms:
            run = run_suite(form, args.pytest_args)
            code = code or int(run["run"]["exit_code"])
        fuzz = previous.get("fuzz") if args.skip_fuzz else run_fuzz()
        code = code or int((fuzz or {}).get("exit_code", 0))
        state = {"forms": args.forms, "fuzz": fuzz, "commit": commit, "dirty": dirty_files()}
        results_dir()
        STATE.write_text(json.dumps(state, indent=1), encoding="utf-8")
    forms = {f: read_json(results_file(f)) or None for f in state.get("forms", FORMS)}
    stamp: dict[str, Any] = {
        "commit": state.get("commit", commit),
        "watchtui_from": origin,
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        "dry_run": args.dry_run,
    }
    if args.dry_run:
        stamp["dirty"] = state.get("dirty", dirty_files())
        stamp["clean"] = not stamp["dirty"]
    else:
        problem = check_tree(commit) or foreign_code(forms)
        if problem:
            sys.stderr.write(f"refusing to write RELIABILITY.md: {problem}\n")
            return 2
        stamp["clean"] = True
    text = render(forms.get("full"), forms.get("ci"), state.get("fuzz"), stamp)
    output = DRY_OUTPUT if args.dry_run else OUTPUT
    if args.dry_run:
        results_dir()
    output.write_text(text, encoding="utf-8")
    sys.stderr.write(f"wrote {output.relative_to(ROOT)} at {commit[:12]}\n")
    return code


if __name__ == "__main__":
    raise SystemExit(main())
