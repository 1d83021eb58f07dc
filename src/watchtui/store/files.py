"""Preparing the store's directory and file (private modes), and moving a corrupt file aside."""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime
from pathlib import Path

from watchtui.store.errors import StoreError


def prepare_directory(directory: Path) -> None:
    if directory.is_dir():
        return
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        # mkdir's mode is filtered by the umask; the history is private whatever the umask.
        os.chmod(directory, 0o700)
    except OSError as exc:
        raise StoreError(
            f"cannot create the history directory {directory}: {exc.strerror or exc}", directory
        ) from exc


def prepare_file(path: Path) -> None:
    """Create the database file 0600 before SQLite does, or tighten an existing one."""
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        _tighten_mode(path)
        return
    except OSError as exc:
        raise StoreError(
            f"cannot create the history store {path}: {exc.strerror or exc}", path
        ) from exc
    os.close(fd)
    # os.open's mode, too, is filtered by the umask; never leave the file wider than 0600.
    os.chmod(path, 0o600)


def _tighten_mode(path: Path) -> None:
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise StoreError(f"the history store {path} is not a regular file", path)
        if info.st_mode & 0o077 and info.st_uid == os.getuid():
            os.chmod(path, 0o600)
    except OSError as exc:
        raise StoreError(
            f"cannot access the history store {path}: {exc.strerror or exc}", path
        ) from exc


def move_aside(path: Path, now: datetime) -> Path:
    stamp = now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    aside = path.with_name(f"{path.name}.corrupt-{stamp}")
    counter = 1
    while aside.exists():
        aside = path.with_name(f"{path.name}.corrupt-{stamp}-{counter}")
        counter += 1
    try:
        os.replace(path, aside)
        for suffix in ("-wal", "-shm"):
            companion = path.with_name(path.name + suffix)
            if companion.exists():
                # A WAL left beside a fresh database would be replayed into it.
                os.replace(companion, aside.with_name(aside.name + suffix))
    except OSError as exc:
        raise StoreError(
            f"the history store {path} is corrupt and could not be moved aside: "
            f"{exc.strerror or exc}",
            path,
        ) from exc
    return aside
