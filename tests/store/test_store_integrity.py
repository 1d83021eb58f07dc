"""The whole-file integrity check, at open or later: ``Store.open(check=False)`` leaves
``PRAGMA quick_check`` to ``check_integrity``, and a corrupt store found then meets the fate it
meets at open (moved aside for a fresh one, or refused when it may not be moved)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from tests.store.conftest import T0, snap
from watchtui.store import Store, StoreError


def test_open_checks_the_whole_file_by_default(healthy: Path) -> None:
    with Store.open(healthy) as store:
        assert store.integrity_checked
        assert store.check_integrity() is None


def test_open_moves_a_damaged_store_aside_at_once(damaged: Path) -> None:
    with Store.open(damaged) as store:
        assert store.recovered_from is not None and store.incidents() == []


def test_a_deferred_check_of_a_healthy_store_changes_nothing(healthy: Path) -> None:
    with Store.open(healthy, check=False) as store:
        assert not store.integrity_checked
        assert [s.incident.id for s in store.incidents()] == ["i1"]
        assert store.check_integrity() is None
        assert store.integrity_checked and store.recovered_from is None
        assert store.check_integrity() is None  # once is enough
        assert [s.incident.id for s in store.incidents()] == ["i1"]


def test_a_damaged_store_opens_without_the_check(damaged: Path) -> None:
    with Store.open(damaged, check=False) as store:
        assert store.recovered_from is None and not store.integrity_checked


def test_a_damaged_store_found_later_is_moved_aside_for_a_fresh_one(damaged: Path) -> None:
    content = damaged.read_bytes()
    with Store.open(damaged, check=False) as store:
        before = store.data_version()
        # Another thread has its own connection to the damaged file.
        threading.Thread(target=store.sources).start()
        aside = store.check_integrity()
        assert aside is not None and store.recovered_from == aside
        assert aside.name.startswith("history.db.corrupt-")
        assert aside.read_bytes() == content
        assert store.integrity_checked
        assert store.data_version() != before  # readers notice the change
        assert store.incidents() == []
        store.ingest("gh", snap("fresh"), T0, lists_only_current=False)
        done: list[list[str]] = []
        reader = threading.Thread(target=lambda: done.append([s.id for s in store.sources()]))
        reader.start()
        reader.join()
        assert done == [["gh"]]
    with Store.open(damaged) as reopened:
        assert [s.incident.id for s in reopened.incidents()] == ["fresh"]


def test_a_damaged_store_found_later_by_a_reader_is_reported_not_moved(damaged: Path) -> None:
    before = sorted(p.name for p in damaged.parent.iterdir())
    with Store.open(damaged, readonly=True, check=False) as store:
        with pytest.raises(StoreError, match="corrupt, and this user may only read it"):
            store.check_integrity()
        assert store.check_integrity() is None  # said once
    assert sorted(p.name for p in damaged.parent.iterdir()) == before


def test_two_threads_asking_at_once_move_the_store_aside_once(damaged: Path) -> None:
    with Store.open(damaged, check=False) as store:
        answers: list[Path | None] = []
        threads = [
            threading.Thread(target=lambda: answers.append(store.check_integrity()))
            for _ in range(2)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        moved = [answer for answer in answers if answer is not None]
        assert len(answers) == 2 and moved == [store.recovered_from]
    assert len(list(damaged.parent.glob("history.db.corrupt-*"))) == 1
