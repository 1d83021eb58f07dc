"""Running due probes once per interval across processes, recording them, emitting events."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import httpx

from tests.net.helpers import PUBLIC, FakeDNS
from tests.probes.helpers import MIN, T0, http
from tests.support.feedserver import Fault, FeedServer
from watchtui.probes import ProbeRunner
from watchtui.store import Store, probe_lease_key


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


async def test_a_probe_that_answers_reads_up_after_its_first_round(
    server: FeedServer, client: httpx.AsyncClient, store: Store
) -> None:
    # Regression: the first success left the probe "unknown" until the second round.
    server.set("/a", b"ok")
    events = await ProbeRunner(owner="me").run_due(
        store, [http(server.url("/a"), id="a")], client, T0
    )
    assert events == []  # unknown -> up is the normal start, not news
    state = store.probe_state("a")
    assert state is not None and (state.state, state.since) == ("up", T0)


async def test_a_hostile_target_costs_only_its_own_check(
    server: FeedServer, client: httpx.AsyncClient, store: Store
) -> None:
    # Regression: one probe's RecursionError failed the whole round and lost its events.
    server.set("/deep", b"[" * 200_000 + b"]" * 200_000)
    server.fault("/down", Fault.status(503))
    specs = [
        http(server.url("/deep"), id="deep", json_path="0", down_after=1),
        http(server.url("/down"), id="down", down_after=1),
    ]
    events = await ProbeRunner(owner="me").run_due(store, specs, client, T0)
    assert sorted(e.source_id for e in events) == ["probe:deep", "probe:down"]
    (deep,) = store.probe_results("deep")
    assert deep.error == "body JSON is nested too deeply to check"
    assert store.probe_states()["down"].last_error == "HTTP 503"


async def test_the_runner_judges_redirects_with_its_resolver(
    server: FeedServer, client: httpx.AsyncClient, store: Store
) -> None:
    server.fault("/jump", Fault.redirect(f"http://localhost:{server.port}/a"))
    dns = FakeDNS({"127.0.0.1": [PUBLIC], "localhost": ["127.0.0.1"]})
    runner = ProbeRunner(owner="me", resolver=dns)
    await runner.run_due(store, [http(server.url("/jump"), id="j")], client, T0)
    (result,) = store.probe_results("j")
    assert (result.error or "").startswith("redirect to a private address refused: ")
    assert server.request_count("/a") == 0
