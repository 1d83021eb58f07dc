"""SVG snapshots of the probes screen and of the main screen with its disagreements: the real
engine over the test board, the clock frozen, the server on a fixed port (probe targets show).

Regenerate after a deliberate change with
``pytest --snapshot-update tests/ui/test_snapshots_probes.py`` and read the SVG diffs.
"""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot

from tests.support.board import Board
from tests.support.pilot import make_app, settle

SIZES = [(80, 24), (120, 40)]


async def _main_ready(pilot: Pilot[Any]) -> None:
    await settle(pilot)  # the cursor on the first pinned row: the disagreement highlighted


async def _probes_ready(pilot: Pilot[Any]) -> None:
    await settle(pilot)
    await pilot.press("P")
    await settle(pilot)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_probes_screen(snap_compare: Any, snapshot_board: Board, size: tuple[int, int]) -> None:
    app = make_app(snapshot_board)
    assert snap_compare(app, terminal_size=size, run_before=_probes_ready)


def test_probes_screen_ascii(snap_compare: Any, snapshot_board: Board) -> None:
    app = make_app(snapshot_board, ascii_only=True)
    assert snap_compare(app, terminal_size=(80, 24), run_before=_probes_ready)


def test_main_screen_with_disagreements(snap_compare: Any, snapshot_board: Board) -> None:
    app = make_app(snapshot_board)
    assert snap_compare(app, terminal_size=(120, 40), run_before=_main_ready)


def test_kiosk_with_disagreements(snap_compare: Any, snapshot_board: Board) -> None:
    app = make_app(snapshot_board, kiosk=True, kiosk_cycle_seconds=3600.0)
    assert snap_compare(app, terminal_size=(120, 40), run_before=_main_ready)
