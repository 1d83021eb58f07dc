"""The real app under fire: network faults and bad payloads seen through the UI, not the store.

The REAL ``Engine`` over a real ``Store`` and ``Poller`` (fetches bounded at 1 s) drives a
``WatchApp`` under Pilot, its sources pointing at a loopback ``FeedServer``.  Each run puts four
sources through the same story:

1. a good payload: every source's incident shows in the stream;
2. each source gets its own fault at once (the app polls by itself on its timer, the clock moved
   past the interval): while that poll is in flight the app must still answer keys (``?`` opens
   help, ``escape`` closes it, within a bound) and its event loop must not stall; then the header
   and source strip must say failing/drifted, the sources screen (``s``) must give each source its
   health word and a readable one-line reason, and every incident must still be on screen with the
   age of its data;
3. good payloads again (clock moved past any backoff or Retry-After): every source must come back
   fresh on screen with the new content.

Faults are grouped four to an app run, on different sources, to keep the suite quick.
"""

from __future__ import annotations

import asyncio
import json
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Literal, cast

import httpx
import pytest
from rich.text import Text
from tests.reliability.conftest import Record
from tests.reliability.helpers import MIB, T0, Clock, sp_incident, sp_summary, until
from tests.support.feedserver import Fault, FeedServer
from tests.ui.run_fake import screen_lines
from textual.app import App, ComposeResult
from textual.pilot import Pilot

from watchtui.config import parse_config, resolve_sources
from watchtui.engine.core import Engine
from watchtui.engine.poller import Poller
from watchtui.net.fetch import RETRY_AFTER_CAP
from watchtui.store import Store
from watchtui.ui.app import WatchApp
from watchtui.ui.screens.help import HelpScreen
from watchtui.ui.screens.sources import SourcesScreen
from watchtui.ui.widgets.keyed_table import KeyedTable

INTERVAL = 60
FETCH_TIMEOUT = 1.0
# Keys must be answered while a poll hangs on the network; generous for a loaded 2-core runner
# (the figures recorded are typically a few hundredths of a second).
KEY_BOUND = 2.0
STALL_BOUND = 1.0
# From a fault (or its repair) on the wire to the words on screen: one poll round plus a reload.
SCREEN_BOUND = 10.0
BOMB_SIZE = 64 * MIB

Kind = Literal["statuspage", "gcp", "azure"]
Health = Literal["failing", "drifted"]
HEALTH_WORD = {"failing": "FAILING", "drifted": "DRIFTED", "fresh": "●"}
CONTENT_TYPE = {
    "statuspage": "application/json; charset=utf-8",
    "gcp": "application/json; charset=utf-8",
    "azure": "application/rss+xml; charset=utf-8",
}
FILE_NAME = {"statuspage": "summary.json", "gcp": "incidents.json", "azure": "feed.rss"}

# --- payloads: step 1 is served before the fault, step 2 to recover ---------------------------


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _rfc822(moment: datetime) -> str:
    return moment.strftime("%a, %d %b %Y %H:%M:%S Z")


def title_of(kind: Kind, sid: str) -> str:
    return {"statuspage": "Incident", "gcp": "GCP incident", "azure": "Azure incident"}[kind] + (
        f" {sid}"
    )


def latest_text(kind: Kind, sid: str, step: int) -> str:
    """The newest update's text after ``step`` (what the stream shows beside the title)."""
    return f"Update {step} on {sid}."


