"""The fetch itself against a real loopback server: no other network, every wait bounded."""

from __future__ import annotations

import asyncio
import email.utils
import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.net.helpers import fails, free_port
from tests.support.feedserver import Fault, FeedServer
from watchtui import __version__
from watchtui.net.fetch import fetch, make_client

# -- success and conditional requests -----------------------------------------------------------


async def test_200_result_fields(server: FeedServer, client: httpx.AsyncClient) -> None:
    server.set("/f/ok.json", b'{"ok": true}', headers={"X-Extra": "1"})
    result = await fetch(client, server.url("/f/ok.json"))
    assert result.status == 200
    assert result.body == b'{"ok": true}'
    assert result.bytes == result.wire_bytes == 12
    assert not result.not_modified
    assert result.url == result.final_url == server.url("/f/ok.json")
    assert result.content_type == "application/json"
    assert result.etag is not None and result.etag.startswith('"')
    assert result.headers["x-extra"] == "1"
    assert all(name == name.lower() for name in result.headers)
    assert 0 <= result.latency_ms < 5000


async def test_user_agent_and_accept_encoding(
    server: FeedServer, client: httpx.AsyncClient
) -> None:
    server.set("/f/ua", b"{}")
    await fetch(client, server.url("/f/ua"))
    sent = server.requests("/f/ua")[0]
    assert sent["user-agent"] == f"watchtui/{__version__}"
    assert sent["accept-encoding"] == "gzip, deflate"
    assert "if-none-match" not in sent and "if-modified-since" not in sent


async def test_etag_gives_304_on_second_fetch(
    server: FeedServer, client: httpx.AsyncClient
) -> None:
    server.set("/f/etag", b"[1,2,3]")
    first = await fetch(client, server.url("/f/etag"))
    second = await fetch(client, server.url("/f/etag"), etag=first.etag)
    assert second.not_modified
    assert second.status == 304
    assert second.body is None and second.bytes == 0
    assert second.etag == first.etag
    assert server.request_count("/f/etag") == 2
    assert server.requests("/f/etag")[1]["if-none-match"] == first.etag


async def test_etag_mismatch_gives_new_body(server: FeedServer, client: httpx.AsyncClient) -> None:
    server.set("/f/etag2", b"old")
    first = await fetch(client, server.url("/f/etag2"))
    server.set("/f/etag2", b"new")
    second = await fetch(client, server.url("/f/etag2"), etag=first.etag)
    assert (second.status, second.body) == (200, b"new")
    assert second.etag != first.etag


async def test_last_modified_gives_304(server: FeedServer, client: httpx.AsyncClient) -> None:
    stamp = datetime(2024, 3, 9, 8, 7, 6, tzinfo=UTC)
    server.set("/f/lm", b"<feed/>", etag=False, last_modified=stamp)
    first = await fetch(client, server.url("/f/lm"))
    assert first.etag is None
    assert first.last_modified == "Sat, 09 Mar 2024 08:07:06 GMT"
    second = await fetch(client, server.url("/f/lm"), last_modified=first.last_modified)
    assert second.not_modified
    assert server.requests("/f/lm")[1]["if-modified-since"] == first.last_modified


async def test_validators_with_control_chars_are_not_sent(
    server: FeedServer, client: httpx.AsyncClient
) -> None:
    server.set("/f/inject", b"{}")
    await fetch(client, server.url("/f/inject"), etag='"a"\r\nX-Evil: 1', last_modified="é")
    sent = server.requests("/f/inject")[0]
    assert "if-none-match" not in sent and "x-evil" not in sent
    assert "if-modified-since" not in sent


async def test_html_and_wrong_content_type_pass_through(
    server: FeedServer, client: httpx.AsyncClient
) -> None:
    server.fault("/f/html", Fault.html_error_page())
    result = await fetch(client, server.url("/f/html"))
    assert result.status == 200
    assert (result.content_type or "").startswith("text/html")
    server.fault("/f/ct", Fault.wrong_content_type(b"{}", "image/png"))
    assert (await fetch(client, server.url("/f/ct"))).content_type == "image/png"


async def test_concurrent_fetches_share_the_client(
    server: FeedServer, client: httpx.AsyncClient
) -> None:
    server.set("/f/many", b"x" * 1000)
    results = await asyncio.gather(*(fetch(client, server.url("/f/many")) for _ in range(30)))
    assert all(r.body == b"x" * 1000 for r in results)
    assert server.request_count("/f/many") == 30


# -- HTTP errors --------------------------------------------------------------------------------


@pytest.mark.parametrize("code", [400, 404, 500, 502, 503])
async def test_error_statuses(server: FeedServer, client: httpx.AsyncClient, code: int) -> None:
    server.fault(f"/f/err{code}", Fault.status(code, b"oops"))
    error = await fails(fetch(client, server.url(f"/f/err{code}")))
    assert error.reason == f"HTTP {code}"
    assert error.status == code
    assert error.retry_after is None


