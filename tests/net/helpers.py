"""Small helpers the net tests share: a free loopback port, an expected FetchError, a fake DNS."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Awaitable, Mapping, Sequence

import pytest

from watchtui.net.addresses import IPAddress, parse_address
from watchtui.net.errors import FetchError

# A global address used only as data: nothing ever connects to it.
PUBLIC = "93.184.215.14"


def free_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def fails(coro: Awaitable[object]) -> FetchError:
    with pytest.raises(FetchError) as info:
        await coro
    return info.value


class FakeDNS:
    """A resolver that answers from a table, so a test can call 127.0.0.1 "public".

    Hosts not in the table resolve to themselves when they are IP literals and to nothing
    otherwise; every question is recorded.
    """

    def __init__(self, answers: Mapping[str, Sequence[str]] | None = None) -> None:
        self.answers = {host: list(found) for host, found in (answers or {}).items()}
        self.asked: list[str] = []

    async def __call__(self, host: str) -> list[IPAddress]:
        self.asked.append(host)
        if host in self.answers:
            return [ipaddress.ip_address(a) for a in self.answers[host]]
        literal = parse_address(host)
        return [] if literal is None else [literal]


def public_loopback() -> FakeDNS:
    """127.0.0.1 (where the test server really is) posing as a public host."""
    return FakeDNS({"127.0.0.1": [PUBLIC]})
