"""Running the app and its screens on the test board, for the UI tests and for looking by hand.

``python -m tests.support.pilot [main|history|sources|incidents|probes] [--ascii] [--kiosk]
[--live-clock]`` builds the board (``board.py``) in a temporary directory and shows the app or
one screen on it, time frozen at the board's ``NOW`` unless ``--live-clock``; ``ctrl+q`` quits.
"""

from __future__ import annotations

import contextlib
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from textual.app import App
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import DataTable
from textual.worker import WorkerCancelled, WorkerFailed

from tests.support.board import Board, open_board
from watchtui.domain.clock import utcnow
from watchtui.engine.engine import Engine
from watchtui.ui.app import WatchApp
from watchtui.ui.widgets.keyed_table import KeyedTable
from watchtui.ui.widgets.one_line import OneLine
from watchtui.ui.widgets.stream import DISAGREEMENT_PREFIX, HINT_PREFIX


def make_app(board: Board, engine: Engine | None = None, **options: Any) -> WatchApp:
    """A WatchApp on a real engine over ``board``, sharing its frozen clock; its timers (poll,
    external-change check) are an hour apart, so a test decides when the app polls."""
    settings: dict[str, Any] = {
        "clock": board.clock,
        "poll_interval": 3600.0,
        "external_check_seconds": 3600.0,
    }
    settings.update(options)
    return WatchApp(engine or board.engine(), **settings)


def engine_of(app: WatchApp) -> Engine:
    engine = app.engine
    assert isinstance(engine, Engine)
    return engine


class ScreenHost(App[None]):
    """Pushes one screen on mount, like the real app does when its key is pressed."""

    def __init__(self, make_screen: Callable[[], Screen[None]]) -> None:
        super().__init__()
        self.make_screen = make_screen

    def on_mount(self) -> None:
        self.push_screen(self.make_screen())


async def workers_done(app: App[Any]) -> None:
    """Wait for the running workers; failures are the app's to report, not the test's."""
    with contextlib.suppress(WorkerFailed, WorkerCancelled):
        await app.workers.wait_for_complete()


async def settle(pilot: Pilot[Any]) -> None:
    """Wait until the app shows what it has loaded and the worker traffic has calmed down: for
    a ``WatchApp``, the first overview on screen and the first poll started; for a
    ``ScreenHost``, its screen mounted; then until no worker has run for three rounds of
    message handling (a worker's result starts the next worker)."""
    app = pilot.app
    for _ in range(500):
        if isinstance(app, WatchApp):
            ready = app.latest is not None and app._polling_started
        elif isinstance(app, ScreenHost):
            ready = len(app.screen_stack) > 1 and app.screen.is_mounted
        else:
            ready = True
        if ready:
            break
        await pilot.pause(0.01)
    quiet = 0
    for _ in range(200):
        busy = any(not worker.is_finished for worker in app.workers)
        await workers_done(app)
        await pilot.pause()
        quiet = 0 if busy else quiet + 1
        if quiet == 3:
            return


async def reload(pilot: Pilot[Any]) -> None:
    """Have the app read the overview again (as its timers do) and draw it."""
    app = pilot.app
    assert isinstance(app, WatchApp)
    app.load_overview()
    await workers_done(app)
    await app.animator.wait_until_complete()
    for _ in range(3):
        await pilot.pause()


async def poll_after(pilot: Pilot[Any], board: Board, **delta: float) -> None:
    """Time passes (``delta``), then the app's poll timer fires: the real engine fetches what
    has come due from the board's server, runs due probes, and the app redraws."""
    app = pilot.app
    assert isinstance(app, WatchApp)
    board.clock.advance(**delta)
    app.poll_now()
    await settle(pilot)
    await app.animator.wait_until_complete()
    await pilot.pause()


def table(app: App[Any], name: str) -> KeyedTable:
    return app.screen.query_one(f"#{name}", KeyedTable)


def column_text(pane: DataTable[Any], column: str) -> list[str]:
    return [cell.plain for cell in pane.get_column(column)]


def rows(app: App[Any], name: str) -> dict[str, list[str]]:
    """A pane's rows by key, as plain text cells."""
    pane = table(app, name)
    return {key: [cell.plain for cell in pane.get_row(key)] for key in pane.row_keys()}


def headline(app: App[Any]) -> str:
    return app.screen.query_one("#headline", OneLine).plain.strip()


@dataclass(frozen=True)
class Said:
    title: str
    message: str


def said(app: App[Any]) -> list[Said]:
    """Everything the app said, oldest first: the notification line's log in watchtui (which
    never raises toasts), Textual's toasts in a bare host app."""
    if isinstance(app, WatchApp):
        return [Said(e.notice.title, e.notice.message) for e in reversed(app.notices.entries)]
    return [Said(n.title, n.message) for n in app._notifications]


def stream_key(source_id: str, incident_id: str, update_id: str) -> str:
    return f"{source_id}\x1f{incident_id}\x1f{update_id}"


def update_keys(app: App[Any]) -> list[str]:
    """The stream's incident update rows (the pinned disagreements and hints left out)."""
    return [
        key
        for key in table(app, "stream").row_keys()
        if not key.startswith((DISAGREEMENT_PREFIX, HINT_PREFIX))
    ]


def incident_of(key: str) -> tuple[str, str]:
    """(source id, incident id) of a stream row key."""
    source_id, incident_id, *_ = key.split("\x1f")
    return source_id, incident_id


def screen_lines(app: App[Any]) -> list[str]:
    """What the terminal shows now, as plain text lines (for order and wording assertions)."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


def screen_text(app: App[Any]) -> str:
    """The screenshot's text (SVG with its non-breaking spaces made plain)."""
    return app.export_screenshot().replace("&#160;", " ")


# --- by hand ----------------------------------------------------------------------------------


def _screen(name: str, board: Board, ascii_only: bool) -> Screen[None]:
    engine = board.engine()
    if name == "history":
        from watchtui.ui.screens.history import HistoryScreen

        return HistoryScreen(engine, clock=board.clock, ascii_only=ascii_only)
    if name == "probes":
        from watchtui.ui.screens.probes import ProbesScreen

        return ProbesScreen(engine, clock=board.clock, ascii_only=ascii_only)
    if name == "sources":
        from watchtui.ui.screens.sources import SourcesScreen

        return SourcesScreen(engine, clock=board.clock, ascii_only=ascii_only)
    from watchtui.ui.screens.incident_list import IncidentListScreen

    return IncidentListScreen(
        engine, clock=board.clock, title="All incidents", ascii_only=ascii_only
    )


def main(argv: list[str]) -> None:
    names = [arg for arg in argv if not arg.startswith("--")]
    name = names[0] if names else "main"
    ascii_only = "--ascii" in argv
    with (
        tempfile.TemporaryDirectory(prefix="watchtui-board-") as tmp,
        open_board(Path(tmp)) as board,
    ):
        if name == "main":
            app: App[None] = make_app(
                board,
                clock=utcnow if "--live-clock" in argv else board.clock,
                ascii_only=ascii_only,
                kiosk="--kiosk" in argv,
                poll_interval=30.0,
                kiosk_cycle_seconds=5.0,
            )
        else:
            app = ScreenHost(lambda: _screen(name, board, ascii_only))
        app.run()


if __name__ == "__main__":
    main(sys.argv[1:])
