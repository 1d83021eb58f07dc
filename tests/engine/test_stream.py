"""The board's update stream reads only what it shows, and shows what a whole week's read would:
the newest updates of configured sources' incidents (no maintenances) active in the window,
including updates published after their incident was resolved (postmortems)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from watchtui.config import SourceSpec
from watchtui.domain.model import Impact, Incident, IncidentUpdate, Maintenance, Snapshot
from watchtui.engine.overview_builder import OverviewBuilder
from watchtui.store import Store

NOW = datetime(2026, 7, 29, 12, 0, tzinfo=UTC)
WEEK = timedelta(days=7)


def spec(source_id: str) -> SourceSpec:
    return SourceSpec(
        id=source_id,
        name=source_id.title(),
        kind="statuspage",
        base_url=f"https://{source_id}.example",
        interval=60,
        endpoints=(),
    )


def incident(
    iid: str, started: datetime, updates: list[datetime], resolved: datetime | None
) -> Incident:
    return Incident(
        id=iid,
        title=f"Incident {iid}",
        status="resolved" if resolved else "investigating",
        impact="minor",
        started_at=started,
        updated_at=max([started, *updates]),
        resolved_at=resolved,
        updates=tuple(
            IncidentUpdate(id=f"{iid}-u{n}", at=at, status="update", text=f"{iid} {n}")
            for n, at in sorted(enumerate(updates), key=lambda u: u[1], reverse=True)
        ),
    )


def fill(store: Store, seed: int) -> None:
    """Three sources of incidents over two weeks: some resolved long before a late update (a
    postmortem), maintenances, and one source the config does not watch."""
    rng = random.Random(seed)
    for source_id in ("alpha", "beta", "gone"):
        incidents: list[Incident] = []
        maintenances: list[Maintenance] = []
        for n in range(40):
            started = NOW - timedelta(hours=rng.uniform(1, 14 * 24))
            times = sorted(started + timedelta(minutes=rng.uniform(0, 600)) for _ in range(5))
            resolved = None if rng.random() < 0.1 else times[-1]
            if resolved is not None and rng.random() < 0.2:
                times.append(resolved + timedelta(days=rng.uniform(1, 9)))  # a postmortem
            times = [t for t in times if t <= NOW]
            item = incident(f"{source_id}{n}", started, times, resolved)
            if rng.random() < 0.15:
                maintenances.append(Maintenance(**item.model_dump()))
            else:
                incidents.append(item)
        snapshot = Snapshot(
            kind="statuspage", incidents=tuple(incidents), maintenances=tuple(maintenances)
        )
        store.ingest(source_id, snapshot, NOW, lists_only_current=False)


Shown = tuple[str, str, Impact]  # incident key, update id, the impact it was published under


def week_read(builder: OverviewBuilder, limit: int) -> list[Shown]:
    """The stream as a read of the whole window gives it (the reference)."""
    since = NOW - WEEK
    incidents = builder._incidents_active_since(since)
    items: list[Shown] = []
    for recent in builder.store.recent_updates(limit * 2, since=since):
        stored = incidents.get((recent.source_id, recent.incident_id))
        if stored is not None and len(items) < limit:
            view = builder.incident_view(stored)
            items.append((view.key, recent.update.id, recent.impact))
    return items


@pytest.mark.parametrize("limit", [1, 5, 30, 200])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_stream_is_what_a_whole_week_read_shows(tmp_path: Path, limit: int, seed: int) -> None:
    with Store.open(tmp_path / "db.sqlite3") as store:
        fill(store, seed)
        builder = OverviewBuilder(store, {s: spec(s) for s in ("alpha", "beta")}, [], frozenset())
        builder.STREAM_LIMIT = limit
        with store.reading():
            board = builder.read_board(NOW)
            expected = week_read(builder, limit)
        shown = [
            (item.incident_key, item.update.id, item.impact)
            for item in board.stream
            if not item.placeholder
        ]
        # Open incidents with no update in the window join the stream (placeholders aside).
        assert [s for s in shown if s in expected] == expected
        assert {item.source_id for item in board.stream} <= {"alpha", "beta"}


def test_a_postmortem_of_an_old_incident_is_in_the_stream(tmp_path: Path) -> None:
    resolved = NOW - timedelta(days=3)
    old = incident(
        "old", resolved - timedelta(hours=1), [resolved, NOW - timedelta(hours=2)], resolved
    )
    fresh = incident(
        "new", NOW - timedelta(hours=3), [NOW - timedelta(hours=h) for h in (3, 2.5, 1)], None
    )
    with Store.open(tmp_path / "db.sqlite3") as store:
        store.ingest(
            "alpha",
            Snapshot(kind="statuspage", incidents=(old, fresh)),
            NOW,
            lists_only_current=False,
        )
        builder = OverviewBuilder(store, {"alpha": spec("alpha")}, [], frozenset())
        # Of the newest updates read (two, then four), the oldest came long after "old" was
        # resolved.
        builder.STREAM_LIMIT = 2
        with store.reading():
            stream = builder.read_board(NOW).stream
    assert [item.update.id for item in stream] == ["new-u2", "old-u1"]
