"""A tiny host app for the secondary screens, for tests and for trying them by hand.

``python tests/ui/run_screens.py history|sources|incidents|probes [--ascii]`` shows one screen
on the fake engine's data at its frozen time; ``ctrl+q`` quits.  Tests use ``ScreenHost`` and
``settle``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from textual.app import App
from textual.pilot import Pilot
from textual.screen import Screen

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.ui.fake_engine import NOW, FakeEngine, sample_history


class ScreenHost(App[None]):
    """Pushes one screen on mount, like the real app does when its key is pressed."""

    def __init__(self, make_screen: Callable[[], Screen[None]]) -> None:
        super().__init__()
        self.make_screen = make_screen

    def on_mount(self) -> None:
        self.push_screen(self.make_screen())


async def settle(pilot: Pilot[None]) -> None:
    """Let workers finish and the messages they posted be handled."""
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def make_screen(name: str, engine: FakeEngine, ascii_only: bool) -> Screen[None]:
    if name == "history":
        from watchtui.ui.screens.history import HistoryScreen

        return HistoryScreen(engine, clock=lambda: NOW, ascii_only=ascii_only)
    if name == "probes":
        from watchtui.ui.screens.probes import ProbesScreen

        return ProbesScreen(engine.add_signals(), clock=lambda: NOW, ascii_only=ascii_only)
    if name == "sources":
        from watchtui.ui.screens.sources import SourcesScreen

        return SourcesScreen(engine, clock=lambda: NOW, ascii_only=ascii_only)
    from watchtui.ui.screens.incident_list import IncidentListScreen

    return IncidentListScreen(
        engine, clock=lambda: NOW, title="All incidents", ascii_only=ascii_only
    )


def main(args: list[str]) -> None:
    engine = FakeEngine()
    engine.history_extra = sample_history()
    name = args[0] if args else "history"
    ScreenHost(lambda: make_screen(name, engine, "--ascii" in args)).run()


if __name__ == "__main__":
    main(sys.argv[1:])
