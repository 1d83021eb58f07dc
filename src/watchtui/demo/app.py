"""``watchtui demo``: the full app on a scripted outage, with no internet.

A loopback ``DemoServer`` plays ``watchtui.demo.Scenario`` (demo data, in the real wire formats)
step by step while the real poller, store and UI watch it through a temporary store.  The same
``DemoFeed`` drives the end-to-end test and the screenshots.
"""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from watchtui.config import Config
from watchtui.demo.config import demo_config
from watchtui.demo.scenario import Scenario
from watchtui.demo.server import DemoServer
from watchtui.domain.clock import utcnow

if TYPE_CHECKING:
    from watchtui.domain.events import ChangeEvent
    from watchtui.engine.engine import Engine


class DemoFeed:
    """Serves the scenario on ``server``, one step every ``step_seconds`` (looping with fresh ids
    after the last step, so a demo left running keeps telling the story)."""

    def __init__(
        self,
        server: DemoServer,
        step_seconds: float,
        *,
        clock: Callable[[], datetime] = utcnow,
        loop: bool = True,
    ) -> None:
        self.server = server
        self.step_seconds = step_seconds
        self.clock = clock
        self.loop = loop
        self.scenario = Scenario(clock(), step_seconds=step_seconds)
        self.step = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def config(self) -> Config:
        return demo_config(self.server.base_url)

    def show(self, step: int) -> None:
        self.step = step
        payloads = self.scenario.payloads(step)
        self.server.serve({p: (v.status, v.content_type, v.body) for p, v in payloads.items()})

    def start(self) -> None:
        self.show(0)
        self._thread = threading.Thread(target=self._run, name="demo-feed", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.step_seconds):
            if self.step + 1 < self.scenario.steps:
                self.show(self.step + 1)
            elif self.loop:
                self.scenario = Scenario(self.clock(), step_seconds=self.step_seconds)
                self.show(0)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)


class SteppedClock:
    """A clock that reads whatever moment it was last set to: replays set it to each step's
    scenario time, so the store, the probes and the UI agree on "now"."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


async def replay(
    feed: DemoFeed, engine: Engine, clock: SteppedClock, until: int, *, polls_per_step: int = 1
) -> list[ChangeEvent]:
    """Play steps 0..``until`` through the real poller and probe runner: ``polls_per_step``
    forced polls per step, evenly spaced in scenario time from the step's start (the first
    fetches the step's new payloads, the others see them unchanged, as a live poller would).
    The events of every round, oldest round first."""
    if polls_per_step < 1:
        raise ValueError("polls_per_step must be at least 1")
    events: list[ChangeEvent] = []
    tick = timedelta(seconds=feed.step_seconds / polls_per_step)
    for step in range(until + 1):
        feed.show(step)
        for n in range(polls_per_step):
            clock.now = feed.scenario.at(step) + n * tick
            events += await engine.poll(force=True)
    return events


def run_demo(*, step_seconds: float = 8.0, ascii_only: bool = False, kiosk: bool = False) -> int:
    from watchtui.engine.engine import Engine
    from watchtui.store import Store
    from watchtui.ui.app import WatchApp

    with DemoServer() as server, tempfile.TemporaryDirectory(prefix="watchtui-demo-") as tmp:
        feed = DemoFeed(server, step_seconds)
        feed.start()
        try:
            store = Store.open(Path(tmp) / "demo.sqlite3")
            engine = Engine(store, feed.config())
            app = WatchApp(engine, ascii_only=ascii_only, kiosk=kiosk, poll_interval=2.0)
            app.title = "watchtui demo (scripted demo data)"
            try:
                app.run()
            finally:
                store.close()
        finally:
            feed.stop()
    return app.exit_status
