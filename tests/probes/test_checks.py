"""Running one probe against a real loopback server: HTTP, TCP, DNS, and what can go wrong."""

from __future__ import annotations

import asyncio
import gzip
import socket
import tracemalloc
from typing import Any

import httpx
import pytest

from tests.net.helpers import PUBLIC, FakeDNS, public_loopback
from tests.probes.helpers import T0, http
from tests.support.feedserver import Fault, FeedServer
from watchtui.net import FetchError, fetch
from watchtui.probes import ProbeSpec, run_probe

MB = 1024 * 1024

# ---- HTTP ---------------------------------------------------------------------------------------


async def test_http_probe_flips_with_the_server_status(
    server: FeedServer, client: httpx.AsyncClient
) -> None:
    server.set("/health", b"ok")
    spec = http(server.url("/health"))
    first = await run_probe(spec, client, at=T0)
    assert (first.ok, first.error, first.at) == (True, None, T0)
    assert first.latency_ms is not None and first.latency_ms >= 0
    server.fault("/health", Fault.status(500))
    failed = await run_probe(spec, client)
    assert (failed.ok, failed.error) == (False, "HTTP 500")
    assert failed.latency_ms is not None  # the server answered: that time is still a latency
    server.set("/health", b"ok")
    assert (await run_probe(spec, client)).ok


async def test_http_probe_expected_statuses(server: FeedServer, client: httpx.AsyncClient) -> None:
    server.fault("/auth", Fault.status(401))
    assert (await run_probe(http(server.url("/auth"), expect_status=[401]), client)).ok
    assert (await run_probe(http(server.url("/auth")), client)).error == "HTTP 401"
    server.set("/ok", b"{}")
    only_204 = await run_probe(http(server.url("/ok"), expect_status=[204]), client)
    assert only_204.error == "HTTP 200"


async def test_http_probe_follows_redirects(server: FeedServer, client: httpx.AsyncClient) -> None:
    server.set("/new", b"ok")
    server.fault("/old", Fault.redirect("/new"))
    assert (await run_probe(http(server.url("/old"), contains="ok"), client)).ok


async def test_hanging_server_times_out_quickly(
    server: FeedServer, client: httpx.AsyncClient
) -> None:
    server.fault("/hang", Fault.hang())
    started = asyncio.get_running_loop().time()
    result = await run_probe(http(server.url("/hang"), timeout=0.3), client)
    assert (result.ok, result.error, result.latency_ms) == (False, "timeout after 0.3s", None)
    assert asyncio.get_running_loop().time() - started < 2


async def test_body_checks(server: FeedServer, client: httpx.AsyncClient) -> None:
    server.set("/status", b'{"status": {"indicator": "major"}, "up": true, "n": [1, 2]}')
    url = server.url("/status")
    cases: list[tuple[dict[str, Any], str | None]] = [
        ({"contains": "indicator"}, None),
        ({"contains": "ok"}, "body lacks 'ok'"),
        ({"json_path": "status.indicator"}, None),
        ({"json_path": "status.indicator", "json_equals": "major"}, None),
        (
            {"json_path": "status.indicator", "json_equals": "none"},
            "json status.indicator = 'major', expected 'none'",
        ),
        ({"json_path": "status.missing"}, "json status.missing missing"),
        ({"json_path": "up", "json_equals": True}, None),
        ({"json_path": "n.1", "json_equals": 2}, None),
        ({"json_path": "n.1", "json_equals": True}, "json n.1 = 2, expected true"),
    ]
    for fields, error in cases:
        result = await run_probe(http(url, **fields), client)
        assert (result.ok, result.error) == (error is None, error), fields
    server.set("/html", b"<html>oops</html>", content_type="text/html")
    not_json = await run_probe(http(server.url("/html"), json_path="status"), client)
    assert not_json.error == "body is not JSON"


