"""The one wording of network failures, shared by feed fetches and probes.

Whatever raised (httpx, asyncio, the socket layer, our own redirect and body checks), an operator
reads one short line, worded the same whether a feed or a probe hit it: ``connection refused``,
``DNS: name does not resolve``, ``TLS error: …``.
"""

from __future__ import annotations

import errno
import socket
import ssl
from collections.abc import Iterator

import httpx

from watchtui.domain.text import clean_line

__all__ = [
    "NETWORK_ERRORS",
    "FetchError",
    "deadline_reason",
    "describe",
    "short",
    "too_large",
]

# What a network exchange may raise besides FetchError; anything else is a bug or a hostile body.
NETWORK_ERRORS: tuple[type[BaseException], ...] = (
    httpx.HTTPError,
    httpx.InvalidURL,
    httpx.StreamError,
    OSError,
)

_NO_SUCH_NAME = {
    code
    for code in (getattr(socket, "EAI_NONAME", None), getattr(socket, "EAI_NODATA", None))
    if code is not None
}
_NAME_NOT_FOUND = ("name or service not known", "nodename nor servname", "name resolution")
_ERRNO_WORDS = {
    errno.ECONNREFUSED: "connection refused",
    errno.ECONNRESET: "connection reset",
    errno.EPIPE: "connection reset",
    errno.EHOSTUNREACH: "host unreachable",
    errno.ENETUNREACH: "network unreachable",
}


class FetchError(Exception):
    """An exchange failed; ``reason`` is one short line that is safe to show."""

    def __init__(
        self, reason: str, status: int | None = None, retry_after: float | None = None
    ) -> None:
        self.reason = clean_line(reason, 300)
        self.status = status
        self.retry_after = retry_after
        super().__init__(self.reason)


def describe(exc: BaseException, timeout: httpx.Timeout | float | None = None) -> str:
    """One line saying why an exchange failed.

    ``timeout`` words timeouts: a float is one budget for the whole exchange (a probe's
    ``timeout after 5s``); an ``httpx.Timeout`` names the phase that ran out (a fetch's
    ``connect timeout after 5s``, ``no data for 15s (read timeout)``).
    """
    if isinstance(exc, FetchError):
        return exc.reason
    causes = list(_chain(exc))
    for cause in causes:
        if isinstance(cause, httpx.TimeoutException | TimeoutError):
            return _timeout_words(cause, timeout)
        known = _describe_one(cause)
        if known is not None:
            return known
    # Typed causes first, then messages: asyncio and httpx often say it only in words.
    for cause in causes:
        known = _describe_by_text(cause)
        if known is not None:
            return known
    return f"network error: {short(str(exc)) or type(exc).__name__}"


def deadline_reason(seconds: float | None) -> str:
    return f"timeout after {_seconds(seconds)}"


def too_large(max_bytes: int) -> str:
    mib = 1024 * 1024
    if max_bytes >= mib and max_bytes % mib == 0:
        return f"response larger than {max_bytes // mib} MB"
    if max_bytes >= 1024 and max_bytes % 1024 == 0:
        return f"response larger than {max_bytes // 1024} KB"
    return f"response larger than {max_bytes} bytes"


def short(text: str, limit: int = 120) -> str:
    return clean_line(text, limit)


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _timeout_words(exc: BaseException, timeout: httpx.Timeout | float | None) -> str:
    if not isinstance(timeout, httpx.Timeout):
        return deadline_reason(timeout)
    if isinstance(exc, httpx.ConnectTimeout):
        return f"connect timeout after {_seconds(timeout.connect)}"
    if isinstance(exc, httpx.ReadTimeout):
        return f"no data for {_seconds(timeout.read)} (read timeout)"
    if isinstance(exc, httpx.PoolTimeout):
        return f"no free connection after {_seconds(timeout.pool)}"
    if isinstance(exc, httpx.WriteTimeout):
        return f"write timeout after {_seconds(timeout.write)}"
    return "timeout"


def _describe_one(cause: BaseException) -> str | None:
    if isinstance(cause, socket.gaierror):
        if cause.errno in _NO_SUCH_NAME:
            return "DNS: name does not resolve"
        return f"DNS: lookup failed ({short(str(cause.strerror or cause))})"
    if isinstance(cause, ssl.SSLError):
        # Only errors raised by OpenSSL itself carry these attributes.
        detail = getattr(cause, "verify_message", None) or getattr(cause, "reason", None)
        return f"TLS error: {short(str(detail or cause))}"
    if isinstance(cause, ConnectionRefusedError):
        return "connection refused"
    if isinstance(cause, ConnectionResetError | BrokenPipeError):
        return "connection reset"
    if isinstance(cause, OSError) and cause.errno in _ERRNO_WORDS:
        return _ERRNO_WORDS[cause.errno]
    return None


def _describe_by_text(exc: BaseException) -> str | None:
    text = str(exc)
    lowered = text.lower()
    if isinstance(exc, httpx.ProxyError):
        return f"proxy error: {short(text)}"
    if "certificate" in lowered or "ssl" in lowered or "tls" in lowered:
        return f"TLS error: {short(text)}"
    # asyncio joins per-address connect failures into one OSError without an errno.
    if "refused" in lowered or f"[errno {errno.ECONNREFUSED}]" in lowered:
        return "connection refused"
    if "all connection attempts failed" in lowered:
        return "connection refused"
    if "reset" in lowered:
        return "connection reset"
    if any(words in lowered for words in _NAME_NOT_FOUND):
        return "DNS: name does not resolve"
    if isinstance(exc, httpx.RemoteProtocolError):
        if "incomplete" in lowered or "peer closed" in lowered:
            return "connection closed before the response was complete"
        if "without sending" in lowered or "disconnected" in lowered:
            return "server closed the connection without a response"
        return f"protocol error: {short(text)}"
    if isinstance(exc, httpx.InvalidURL):
        return f"invalid URL: {short(text)}"
    return None


def _seconds(value: float | None) -> str:
    return "∞" if value is None else f"{value:g}s"
