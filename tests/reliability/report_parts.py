"""RELIABILITY.md, part two: the table helpers, and the sections about the app and the parsers
(fuzzing, the TUI under faults, hostile text).  ``report.py`` renders the rest and the whole.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

# One form's results file, as conftest.py writes it.
Results = dict[str, Any]

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


def fuzz_section(fuzz: dict[str, Any] | None) -> list[str]:
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
        "## 6. Parser fuzzing",
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


def tui_faults_section(rows: list[dict[str, Any]]) -> list[str]:
    if not rows:
        return []
    out = [
        "## 7. TUI under faults",
        "",
        "The real app (`WatchApp` under Textual's Pilot, 120×40) on the real `Engine`, `Store` "
        f"and `Poller` (fetches bounded at {rows[0].get('fetch_timeout_s', '?')} s), its sources "
        "on the loopback server.  Four "
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


def hostile_section(rows: list[dict[str, Any]]) -> list[str]:
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
        "## 8. Hostile text",
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
