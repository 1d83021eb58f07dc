"""SVG snapshots of the main and incident screens: the real engine over the test board, the
clock frozen at its ``NOW``, the server on a fixed port (see ``tests/support/board.py``).

Regenerate after a deliberate change with
``pytest --snapshot-update tests/ui/test_snapshots_main.py`` and read the SVG diffs.
"""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot

from tests.support.board import Board
from tests.support.pilot import make_app, settle
from watchtui.ui.screens.kiosk import KioskScreen

SIZES = [(80, 24), (120, 40)]
# The stream's pinned rows: two disagreements and a hint.
PINNED = 3


async def _main_ready(pilot: Pilot[Any]) -> None:
    await settle(pilot)
    # The cursor on the second incident update shows the highlight away from the first row.
    await pilot.press(*"j" * (PINNED + 1))


async def _incident_ready(pilot: Pilot[Any]) -> None:
    await settle(pilot)
    # The GCP incident, whose title is hostile markup.
    await pilot.press(*"j" * (PINNED + 1), "enter")
    await pilot.pause()
    await settle(pilot)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_main_screen(snap_compare: Any, snapshot_board: Board, size: tuple[int, int]) -> None:
    app = make_app(snapshot_board)
    assert snap_compare(app, terminal_size=size, run_before=_main_ready)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_incident_screen(snap_compare: Any, snapshot_board: Board, size: tuple[int, int]) -> None:
    app = make_app(snapshot_board)
    assert snap_compare(app, terminal_size=size, run_before=_incident_ready)


def test_main_screen_ascii(snap_compare: Any, snapshot_board: Board) -> None:
    app = make_app(snapshot_board, ascii_only=True)
    assert snap_compare(app, terminal_size=(80, 24), run_before=_main_ready)


async def _second_incident(pilot: Pilot[Any]) -> None:
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, KioskScreen)
    screen.next_incident()  # what its cycle timer does: Demo Git's incident with no update yet
    await pilot.pause()


def test_kiosk(snap_compare: Any, snapshot_board: Board) -> None:
    app = make_app(snapshot_board, kiosk=True, kiosk_cycle_seconds=3600.0)
    assert snap_compare(app, terminal_size=(120, 40), run_before=_second_incident)
