"""Run the app on the fake engine, and the helpers the UI tests share.

``python -m tests.ui.run_fake [--ascii] [--kiosk] [--live-clock] [--no-probes]``: time is frozen
at the fixture's NOW unless ``--live-clock``, so the ages shown match the fixture data; the
probes, disagreements and hint of ``sample_signals`` are shown unless ``--no-probes``.
"""

from __future__ import annotations

import contextlib
import sys
from typing import Any

from textual.pilot import Pilot
from textual.worker import WorkerFailed

from tests.ui.fake_engine import NOW, FakeEngine
from watchtui.ui.app import WatchApp, utc_now


def make_app(engine: FakeEngine | None = None, **options: Any) -> WatchApp:
    """A WatchApp on the fake engine with frozen time and no timers firing during a test."""
    settings: dict[str, Any] = {
        "clock": lambda: NOW,
        "poll_interval": 3600.0,
        "external_check_seconds": 3600.0,
    }
    settings.update(options)
    return WatchApp(engine or FakeEngine(), **settings)


async def settle(pilot: Pilot[Any], app: WatchApp) -> None:
    """Wait until the first overview is on screen and the worker traffic has calmed down."""
    for _ in range(200):
        if app.latest is not None and app._polling_started:
            break
        await pilot.pause(0.01)
    await workers_done(app)
    await pilot.pause()
    await pilot.pause()


async def workers_done(app: WatchApp) -> None:
    """Wait for the running workers; failures are the app's to report, not the test's."""
    with contextlib.suppress(WorkerFailed):
        await app.workers.wait_for_complete()


def screen_lines(app: WatchApp) -> list[str]:
    """What the terminal shows now, as plain text lines (for order and wording assertions)."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


def main(argv: list[str]) -> None:
    engine = FakeEngine()
    if "--no-probes" not in argv:
        engine.add_signals()
    app = WatchApp(
        engine,
        clock=utc_now if "--live-clock" in argv else (lambda: NOW),
        ascii_only="--ascii" in argv,
        kiosk="--kiosk" in argv,
        poll_interval=30.0,
        kiosk_cycle_seconds=5.0,
    )
    app.run()


if __name__ == "__main__":
    main(sys.argv[1:])
