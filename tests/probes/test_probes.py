from __future__ import annotations

import asyncio
import re
import socket
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import ValidationError

from tests.support.feedserver import Fault, FeedServer
from watchtui.probes import (
    ProbeResult,
    ProbeRunner,
    ProbeSpec,
    ProbeState,
    advance,
    format_duration,
    is_due,
    link_provider,
    run_probe,
    split_host_port,
)
from watchtui.store import Store, probe_lease_key

T0 = datetime(2024, 5, 1, 8, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as s:
        yield s


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as c:
        yield c


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store.open(tmp_path / "history.db")
    yield s
    s.close()


@pytest.fixture
def closed_port() -> int:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = int(sock.getsockname()[1])
    sock.close()
    return port


def http(url: str, **kw: Any) -> ProbeSpec:
    return ProbeSpec(id=kw.pop("id", "api"), type="http", target=url, **kw)


# ---- specification ----------------------------------------------------------------------------


def test_spec_defaults() -> None:
    spec = http("https://api.example.com/health")
    assert (spec.method, spec.expect_status, spec.timeout, spec.interval) == ("GET", (), 5.0, 30)
    assert (spec.down_after, spec.up_after, spec.provider) == (3, 2, None)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"type": "http", "target": "ftp://x/"}, "http(s) URL"),
        ({"type": "http", "target": "https://x/", "interval": 10}, "at least 15 seconds"),
        ({"type": "http", "target": "https://x/", "timeout": 0}, "more than 0"),
        ({"type": "http", "target": "https://x/", "timeout": 20, "interval": 15}, "shorter"),
        ({"type": "http", "target": "https://x/", "expect_status": [99]}, "not an HTTP status"),
        ({"type": "http", "target": "https://x/", "json_equals": "none"}, "needs 'json_path'"),
        ({"type": "http", "target": "https://x/", "json_path": "a..b"}, "dotted path"),
        ({"type": "http", "target": "https://x/", "method": "HEAD", "contains": "ok"}, "HEAD"),
        ({"type": "http", "target": "https://x/", "down_after": 0}, "between 1 and 100"),
        ({"type": "http", "target": "https://x/", "colour": "red"}, "Extra inputs"),
        ({"type": "tcp", "target": "db.example.com"}, "host:port"),
        ({"type": "tcp", "target": "db.example.com:99999"}, "1 to 65535"),
        ({"type": "tcp", "target": "db:5432", "contains": "x"}, "http probes only"),
        ({"type": "dns", "target": "https://example.com/"}, "host name"),
        ({"type": "dns", "target": "example.com", "expect_address": "10.0.0.300"}, "IPv4 or IPv6"),
        ({"type": "http", "target": "https://x/", "expect_address": "10.0.0.1"}, "dns probes"),
        ({"type": "smtp", "target": "x"}, "'http', 'tcp' or 'dns'"),
    ],
)
def test_spec_rejects_bad_entries_with_clear_messages(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=re.escape(message)):
        ProbeSpec(id="p", **fields)


def test_spec_round_trips_through_its_config_table() -> None:
    spec = http("https://x.example/s", expect_status=[200, 204], json_path="a.b", json_equals=1)
    table = spec.to_config()
    assert table == {
        "id": "api",
        "type": "http",
        "target": "https://x.example/s",
        "expect_status": [200, 204],
        "json_path": "a.b",
        "json_equals": 1,
    }
    assert ProbeSpec.model_validate(table) == spec


def test_spec_id_must_be_a_plain_name() -> None:
    with pytest.raises(ValidationError):
        ProbeSpec(id="bad id:1", type="dns", target="example.com")


def test_tcp_targets_accept_names_ipv4_and_bracketed_ipv6() -> None:
    assert split_host_port("db.example.com:5432") == ("db.example.com", 5432)
    assert split_host_port("10.0.0.1:22") == ("10.0.0.1", 22)
    assert split_host_port("[2001:db8::1]:443") == ("2001:db8::1", 443)
    with pytest.raises(ValueError, match="IPv6"):
        split_host_port("2001:db8::1:443")


