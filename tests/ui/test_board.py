"""The test board keeps its promises: loopback only, and it stays as built while an app polls it
at the frozen ``NOW`` (so what every UI test and snapshot sees is the board, not the moment)."""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

import pytest

from tests.support.board import Board
from tests.support.board_story import AZURE, GCP
from tests.support.pilot import make_app, settle, workers_done
from watchtui.engine.overview import Overview
from watchtui.viewmodel.headline import headline


def picture(overview: Overview) -> tuple[object, ...]:
    """What the board shows, without fetch statistics (a real refresh logs real latencies)."""
    return (
        headline(overview).text(ascii_only=False),
        [(s.id, s.health, s.impact, s.open_incidents) for s in overview.sources],
        [(c.key, c.status) for c in overview.components],
        [item.key for item in overview.stream],
        [(p.id, p.state, p.since) for p in overview.probes],
        [d.key for d in overview.disagreements],
        [h.key for h in overview.hints],
    )


def test_everything_the_board_reaches_is_on_the_loopback_server(board: Board) -> None:
    assert urlsplit(board.server.base_url).hostname == "127.0.0.1"
    for spec in board.specs.values():
        for endpoint in spec.endpoints:
            assert endpoint.url.startswith(board.server.base_url + "/")
    targets = {probe.id: probe.target for probe in board.config.probes}
    assert targets["api-eu"] == board.server.url("/probe/eu")
    assert targets["api-us"] == board.server.url("/probe/us")
    assert targets["git-ssh"] == board.server.base_url.removeprefix("http://")
    # Held by another process (never run); .invalid is never looked up even if it ran.
    assert targets["dns-edge"].endswith(".invalid")
    # No catalog provider: nothing is fetched from the internet.
    assert board.config.watch.providers == []


def test_nothing_reaches_past_the_loopback_interface() -> None:
    """The guard of ``conftest.py``: an address or name off this machine is refused at once."""
    with socket.socket() as sock, pytest.raises(ConnectionRefusedError):
        sock.settimeout(0.5)
        sock.connect(("192.0.2.1", 80))  # TEST-NET-1: routed nowhere even without the guard
    with pytest.raises(socket.gaierror):
        socket.getaddrinfo("status.example.com", 443)


async def test_the_first_poll_at_the_frozen_time_fetches_nothing(board: Board) -> None:
    before = picture(board.engine().overview())
    app = make_app(board)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app._polling_started
        assert {path: board.server.request_count(path) for path in board.paths()} == dict.fromkeys(
            board.paths(), 0
        )
        assert app.latest is not None and picture(app.latest) == before


async def test_a_forced_refresh_gets_the_same_board(board: Board) -> None:
    before = picture(board.engine().overview())
    app = make_app(board)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        await workers_done(app)
        # Every endpoint but the stale one (its lease is another process's) was asked again.
        asked = {path for path in board.paths() if board.server.request_count(path)}
        assert board.path_of(GCP) in asked and board.path_of(AZURE) not in asked
        assert app.latest is not None and picture(app.latest) == before
