"""The fetch layer against a real loopback server: no other network, every wait bounded."""

from __future__ import annotations

import asyncio
import email.utils
import gzip
import random
import shutil
import socket
import ssl
import subprocess
import time
import tracemalloc
import zlib
from collections.abc import AsyncIterator, Awaitable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from tests.support.feedserver import Fault, FeedServer
from watchtui import __version__
from watchtui.net.fetch import (
    DEFAULT_INTERVAL,
    MAX_INTERVAL,
    MIN_INTERVAL,
    FetchError,
    backoff_delay,
    clamp_interval,
    failure_delay,
    fetch,
    make_client,
    next_interval,
    parse_retry_after,
    ssl_context_from_env,
)

MB = 1024 * 1024
_ENV = (
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "NO_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
    "no_proxy",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """The host's proxy/CA settings must not leak into the tests (nor send loopback via a proxy)."""
    for name in _ENV:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="module")
def server() -> Iterator[FeedServer]:
    with FeedServer() as srv:
        yield srv


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with make_client(connect_timeout=2, read_timeout=5) as c:
        yield c


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _fails(coro: Awaitable[object]) -> FetchError:
    with pytest.raises(FetchError) as info:
        await coro
    return info.value


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
    error = await _fails(fetch(client, server.url(f"/f/err{code}")))
    assert error.reason == f"HTTP {code}"
    assert error.status == code
    assert error.retry_after is None


async def test_429_retry_after_seconds(server: FeedServer, client: httpx.AsyncClient) -> None:
    server.fault("/f/429", Fault.status(429, retry_after=120))
    error = await _fails(fetch(client, server.url("/f/429")))
    assert (error.reason, error.status, error.retry_after) == ("HTTP 429", 429, 120.0)


async def test_503_retry_after_http_date(server: FeedServer, client: httpx.AsyncClient) -> None:
    when = datetime.now(UTC) + timedelta(seconds=90)
    server.fault("/f/503d", Fault.status(503, retry_after=email.utils.format_datetime(when, True)))
    error = await _fails(fetch(client, server.url("/f/503d")))
    assert error.status == 503
    assert error.retry_after is not None and 85 <= error.retry_after <= 91


# -- time bounds --------------------------------------------------------------------------------


async def test_hang_hits_total_deadline(server: FeedServer, client: httpx.AsyncClient) -> None:
    server.fault("/f/hang", Fault.hang())
    started = time.monotonic()
    error = await _fails(fetch(client, server.url("/f/hang"), total_timeout=0.5))
    assert error.reason == "timeout after 0.5s"
    assert error.status is None
    assert time.monotonic() - started < 1.5


async def test_hang_hits_read_timeout_first_when_shorter(server: FeedServer) -> None:
    server.fault("/f/hang2", Fault.hang())
    async with make_client(read_timeout=0.3) as short:
        error = await _fails(fetch(short, server.url("/f/hang2"), total_timeout=5))
    assert error.reason == "no data for 0.3s (read timeout)"


async def test_trickle_is_cut_by_deadline_not_read_timeout(
    server: FeedServer, client: httpx.AsyncClient
) -> None:
    # A byte every 50 ms never trips the 5 s read timeout; only the total deadline stops it.
    server.fault("/f/trickle", Fault.trickle(b"x" * 200, bytes_per_second=20))
    started = time.monotonic()
    error = await _fails(fetch(client, server.url("/f/trickle"), total_timeout=0.6))
    assert error.reason == "timeout after 0.6s"
    assert time.monotonic() - started < 1.6


async def test_connection_refused(client: httpx.AsyncClient) -> None:
    error = await _fails(fetch(client, f"http://127.0.0.1:{_free_port()}/x"))
    assert error.reason == "connection refused"
    assert error.status is None


# -- size bounds --------------------------------------------------------------------------------


async def test_oversize_content_length_rejected_before_reading(
    server: FeedServer, client: httpx.AsyncClient
) -> None:
    # Streaming this body would take 2000 s; only the Content-Length check can answer at once.
    server.fault("/f/cl", Fault.trickle(b"y" * 2000, bytes_per_second=1))
    started = time.monotonic()
    error = await _fails(fetch(client, server.url("/f/cl"), max_bytes=1000, total_timeout=5))
    assert error.reason == "response larger than 1000 bytes"
    assert error.status == 200
    assert time.monotonic() - started < 1


