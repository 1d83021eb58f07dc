"""Fetching feeds over HTTP: conditional GETs with bounded size, bounded time and plain-word errors.

One shared :func:`make_client` client serves every source; :func:`fetch` performs one exchange
(following redirects itself) and either returns a :class:`FetchResult` or raises
:class:`FetchError` — no httpx exception type ever leaves this module.  The scheduling helpers
(:func:`next_interval`, :func:`backoff_delay`, :func:`failure_delay`) are pure so the poller stays
testable without a clock.

Bodies are decoded here rather than by httpx: httpx inflates each network chunk in one go, so a
64 KiB chunk of a gzip bomb could balloon to ~64 MiB before any size check runs.  Decoding with an
output limit keeps memory at ``max_bytes`` plus one chunk whatever the server sends.  Only gzip and
deflate are advertised; a server that answers with another coding (br, zstd) unasked gets a
:class:`FetchError` rather than a silently undecoded body.
"""

from __future__ import annotations

import asyncio
import builtins
import email.utils
import math
import os
import random
import socket
import ssl
import time
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

import certifi
import httpx

from watchtui import __version__
from watchtui.domain.text import clean_line

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

MIN_INTERVAL = 15.0
DEFAULT_INTERVAL = 60.0
MAX_INTERVAL = 24 * 3600.0
BACKOFF_CAP = 900.0
# A server may ask for any Retry-After; past an hour we would rather look again than trust it.
RETRY_AFTER_CAP = 3600.0
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
# The poller bounds concurrency with a semaphore; keep the pool comfortably above any sane limit so
# it never becomes the hidden bottleneck (or a pool timeout masquerading as a slow source).
MAX_CONNECTIONS = 256
MAX_KEEPALIVE = 64
KEEPALIVE_EXPIRY = 30.0
USER_AGENT = f"watchtui/{__version__}"
ACCEPT_ENCODING = "gzip, deflate"

_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_JITTER = 0.10
_MAX_VALIDATOR_LEN = 1024


class FetchError(Exception):
    """A fetch failed; ``reason`` is one short line that is safe to show."""

    def __init__(
        self, reason: str, status: int | None = None, retry_after: float | None = None
    ) -> None:
        self.reason = clean_line(reason, 300)
        self.status = status
        self.retry_after = retry_after
        super().__init__(self.reason)


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


# -- client -----------------------------------------------------------------------------------


def ssl_context_from_env(environ: Mapping[str, str] | None = None) -> ssl.SSLContext:
    """The verifying TLS context: SSL_CERT_FILE and/or SSL_CERT_DIR when set, else certifi.

    httpx 0.28 reads these too, but uses only one of them (FILE wins) and fails with a bare
    FileNotFoundError on a stale path; here both are honoured, as OpenSSL does, and a bad value
    raises ValueError naming the variable.
    """
    env = os.environ if environ is None else environ
    cafile = env.get("SSL_CERT_FILE") or None
    capath = env.get("SSL_CERT_DIR") or None
    if cafile is not None and not os.path.isfile(cafile):
        raise ValueError(f"SSL_CERT_FILE={cafile} is not a readable file")
    if capath is not None and not os.path.isdir(capath):
        raise ValueError(f"SSL_CERT_DIR={capath} is not a directory")
    if cafile is None and capath is None:
        return ssl.create_default_context(cafile=certifi.where())
    try:
        return ssl.create_default_context(cafile=cafile, capath=capath)
    except ssl.SSLError as exc:
        raise ValueError(f"SSL_CERT_FILE={cafile} holds no usable certificates: {exc}") from None


