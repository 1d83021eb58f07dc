"""Regenerate the README screenshots (``screenshots/*.svg``) from the demo scenario.

    python scripts/screenshots.py            # write screenshots/*.svg, print the files written
    python scripts/screenshots.py --check    # render again, exit 1 if any file would change

Everything shown is DEMO DATA (``watchtui.demo``).  Each scene replays the scenario up to one step
through the real poller, probe runner and store (the demo's loopback server, a clock frozen at each
step's scenario time), then runs the real ``WatchApp`` headless at a fixed size, presses the keys a
user would, and exports the screen as SVG.  The app's engine reads that store and never polls, so
the same code gives the same bytes on every run.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import difflib
import importlib.util
import sqlite3
import sys
import tempfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from textual.pilot import Pilot
from textual.worker import WorkerCancelled

from watchtui.demo import PEAK_STEP, Scenario
from watchtui.demo.app import DemoFeed, SteppedClock, replay
from watchtui.demo.config import demo_config
from watchtui.demo.server import DemoServer
from watchtui.domain.events import ChangeEvent
from watchtui.engine.engine import Engine
from watchtui.store import Store
from watchtui.ui.app import WatchApp

ROOT = Path(__file__).resolve().parents[1]
# A fixed scenario start, so ids, timestamps and ages are the same on every run.
START = datetime(2026, 3, 10, 17, 0, tzinfo=UTC)
STEP_SECONDS = 60
# Poll (and probe) every 15 s of scenario time, as the demo's config asks.
POLLS_PER_STEP = 4
# What the screens show as the demo server's address (the real one has a random port).
SHOWN_BASE_URL = "http://127.0.0.1:8765"
# The step where the user's probes and the providers disagree both ways, and a feed is failing.
DISAGREEMENT_STEP = 3
# Demo Pay's incident has three updates by then, HTML among them.
INCIDENT_STEP = 9
TITLE = "watchtui demo (scripted demo data)"


@dataclass(frozen=True)
class Scene:
    name: str
    step: int
    size: tuple[int, int]
    # Pilot key names, pressed in order once the first overview is on screen.
    keys: tuple[str, ...] = ()
    # A UI module this scene needs; the scene is left out while the module does not exist.
    needs: str | None = None

    @property
    def filename(self) -> str:
        width, height = self.size
        return f"{self.name}-{width}x{height}.svg"


def typed(text: str) -> tuple[str, ...]:
    return tuple("space" if char == " " else char for char in text)


# Filter the stream down to Demo Pay's card-declines incident, then open it.
_OPEN_CARD_DECLINES = ("slash", *typed("card declines"), "enter", "enter")

SCENES: tuple[Scene, ...] = (
    Scene("main", PEAK_STEP, (120, 40)),
    Scene("main", PEAK_STEP, (80, 24)),
    Scene("incident", INCIDENT_STEP, (120, 40), _OPEN_CARD_DECLINES),
    Scene("incident", INCIDENT_STEP, (80, 24), _OPEN_CARD_DECLINES),
    Scene("history", PEAK_STEP, (120, 40), ("h",)),
    # The failing Demo Deploy feed (fourth row) selected, so its detail line shows the error.
    Scene("sources", DISAGREEMENT_STEP, (120, 40), ("s", "down", "down", "down")),
    Scene("disagreement", DISAGREEMENT_STEP, (120, 40)),
    Scene("probes", DISAGREEMENT_STEP, (120, 40), ("P",), needs="watchtui.ui.screens.probes"),
)


class FrozenEngine(Engine):
    """The real engine over a finished replay: reads the store, never fetches.  Its first poll
    round reports what the replay's last round found, so the notification line says what it
    would say live at that moment."""

    def __init__(self, *args: Any, news: list[ChangeEvent], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.news = news

    async def poll(self, *, force: bool = False, source_id: str | None = None) -> list[ChangeEvent]:
        news, self.news = self.news, []
        return news


async def build_store(path: Path, step: int) -> tuple[Scenario, list[ChangeEvent]]:
    """Replay the scenario up to ``step`` into a new store at ``path``; the scenario and what
    the last step's rounds found."""
    with DemoServer() as server:
        feed = DemoFeed(server, STEP_SECONDS, clock=lambda: START, loop=False)
        clock = SteppedClock(START)
        store = Store.open(path)
        engine = Engine(store, feed.config(), clock=clock)
        try:
            if step > 0:
                await replay(feed, engine, clock, step - 1, polls_per_step=POLLS_PER_STEP)
            # The step itself, as replay plays each step: what these rounds find is the news
            # the notification line carries at that moment.
            news: list[ChangeEvent] = []
            feed.show(step)
            tick = timedelta(seconds=STEP_SECONDS / POLLS_PER_STEP)
            for n in range(POLLS_PER_STEP):
                clock.now = feed.scenario.at(step) + n * tick
                news += await engine.poll(force=True)
        finally:
            await engine.poller.aclose()
            store.close()
    freeze_latencies(path)
    return feed.scenario, news


