"""The board as a person sees it: run the real app under Pilot and read what it shows.

``read_board`` starts ``WatchApp`` on a real engine, waits until the engine's overview is on
screen, and returns what a reader needs to compare with the CLI: the screen's text, the header
line, and the identities of the rows in each pane (incident keys in the stream, providers and
their status words in the Services pane).  Reading row identities rather than truncated cells
keeps the comparison exact; the screen text proves the rows are really drawn.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from textual.pilot import Pilot
from textual.worker import WorkerFailed

from watchtui.domain.model import Impact
from watchtui.engine.protocol import WatchEngine
from watchtui.ui.app import WatchApp
from watchtui.ui.widgets.keyed_table import KeyedTable

_OPEN = re.compile(r"(\d+) (?:known )?open\b")
# The board's word for each impact level (README, "The watch screen").
_WORDS: dict[str, Impact] = {
    "ok": "none",
    "maint": "maintenance",
    "unknown": "unknown",
    "minor": "minor",
    "major": "major",
    "critical": "critical",
}


def impact_word(cell: str) -> Impact:
    """The impact a status cell ("▲ major", "■ CRITICAL", "? unknown") states."""
    return _WORDS[cell.split()[-1].casefold()]


@dataclass
class Board:
    lines: list[str]
    header: str
    # Stream rows that are incident updates, as (source_id, incident_id).
    stream_incidents: set[tuple[str, str]] = field(default_factory=set)
    # Services pane provider rows: source_id -> the status cell's text ("? unknown", "▲ major"…).
    providers: dict[str, str] = field(default_factory=dict)
    # Services pane component rows: (source_id, component_id) -> status cell text.
    components: dict[tuple[str, str], str] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    @property
    def open_count(self) -> int:
        """The number of open incidents the header states (0 when it states none)."""
        found = _OPEN.search(self.header)
        return int(found.group(1)) if found else 0


def make_app(engine: WatchEngine, clock: Callable[[], datetime], **options: Any) -> WatchApp:
    """A WatchApp whose timers do not fire during a test: the test decides when time passes."""
    settings: dict[str, Any] = {
        "clock": clock,
        "poll_interval": 3600.0,
        "external_check_seconds": 3600.0,
        "notifications": False,
    }
    settings.update(options)
    return WatchApp(engine, **settings)


async def settle(pilot: Pilot[Any], app: WatchApp) -> None:
    """Wait until the first overview is on screen and the worker traffic has calmed down."""
    for _ in range(500):
        if app.latest is not None and app._polling_started:
            break
        await pilot.pause(0.01)
    with contextlib.suppress(WorkerFailed):
        await app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


def screen_lines(app: WatchApp) -> list[str]:
    """What the terminal shows now, as plain text lines."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


def _cell_text(table: KeyedTable, key: str, column: int) -> str:
    return str(table.get_row(key)[column].plain)


def capture(app: WatchApp) -> Board:
    lines = screen_lines(app)
    board = Board(lines=lines, header=lines[0] if lines else "")
    for table in app.screen.query(KeyedTable):
        keys = [str(row.value) for row in table.rows]
        if table.id == "stream":
            for key in keys:
                parts = key.split("\x1f")
                if len(parts) == 3:
                    board.stream_incidents.add((parts[0], parts[1]))
        elif table.id == "services":
            for key in keys:
                kind, _, rest = key.partition("\x1f")
                if kind == "p":
                    board.providers[rest] = _cell_text(table, key, 1)
                elif kind == "c":
                    source_id, _, component_id = rest.partition("\x1f")
                    board.components[(source_id, component_id)] = _cell_text(table, key, 1)
    return board


async def read_board(
    engine: WatchEngine,
    clock: Callable[[], datetime],
    *,
    size: tuple[int, int] = (200, 60),
    keys: tuple[str, ...] = (),
    **options: Any,
) -> Board:
    """Run the app, let it settle, press ``keys`` (e.g. ``a`` to show every service), read."""
    app = make_app(engine, clock, **options)
    async with app.run_test(size=size) as pilot:
        await settle(pilot, app)
        for key in keys:
            await pilot.press(key)
            await pilot.pause()
        return capture(app)