def gcp_feed(sid: str, step: int) -> bytes:
    start = T0 - timedelta(hours=1)
    where = [{"title": "Iowa (us-central1)", "id": "us-central1"}]
    updates = [
        {
            "created": _iso(start + timedelta(minutes=10 * k)),
            "modified": _iso(start + timedelta(minutes=10 * k)),
            "when": _iso(start + timedelta(minutes=10 * k)),
            "text": f"Update {k} on {sid}.",
            "status": "SERVICE_DISRUPTION",
            "affected_locations": where,
        }
        for k in reversed(range(step + 1))
    ]
    incident = {
        "id": f"{sid}-1",
        "number": "1",
        "begin": _iso(start),
        "created": _iso(start),
        "modified": updates[0]["modified"],
        "external_desc": title_of("gcp", sid),
        "updates": updates,
        "most_recent_update": updates[0],
        "status_impact": "SERVICE_DISRUPTION",
        "severity": "medium",
        "service_key": "gce",
        "service_name": "Google Compute Engine",
        "affected_products": [{"title": "Google Compute Engine", "id": "gce"}],
        "uri": f"incidents/{sid}-1",
        "currently_affected_locations": where,
        "previously_affected_locations": [],
    }
    return json.dumps([incident]).encode()


def azure_feed(sid: str, step: int) -> bytes:
    published = T0 - timedelta(hours=1)
    built = published + timedelta(minutes=10 * step)
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0">
  <channel>
    <title>Azure Status</title>
    <link>https://azure.status.example/en-us/status/</link>
    <description>Azure Status</description>
    <lastBuildDate>{_rfc822(built)}</lastBuildDate>
    <item>
      <guid isPermaLink="false">{sid}-incident</guid>
      <link>https://azure.status.example/en-us/status/</link>
      <category>Storage</category>
      <category>West Europe</category>
      <title>{title_of("azure", sid)}</title>
      <description>&lt;p&gt;{latest_text("azure", sid, step)}&lt;/p&gt;</description>
      <pubDate>{_rfc822(published)}</pubDate>
    </item>
  </channel>
