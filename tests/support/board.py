"""The UI test board: the REAL engine over a temporary store filled from real wire payloads.

``open_board(tmp_path)`` starts a loopback ``FeedServer`` (127.0.0.1 only) serving the payloads of
``board_story`` and ``board_pages``, builds a ``Config`` whose six sources and four probes point
at it, and fills a temporary ``Store`` with what watchtui would have stored had it polled them
over the past weeks (``board_fill``: real parsers, real ``Store.ingest``).  The one failing source
fails for real: the real ``Poller`` fetches it from the server, which answers 503.

The board stays as built while an app polls it at the frozen ``NOW``: every fresh endpoint was
last fetched at ``NOW`` (so none is due), probes last ran at ``NOW``; a forced refresh gets 304s
(the server's ETags are the ones recorded) and the same 503.  Demo Azure stays stale, and the
never-run probe ``dns-edge`` stays never run, because another watchtui process sharing the store
(``PEER``) holds their leases.  Tests change the board the way the world would: serve a new
payload (``Board.serve``) and move the clock (``Board.clock``), then let the app poll.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import random
import sqlite3
import time
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from tests.support import board_story as story
from tests.support.board_fill import (
    CONTENT_TYPES,
    SOURCES,
    Feed,
    board_feeds,
    endpoint_of,
    etag_of,
    record_fetches,
    record_probes,
)
from tests.support.board_story import AWS, AZURE, BLOG, EDGE, GCP, GIT, NOW
from tests.support.feedserver import Fault, FeedServer
from watchtui.config import Config, Endpoint, SourceSpec, parse_config, resolve_sources
from watchtui.engine.engine import Engine
from watchtui.engine.poller import Poller
from watchtui.store import Store, probe_lease_key

# A fixed port for the snapshot tests: screens show source URLs and probe targets.  Below the
# Linux ephemeral range, so no client socket takes it by chance.
SNAPSHOT_PORT = 28417
# Another watchtui process sharing the store.
PEER = "peer-host:4242:board"
# The http probes' targets: api-eu's answers 503, api-us's 200.
PROBE_PATHS = ("/probe/eu", "/probe/us")

_T = TypeVar("_T")


class FrozenClock:
    """The one clock of a board: the engine, the poller and the app all read it."""

    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def board_config(base_url: str) -> Config:
    """Six custom sources and four probes, all on the loopback server; no catalog provider."""
    host_port = base_url.removeprefix("http://")
    return parse_config(
        {
            "watch": {"providers": []},
            "sources": [
                {
                    "id": s.id,
                    "kind": s.kind,
                    "name": s.name,
                    "url": f"{base_url}/{s.slug}",
                    "interval": s.interval,
                }
                for s in SOURCES
            ],
            "probes": [
                {
                    "id": "api-eu",
                    "type": "http",
                    "target": base_url + PROBE_PATHS[0],
                    "provider": EDGE,
                    "region": "FRA",
                    "interval": 60,
                },
                {
                    "id": "api-us",
                    "type": "http",
                    "target": base_url + PROBE_PATHS[1],
                    "provider": AWS,
                    "region": "us-west-2",
                    "interval": 60,
                },
                {
                    "id": "git-ssh",
                    "type": "tcp",
                    "target": host_port,
                    "provider": GIT,
                    "service": "Git Operations",
                    "interval": 60,
                },
                {"id": "dns-edge", "type": "dns", "target": "edge.board.invalid", "interval": 60},
            ],
        }
    )


# --- the board --------------------------------------------------------------------------------


def in_own_loop(coro: Coroutine[Any, Any, _T]) -> _T:
    """Run ``coro`` on a fresh event loop in a worker thread (callers may be inside a loop)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