def make_client(
    *,
    connect_timeout: float = 5,
    read_timeout: float = 15,
    max_redirects: int = 5,
) -> httpx.AsyncClient:
    """The one client shared by every source.

    ``trust_env`` keeps HTTP(S)_PROXY/ALL_PROXY/NO_PROXY working; certificates come from
    :func:`ssl_context_from_env`, read once here (set the variables before calling).  Redirects are
    followed by :func:`fetch`, which reads ``client.max_redirects``.
    """
    return httpx.AsyncClient(
        headers={"User-Agent": USER_AGENT, "Accept-Encoding": ACCEPT_ENCODING},
        timeout=httpx.Timeout(
            connect=connect_timeout,
            read=read_timeout,
            write=read_timeout,
            pool=connect_timeout,
        ),
        limits=httpx.Limits(
            max_connections=MAX_CONNECTIONS,
            max_keepalive_connections=MAX_KEEPALIVE,
            keepalive_expiry=KEEPALIVE_EXPIRY,
        ),
        follow_redirects=False,
        max_redirects=max_redirects,
        trust_env=True,
        verify=ssl_context_from_env(),
    )


# -- fetch ------------------------------------------------------------------------------------


async def fetch(
    client: httpx.AsyncClient,
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    total_timeout: float = 30.0,
    max_redirects: int | None = None,
) -> FetchResult:
    """GET ``url`` conditionally.  304 gives ``not_modified=True``; other non-2xx raise.

    ``total_timeout`` bounds the whole exchange, redirects and body included, so a server
    trickling a byte a second cannot hold a fetch (or a poller slot) forever.
    """
    started = time.monotonic()
    hops = client.max_redirects if max_redirects is None else max_redirects
    request_headers = _conditional_headers(etag, last_modified)
    try:
        async with asyncio.timeout(total_timeout):
            return await _follow(client, url, request_headers, max_bytes, hops, started)
    except TimeoutError:
        raise FetchError(f"timeout after {_seconds(total_timeout)}") from None
    except httpx.TimeoutException as exc:
        raise FetchError(_timeout_reason(exc, client.timeout)) from None
    except (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError, OSError) as exc:
        raise FetchError(_describe(exc)) from None


async def _follow(
    client: httpx.AsyncClient,
    url: str,
    request_headers: dict[str, str],
    max_bytes: int,
    max_redirects: int,
    started: float,
) -> FetchResult:
    current = _http_url(url)
    seen = {str(current)}
    redirects = 0
    while True:
        async with client.stream("GET", current, headers=request_headers) as response:
            target = _redirect_target(response)
            if target is None:
                return await _complete(response, url, max_bytes, started)
        if redirects >= max_redirects:
            raise FetchError("too many redirects", status=response.status_code)
        if str(target) in seen:
            raise FetchError(f"redirect loop at {_short(str(target))}", status=response.status_code)
        redirects += 1
        seen.add(str(target))
        current = target


def _http_url(raw: str) -> httpx.URL:
    try:
        url = httpx.URL(raw)
    except (httpx.InvalidURL, TypeError, ValueError):
        raise FetchError(f"invalid URL {_short(str(raw))}") from None
    if url.scheme not in ("http", "https") or not url.host:
        raise FetchError(f"unsupported URL {_short(str(raw))}")
    return url


def _redirect_target(response: httpx.Response) -> httpx.URL | None:
    if response.status_code not in _REDIRECT_STATUSES:
        return None
    location = response.headers.get("location")
    if not location:
        return None
    try:
        target = response.url.join(location.strip())
    except (httpx.InvalidURL, TypeError, ValueError):
        raise FetchError(
            f"redirect to invalid URL {_short(location)}", status=response.status_code
        ) from None
    if target.scheme not in ("http", "https") or not target.host:
        # Quote the Location as sent: httpx normalises file:///x to file:/x.
        raise FetchError(
            f"redirect to non-HTTP URL {_short(location)}", status=response.status_code
        )
    return target


async def _complete(
    response: httpx.Response, url: str, max_bytes: int, started: float
) -> FetchResult:
    status = response.status_code
    if status == 304:
        return _result(response, url, None, started)
    if not 200 <= status < 300:
        raise FetchError(
            f"HTTP {status}", status=status, retry_after=_retry_after(response.headers)
        )
    declared = _content_length(response.headers)
    if declared is not None and declared > max_bytes:
        raise FetchError(_too_large(max_bytes), status=status)
    body = await _read_body(response, max_bytes)
    return _result(response, url, body, started)