</rss>
""".encode()


def payload(kind: Kind, sid: str, step: int) -> bytes:
    if kind == "gcp":
        return gcp_feed(sid, step)
    if kind == "azure":
        return azure_feed(sid, step)
    return sp_summary([{**sp_incident(sid, step + 1), "name": title_of(kind, sid)}])


# --- faults ------------------------------------------------------------------------------------

# server, path, good payload
Installer = Callable[[FeedServer, str, bytes], None]
LOOP_PATH = "/loop/b"

BILLION_LAUGHS_DTD = (
    b'<!DOCTYPE rss [\n  <!ENTITY lol "lol">\n'
    + b"".join(
        b'  <!ENTITY lol%d "%s">\n' % (n, (b"&lol%d;" % (n - 1) if n > 1 else b"&lol;") * 10)
        for n in range(1, 10)
    )
    + b"]>\n"
)


def serve_fault(make: Callable[[bytes], Fault]) -> Installer:
    def install(server: FeedServer, path: str, good: bytes) -> None:
        server.fault(path, make(good))

    return install


def serve_body(transform: Callable[[bytes], bytes], content_type: str) -> Installer:
    def install(server: FeedServer, path: str, good: bytes) -> None:
        server.set(path, transform(good), content_type=content_type)

    return install


def warm_bomb(server: FeedServer) -> None:
    """Have the server build (and cache) the bomb before the app runs: building it takes the
    server a moment that is no part of what the app does."""
    server.fault("/warm", Fault.gzip_bomb(BOMB_SIZE))
    with httpx.stream("GET", server.url("/warm"), timeout=60) as response:
        response.close()
    server.clear("/warm")


def redirect_loop(server: FeedServer, path: str, good: bytes) -> None:
    server.fault(path, Fault.redirect(LOOP_PATH))
    server.fault(LOOP_PATH, Fault.redirect(path))


def invalid_utf8(good: bytes) -> bytes:
    return good.replace(b"Incident ", b"Incident \xc3\x28\xff", 1)


def billion_laughs(good: bytes) -> bytes:
    declaration, _, rest = good.partition(b"\n")
    return declaration + b"\n" + BILLION_LAUGHS_DTD + rest.replace(b"<title>", b"<title>&lol9;", 1)


@dataclass(frozen=True)
class TuiFault:
    sid: str  # also the source's name on screen: short, so four fit the strip at 120 columns
    label: str
    kind: Kind
    install: Installer
    expect: Health
    reason: str  # lower-case words the reason on screen must contain
    slow: bool = False  # the fetch runs into the 1 s bound: keys are checked while it hangs
    retry_after: float | None = None


JSON = CONTENT_TYPE["statuspage"]

GROUPS: dict[str, tuple[TuiFault, ...]] = {
    "http": (
        TuiFault(
            "s500",
            "HTTP 500",
            "statuspage",
            serve_fault(lambda g: Fault.status(500)),
            "failing",
            "http 500",
        ),
        TuiFault(
            "s429",
            "HTTP 429, Retry-After: 900",
            "statuspage",
            serve_fault(lambda g: Fault.status(429, b"slow down", retry_after=900)),
            "failing",
            "http 429",
            retry_after=900,
        ),
        TuiFault("sloop", "redirect loop", "statuspage", redirect_loop, "failing", "loop"),
        TuiFault(
            "gfile",
            "redirect to file:///etc/passwd",
            "gcp",
            serve_fault(lambda g: Fault.redirect("file:///etc/passwd")),
            "failing",
            "non-http",
        ),
    ),
    "slow": (
        TuiFault(
            "shang",
            "hang before headers",
            "statuspage",
            serve_fault(lambda g: Fault.hang()),
            "failing",
            "timeout",
            slow=True,
        ),
        TuiFault(
            "strickle",
            "body trickled at 1 byte/s",
            "statuspage",
            serve_fault(lambda g: Fault.trickle(g, 1.0)),
            "failing",
            "timeout",
            slow=True,
        ),
        TuiFault(
            "sendless",
            "endless chunked body",
            "statuspage",
            serve_fault(lambda g: Fault.endless()),
            "failing",
            "larger than",
        ),
        TuiFault(
            "sbomb",
            f"gzip bomb ({BOMB_SIZE // MIB} MiB of zeros)",
            "statuspage",
            serve_fault(lambda g: Fault.gzip_bomb(BOMB_SIZE)),
            "failing",
            "larger than",
        ),
    ),
    "payload": (
        TuiFault(
            "gtrunc",
            "truncated JSON (GCP)",
            "gcp",
            serve_body(lambda g: g[: len(g) // 2], JSON),
            "drifted",
            "invalid json",
        ),
        TuiFault(
            "shtml",
            "HTML error page with 200",
            "statuspage",
            serve_fault(lambda g: Fault.html_error_page()),
            "drifted",
            "html",
        ),
        TuiFault(
            "sutf8",
            "invalid UTF-8 in a title",
            "statuspage",
            serve_body(invalid_utf8, JSON),
            "drifted",
            "not valid utf-8",
        ),
        TuiFault(
            "alaughs",
            "XML billion laughs (Azure RSS)",
            "azure",
            serve_body(billion_laughs, CONTENT_TYPE["azure"]),
            "drifted",
            "unsafe xml",
        ),
    ),
}


# --- the app and what it shows -----------------------------------------------------------------


def path_of(fault: TuiFault) -> str:
    return f"/{fault.sid}/{FILE_NAME[fault.kind]}"


def build_engine(
    server: FeedServer, faults: tuple[TuiFault, ...], store: Store, clock: Clock
) -> Engine:
    config = parse_config(
        {
            "watch": {"providers": []},
            "sources": [
                {
                    "id": f.sid,
                    "name": f.sid,
                    "kind": f.kind,
                    "url": server.url(path_of(f)),
                    "interval": INTERVAL,
                }
                for f in faults
            ],
        }
    )
    poller = Poller(
        store,
        resolve_sources(config),
        clock=clock,
        total_timeout=FETCH_TIMEOUT,
        rng=random.Random(7),
    )
    return Engine(store, config, poller=poller, clock=clock)


class StallMeter:
    """The worst lateness of a 10 ms sleep on the app's event loop (a blocked loop: a frozen UI)."""

    def __init__(self) -> None:
        self.worst = 0.0
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        while True:
            started = time.monotonic()
            await asyncio.sleep(0.01)
            self.worst = max(self.worst, time.monotonic() - started - 0.01)

    def start(self) -> None:
        self.worst = 0.0
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> float:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        return self.worst