@dataclass
class Board:
    server: FeedServer
    store: Store
    config: Config
    clock: FrozenClock
    path: Path
    specs: dict[str, SourceSpec] = field(default_factory=dict)

    def engine(self) -> Engine:
        """A real engine over the board's store, config and clock (no config file: edits stay
        in memory)."""
        return Engine(self.store, self.config, clock=self.clock)

    def endpoint(self, source_id: str, role: str = "current") -> Endpoint:
        return endpoint_of(self.specs[source_id], role)

    def path_of(self, source_id: str, role: str = "current") -> str:
        return self.endpoint(source_id, role).url.removeprefix(self.server.base_url)

    def paths(self) -> list[str]:
        """Every path the board serves (source endpoints, probe targets)."""
        return _paths(self.server, self.specs)

    def url(self, source_id: str) -> str:
        """The source's address as configured (what the sources screen shows)."""
        return self.specs[source_id].base_url

    def serve(self, source_id: str, body: bytes, role: str = "current") -> None:
        """The provider publishes ``body`` from now on."""
        kind = self.specs[source_id].kind
        self.server.set(
            self.path_of(source_id, role),
            body,
            content_type=CONTENT_TYPES[kind],
            etag=etag_of(body),
        )

    def fetch(self, source_id: str) -> None:
        """The real poller fetches one source now (forced), as a refresh would."""

        async def once() -> None:
            poller = Poller(
                self.store, [self.specs[source_id]], clock=self.clock, rng=random.Random(7)
            )
            try:
                await poller.poll(force=True, source_id=source_id)
            finally:
                await poller.aclose()

        in_own_loop(once())

    @contextlib.contextmanager
    def write_locked(self) -> Iterator[None]:
        """Another process holds the store's write lock for the block."""
        conn = sqlite3.connect(self.path, isolation_level=None, timeout=0.1)
        try:
            conn.execute("BEGIN IMMEDIATE")
            yield
            conn.execute("ROLLBACK")
        finally:
            conn.close()

    @contextlib.contextmanager
    def table_missing(self, table: str) -> Iterator[None]:
        """The store file is damaged for the block: ``table`` cannot be read."""
        conn = sqlite3.connect(self.path, isolation_level=None, timeout=5)
        try:
            conn.execute(f"ALTER TABLE {table} RENAME TO {table}_moved")
            try:
                yield
            finally:
                conn.execute(f"ALTER TABLE {table}_moved RENAME TO {table}")
        finally:
            conn.close()

    def write_from_another_process(self) -> None:
        """Another watchtui process sharing the store logs a fetch (a 304 from Demo GCP)."""
        endpoint = self.endpoint(GCP)
        with Store.open(self.path) as other:
            other.record_fetch(
                GCP,
                endpoint.url,
                self.clock(),
                "not_modified",
                http_status=304,
                latency_ms=340.0,
                next_due_at=self.clock() + timedelta(seconds=endpoint.interval),
            )


def _start_server(port: int) -> FeedServer:
    """The server on ``port``; a fixed port another test run holds is waited for."""
    deadline = time.monotonic() + 60
    while True:
        try:
            return FeedServer(port).start()
        except OSError as exc:
            if port == 0 or exc.errno != errno.EADDRINUSE or time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def _paths(server: FeedServer, specs: dict[str, SourceSpec]) -> list[str]:
    """Every path the board serves: source endpoints and probe targets."""
    paths = [
        endpoint.url.removeprefix(server.base_url)
        for spec in specs.values()
        for endpoint in spec.endpoints
    ]
    return [*paths, *PROBE_PATHS]


def _serve_board(server: FeedServer, specs: dict[str, SourceSpec], feeds: dict[str, Feed]) -> None:
    for spec in specs.values():
        for endpoint in spec.endpoints:
            body = feeds[endpoint.url].body_at(NOW)
            path = endpoint.url.removeprefix(server.base_url)
            server.set(path, body, content_type=CONTENT_TYPES[spec.kind], etag=etag_of(body))
    server.fault(
        endpoint_of(specs[BLOG], "current").url.removeprefix(server.base_url), Fault.status(503)
    )
    eu, us = PROBE_PATHS
    server.fault(eu, Fault.status(503))
    server.set(us, b'{"status": "ok"}')


@contextlib.contextmanager
def open_board(directory: Path, *, port: int = 0) -> Iterator[Board]:
    """The board in ``directory``: server started, store filled; both closed on exit."""
    server = _start_server(port)
    try:
        config = board_config(server.base_url)
        specs = {spec.id: spec for spec in resolve_sources(config)}
        feeds = board_feeds(specs)
        _serve_board(server, specs, feeds)
        path = directory / "board.sqlite3"
        clock = FrozenClock()
        with Store.open(path, busy_timeout=0.5) as store:
            for spec in specs.values():
                store.upsert_source(
                    spec.id,
                    kind=spec.kind,
                    url=spec.base_url,
                    name=spec.name,
                    interval=timedelta(seconds=spec.interval),
                    added_at=story.at(1, 0),
                )
            record_fetches(store, specs, feeds)
            record_probes(store, config.probes)
            for url in (endpoint_of(specs[AZURE], "current").url, probe_lease_key("dns-edge")):
                store.try_claim(url, PEER, NOW, NOW + timedelta(hours=12))
            board = Board(server, store, config, clock, path, specs)
            # The blog fails for real: the poller meets the server's 503.
            board.fetch(BLOG)
            # Tests start with empty request logs.
            for served in _paths(server, specs):
                server.clear(served)
            _serve_board(server, specs, feeds)
            yield board
    finally:
        server.stop()