async def test_body_checks_read_at_most_one_megabyte(
    server: FeedServer, client: httpx.AsyncClient
) -> None:
    server.fault("/huge", Fault.huge(3 * 1024 * 1024))
    result = await run_probe(http(server.url("/huge"), contains="needle"), client)
    assert result.error == "body lacks 'needle' (in its first 1 MB)"
    # Without a body check the body is not read at all.
    assert (await run_probe(http(server.url("/huge")), client)).ok


async def test_http_to_a_closed_port_is_connection_refused(
    client: httpx.AsyncClient, closed_port: int
) -> None:
    result = await run_probe(http(f"http://127.0.0.1:{closed_port}/"), client)
    assert (result.ok, result.error, result.latency_ms) == (False, "connection refused", None)


# ---- TCP and DNS --------------------------------------------------------------------------------


async def test_tcp_probe_open_and_closed_ports(
    server: FeedServer, client: httpx.AsyncClient, closed_port: int
) -> None:
    opened = await run_probe(
        ProbeSpec(id="t", type="tcp", target=f"127.0.0.1:{server.port}"), client
    )
    assert opened.ok and opened.latency_ms is not None
    closed = await run_probe(
        ProbeSpec(id="t", type="tcp", target=f"127.0.0.1:{closed_port}"), client
    )
    assert (closed.ok, closed.error) == (False, "connection refused")


async def test_dns_probe_localhost_resolves(client: httpx.AsyncClient) -> None:
    assert (await run_probe(ProbeSpec(id="d", type="dns", target="localhost"), client)).ok
    pinned = ProbeSpec(id="d", type="dns", target="localhost", expect_address="127.0.0.1")
    assert (await run_probe(pinned, client)).ok
    wrong = ProbeSpec(id="d", type="dns", target="localhost", expect_address="192.0.2.7")
    result = await run_probe(wrong, client)
    assert not result.ok
    assert result.error is not None
    assert result.error.startswith("DNS: localhost resolves to ")
    assert result.error.endswith(", expected 192.0.2.7")


