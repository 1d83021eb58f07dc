"""Which addresses are not the public internet, and what a host name resolves to.

A redirect is judged by where its target actually leads: a name counts as private when any
address it resolves to is.  The resolver is a plain async callable so tests (and embedders) can
say what a host resolves to without asking DNS.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Sequence

__all__ = [
    "IPAddress",
    "Resolver",
    "first_non_global",
    "non_global_kind",
    "parse_address",
    "resolve_host",
]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# host as written in the URL (a name, or an IP literal without brackets) -> its addresses;
# an empty answer means "could not tell".
Resolver = Callable[[str], Awaitable[Sequence[IPAddress]]]

# RFC 6052: IPv4 addresses embedded in IPv6 reach the IPv4 host through a NAT64 gateway.
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def parse_address(text: str) -> IPAddress | None:
    """``text`` as an IP address (IPv6 zone ids dropped), or ``None`` when it is a name."""
    try:
        return ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return None


async def resolve_host(host: str) -> list[IPAddress]:
    """The addresses ``host`` resolves to through the system resolver; ``[]`` when it does not.

    An unresolvable name is not refused here: the connection that follows fails on it anyway, or
    goes through a proxy that resolves it on the proxy's side of the network.
    """
    literal = parse_address(host)
    if literal is not None:
        return [literal]
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return []
    found = (parse_address(str(info[4][0])) for info in infos)
    return sorted({a for a in found if a is not None}, key=lambda a: (a.version, int(a)))


def non_global_kind(address: IPAddress) -> str | None:
    """How ``address`` falls outside the public internet (``loopback``, ``link-local``,
    ``private``, ``unspecified``, ``multicast``, ``non-global``), or ``None`` when it is global."""
    address = _embedded_ipv4(address) or address
    if address.is_unspecified:
        return "unspecified"
    if address.is_loopback:
        return "loopback"
    if address.is_link_local:
        return "link-local"
    if address.is_multicast:
        return "multicast"
    if address.is_private:
        return "private"
    if not address.is_global:
        return "non-global"
    return None


def first_non_global(addresses: Sequence[IPAddress]) -> tuple[IPAddress, str] | None:
    """The first of ``addresses`` outside the public internet, with its kind."""
    for address in addresses:
        kind = non_global_kind(address)
        if kind is not None:
            return address, kind
    return None


def _embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    # ::ffff:127.0.0.1 and friends reach an IPv4 host, yet Python judges them as IPv6 addresses.
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None