def freeze_latencies(path: Path) -> None:
    """Replace the measured latencies (loopback timings, different on every run) with fixed
    plausible ones, so the sources and probes screens render the same bytes every time.  Each is
    a function of what was fetched and when (rows are written in a different order every run)."""
    tables = (("fetch_log", "url", 40, 160), ("probe_results", "probe_id", 20, 70))
    with sqlite3.connect(path) as conn:
        for table, key, low, spread in tables:
            rows = conn.execute(
                f"SELECT id, {key}, at FROM {table} WHERE latency_ms IS NOT NULL"
            ).fetchall()
            conn.executemany(
                f"UPDATE {table} SET latency_ms = ? WHERE id = ?",
                [
                    # URLs carry the server's random port: the path is what is stable.
                    (low + zlib.crc32(f"{urlsplit(name).path}@{at}".encode()) % spread, row_id)
                    for row_id, name, at in rows
                ],
            )
    conn.close()


async def settle(pilot: Pilot[None]) -> None:
    """Let workers finish and what they posted be handled and painted."""
    for _ in range(4):
        # An exclusive worker replaced by a newer one ends cancelled; the newer one is awaited
        # on the next pass.
        with contextlib.suppress(WorkerCancelled):
            await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def refit(pilot: Pilot[None], size: tuple[int, int]) -> None:
    """Resize away and back, so every table fits its columns once its scrollbar has settled.

    The tables size their flexible column from the width left by the scrollbar, and whether the
    scrollbar is already there when rows first arrive depends on timing: without this, about one
    render in six came out with a column two cells narrower."""
    width, height = size
    await pilot.resize_terminal(width + 1, height)
    await settle(pilot)
    await pilot.resize_terminal(width, height)
    await settle(pilot)


async def render(
    scene: Scene, store_path: Path, scenario: Scenario, news: list[ChangeEvent]
) -> str:
    # The moment of the step's last poll round.
    last_round = STEP_SECONDS * (POLLS_PER_STEP - 1) / POLLS_PER_STEP
    now = scenario.at(scene.step) + timedelta(seconds=last_round)
    engine = FrozenEngine(
        Store.open(store_path), demo_config(SHOWN_BASE_URL), clock=lambda: now, news=news
    )
    app = WatchApp(engine, clock=lambda: now)
    app.title = TITLE
    async with app.run_test(size=scene.size) as pilot:
        await settle(pilot)
        await refit(pilot, scene.size)
        for key in scene.keys:
            await pilot.press(key)
            await settle(pilot)
        return app.export_screenshot(title=TITLE)


async def render_all(scenes: Sequence[Scene]) -> dict[str, str]:
    out: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="watchtui-shots-") as tmp:
        stores: dict[int, tuple[Path, Scenario, list[ChangeEvent]]] = {}
        for scene in scenes:
            if scene.step not in stores:
                path = Path(tmp) / f"step{scene.step}.sqlite3"
                stores[scene.step] = (path, *await build_store(path, scene.step))
            out[scene.filename] = await render(scene, *stores[scene.step])
    return out


def available(scenes: Sequence[Scene]) -> list[Scene]:
    return [s for s in scenes if s.needs is None or importlib.util.find_spec(s.needs) is not None]


def check(rendered: dict[str, str], out_dir: Path) -> int:
    stale = 0
    for name, svg in rendered.items():
        path = out_dir / name
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        if current != svg:
            stale += 1
            diff = difflib.unified_diff(
                current.splitlines(), svg.splitlines(), str(path), "rendered", n=1, lineterm=""
            )
            sys.stdout.write(f"{path}: out of date\n" + "\n".join(list(diff)[:20]) + "\n")
    return 1 if stale else 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=ROOT / "screenshots", help="output directory")
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args(argv)
    rendered = asyncio.run(render_all(available(SCENES)))
    if args.check:
        return check(rendered, args.out)
    args.out.mkdir(parents=True, exist_ok=True)
    for name, svg in rendered.items():
        path = args.out / name
        path.write_text(svg, encoding="utf-8")
        sys.stdout.write(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
