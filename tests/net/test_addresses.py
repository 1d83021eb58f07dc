"""Telling the public internet from everything else, and the default resolver's answers."""

from __future__ import annotations

import ipaddress
import socket

import pytest

from watchtui.net.addresses import non_global_kind, parse_address, resolve_host


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("8.8.8.8", None),
        ("2001:4860:4860::8888", None),
        ("127.0.0.1", "loopback"),
        ("127.8.9.10", "loopback"),
        ("::1", "loopback"),
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("10.0.0.1", "private"),
        ("172.16.5.4", "private"),
        ("192.168.0.1", "private"),
        ("fd12:3456::1", "private"),
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("100.64.0.1", "non-global"),
        # IPv4 reached through IPv6: mapped, 6to4 and NAT64 (RFC 6052) forms.
        ("::ffff:127.0.0.1", "loopback"),
        ("::ffff:8.8.8.8", None),
        ("2002:a00:1::1", "private"),
        ("64:ff9b::a9fe:a9fe", "link-local"),
    ],
)
def test_non_global_kind(address: str, kind: str | None) -> None:
    assert non_global_kind(ipaddress.ip_address(address)) == kind


def test_parse_address_takes_literals_only() -> None:
    assert parse_address("10.0.0.1") == ipaddress.ip_address("10.0.0.1")
    assert parse_address("fe80::1%eth0") == ipaddress.ip_address("fe80::1")
    assert parse_address("example.com") is None


async def test_resolve_host_answers_literals_without_a_lookup(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_lookups(*args: object, **kwargs: object) -> None:
        raise AssertionError("a literal address was looked up")

    monkeypatch.setattr(socket, "getaddrinfo", no_lookups)
    assert await resolve_host("127.0.0.1") == [ipaddress.ip_address("127.0.0.1")]
    assert await resolve_host("::1") == [ipaddress.ip_address("::1")]


async def test_resolve_host_uses_the_system_resolver(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []

    def fake_getaddrinfo(host: str, *args: object, **kwargs: object) -> list[tuple[object, ...]]:
        asked.append(host)
        return [
            (socket.AF_INET6, socket.SOCK_STREAM, 6, "", ("fe80::1%eth0", 0, 0, 2)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.1", 0)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.1", 0)),
        ]

    monkeypatch.setattr(socket, "getaddrinfo", fake_getaddrinfo)
    found = await resolve_host("intranet.example")
    assert asked == ["intranet.example"]
    assert found == [ipaddress.ip_address("10.0.0.1"), ipaddress.ip_address("fe80::1")]


async def test_an_unresolvable_name_resolves_to_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_such_name(*args: object, **kwargs: object) -> None:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_name)
    assert await resolve_host("nowhere.example") == []
