"""The digest that lets a re-polled history skip reading its updates back, and the path that
still has to compare them."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from watchtui.domain.model import Incident, IncidentUpdate, Snapshot
from watchtui.store import Store
from watchtui.store.ingest_incidents import updates_digest

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)


def _update(
    uid: str, at: datetime, status: str = "investigating", text: str = ""
) -> IncidentUpdate:
    return IncidentUpdate(id=uid, at=at, status=status, text=text or f"text of {uid}")


def _snapshot(*updates: IncidentUpdate) -> Snapshot:
    newest = max((u.at for u in updates), default=T0)
    incident = Incident(
        id="i1",
        title="Errors",
        status="investigating",
        impact="minor",
        started_at=T0,
        updated_at=newest,
        updates=updates,
    )
    return Snapshot(kind="statuspage", incidents=(incident,))


BASE = (_update("u2", T0 + MIN, text="second"), _update("u1", T0, text="first"))


@pytest.mark.parametrize(
    "changed",
    [
        pytest.param((_update("u3", T0 + MIN, text="second"), BASE[1]), id="id"),
        pytest.param((_update("u2", T0 + MIN, "identified", "second"), BASE[1]), id="status"),
        pytest.param((_update("u2", T0 + MIN, text="second!"), BASE[1]), id="text"),
        pytest.param(
            (_update("u2", T0 + MIN + timedelta(microseconds=1), text="second"), BASE[1]),
            id="instant, by a microsecond",
        ),
        pytest.param(BASE[:1], id="one update fewer"),
        pytest.param((_update("u0", T0 + 2 * MIN), *BASE), id="one update more"),
    ],
)
def test_the_digest_changes_with_anything_the_store_keeps(
    changed: tuple[IncidentUpdate, ...],
) -> None:
    assert updates_digest(changed) != updates_digest(BASE)


def test_fields_holding_the_separator_are_told_apart() -> None:
    # The model allows any text in a field: the same text joined, split differently.
    one = (IncidentUpdate(id="a\x1fb", at=T0, status="c", text="d"),)
    other = (IncidentUpdate(id="a", at=T0, status="b\x1fc", text="d"),)
    assert "\x1f".join(("a\x1fb", "c", "d")) == "\x1f".join(("a", "b\x1fc", "d"))
    assert updates_digest(one) != updates_digest(other)


def test_the_same_instant_written_in_another_zone_is_the_same_digest() -> None:
    # The store keeps instants (as UTC): an offset that names the same instant stores the same row.
    tokyo = timezone(timedelta(hours=9))
    same = tuple(
        IncidentUpdate(id=u.id, at=u.at.astimezone(tokyo), status=u.status, text=u.text)
        for u in BASE
    )
    assert updates_digest(same) == updates_digest(BASE)


def test_an_edit_after_unchanged_re_polls_is_still_stored(tmp_path: Path) -> None:
    with Store.open(tmp_path / "history.db") as store:
        for minute in range(3):  # the first writes, the next two find nothing new
            store.ingest("gh", _snapshot(*BASE), T0 + minute * MIN, lists_only_current=False)
        edited = (_update("u2", T0 + MIN, text="second, corrected"), BASE[1])
        store.ingest("gh", _snapshot(*edited), T0 + 3 * MIN, lists_only_current=False)
        stored = store.incident("gh", "i1")
    assert stored is not None
    assert [(u.id, u.text) for u in stored.incident.updates] == [
        ("u2", "second, corrected"),
        ("u1", "first"),
    ]


def test_incidents_stored_before_the_digest_are_compared_update_by_update(tmp_path: Path) -> None:
    path = tmp_path / "history.db"
    with Store.open(path) as store:
        store.ingest("gh", _snapshot(*BASE), T0, lists_only_current=False)
    # As a v4 store left it (the v5 migration adds the column empty), with an update the feed
    # has since brought back as it was: only comparing the stored updates can see the difference.
    conn = sqlite3.connect(path)
    conn.execute("UPDATE incidents SET updates_digest = NULL")
    conn.execute("UPDATE updates SET text = 'stale' WHERE update_id = 'u1'")
    conn.commit()
    conn.close()
    with Store.open(path) as store:
        store.ingest("gh", _snapshot(*BASE), T0 + MIN, lists_only_current=False)
        stored = store.incident("gh", "i1")
    assert stored is not None
    assert [(u.id, u.text) for u in stored.incident.updates] == [("u2", "second"), ("u1", "first")]
    conn = sqlite3.connect(path)
    (digest,) = conn.execute("SELECT updates_digest FROM incidents").fetchone()
    conn.close()
    assert digest == updates_digest(BASE)


def test_a_new_update_after_unchanged_re_polls_is_news_once(tmp_path: Path) -> None:
    with Store.open(tmp_path / "history.db") as store:
        for minute in range(3):
            store.ingest("gh", _snapshot(*BASE), T0 + minute * MIN, lists_only_current=False)
        newer = (_update("u3", T0 + 2 * MIN, "identified", "third"), *BASE)
        events = [
            store.ingest("gh", _snapshot(*newer), T0 + (3 + n) * MIN, lists_only_current=False)
            for n in range(2)
        ]
    assert [(e.kind, e.detail) for e in events[0]] == [("update_added", "third")]
    assert events[1] == []


def test_an_update_listed_twice_keeps_its_newest_version(tmp_path: Path) -> None:
    # Feeds list updates newest first; one id given twice is stored as the first-listed, on the
    # first ingest, when a later one compares with what is stored, and after that.
    twice = (_update("u2", T0 + MIN, text="second, corrected"), _update("u2", T0, text="second"))
    with Store.open(tmp_path / "history.db") as store:
        store.ingest("gh", _snapshot(*twice), T0, lists_only_current=False)
        texts = [store.incident("gh", "i1").incident.updates[0].text]  # type: ignore[union-attr]
        grown = (_update("u3", T0 + 2 * MIN, text="third"), *twice)
        for minute in (1, 2):
            store.ingest("gh", _snapshot(*grown), T0 + minute * MIN, lists_only_current=False)
            stored = store.incident("gh", "i1")
            assert stored is not None
            texts.append({u.id: u.text for u in stored.incident.updates}["u2"])
    assert texts == ["second, corrected"] * 3


def test_a_new_update_listed_twice_is_news_once_in_its_newest_version(tmp_path: Path) -> None:
    with Store.open(tmp_path / "history.db") as store:
        store.ingest("gh", _snapshot(*BASE), T0, lists_only_current=False)
        twice = (_update("u3", T0 + 3 * MIN, text="third, corrected"), _update("u3", T0 + 2 * MIN))
        events = store.ingest("gh", _snapshot(*twice, *BASE), T0 + MIN, lists_only_current=False)
    assert [(e.kind, e.detail, e.at) for e in events] == [
        ("update_added", "third, corrected", T0 + 3 * MIN)
    ]
