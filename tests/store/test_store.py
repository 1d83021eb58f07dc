from __future__ import annotations

import multiprocessing
import os
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from watchtui import store as store_module
from watchtui.domain.events import ChangeEvent
from watchtui.domain.model import Component, Incident, IncidentUpdate, Maintenance, Snapshot
from watchtui.store import Claim, FetchRecord, StepFailed, Store, StoreError, WriteStep
from watchtui.store import core as store_core
from watchtui.store import ingest as store_ingest
from watchtui.store import schema as store_schema

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)
TABLES = (
    "sources",
    "fetch_log",
    "endpoint_state",
    "components",
    "component_transitions",
    "incidents",
    "updates",
)


# ---- helpers --------------------------------------------------------------------------------


def upd(uid: str, at: datetime, status: str = "investigating", text: str = "") -> IncidentUpdate:
    return IncidentUpdate(id=uid, at=at, status=status, text=text or f"update {uid}")


def inc(
    iid: str,
    *,
    started: datetime = T0,
    updated: datetime | None = None,
    resolved: datetime | None = None,
    status: str = "investigating",
    impact: Any = "minor",
    title: str | None = None,
    updates: tuple[IncidentUpdate, ...] = (),
    components: tuple[str, ...] = (),
) -> Incident:
    return Incident(
        id=iid,
        title=title or f"Incident {iid}",
        status=status,
        impact=impact,
        started_at=started,
        updated_at=updated or (resolved or started),
        resolved_at=resolved,
        updates=updates,
        components=components,
    )


def snap(
    *incidents: Incident,
    components: tuple[Component, ...] = (),
    maintenances: tuple[Maintenance, ...] = (),
) -> Snapshot:
    return Snapshot(
        kind="statuspage",
        page_name="Example",
        page_url="https://status.example.com",
        components=components,
        incidents=incidents,
        maintenances=maintenances,
    )


