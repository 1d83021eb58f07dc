"""Run the reliability suite and regenerate RELIABILITY.md from what it measured.

    python scripts/reliability.py               # full form: long soak, 200 kill -9, minutes of
                                                # concurrency, production timeouts (~25 min)
    python scripts/reliability.py --mode ci     # the CI form (~2 min), same tests, smaller numbers
    python scripts/reliability.py --render-only # re-render RELIABILITY.md from the last results

Every figure in RELIABILITY.md comes from ``.reliability/results-<mode>.json``, written by the
tests themselves (tests/reliability/conftest.py) next to their pytest outcome; the fuzzing counts
come from Hypothesis' own statistics of a run of tests/sources/test_fuzz.py.  Nothing in the
tables is typed by hand.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "RELIABILITY.md"


def results_file(mode: str) -> Path:
    return ROOT / ".reliability" / f"results-{mode}.json"


# --- running ------------------------------------------------------------------------------


def run_suite(mode: str, results: Path, extra: Sequence[str]) -> dict[str, Any]:
    env = {
        **os.environ,
        "WATCHTUI_RELIABILITY": mode,
        "WATCHTUI_RELIABILITY_RESULTS": str(results),
    }
    targets = [a for a in extra if _is_target(a)] or ["tests/reliability"]
    options = [a for a in extra if not _is_target(a)]
    command = [sys.executable, "-m", "pytest", *targets, "-q", "-p", "no:cacheprovider", *options]
    started = time.monotonic()
    code = subprocess.run(command, cwd=ROOT, env=env, check=False).returncode
    return {
        "command": " ".join(["pytest", *command[3:]]),
        "exit_code": code,
        "seconds": round(time.monotonic() - started, 1),
    }


def _is_target(arg: str) -> bool:
    """A test file, directory or node id (the rest are pytest options and their values)."""
    return (ROOT / arg.split("::")[0]).exists() and not arg.startswith("-")


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
    proc = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
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


# --- rendering ----------------------------------------------------------------------------

_TMP = re.compile(r"/tmp/pytest-of-[^/\s]+/pytest-\d+/[^/\s]+/")


def cell(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "**no**"
    if isinstance(value, list):
        return ", ".join(cell(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k} {v}" for k, v in sorted(value.items()))
    text = _TMP.sub("<tmp>/", str(value)).replace("|", "\\|").replace("\n", " ")
    return text


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> list[str]:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return lines


def verdict(row: dict[str, Any]) -> str:
    outcome = str(row.get("test_outcome", "unknown"))
    words = {
        "passed": "pass",
        "failed": "**FAIL**",
        "skipped": "skipped",
        "xfailed": "**known issue** (xfail)",
        "xpassed": "**fixed?** (xpass: remove the xfail)",
    }
    return words.get(outcome, outcome)


def section(rows: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    return [r for r in rows if r.get("section") == name]


def render(results: dict[str, Any]) -> str:
    rows: list[dict[str, Any]] = results.get("rows", [])
    tests: dict[str, dict[str, Any]] = results.get("tests", {})
    out: list[str] = []
    out += _header(results, tests)
    out += _faults(section(rows, "faults"))
    out += _crash(section(rows, "crash"))
    out += _concurrency(section(rows, "concurrency"))
    out += _soak(section(rows, "soak"))
    out += _fault_soak(section(rows, "fault_soak"))
    out += _fuzz(results.get("fuzz"))
    out += _tui_faults(section(rows, "tui_faults"))
    out += _hostile(rows)
    out += _tests(tests)
    return "\n".join(out).rstrip() + "\n"


def _header(results: dict[str, Any], tests: dict[str, dict[str, Any]]) -> list[str]:
    machine = results.get("machine", {})
    runs: list[dict[str, Any]] = results.get("runs", [])
    outcomes = [t["outcome"] for t in tests.values()]
    passed, failed = outcomes.count("passed"), outcomes.count("failed")
    skipped = outcomes.count("skipped")
    known = outcomes.count("xfailed") + outcomes.count("xpassed")
    mode = results.get("mode", "?")
    return [
        "# Reliability report",
        "",
        "<!-- GENERATED by scripts/reliability.py from .reliability/results-"
        f"{mode}.json; do not edit by hand. -->",
        "",
        "What the data layer (fetch, poller, parsers, store) does under fire, measured by "
        "`tests/reliability` against the real code: a loopback HTTP server that misbehaves, "
        "processes killed with SIGKILL, damaged files, a full disk, several processes on one "
        "store, and thousands of poll cycles.  Every figure below was recorded by the test that "
        "asserted on it.",
        "",
        f"* Form: **{mode}** (`python scripts/reliability.py --mode {mode}`"
        + ("; the CI form runs the same tests with smaller numbers" if mode == "ci" else "")
        + ")",
        f"* Last written: {results.get('written_at', '?')} "
        f"on commit `{machine.get('commit', '?')}`, "
        f"Python {machine.get('python', '?')}, {machine.get('cpus', '?')} CPUs, "
        f"{machine.get('platform', '?')}",
        f"* Result: {passed} passed, {failed} failed, {skipped} skipped, "
        f"{known} known issue(s) (xfail)",
        *(
            f"* Run {n}: `{run.get('command')}` — exit {run.get('exit_code')}, "
            f"{run.get('seconds')} s"
            for n, run in enumerate(runs, 1)
        ),
        *(
            [
                "* Each later run re-ran the tests it names and replaced their rows; every table "
                "and the result line show each test's latest run."
            ]
            if len(runs) > 1
            else []
        ),
        "",
    ]


def _faults(rows: list[dict[str, Any]]) -> list[str]:
    if not rows:
        return []
    out = [
        "## 1. Network faults and hostile payloads",
        "",
        "Each fault hits a source whose previous good payload is stored (Statuspage "
        "`summary.json`, or Azure RSS for the XML cases), through the real `Poller`.  "
        "*Data kept*: the stored components and incidents, their `updated_at` included, are "
        "unchanged by the failed fetch.  *Recovered*: the next good payload makes the source "
        "fresh again with a `source_recovered` event and its new content stored.  RSS Δ is "
        "resident memory after minus before the poll; peak Δ is the high-water mark during it "
        "(VmHWM, reset before the poll).",
        "",
    ]
    out += table(
        [
            "Fault",
            "Feed",
            "Poll outcome",
            "Health",
            "Reason stored",
            "Poll s",
            "RSS Δ / peak Δ MiB",
            "Data kept",
            "Recovered",
            "Test",
        ],
        (
            [
                r.get("fault"),
                r.get("kind"),
                r.get("outcome"),
                r.get("health"),
                r.get("reason") or "(accepted)",
                f"{r.get('seconds')} (≤ {r.get('bound_seconds')})",
                f"{r.get('rss_delta_mib')} / {r.get('peak_rss_delta_mib')}"
                + (f" (limit {r['memory_limit_mib']:g})" if r.get("memory_limit_mib") else ""),
                r.get("data_kept") if r.get("expect") != "accepted" else "n/a (updated)",
                r.get("recovered") if r.get("expect") != "accepted" else "n/a",
                verdict(r),
            ]
            for r in rows
        ),
    )
    retry = [r for r in rows if r.get("next_poll_after_s") is not None]
    out += [""]
    for r in retry:
        out.append(f"* {r['fault']}: next poll scheduled {r['next_poll_after_s']} s later.")
    for r in rows:
        if r.get("wire_bytes"):
            out.append(f"* {r['fault']}: {r['wire_bytes']:,} bytes on the wire.")
    out += [
        "* Decisions: valid JSON served as `text/html` is accepted (a body that *looks* like "
        "markup is refused whatever its Content-Type); UTF-16 without a BOM is refused unless "
        "the charset is declared (RFC 8259 JSON is UTF-8); invalid UTF-8 is refused rather than "
        "repaired, so a source never shows mangled text — it shows as drifted and keeps its "
        "last good data.",
    ]
    for r in rows:
        if r.get("note"):
            out.append(f"* Note, {r['fault']}: {cell(r['note'])}.")
    return [*out, ""]


def _crash(rows: list[dict[str, Any]]) -> list[str]:
    if not rows:
        return []
    out = ["## 2. Crashes, damaged files, schema versions, full disk, read-only", ""]
    kills = [r for r in rows if "iterations" in r]
    for r in kills:
        if "snapshots_stored" in r:
            out.append(
                f"* **{r['test']}** — {r['iterations']} SIGKILLs at random moments "
                f"({r['kill_delay_s']} s after the child's store was open; "
                f"{r['kills_with_live_wal']} with a live WAL), {r['snapshots_stored']} "
                f"snapshots committed ({r['incidents']} incidents, {r['updates']} updates) in "
                f"{r['seconds']} s.  After every kill: the store opened without being taken for "
                "corrupt, `PRAGMA integrity_check` = ok, every incident had exactly its "
                f"{r.get('updates_per_incident', '?')} updates, every snapshot was stored whole "
                "or not at all, the update count never decreased — "
                f"{verdict(r)}."
            )
        else:
            out.append(
                f"* **{r['test']}** — {r['iterations']} kills: "
                f"{r['killed_before_first_commit']} before the first commit, "
                f"{r['killed_after_data']} after data was stored; every store reopened at the "
                f"current schema with integrity ok — {verdict(r)}."
            )
    others = [r for r in rows if "iterations" not in r]
    out += [""]
    out += table(
        ["Case", "What the user is told / what happened", "Details", "Test"],
        (
            [
                r.get("test"),
                r.get("message"),
                _details(r),
                verdict(r),
            ]
            for r in others
        ),
    )
    return [*out, ""]


def _details(row: dict[str, Any]) -> str:
    skip = {"section", "nodeid", "test", "message", "test_outcome"}
    parts = [f"{k.replace('_', ' ')}: {cell(v)}" for k, v in row.items() if k not in skip]
    return "; ".join(parts) if parts else ""


def _concurrency(rows: list[dict[str, Any]]) -> list[str]:
    if not rows:
        return []
    out = [
        "## 3. Several processes on one store",
        "",
        "Viewers loop over `Store.open`, open incidents, components, recent updates, a 30-day "
        "incident list and `data_version`; collectors run `Poller.run` on the real clock "
        "against a loopback server whose payloads change every second.  Any exception in any "
        "process is reported back and fails the test.",
        "",
    ]
    out += table(
        [
            "Processes",
            "Seconds",
            "Sources × interval",
            "Fetches per endpoint",
            "Plausible",
            "Viewer rounds",
            "data_version changes seen",
            "Errors (locked)",
            "Test",
        ],
        (
            [
                r.get("processes"),
                r.get("seconds"),
                f"{r.get('sources')} × {r.get('interval_s')} s",
                r.get("fetches_per_endpoint"),
                r.get("expected_fetches"),
                r.get("viewer_rounds"),
                r.get("data_versions_seen"),
                f"{r.get('errors')} ({r.get('locked_errors')})",
                verdict(r),
            ]
            for r in rows
        ),
    )
    return [
        *out,
        "",
        "With two collectors the per-endpoint count stays in the single-collector window: the "
        "lease and the shared schedule in the store keep them from fetching twice.",
        "",
    ]


def _soak(rows: list[dict[str, Any]]) -> list[str]:
    if not rows:
        return []
    out = [
        "## 4. Soak",
        "",
        "The demo scenario (laps of 16 steps, new incidents each lap) on a fake clock that makes "
        "every endpoint due each cycle.  Memory and descriptors after a garbage collection.",
        "",
    ]
    out += table(
        [
            "Cycles",
            "Sources / endpoints",
            "Seconds",
            "RSS start → warm → end MiB",
            "RSS growth after warm-up",
            "FDs start → warm → end",
            "Fetch outcomes",
            "Open incidents stored = scenario",
            "Test",
        ],
        (
            [
                r.get("cycles"),
                f"{r.get('sources')} / {r.get('endpoints')}",
                r.get("seconds"),
                f"{r.get('rss_start_mib')} → {r.get('rss_warm_mib')} → {r.get('rss_end_mib')}",
                f"{r.get('rss_growth_after_warmup_mib')} MiB over "
                f"{r.get('cycles', 0) - r.get('warmup_cycles', 0)} cycles",
                f"{r.get('fds_start')} → {r.get('fds_warm')} → {r.get('fds_end')}",
                r.get("outcomes"),
                f"{r.get('open_stored')} = {r.get('open_expected')}: {cell(r.get('open_match'))}",
                verdict(r),
            ]
            for r in rows
        ),
    )
    for r in rows:
        out += [
            "",
            f"Events emitted: {cell(r.get('events'))}.  Store at the end: "
            f"{r.get('stored_incidents')} incidents, {r.get('stored_updates')} updates.",
        ]
    return [*out, ""]


def _fault_soak(rows: list[dict[str, Any]]) -> list[str]:
    if not rows:
        return []
    out = [
        "### Fault soak",
        "",
        "One source alternating between a good payload and an aborted or refused download "
        "(rotation below), over and over: the fetch layer must not leak descriptors, "
        "connections or memory, and every good payload in between must be stored.",
        "",
    ]
    out += table(
        [
            "Cycles",
            "Seconds",
            "RSS start → warm → end MiB",
            "FDs start → warm → end",
            "Outcomes",
            "Last good payload stored",
            "Test",
        ],
        (
            [
                r.get("cycles"),
                r.get("seconds"),
                f"{r.get('rss_start_mib')} → {r.get('rss_warm_mib')} → {r.get('rss_end_mib')}",
                f"{r.get('fds_start')} → {r.get('fds_warm')} → {r.get('fds_end')}",
                r.get("outcomes"),
                r.get("open_match"),
                verdict(r),
            ]
            for r in rows
        ),
    )
    for r in rows:
        out += ["", f"Rotation: {cell(r.get('rotation'))}."]
    return [*out, ""]


def _fuzz(fuzz: dict[str, Any] | None) -> list[str]:
    if not fuzz:
        return []
    entries: list[dict[str, Any]] = fuzz.get("tests", [])
    by_test: dict[str, dict[str, int]] = {}
    by_kind: dict[str, int] = {}
    for e in entries:
        totals = by_test.setdefault(e["test"], {"passing": 0, "failing": 0, "invalid": 0, "n": 0})
        for key in ("passing", "failing", "invalid"):
            totals[key] += e[key]
        totals["n"] += 1
        by_kind[e["param"]] = by_kind.get(e["param"], 0) + e["passing"]
    out = [
        "## 5. Parser fuzzing",
        "",
        f"`{fuzz.get('command')}` (exit {fuzz.get('exit_code')}, {fuzz.get('seconds')} s): "
        "every parser, fed mutated fixture and real payloads, must return a Snapshot or raise "
        "FeedError, and no text it returns may act on a terminal.  Example counts are "
        "Hypothesis' own statistics.",
        "",
    ]
    out += table(
        ["Property", "Parsers", "Examples passed", "Failing", "Invalid (discarded)"],
        (
            [name, t["n"], t["passing"], t["failing"], t["invalid"]]
            for name, t in sorted(by_test.items())
        ),
    )
    total = sum(t["passing"] for t in by_test.values())
    kinds = ", ".join(f"{k} {v}" for k, v in sorted(by_kind.items()) if k)
    out += ["", f"Total: {total} examples.  Per parser: {kinds}.", ""]
    return out


def _tui_faults(rows: list[dict[str, Any]]) -> list[str]:
    if not rows:
        return []
    out = [
        "## 6. TUI under faults",
        "",
        "The real app (`WatchApp` under Textual's Pilot, 120×40) on the real `Engine`, `Store` "
        "and `Poller` (fetches bounded at 1 s), its sources on the loopback server.  Four "
        "sources per app run, one fault each, armed together; the app polls by itself on its "
        "timer.  *Keys*: `?` opens help and `escape` closes it while the faulty poll is on the "
        "wire (for the slow faults: while the fetch still hangs), seconds each.  *Loop stall*: "
        "the worst lateness of a 10 ms sleep on the app's event loop meanwhile.  *Strip*: the "
        "source strip under the header (health word and age of the last good data); *Sources "
        "screen*: the health cell and the reason shown in full in its detail pane (`s`).  "
        "*On screen after*: seconds from arming the faults to every source showing its health.  "
        "*Recovered*: good payloads again, the clock past every backoff and Retry-After, every "
        "source fresh on screen with the new update, in seconds.",
        "",
    ]
    out += table(
        [
            "Fault",
            "Feed",
            "Strip",
            "Sources screen: health, reason",
            "Incident still shown",
            "Keys ? / esc s",
            "Loop stall s",
            "On screen after s",
            "Recovered s",
            "Test",
        ],
        (
            [
                r.get("fault"),
                r.get("kind"),
                f"`{r.get('strip')}`",
                f"{r.get('health_shown')}: {r.get('reason')}",
                _incident_shown(r.get("incident_row")),
                f"{r.get('help_open_s')} / {r.get('help_close_s')}"
                + (" (fetch hanging)" if r.get("poll_in_flight") else ""),
                r.get("max_loop_stall_s"),
                r.get("shown_after_s"),
                r.get("recovered_after_s") if r.get("recovered") else False,
                verdict(r),
            ]
            for r in rows
        ),
    )
    out.append("")
    for r in rows:
        if r.get("requests_within_retry_after") is not None:
            out.append(
                f"* {r['fault']}: {r['requests_within_retry_after']} requests while the app kept "
                "polling the other sources five intervals later (Retry-After honoured)."
            )
    out.append(
        '* Every run also checks the header ("N sources failing/drifted", the open incidents '
        "still counted), that no worker failure was reported, and that the app is still running."
    )
    return [*out, ""]


def _incident_shown(row: Any) -> str:
    """'11:10  s500  ▲ major  Incident s500 — Update 1 on s500.' -> 'Incident s500 — … (11:10)'"""
    parts = str(row or "").split("  ")
    parts = [p.strip() for p in parts if p.strip()]
    if len(parts) < 4:
        return cell(row)
    return f"{parts[-1]} ({parts[0]})"


_HOSTILE_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Markup `[bold]` `[link]` `[@click]`", ("[bold]", "[link]", "[@click]")),
    ("ESC / OSC / C1 sequences", ("CSI", "OSC 0", "OSC 52", "OSC 8", "C0/C1")),
    ("Bidi, zero-width", ("bidi", "zero-width")),
    ("100 KB strings", ("100 KB",)),
    (
        "`javascript:` / `file:` links",
        ("javascript:", "file:", "o (open link)", "y (copy link)"),
    ),
)


def _hostile(rows: list[dict[str, Any]]) -> list[str]:
    matrix = section(rows, "hostile")
    if not matrix:
        return []
    by_surface: dict[str, dict[str, str]] = {}
    verdicts: dict[str, str] = {}
    for r in matrix:
        by_surface.setdefault(r["surface"], {})[r["input"]] = str(r.get("outcome"))
        if verdicts.get(r["surface"]) in (None, "pass"):
            verdicts[r["surface"]] = verdict(r)
    out = [
        "## 7. Hostile text",
        "",
        "Feeds whose titles, update bodies, component, group and region names carry "
        "Rich/Textual markup (`[bold]B[/bold]`, `[link=https://evil.example]L[/link]`, "
        "`[@click=app.quit]Q[/]`), ANSI CSI (`ESC[2J`, `ESC[31m`), OSC 0 (window title), OSC 52 "
        "(clipboard write), OSC 8 (hyperlink), C1 controls, a bidi override (U+202E), "
        "zero-width characters and 100 KB strings, with `javascript:` and `file:` links: a "
        "Statuspage page (summary and incidents), a GCP feed and an RSS feed (XML cannot carry "
        "control characters, so RSS brings the rest), plus a Statuspage page refused on a "
        "hostile timestamp, whose error reason quotes it.  Through the real poller, store and "
        "engine, every screen of the real app is read back from the compositor's strips, "
        "segment by segment, and every CLI output from stdout.  On every surface: no segment "
        "holds a C0 (but newline/tab), DEL or C1 character, ESC, BEL, bidi or zero-width "
        "character; no part of a removed sequence shows (`pwned`, the OSC 52 payload, the OSC 8 "
        "host); no `javascript:`/`file:` text.  *literal*: the markup is shown as typed (and "
        "clicking the literal `[@click…]` does nothing); *removed*: the sequence is gone whole; "
        "*escaped*: an error reason quotes the bad value as inert `\\x1b…` text; – : not shown "
        "on that surface.",
        "",
    ]
    out += table(
        ["Surface", *(title for title, _ in _HOSTILE_GROUPS), "Test"],
        (
            [
                surface,
                *(_hostile_cell(outcomes, keys) for _, keys in _HOSTILE_GROUPS),
                verdicts[surface],
            ]
            for surface, outcomes in by_surface.items()
        ),
    )
    out.append("")
    for r in section(rows, "hostile_stream"):
        out.append(
            f"* Terminal byte stream of that app run ({r.get('bytes_written'):,} bytes, the "
            "headless driver made to write every frame): only Textual's own CSI and OSC 22 "
            f"(pointer shape) sequences, {r.get('notifications')} OSC 9 desktop "
            f"notification(s), {r.get('clipboard_writes')} OSC 52 copy (the https link, `y`), "
            f"{r.get('other_osc')} other OSC — {verdict(r)}.  The notification read: "
            f"`{cell(r.get('notification_example'))}…`"
        )
    for r in section(rows, "hostile_notify"):
        out.append(
            f"* Desktop notification writer ({r.get('flavour')}) fed the raw, uncleaned hostile "
            f"title and a 100 KB body: {r.get('length')} characters, ESC/BEL only as its own "
            f"framing, {r.get('invisible_left')} bidi/zero-width character(s) left (the model "
            "strips those before any title reaches it) — "
            f"{verdict(r)}."
        )
    return [*out, ""]


def _hostile_cell(outcomes: dict[str, str], keys: tuple[str, ...]) -> str:
    present = {k: outcomes[k] for k in keys if k in outcomes}
    if not present:
        return "–"
    if keys[0] == "[bold]":
        shown = [k for k, v in present.items() if v == "literal"]
        if not shown:
            return "–"
        return "literal" if len(shown) == len(present) else "literal: " + ", ".join(shown)
    if keys[0] == "javascript:":
        notes = [f"{k.split()[0]}: {v}" for k, v in present.items() if v not in ("clean", "–")]
        return "; ".join(notes) if notes else "none shown"
    if len(keys) == 1:
        return present[keys[0]]
    values = set(present.values())
    if values <= {"clean"}:
        return "removed"
    if values <= {"clean", "escaped (inert text)"}:
        escaped = [k for k, v in present.items() if v != "clean"]
        return "removed; escaped in a reason: " + ", ".join(escaped)
    return "; ".join(f"{k} {v}" for k, v in present.items())


def _tests(tests: dict[str, dict[str, Any]]) -> list[str]:
    if not tests:
        return []
    out = ["## Every test of the suite", ""]
    out += table(
        ["Test", "Outcome", "Seconds"],
        ([k, v.get("outcome"), v.get("seconds")] for k, v in sorted(tests.items())),
    )
    return [*out, ""]


# --- main ---------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mode", choices=("full", "ci"), default="full")
    parser.add_argument("--render-only", action="store_true", help="render the last results")
    parser.add_argument("--skip-fuzz", action="store_true", help="keep the last fuzz counts")
    parser.add_argument(
        "--keep",
        action="store_true",
        help="merge into the last results (re-run some tests, keep the other rows)",
    )
    parser.add_argument("pytest_args", nargs="*", help="test paths and pytest options (after --)")
    args = parser.parse_args(argv)
    path = results_file(args.mode)
    code = 0
    if not args.render_only:
        previous = _read(path)
        if not args.keep:
            path.unlink(missing_ok=True)
        suite = run_suite(args.mode, path, args.pytest_args)
        results = _read(path)
        earlier = previous.get("runs") or ([previous["suite"]] if "suite" in previous else [])
        results.pop("suite", None)
        results["runs"] = [*(earlier if args.keep else []), suite]
        results["fuzz"] = previous.get("fuzz") if args.skip_fuzz else run_fuzz()
        path.write_text(json.dumps(results, indent=1, sort_keys=True), encoding="utf-8")
        code = suite["exit_code"] or (results["fuzz"] or {}).get("exit_code", 0)
    results = _read(path)
    if not results.get("rows"):
        sys.stderr.write(f"no results in {path}; run without --render-only first\n")
        return 2
    OUTPUT.write_text(render(results), encoding="utf-8")
    sys.stderr.write(f"wrote {OUTPUT.relative_to(ROOT)} from {path.relative_to(ROOT)}\n")
    return int(code)


def _read(path: Path) -> dict[str, Any]:
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return loaded if isinstance(loaded, dict) else {}


if __name__ == "__main__":
    raise SystemExit(main())