async def _read_body(response: httpx.Response, max_bytes: int) -> bytes:
    decoder = _decoder_for(response.headers.get("content-encoding", ""), response.status_code)
    chunks: list[bytes] = []
    total = 0
    async for raw in response.aiter_raw():
        if response.num_bytes_downloaded > max_bytes:
            raise FetchError(_too_large(max_bytes), status=response.status_code)
        piece = decoder.feed(raw, max_bytes - total + 1)
        total += len(piece)
        if total > max_bytes:
            raise FetchError(_too_large(max_bytes), status=response.status_code)
        chunks.append(piece)
    decoder.finish(response.status_code)
    return b"".join(chunks)


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


def _retry_after(headers: httpx.Headers) -> float | None:
    value = headers.get("retry-after")
    return None if value is None else parse_retry_after(value, datetime.now(UTC))


# -- bounded decoding -------------------------------------------------------------------------


class _Identity:
    def feed(self, data: bytes, limit: int) -> bytes:
        return data

    def finish(self, status: int) -> None:
        return None


class _Inflate:
    """gzip (incl. concatenated members) or deflate (zlib-wrapped or raw), output-limited."""

    def __init__(self, coding: str) -> None:
        self._gzip = coding != "deflate"
        self._coding = coding
        self._obj = self._new(zlib.MAX_WBITS | 16 if self._gzip else zlib.MAX_WBITS)
        # Raw-deflate fallback: kept until the first output proves the zlib wrapper right.
        self._undecided: bytes | None = None if self._gzip else b""
        self._fed = False

    @staticmethod
    def _new(wbits: int) -> zlib._Decompress:
        return zlib.decompressobj(wbits)

    def feed(self, data: bytes, limit: int) -> bytes:
        if not data:
            return b""
        self._fed = True
        if self._undecided is not None:
            self._undecided += data
        out: list[bytes] = []
        produced = 0
        while data and produced < limit:
            try:
                piece = self._obj.decompress(data, limit - produced)
            except zlib.error:
                data = self._fall_back_to_raw()
                continue
            if piece:
                self._undecided = None
            out.append(piece)
            produced += len(piece)
            data = self._next_input()
        return b"".join(out)

    def _fall_back_to_raw(self) -> bytes:
        if self._undecided is None:
            raise FetchError(f"corrupt {self._coding} body")
        pending, self._undecided = self._undecided, None
        self._obj = self._new(-zlib.MAX_WBITS)
        return pending

    def _next_input(self) -> bytes:
        if self._obj.unconsumed_tail:
            return self._obj.unconsumed_tail
        if self._obj.eof and self._gzip and self._obj.unused_data.startswith(b"\x1f\x8b"):
            rest = self._obj.unused_data
            self._obj = self._new(zlib.MAX_WBITS | 16)
            return rest
        # Anything after the end of the stream is junk some servers append; browsers ignore it.
        return b""

    def finish(self, status: int) -> None:
        if self._fed and not self._obj.eof:
            raise FetchError(f"truncated {self._coding} body", status=status)


def _decoder_for(content_encoding: str, status: int) -> _Identity | _Inflate:
    codings = [c.strip().lower() for c in content_encoding.split(",")]
    codings = [c for c in codings if c and c != "identity"]
    if not codings:
        return _Identity()
    if len(codings) == 1 and codings[0] in ("gzip", "x-gzip", "deflate"):
        return _Inflate("gzip" if codings[0] == "x-gzip" else codings[0])
    raise FetchError(f"unsupported Content-Encoding {_short(content_encoding)}", status=status)


# -- error wording ----------------------------------------------------------------------------


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _describe(exc: BaseException) -> str:
    for cause in _chain(exc):
        if isinstance(cause, ssl.SSLCertVerificationError):
            return f"TLS error: {cause.verify_message or cause.reason}"
        if isinstance(cause, ssl.SSLError):
            return f"TLS error: {cause.reason or cause}"
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused"
        if isinstance(cause, ConnectionResetError | BrokenPipeError):
            return "connection reset"
        if isinstance(cause, socket.gaierror):
            return "DNS lookup failed"
    return _describe_by_text(exc)


