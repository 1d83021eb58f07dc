"""RELIABILITY.md, part three: the full form and the CI form side by side, and the outcome of every
test in each.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.reliability.report_parts import (
    Results,
    cell,
    section,
    table,
)


def outcomes(results: Results | None) -> str:
    if not results:
        return "not run"
    words = [t.get("outcome") for t in results.get("tests", {}).values()]
    counts = [(w, words.count(w)) for w in ("passed", "failed", "skipped", "xfailed", "xpassed")]
    return ", ".join(f"{n} {w}" for w, n in counts if n or w in ("passed", "failed"))


# --- the two forms side by side ---------------------------------------------------------------


def _first(results: Results | None, name: str, test: str | None = None) -> dict[str, Any]:
    rows = section((results or {}).get("rows", []), name)
    if test is not None:
        rows = [r for r in rows if test in str(r.get("test", "")) + str(r.get("processes", ""))]
    return rows[0] if rows else {}


def _figure(results: Results | None, pick: Callable[[Results], Any]) -> str:
    if not results:
        return "not run"
    try:
        return cell(pick(results))
    except (KeyError, TypeError, IndexError):
        return "–"


def _faults_line(results: Results) -> str:
    rows = section(results.get("rows", []), "faults")
    accepted = section(results.get("rows", []), "accepted")
    passed = sum(1 for r in rows + accepted if r.get("test_outcome") == "passed")
    bound = max((r.get("fetch_timeout_s") or 0 for r in rows), default=0)
    return (
        f"{len(rows)} faults and {len(accepted)} accepted inputs, {passed} passed; "
        f"fetches bounded at {bound:g} s"
    )


def _kill_line(results: Results) -> str:
    r = _first(results, "crash", "during ingest")
    return f"{r['iterations']} kills, {r['snapshots_stored']} snapshots, {r['seconds']} s"


def _open_line(results: Results) -> str:
    r = _first(results, "crash", "creating")
    return f"{r['iterations']} kills ({r['killed_during_open']} during the open)"


def _concurrency_line(test: str) -> Callable[[Results], str]:
    def line(results: Results) -> str:
        r = _first(results, "concurrency", test)
        return (
            f"{r['seconds']} s; fetches {cell(r['fetches_per_endpoint'])} "
            f"(plausible {r['expected_fetches']}); errors {r['errors']}"
        )

    return line


def _soak_line(name: str) -> Callable[[Results], str]:
    def line(results: Results) -> str:
        r = _first(results, name)
        return (
            f"{r['cycles']} cycles in {r['seconds']} s; after warm-up RSS "
            f"+{r['rss_growth_after_warmup_mib']} MiB, outside SQLite "
            f"+{r['growth_outside_sqlite_mib']} MiB; FDs {r['fds_warm']} → {r['fds_end']}"
        )

    return line


def _app_line(name: str) -> Callable[[Results], str]:
    def line(results: Results) -> str:
        rows = section(results.get("rows", []), name)
        passed = sum(1 for r in rows if r.get("test_outcome") == "passed")
        return f"{passed} of {len(rows)} rows passed"

    return line


_MEASURES: tuple[tuple[str, Callable[[Results], Any]], ...] = (
    ("Tests", outcomes),
    ("Wall time of the run", lambda r: f"{r['run']['seconds']} s"),
    ("Network faults and accepted inputs (sections 1, 2)", _faults_line),
    ("kill -9 during ingest", _kill_line),
    ("kill -9 while creating a store", _open_line),
    ("1 collector + 2 viewers", _concurrency_line("1 collector")),
    ("2 collectors + 2 viewers", _concurrency_line("2 collector")),
    ("Soak", _soak_line("soak")),
    ("Fault soak", _soak_line("fault_soak")),
    ("TUI under faults", _app_line("tui_faults")),
    ("Hostile text", _app_line("hostile")),
)


def forms_section(full: Results | None, ci: Results | None) -> list[str]:
    out = [
        "## 9. CI form (bounded, runs in every pytest) beside the full form",
        "",
        "The same tests in both forms; the CI form uses smaller numbers (fewer kills, shorter "
        "soaks and concurrency runs, a shorter fetch bound than the production one) so that "
        "`tests/reliability` stays within about a minute and a half of every `pytest`.",
        "",
    ]
    out += table(
        ["Measure", "Full form", "CI form"],
        ([name, _figure(full, pick), _figure(ci, pick)] for name, pick in _MEASURES),
    )
    return [*out, ""]


def tests_section(full: Results | None, ci: Results | None) -> list[str]:
    tests_full: dict[str, dict[str, Any]] = (full or {}).get("tests", {})
    tests_ci: dict[str, dict[str, Any]] = (ci or {}).get("tests", {})
    names = sorted(set(tests_full) | set(tests_ci))
    if not names:
        return []
    out = ["## 10. Every test of the suite", ""]

    def shown(entry: dict[str, Any] | None) -> str:
        return f"{entry.get('outcome')}, {entry.get('seconds')} s" if entry else "not run"

    out += table(
        ["Test", "Full form", "CI form"],
        ([n, shown(tests_full.get(n)), shown(tests_ci.get(n))] for n in names),
    )
    return [*out, ""]