@pytest.mark.parametrize("fault", [Fault.endless(), Fault.huge(64 * MB)], ids=["endless", "huge"])
async def test_streamed_body_stopped_at_cap(
    server: FeedServer, client: httpx.AsyncClient, fault: Fault
) -> None:
    server.fault("/f/big-" + fault.kind, fault)
    error = await _fails(fetch(client, server.url("/f/big-" + fault.kind), max_bytes=1 * MB))
    assert error.reason == "response larger than 1 MB"


async def test_body_exactly_at_cap_is_accepted(
    server: FeedServer, client: httpx.AsyncClient
) -> None:
    server.fault("/f/exact", Fault.huge(256 * 1024))
    result = await fetch(client, server.url("/f/exact"), max_bytes=256 * 1024)
    assert result.bytes == 256 * 1024


async def test_gzip_bomb_stopped_on_decoded_size_with_bounded_memory(
    server: FeedServer, client: httpx.AsyncClient
) -> None:
    server.fault("/f/bomb", Fault.gzip_bomb(64 * MB))
    tracemalloc.start()
    try:
        error = await _fails(fetch(client, server.url("/f/bomb"), max_bytes=1 * MB))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert error.reason == "response larger than 1 MB"
    # Inflating a whole 64 KiB network chunk at once would allocate ~64 MiB.
    assert peak < 8 * MB


# -- content codings ----------------------------------------------------------------------------


async def test_gzip_body_is_decoded(server: FeedServer, client: httpx.AsyncClient) -> None:
    plain = b'{"status": "ok"}' * 1000
    server.set("/f/gz", gzip.compress(plain), headers={"Content-Encoding": "gzip"})
    result = await fetch(client, server.url("/f/gz"))
    assert result.body == plain
    assert result.bytes == len(plain)
    assert result.wire_bytes < len(plain)


async def test_concatenated_gzip_members(server: FeedServer, client: httpx.AsyncClient) -> None:
    server.set(
        "/f/gz2",
        gzip.compress(b"abc") + gzip.compress(b"def"),
        headers={"Content-Encoding": "gzip"},
    )
    assert (await fetch(client, server.url("/f/gz2"))).body == b"abcdef"


@pytest.mark.parametrize("wbits", [zlib.MAX_WBITS, -zlib.MAX_WBITS], ids=["zlib", "raw"])
async def test_deflate_both_flavours(
    server: FeedServer, client: httpx.AsyncClient, wbits: int
) -> None:
    compressor = zlib.compressobj(6, zlib.DEFLATED, wbits)
    blob = compressor.compress(b"hello deflate " * 100) + compressor.flush()
    server.set(f"/f/deflate{wbits}", blob, headers={"Content-Encoding": "deflate"})
    result = await fetch(client, server.url(f"/f/deflate{wbits}"))
    assert result.body == b"hello deflate " * 100