async def help_round_trip(pilot: Pilot[Any], app: WatchApp) -> tuple[float, float]:
    """Seconds for ``?`` to show help and for ``escape`` to close it again."""
    started = time.monotonic()
    await pilot.press("question_mark")
    await until(pilot, lambda: isinstance(app.screen, HelpScreen), "help opens", KEY_BOUND * 3)
    opened = time.monotonic() - started
    started = time.monotonic()
    await pilot.press("escape")
    await until(pilot, lambda: not isinstance(app.screen, HelpScreen), "help closes", KEY_BOUND * 3)
    return opened, time.monotonic() - started


def healths(app: WatchApp) -> dict[str, str]:
    return {s.id: s.health for s in app.latest.sources} if app.latest else {}


def strip_entry(lines: list[str], sid: str) -> str:
    """The source strip's words for one source: 'sid ✖ FAILING 2m'."""
    health = r"(?:\S (?:FAILING|DRIFTED|STALE)|●)"
    match = re.search(rf"{re.escape(sid)} {health}(?: \d+[smhd])?", lines[1])
    return match.group(0) if match else ""


def stream_row(lines: list[str], title: str) -> str:
    return next((line for line in lines if title in line), "")


def readable(reason: str) -> bool:
    return 0 < len(reason) <= 300 and reason.isprintable() and "Traceback" not in reason


async def sources_screen_rows(
    pilot: Pilot[Any], app: WatchApp, faults: tuple[TuiFault, ...]
) -> dict[str, tuple[str, str]]:
    """Per source: its table row and the detail pane's text, as shown, walking the rows."""
    await pilot.press("s")
    await until(
        pilot,
        lambda: isinstance(app.screen, SourcesScreen) and len(app.screen.sources) == len(faults),
        "sources screen loaded",
        SCREEN_BOUND,
    )
    screen = app.screen
    assert isinstance(screen, SourcesScreen)
    shown: dict[str, tuple[str, str]] = {}
    for _ in faults:
        await pilot.pause()
        source = screen.selected
        assert source is not None
        lines = screen_lines(app)
        row = next((line for line in lines if line.lstrip().startswith(source.id + " ")), "")
        # The detail pane wraps a long reason: read from "Last error:" down to the footer.
        start = next((i for i, line in enumerate(lines) if "Last error:" in line), len(lines))
        detail = " ".join(line.strip() for line in lines[start:-1] if line.strip())
        shown[source.id] = (row, detail)
        await pilot.press("down")
    await pilot.press("escape")
    await until(pilot, lambda: not isinstance(app.screen, SourcesScreen), "back", KEY_BOUND * 3)
    return shown


# --- the test ------------------------------------------------------------------------------------


@pytest.mark.parametrize("group", list(GROUPS))
async def test_app_under_faults(group: str, tmp_path: Path, record: Record) -> None:
    faults = GROUPS[group]
    rows: dict[str, dict[str, Any]] = {
        f.sid: {"group": group, "fault": f.label, "kind": f.kind, "expect": f.expect}
        for f in faults
    }
    server = FeedServer().start()
    store = Store.open(tmp_path / "history.sqlite3")
    try:
        await exercise(faults, server, store, rows)
    finally:
        server.stop()
        store.close()
        for row in rows.values():
            record("tui_faults", **row)


async def exercise(
    faults: tuple[TuiFault, ...],
    server: FeedServer,
    store: Store,
    rows: dict[str, dict[str, Any]],
) -> None:
    for f in faults:
        server.set(path_of(f), payload(f.kind, f.sid, 1), content_type=CONTENT_TYPE[f.kind])
    if any(f.sid == "sbomb" for f in faults):
        await asyncio.to_thread(warm_bomb, server)
    clock = Clock(T0)
    engine = build_engine(server, faults, store, clock)
    app = WatchApp(engine, clock=clock, poll_interval=0.2, external_check_seconds=3600.0)
    meter = StallMeter()
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await until(
                pilot,
                lambda: all(stream_row(screen_lines(app), title_of(f.kind, f.sid)) for f in faults),
                "every incident on screen",
                SCREEN_BOUND,
            )
            await under_fault(pilot, app, faults, server, clock, meter, rows)
            await recovery(pilot, app, faults, server, clock, rows)
            # Worker failures are the app's own error toasts (incident toasts carry a provider).
            errors = [n.message for n in app._notifications if n.title == "watchtui"]
            assert app.is_running and app.return_code is None
            assert not errors, errors
    finally:
        await meter.stop()
        await engine.poller.aclose()