async def test_invalid_names_fail_without_asking_any_resolver(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_lookups(*args: object, **kwargs: object) -> None:
        raise AssertionError("a resolver was asked about a .invalid name")

    monkeypatch.setattr(socket, "getaddrinfo", no_lookups)
    specs = [
        ProbeSpec(id="d", type="dns", target="something.invalid"),
        ProbeSpec(id="t", type="tcp", target="db.invalid:5432"),
        http("https://api.invalid/health"),
    ]
    for spec in specs:
        result = await run_probe(spec, client)
        assert not result.ok
        assert result.error == "DNS: name does not resolve (.invalid is reserved)"


# ---- hostile bodies: anything a check raises is a failed check ---------------------------------


async def test_deeply_nested_json_is_a_failed_check_not_a_crash(
    server: FeedServer, client: httpx.AsyncClient
) -> None:
    # Regression: 400 KB of [[[…]]] raised RecursionError out of the runner.
    server.set("/deep", b"[" * 200_000 + b"]" * 200_000)
    result = await run_probe(http(server.url("/deep"), json_path="0"), client, at=T0)
    assert (result.ok, result.error) == (False, "body JSON is nested too deeply to check")
    assert result.latency_ms is not None  # the target did answer
    assert (await run_probe(http(server.url("/deep"), contains="[[["), client)).ok


async def test_any_exception_inside_a_check_becomes_its_reason(
    monkeypatch: pytest.MonkeyPatch, server: FeedServer, client: httpx.AsyncClient
) -> None:
    def broken(*args: object) -> str | None:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr("watchtui.probes.checks.check_body", broken)
    server.set("/ok", b"fine")
    result = await run_probe(http(server.url("/ok"), contains="fine"), client)
    assert (result.ok, result.latency_ms) == (False, None)
    assert result.error == "check failed: ZeroDivisionError: division by zero"


async def test_an_exception_from_the_transport_is_a_failed_check() -> None:
    def explode(request: httpx.Request) -> httpx.Response:
        raise RecursionError("maximum recursion depth exceeded")

    async with httpx.AsyncClient(transport=httpx.MockTransport(explode)) as mocked:
        result = await run_probe(http("http://127.0.0.1:9/"), mocked)
    assert result.error == "check failed: RecursionError: maximum recursion depth exceeded"


async def test_gzip_bomb_body_is_capped_on_decoded_bytes(
    server: FeedServer, client: httpx.AsyncClient
) -> None:
    # Regression: a probe body inflated to ~130 MiB despite the 1 MB cap.
    server.fault("/bomb", Fault.gzip_bomb(128 * MB))
    tracemalloc.start()
    try:
        lacks = await run_probe(http(server.url("/bomb"), contains="needle"), client)
        not_checked = await run_probe(http(server.url("/bomb"), json_path="a"), client)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert lacks.error == "body lacks 'needle' (in its first 1 MB)"
    assert not_checked.error == "body larger than 1 MB: json not checked"
    assert peak < 8 * MB


async def test_compressed_bodies_are_decoded_for_checks(
    server: FeedServer, client: httpx.AsyncClient
) -> None:
    plain = b'{"status": {"indicator": "none"}}'
    server.set("/gz", gzip.compress(plain), headers={"Content-Encoding": "gzip"})
    spec = http(server.url("/gz"), json_path="status.indicator", json_equals="none")
    assert (await run_probe(spec, client)).ok
    server.set("/gzcut", gzip.compress(plain)[:12], headers={"Content-Encoding": "gzip"})
    cut = await run_probe(http(server.url("/gzcut"), contains="x"), client)
    assert cut.error == "truncated gzip body"


# ---- redirects into private address space -------------------------------------------------------


async def test_public_target_may_not_redirect_a_probe_into_private_space(
    server: FeedServer, client: httpx.AsyncClient
) -> None:
    dns = FakeDNS({"127.0.0.1": [PUBLIC], "localhost": ["127.0.0.1"]})
    server.set("/admin", b"secret")
    server.fault("/jump", Fault.redirect(f"http://localhost:{server.port}/admin"))
    result = await run_probe(http(server.url("/jump")), client, resolver=dns)
    assert result.error == (
        f"redirect to a private address refused: http://localhost:{server.port}/admin "
        "(resolves to 127.0.0.1, loopback)"
    )
    assert server.request_count("/admin") == 0


async def test_public_to_public_probe_redirect_is_followed(
    server: FeedServer, client: httpx.AsyncClient
) -> None:
    server.set("/new", b"ok")
    server.fault("/old", Fault.redirect(server.url("/new")))
    result = await run_probe(
        http(server.url("/old"), contains="ok"), client, resolver=public_loopback()
    )
    assert result.ok


# ---- one wording for fetches and probes --------------------------------------------------------


@pytest.mark.parametrize(
    "fault",
    [Fault.reset(), Fault.truncated(b'{"partial": '), Fault.redirect("/same")],
    ids=["reset", "truncated", "loop"],
)
async def test_probes_and_fetches_word_a_failure_alike(
    server: FeedServer, client: httpx.AsyncClient, fault: Fault
) -> None:
    server.fault("/same", fault)
    with pytest.raises(FetchError) as fetched:
        await fetch(client, server.url("/same"))
    probed = await run_probe(http(server.url("/same"), contains="x"), client)
    assert probed.error == fetched.value.reason


async def test_refused_connections_read_alike(client: httpx.AsyncClient, closed_port: int) -> None:
    url = f"http://127.0.0.1:{closed_port}/"
    with pytest.raises(FetchError) as fetched:
        await fetch(client, url)
    assert (
        (await run_probe(http(url), client)).error == fetched.value.reason == "connection refused"
    )


async def test_probes_that_read_no_body_keep_the_connection(
    server: FeedServer, client: httpx.AsyncClient
) -> None:
    # A probe that looks only at the status leaves the body unread; it is drained so the next
    # run reuses the connection instead of a new TCP/TLS handshake each time.
    server.set("/p/up", b"ok" * 1000)
    spec = http(server.url("/p/up"))
    await run_probe(spec, client)
    opened = server.connections_accepted
    for _ in range(3):
        assert (await run_probe(spec, client)).ok
    assert server.connections_accepted == opened