def test_link_provider_matches_the_target_host_against_the_catalog() -> None:
    assert link_provider(http("https://api.github.com/zen")).provider == "github"
    tcp = ProbeSpec(id="db", type="tcp", target="db.abc.us-east-1.rds.amazonaws.com:5432")
    assert link_provider(tcp).provider == "aws"
    assert link_provider(http("https://intranet.example.internal/")).provider is None
    # An alias becomes the catalog id; an unknown id (a custom source) stays as given.
    assert link_provider(http("https://x.example/", provider="gh")).provider == "github"
    assert link_provider(http("https://x.example/", provider="my-src")).provider == "my-src"


# ---- execution: HTTP --------------------------------------------------------------------------


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


# ---- execution: TCP and DNS -------------------------------------------------------------------


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


# ---- hysteresis -------------------------------------------------------------------------------


def run_sequence(
    outcomes: str, spec: ProbeSpec, state: ProbeState | None = None
) -> list[tuple[str, int, int, list[str]]]:
    """Feed 'u'/'x' results a minute apart; (state, failures, successes, event kinds) each."""
    trace: list[tuple[str, int, int, list[str]]] = []
    for n, outcome in enumerate(outcomes):
        at = T0 + n * MIN
        result = ProbeResult(
            ok=outcome == "u", latency_ms=5.0, error=None if outcome == "u" else "HTTP 500", at=at
        )
        state, events = advance(state, result, spec)
        trace.append(
            (
                state.state,
                state.consecutive_failures,
                state.consecutive_successes,
                [e.kind for e in events],
            )
        )
    return trace


def test_hysteresis_starts_unknown_and_needs_streaks() -> None:
    spec = http("https://x/", down_after=3, up_after=2)
    assert run_sequence("uuxxuxxxxuu", spec) == [
        ("unknown", 0, 1, []),
        ("up", 0, 2, []),  # unknown -> up is the normal start, not news
        ("up", 1, 0, []),
        ("up", 2, 0, []),
        ("up", 0, 1, []),  # two failures are not an incident
        ("up", 1, 0, []),
        ("up", 2, 0, []),
        ("down", 3, 0, ["probe_down"]),
        ("down", 4, 0, []),
        ("down", 0, 1, []),
        ("up", 0, 2, ["probe_up"]),
    ]


def test_a_probe_failing_from_the_start_goes_down_and_says_so() -> None:
    spec = http("https://x/", down_after=2, up_after=1)
    assert run_sequence("xxu", spec) == [
        ("unknown", 1, 0, []),
        ("down", 2, 0, ["probe_down"]),
        ("up", 0, 1, ["probe_up"]),
    ]


def test_single_result_thresholds() -> None:
    spec = http("https://x/", down_after=1, up_after=1)
    assert [row[0] for row in run_sequence("uxux", spec)] == ["up", "down", "up", "down"]


def test_state_times_count_from_the_first_result_of_the_streak() -> None:
    spec = http("https://x/", down_after=3, up_after=2)
    state: ProbeState | None = None
    for n, ok in enumerate([True, True, False, False, False]):
        result = ProbeResult(
            ok=ok, latency_ms=None, error=None if ok else "HTTP 500", at=T0 + n * MIN
        )
        state, _ = advance(state, result, spec)
    assert state is not None
    assert (state.since, state.streak_started_at, state.last_result_at) == (
        T0 + 2 * MIN,
        T0 + 2 * MIN,
        T0 + 4 * MIN,
    )
    assert state.last_error == "HTTP 500"