async def under_fault(
    pilot: Pilot[Any],
    app: WatchApp,
    faults: tuple[TuiFault, ...],
    server: FeedServer,
    clock: Clock,
    meter: StallMeter,
    rows: dict[str, dict[str, Any]],
) -> None:
    requests = {f.sid: server.request_count(path_of(f)) for f in faults}
    for f in faults:
        f.install(server, path_of(f), payload(f.kind, f.sid, 1))
    meter.start()
    armed = time.monotonic()
    clock.advance(2 * INTERVAL)
    # Keys are pressed once the faulty requests are on the wire (the slow ones then hang there).
    await until(
        pilot,
        lambda: all(server.request_count(path_of(f)) > requests[f.sid] for f in faults),
        "the app polls the faulty sources by itself",
        SCREEN_BOUND,
    )
    in_flight = app._poll_worker is not None and app._poll_worker.is_running
    opened, closed = await help_round_trip(pilot, app)
    await until(
        pilot,
        lambda: all(healths(app).get(f.sid) == f.expect for f in faults),
        "every source failing/drifted",
        SCREEN_BOUND,
    )
    shown_after = time.monotonic() - armed
    await pilot.pause()
    stall = await meter.stop()
    lines = screen_lines(app)
    views = {s.id: s for s in app.latest.sources} if app.latest else {}
    for f in faults:
        rows[f.sid].update(
            help_open_s=round(opened, 3),
            help_close_s=round(closed, 3),
            poll_in_flight=in_flight if f.slow else None,
            max_loop_stall_s=round(stall, 3),
            strip=strip_entry(lines, f.sid),
            incident_row=stream_row(lines, title_of(f.kind, f.sid)).strip(" │•"),
            shown_after_s=round(shown_after, 2),
        )
    table = await sources_screen_rows(pilot, app, faults)
    for f in faults:
        row_text = table[f.sid][0]
        reason = views[f.sid].last_error or ""
        health = re.search(r"\S (FAILING|DRIFTED|fresh|STALE)", row_text)
        rows[f.sid].update(health_shown=health.group(0) if health else "", reason=reason)
    for f in faults:
        check_fault_screen(f, lines, table[f.sid], views[f.sid].last_error or "")
    expected_counts = {h: sum(1 for f in faults if f.expect == h) for h in ("failing", "drifted")}
    for health, count in expected_counts.items():
        if count:
            assert f"{count} source{'s' if count != 1 else ''} {health}" in lines[0], lines[0]
    assert f"{len(faults)} open incidents" in lines[0], lines[0]
    assert opened <= KEY_BOUND and closed <= KEY_BOUND, (opened, closed)
    assert stall <= STALL_BOUND, f"event loop stalled {stall:.3f} s"
    if any(f.slow for f in faults):
        assert in_flight, "the keys were meant to be pressed while a fetch hung"
    await check_retry_after(pilot, app, faults, server, clock, rows)


def check_fault_screen(
    fault: TuiFault, lines: list[str], table: tuple[str, str], reason: str
) -> None:
    strip = strip_entry(lines, fault.sid)
    assert HEALTH_WORD[fault.expect] in strip, (fault.sid, lines[1])
    # The data's age beside the health word: the last good fetch, two minutes before now.
    assert strip.endswith(" 2m"), strip
    row = stream_row(lines, title_of(fault.kind, fault.sid))
    assert latest_text(fault.kind, fault.sid, 1) in row, row
    row_text, detail = table
    assert HEALTH_WORD[fault.expect] in row_text, row_text
    assert readable(reason), reason
    assert fault.reason in reason.lower(), reason
    # The whole reason is on screen in the detail pane (wrapping only adds line breaks).
    assert " ".join(reason.split()) in " ".join(detail.split()), (reason, detail)
    assert "root:" not in detail


