"""Following redirects ourselves, so that every hop is checked before it is contacted.

httpx would follow a redirect anywhere.  Here a hop must stay HTTP(S), must not loop, must fit
the hop budget, and must not lead from a public origin into loopback, link-local, private or other
non-global address space: on a shared host a feed or probe target that redirects to
``http://169.254.169.254/`` or ``http://localhost:8080/admin`` would otherwise have us fetch it.
An origin that is itself internal (the operator configured an internal URL) may redirect anywhere.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from functools import lru_cache

import httpx

from watchtui.net.addresses import (
    IPAddress,
    Resolver,
    first_non_global,
    parse_address,
    resolve_host,
)
from watchtui.net.body import drain
from watchtui.net.client import ACCEPT_ENCODING
from watchtui.net.errors import FetchError, short

__all__ = ["REDIRECT_STATUSES", "http_url", "open_following"]

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


@asynccontextmanager
async def open_following(
    client: httpx.AsyncClient,
    url: str,
    *,
    method: str = "GET",
    headers: Mapping[str, str] | None = None,
    max_redirects: int | None = None,
    timeout: float | None = None,
    resolver: Resolver | None = None,
) -> AsyncIterator[httpx.Response]:
    """The streamed final response to ``method url``, redirects followed and checked.

    Raises :class:`FetchError` for a refused hop; httpx errors pass through for the caller to
    word.  ``timeout`` (seconds) overrides the client's per-phase timeouts; ``max_redirects``
    defaults to ``client.max_redirects``.
    """
    current = http_url(url)
    guard = _PrivateRedirectGuard(current, resolver or resolve_host)
    hops = client.max_redirects if max_redirects is None else max_redirects
    sent = {"Accept-Encoding": ACCEPT_ENCODING, **(headers or {})}
    per_request = httpx.USE_CLIENT_DEFAULT if timeout is None else timeout
    seen = {str(current)}
    while True:
        async with client.stream(method, current, headers=sent, timeout=per_request) as response:
            target = _redirect_target(response)
            # Whatever the caller left unread goes, so the connection returns to the pool (see
            # ``drain``).  A caller that raised (a refused status, a body over its cap, a timeout)
            # leaves the connection to be closed: an error is not the steady state.
            if target is None:
                yield response
                await drain(response)
                return
            await drain(response)
        status = response.status_code
        if len(seen) > hops:
            raise FetchError("too many redirects", status=status)
        if str(target) in seen:
            raise FetchError(f"redirect loop at {short(str(target))}", status=status)
        await guard.check(target, status)
        seen.add(str(target))
        current = target


@lru_cache(maxsize=1024)
def http_url(raw: str) -> httpx.URL:
    """``raw`` as an http(s) URL with a host; :class:`FetchError` naming it otherwise.  Memoised:
    a poller asks for the same few hundred URLs every round (``httpx.URL`` is immutable)."""
    try:
        url = httpx.URL(raw)
    except (httpx.InvalidURL, TypeError, ValueError):
        raise FetchError(f"invalid URL {short(str(raw))}") from None
    if url.scheme not in ("http", "https") or not url.host:
        raise FetchError(f"unsupported URL {short(str(raw))}")
    return url


def _redirect_target(response: httpx.Response) -> httpx.URL | None:
    if response.status_code not in REDIRECT_STATUSES:
        return None
    location = response.headers.get("location")
    if not location:
        return None
    try:
        target = response.url.join(location.strip())
    except (httpx.InvalidURL, TypeError, ValueError):
        raise FetchError(
            f"redirect to invalid URL {short(location)}", status=response.status_code
        ) from None
    if target.scheme not in ("http", "https") or not target.host:
        # Quote the Location as sent: httpx normalises file:///x to file:/x.
        raise FetchError(f"redirect to non-HTTP URL {short(location)}", status=response.status_code)
    return target


class _PrivateRedirectGuard:
    """Refuses hops into non-global address space unless the origin is there already.

    The origin is resolved only when a first redirect needs judging: most exchanges have none;
    each host is resolved at most once per exchange.  The check and the connection resolve
    separately, so a name whose answers change between the two (DNS rebinding) is not caught:
    that would take pinning the connection to the checked address.
    """

    def __init__(self, origin: httpx.URL, resolver: Resolver) -> None:
        self._origin = origin
        self._resolver = resolver
        self._origin_internal: bool | None = None
        self._answers: dict[str, list[IPAddress]] = {}

    async def check(self, target: httpx.URL, status: int) -> None:
        if self._origin_internal is None:
            self._origin_internal = (
                first_non_global(await self._addresses(self._origin)) is not None
            )
        if self._origin_internal:
            return
        found = first_non_global(await self._addresses(target))
        if found is None:
            return
        address, kind = found
        if parse_address(target.host) is None:
            where = f"resolves to {address}, {kind}"
        else:
            where = f"{target.host} is {kind}"  # as written: ::ffff:127.0.0.1, not ::ffff:7f00:1
        raise FetchError(
            f"redirect to a private address refused: {short(str(target))} ({where})",
            status=status,
        )

    async def _addresses(self, url: httpx.URL) -> list[IPAddress]:
        # raw_host is the IDNA (ASCII) form the resolver and the connection both use.
        host = url.raw_host.decode("ascii")
        if host not in self._answers:
            self._answers[host] = list(await self._resolver(host))
        return self._answers[host]
