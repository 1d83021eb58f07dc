"""Every network fault and hostile payload, through the REAL poller, fetch layer, parsers and store.

Each case: a good payload is fetched and stored; the server then misbehaves; the poll must return
within a bound, the source must read failing/drifted with a one-line reason, the stored components
and incidents must be exactly what they were (their age included), memory must stay bounded; then
a good payload again must bring the source back (fresh, with a ``source_recovered`` event).

Decisions this suite pins down (documented in RELIABILITY.md):

* JSON served as ``text/html`` is accepted when the body IS valid JSON: Content-Type is advice,
  and some Statuspage mirrors and CDNs mislabel it.  A body that looks like markup is refused
  whatever its Content-Type says.
* UTF-16 without a BOM and without a declared charset is refused (drifted): RFC 8259 requires
  UTF-8 for JSON on the wire, and guessing would accept garbage.  With a BOM, or with the charset
  declared in Content-Type, it is accepted.
* Invalid UTF-8 is refused rather than repaired: a silently mangled status text is worse than a
  visibly drifted source that keeps its last good data.
"""

from __future__ import annotations

import asyncio
import random
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.reliability.fault_cases import (
    AZ_PATH,
    AZ_TYPE,
    CASES,
    FAST_BOUND,
    INTERVAL,
    SLOW_BOUND,
    SP_PATH,
    SP_TYPE,
    TOTAL_TIMEOUT,
    Case,
    Kind,
    Served,
    good_bodies,
)
from tests.reliability.helpers import (
    MIB,
    Clock,
    Record,
    mib,
    peak_rss_bytes,
    reset_peak_rss,
    rss_bytes,
    single_endpoint_spec,
)
from tests.support.feedserver import FeedServer

from watchtui.engine.poller import Poller
from watchtui.net.fetch import DEFAULT_MAX_BYTES
from watchtui.sources import parse_payload
from watchtui.store import Store


def readable(reason: str | None) -> bool:
    """One short printable line, no Python exception or traceback leaking through."""
    return (
        reason is not None
        and 0 < len(reason) <= 300
        and reason.isprintable()
        and "Traceback" not in reason
        and "Error:" not in reason.split("(")[0]
    )


def open_view(store: Store) -> dict[str, int]:
    return {s.incident.id: len(s.incident.updates) for s in store.incidents(open_only=True)}


def expected_view(kind: Kind, payload: bytes, content_type: str) -> dict[str, int]:
    snapshot = parse_payload(kind, payload, {"content-type": content_type})
    return {i.id: len(i.updates) for i in snapshot.incidents if i.resolved_at is None}


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_fault_keeps_data_and_recovers(case: Case, tmp_path: Path, record: Record) -> None:
    row: dict[str, Any] = {
        "fault": case.label,
        "kind": case.kind,
        "expect": case.expect,
        "fetch_timeout_s": TOTAL_TIMEOUT,
    }
    if case.expect == "accepted":
        row["why"] = case.why
    try:
        asyncio.run(exercise(case, tmp_path, row))
    finally:
        # Accepted-by-design inputs are not faults: they get their own table.
        record("accepted" if case.expect == "accepted" else "faults", **row)


def test_every_accepted_case_says_why_and_no_fault_does() -> None:
    for case in CASES:
        assert bool(case.why) == (case.expect == "accepted"), case.id


async def exercise(case: Case, tmp_path: Path, row: dict[str, Any]) -> None:
    servers = [FeedServer().start()]
    store = Store.open(tmp_path / "history.sqlite3")
    try:
        await _exercise(case, servers, store, row)
    finally:
        for server in servers:
            server.stop()
        store.close()


def warm(url: str) -> int:
    """Make the server build (and cache) a gzip bomb before anything is measured; returns its
    size on the wire."""
    with httpx.stream("GET", url, timeout=60) as response:
        size = int(response.headers["content-length"])
        response.close()
    return size


