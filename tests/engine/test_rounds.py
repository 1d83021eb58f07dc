"""One read of the store per round, and none while nothing changed: the real engine over a real
store, Statuspage pages on a loopback server and a settable clock."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from tests.support.feedserver import FeedServer
from tests.support.rounds import poll_round
from tests.support.statuspage_payloads import Clock, history, incident, summary
from watchtui.config import parse_config
from watchtui.engine.engine import Engine
from watchtui.engine.overview import Overview
from watchtui.engine.poller import EndpointOutcome, Poller
from watchtui.store import Store
from watchtui.viewmodel.headline import headline

NAMES = ("alpha", "beta", "gamma")


def page(server: FeedServer, name: str) -> dict[str, Any]:
    return {"id": name, "kind": "statuspage", "url": server.url(f"/{name}"), "name": name.title()}


def serve(server: FeedServer, name: str, body: bytes) -> None:
    server.set(f"/{name}/api/v2/summary.json", body)
    server.set(f"/{name}/api/v2/incidents.json", history())


def raw_config(server: FeedServer, **extra: Any) -> dict[str, Any]:
    return {"watch": {"providers": []}, "sources": [page(server, n) for n in NAMES], **extra}


def engine_on(path: Path, raw: dict[str, Any], clock: Clock) -> Engine:
    return Engine(Store.open(path), parse_config(raw), clock=clock)


def started(server: FeedServer, tmp_path: Path, clock: Clock, **extra: Any) -> Engine:
    """An engine after its first round: alpha has an open incident, the others are calm."""
    serve(server, "alpha", summary(incident("a1"), api_status="major_outage"))
    for name in NAMES[1:]:
        serve(server, name, summary())
    engine = engine_on(tmp_path / "db.sqlite3", raw_config(server, **extra), clock)
    poll_round(engine, force=True)
    return engine


def reads(engine: Engine) -> int:
    return engine.store.read_transactions


def as_read_afresh(engine: Engine, clock: Clock) -> Overview:
    """What a new engine on the same store reads at the same moment."""
    return Engine(engine.store, engine.config, clock=clock).overview()


def test_an_overview_is_one_read_of_the_store(server: FeedServer, tmp_path: Path) -> None:
    clock = Clock()
    engine = started(server, tmp_path, clock)
    fresh = Engine(engine.store, engine.config, clock=clock)
    before = reads(engine)
    overview = fresh.overview()
    assert reads(engine) == before + 1
    assert len(overview.open_incidents) == 1 and len(overview.sources) == 3


def test_the_overview_of_a_round_is_the_round_s_own_read(
    server: FeedServer, tmp_path: Path
) -> None:
    clock = Clock()
    engine = started(server, tmp_path, clock)
    before = reads(engine)
    overview = engine.overview()
    # The round already read the store for its health and signals: nothing to read again.
    assert reads(engine) == before
    assert overview == as_read_afresh(engine, clock)
    assert engine.overview() is overview


def test_a_round_in_which_nothing_was_due_changes_and_reads_nothing(
    server: FeedServer, tmp_path: Path
) -> None:
    clock = Clock()
    engine = started(server, tmp_path, clock)
    overview = engine.overview()
    version = engine.store.data_version()
    clock.advance(10)  # well inside every interval
    assert poll_round(engine) == []
    assert engine.store.data_version() == version  # no lease taken, nothing written
    before = reads(engine)
    assert engine.overview() is overview
    assert reads(engine) == before


def test_a_round_answered_304_keeps_the_board_and_reads_only_the_bookkeeping(
    server: FeedServer, tmp_path: Path
) -> None:
    clock = Clock()
    engine = started(server, tmp_path, clock)
    first = engine.overview()
    clock.advance(30)
    poll_round(engine, force=True)
    assert {s.not_modified_share for s in engine.sources()} == {0.5}  # every fetch was a 304
    before = reads(engine)
    after = engine.overview()
    assert reads(engine) == before
    # The board is the same objects; only the fetch bookkeeping moved on.
    assert after.components is first.components
    assert after.open_incidents is first.open_incidents
    assert after.stream is first.stream
    assert [s.last_success_at for s in after.sources] == [clock.now] * 3
    assert after == as_read_afresh(engine, clock)


def test_a_304_round_reads_the_store_once_for_the_board(server: FeedServer, tmp_path: Path) -> None:
    clock = Clock()
    engine = started(server, tmp_path, clock)
    assert sum(len(spec.endpoints) for spec in engine.specs.values()) > 1
    clock.advance(30)
    before = reads(engine)
    poll_round(engine, force=True)
    # The poller's plan and one read for health and signals; each endpoint's state is read in
    # the write that claims it, so the number of endpoints adds no read.
    assert reads(engine) == before + 1 + 1


def test_what_another_process_wrote_between_rounds_is_read(
    server: FeedServer, tmp_path: Path
) -> None:
    clock = Clock()
    engine = started(server, tmp_path, clock)
    engine.overview()
    # Another watchtui on the same store fetches beta's new incident; ours then sees only 304s.
    serve(server, "beta", summary(incident("b1")))
    other = engine_on(tmp_path / "db.sqlite3", raw_config(server), clock)
    clock.advance(30)
    poll_round(other, force=True)
    poll_round(engine, force=True)
    overview = engine.overview()
    assert sorted(v.incident.id for v in overview.open_incidents) == ["a1", "b1"]
    assert overview == as_read_afresh(engine, clock)


class ThenAnother(Poller):
    """Our poller, and another process's fetching in the middle of our round: after our fetches,
    before the round's read of the store."""

    other: Poller

    async def poll_detailed(self, **kwargs: Any) -> list[EndpointOutcome]:
        outcomes = await super().poll_detailed(**kwargs)
        try:
            await self.other.poll_detailed(force=True)
        finally:
            await self.other.aclose()
        return outcomes


