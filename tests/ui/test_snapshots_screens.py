"""SVG snapshots of the secondary screens at 80x24 and 120x40: the real engine over the test
board, the clock frozen at its ``NOW``, the server on a fixed port (source URLs show).

Regenerate after a deliberate change with
``pytest --snapshot-update tests/ui/test_snapshots_screens.py`` and read the SVG diffs (they are
text) before committing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual.pilot import Pilot

from tests.support.board import Board
from tests.support.board_story import BLOG, GIT
from tests.support.pilot import ScreenHost, settle
from watchtui.ui.screens.history import HistoryScreen
from watchtui.ui.screens.incident_list import IncidentListScreen
from watchtui.ui.screens.sources import SourcesScreen

SnapCompare = Callable[..., bool]
SIZES = [(80, 24), (120, 40)]
# The sources screen lists sources by id: the blog (failing) is the third.
BLOG_ROW = 2


async def _settled(pilot: Pilot[Any]) -> None:
    await settle(pilot)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_history(snap_compare: SnapCompare, snapshot_board: Board, size: tuple[int, int]) -> None:
    engine, clock = snapshot_board.engine(), snapshot_board.clock
    app = ScreenHost(lambda: HistoryScreen(engine, clock=clock))
    assert snap_compare(app, terminal_size=size, run_before=_settled)


def test_history_ascii_one_provider_90_days(
    snap_compare: SnapCompare, snapshot_board: Board
) -> None:
    async def narrow(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("d", "p")
        await settle(pilot)

    engine, clock = snapshot_board.engine(), snapshot_board.clock
    app = ScreenHost(lambda: HistoryScreen(engine, clock=clock, ascii_only=True))
    assert snap_compare(app, terminal_size=(80, 24), run_before=narrow)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_sources(snap_compare: SnapCompare, snapshot_board: Board, size: tuple[int, int]) -> None:
    async def select_failing(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press(*["down"] * BLOG_ROW)
        await pilot.pause()
        screen = pilot.app.screen
        assert isinstance(screen, SourcesScreen) and screen.selected is not None
        assert screen.selected.id == BLOG

    engine, clock = snapshot_board.engine(), snapshot_board.clock
    app = ScreenHost(lambda: SourcesScreen(engine, clock=clock))
    assert snap_compare(app, terminal_size=size, run_before=select_failing)


def test_catalog_picker(snap_compare: SnapCompare, snapshot_board: Board) -> None:
    async def search(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("a")
        await pilot.pause()
        await pilot.press(*"data")
        await pilot.pause()

    engine, clock = snapshot_board.engine(), snapshot_board.clock
    app = ScreenHost(lambda: SourcesScreen(engine, clock=clock))
    assert snap_compare(app, terminal_size=(80, 24), run_before=search)


def test_incident_list(snap_compare: SnapCompare, snapshot_board: Board) -> None:
    engine, clock = snapshot_board.engine(), snapshot_board.clock
    app = ScreenHost(
        lambda: IncidentListScreen(engine, clock=clock, title="Demo Git", source_id=GIT)
    )
    assert snap_compare(app, terminal_size=(80, 24), run_before=_settled)