async def _exercise(
    case: Case, servers: list[FeedServer], store: Store, row: dict[str, Any]
) -> None:
    server = servers[0]
    path = SP_PATH if case.kind == "statuspage" else AZ_PATH
    content_type = SP_TYPE if case.kind == "statuspage" else AZ_TYPE
    url = server.url(path)
    good, recovery = good_bodies(case.kind)
    server.set(path, good, content_type=content_type)
    clock = Clock()
    spec = single_endpoint_spec("src", case.kind, url, INTERVAL)
    poller = Poller(store, [spec], clock=clock, total_timeout=TOTAL_TIMEOUT, rng=random.Random(7))
    try:
        (first,) = await poller.poll_detailed()
        assert first.outcome == "ok", first.error
        components_before = store.components("src")
        incidents_before = store.incidents(source_id="src")
        assert incidents_before, "the good payload must store incidents to protect"

        clock.advance(2 * INTERVAL)
        served = case.install(server, path, good)
        if case.id == "gzip_bomb":
            row["wire_bytes"] = await asyncio.to_thread(warm, url)
        if case.down:
            port = server.port
            server.stop()
            await _faulty_poll(case, poller, store, clock, row)
            server = FeedServer(port=port).start()
            servers.append(server)
        else:
            await _faulty_poll(case, poller, store, clock, row)
        if case.expect == "accepted":
            served = served or Served(good, content_type)
            assert open_view(store) == expected_view(case.kind, served.body, served.content_type)
        else:
            assert store.components("src") == components_before, "components changed"
            assert store.incidents(source_id="src") == incidents_before, "incidents changed"
            row["data_kept"] = True

        server.clear(path)
        server.set(path, recovery, content_type=content_type)
        clock.advance(2 * 3600)
        await _recovery_poll(case, poller, store, clock, recovery, row)
    finally:
        await poller.aclose()


async def _faulty_poll(
    case: Case, poller: Poller, store: Store, clock: Clock, row: dict[str, Any]
) -> None:
    reset_peak_rss()
    rss_before = rss_bytes()
    started = time.monotonic()
    (outcome,) = await poller.poll_detailed()
    elapsed = time.monotonic() - started
    peak_growth = peak_rss_bytes() - rss_before
    rss_growth = rss_bytes() - rss_before
    health = store.health("src", clock(), timedelta(seconds=INTERVAL))
    reason = store.fetch_stats("src").last_error
    bound = case.bound or (SLOW_BOUND if case.slow else FAST_BOUND)
    row.update(
        outcome=outcome.outcome,
        health=health,
        reason=reason,
        seconds=round(elapsed, 2),
        bound_seconds=bound,
        rss_delta_mib=mib(rss_growth),
        peak_rss_delta_mib=mib(peak_growth),
    )
    assert elapsed <= bound, f"poll took {elapsed:.1f}s (bound {bound}s)"
    if case.memory:
        row["memory_limit_mib"] = mib(case.memory_limit)
        assert rss_growth < case.memory_limit, f"RSS grew {mib(rss_growth)} MiB"
        assert peak_growth < case.memory_limit, f"peak RSS grew {mib(peak_growth)} MiB"
    if case.expect == "accepted":
        # A redirect to the same bytes may legitimately answer the stored ETag with a 304.
        assert outcome.outcome in ("ok", "not_modified"), outcome.error
        assert health == "fresh"
        return
    assert outcome.outcome == ("error" if case.expect == "failing" else "drifted")
    assert health == case.expect
    assert readable(reason), reason
    assert reason is not None and case.reason in reason.lower(), reason
    assert "root:" not in reason  # nothing from /etc/passwd ever reaches the store
    wanted = "source_failing" if case.expect == "failing" else "source_drifted"
    assert [e.kind for e in outcome.events] == [wanted]
    if case.retry_after is not None:
        state = store.endpoint_state(outcome.url)
        assert state is not None and state.next_due_at is not None
        waited = (state.next_due_at - clock()).total_seconds()
        row["next_poll_after_s"] = round(waited)
        least, most = case.retry_after
        assert least <= waited <= most, f"next poll after {waited:.0f}s"


async def _recovery_poll(
    case: Case,
    poller: Poller,
    store: Store,
    clock: Clock,
    recovery: bytes,
    row: dict[str, Any],
) -> None:
    (outcome,) = await poller.poll_detailed()
    assert outcome.outcome == "ok", outcome.error
    health = store.health("src", clock(), timedelta(seconds=INTERVAL))
    recovered_event = any(e.kind == "source_recovered" for e in outcome.events)
    row.update(
        recovered=recovered_event if case.expect != "accepted" else None, health_after=health
    )
    assert health == "fresh"
    if case.expect != "accepted":
        assert recovered_event, [e.kind for e in outcome.events]
    content_type = SP_TYPE if case.kind == "statuspage" else AZ_TYPE
    assert open_view(store) == expected_view(case.kind, recovery, content_type)
    assert all(c.updated_at == clock() for c in store.components("src"))


def test_max_bytes_is_the_memory_bound() -> None:
    """The memory assertions above rely on the production download cap staying small."""
    assert DEFAULT_MAX_BYTES <= 16 * MIB
