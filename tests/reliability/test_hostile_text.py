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
from pathlib import Path
from typing import Any

import pytest
from tests.reliability.helpers import Record, Spy, until
from tests.reliability.hostile_feeds import (
    BIDI,
    CONTROLS,
    HOSTILE,
    HUGE_TITLE,
    NOW,
    SAFE_LINK,
    SOURCES,
    ZERO_WIDTH,
    Feeds,
    Surface,
    cap_outcome,
    gcp_feed,
    longest_run,
    observe,
    printed,
    rendered,
    rss_feed,
    sp_bad_timestamp,
    sp_history,
    sp_summary,
)
from tests.support.feedserver import FeedServer
from textual.drivers.headless_driver import HeadlessDriver
from textual.pilot import Pilot

from watchtui import cli
from watchtui.config import parse_config, resolve_sources
from watchtui.domain.text import BODY_MAX, TITLE_MAX
from watchtui.engine.engine import Engine
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

BOUND = 10.0


@pytest.fixture
def feeds(tmp_path: Path) -> Iterator[Feeds]:
    server = FeedServer().start()
    json_type = "application/json; charset=utf-8"
    server.set("/sp/api/v2/summary.json", sp_summary(), content_type=json_type)
    server.set("/sp/api/v2/incidents.json", sp_history(), content_type=json_type)
    server.set("/gcp/incidents.json", gcp_feed(), content_type=json_type)
    server.set("/rss/feed.rss", rss_feed(), content_type="application/rss+xml")
    server.set("/bad/api/v2/summary.json", sp_bad_timestamp(), content_type=json_type)
    sources = [
        {"id": sid, "name": sid, "kind": kind, "url": server.url(path)}
        for sid, kind, path in SOURCES
    ]
    raw: dict[str, Any] = {
        "watch": {"providers": []},
        "notifications": {"desktop": True, "debounce_seconds": 0},
        "sources": sources,
    }
    lines = ["[watch]\nproviders = []\n"]
    for entry in sources:
        lines.append(
            "[[sources]]\n" + "".join(f'{key} = "{value}"\n' for key, value in entry.items())
        )
    (tmp_path / "config.toml").write_text("\n".join(lines), encoding="utf-8")
    try:
        yield Feeds(server, tmp_path, raw)
    finally:
        server.stop()


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

    def open_url(url: str, *args: Any, **kwargs: Any) -> bool:
        opened.append(url)
        return True

    monkeypatch.setattr(webbrowser, "open", open_url)
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
    # Spied rather than read from the app's toasts, which expire (sooner than a loaded machine
    # may take to answer).
    notes = Spy(app, "notify")
    await pilot.press("o")
    await app.workers.wait_for_complete()
    if not link_opens:
        await until(pilot, lambda: bool(notes.calls), "an answer to o", BOUND)
    await pilot.pause()
    said = [str(args[0]) for args, _ in notes.calls]
    if link_opens:
        outcome = "opened (https)"
    else:
        assert said and ("no link" in said[0] or "not http" in said[0]), said
        outcome = f"not opened ({said[0]!r})"
    record("hostile", surface=name, input="o (open link)", outcome=outcome)
    before = len(notes.calls)
    await pilot.press("y")
    await until(pilot, lambda: len(notes.calls) > before, "an answer to y", BOUND)
    said = [str(args[0]) for args, _ in notes.calls[before:]]
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

    # Invisible characters first: the writer keeps 200 characters of each part.
    title = f"{BIDI}{ZERO_WIDTH} New incident · {HOSTILE}"
    notice = notify.Notice(title, f"{BIDI}{HOSTILE} {HUGE_TITLE}", "major")
    notify.emit(notice, bell=None, desktop_writer=Writer(), flavour=flavour)
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
