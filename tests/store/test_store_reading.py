"""``Store.reading()``: many queries, one read transaction, one consistent snapshot."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from watchtui.domain.model import Component, ComponentStatus, Incident, Snapshot
from watchtui.store import Store, StoreError

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)


def snapshot(*incident_ids: str, status: ComponentStatus = "operational") -> Snapshot:
    return Snapshot(
        kind="statuspage",
        components=(Component(id="api", name="API", status=status),),
        incidents=tuple(
            Incident(
                id=iid,
                title=f"Incident {iid}",
                status="investigating",
                impact="minor",
                started_at=T0,
                updated_at=T0,
            )
            for iid in incident_ids
        ),
    )


def incident_ids(store: Store) -> list[str]:
    return sorted(s.incident.id for s in store.incidents())


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "history.db"


@pytest.fixture
def store(path: Path) -> Iterator[Store]:
    s = Store.open(path)
    s.ingest("gh", snapshot("i1"), T0, lists_only_current=False)
    yield s
    s.close()


@pytest.fixture
def other(path: Path, store: Store) -> Iterator[Store]:
    """Another process's view of the same file: its own connections."""
    s = Store.open(path)
    yield s
    s.close()


def test_a_concurrent_write_is_not_seen_until_the_block_ends(store: Store, other: Store) -> None:
    with store.reading():
        # Committed after entering, before the first query: the snapshot is the block's start.
        other.ingest(
            "gh", snapshot("i1", "i2", status="major_outage"), T0 + MIN, lists_only_current=False
        )
        assert incident_ids(store) == ["i1"]
        other.ingest("gh", snapshot("i1", "i2", "i3"), T0 + 2 * MIN, lists_only_current=False)
        assert incident_ids(store) == ["i1"]
        assert [c.component.status for c in store.components()] == ["operational"]
        assert store.counts()["incidents"] == 1
        assert store.incident("gh", "i2") is None
    assert incident_ids(store) == ["i1", "i2", "i3"]
    assert store.counts()["incidents"] == 3


def test_outside_a_block_every_query_sees_the_latest_commit(store: Store, other: Store) -> None:
    assert incident_ids(store) == ["i1"]
    other.ingest("gh", snapshot("i1", "i2"), T0 + MIN, lists_only_current=False)
    assert incident_ids(store) == ["i1", "i2"]


def test_one_read_transaction_per_block_however_many_queries(store: Store) -> None:
    start = store.read_transactions
    with store.reading():
        store.sources()
        store.incidents(open_only=True)
        store.components()
        store.health("gh", T0, timedelta(minutes=5))
        store.fetch_stats("gh")
        store.probe_states()
        store.recent_updates(10)
        with store.reading():  # a nested block joins the outer one
            store.incidents()
    assert store.read_transactions == start + 1

    store.incidents()
    store.components()
    assert store.read_transactions == start + 3


def test_an_error_inside_the_block_rolls_back_and_the_store_stays_usable(
    store: Store, other: Store
) -> None:
    with pytest.raises(ValueError, match="boom"), store.reading():
        incident_ids(store)
        raise ValueError("boom")
    assert not store._conn().conn.in_transaction

    with pytest.raises(StoreError), store.reading():
        store._read(lambda c: c.execute("SELECT * FROM no_such_table").fetchall())
    assert not store._conn().conn.in_transaction

    other.ingest("gh", snapshot("i1", "i2"), T0 + MIN, lists_only_current=False)
    with store.reading():
        assert incident_ids(store) == ["i1", "i2"]
    store.ingest("gh", snapshot("i1", "i2", "i3"), T0 + 2 * MIN, lists_only_current=False)
    assert incident_ids(store) == ["i1", "i2", "i3"]


def test_writing_inside_the_block_is_refused_and_leaves_the_store_usable(store: Store) -> None:
    with pytest.raises(RuntimeError, match="reading"), store.reading():
        store.ingest("gh", snapshot("i1", "i2"), T0 + MIN, lists_only_current=False)
    assert incident_ids(store) == ["i1"]
    store.ingest("gh", snapshot("i1", "i2"), T0 + MIN, lists_only_current=False)
    assert incident_ids(store) == ["i1", "i2"]


def test_other_threads_keep_their_own_transactions(store: Store) -> None:
    inside = threading.Event()
    written = threading.Event()
    seen: dict[str, list[str]] = {}
    errors: list[BaseException] = []

    def hold_a_snapshot() -> None:
        try:
            with store.reading():
                seen["before"] = incident_ids(store)
                inside.set()
                assert written.wait(10)
                seen["during"] = incident_ids(store)
            seen["after"] = incident_ids(store)
        except BaseException as exc:  # surfaced below: a thread's failure must fail the test
            errors.append(exc)
            inside.set()

    reader = threading.Thread(target=hold_a_snapshot)
    reader.start()
    try:
        assert inside.wait(10)
        # This thread is not in the block: its write commits, its queries see it at once, and
        # each of them is a read transaction of its own.
        store.ingest("gh", snapshot("i1", "i2"), T0 + MIN, lists_only_current=False)
        start = store.read_transactions
        assert incident_ids(store) == ["i1", "i2"]
        assert store.counts()["incidents"] == 2
        assert store.read_transactions == start + 2
    finally:
        written.set()
        reader.join(10)
    assert not errors
    assert seen == {"before": ["i1"], "during": ["i1"], "after": ["i1", "i2"]}


def test_threads_reading_at_once_each_see_a_consistent_store(store: Store, other: Store) -> None:
    stop = threading.Event()
    mismatches: list[tuple[int, int]] = []
    errors: list[BaseException] = []

    def read_until_stopped() -> None:
        try:
            while not stop.is_set():
                with store.reading():
                    listed = len(store.incidents(with_updates=False))
                    counted = store.counts()["incidents"]
                if listed != counted:
                    mismatches.append((listed, counted))
        except BaseException as exc:
            errors.append(exc)

    readers = [threading.Thread(target=read_until_stopped) for _ in range(3)]
    for reader in readers:
        reader.start()
    try:
        ids = ["i1"]
        for n in range(2, 40):
            ids.append(f"i{n}")
            other.ingest("gh", snapshot(*ids), T0 + n * MIN, lists_only_current=False)
    finally:
        stop.set()
        for reader in readers:
            reader.join(10)
    assert not errors
    assert mismatches == []


def test_the_snapshot_is_released_when_the_block_ends(store: Store, path: Path) -> None:
    with store.reading():
        incident_ids(store)
    # No read transaction left open: a checkpoint can truncate the whole WAL.
    conn = sqlite3.connect(path)
    try:
        busy, _, _ = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    finally:
        conn.close()
    assert busy == 0


def test_closing_the_store_inside_a_block_ends_it_with_store_errors(store: Store) -> None:
    with store.reading():
        incident_ids(store)
        store.close()
        with pytest.raises(StoreError, match="closed"):
            incident_ids(store)