async def test_truncated_gzip_is_an_error(server: FeedServer, client: httpx.AsyncClient) -> None:
    blob = gzip.compress(b"z" * 5000)
    server.set("/f/gzcut", blob[: len(blob) // 2], headers={"Content-Encoding": "gzip"})
    error = await _fails(fetch(client, server.url("/f/gzcut")))
    assert error.reason == "truncated gzip body"


async def test_corrupt_gzip_is_an_error(server: FeedServer, client: httpx.AsyncClient) -> None:
    server.set("/f/gzbad", b"this is not gzip", headers={"Content-Encoding": "gzip"})
    error = await _fails(fetch(client, server.url("/f/gzbad")))
    assert error.reason == "corrupt gzip body"


async def test_unrequested_coding_is_refused(server: FeedServer, client: httpx.AsyncClient) -> None:
    server.set("/f/br", b"\x0b\x02\x80", headers={"Content-Encoding": "br"})
    error = await _fails(fetch(client, server.url("/f/br")))
    assert error.reason == "unsupported Content-Encoding br"


# -- broken connections -------------------------------------------------------------------------


async def test_reset(server: FeedServer, client: httpx.AsyncClient) -> None:
    server.fault("/f/reset", Fault.reset())
    error = await _fails(fetch(client, server.url("/f/reset")))
    assert error.reason == "connection reset"


async def test_truncated_body(server: FeedServer, client: httpx.AsyncClient) -> None:
    server.fault("/f/trunc", Fault.truncated(b'{"partial": '))
    error = await _fails(fetch(client, server.url("/f/trunc")))
    assert error.reason == "connection closed before the response was complete"


# -- redirects ----------------------------------------------------------------------------------


async def test_redirect_relative_and_absolute(
    server: FeedServer, client: httpx.AsyncClient
) -> None:
    server.set("/f/final", b"done")
    server.fault("/f/r-abs", Fault.redirect(server.url("/f/final"), code=301))
    server.fault("/f/r-rel", Fault.redirect("/f/r-abs", code=308))
    result = await fetch(client, server.url("/f/r-rel"))
    assert result.body == b"done"
    assert result.url == server.url("/f/r-rel")
    assert result.final_url == server.url("/f/final")


async def test_redirect_keeps_conditional_headers(
    server: FeedServer, client: httpx.AsyncClient
) -> None:
    server.set("/f/moved-target", b"same")
    server.fault("/f/moved", Fault.redirect("/f/moved-target", code=301))
    first = await fetch(client, server.url("/f/moved"))
    second = await fetch(client, server.url("/f/moved"), etag=first.etag)
    assert second.not_modified


async def test_redirect_hops_are_counted(server: FeedServer) -> None:
    for i in range(3):
        server.fault(f"/f/hop{i}", Fault.redirect(f"/f/hop{i + 1}"))
    server.set("/f/hop3", b"end")
    async with make_client(max_redirects=3) as exact:
        assert (await fetch(exact, server.url("/f/hop0"))).body == b"end"
    async with make_client(max_redirects=2) as short:
        error = await _fails(fetch(short, server.url("/f/hop0")))
    assert error.reason == "too many redirects"
    assert error.status == 302


async def test_redirect_loop(server: FeedServer, client: httpx.AsyncClient) -> None:
    server.fault("/f/loop-a", Fault.redirect("/f/loop-b"))
    server.fault("/f/loop-b", Fault.redirect("/f/loop-a"))
    error = await _fails(fetch(client, server.url("/f/loop-a")))
    assert error.reason == f"redirect loop at {server.url('/f/loop-a')}"
    assert server.request_count("/f/loop-a") == 1


async def test_redirect_to_file_url_refused(server: FeedServer, client: httpx.AsyncClient) -> None:
    server.fault("/f/evil", Fault.redirect("file:///etc/passwd"))
    error = await _fails(fetch(client, server.url("/f/evil")))
    assert error.reason == "redirect to non-HTTP URL file:///etc/passwd"


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/x", "not a url", ""])
async def test_non_http_urls_refused_without_network(client: httpx.AsyncClient, url: str) -> None:
    error = await _fails(fetch(client, url))
    assert error.reason == f"unsupported URL {url}".strip()


async def test_malformed_url_is_a_fetch_error(client: httpx.AsyncClient) -> None:
    error = await _fails(fetch(client, "https://[::1"))
    assert error.reason == "invalid URL https://[::1"


# -- environment: proxies and certificates ------------------------------------------------------


async def test_proxy_env_is_honoured_and_no_proxy_bypasses(
    server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.set("/f/proxied", b"direct")
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{_free_port()}")
    async with make_client(connect_timeout=1) as via_proxy:
        error = await _fails(fetch(via_proxy, server.url("/f/proxied")))
    assert error.reason == "connection refused"
    assert server.request_count("/f/proxied") == 0
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    async with make_client(connect_timeout=1) as bypass:
        assert (await fetch(bypass, server.url("/f/proxied"))).body == b"direct"


@pytest.fixture(scope="module")
def tls_cert(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    if shutil.which("openssl") is None:
        pytest.skip("openssl CLI not available to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "ec",
            "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", str(key), "-out", str(cert), "-days", "2",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
        timeout=30,
    )  # fmt: skip
    return cert, key


@pytest.fixture(scope="module")
def tls_server(tls_cert: tuple[Path, Path]) -> Iterator[FeedServer]:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*tls_cert)
    with FeedServer(ssl_context=context) as srv:
        srv.set("/secure.json", b'{"tls": true}')
        yield srv


async def test_ssl_cert_file_is_trusted(
    tls_server: FeedServer, tls_cert: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(tls_cert[0]))
    async with make_client() as trusting:
        result = await fetch(trusting, tls_server.url("/secure.json"))
    assert result.body == b'{"tls": true}'
    assert result.final_url.startswith("https://")


async def test_ssl_cert_dir_is_trusted(
    tls_server: FeedServer,
    tls_cert: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    subject_hash = subprocess.run(
        ["openssl", "x509", "-hash", "-noout", "-in", str(tls_cert[0])],
        check=True,
        capture_output=True,
        text=True,
        timeout=30,
    ).stdout.strip()
    shutil.copy(tls_cert[0], tmp_path / f"{subject_hash}.0")
    monkeypatch.setenv("SSL_CERT_DIR", str(tmp_path))
    async with make_client() as trusting:
        result = await fetch(trusting, tls_server.url("/secure.json"))
    assert result.status == 200


async def test_untrusted_certificate_is_a_tls_error(tls_server: FeedServer) -> None:
    async with make_client() as default_trust:
        error = await _fails(fetch(default_trust, tls_server.url("/secure.json")))
    assert error.reason.startswith("TLS error: ")
    assert "certificate" in error.reason


def test_bad_ssl_cert_file_named_in_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    missing = tmp_path / "nope.pem"
    monkeypatch.setenv("SSL_CERT_FILE", str(missing))
    with pytest.raises(ValueError, match="SSL_CERT_FILE"):
        make_client()
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("not a certificate")
    with pytest.raises(ValueError, match="SSL_CERT_FILE"):
        ssl_context_from_env({"SSL_CERT_FILE": str(garbage)})


def test_ssl_context_defaults_to_certifi(monkeypatch: pytest.MonkeyPatch) -> None:
    loaded: list[str | None] = []
    real = ssl.create_default_context

    def spy(*args: object, cafile: str | None = None, capath: str | None = None) -> ssl.SSLContext:
        loaded.append(cafile)
        return real(cafile=cafile, capath=capath)

    monkeypatch.setattr(ssl, "create_default_context", spy)
    ssl_context_from_env({})
    import certifi

    assert loaded == [certifi.where()]


# -- scheduling ---------------------------------------------------------------------------------


def test_backoff_grows_then_caps() -> None:
    rng = random.Random(7)
    bases = [60, 120, 240, 480, 900, 900, 900]
    for failures, base in enumerate(bases, start=1):
        delay = backoff_delay(failures, 60, jitter=rng)
        assert base * 0.9 <= delay <= base * 1.1, (failures, delay)
    assert backoff_delay(10_000, 60, jitter=rng) <= 900 * 1.1


def test_backoff_never_polls_faster_than_interval() -> None:
    rng = random.Random(1)
    assert backoff_delay(1, 3600, cap=900, jitter=rng) >= 3600 * 0.9
    assert 0.9 * 60 <= backoff_delay(0, 60, jitter=rng) <= 1.1 * 60


def test_jitter_is_bounded_and_real() -> None:
    rng = random.Random(42)
    samples = [next_interval(100, rng) for _ in range(2000)]
    assert min(samples) >= 90 and max(samples) <= 110
    assert max(samples) - min(samples) > 15
    assert 90 <= next_interval(100) <= 110


def test_failure_delay_honours_bounded_retry_after() -> None:
    rng = random.Random(3)
    assert failure_delay(1, 60, 600, jitter=rng) == 600
    assert failure_delay(1, 60, 10**9, jitter=rng) == 3600
    assert failure_delay(1, 60, 1, jitter=rng) <= 66


def test_parse_retry_after() -> None:
    now = datetime(2024, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("120", now) == 120.0
    assert parse_retry_after(" 0 ", now) == 0.0
    assert parse_retry_after("Mon, 01 Jan 2024 12:01:30 GMT", now) == 90.0
    assert parse_retry_after("Mon, 01 Jan 2024 11:00:00 GMT", now) == 0.0
    for junk in ("", "soon", "-5", "1.5", "²"):
        assert parse_retry_after(junk, now) is None


def test_clamp_interval() -> None:
    assert clamp_interval(None) == DEFAULT_INTERVAL
    assert clamp_interval(float("nan")) == DEFAULT_INTERVAL
    assert clamp_interval(1) == MIN_INTERVAL
    assert clamp_interval(-5) == MIN_INTERVAL
    assert clamp_interval(90) == 90
    assert clamp_interval(10**9) == MAX_INTERVAL
