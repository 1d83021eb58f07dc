"""The store on disk: preparing its directory and file, telling whether this process may write
it, recognising a watchtui file, and moving a corrupt one aside.

Two kinds of location (``Store.open(explicit=...)``):

* the default one (platformdirs' user state directory) is personal: a missing directory is
  created 0700 and a new file 0600, whatever the umask (the README's promise);
* a path the user named (``--db`` / ``WATCHTUI_DB``) may be shared: its directory must exist
  already (a typo must not silently start an empty history somewhere else), and a new file
  takes the process umask like any file the process creates, so a collector started with
  systemd's ``UMask=0027`` makes a store its group can read.  Its owner may always read and
  write it.  SQLite gives the ``-wal`` and ``-shm`` files the database file's mode.

Either way, an existing file or directory keeps its mode: a wider one is an admin's decision.
"""

from __future__ import annotations

import grp
import os
import pwd
import stat
from datetime import UTC, datetime
from pathlib import Path

from watchtui.store.errors import StoreError
from watchtui.store.schema import APPLICATION_ID

_SQLITE_MAGIC = b"SQLite format 3\x00"
_HEADER_SIZE = 100
# Where SQLite's header keeps PRAGMA application_id (big-endian).
_APPLICATION_ID_AT = 68


def prepare_directory(directory: Path, *, explicit: bool) -> None:
    try:
        if stat.S_ISDIR(os.stat(directory).st_mode):
            return
        raise StoreError(f"the history store's directory {directory} is not a directory", directory)
    except (FileNotFoundError, NotADirectoryError):
        pass
    except OSError as exc:
        raise StoreError(
            f"cannot reach the history directory {directory}: {exc.strerror or exc}", directory
        ) from exc
    if explicit:
        raise StoreError(
            f"the history store's directory {directory} does not exist (create it, or name "
            "another history file)",
            directory,
        )
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        # mkdir's mode is filtered by the umask; the personal history is private whatever it is.
        os.chmod(directory, 0o700)
    except OSError as exc:
        raise StoreError(
            f"cannot create the history directory {directory}: {exc.strerror or exc}", directory
        ) from exc


def prepare_file(path: Path, *, explicit: bool) -> None:
    """Create the database file before SQLite does, so its mode is ours to choose (see above);
    an existing file is only checked, never chmod'ed."""
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666 if explicit else 0o600)
    except FileExistsError:
        _check_regular(path)
        return
    except OSError as exc:
        raise StoreError(
            f"cannot create the history store {path}: {exc.strerror or exc}", path
        ) from exc
    try:
        mode = stat.S_IMODE(os.fstat(fd).st_mode)
        # The umask has filtered os.open's mode: the personal store is exactly 0600, and a named
        # one keeps what the umask allows plus read-write for its owner (a umask such as 0277
        # must not leave the creator unable to write its own history).
        wanted = (mode | 0o600) if explicit else 0o600
        if mode != wanted:
            os.fchmod(fd, wanted)
    finally:
        os.close(fd)


def _check_regular(path: Path) -> None:
    try:
        info = os.stat(path)
    except OSError as exc:
        raise StoreError(
            f"cannot access the history store {path}: {exc.strerror or exc}", path
        ) from exc
    if not stat.S_ISREG(info.st_mode):
        raise StoreError(f"the history store {path} is not a regular file", path)


def _may(path: Path, mode: int) -> bool:
    # The effective ids decide what open() may do (runuser, setuid wrappers).
    return os.access(path, mode, effective_ids=os.access in os.supports_effective_ids)


def cannot_write(path: Path) -> bool:
    """Whether the store exists but this process may not change it (the file, or the directory
    where SQLite keeps its -wal and -shm files): it is then opened read-only.  A file that does
    not exist yet is to be created (which fails later, with its own message, if it cannot be)."""
    try:
        os.stat(path)
    except PermissionError:
        return True
    except OSError:
        return False
    return not (_may(path, os.W_OK) and _may(path.parent, os.W_OK | os.X_OK))


def check_readable(path: Path) -> None:
    """Raise a one-line ``StoreError`` unless this process can read the store at ``path``."""
    try:
        info = os.stat(path)
    except FileNotFoundError as exc:
        raise StoreError(f"there is no history store at {path}", path) from exc
    except PermissionError as exc:
        raise StoreError(
            f"permission denied: this user cannot reach the history store {path}"
            + _who_may(path.parent),
            path,
        ) from exc
    except OSError as exc:
        raise StoreError(
            f"cannot access the history store {path}: {exc.strerror or exc}", path
        ) from exc
    if not stat.S_ISREG(info.st_mode):
        raise StoreError(f"the history store {path} is not a regular file", path)
    if not _may(path, os.R_OK):
        raise StoreError(
            f"permission denied: this user cannot read the history store {path}" + _who_may(path),
            path,
        )
    for suffix in ("-wal", "-shm"):
        companion = path.with_name(path.name + suffix)
        if companion.exists() and not _may(companion, os.R_OK):
            # They keep the mode the store had when its writer opened it: a store chmod'ed
            # since needs its writer restarted.
            raise StoreError(
                f"permission denied: this user cannot read {companion}{_who_may(companion)}; "
                "restart the store's writer after changing the store's mode",
                path,
            )


def _who_may(target: Path) -> str:
    """`` (<target> is drwxr-x--- owner:group)``, so the message says whom to ask; empty when
    even that cannot be looked up."""
    try:
        info = os.stat(target)
        owner = pwd.getpwuid(info.st_uid).pw_name
        group = grp.getgrgid(info.st_gid).gr_name
    except (OSError, KeyError):
        return ""
    return f" ({target} is {stat.filemode(info.st_mode)} {owner}:{group})"


def not_a_store(path: Path) -> StoreError:
    return StoreError(
        f"{path} is not a watchtui history store; refusing to touch it (name another history file)",
        path,
    )


def check_sqlite(path: Path) -> None:
    """Refuse a non-empty file that is not even SQLite before SQLite opens it (which may create
    -wal and -shm files beside it).  An empty file becomes a new store."""
    try:
        size = os.stat(path).st_size
        with open(path, "rb") as handle:
            header = handle.read(_HEADER_SIZE)
    except OSError as exc:
        raise StoreError(
            f"cannot read the history store {path}: {exc.strerror or exc}", path
        ) from exc
    if size and not (len(header) == _HEADER_SIZE and header.startswith(_SQLITE_MAGIC)):
        raise not_a_store(path)


def in_wal_mode(path: Path) -> bool:
    """Whether the header says the database is in WAL mode (read and write versions 2)."""
    try:
        with open(path, "rb") as handle:
            header = handle.read(_HEADER_SIZE)
    except OSError:
        return False
    return len(header) == _HEADER_SIZE and header[18:20] == b"\x02\x02"


def carries_store_header(path: Path) -> bool:
    """Whether the file's header says watchtui made it (SQLite's magic and watchtui's
    application_id), however damaged the rest of it is."""
    try:
        with open(path, "rb") as handle:
            header = handle.read(_APPLICATION_ID_AT + 4)
    except OSError:
        return False
    return (
        len(header) == _APPLICATION_ID_AT + 4
        and header.startswith(_SQLITE_MAGIC)
        and int.from_bytes(header[_APPLICATION_ID_AT:], "big") == APPLICATION_ID
    )


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
