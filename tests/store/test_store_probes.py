from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from watchtui import store as store_module
from watchtui.domain.model import Component, Incident, IncidentUpdate, Snapshot
from watchtui.store import (
    ProbePeriod,
    ProbeResult,
    ProbeState,
    Store,
    StoreError,
    probe_lease_key,
)

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)
V1_TABLES = (
    "sources",
    "fetch_log",
    "endpoint_state",
    "components",
    "component_transitions",
    "incidents",
    "updates",
)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "state" / "history.db"


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    s = Store.open(db_path)
    yield s
    s.close()


def ok(at: datetime, latency: float = 12.5) -> ProbeResult:
    return ProbeResult(ok=True, latency_ms=latency, error=None, at=at)


def fail(at: datetime, error: str = "HTTP 500") -> ProbeResult:
    return ProbeResult(ok=False, latency_ms=None, error=error, at=at)


def state(
    name: Any, at: datetime, since: datetime | None, *, failures: int = 0, successes: int = 0
) -> ProbeState:
    return ProbeState(
        probe_id="api",
        state=name,
        since=since,
        consecutive_failures=failures,
        consecutive_successes=successes,
        last_error="HTTP 500" if failures else None,
        last_result_at=at,
        streak_started_at=since or at,
    )


def dump(path: Path, tables: tuple[str, ...]) -> dict[str, list[tuple[Any, ...]]]:
    conn = sqlite3.connect(path)
    try:
        return {t: sorted(conn.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in tables}
    finally:
        conn.close()


# ---- migration --------------------------------------------------------------------------------


def test_v1_store_is_migrated_forward_with_all_history_intact(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A store exactly as the previous release (schema v1) wrote it.
    with monkeypatch.context() as patch:
        patch.setattr(store_module, "MIGRATIONS", store_module.MIGRATIONS[:1])
        with Store.open(db_path) as old:
            snapshot = Snapshot(
                kind="statuspage",
                components=(Component(id="c1", name="API", status="degraded"),),
                incidents=(
                    Incident(
                        id="i1",
                        title="Errors",
                        status="investigating",
                        impact="major",
                        started_at=T0,
                        updated_at=T0,
                        regions=("westeurope",),
                        updates=(IncidentUpdate(id="u1", at=T0, status="investigating", text="x"),),
                    ),
                ),
            )
            old.ingest("azure", snapshot, T0, lists_only_current=True)
            old.record_fetch("azure", "https://x/feed", T0, "ok", latency_ms=40.0)
            assert old.user_version() == 1
    before = dump(db_path, V1_TABLES)

    with Store.open(db_path) as new:
        assert new.user_version() == store_module.schema_version() == 2
        assert new.probe_states() == {}
        stored = new.incident("azure", "i1")
        assert stored is not None and [u.id for u in stored.incident.updates] == ["u1"]
        new.record_probe_result("api", ok(T0), state("unknown", T0, None, successes=1))
    assert dump(db_path, V1_TABLES) == before
    conn = sqlite3.connect(db_path)
    assert conn.execute("SELECT count(*) FROM probe_results").fetchone()[0] == 1
    conn.close()


# ---- recording ------------------------------------------------------------------------------


def test_record_probe_result_stores_state_and_summarises_periods(store: Store) -> None:
    t1, t2, t3, t4, t5 = (T0 + n * MIN for n in range(1, 6))
    store.record_probe_result("api", ok(T0), state("unknown", T0, None, successes=1))
    assert store.probe_periods("api") == []
    store.record_probe_result("api", ok(t1), state("up", t1, T0, successes=2))
    store.record_probe_result("api", fail(t2), state("up", t2, T0, failures=1))
    store.record_probe_result("api", fail(t3), state("down", t3, t2, failures=2))
    # Still down: no new period.
    store.record_probe_result("api", fail(t4), state("down", t4, t2, failures=3))
    store.record_probe_result("api", ok(t5), state("up", t5, t5, successes=1))

    assert store.probe_periods("api") == [
        ProbePeriod("api", "up", T0, t2),
        ProbePeriod("api", "down", t2, t5),
        ProbePeriod("api", "up", t5, None),
    ]
    current = store.probe_state("api")
    assert current == state("up", t5, t5, successes=1)
    assert store.probe_states() == {"api": current}
    assert [r.ok for r in store.probe_results("api")] == [True, True, False, False, False, True]
    assert store.counts()["probe_results"] == 6
    assert store.probe_periods("api")[1].duration_at(T0) == 3 * MIN


def test_a_result_older_than_the_stored_state_is_logged_but_never_overwrites_it(
    store: Store,
) -> None:
    newer = state("down", T0 + 2 * MIN, T0, failures=3)
    assert store.record_probe_result("api", fail(T0 + 2 * MIN), newer) is True
    late = state("up", T0 + MIN, T0 + MIN, successes=5)
    assert store.record_probe_result("api", ok(T0 + MIN), late) is False
    assert store.probe_state("api") == newer
    assert [p.state for p in store.probe_periods("api")] == ["down"]
    assert len(store.probe_results("api")) == 2


def test_record_rejects_naive_times_and_a_state_of_another_probe(store: Store) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        store.record_probe_result(
            "api", ok(datetime(2024, 5, 1)), state("unknown", T0, None, successes=1)
        )
    with pytest.raises(ValueError, match="given for"):
        store.record_probe_result("other", ok(T0), state("unknown", T0, None, successes=1))
    assert store.counts()["probe_results"] == 0


def test_probe_results_newest_window_comes_back_oldest_first(store: Store) -> None:
    for n in range(5):
        at = T0 + n * MIN
        store.record_probe_result("api", ok(at, latency=float(n)), state("up", at, T0))
    store.record_probe_result("other", ok(T0), ProbeState("other", last_result_at=T0))
    assert [r.latency_ms for r in store.probe_results("api", limit=3)] == [2.0, 3.0, 4.0]
    assert [r.latency_ms for r in store.probe_results("api", since=T0 + 3 * MIN)] == [3.0, 4.0]
    assert store.probe_results("api")[0].at == T0
    assert store.probe_results("nobody") == []


def test_probe_periods_since_keeps_periods_overlapping_the_window(store: Store) -> None:
    store.record_probe_result("api", ok(T0), state("up", T0, T0, successes=2))
    store.record_probe_result(
        "api", fail(T0 + 10 * MIN), state("down", T0 + 10 * MIN, T0 + 9 * MIN)
    )
    store.record_probe_result("b", ok(T0), ProbeState("b", "up", T0, 0, 1, None, T0, T0))
    assert [p.state for p in store.probe_periods("api", since=T0 + 9 * MIN)] == ["up", "down"]
    assert [p.state for p in store.probe_periods("api", since=T0 + 20 * MIN)] == ["down"]
    assert {p.probe_id for p in store.probe_periods()} == {"api", "b"}


def test_a_period_never_ends_before_it_began(store: Store) -> None:
    store.record_probe_result("api", ok(T0), state("up", T0, T0, successes=2))
    # A clock step backwards: the new state claims to have begun before the open period.
    store.record_probe_result("api", fail(T0 + MIN), state("down", T0 + MIN, T0 - MIN))
    (up,) = [p for p in store.probe_periods("api") if p.state == "up"]
    assert up.ended_at == up.started_at == T0


# ---- retention --------------------------------------------------------------------------------


def test_prune_removes_old_probe_results_and_ended_periods_but_keeps_state(store: Store) -> None:
    old, recent = T0 - timedelta(days=100), T0 - timedelta(days=1)
    store.record_probe_result("api", ok(old), state("up", old, old, successes=2))
    store.record_probe_result("api", fail(old + MIN), state("down", old + MIN, old + MIN))
    store.record_probe_result("api", ok(recent), state("up", recent, recent, successes=2))
    store.record_probe_result("idle", fail(old), ProbeState("idle", "down", old, 3, 0, "x", old))

    counts = store.prune(T0 - timedelta(days=90))

    # Only the up period that ended 100 days ago goes; the outage reaching into the window stays.
    assert (counts.probe_results, counts.probe_periods) == (3, 1)
    assert [r.at for r in store.probe_results("api")] == [recent]
    assert store.probe_periods("api") == [
        ProbePeriod("api", "down", old + MIN, recent),
        ProbePeriod("api", "up", recent, None),
    ]
    # The open period of a probe that stopped reporting long ago is its current state: kept.
    assert store.probe_periods("idle") == [ProbePeriod("idle", "down", old, None)]
    assert set(store.probe_states()) == {"api", "idle"}


def test_prune_counts_stay_compatible_for_existing_callers(store: Store) -> None:
    counts = store.prune(T0)
    assert counts == store_module.PruneCounts(0, 0, 0, 0)


# ---- leases and removal -------------------------------------------------------------------------


def test_probe_leases_reuse_try_claim_and_stay_out_of_endpoint_listings(store: Store) -> None:
    key = probe_lease_key("api")
    assert key == "probe:api"
    assert store.try_claim(key, "a", T0, T0 + MIN)
    assert not store.try_claim(key, "b", T0, T0 + MIN)
    assert store.try_claim(key, "b", T0 + 2 * MIN, T0 + 3 * MIN)  # expired: taken over
    store.release(key, "b")
    assert store.try_claim(key, "a", T0 + 2 * MIN, T0 + 3 * MIN)
    store.set_next_due("https://x/a", T0)
    assert [s.url for s in store.endpoint_states()] == ["https://x/a"]
    assert store.due_endpoints(T0 + MIN) == ["https://x/a"]
    assert store.endpoint_state(key) is not None


def test_remove_probe_forgets_its_history_and_lease(store: Store) -> None:
    store.record_probe_result("api", ok(T0), state("up", T0, T0, successes=2))
    store.record_probe_result("keep", ok(T0), ProbeState("keep", "up", T0, 0, 2, None, T0, T0))
    store.try_claim(probe_lease_key("api"), "a", T0, T0 + MIN)
    store.remove_probe("api")
    assert store.probe_state("api") is None
    assert store.probe_results("api") == [] and store.probe_periods("api") == []
    assert store.endpoint_state(probe_lease_key("api")) is None
    assert store.probe_state("keep") is not None


def test_closed_store_refuses_probe_queries(store: Store) -> None:
    store.close()
    with pytest.raises(StoreError, match="closed"):
        store.probe_states()
