"""SVG snapshots of the main and incident screens (frozen clock; fixture data)."""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot

from tests.ui.run_fake import make_app, settle, workers_done
from watchtui.ui.app import WatchApp

SIZES = [(80, 24), (120, 40)]


async def _main_ready(pilot: Pilot[Any]) -> None:
    app = pilot.app
    assert isinstance(app, WatchApp)
    await settle(pilot, app)
    await pilot.press("j")  # a cursor away from the first row shows the highlight


async def _incident_ready(pilot: Pilot[Any]) -> None:
    app = pilot.app
    assert isinstance(app, WatchApp)
    await settle(pilot, app)
    await pilot.press("enter")
    await pilot.pause()
    await workers_done(app)
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_main_screen(snap_compare: Any, size: tuple[int, int]) -> None:
    assert snap_compare(make_app(), terminal_size=size, run_before=_main_ready)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_incident_screen(snap_compare: Any, size: tuple[int, int]) -> None:
    assert snap_compare(make_app(), terminal_size=size, run_before=_incident_ready)


def test_main_screen_ascii(snap_compare: Any) -> None:
    assert snap_compare(make_app(ascii_only=True), terminal_size=(80, 24), run_before=_main_ready)


def test_kiosk(snap_compare: Any) -> None:
    app = make_app(kiosk=True, kiosk_cycle_seconds=3600.0)
    assert snap_compare(app, terminal_size=(120, 40), run_before=_main_ready)