def _describe_by_text(exc: BaseException) -> str:
    text = str(exc)
    lowered = text.lower()
    if isinstance(exc, httpx.ProxyError):
        return f"proxy error: {_short(text)}"
    if "certificate" in lowered or "ssl" in lowered or "tls" in lowered:
        return f"TLS error: {_short(text)}"
    if "refused" in lowered or "all connection attempts failed" in lowered:
        return "connection refused"
    if "reset" in lowered:
        return "connection reset"
    if "name or service not known" in lowered or "name resolution" in lowered:
        return "DNS lookup failed"
    if isinstance(exc, httpx.RemoteProtocolError):
        if "incomplete" in lowered or "peer closed" in lowered:
            return "connection closed before the response was complete"
        if "without sending" in lowered or "disconnected" in lowered:
            return "server closed the connection without a response"
        return f"protocol error: {_short(text)}"
    detail = _short(text) if text else type(exc).__name__
    return f"network error: {detail}"


def _timeout_reason(exc: httpx.TimeoutException, timeout: httpx.Timeout) -> str:
    if isinstance(exc, httpx.ConnectTimeout):
        return f"connect timeout after {_seconds(timeout.connect)}"
    if isinstance(exc, httpx.ReadTimeout):
        return f"no data for {_seconds(timeout.read)} (read timeout)"
    if isinstance(exc, httpx.PoolTimeout):
        return f"no free connection after {_seconds(timeout.pool)}"
    return f"write timeout after {_seconds(timeout.write)}"


def _seconds(value: float | None) -> str:
    return "∞" if value is None else f"{value:g}s"


def _too_large(max_bytes: int) -> str:
    mib = 1024 * 1024
    if max_bytes >= mib and max_bytes % mib == 0:
        return f"response larger than {max_bytes // mib} MB"
    if max_bytes >= 1024 and max_bytes % 1024 == 0:
        return f"response larger than {max_bytes // 1024} KB"
    return f"response larger than {max_bytes} bytes"


def _short(text: str, limit: int = 120) -> str:
    return clean_line(text, limit)


# -- scheduling -------------------------------------------------------------------------------


def clamp_interval(value: float | None) -> float:
    """A polling interval within [MIN_INTERVAL, MAX_INTERVAL]; missing or non-finite -> default."""
    if value is None or not math.isfinite(value):
        return DEFAULT_INTERVAL
    return min(max(float(value), MIN_INTERVAL), MAX_INTERVAL)


def _jittered(value: float, jitter: random.Random | None) -> float:
    rng = jitter if jitter is not None else random
    return value * rng.uniform(1 - _JITTER, 1 + _JITTER)


def next_interval(interval: float, jitter: random.Random | None = None) -> float:
    """The normal wait before the next poll: ``interval`` ±10%, so sources drift apart."""
    return _jittered(interval, jitter)


def backoff_delay(
    consecutive_failures: int,
    interval: float,
    *,
    cap: float = BACKOFF_CAP,
    jitter: random.Random | None = None,
) -> float:
    """Wait after ``consecutive_failures`` failures in a row: interval·2^(n-1), capped, ±10%.

    The cap limits growth only: backing off never polls more often than ``interval`` itself (a
    source polled hourly is not retried after ``cap``).  Jitter applies after the cap so that many
    sources failing together do not retry in lockstep.
    """
    if consecutive_failures <= 0:
        return next_interval(interval, jitter)
    exponent = min(consecutive_failures - 1, 32)
    base = max(interval, min(cap, interval * 2.0**exponent))
    return _jittered(base, jitter)


def failure_delay(
    consecutive_failures: int,
    interval: float,
    retry_after: float | None = None,
    *,
    cap: float = BACKOFF_CAP,
    jitter: random.Random | None = None,
) -> float:
    """Backoff that also honours a server's Retry-After (bounded by RETRY_AFTER_CAP)."""
    delay = backoff_delay(consecutive_failures, interval, cap=cap, jitter=jitter)
    if retry_after is None:
        return delay
    return max(delay, min(retry_after, RETRY_AFTER_CAP))


def parse_retry_after(value: str, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After value: delta-seconds or an HTTP-date (past -> 0)."""
    text = value.strip()
    if not text:
        return None
    if text.isascii() and text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())
