from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from watchtui import store as store_module
from watchtui.domain.model import Component, Snapshot
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


def write_v1_store(path: Path) -> None:
    """A store exactly as the release with schema v1 wrote it: its schema, and rows as its
    ingest and fetch bookkeeping wrote them (raw SQL: today's code writes newer columns)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path)
    for migrate in store_module.MIGRATIONS[:1]:
        migrate(conn)
    t0 = "2024-05-01T12:00:00.000000Z"
    conn.executescript(
        f"""
        INSERT INTO sources VALUES ('azure', 'azure', 'https://x', 'Azure', 60, 1, '{t0}',
                                    '{t0}', '{t0}');
        INSERT INTO components VALUES ('azure', 'c1', 'API', NULL, 'degraded', '[]', 0,
                                       '{t0}', '{t0}', '{t0}');
        INSERT INTO component_transitions (source_id, component_id, at, old_status, new_status)
            VALUES ('azure', 'c1', '{t0}', NULL, 'degraded');
        INSERT INTO incidents VALUES ('azure', 'i1', 0, 'Errors', 'investigating', 'major',
            '{t0}', '{t0}', NULL, 0, NULL, '[]', '["westeurope"]', NULL, NULL, '{t0}', '{t0}');
        INSERT INTO updates (source_id, incident_id, update_id, at, status, text)
            VALUES ('azure', 'i1', 'u1', '{t0}', 'investigating', 'x');
        INSERT INTO fetch_log (source_id, url, at, outcome, latency_ms, etag)
            VALUES ('azure', 'https://x/feed', '{t0}', 'ok', 40.0, '"v1"');
        INSERT INTO endpoint_state (url, source_id, etag, last_success_at, last_attempt_at,
                                    last_outcome)
            VALUES ('https://x/feed', 'azure', '"v1"', '{t0}', '{t0}', 'ok');
        PRAGMA user_version = 1;
        """
    )
    conn.commit()
    conn.close()


def v1_columns(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every v1 table, read through the columns v1 had (later migrations only add columns)."""
    conn = sqlite3.connect(path)
    try:
        probe = sqlite3.connect(":memory:")
        store_module.MIGRATIONS[0](probe)
        result = {}
        for table in V1_TABLES:
            columns = [row[1] for row in probe.execute(f"PRAGMA table_info({table})")]
            rows = conn.execute(f"SELECT {', '.join(columns)} FROM {table}").fetchall()
            result[table] = sorted(rows, key=repr)
        probe.close()
        return result
    finally:
        conn.close()


def test_v1_store_is_migrated_forward_with_all_history_intact(db_path: Path) -> None:
    write_v1_store(db_path)
    before = v1_columns(db_path)

    with Store.open(db_path) as new:
        assert new.user_version() == store_module.schema_version() == 5
        assert new.probe_states() == {}
        stored = new.incident("azure", "i1")
        assert stored is not None and [u.id for u in stored.incident.updates] == ["u1"]
        assert stored.incident.time_note is None
        assert [c.component.status for c in new.components("azure")] == ["degraded"]
        new.record_probe_result("api", ok(T0), state("unknown", T0, None, successes=1))
    after = v1_columns(db_path)
    # The one deliberate change: validators are forgotten so the next fetch is a full one.
    assert after.pop("endpoint_state") != before.pop("endpoint_state")
    assert after == before
    conn = sqlite3.connect(db_path)
    assert conn.execute("SELECT count(*) FROM probe_results").fetchone()[0] == 1
    assert conn.execute("SELECT etag, last_modified FROM endpoint_state").fetchall() == [
        (None, None)
    ]
    conn.close()


def test_migrated_store_retires_what_a_full_listing_no_longer_names(db_path: Path) -> None:
    write_v1_store(db_path)
    with Store.open(db_path) as new:
        listing = Snapshot(
            kind="statuspage",
            component_listing="full",
            components=(Component(id="c2", name="Web", status="operational"),),
        )
        new.ingest("azure", listing, T0 + MIN, lists_only_current=True)
        assert [c.component.id for c in new.components("azure")] == ["c2"]
        retired = new.components("azure", include_retired=True)
        assert sorted(c.component.id for c in retired) == ["c1", "c2"]
        assert [t.new_status for t in new.component_history("azure", "c1")] == ["degraded"]


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
