"""A round's 304s and errors are written together; a write the store refuses is kept for the
round to report, never raised into whichever fetch ended next."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from watchtui.domain.events import ChangeEvent
from watchtui.engine.round_records import RoundRecords, Unrecorded
from watchtui.store import FetchRecord, StepFailed, Store, StoreError

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def _record(url: str) -> FetchRecord:
    return FetchRecord(
        "src",
        url,
        T0,
        "not_modified",
        http_status=304,
        latency_ms=5.0,
        bytes=0,
        etag=None,
        last_modified=None,
        error=None,
        next_due_at=T0 + timedelta(minutes=1),
        release_owner="me",
    )


def test_a_refused_write_is_kept_and_the_records_say_so(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite"
    store = Store.open(path, busy_timeout=0.1)

    async def write(records: list[FetchRecord]) -> list[list[ChangeEvent] | StepFailed]:
        return await asyncio.to_thread(store.write_steps, records)

    async def add_while_locked() -> tuple[RoundRecords, Unrecorded, Unrecorded]:
        records = RoundRecords(write, flush_after=0.0)  # every fetch that ends writes
        first = await records.add(Unrecorded(_record("http://127.0.0.1/a")))
        locker = sqlite3.connect(path, isolation_level=None, timeout=5)
        locker.execute("BEGIN IMMEDIATE")
        try:
            second = await records.add(Unrecorded(_record("http://127.0.0.1/b")))
        finally:
            locker.execute("ROLLBACK")
            locker.close()
        return records, first, second

    records, first, second = asyncio.run(add_while_locked())
    assert first.failure is None and first.events == []
    assert isinstance(second.failure, StoreError)
    assert records.failures == [second.failure]
    assert store.endpoint_state("http://127.0.0.1/b") is None
    store.close()
