"""The board every UI test runs on (the real engine over a filled store, a loopback server), and
a guard: nothing in a UI test may reach past the loopback interface."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.board import SNAPSHOT_PORT, Board, open_board

LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Refuse connections and name lookups beyond the loopback interface: a source, probe or
    catalog entry that would reach the internet fails the test instead."""
    connect = socket.socket.connect
    getaddrinfo = socket.getaddrinfo

    def guarded_connect(sock: socket.socket, address: Any) -> None:
        if sock.family in (socket.AF_INET, socket.AF_INET6) and address[0] not in LOOPBACK:
            raise ConnectionRefusedError(f"UI tests stay on 127.0.0.1, not {address[0]}")
        connect(sock, address)

    def guarded_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else host
        if name is not None and name not in LOOPBACK:
            raise socket.gaierror(socket.EAI_NONAME, f"UI tests look up no name but {name}")
        return getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket, "getaddrinfo", guarded_getaddrinfo)


@pytest.fixture
def board(tmp_path: Path) -> Iterator[Board]:
    with open_board(tmp_path) as built:
        yield built


@pytest.fixture
def snapshot_board(tmp_path: Path) -> Iterator[Board]:
    """The board on a fixed port: snapshots show source URLs and probe targets."""
    with open_board(tmp_path, port=SNAPSHOT_PORT) as built:
        yield built