def test_what_another_process_fetched_during_a_round_is_read(
    server: FeedServer, tmp_path: Path
) -> None:
    clock = Clock()
    first = started(server, tmp_path, clock)
    specs = first.specs
    ours = ThenAnother(first.store, [specs["alpha"], specs["beta"]], clock=clock)
    ours.other = Poller(first.store, [specs["gamma"]], clock=clock)
    engine = Engine(first.store, first.config, poller=ours, clock=clock)
    board = engine.overview()
    serve(server, "gamma", summary(incident("g1")))
    clock.advance(30)
    poll_round(engine, force=True)  # ours: two 304s; the other: gamma's new incident
    overview = engine.overview()
    assert overview.open_incidents is not board.open_incidents
    assert sorted(v.incident.id for v in overview.open_incidents) == ["a1", "g1"]
    assert overview == as_read_afresh(engine, clock)


class ThenLook(Poller):
    """Our poller, and the UI reading the overview in the middle of the round (its one-second
    check for changes comes while the round is still running): after the first source's fetches,
    before the others'."""

    engine: Engine
    seen: list[Overview]

    async def poll_detailed(self, **kwargs: Any) -> list[EndpointOutcome]:
        outcomes = await super().poll_detailed(force=True, source_id=NAMES[0])
        self.seen.append(await asyncio.to_thread(self.engine.overview))
        for name in NAMES[1:]:
            outcomes += await super().poll_detailed(force=True, source_id=name)
        return outcomes


def test_a_read_in_the_middle_of_a_quiet_round_serves_the_round(
    server: FeedServer, tmp_path: Path
) -> None:
    clock = Clock()
    first = started(server, tmp_path, clock)
    ours = ThenLook(first.store, list(first.specs.values()), clock=clock)
    engine = Engine(first.store, first.config, poller=ours, clock=clock)
    ours.engine, ours.seen = engine, []
    engine.overview()
    clock.advance(30)
    poll_round(engine, force=True)
    (middle,) = ours.seen
    after = engine.overview()
    assert after is not middle  # the other sources' fetches came after it
    assert after.stream is middle.stream and after.open_incidents is middle.open_incidents
    assert after == as_read_afresh(engine, clock)


def test_a_kept_board_is_read_again_after_a_while(server: FeedServer, tmp_path: Path) -> None:
    clock = Clock()
    engine = started(server, tmp_path, clock)
    first = engine.overview()
    clock.advance(170)
    poll_round(engine, force=True)
    assert engine.overview().stream is first.stream
    clock.advance(170)  # 5 min 40 s after the board was read
    poll_round(engine, force=True)
    again = engine.overview()
    assert again.stream is not first.stream and again.stream == first.stream


def test_a_round_s_own_writes_are_not_news_from_elsewhere(
    server: FeedServer, tmp_path: Path
) -> None:
    clock = Clock()
    engine = started(server, tmp_path, clock)
    seen: list[bool] = []

    class Asking(Poller):
        async def poll_detailed(self, **kwargs: Any) -> list[EndpointOutcome]:
            outcomes = await super().poll_detailed(**kwargs)
            seen.append(await asyncio.to_thread(engine.external_change))
            return outcomes

    engine.poller = Asking(engine.store, list(engine.specs.values()), clock=clock)
    clock.advance(30)
    poll_round(engine, force=True)
    assert seen == [False] and engine.external_change() is False
    other = engine_on(tmp_path / "db.sqlite3", raw_config(server), clock)
    other.set_source_enabled("beta", False)
    assert engine.external_change() is True


def test_the_clock_alone_turns_a_silent_source_stale(server: FeedServer, tmp_path: Path) -> None:
    clock = Clock()
    engine = started(server, tmp_path, clock)
    assert {s.health for s in engine.overview().sources} == {"fresh"}
    clock.advance(3 * 60)  # three intervals: still fresh at the boundary
    assert {s.health for s in engine.overview().sources} == {"fresh"}
    clock.advance(1)
    overview = engine.overview()
    assert {s.health for s in overview.sources} == {"stale"}
    assert headline(overview).text(ascii_only=False).endswith("3 sources stale")


def test_watching_something_shows_at_once(server: FeedServer, tmp_path: Path) -> None:
    clock = Clock()
    engine = started(server, tmp_path, clock)
    assert engine.overview().watched == frozenset()
    engine.toggle_watch("provider", "alpha")
    assert engine.overview().watched == frozenset({"alpha"})


def test_rounds_prune_history_past_retention_once_a_day(server: FeedServer, tmp_path: Path) -> None:
    """The watch screen prunes as ``collect`` does: its rounds are the engine's."""
    clock = Clock()
    for name in NAMES:
        serve(server, name, summary())
    old = incident("old", resolved_at="2026-07-29T11:30:00Z", status="resolved")
    server.set("/alpha/api/v2/incidents.json", history(old))
    raw = raw_config(server, store={"retention_days": 1})
    engine = engine_on(tmp_path / "db.sqlite3", raw, clock)
    poll_round(engine, force=True)
    assert engine.store.incident("alpha", "old") is not None  # resolved 30 minutes ago
    clock.advance(2 * 86400)
    server.set("/alpha/api/v2/incidents.json", history())  # the page has let it go too
    poll_round(engine, force=True)
    assert engine.store.incident("alpha", "old") is None
    # Once a day, whoever asks.
    assert engine.prune_if_due() is None
    clock.advance(86400)
    assert engine.prune_if_due() is not None
