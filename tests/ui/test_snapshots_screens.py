"""SVG snapshots of the secondary screens at 80x24 and 120x40, frozen at the fake engine's NOW.

Regenerate after a deliberate change with
``pytest --snapshot-update tests/ui/test_snapshots_screens.py`` and read the SVG diffs (they are
text) before committing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual.pilot import Pilot

from tests.ui.fake_engine import NOW, FakeEngine, sample_history
from tests.ui.run_screens import ScreenHost, settle
from watchtui.ui.screens.history import HistoryScreen
from watchtui.ui.screens.incident_list import IncidentListScreen
from watchtui.ui.screens.sources import SourcesScreen

SnapCompare = Callable[..., bool]
SIZES = [(80, 24), (120, 40)]


def _engine() -> FakeEngine:
    engine = FakeEngine()
    engine.history_extra = sample_history()
    return engine


async def _settled(pilot: Pilot[Any]) -> None:
    await settle(pilot)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_history(snap_compare: SnapCompare, size: tuple[int, int]) -> None:
    app = ScreenHost(lambda: HistoryScreen(_engine(), clock=lambda: NOW))
    assert snap_compare(app, terminal_size=size, run_before=_settled)


def test_history_ascii_one_provider_90_days(snap_compare: SnapCompare) -> None:
    async def narrow(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("d", "p")
        await settle(pilot)

    app = ScreenHost(lambda: HistoryScreen(_engine(), clock=lambda: NOW, ascii_only=True))
    assert snap_compare(app, terminal_size=(80, 24), run_before=narrow)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_sources(snap_compare: SnapCompare, size: tuple[int, int]) -> None:
    async def select_failing(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("down", "down", "down", "down")
        await pilot.pause()

    app = ScreenHost(lambda: SourcesScreen(_engine(), clock=lambda: NOW))
    assert snap_compare(app, terminal_size=size, run_before=select_failing)


def test_catalog_picker(snap_compare: SnapCompare) -> None:
    async def search(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("a")
        await pilot.pause()
        await pilot.press(*"data")
        await pilot.pause()

    app = ScreenHost(lambda: SourcesScreen(_engine(), clock=lambda: NOW))
    assert snap_compare(app, terminal_size=(80, 24), run_before=search)


def test_incident_list(snap_compare: SnapCompare) -> None:
    app = ScreenHost(
        lambda: IncidentListScreen(
            _engine(), clock=lambda: NOW, title="Demo Git", source_id="demo-git"
        )
    )
    assert snap_compare(app, terminal_size=(80, 24), run_before=_settled)
