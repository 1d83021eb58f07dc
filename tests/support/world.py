"""A small world for end-to-end agreement tests: real sources on loopback, the real poller, store,
engine, CLI and app, and one frozen clock they all share.

Only the network (a ``FeedServer`` on 127.0.0.1) and the clock are fake.  Everything a user would
look at is read back through the product's own outputs: ``Engine.overview()``, ``watchtui
status --json``, ``watchtui history --json`` and the app's screen (see ``tests.support.screen``).
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tests.support.feedserver import Fault, FeedServer
from watchtui.cli import main
from watchtui.config import load_config
from watchtui.domain.events import ChangeEvent
from watchtui.engine.engine import Engine
from watchtui.engine.overview import Overview
from watchtui.store import Store


class FrozenClock:
    """The one clock of a world: it moves only when a test says so."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@dataclass(frozen=True)
class Source:
    id: str
    kind: str
    path: str  # the endpoint's path on the loopback server, used as the source's full URL
    interval: int = 60


@dataclass(frozen=True)
class CliResult:
    code: int
    document: Any


class World:
    def __init__(self, directory: Path, now: datetime, sources: list[Source]) -> None:
        self.directory = directory
        self.clock = FrozenClock(now)
        self.server = FeedServer().start()
        self.sources = {s.id: s for s in sources}
        self.config_path = directory / "config.toml"
        self.db_path = directory / "state" / "history.db"
        self._write_config()
        self.store = Store.open(self.db_path)
        self.engine = Engine(self.store, load_config(self.config_path), clock=self.clock)

    def _write_config(self) -> None:
        lines = ["[watch]", "providers = []", ""]
        for source in self.sources.values():
            lines += [
                "[[sources]]",
                f"id = {json.dumps(source.id)}",
                f"kind = {json.dumps(source.kind)}",
                f"url = {json.dumps(self.server.url(source.path))}",
                f"interval = {source.interval}",
                "",
            ]
        self.config_path.write_text("\n".join(lines), encoding="utf-8")

    # --- what the sources say ---------------------------------------------------------------

    def serve(self, source_id: str, body: bytes, content_type: str = "application/json") -> None:
        self.server.set(self.sources[source_id].path, body, content_type=content_type)

    def fail(self, source_id: str, status: int = 404) -> None:
        self.server.fault(self.sources[source_id].path, Fault.status(status))

    # --- time passing -------------------------------------------------------------------------

    def poll(self, seconds_later: float = 61.0) -> list[ChangeEvent]:
        """Let time pass, then run one polling round of the real engine over every source."""
        return asyncio.run(self.apoll(seconds_later))

    async def apoll(self, seconds_later: float = 61.0) -> list[ChangeEvent]:
        """``poll`` from a test that already runs an event loop."""
        self.clock.advance(seconds_later)
        return await self.engine.poll(force=True)

    # --- what the product says ---------------------------------------------------------------

    def overview(self) -> Overview:
        return self.engine.overview()

    def cli(self, *argv: str) -> CliResult:
        """``watchtui --config … --db … ARGV`` in this process, on the world's clock."""
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            code = main(
                ["--config", str(self.config_path), "--db", str(self.db_path), *argv],
                clock=self.clock,
            )
        text = out.getvalue()
        return CliResult(code, json.loads(text) if "--json" in argv else text)

    def status(self) -> CliResult:
        return self.cli("status", "--json", "--cached")

    def history(self) -> CliResult:
        return self.cli("history", "--since", "20000d", "--json")

    def close(self) -> None:
        self.store.close()
        self.server.stop()


@contextlib.contextmanager
def world(directory: Path, now: datetime, sources: list[Source]) -> Iterator[World]:
    w = World(directory, now, sources)
    try:
        yield w
    finally:
        w.close()


def capture_date(name: str) -> datetime:
    """The capture date a shared feed's file name carries (``…_2026-07-29_…``), at noon UTC."""
    for part in name.replace(".", "_").split("_"):
        with contextlib.suppress(ValueError):
            day = datetime.strptime(part[:10], "%Y-%m-%d")
            return day.replace(hour=12, tzinfo=UTC)
    raise ValueError(f"no capture date in {name!r}")
