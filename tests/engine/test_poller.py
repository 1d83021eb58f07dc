"""The poller against a real HTTP server on 127.0.0.1: conditional requests, failures, leases,
inferred resolutions and restarts."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.support.feedserver import Fault, FeedServer
from tests.support.statuspage_payloads import T0, Clock, history, incident, summary
from watchtui.config import SourceSpec, derive_endpoints
from watchtui.engine.poller import EndpointsFailed, Poller
from watchtui.engine.protocol import RoundFailed
from watchtui.store import Store, StoreError


def spec(server: FeedServer, source_id: str = "test", interval: int = 60) -> SourceSpec:
    base = server.url(f"/{source_id}")
    return SourceSpec(
        id=source_id,
        name=source_id,
        kind="statuspage",
        base_url=base,
        interval=interval,
        endpoints=derive_endpoints("statuspage", base, interval),
    )


SUMMARY = "/test/api/v2/summary.json"
HISTORY = "/test/api/v2/incidents.json"


def run(coro: Any) -> Any:
    return asyncio.run(coro)


async def poll_once(poller: Poller, **kwargs: Any) -> Any:
    try:
        return await poller.poll_detailed(**kwargs)
    finally:
        await poller.aclose()


def make(store: Store, server: FeedServer, clock: Clock, **kwargs: Any) -> Poller:
    return Poller(store, [spec(server)], clock=clock, total_timeout=2.0, **kwargs)


def test_etag_gives_304_without_parsing(server: FeedServer, tmp_path: Path) -> None:
    server.set(SUMMARY, summary(incident("a")))
    server.set(HISTORY, history(incident("a")))
    store, clock = Store.open(tmp_path / "db.sqlite"), Clock()
    first = run(poll_once(make(store, server, clock)))
    assert sorted(o.outcome for o in first) == ["ok", "ok"]
    clock.advance(3600)
    second = run(poll_once(make(store, server, clock)))
    assert sorted(o.outcome for o in second) == ["not_modified", "not_modified"]
    assert server.requests(SUMMARY)[1].get("if-none-match")
    assert store.fetch_stats("test").not_modified_share == pytest.approx(0.5)


def test_not_due_is_not_fetched_and_force_is(server: FeedServer, tmp_path: Path) -> None:
    server.set(SUMMARY, summary())
    server.set(HISTORY, history())
    store, clock = Store.open(tmp_path / "db.sqlite"), Clock()
    run(poll_once(make(store, server, clock)))
    clock.advance(10)  # well inside the interval
    again = run(poll_once(make(store, server, clock)))
    assert {o.outcome for o in again} == {"skipped"}
    assert server.request_count(SUMMARY) == 1
    forced = run(poll_once(make(store, server, clock), force=True))
    assert {o.outcome for o in forced} == {"not_modified"}


def test_a_round_with_nothing_due_writes_nothing(server: FeedServer, tmp_path: Path) -> None:
    server.set(SUMMARY, summary())
    server.set(HISTORY, history())
    store, clock = Store.open(tmp_path / "db.sqlite"), Clock()
    poller = make(store, server, clock)
    run(poll_once(poller))
    version, before = store.data_version(), store.read_transactions
    clock.advance(10)
    assert run(poller.poll()) == []
    # Not even a lease taken and given back; one read to see that nothing is due.
    assert store.data_version() == version
    assert store.read_transactions - before == 2  # the round's plan, and its sources' health


def test_503_with_retry_after_backs_off_then_recovers(server: FeedServer, tmp_path: Path) -> None:
    server.fault(SUMMARY, Fault.status(503, retry_after=600))
    server.set(HISTORY, history())
    store, clock = Store.open(tmp_path / "db.sqlite"), Clock()
    outcomes = {o.url: o for o in run(poll_once(make(store, server, clock)))}
    failed = outcomes[server.url(SUMMARY)]
    assert failed.outcome == "error" and failed.error == "HTTP 503"
    assert any(e.kind == "source_failing" for e in failed.events)
    state = store.endpoint_state(server.url(SUMMARY))
    assert state is not None and state.next_due_at is not None
    assert state.next_due_at >= T0 + timedelta(seconds=600)  # Retry-After honoured
    assert store.health("test", clock(), timedelta(seconds=60)) == "failing"
    clock.advance(300)
    run(poll_once(make(store, server, clock)))
    assert server.request_count(SUMMARY) == 1  # still backing off
    server.clear(SUMMARY)
    server.set(SUMMARY, summary())
    clock.advance(400)
    recovered = {o.url: o for o in run(poll_once(make(store, server, clock)))}
    assert recovered[server.url(SUMMARY)].outcome == "ok"
    assert any(e.kind == "source_recovered" for e in recovered[server.url(SUMMARY)].events)


def test_malformed_payload_is_drift_and_keeps_old_data(server: FeedServer, tmp_path: Path) -> None:
    server.set(SUMMARY, summary(incident("a"), api_status="major_outage"))
    server.set(HISTORY, history())
    store, clock = Store.open(tmp_path / "db.sqlite"), Clock()
    run(poll_once(make(store, server, clock)))
    server.set(SUMMARY, b'{"page": {"id": "x"}, "components": "not a list"')
    clock.advance(120)
    outcomes = {o.url: o for o in run(poll_once(make(store, server, clock)))}
    assert outcomes[server.url(SUMMARY)].outcome == "drifted"
    assert store.health("test", clock(), timedelta(seconds=60)) == "drifted"
    (component,) = store.components("test")
    assert component.component.status == "major_outage"  # previous good data kept
    assert [i.incident.id for i in store.incidents(open_only=True)] == ["a"]


def test_hanging_server_times_out(server: FeedServer, tmp_path: Path) -> None:
    server.fault(SUMMARY, Fault.hang())
    server.set(HISTORY, history())
    store, clock = Store.open(tmp_path / "db.sqlite"), Clock()
    poller = Poller(store, [spec(server)], clock=clock, total_timeout=0.5)
    outcomes = {o.url: o for o in run(poll_once(poller))}
    assert outcomes[server.url(SUMMARY)].outcome == "error"
    assert "timeout" in (outcomes[server.url(SUMMARY)].error or "")


def test_inferred_resolution_replaced_by_history(server: FeedServer, tmp_path: Path) -> None:
    server.set(SUMMARY, summary(incident("a")))
    server.set(HISTORY, history())
    store, clock = Store.open(tmp_path / "db.sqlite"), Clock()
    run(poll_once(make(store, server, clock)))
    server.set(SUMMARY, summary())  # the incident vanished from the current-only endpoint
    clock.advance(120)
    run(poll_once(make(store, server, clock), force=True))
    stored = store.incident("test", "a")
    assert stored is not None and stored.resolution_inferred
    assert stored.incident.resolved_at == T0 + timedelta(seconds=120)
    server.set(
        HISTORY, history(incident("a", resolved_at="2026-07-29T11:45:00Z", status="resolved"))
    )
    clock.advance(120)
    run(poll_once(make(store, server, clock), force=True))
    stored = store.incident("test", "a")
    assert stored is not None and not stored.resolution_inferred
    assert stored.incident.resolved_at == datetime(2026, 7, 29, 11, 45, tzinfo=UTC)


def test_history_survives_restart(server: FeedServer, tmp_path: Path) -> None:
    server.set(SUMMARY, summary(incident("a")))
    server.set(HISTORY, history())
    path = tmp_path / "db.sqlite"
    store = Store.open(path)
    run(poll_once(make(store, server, Clock())))
    store.close()
    reopened = Store.open(path)
    assert [i.incident.title for i in reopened.incidents()] == ["Incident a"]


def test_two_pollers_on_one_store_fetch_once(server: FeedServer, tmp_path: Path) -> None:
    server.set(SUMMARY, summary(incident("a")))
    server.set(HISTORY, history())
    path = tmp_path / "db.sqlite"
    clock = Clock()

    async def both() -> None:
        first = make(Store.open(path), server, clock)
        second = make(Store.open(path), server, clock)
        try:
            await asyncio.gather(first.poll_detailed(), second.poll_detailed())
        finally:
            await first.aclose()
            await second.aclose()

    for _ in range(3):
        run(both())
        clock.advance(20)  # three rounds within one 60 s interval
    assert server.request_count(SUMMARY) == 1
    assert server.request_count(HISTORY) == 1


def test_vanishing_source_then_return(server: FeedServer, tmp_path: Path) -> None:
    server.set(HISTORY, history())
    store, clock = Store.open(tmp_path / "db.sqlite"), Clock()
    server.fault(SUMMARY, Fault.status(404))
    outcomes = {o.url: o for o in run(poll_once(make(store, server, clock)))}
    assert outcomes[server.url(SUMMARY)].error == "HTTP 404"
    server.clear(SUMMARY)
    server.set(SUMMARY, summary())
    clock.advance(3600)
    outcomes = {o.url: o for o in run(poll_once(make(store, server, clock)))}
    assert outcomes[server.url(SUMMARY)].outcome == "ok"
    assert store.health("test", clock(), timedelta(seconds=60)) == "fresh"


def test_a_steady_round_keeps_its_books_in_two_writes(server: FeedServer, tmp_path: Path) -> None:
    names = [f"page{n}" for n in range(6)]
    for name in names:
        server.set(f"/{name}/api/v2/summary.json", summary(incident(f"{name}-a")))
        server.set(f"/{name}/api/v2/incidents.json", history())
    store, clock = Store.open(tmp_path / "db.sqlite"), Clock()
    poller = Poller(store, [spec(server, name) for name in names], clock=clock, total_timeout=2.0)
    run(poll_once(poller))
    clock.advance(3600)
    before = store.write_transactions
    outcomes = run(poll_once(poller))
    assert [o.outcome for o in outcomes] == ["not_modified"] * 12
    # The claims in one transaction before the fetches, the twelve records in one after.
    assert store.write_transactions - before == 2
    for name in names:
        stats = store.fetch_stats(name)
        assert stats.window == 4 and stats.not_modified_share == 0.5
    for state in store.endpoint_states():
        assert state.lease_owner is None and state.last_outcome == "not_modified"
        assert state.next_due_at is not None and state.next_due_at > clock()


def test_a_lease_that_lapses_in_a_long_round_is_renewed_or_left(
    server: FeedServer, tmp_path: Path
) -> None:
    """Every due endpoint is claimed when the round starts; one whose turn comes after its lease
    could have lapsed is claimed again first, and left to whoever took it meanwhile, or fetched
    it meanwhile."""
    server.fault(SUMMARY, Fault.hang())
    server.set(HISTORY, history())
    store, clock = Store.open(tmp_path / "db.sqlite"), Clock()
    other = Store.open(tmp_path / "db.sqlite")
    # One fetch at a time: the incidents wait for the summary, which hangs until its deadline.
    poller = Poller(store, [spec(server)], clock=clock, concurrency=1, total_timeout=1.0)
    history_url = server.url(HISTORY)

    async def round_where_another_process(does: str) -> Any:
        polling = asyncio.ensure_future(poll_once(poller))
        while len(server.requests(SUMMARY)) <= summaries:
            await asyncio.sleep(0.01)
        clock.advance(100)  # past the 90 s lease taken when the round began
        until = clock() + timedelta(seconds=60)
        if does in ("holds it", "fetched it"):
            assert other.try_claim(history_url, "other", clock(), until)
        if does == "fetched it":
            next_due = clock() + timedelta(seconds=600)
            other.record_fetch("test", history_url, clock(), "ok", next_due_at=next_due)
            other.release(history_url, "other")
        return {o.url: o.outcome for o in await polling}

    for does, history_outcome in (("holds it", "skipped"), ("fetched it", "skipped")):
        summaries = len(server.requests(SUMMARY))
        outcomes = run(round_where_another_process(does))
        assert outcomes == {server.url(SUMMARY): "error", history_url: history_outcome}, does
        assert server.request_count(HISTORY) == 0, does
        other.release(history_url, "other")
        clock.advance(3600)
    summaries = len(server.requests(SUMMARY))
    outcomes = run(round_where_another_process("nothing"))
    assert outcomes == {server.url(SUMMARY): "error", history_url: "ok"}
    other.close()


def _two_pages_polled_once(server: FeedServer, store: Store, clock: Clock, **kwargs: Any) -> Poller:
    for name in ("fast", "slow"):
        server.set(f"/{name}/api/v2/summary.json", summary(incident(f"{name}-a")))
        server.set(f"/{name}/api/v2/incidents.json", history())
    poller = Poller(store, [spec(server, "fast"), spec(server, "slow")], clock=clock, **kwargs)
    run(poll_once(poller))
    clock.advance(3600)
    return poller


def test_a_round_held_up_by_a_slow_source_records_the_others_as_they_come(
    server: FeedServer, tmp_path: Path
) -> None:
    """A quick round writes its 304s together at its end; one held up longer than
    ``records_flush_after`` writes what waits when the next fetch ends, so the fast source's
    leases are given back and its news reaches other processes before the round is over."""
    store, clock = Store.open(tmp_path / "db.sqlite"), Clock()
    other = Store.open(tmp_path / "db.sqlite")
    poller = _two_pages_polled_once(
        server, store, clock, total_timeout=3.0, records_flush_after=0.3
    )
    slow_body = summary(incident("slow-a"), incident("slow-b"))
    server.fault("/slow/api/v2/summary.json", Fault.trickle(slow_body, len(slow_body) / 0.8))
    server.fault("/slow/api/v2/incidents.json", Fault.hang())
    fast = [server.url("/fast/api/v2/summary.json"), server.url("/fast/api/v2/incidents.json")]

    async def watch_it() -> tuple[list[Any], Any]:
        polling = asyncio.ensure_future(poll_once(poller))
        await asyncio.sleep(1.6)  # the trickle has ended, the hang has not
        assert not polling.done()
        seen = [other.endpoint_state(url) for url in fast]
        return seen, await polling

    seen, outcomes = run(watch_it())
    for state in seen:
        assert state.last_attempt_at == clock() and state.last_outcome == "not_modified"
        assert state.lease_owner is None
    assert sorted(o.outcome for o in outcomes) == ["error", "not_modified", "not_modified", "ok"]
    other.close()


def test_a_cancelled_round_records_what_finished_and_gives_every_lease_back(
    server: FeedServer, tmp_path: Path
) -> None:
    store, clock = Store.open(tmp_path / "db.sqlite"), Clock()
    poller = _two_pages_polled_once(server, store, clock, total_timeout=30.0)
    server.fault("/slow/api/v2/summary.json", Fault.hang())
    server.fault("/slow/api/v2/incidents.json", Fault.hang())

    async def cancel_it() -> None:
        polling = asyncio.ensure_future(poll_once(poller))
        while not server.requests("/slow/api/v2/incidents.json"):
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.2)  # the fast source's 304s have come back
        polling.cancel()
        with pytest.raises(asyncio.CancelledError):
            await polling

    run(cancel_it())
    states = {s.url: s for s in store.endpoint_states()}
    assert all(s.lease_owner is None for s in states.values())
    for path in ("/fast/api/v2/summary.json", "/fast/api/v2/incidents.json"):
        state = states[server.url(path)]
        assert state.last_attempt_at == clock() and state.last_outcome == "not_modified"
    for path in ("/slow/api/v2/summary.json", "/slow/api/v2/incidents.json"):
        attempted = states[server.url(path)].last_attempt_at
        assert attempted is not None and attempted < clock()  # the round's fetch never ended


def test_a_round_that_fails_in_part_still_tells_what_the_rest_found(
    server: FeedServer, tmp_path: Path
) -> None:
    """One source's ingest is refused (another process holds the write lock past the busy
    timeout); the other source's news, already stored, comes with the round's failure instead
    of being lost with it."""
    path = tmp_path / "db.sqlite"
    store, clock = Store.open(path, busy_timeout=0.2), Clock()
    other = Store.open(path)
    poller = _two_pages_polled_once(server, store, clock, total_timeout=5.0)
    server.set("/fast/api/v2/summary.json", summary(incident("fast-a"), incident("fast-b")))
    slow_body = summary(incident("slow-a"), incident("slow-b"))
    # Two seconds to come: the lock is taken well before it is there to be ingested.
    server.fault("/slow/api/v2/summary.json", Fault.trickle(slow_body, len(slow_body) / 2.0))

    fast_summary = server.url("/fast/api/v2/summary.json")

    def fast_done() -> bool:  # ingested and recorded, its lease given back
        state = other.endpoint_state(fast_summary)
        return state is not None and state.last_attempt_at == clock() and not state.lease_owner

    async def lock_during_the_slow_ingest() -> Any:
        polling = asyncio.ensure_future(poll_once(poller))
        for _ in range(150):
            if fast_done():
                break
            await asyncio.sleep(0.01)
        assert fast_done(), "the fast source was not done within 1.5 s"
        locker = sqlite3.connect(path, isolation_level=None, timeout=5)
        locker.execute("BEGIN IMMEDIATE")
        try:
            with pytest.raises(RoundFailed) as failed:
                await polling
        finally:
            locker.execute("ROLLBACK")
            locker.close()
        return failed.value

    failed = run(lock_during_the_slow_ingest())
    assert isinstance(failed, EndpointsFailed)
    assert isinstance(failed.cause, StoreError) and str(failed) == str(failed.cause)
    assert [(e.kind, e.incident_id) for e in failed.events] == [("incident_opened", "fast-b")]
    assert [o.outcome for o in failed.outcomes if o.url == fast_summary] == ["ok"]
    assert store.incident("slow", "slow-b") is None
    other.close()