def dump(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    conn = sqlite3.connect(path)
    try:
        return {t: sorted(conn.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in TABLES}
    finally:
        conn.close()


def kinds(events: list[ChangeEvent]) -> list[str]:
    return [e.kind for e in events]


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "state" / "history.db"


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    s = Store.open(db_path)
    yield s
    s.close()


# ---- opening, files, modes ------------------------------------------------------------------


@pytest.mark.parametrize("umask", [0o000, 0o022, 0o277], ids=["000", "022", "277"])
def test_open_creates_private_directory_and_file_whatever_the_umask(
    tmp_path: Path, umask: int
) -> None:
    path = tmp_path / "new" / "history.db"
    old = os.umask(umask)
    try:
        with Store.open(path) as s:
            s.ingest("gh", snap(inc("i1")), T0, lists_only_current=False)
            wal = path.with_name(path.name + "-wal")
            assert wal.stat().st_mode & 0o777 == 0o600
    finally:
        os.umask(old)
    assert path.parent.stat().st_mode & 0o777 == 0o700
    assert path.stat().st_mode & 0o777 == 0o600


def test_open_sets_wal_foreign_keys_and_schema_version(store: Store, db_path: Path) -> None:
    conn = sqlite3.connect(db_path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == store_module.schema_version()
    assert conn.execute("PRAGMA application_id").fetchone()[0] == store_module.APPLICATION_ID
    conn.close()
    assert store._conn().conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert store._conn().conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
    assert store.recovered_from is None


def test_reopening_keeps_the_data(db_path: Path) -> None:
    with Store.open(db_path) as s:
        s.ingest("gh", snap(inc("i1")), T0, lists_only_current=False)
    with Store.open(db_path) as s:
        assert [i.incident.id for i in s.incidents()] == ["i1"]


@pytest.mark.parametrize(
    "content",
    [
        b"this is not a database at all, just some text that someone wrote here\n" * 50,
        b"\x00\xff garbage",
        b"SQLite format 3\x00" + b"\xff" * 200,
    ],
    ids=["text", "short-garbage", "bad-header"],
)
def test_non_sqlite_file_is_moved_aside_and_a_fresh_store_created(
    db_path: Path, content: bytes
) -> None:
    db_path.parent.mkdir(parents=True)
    db_path.write_bytes(content)
    with Store.open(db_path) as s:
        assert s.recovered_from is not None
        assert s.recovered_from.name.startswith("history.db.corrupt-")
        assert s.recovered_from.read_bytes() == content
        s.ingest("gh", snap(inc("i1")), T0, lists_only_current=False)
        assert len(s.incidents()) == 1
    assert db_path.stat().st_mode & 0o777 == 0o600


def test_truncated_store_is_moved_aside(db_path: Path) -> None:
    with Store.open(db_path) as s:
        for n in range(40):
            s.ingest("gh", snap(inc(f"i{n}", title="x" * 2000)), T0, lists_only_current=False)
    size = db_path.stat().st_size
    assert size > 3 * 4096
    with open(db_path, "r+b") as handle:
        handle.truncate(size // 3)
    with Store.open(db_path) as s:
        assert s.recovered_from is not None
        assert s.recovered_from.stat().st_size == size // 3
        assert s.incidents() == []


def test_corrupt_store_wal_is_moved_with_it(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    db_path.write_bytes(b"garbage" * 100)
    wal = db_path.with_name("history.db-wal")
    wal.write_bytes(b"old wal")
    with Store.open(db_path) as s:
        assert s.recovered_from is not None
        assert s.recovered_from.with_name(s.recovered_from.name + "-wal").read_bytes() == b"old wal"


def test_foreign_sqlite_database_is_refused_and_left_alone(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    conn = sqlite3.connect(db_path)
    conn.execute("CREATE TABLE mine (x)")
    conn.commit()
    conn.close()
    before = db_path.read_bytes()
    with pytest.raises(StoreError, match="did not create"):
        Store.open(db_path)
    assert db_path.read_bytes() == before


def test_store_from_a_newer_version_is_refused(db_path: Path) -> None:
    Store.open(db_path).close()
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    with pytest.raises(StoreError, match="newer watchtui"):
        Store.open(db_path)


def test_unwritable_location_raises_store_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StoreError, match="cannot create the history directory"):
        Store.open(blocker / "sub" / "history.db")


def test_read_only_directory_raises_store_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory = tmp_path / "ro"
    directory.mkdir()
    if os.geteuid() == 0:
        # root ignores permission bits: make the create fail the way a read-only mount does.
        def refuse(*args: Any, **kwargs: Any) -> int:
            raise OSError(30, "Read-only file system")

        monkeypatch.setattr(os, "open", refuse)
    else:
        directory.chmod(0o500)
    try:
        with pytest.raises(
            StoreError, match=r"cannot create the history store.*([Rr]ead-only|denied)"
        ):
            Store.open(directory / "history.db")
    finally:
        directory.chmod(0o700)


def test_disk_full_raises_store_error_and_keeps_state(store: Store, db_path: Path) -> None:
    store.ingest("gh", snap(inc("i1")), T0, lists_only_current=False)
    before = dump(db_path)
    conn = store._conn().conn
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages}")
    big = tuple(upd(f"u{n}", T0, text="y" * 5000) for n in range(200))
    with pytest.raises(StoreError, match="full"):
        store.ingest("gh", snap(inc("i2", updates=big)), T0, lists_only_current=False)
    assert dump(db_path) == before


def test_locked_store_raises_store_error_not_sqlite_error(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_core, "_BUSY_BACKOFF_S", 0.0)
    s = Store.open(db_path, busy_timeout=0.05)
    blocker = sqlite3.connect(db_path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(StoreError, match="locked"):
            s.record_fetch("gh", "https://x/a", T0, "ok")
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    s.record_fetch("gh", "https://x/a", T0, "ok")
    s.close()


def test_lock_outlasting_the_busy_timeout_is_retried(db_path: Path) -> None:
    s = Store.open(db_path, busy_timeout=0.05)
    blocker = sqlite3.connect(db_path, isolation_level=None, check_same_thread=False)
    blocker.execute("BEGIN IMMEDIATE")
    timer = threading.Timer(0.12, lambda: blocker.execute("COMMIT"))
    timer.start()
    try:
        s.record_fetch("gh", "https://x/a", T0, "ok")
    finally:
        timer.join()
        blocker.close()
    assert s.endpoint_state("https://x/a") is not None
    s.close()


def test_brief_lock_is_waited_out(db_path: Path) -> None:
    s = Store.open(db_path, busy_timeout=2.0)
    blocker = sqlite3.connect(db_path, isolation_level=None, check_same_thread=False)
    blocker.execute("BEGIN IMMEDIATE")
    timer = threading.Timer(0.2, lambda: blocker.execute("COMMIT"))
    timer.start()
    try:
        s.record_fetch("gh", "https://x/a", T0, "ok")
    finally:
        timer.join()
        blocker.close()
    assert s.endpoint_state("https://x/a") is not None
    s.close()


def test_closed_store_raises_store_error(store: Store) -> None:
    store.close()
    with pytest.raises(StoreError, match="closed"):
        store.incidents()


# ---- migrations -----------------------------------------------------------------------------


def test_migration_runner_applies_new_migrations_and_keeps_history(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Store.open(db_path) as s:
        s.ingest("gh", snap(inc("i1", updates=(upd("u1", T0),))), T0, lists_only_current=False)
    v1 = store_module.schema_version()
    applied: list[int] = []

    def add_notes(conn: sqlite3.Connection) -> None:
        applied.append(conn.execute("PRAGMA user_version").fetchone()[0])
        conn.execute("ALTER TABLE incidents ADD COLUMN note TEXT")
        conn.execute("UPDATE incidents SET note = 'migrated'")

    monkeypatch.setattr(store_schema, "MIGRATIONS", [*store_schema.MIGRATIONS, add_notes])
    with Store.open(db_path) as s:
        assert s.user_version() == v1 + 1
        stored = s.incident("gh", "i1")
        assert stored is not None and [u.id for u in stored.incident.updates] == ["u1"]
    with Store.open(db_path):
        pass  # already migrated: must not run again
    assert applied == [v1]
    conn = sqlite3.connect(db_path)
    assert conn.execute("SELECT note FROM incidents").fetchall() == [("migrated",)]
    conn.close()


@pytest.mark.parametrize("had_impact", [False, True])
def test_a_v3_store_gains_the_update_impact_column_once(db_path: Path, had_impact: bool) -> None:
    # v3 as released had no updates.impact; for a while the v2 -> v3 step added it.  Both kinds
    # of v3 store must reach the current schema with their history.
    with Store.open(db_path) as s:
        s.ingest("gh", snap(inc("i1", updates=(upd("u1", T0),))), T0, lists_only_current=False)
    conn = sqlite3.connect(db_path)
    if not had_impact:
        conn.execute("ALTER TABLE updates DROP COLUMN impact")
    conn.execute("ALTER TABLE incidents DROP COLUMN updates_digest")  # came with v5
    conn.execute("PRAGMA user_version = 3")
    conn.commit()
    conn.close()
    with Store.open(db_path) as s:
        assert s.user_version() == store_module.schema_version()
        s.ingest(
            "gh",
            snap(inc("i1", updates=(upd("u1", T0), upd("u2", T0 + 60 * MIN)))),
            T0 + 60 * MIN,
            lists_only_current=False,
        )
        assert [u.update.id for u in s.recent_updates(10)] == ["u2", "u1"]


def test_failing_migration_leaves_the_old_version(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    Store.open(db_path).close()
    v1 = store_module.schema_version()

    def broken(conn: sqlite3.Connection) -> None:
        conn.execute("ALTER TABLE incidents ADD COLUMN half TEXT")
        raise RuntimeError("boom")

    monkeypatch.setattr(store_schema, "MIGRATIONS", [*store_schema.MIGRATIONS, broken])
    with pytest.raises(RuntimeError):
        Store.open(db_path)
    conn = sqlite3.connect(db_path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == v1
    columns = [r[1] for r in conn.execute("PRAGMA table_info(incidents)")]
    assert "half" not in columns
    conn.close()


# ---- ingest ---------------------------------------------------------------------------------


def test_first_ingest_reports_open_incidents_only(store: Store) -> None:
    events = store.ingest(
        "gh",
        snap(
            inc("open", updates=(upd("u1", T0, text="looking into it"),)),
            inc("old", started=T0 - 10 * MIN, resolved=T0 - 5 * MIN, status="resolved"),
            components=(Component(id="c1", name="API", status="major_outage"),),
        ),
        T0,
        lists_only_current=False,
    )
    assert kinds(events) == ["incident_opened"]
    assert events[0].incident_id == "open"
    assert events[0].detail == "looking into it"
    assert events[0].title == "Incident open"
    assert store.component_history("gh", "c1")[0].old_status is None


def test_ingest_is_idempotent(store: Store, db_path: Path) -> None:
    s1 = snap(
        inc("i1", updates=(upd("u2", T0 + MIN), upd("u1", T0))),
        components=(Component(id="c1", name="API", status="degraded", regions=("us-east-1",)),),
        maintenances=(
            Maintenance(
                id="m1",
                title="DB upgrade",
                status="scheduled",
                impact="maintenance",
                started_at=T0 + 60 * MIN,
                updated_at=T0,
                scheduled_for=T0 + 60 * MIN,
                scheduled_until=T0 + 120 * MIN,
            ),
        ),
    )
    assert store.ingest("gh", s1, T0, lists_only_current=True)
    counts = store.counts()
    before = dump(db_path)
    assert store.ingest("gh", s1, T0, lists_only_current=True) == []
    assert store.counts() == counts
    assert dump(db_path) == before
    # A later fetch of the same content only refreshes "last seen" bookkeeping.
    assert store.ingest("gh", s1, T0 + MIN, lists_only_current=True) == []
    assert store.counts() == counts
    stored = store.incident("gh", "i1")
    assert stored is not None and stored.last_seen_at == T0 + MIN


def test_duplicate_ids_in_one_snapshot_are_merged(store: Store) -> None:
    older = inc("i1", updated=T0, status="investigating")
    newer = inc("i1", updated=T0 + MIN, status="identified")
    comps = (Component(id="c", name="A", status="degraded"), Component(id="c", name="A"))
    store.ingest("gh", snap(newer, older, components=comps), T0, lists_only_current=False)
    stored = store.incident("gh", "i1")
    assert stored is not None and stored.incident.status == "identified"
    assert len(store.components("gh")) == 1


def test_component_status_change_records_transition_and_event(store: Store) -> None:
    ok = Component(id="c1", name="API", group="Core", status="operational")
    store.ingest("gh", snap(components=(ok,)), T0, lists_only_current=False)
    bad = ok.model_copy(update={"status": "partial_outage"})
    events = store.ingest("gh", snap(components=(bad,)), T0 + MIN, lists_only_current=False)
    assert len(events) == 1
    e = events[0]
    assert (e.kind, e.component_id, e.title) == ("component_status_changed", "c1", "API")
    assert (e.old_status, e.new_status, e.impact, e.at) == (
        "operational",
        "partial_outage",
        "major",
        T0 + MIN,
    )
    history = store.component_history("gh", "c1")
    assert [(h.old_status, h.new_status, h.at) for h in history] == [
        (None, "operational", T0),
        ("operational", "partial_outage", T0 + MIN),
    ]
    [stored] = store.components("gh")
    assert stored.component == bad
    assert (stored.status_since, stored.updated_at, stored.first_seen_at) == (
        T0 + MIN,
        T0 + MIN,
        T0,
    )


def test_component_absent_from_a_later_list_is_kept(store: Store) -> None:
    a, b = Component(id="a", name="A"), Component(id="b", name="B")
    store.ingest("gh", snap(components=(a, b)), T0, lists_only_current=True)
    assert store.ingest("gh", snap(components=(a,)), T0 + MIN, lists_only_current=True) == []
    assert {c.component.id for c in store.components("gh")} == {"a", "b"}
    by_id = {c.component.id: c for c in store.components()}
    assert by_id["b"].updated_at == T0 and by_id["a"].updated_at == T0 + MIN


def test_new_unwell_component_after_baseline_is_reported(store: Store) -> None:
    store.ingest(
        "gh", snap(components=(Component(id="a", name="A"),)), T0, lists_only_current=False
    )
    comps = (Component(id="a", name="A"), Component(id="b", name="B", status="major_outage"))
    events = store.ingest("gh", snap(components=comps), T0 + MIN, lists_only_current=False)
    assert [(e.kind, e.component_id, e.old_status) for e in events] == [
        ("component_status_changed", "b", None)
    ]


def test_incident_lifecycle_events(store: Store) -> None:
    u1 = upd("u1", T0, "investigating", "We are investigating.")
    store.ingest("gh", snap(inc("i1", updates=(u1,))), T0, lists_only_current=False)

    u2 = upd("u2", T0 + 5 * MIN, "identified", "Found it.")
    identified = inc(
        "i1", updated=T0 + 5 * MIN, status="identified", impact="major", updates=(u2, u1)
    )
    events = store.ingest("gh", snap(identified), T0 + 6 * MIN, lists_only_current=False)
    assert [(e.kind, e.new_status, e.detail) for e in events] == [
        ("update_added", "identified", "Found it."),
        ("incident_updated", "identified", ""),
    ]
    assert events[1].old_status == "investigating" and events[1].impact == "major"

    u3 = upd("u3", T0 + 9 * MIN, "resolved", "Fixed.")
    resolved = inc(
        "i1", updated=T0 + 9 * MIN, resolved=T0 + 9 * MIN, status="resolved", updates=(u3, u2, u1)
    )
    events = store.ingest("gh", snap(resolved), T0 + 10 * MIN, lists_only_current=False)
    assert kinds(events) == ["update_added", "incident_resolved"]
    assert events[1].at == T0 + 9 * MIN and events[1].inferred is False


def test_updates_are_never_deleted_and_edits_replace_text(store: Store) -> None:
    u1, u2 = upd("u1", T0, text="first"), upd("u2", T0 + MIN, text="second")
    store.ingest("gh", snap(inc("i1", updates=(u2, u1))), T0, lists_only_current=False)
    edited = upd("u2", T0 + MIN, text="second, corrected")
    events = store.ingest(
        "gh", snap(inc("i1", updates=(edited,))), T0 + MIN, lists_only_current=False
    )
    assert events == []
    stored = store.incident("gh", "i1")
    assert stored is not None
    assert [(u.id, u.text) for u in stored.incident.updates] == [
        ("u2", "second, corrected"),
        ("u1", "first"),
    ]
    # A new time or status with the same words is an edit too.
    moved = upd("u2", T0 + 2 * MIN, status="identified", text="second, corrected")
    store.ingest("gh", snap(inc("i1", updates=(moved, u1))), T0 + 2 * MIN, lists_only_current=False)
    stored = store.incident("gh", "i1")
    assert stored is not None
    assert [(u.id, u.at, u.status) for u in stored.incident.updates[:1]] == [
        ("u2", T0 + 2 * MIN, "identified")
    ]


def test_updates_with_equal_times_keep_the_source_order(store: Store) -> None:
    ups = (upd("c", T0), upd("b", T0), upd("a", T0))  # newest first, as feeds give them
    store.ingest("gh", snap(inc("i1", updates=ups)), T0, lists_only_current=False)
    stored = store.incident("gh", "i1")
    assert stored is not None and [u.id for u in stored.incident.updates] == ["c", "b", "a"]


def test_inferred_resolution_then_replaced_by_the_real_one(store: Store) -> None:
    u1 = upd("u1", T0)
    store.ingest("gh", snap(inc("i1", updates=(u1,))), T0, lists_only_current=True)

    events = store.ingest("gh", snap(), T0 + 30 * MIN, lists_only_current=True)
    assert [(e.kind, e.inferred, e.at, e.incident_id) for e in events] == [
        ("incident_resolved", True, T0 + 30 * MIN, "i1")
    ]
    stored = store.incident("gh", "i1")
    assert stored is not None
    assert stored.resolution_inferred is True
    assert stored.incident.resolved_at == T0 + 30 * MIN
    assert stored.incident.status == "resolved"
    assert store.incidents(open_only=True) == []

    real = inc(
        "i1",
        updated=T0 + 12 * MIN,
        resolved=T0 + 12 * MIN,
        status="resolved",
        updates=(upd("u2", T0 + 12 * MIN, "resolved"), u1),
    )
    events = store.ingest("gh", snap(real), T0 + 35 * MIN, lists_only_current=False)
    assert "incident_resolved" not in kinds(events)
    stored = store.incident("gh", "i1")
    assert stored is not None
    assert stored.resolution_inferred is False
    assert stored.incident.resolved_at == T0 + 12 * MIN
    assert stored.duration == 12 * MIN


def test_real_resolution_replaces_inferred_one_even_from_an_older_view(store: Store) -> None:
    store.ingest(
        "gh", snap(inc("i1", updated=T0 + 10 * MIN)), T0 + 10 * MIN, lists_only_current=True
    )
    store.ingest("gh", snap(), T0 + 20 * MIN, lists_only_current=True)
    real = inc("i1", updated=T0 + 8 * MIN, resolved=T0 + 8 * MIN, status="resolved")
    assert store.ingest("gh", snap(real), T0 + 21 * MIN, lists_only_current=False) == []
    stored = store.incident("gh", "i1")
    assert stored is not None
    assert (stored.incident.resolved_at, stored.resolution_inferred) == (T0 + 8 * MIN, False)


def test_history_endpoint_never_resolves_absent_incidents(store: Store) -> None:
    store.ingest("gh", snap(inc("i1"), inc("i2")), T0, lists_only_current=False)
    assert store.ingest("gh", snap(inc("i2")), T0 + MIN, lists_only_current=False) == []
    assert store.ingest("gh", snap(), T0 + 2 * MIN, lists_only_current=False) == []
    assert {i.incident.id for i in store.incidents(open_only=True)} == {"i1", "i2"}


def test_current_list_resolves_only_its_own_source(store: Store) -> None:
    store.ingest("a", snap(inc("i1")), T0, lists_only_current=True)
    store.ingest("b", snap(inc("i1")), T0, lists_only_current=True)
    store.ingest("a", snap(), T0 + MIN, lists_only_current=True)
    assert [(i.source_id, i.incident.id) for i in store.incidents(open_only=True)] == [("b", "i1")]


def test_inferred_resolution_is_undone_when_the_incident_reappears(store: Store) -> None:
    store.ingest("gh", snap(inc("i1")), T0, lists_only_current=True)
    store.ingest("gh", snap(), T0 + MIN, lists_only_current=True)
    events = store.ingest("gh", snap(inc("i1")), T0 + 2 * MIN, lists_only_current=True)
    assert [(e.kind, e.detail) for e in events] == [("incident_opened", "reopened")]
    stored = store.incident("gh", "i1")
    assert stored is not None
    assert stored.incident.resolved_at is None and stored.resolution_inferred is False


def test_stale_view_does_not_reopen_or_regress(store: Store) -> None:
    resolved = inc("i1", updated=T0 + 5 * MIN, resolved=T0 + 5 * MIN, status="resolved")
    store.ingest("gh", snap(inc("i1")), T0, lists_only_current=False)
    store.ingest("gh", snap(resolved), T0 + 6 * MIN, lists_only_current=False)
    # A cached copy of the older, open version.
    assert store.ingest("gh", snap(inc("i1")), T0 + 7 * MIN, lists_only_current=False) == []
    stored = store.incident("gh", "i1")
    assert stored is not None and stored.incident.resolved_at == T0 + 5 * MIN
    # A genuinely newer open version (the provider reopened it) does reopen.
    reopened = inc("i1", updated=T0 + 20 * MIN, status="investigating")
    events = store.ingest("gh", snap(reopened), T0 + 21 * MIN, lists_only_current=False)
    assert kinds(events) == ["incident_opened"]


def test_incident_opened_and_resolved_between_fetches_is_reported(store: Store) -> None:
    store.ingest("gh", snap(), T0, lists_only_current=False)
    quick = inc("q", started=T0 + MIN, resolved=T0 + 3 * MIN, status="resolved")
    backfill = inc("b", started=T0 - 60 * MIN, resolved=T0 - 50 * MIN, status="resolved")
    events = store.ingest("gh", snap(quick, backfill), T0 + 5 * MIN, lists_only_current=False)
    assert [(e.kind, e.incident_id, e.at) for e in events] == [
        ("incident_resolved", "q", T0 + 3 * MIN)
    ]


def test_maintenances_are_stored_and_resolved_by_the_same_rules(store: Store) -> None:
    m = Maintenance(
        id="m1",
        title="Network work",
        status="scheduled",
        impact="maintenance",
        started_at=T0 + 60 * MIN,
        updated_at=T0,
        scheduled_for=T0 + 60 * MIN,
        scheduled_until=T0 + 90 * MIN,
    )
    store.ingest("gh", snap(maintenances=(m,)), T0, lists_only_current=True)
    [stored] = store.incidents(maintenance=True)
    assert stored.is_maintenance and isinstance(stored.incident, Maintenance)
    assert stored.incident == m
    assert store.incidents(maintenance=False) == []
    events = store.ingest("gh", snap(), T0 + 100 * MIN, lists_only_current=True)
    assert [(e.kind, e.inferred, e.new_status) for e in events] == [
        ("incident_resolved", True, "completed")
    ]


def test_ingest_rolls_back_entirely_when_it_fails_midway(
    store: Store, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = snap(
        inc("i1", updates=(upd("u1", T0),)),
        components=(Component(id="c1", name="API"),),
    )
    store.ingest("gh", base, T0, lists_only_current=True)
    before = dump(db_path)

    changed = snap(
        inc("i2", updates=(upd("v1", T0 + MIN),)),
        components=(Component(id="c1", name="API", status="major_outage"),),
    )
    original = store_ingest._Ingest._incidents
    reached: list[bool] = []

    def incidents_then_crash(self: Any, snapshot: Snapshot) -> None:
        original(self, snapshot)
        reached.append(True)
        raise RuntimeError("simulated crash after writing")

    monkeypatch.setattr(store_ingest._Ingest, "_incidents", incidents_then_crash)
    with pytest.raises(RuntimeError, match="simulated"):
        store.ingest("gh", changed, T0 + MIN, lists_only_current=True)
    assert reached == [True]
    assert dump(db_path) == before

    monkeypatch.undo()
    events = store.ingest("gh", changed, T0 + MIN, lists_only_current=True)
    assert sorted(kinds(events)) == [
        "component_status_changed",
        "incident_opened",
        "incident_resolved",
    ]


def test_timestamps_round_trip_as_aware_utc(store: Store) -> None:
    plus2 = timezone(timedelta(hours=2))
    local = datetime(2024, 5, 1, 14, 0, tzinfo=plus2)  # == T0
    item = inc("i1", started=local, updated=local + MIN, updates=(upd("u1", local),))
    [event] = store.ingest("gh", snap(item), local, lists_only_current=False)
    assert event.at == T0 and event.at.tzinfo == UTC
    stored = store.incident("gh", "i1")
    assert stored is not None
    for value in (
        stored.incident.started_at,
        stored.incident.updated_at,
        stored.incident.updates[0].at,
        stored.first_seen_at,
        stored.last_seen_at,
    ):
        assert value.tzinfo is not None and value.utcoffset() == timedelta(0)
    assert stored.incident.started_at == T0
    assert stored.incident.updated_at == T0 + MIN
    assert stored.incident == item
    assert store.sources()[0].added_at.tzinfo is not None


def test_naive_datetimes_are_rejected(store: Store) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        store.ingest("gh", snap(), datetime(2024, 1, 1), lists_only_current=False)
    with pytest.raises(ValueError, match="timezone-aware"):
        store.try_claim("u", "me", datetime(2024, 1, 1), T0)


# ---- queries --------------------------------------------------------------------------------


@pytest.fixture
def history(store: Store) -> Store:
    items = [
        inc(
            "old",
            started=T0 - timedelta(days=100),
            resolved=T0 - timedelta(days=99),
            status="resolved",
            title="Ancient outage",
        ),
        inc(
            "mid",
            started=T0 - timedelta(days=10),
            resolved=T0 - timedelta(days=10) + 30 * MIN,
            status="resolved",
            title="Webhooks delayed",
            components=("Webhooks",),
            updates=(upd("m1", T0 - timedelta(days=10), text="Deliveries are 100% delayed"),),
        ),
        inc(
            "long",
            started=T0 - timedelta(days=200),
            title="Long-running degradation",
            updates=(
                upd("l2", T0 - MIN, text="Still working"),
                upd("l1", T0 - timedelta(days=200)),
            ),
        ),
    ]
    store.ingest("gh", snap(*items), T0, lists_only_current=False)
    store.ingest(
        "aws", snap(inc("new", started=T0 - MIN, title="EC2 errors")), T0, lists_only_current=False
    )
    return store


def ids(found: list[store_module.StoredIncident]) -> list[str]:
    return [i.incident.id for i in found]


def test_incident_queries_filter_and_order(history: Store) -> None:
    assert ids(history.incidents()) == ["new", "mid", "old", "long"]
    assert ids(history.incidents(since=T0 - timedelta(days=90))) == ["new", "mid", "long"]
    assert ids(history.incidents(until=T0 - timedelta(days=50))) == ["old", "long"]
    assert ids(history.incidents(open_only=True)) == ["new", "long"]
    assert ids(history.incidents(source_id="aws")) == ["new"]
    assert ids(history.incidents(limit=2)) == ["new", "mid"]
    assert ids(history.incidents(text="webhooks")) == ["mid"]
    assert ids(history.incidents(text="STILL working")) == ["long"]
    assert ids(history.incidents(text="100%")) == ["mid"]
    assert ids(history.incidents(text="0%")) == ["mid"]
    assert ids(history.incidents(text="_")) == []
    lean = history.incidents(source_id="gh", with_updates=False)
    assert all(i.incident.updates == () for i in lean)


def test_stored_incident_carries_updates_newest_first_and_duration(history: Store) -> None:
    stored = history.incident("gh", "long")
    assert stored is not None
    assert [u.id for u in stored.incident.updates] == ["l2", "l1"]
    assert stored.duration is None
    assert stored.duration_at(T0) == timedelta(days=200)
    mid = history.incident("gh", "mid")
    assert mid is not None and mid.duration == 30 * MIN
    assert history.incident("gh", "missing") is None
    assert [i.incident for i in history.incidents(source_id="gh") if i.incident.id == "long"] == [
        stored.incident
    ]


def test_recent_updates_newest_first(history: Store) -> None:
    recent = history.recent_updates(limit=2)
    assert [(r.source_id, r.incident_id, r.update.id, r.title) for r in recent] == [
        ("gh", "long", "l2", "Long-running degradation"),
        ("gh", "mid", "m1", "Webhooks delayed"),
    ]
    assert [r.update.id for r in history.recent_updates(10, since=T0 - timedelta(days=20))] == [
        "l2",
        "m1",
    ]
    assert history.recent_updates(10, source_id="aws") == []


def test_sources_are_registered_and_updated(store: Store) -> None:
    store.ingest("gh", snap(), T0, lists_only_current=False)
    [auto] = store.sources()
    assert (auto.id, auto.kind, auto.name, auto.first_ingest_at) == (
        "gh",
        "statuspage",
        "Example",
        T0,
    )
    store.upsert_source(
        "gh",
        kind="statuspage",
        url="https://www.githubstatus.com",
        name="GitHub",
        interval=timedelta(seconds=60),
        added_at=T0 + MIN,
    )
    [src] = store.sources()
    assert (src.name, src.interval, src.added_at, src.enabled) == (
        "GitHub",
        timedelta(seconds=60),
        T0,
        True,
    )
    store.set_source_enabled("gh", False)
    assert store.sources()[0].enabled is False


# ---- prune ----------------------------------------------------------------------------------


def test_prune_deletes_old_resolved_history_but_keeps_open_incidents(history: Store) -> None:
    history.record_fetch("gh", "https://x/a", T0 - timedelta(days=100), "ok")
    history.record_fetch("gh", "https://x/a", T0, "ok")
    counts = history.prune(T0 - timedelta(days=90))
    assert (counts.incidents, counts.updates, counts.fetch_log) == (1, 0, 1)
    assert ids(history.incidents()) == ["new", "mid", "long"]
    counts = history.prune(T0 + timedelta(days=1))
    assert (counts.incidents, counts.updates) == (1, 1)
    assert ids(history.incidents()) == ["new", "long"]
    stored = history.incident("gh", "long")
    assert stored is not None and len(stored.incident.updates) == 2


def test_prune_deletes_old_transitions(store: Store) -> None:
    store.ingest(
        "gh", snap(components=(Component(id="c", name="C"),)), T0, lists_only_current=False
    )
    bad = Component(id="c", name="C", status="degraded")
    store.ingest("gh", snap(components=(bad,)), T0 + 10 * MIN, lists_only_current=False)
    assert store.prune(T0 + 5 * MIN).transitions == 1
    assert [h.new_status for h in store.component_history("gh", "c")] == ["degraded"]
    assert store.components("gh")[0].component.status == "degraded"


# ---- fetch bookkeeping and health -----------------------------------------------------------


def test_record_fetch_updates_endpoint_state(store: Store) -> None:
    url = "https://status.example.com/api/v2/summary.json"
    assert store.endpoint_state(url) is None
    store.record_fetch("gh", url, T0, "ok", http_status=200, latency_ms=100, bytes=10, etag='"a"')
    state = store.endpoint_state(url)
    assert state is not None
    assert (state.etag, state.last_success_at, state.consecutive_failures) == ('"a"', T0, 0)

    events = store.record_fetch("gh", url, T0 + MIN, "error", error="timeout")
    assert [(e.kind, e.detail) for e in events] == [("source_failing", "timeout")]
    assert store.record_fetch("gh", url, T0 + 2 * MIN, "error", error="timeout") == []
    state = store.endpoint_state(url)
    assert state is not None
    assert (state.consecutive_failures, state.last_error, state.etag) == (2, "timeout", '"a"')

    events = store.record_fetch("gh", url, T0 + 3 * MIN, "not_modified", http_status=304)
    assert kinds(events) == ["source_recovered"]
    state = store.endpoint_state(url)
    assert state is not None
    assert (state.consecutive_failures, state.last_error, state.etag) == (0, None, '"a"')
    assert state.last_success_at == T0 + 3 * MIN

    events = store.record_fetch("gh", url, T0 + 4 * MIN, "drifted", etag='"b"', error="bad JSON")
    assert kinds(events) == ["source_drifted"]
    state = store.endpoint_state(url)
    assert state is not None and state.etag == '"a"'  # never skip re-reading a drifted payload
    assert store.counts()["fetch_log"] == 5


def test_health(store: Store) -> None:
    url, interval = "https://x/summary.json", timedelta(minutes=1)
    assert store.health("gh", T0, interval) == "never"
    store.record_fetch("gh", url, T0, "ok")
    assert store.health("gh", T0 + MIN, interval) == "fresh"
    assert store.health("gh", T0 + 4 * MIN, interval) == "stale"
    store.record_fetch("gh", url, T0 + 5 * MIN, "error", error="HTTP 503")
    assert store.health("gh", T0 + 5 * MIN, interval) == "failing"
    store.record_fetch("gh", url, T0 + 6 * MIN, "drifted", error="unexpected shape")
    assert store.health("gh", T0 + 6 * MIN, interval) == "drifted"
    store.record_fetch("gh", url, T0 + 7 * MIN, "not_modified")
    assert store.health("gh", T0 + 7 * MIN, interval) == "fresh"


def test_fetch_stats(store: Store) -> None:
    url = "https://x/a"
    store.record_fetch("gh", url, T0, "ok", latency_ms=100)
    store.record_fetch("gh", url, T0 + MIN, "not_modified", latency_ms=50)
    store.record_fetch("gh", url, T0 + 2 * MIN, "error", latency_ms=30, error="reset")
    store.record_fetch("gh", url, T0 + 3 * MIN, "not_modified", latency_ms=20)
    stats = store.fetch_stats("gh", window=3)
    assert stats.window == 3
    assert stats.mean_latency_ms == pytest.approx((50 + 30 + 20) / 3)
    assert stats.not_modified_share == 1.0
    assert (stats.last_error, stats.last_error_at) == ("reset", T0 + 2 * MIN)
    assert stats.last_success_at == T0 + 3 * MIN
    assert store.fetch_stats("gh").not_modified_share == pytest.approx(2 / 3)
    assert store.fetch_stats("nobody").window == 0


def test_next_due_and_due_endpoints(store: Store) -> None:
    store.set_next_due("https://x/b", T0 + 2 * MIN, source_id="gh")
    store.set_next_due("https://x/a", T0 + MIN)
    store.set_next_due("https://x/c", T0 + 10 * MIN)
    assert store.due_endpoints(T0) == []
    assert store.due_endpoints(T0 + 2 * MIN) == ["https://x/a", "https://x/b"]
    state = store.endpoint_state("https://x/b")
    assert state is not None and (state.next_due_at, state.source_id) == (T0 + 2 * MIN, "gh")


# ---- leases and several processes ---------------------------------------------------------


def test_leases_between_two_store_objects(db_path: Path) -> None:
    a, b = Store.open(db_path), Store.open(db_path)
    url = "https://x/summary.json"
    assert a.try_claim(url, "A", T0, T0 + MIN)
    assert not b.try_claim(url, "B", T0, T0 + MIN)
    assert a.try_claim(url, "A", T0 + 30 * timedelta(seconds=1), T0 + 2 * MIN)  # renewal
    assert not b.try_claim(url, "B", T0 + MIN, T0 + 3 * MIN)  # renewed lease still held
    assert b.try_claim(url, "B", T0 + 2 * MIN + timedelta(seconds=1), T0 + 4 * MIN)  # expired
    b.release(url, "A")  # not A's anymore: no effect
    state = a.endpoint_state(url)
    assert state is not None and state.lease_owner == "B"
    b.release(url, "B")
    assert a.try_claim(url, "A", T0 + 2 * MIN, T0 + 3 * MIN)
    a.close()
    b.close()


def test_claim_if_due_claims_reads_and_releases_in_one_write(db_path: Path) -> None:
    a, b = Store.open(db_path), Store.open(db_path)
    url = "https://x/summary.json"
    claimed, state = a.claim_if_due(url, "A", T0, T0 + MIN)
    assert claimed and state is not None and state.lease_owner == "A"
    assert b.claim_if_due(url, "B", T0, T0 + MIN) == (False, None)  # A is fetching it
    a.record_fetch("gh", url, T0, "not_modified", next_due_at=T0 + 5 * MIN, release_owner="A")
    # B comes a moment later: the fetch A just finished is seen, and the lease is not kept.
    claimed, state = b.claim_if_due(url, "B", T0 + MIN, T0 + 2 * MIN)
    assert not claimed and state is not None and state.next_due_at == T0 + 5 * MIN
    after = a.endpoint_state(url)
    assert after is not None and after.lease_owner is None
    # Forced (a user's refresh), or once due, it is B's.
    assert b.claim_if_due(url, "B", T0 + MIN, T0 + 2 * MIN, force=True)[0]
    b.release(url, "B")
    assert b.claim_if_due(url, "B", T0 + 5 * MIN, T0 + 6 * MIN)[0]
    a.close()
    b.close()


@dataclass(frozen=True)
class _Raises:
    error: Exception

    def apply(self, conn: sqlite3.Connection) -> None:
        conn.execute("UPDATE endpoint_state SET lease_owner = 'nobody'")  # undone with the step
        raise self.error


@dataclass(frozen=True)
class _BadSql:
    def apply(self, conn: sqlite3.Connection) -> None:
        conn.execute("INSERT INTO no_such_table VALUES (1)")


def test_steps_written_together_commit_once_and_fail_alone(db_path: Path) -> None:
    a, b = Store.open(db_path), Store.open(db_path)
    urls = [f"https://x/{n}.json" for n in range(3)]
    before = a.write_transactions
    steps: list[WriteStep[Any]] = [
        Claim(urls[0], "A", T0, T0 + MIN),
        _Raises(ValueError("no")),
        Claim(urls[1], "A", T0, T0 + MIN),
        _BadSql(),
        FetchRecord("gh", urls[2], T0, "not_modified", 304, 12.0, 0, None, None, None),
    ]
    results: list[Any] = a.write_steps(steps)
    assert results[0][0] is True and results[2][0] is True
    assert isinstance(results[1], StepFailed) and str(results[1].error) == "no"
    assert isinstance(results[3], StepFailed) and isinstance(results[3].error, StoreError)
    assert results[4] == []
    # Every step that did not fail stands, seen from another connection; the failed one's
    # change is gone.
    owners = {u: s.lease_owner for u in urls if (s := b.endpoint_state(u)) is not None}
    assert owners == {urls[0]: "A", urls[1]: "A", urls[2]: None}
    assert b.fetch_stats("gh").not_modified_share == 1.0
    # One transaction, and one more to apply the rest again after each failing step.
    assert a.write_transactions - before == 3
    assert a.write_steps([]) == []
    a.close()
    b.close()


def _claim_worker(path: str, owner: str, urls: list[str], start: Any, out: Any) -> None:
    s = Store.open(Path(path))
    start.wait()
    won = [u for u in urls if s.try_claim(u, owner, T0, T0 + MIN)]
    s.close()
    out.put((owner, won))


def test_leases_are_exclusive_across_processes(db_path: Path) -> None:
    Store.open(db_path).close()
    ctx = multiprocessing.get_context("spawn")
    start, out = ctx.Barrier(2), ctx.Queue()
    urls = [f"https://x/{n}" for n in range(40)]
    workers = [
        ctx.Process(target=_claim_worker, args=(str(db_path), owner, urls, start, out))
        for owner in ("P1", "P2")
    ]
    for w in workers:
        w.start()
    results = dict(out.get(timeout=60) for _ in workers)
    for w in workers:
        w.join(timeout=60)
        assert w.exitcode == 0
    assert sorted(results["P1"] + results["P2"]) == sorted(urls)
    assert not set(results["P1"]) & set(results["P2"])
    with Store.open(db_path) as s:
        owners = {u: s.endpoint_state(u).lease_owner for u in urls}  # type: ignore[union-attr]
    assert all(owners[u] == "P1" for u in results["P1"])


def _writer_worker(path: str, source: str, rounds: int, start: Any, out: Any) -> None:
    try:
        s = Store.open(Path(path))
        start.wait()
        for n in range(rounds):
            at = T0 + n * MIN
            item = inc(f"{source}-{n}", started=at, updates=(upd(f"u{n}", at),))
            s.ingest(source, snap(item), at, lists_only_current=False)
            s.record_fetch(source, f"https://{source}/x", at, "ok", latency_ms=1)
            s.incidents(source_id=source, limit=5)
        s.close()
        out.put((source, None))
    except Exception as exc:  # reported to the parent, which fails the test with it
        out.put((source, repr(exc)))


def test_two_processes_write_concurrently_without_lock_errors(db_path: Path) -> None:
    Store.open(db_path).close()
    ctx = multiprocessing.get_context("spawn")
    start, out = ctx.Barrier(2), ctx.Queue()
    workers = [
        ctx.Process(target=_writer_worker, args=(str(db_path), src, 40, start, out))
        for src in ("s1", "s2")
    ]
    for w in workers:
        w.start()
    results = dict(out.get(timeout=120) for _ in workers)
    for w in workers:
        w.join(timeout=60)
    assert results == {"s1": None, "s2": None}
    with Store.open(db_path) as s:
        assert s.counts()["incidents"] == 80
        assert s.counts()["fetch_log"] == 80


def test_threads_share_one_store(store: Store) -> None:
    errors: list[BaseException] = []

    def work(source: str) -> None:
        try:
            for n in range(25):
                at = T0 + n * MIN
                store.ingest(source, snap(inc(f"i{n}", started=at)), at, lists_only_current=False)
                store.incidents(source_id=source)
                store.data_version()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(f"s{k}",)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert store.counts()["incidents"] == 100


def test_data_version_moves_when_another_connection_writes(db_path: Path) -> None:
    viewer, writer = Store.open(db_path), Store.open(db_path)
    first = viewer.data_version()
    assert viewer.data_version() == first
    writer.record_fetch("gh", "https://x/a", T0, "ok")
    second = viewer.data_version()
    assert second != first
    # Writes by the same Store from another thread count too.
    worker = threading.Thread(target=lambda: viewer.record_fetch("gh", "https://x/a", T0, "ok"))
    worker.start()
    worker.join()
    assert viewer.data_version() != second
    viewer.close()
    writer.close()


def test_connections_of_finished_threads_are_released(store: Store) -> None:
    for _ in range(5):
        t = threading.Thread(target=store.counts)
        t.start()
        t.join()
    store.counts()
    assert len(store._connections) <= 2
