"""Every change to the config file goes through ``edit_config``: one locked read-modify-write.

Without the lock, two writers (``watchtui sources add`` in parallel, a TUI and a CLI) both read
the old file and the later write drops the earlier one's change.  The document is edited with
tomlkit so the operator's comments, order and layout survive; the result is validated exactly as
loading would validate it before anything is written; and the write is atomic and durable (temp
file in the same directory, fsync, rename, fsync of the directory) with the file's mode kept.

Locking is POSIX ``flock`` on a lock file beside the config, honoured by every watchtui process;
an editor saving the file meanwhile is not excluded (its save and ours are each atomic).
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

import tomlkit
from tomlkit import TOMLDocument
from tomlkit.exceptions import TOMLKitError

from watchtui.config.load import ConfigError, parse_text, read_text
from watchtui.config.paths import lock_path
from watchtui.config.schema import Config

__all__ = ["LOCK_TIMEOUT", "Edit", "Mutation", "apply_edit", "edit_config", "write_raw"]

T = TypeVar("T")
Mutation = Callable[[TOMLDocument], T]

# A writer holds the lock for milliseconds; waiting this long means one is stuck.
LOCK_TIMEOUT = 10.0
# New files: the config may name internal hosts and probe URLs carrying tokens.
NEW_FILE_MODE = 0o600
NEW_DIR_MODE = 0o700


@dataclass(frozen=True)
class Edit(Generic[T]):
    config: Config  # the validated config now in the file
    result: T  # what the mutation returned
    written: bool  # False when the mutation changed nothing and the file was left alone


def edit_config(path: Path, mutate: Mutation[T], *, timeout: float = LOCK_TIMEOUT) -> Edit[T]:
    """Apply ``mutate`` to the file at ``path`` (created when absent) under an exclusive lock.

    ``mutate`` edits the tomlkit document in place; it should be quick (do network work before
    calling).  If it raises, or leaves a config that would not load, nothing is written and the
    error propagates (``ConfigError`` naming the file and key for an invalid result).
    """
    with _locked(path, timeout):
        before = read_text(path)
        doc = _parse_document(before or "", path)
        try:
            result = mutate(doc)
        except ConfigError as exc:
            raise _with_path(exc, path) from exc
        after = doc.as_string()
        if before is not None and after == before:
            return Edit(parse_text(before, path), result, written=False)
        if before is None and not after:
            return Edit(Config(), result, written=False)
        config = parse_text(after, path)
        _write(path, after)
        return Edit(config, result, written=True)


def apply_edit(config: Config, mutate: Mutation[T]) -> Edit[T]:
    """The same edit applied to a config held only in memory (an engine without a file)."""
    text = tomlkit.dumps(config.model_dump(mode="json", exclude_defaults=True))
    doc = tomlkit.parse(text)
    result = mutate(doc)
    after = doc.as_string()
    return Edit(parse_text(after), result, written=False)


def write_raw(path: Path, raw: Mapping[str, Any]) -> Config:
    """Replace the whole file with ``raw`` (validated first; comments are not kept).  Kept for
    callers that build a complete config; prefer ``edit_config`` for changes."""
    text = tomlkit.dumps(dict(raw))
    config = parse_text(text, path)
    with _locked(path, LOCK_TIMEOUT):
        _write(path, text)
    return config


# --- plumbing -----------------------------------------------------------------------------------


def _parse_document(text: str, path: Path) -> TOMLDocument:
    try:
        return tomlkit.parse(text)
    except TOMLKitError as exc:
        raise ConfigError(path, f"invalid TOML: {exc}") from exc


def _with_path(exc: ConfigError, path: Path) -> ConfigError:
    if exc.path is not None:
        return exc
    message = str(exc).removeprefix("config: ")
    return ConfigError(path, message)


@contextlib.contextmanager
def _locked(path: Path, timeout: float) -> Iterator[None]:
    import fcntl  # POSIX only; imported here so loading the config works anywhere

    lock = lock_path(path)
    try:
        lock.parent.mkdir(parents=True, exist_ok=True, mode=NEW_DIR_MODE)
        fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, NEW_FILE_MODE)
    except OSError as exc:
        raise ConfigError(path, f"cannot lock {lock}: {exc.strerror or exc}") from exc
    try:
        deadline = time.monotonic() + timeout
        delay = 0.005
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise ConfigError(
                        path, f"another watchtui has held {lock} for {timeout:g}s; try again"
                    ) from None
                time.sleep(delay)
                delay = min(delay * 2, 0.1)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def _write(path: Path, text: str) -> None:
    try:
        _replace(path, text)
    except OSError as exc:
        raise ConfigError(path, f"cannot write: {exc.strerror or exc}") from exc


def _replace(path: Path, text: str) -> None:
    """Atomically put ``text`` at ``path``, keeping an existing file's mode and owner."""
    # A symlinked config (dotfile managers) is written through, not replaced by a plain file.
    real = Path(os.path.realpath(path))
    real.parent.mkdir(parents=True, exist_ok=True, mode=NEW_DIR_MODE)
    try:
        existing: os.stat_result | None = os.stat(real)
    except FileNotFoundError:
        existing = None
    # mkstemp creates the file 0600 (less any umask bits), the mode new configs get.
    fd, tmp = tempfile.mkstemp(dir=real.parent, prefix=f".{real.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            if existing is not None:
                _keep_identity(handle.fileno(), existing)
            os.fsync(handle.fileno())
        os.replace(tmp, real)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _fsync_directory(real.parent)


def _keep_identity(fd: int, existing: os.stat_result) -> None:
    os.fchmod(fd, stat.S_IMODE(existing.st_mode))
    if (existing.st_uid, existing.st_gid) != (os.geteuid(), os.getegid()):
        # `sudo watchtui sources add` must not leave the user's config owned by root; only a
        # privileged writer can give it back, and anyone else keeps their own ownership.
        with contextlib.suppress(PermissionError):
            os.fchown(fd, existing.st_uid, existing.st_gid)


def _fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
