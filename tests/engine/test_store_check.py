"""The watch screen opens the store without reading all of it (``Store.open(check=False)``): the
engine runs the whole-file check after the first frame, when asked or before its first poll, and
goes on with a fresh store when the old one was corrupt."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from watchtui.config import parse_config
from watchtui.domain.model import Incident, Snapshot
from watchtui.engine.engine import Engine
from watchtui.store import Store, StoreError

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
PAGE = 4096
CONFIG = parse_config({"watch": {"providers": []}})


def snap(*ids: str) -> Snapshot:
    incidents = tuple(
        Incident(
            id=i,
            title=f"Incident {i} " + "x" * 500,
            status="investigating",
            impact="minor",
            started_at=T0,
            updated_at=T0,
        )
        for i in ids
    )
    return Snapshot(kind="statuspage", incidents=incidents)


@pytest.fixture
def damaged(tmp_path: Path) -> Path:
    """A store whose last page is overwritten: it opens without the whole-file check."""
    path = tmp_path / "history.db"
    with Store.open(path) as store:
        for n in range(40):
            store.ingest(
                "gh", snap(*(f"n{n}-{k}" for k in range(10))), T0, lists_only_current=False
            )
    size = path.stat().st_size
    with open(path, "r+b") as handle:
        handle.seek(size - PAGE)
        handle.write(b"\xff" * PAGE)
    return path


def test_the_check_moves_a_corrupt_store_aside_and_says_where(damaged: Path) -> None:
    engine = Engine(Store.open(damaged, check=False), CONFIG)
    notice = engine.check_store()
    assert notice is not None
    aside = engine.store.recovered_from
    assert aside is not None and aside.exists()
    assert notice == f"the history store was unreadable; moved it to {aside} and started a new one"
    assert engine.overview().open_incidents == ()
    assert engine.check_store() is None
    engine.store.close()


def test_the_first_poll_runs_the_check_nobody_ran(damaged: Path) -> None:
    engine = Engine(Store.open(damaged, check=False), CONFIG)
    with pytest.raises(StoreError, match=r"moved it to .* and started a new one"):
        asyncio.run(engine.poll())
    assert engine.store.recovered_from is not None
    assert asyncio.run(engine.poll()) == []  # the next round goes on, on the fresh store
    engine.store.close()


def test_a_sound_store_is_checked_once(tmp_path: Path) -> None:
    path = tmp_path / "history.db"
    with Store.open(path) as store:
        store.ingest("gh", snap("i1"), T0, lists_only_current=False)
    checked = Engine(Store.open(path), CONFIG)  # checked at open: nothing left to do
    assert checked.store.integrity_checked and checked.check_store() is None
    checked.store.close()
    deferred = Engine(Store.open(path, check=False), CONFIG)
    assert not deferred.store.integrity_checked
    assert deferred.check_store() is None
    assert deferred.store.integrity_checked and deferred.store.recovered_from is None
    deferred.store.close()


def test_the_first_overview_loads_no_network_code(tmp_path: Path) -> None:
    """What the first frame waits for: the store, the config (with the catalog it names
    providers from) and the board's own screen, not the poller, httpx, the parsers, the config
    editor or the other screens."""
    probe = (
        "import sys\n"
        "import watchtui.cli.watch\n"
        "from watchtui.config import parse_config\n"
        "from watchtui.engine.engine import Engine\n"
        "from watchtui.store import Store\n"
        "from watchtui.ui.app import WatchApp\n"
        f"store = Store.open({str(tmp_path / 'h.db')!r}, check=False)\n"
        "engine = Engine(store, parse_config({'watch': {'providers': []}}))\n"
        "WatchApp(engine, first_board=engine.overview()).get_default_screen()\n"
        "heavy = ('watchtui.engine.poller', 'watchtui.config.edit', 'tomlkit', 'httpx',"
        " 'watchtui.sources._common', 'watchtui.ui.screens.help',"
        " 'watchtui.ui.screens.incident', 'watchtui.ui.screens.kiosk',"
        " 'watchtui.ui.screens.history', 'watchtui.ui.screens.notifications')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_the_watch_screen_recovers_a_store_its_first_read_finds_damaged(damaged: Path) -> None:
    """``watchtui`` reads the board before the app starts; a damaged store found then is moved
    aside at once (the fast open skipped the check) and the app starts on a fresh one, told why."""
    from watchtui.cli.watch import _first_board

    engine = Engine(Store.open(damaged, check=False), CONFIG)
    with pytest.raises(StoreError):
        engine.overview()  # what the first read meets
    overview, notice = _first_board(engine)
    assert overview.open_incidents == ()
    assert notice is not None and "moved it to" in notice
    engine.store.close()
