"""Fetching feeds over HTTP: conditional GETs with bounded size, bounded time and plain-word errors.

:func:`fetch` performs one exchange on the shared client (:mod:`watchtui.net.client`), following
redirects through :mod:`watchtui.net.redirects` and reading the body through
:mod:`watchtui.net.body`, and either returns a :class:`FetchResult` or raises :class:`FetchError`
— no httpx exception type ever leaves this module.

The client, backoff and error names are re-exported here because callers have long imported them
from this module.
"""

from __future__ import annotations

import asyncio
import builtins
import time
from dataclasses import dataclass

import httpx

from watchtui.net.addresses import Resolver
from watchtui.net.backoff import (
    BACKOFF_CAP,
    DEFAULT_INTERVAL,
    MAX_INTERVAL,
    MIN_INTERVAL,
    RETRY_AFTER_CAP,
    backoff_delay,
    clamp_interval,
    failure_delay,
    next_interval,
    parse_retry_after,
    retry_after_of,
)
from watchtui.net.body import read_capped
from watchtui.net.client import (
    ACCEPT_ENCODING,
    MAX_CONNECTIONS,
    USER_AGENT,
    make_client,
    ssl_context_from_env,
)
from watchtui.net.errors import NETWORK_ERRORS, FetchError, deadline_reason, describe, too_large
from watchtui.net.redirects import open_following

__all__ = [
    "ACCEPT_ENCODING",
    "BACKOFF_CAP",
    "DEFAULT_INTERVAL",
    "DEFAULT_MAX_BYTES",
    "MAX_CONNECTIONS",
    "MAX_INTERVAL",
    "MIN_INTERVAL",
    "RETRY_AFTER_CAP",
    "USER_AGENT",
    "FetchError",
    "FetchResult",
    "backoff_delay",
    "clamp_interval",
    "failure_delay",
    "fetch",
    "make_client",
    "next_interval",
    "parse_retry_after",
    "ssl_context_from_env",
]

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
_MAX_VALIDATOR_LEN = 1024


@dataclass(frozen=True, slots=True)
class FetchResult:
    """One completed exchange.

    ``body`` is the decoded body (``None`` when ``not_modified``); ``bytes`` is its length, i.e.
    DECODED bytes, the quantity ``max_bytes`` limits; ``wire_bytes`` is what crossed the network.
    ``etag``/``last_modified`` are the raw validators to send back next time.  ``headers`` has
    lower-case names; repeated headers are joined with ", ".
    """

    url: str
    final_url: str
    status: int
    body: builtins.bytes | None
    etag: str | None
    last_modified: str | None
    content_type: str | None
    headers: dict[str, str]
    latency_ms: float
    bytes: int
    not_modified: bool
    wire_bytes: int = 0


async def fetch(
    client: httpx.AsyncClient,
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    total_timeout: float = 30.0,
    max_redirects: int | None = None,
    resolver: Resolver | None = None,
) -> FetchResult:
    """GET ``url`` conditionally.  304 gives ``not_modified=True``; other non-2xx raise.

    ``total_timeout`` bounds the whole exchange, redirects and body included, so a server
    trickling a byte a second cannot hold a fetch (or a poller slot) forever.  ``resolver``
    decides where redirect targets lead (default: the system resolver).
    """
    started = time.monotonic()
    request_headers = _conditional_headers(etag, last_modified)
    try:
        async with (
            asyncio.timeout(total_timeout),
            open_following(
                client,
                url,
                headers=request_headers,
                max_redirects=max_redirects,
                resolver=resolver,
            ) as response,
        ):
            return await _complete(response, url, max_bytes, started)
    except TimeoutError:
        raise FetchError(deadline_reason(total_timeout)) from None
    except NETWORK_ERRORS as exc:
        raise FetchError(describe(exc, client.timeout)) from None


async def _complete(
    response: httpx.Response, url: str, max_bytes: int, started: float
) -> FetchResult:
    status = response.status_code
    if status == 304:
        return _result(response, url, None, started)
    if not 200 <= status < 300:
        raise FetchError(
            f"HTTP {status}", status=status, retry_after=retry_after_of(response.headers)
        )
    declared = _content_length(response.headers)
    if declared is not None and declared > max_bytes:
        raise FetchError(too_large(max_bytes), status=status)
    body = await read_capped(response, max_bytes)
    if body.truncated:
        raise FetchError(too_large(max_bytes), status=status)
    return _result(response, url, body.data, started)


def _result(response: httpx.Response, url: str, body: bytes | None, started: float) -> FetchResult:
    headers = {name.lower(): value for name, value in response.headers.items()}
    return FetchResult(
        url=url,
        final_url=str(response.url),
        status=response.status_code,
        body=body,
        etag=headers.get("etag"),
        last_modified=headers.get("last-modified"),
        content_type=headers.get("content-type"),
        headers=headers,
        latency_ms=round((time.monotonic() - started) * 1000, 1),
        bytes=0 if body is None else len(body),
        not_modified=body is None,
        wire_bytes=response.num_bytes_downloaded,
    )


def _conditional_headers(etag: str | None, last_modified: str | None) -> dict[str, str]:
    headers: dict[str, str] = {}
    if _sendable(etag):
        headers["If-None-Match"] = str(etag)
    if _sendable(last_modified):
        headers["If-Modified-Since"] = str(last_modified)
    return headers


def _sendable(value: str | None) -> bool:
    """Validators echo what a server sent; never let a bad one break (or inject into) a request."""
    return (
        value is not None
        and 0 < len(value) <= _MAX_VALIDATOR_LEN
        and value.isascii()
        and value.isprintable()
    )


def _content_length(headers: httpx.Headers) -> int | None:
    value = headers.get("content-length")
    if value is None:
        return None
    try:
        return int(value.split(",")[0].strip())
    except ValueError:
        return None
