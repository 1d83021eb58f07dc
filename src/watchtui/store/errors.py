"""The store's one exception, and how raw ``sqlite3`` errors are classified and described."""

from __future__ import annotations

import sqlite3
from pathlib import Path

_SQLITE_PERM = 3
_SQLITE_BUSY = 5
_SQLITE_LOCKED = 6
_SQLITE_READONLY = 8
_SQLITE_IOERR = 10
_SQLITE_CORRUPT = 11
_SQLITE_FULL = 13
_SQLITE_CANTOPEN = 14
_SQLITE_NOTADB = 26


class StoreError(Exception):
    """The history store cannot do what was asked; ``str()`` is a clear, printable sentence."""

    def __init__(self, message: str, path: Path | None = None) -> None:
        super().__init__(message)
        self.path = path


def newer_schema(path: Path, version: int, known: int) -> StoreError:
    return StoreError(
        f"the history store {path} was written by a newer watchtui (schema v{version}; this one "
        f"reads up to v{known}); upgrade watchtui to read it",
        path,
    )


def not_upgradable(path: Path, version: int, known: int) -> StoreError:
    """A store this process may only read is older than ``known``, the schema it reads."""
    if version == 0:
        return StoreError(
            f"the history store {path} is empty: its owner's watchtui has not set it up yet", path
        )
    return StoreError(
        f"the history store {path} is at schema v{version} and this watchtui needs v{known}; "
        "this user may only read it, so cannot upgrade it: run this watchtui once as its owner "
        "(e.g. restart its collector)",
        path,
    )


def corrupt_read_only(path: Path) -> StoreError:
    return StoreError(
        f"the history store {path} is corrupt, and this user may only read it: run watchtui "
        "once as its owner to move it aside",
        path,
    )


def read_only(path: Path) -> StoreError:
    return StoreError(f"cannot change the history store {path}: this user may only read it", path)


class CorruptStore(Exception):
    """Internal: the file at open time is not a usable SQLite database."""


def _code(exc: sqlite3.Error) -> int:
    return int(getattr(exc, "sqlite_errorcode", 0) or 0) & 0xFF


def is_busy(exc: sqlite3.Error) -> bool:
    return _code(exc) in (_SQLITE_BUSY, _SQLITE_LOCKED) or "locked" in str(exc)


def is_corrupt(exc: sqlite3.Error) -> bool:
    return _code(exc) in (_SQLITE_CORRUPT, _SQLITE_NOTADB)


def describe(exc: sqlite3.Error, path: Path, attempts: int) -> str:
    """A sentence for the user; ``attempts``: how many tries a busy store was given."""
    code = _code(exc)
    messages = {
        _SQLITE_FULL: f"the disk holding the history store {path} is full",
        _SQLITE_READONLY: f"the history store {path} is read-only (check the file and directory "
        "permissions)",
        _SQLITE_CANTOPEN: f"cannot open the history store {path} (check that its directory "
        "exists and is writable)",
        _SQLITE_PERM: f"permission denied on the history store {path}",
        _SQLITE_IOERR: f"disk I/O error on the history store {path}",
        _SQLITE_CORRUPT: f"the history store {path} is corrupt; restart watchtui to move it "
        "aside and start a fresh one",
        _SQLITE_NOTADB: f"{path} is not a watchtui history store",
    }
    if code in (_SQLITE_BUSY, _SQLITE_LOCKED) or is_busy(exc):
        return (
            f"the history store {path} stayed locked by another process; gave up after "
            f"{attempts} tries"
        )
    return messages.get(code, f"history store error on {path}: {exc}")