async def test_429_retry_after_seconds(server: FeedServer, client: httpx.AsyncClient) -> None:
    server.fault("/f/429", Fault.status(429, retry_after=120))
    error = await fails(fetch(client, server.url("/f/429")))
    assert (error.reason, error.status, error.retry_after) == ("HTTP 429", 429, 120.0)


async def test_503_retry_after_http_date(server: FeedServer, client: httpx.AsyncClient) -> None:
    when = datetime.now(UTC) + timedelta(seconds=90)
    server.fault("/f/503d", Fault.status(503, retry_after=email.utils.format_datetime(when, True)))
    error = await fails(fetch(client, server.url("/f/503d")))
    assert error.status == 503
    assert error.retry_after is not None and 85 <= error.retry_after <= 91


# -- time bounds --------------------------------------------------------------------------------


async def test_hang_hits_total_deadline(server: FeedServer, client: httpx.AsyncClient) -> None:
    server.fault("/f/hang", Fault.hang())
    started = time.monotonic()
    error = await fails(fetch(client, server.url("/f/hang"), total_timeout=0.5))
    assert error.reason == "timeout after 0.5s"
    assert error.status is None
    assert time.monotonic() - started < 1.5


async def test_hang_hits_read_timeout_first_when_shorter(server: FeedServer) -> None:
    server.fault("/f/hang2", Fault.hang())
    async with make_client(read_timeout=0.3) as short:
        error = await fails(fetch(short, server.url("/f/hang2"), total_timeout=5))
    assert error.reason == "no data for 0.3s (read timeout)"


async def test_trickle_is_cut_by_deadline_not_read_timeout(
    server: FeedServer, client: httpx.AsyncClient
) -> None:
    # A byte every 50 ms never trips the 5 s read timeout; only the total deadline stops it.
    server.fault("/f/trickle", Fault.trickle(b"x" * 200, bytes_per_second=20))
    started = time.monotonic()
    error = await fails(fetch(client, server.url("/f/trickle"), total_timeout=0.6))
    assert error.reason == "timeout after 0.6s"
    assert time.monotonic() - started < 1.6


async def test_connection_refused(client: httpx.AsyncClient) -> None:
    error = await fails(fetch(client, f"http://127.0.0.1:{free_port()}/x"))
    assert error.reason == "connection refused"
    assert error.status is None


# -- broken connections -------------------------------------------------------------------------


async def test_reset(server: FeedServer, client: httpx.AsyncClient) -> None:
    server.fault("/f/reset", Fault.reset())
    error = await fails(fetch(client, server.url("/f/reset")))
    assert error.reason == "connection reset"


async def test_truncated_body(server: FeedServer, client: httpx.AsyncClient) -> None:
    server.fault("/f/trunc", Fault.truncated(b'{"partial": '))
    error = await fails(fetch(client, server.url("/f/trunc")))
    assert error.reason == "connection closed before the response was complete"


# -- connections are kept alive ----------------------------------------------------------------


async def test_steady_304s_reuse_one_connection(
    server: FeedServer, client: httpx.AsyncClient
) -> None:
    # A 304's empty body must still be read to its end, or httpcore closes the connection and
    # every steady-state poll pays a new TCP (and TLS) handshake.
    server.set("/f/steady", b"[1,2,3]")
    first = await fetch(client, server.url("/f/steady"))
    opened = server.connections_accepted
    for _ in range(5):
        assert (await fetch(client, server.url("/f/steady"), etag=first.etag)).not_modified
    assert server.request_count("/f/steady") == 6
    assert server.connections_accepted == opened


async def test_a_redirect_hop_keeps_the_connection(
    server: FeedServer, client: httpx.AsyncClient
) -> None:
    server.fault("/f/moved", Fault.redirect(server.url("/f/here")))
    server.set("/f/here", b"{}")
    await fetch(client, server.url("/f/here"))
    opened = server.connections_accepted
    for _ in range(3):
        assert (await fetch(client, server.url("/f/moved"))).body == b"{}"
    assert server.request_count("/f/moved") == 3 and server.request_count("/f/here") == 4
    assert server.connections_accepted == opened


async def test_a_slow_error_page_is_reported_at_once_not_drained(
    server: FeedServer, client: httpx.AsyncClient
) -> None:
    # An error page is not read for the connection's sake: a trickling body must not turn an
    # HTTP 503 into a timeout, nor hold the fetch.
    server.fault("/f/slow503", Fault.trickle(b"x" * 100, bytes_per_second=5.0, code=503))
    started = time.monotonic()
    error = await fails(fetch(client, server.url("/f/slow503"), total_timeout=10))
    assert (error.reason, error.status) == ("HTTP 503", 503)
    assert time.monotonic() - started < 0.9