def test_probe_events_are_worded_for_an_operator() -> None:
    spec = http("https://x/", id="api-eu", region="eu-west", down_after=3, up_after=2)
    state: ProbeState | None = None
    down: list[Any] = []
    # Failures at 0, 3 and 6 minutes: confirmed DOWN after 6 minutes of failing.
    for minutes in (0, 3, 6):
        result = ProbeResult(ok=False, latency_ms=None, error="HTTP 503", at=T0 + minutes * MIN)
        state, down = advance(state, result, spec)
    (event,) = down
    assert event.kind == "probe_down"
    assert event.title == "Your probe api-eu (eu-west) failing for 6 min"
    assert (event.detail, event.source_id, event.at) == ("HTTP 503", "probe:api-eu", T0 + 6 * MIN)
    assert (event.old_status, event.new_status, event.impact) == ("unknown", "down", "major")
    for minutes in (12, 13):
        result = ProbeResult(ok=True, latency_ms=3.0, error=None, at=T0 + minutes * MIN)
        state, up = advance(state, result, spec)
    (event,) = up
    assert event.kind == "probe_up"
    assert event.title == "Your probe api-eu (eu-west) is back up after 12 min down"
    assert event.detail == "last error: HTTP 503"


def test_format_duration() -> None:
    assert [
        format_duration(timedelta(seconds=s)) for s in (-5, 0, 59, 60, 359, 3600, 3720, 90000)
    ] == ["0 s", "0 s", "59 s", "1 min", "5 min", "1 h", "1 h 2 min", "1 d 1 h"]


def test_is_due() -> None:
    spec = http("https://x/", interval=30)
    assert is_due(spec, None, T0)
    state = ProbeState("api", last_result_at=T0)
    assert not is_due(spec, state, T0 + timedelta(seconds=20))
    assert is_due(spec, state, T0 + timedelta(seconds=29.8))


# ---- runner -----------------------------------------------------------------------------------


async def test_runner_runs_due_probes_records_them_and_emits_transitions(
    server: FeedServer, client: httpx.AsyncClient, store: Store
) -> None:
    server.set("/a", b"ok")
    server.set("/b", b"ok")
    specs = [
        http(server.url("/a"), id="a", down_after=2, up_after=1, interval=30),
        http(server.url("/b"), id="b", interval=60),
    ]
    runner = ProbeRunner(owner="me", concurrency=2)
    assert await runner.run_due(store, specs, client, T0) == []
    assert (server.request_count("/a"), server.request_count("/b")) == (1, 1)
    # Not due yet: nothing runs.
    assert await runner.run_due(store, specs, client, T0 + timedelta(seconds=10)) == []
    assert server.request_count("/a") == 1

    server.fault("/a", Fault.status(500))
    assert await runner.run_due(store, specs, client, T0 + 30 * timedelta(seconds=1)) == []
    events = await runner.run_due(store, specs, client, T0 + MIN)
    assert [(e.kind, e.title) for e in events] == [
        ("probe_down", "Your probe a failing for 30 s"),
    ]
    assert (server.request_count("/a"), server.request_count("/b")) == (3, 2)
    states = store.probe_states()
    assert (states["a"].state, states["b"].state) == ("down", "up")
    assert [r.ok for r in store.probe_results("a")] == [True, False, False]
    # The lease was released after each run.
    lease = store.endpoint_state(probe_lease_key("a"))
    assert lease is not None and lease.lease_owner is None


async def test_two_processes_sharing_a_store_run_each_probe_once(
    server: FeedServer, client: httpx.AsyncClient, tmp_path: Path
) -> None:
    server.set("/a", b"ok")
    spec = http(server.url("/a"), id="a")
    first, second = Store.open(tmp_path / "h.db"), Store.open(tmp_path / "h.db")
    try:
        results = await asyncio.gather(
            ProbeRunner(owner="one").run_due(first, [spec], client, T0),
            ProbeRunner(owner="two").run_due(second, [spec], client, T0),
        )
        assert list(results) == [[], []]
        assert server.request_count("/a") == 1
        assert len(first.probe_results("a")) == 1
    finally:
        first.close()
        second.close()


async def test_a_probe_leased_by_another_process_is_skipped(
    server: FeedServer, client: httpx.AsyncClient, store: Store
) -> None:
    server.set("/a", b"ok")
    store.try_claim(probe_lease_key("a"), "other", T0, T0 + MIN)
    await ProbeRunner(owner="me").run_due(store, [http(server.url("/a"), id="a")], client, T0)
    assert server.request_count("/a") == 0
    assert store.probe_state("a") is None
