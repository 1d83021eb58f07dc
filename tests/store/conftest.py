"""Stores in known states for the store's tests: healthy, and damaged where only a whole-file
check can see it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from watchtui.domain.model import Incident, Snapshot
from watchtui.store import Store

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
PAGE = 4096  # SQLite's default page size


def snap(*ids: str) -> Snapshot:
    return Snapshot(
        kind="statuspage",
        incidents=tuple(
            Incident(
                id=i,
                title=f"Incident {i} " + "x" * 500,
                status="investigating",
                impact="minor",
                started_at=T0,
                updated_at=T0,
            )
            for i in ids
        ),
    )


@pytest.fixture
def healthy(tmp_path: Path) -> Path:
    path = tmp_path / "history.db"
    with Store.open(path) as store:
        store.ingest("gh", snap("i1"), T0, lists_only_current=False)
    return path


@pytest.fixture
def damaged(healthy: Path) -> Path:
    """A watchtui store whose last page (history, far from the header and the schema) is
    overwritten: only a check that reads the whole file notices at open."""
    with Store.open(healthy) as store:
        for n in range(40):
            store.ingest(
                "gh", snap(*(f"n{n}-{k}" for k in range(10))), T0, lists_only_current=False
            )
    size = healthy.stat().st_size
    assert size > 8 * PAGE
    with open(healthy, "r+b") as handle:
        handle.seek(size - PAGE)
        handle.write(b"\xff" * PAGE)
    return healthy
