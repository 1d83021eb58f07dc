"""Where the history store lives, as the README documents it: the personal default location
versus a path named by ``--db`` or ``WATCHTUI_DB`` (a shared store, or a typo).

Through the CLI, in process; the autouse fixture points the default location (platformdirs'
user state directory) into a temporary home.
"""

from __future__ import annotations

import argparse
import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from watchtui.cli import main
from watchtui.cli.common import EXIT_USAGE, CliError, open_store
from watchtui.config import db_path
from watchtui.store import Store
from watchtui.store import core as store_core


@pytest.fixture
def umask() -> Iterator[None]:
    old = os.umask(0o027)  # a service's UMask=0027
    yield
    os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def error_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err
    [line] = err.strip().splitlines()
    return line


def test_a_named_file_that_is_not_a_store_is_an_error_and_left_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("call the vendor about the outage\n" * 100)
    before = notes.read_bytes()
    assert main(["--db", str(notes), "history", "--json"]) == EXIT_USAGE
    assert "is not a watchtui history store; refusing to touch it" in error_line(capsys)
    assert notes.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_a_named_path_in_a_missing_directory_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("WATCHTUI_DB", str(tmp_path / "var-lib-watchtiu" / "history.sqlite3"))
    assert main(["history", "--json"]) == EXIT_USAGE
    assert "var-lib-watchtiu does not exist" in error_line(capsys)
    assert list(tmp_path.iterdir()) == []


def test_a_named_path_in_an_existing_directory_is_created_under_the_umask(
    tmp_path: Path, umask: None, capsys: pytest.CaptureFixture[str]
) -> None:
    shared = tmp_path / "var-lib-watchtui"
    shared.mkdir(mode=0o750)
    store = shared / "history.sqlite3"
    assert main(["--db", str(store), "history", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert (mode(shared), mode(store)) == (0o750, 0o640)


def test_the_default_location_is_created_private_whatever_the_umask(
    umask: None, capsys: pytest.CaptureFixture[str]
) -> None:
    store = db_path()
    assert not store.parent.exists()
    assert main(["history", "--json"]) == 0
    assert (mode(store.parent), mode(store)) == (0o700, 0o600)


def test_an_unreadable_file_at_the_default_location_is_moved_aside(
    capsys: pytest.CaptureFixture[str],
) -> None:
    store = db_path()
    store.parent.mkdir(parents=True)
    store.write_bytes(b"not a database" * 100)
    assert main(["history", "--json"]) == 0
    assert "moved it to" in capsys.readouterr().err
    [aside] = [p for p in store.parent.iterdir() if ".corrupt-" in p.name]
    assert aside.read_bytes() == b"not a database" * 100


def test_a_store_this_user_may_only_read_is_opened_read_only_except_to_collect(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Root may write anything, so "this user may not write it" is stood in for here; the
    shared-host test makes it true with real users."""
    path = tmp_path / "history.sqlite3"
    Store.open(path).close()
    monkeypatch.setattr(store_core, "cannot_write", lambda _: True)
    args = argparse.Namespace(db=str(path))
    with open_store(args) as store:
        assert store.readonly
    with pytest.raises(CliError, match=r"may only read the history store .* run this command"):
        open_store(args, write=True)
