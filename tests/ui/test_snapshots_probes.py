"""SVG snapshots of the probes screen and of the main screen with disagreements (frozen clock).

Regenerate after a deliberate change with
``pytest --snapshot-update tests/ui/test_snapshots_probes.py`` and read the SVG diffs.
"""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot

from tests.ui.fake_engine import FakeEngine
from tests.ui.run_fake import make_app, settle, workers_done
from watchtui.ui.app import WatchApp

SIZES = [(80, 24), (120, 40)]


def signals_app(**options: Any) -> WatchApp:
    return make_app(FakeEngine().add_signals(), **options)


async def _main_ready(pilot: Pilot[Any]) -> None:
    app = pilot.app
    assert isinstance(app, WatchApp)
    await settle(pilot, app)
    await pilot.press("j", "j", "j")  # the cursor on the first update, under the pinned rows


async def _probes_ready(pilot: Pilot[Any]) -> None:
    app = pilot.app
    assert isinstance(app, WatchApp)
    await settle(pilot, app)
    await pilot.press("P")
    for _ in range(3):
        await workers_done(app)
        await pilot.pause()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_probes_screen(snap_compare: Any, size: tuple[int, int]) -> None:
    assert snap_compare(signals_app(), terminal_size=size, run_before=_probes_ready)


def test_probes_screen_ascii(snap_compare: Any) -> None:
    app = signals_app(ascii_only=True)
    assert snap_compare(app, terminal_size=(80, 24), run_before=_probes_ready)


def test_main_screen_with_disagreements(snap_compare: Any) -> None:
    assert snap_compare(signals_app(), terminal_size=(120, 40), run_before=_main_ready)


def test_kiosk_with_disagreements(snap_compare: Any) -> None:
    app = signals_app(kiosk=True, kiosk_cycle_seconds=3600.0)
    assert snap_compare(app, terminal_size=(120, 40), run_before=_main_ready)
