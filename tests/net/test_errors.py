"""The one wording of network failures: what each cause reads as, for fetches and probes."""

from __future__ import annotations

import errno
import socket
import ssl

import httpx
import pytest

from watchtui.net.errors import FetchError, describe

_TIMEOUTS = httpx.Timeout(connect=5, read=15, write=15, pool=5)


def _wrapped(cause: BaseException) -> httpx.ConnectError:
    """How httpx hands a socket-level failure over: a ConnectError caused by it."""
    try:
        raise httpx.ConnectError("connect failed") from cause
    except httpx.ConnectError as exc:
        return exc


@pytest.mark.parametrize(
    ("exc", "words"),
    [
        (ConnectionRefusedError(errno.ECONNREFUSED, "refused"), "connection refused"),
        (ConnectionResetError(errno.ECONNRESET, "reset"), "connection reset"),
        (BrokenPipeError(errno.EPIPE, "pipe"), "connection reset"),
        (OSError(errno.EHOSTUNREACH, "no route"), "host unreachable"),
        (OSError(errno.ENETUNREACH, "no net"), "network unreachable"),
        (socket.gaierror(socket.EAI_NONAME, "unknown"), "DNS: name does not resolve"),
        (socket.gaierror(socket.EAI_AGAIN, "try again"), "DNS: lookup failed (try again)"),
        (ssl.SSLError(1, "bad record"), "TLS error: bad record"),
        (OSError("Multiple exceptions: [Errno 111] Connect call failed"), "connection refused"),
    ],
)
def test_causes_are_worded_whether_bare_or_wrapped(exc: BaseException, words: str) -> None:
    assert describe(exc) == words
    assert describe(_wrapped(exc)) == words


@pytest.mark.parametrize(
    ("exc", "words"),
    [
        (httpx.ConnectTimeout("x"), "connect timeout after 5s"),
        (httpx.ReadTimeout("x"), "no data for 15s (read timeout)"),
        (httpx.WriteTimeout("x"), "write timeout after 15s"),
        (httpx.PoolTimeout("x"), "no free connection after 5s"),
    ],
)
def test_timeouts_name_their_phase_or_the_whole_budget(exc: Exception, words: str) -> None:
    assert describe(exc, _TIMEOUTS) == words
    # A probe has one budget for everything.
    assert describe(exc, 2.5) == "timeout after 2.5s"
    assert describe(TimeoutError(), 2.5) == "timeout after 2.5s"


def test_protocol_proxy_and_unknown_failures() -> None:
    incomplete = httpx.RemoteProtocolError("peer closed connection without sending complete body")
    assert describe(incomplete) == "connection closed before the response was complete"
    silent = httpx.RemoteProtocolError("Server disconnected without sending a response.")
    assert describe(silent) == "server closed the connection without a response"
    assert describe(httpx.ProxyError("407 Proxy Authentication Required")) == (
        "proxy error: 407 Proxy Authentication Required"
    )
    assert describe(httpx.ReadError("\x1b[31mboom")) == "network error: boom"
    assert describe(httpx.ReadError("")) == "network error: ReadError"


def test_fetch_errors_keep_their_own_reason() -> None:
    error = FetchError("redirect loop at http://x/\nX-Evil: 1", status=302)
    assert describe(error) == error.reason == "redirect loop at http://x/ X-Evil: 1"