async def check_retry_after(
    pilot: Pilot[Any],
    app: WatchApp,
    faults: tuple[TuiFault, ...],
    server: FeedServer,
    clock: Clock,
    rows: dict[str, dict[str, Any]],
) -> None:
    """While the app keeps polling, a source that answered Retry-After is left alone."""
    waiting = [f for f in faults if f.retry_after is not None]
    others = [f for f in faults if f.retry_after is None]
    if not waiting or not others:
        return
    before = {f.sid: server.request_count(path_of(f)) for f in faults}
    clock.advance(5 * INTERVAL)
    await until(
        pilot,
        lambda: any(server.request_count(path_of(f)) > before[f.sid] for f in others),
        "the app polls the other sources again",
        SCREEN_BOUND,
    )
    for f in waiting:
        again = server.request_count(path_of(f)) - before[f.sid]
        rows[f.sid]["requests_within_retry_after"] = again
        assert again == 0, f"{f.sid} polled {again} times within its Retry-After"


async def recovery(
    pilot: Pilot[Any],
    app: WatchApp,
    faults: tuple[TuiFault, ...],
    server: FeedServer,
    clock: Clock,
    rows: dict[str, dict[str, Any]],
) -> None:
    for f in faults:
        server.clear(path_of(f))
        server.set(path_of(f), payload(f.kind, f.sid, 2), content_type=CONTENT_TYPE[f.kind])
    server.clear(LOOP_PATH)
    # Past every backoff and Retry-After: the app's own timer must bring everything back.
    clock.advance(RETRY_AFTER_CAP + 2 * INTERVAL)

    def recovered() -> bool:
        lines = screen_lines(app)
        return all(
            healths(app).get(f.sid) == "fresh"
            and latest_text(f.kind, f.sid, 2) in stream_row(lines, title_of(f.kind, f.sid))
            for f in faults
        )

    took = await until(pilot, recovered, "every source fresh again", SCREEN_BOUND)
    await pilot.pause()
    lines = screen_lines(app)
    assert "failing" not in lines[0] and "drifted" not in lines[0], lines[0]
    assert "FAILING" not in lines[1] and "DRIFTED" not in lines[1], lines[1]
    for f in faults:
        rows[f.sid].update(recovered=True, recovered_after_s=round(took, 2))
        rows[f.sid]["strip_after"] = strip_entry(lines, f.sid)


# --- regressions the runs above found -------------------------------------------------------------


class _Table(KeyedTable):
    COLUMNS = (("Time", "time"), ("Impact", "impact"))


class _TableApp(App[None]):
    def compose(self) -> ComposeResult:
        yield _Table()


async def test_rows_painted_before_they_are_measured_are_redrawn() -> None:
    """A frame painted between adding rows and the table measuring them (on idle) drew them at
    the header's widths ("11:1", "▲ majo"), and DataTable kept those renders until the row
    next changed: seen on the main screen under load."""
    app = _TableApp()
    async with app.run_test(size=(60, 6)) as pilot:
        await pilot.pause()
        table = app.query_one(_Table)
        table.sync(
            [("a", (Text("11:10"), Text("▲ major"))), ("b", (Text("11:20"), Text("▲ minor")))]
        )
        for y in range(3):
            table.render_line(y)  # the early frame
        await pilot.pause()
        await pilot.pause()
        lines = screen_lines(app)  # type: ignore[arg-type]
    assert "11:10" in lines[1] and "▲ major" in lines[1], lines[:3]


def test_an_overview_arriving_after_the_screens_are_gone_is_dropped() -> None:
    """Shutting the app down with a poll in flight: the overview it then posts found no screen
    and raised LookupError out of the message loop."""
    app = WatchApp(cast(Any, None))
    app._show_everywhere(cast(Any, None))  # no screen mounted: nothing to do, no exception
