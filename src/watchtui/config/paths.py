"""Where the config and the history store live: a flag, else an environment variable, else the
platformdirs user directories."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

__all__ = ["APP_NAME", "config_path", "db_path", "lock_path"]

APP_NAME = "watchtui"


def config_path(override: str | os.PathLike[str] | None = None) -> Path:
    if override:
        return Path(override).expanduser()
    env = os.environ.get("WATCHTUI_CONFIG")
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml"


def db_path(override: str | os.PathLike[str] | None = None) -> Path:
    """The history store: ``--db`` / ``WATCHTUI_DB``, else the platformdirs user state dir."""
    if override:
        return Path(override).expanduser()
    env = os.environ.get("WATCHTUI_DB")
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_state_dir(APP_NAME)) / "history.sqlite3"


def lock_path(config: Path) -> Path:
    """The file every config writer locks.  It sits beside the real file (a symlinked config,
    as dotfile managers make, is locked where it is written) and is never deleted: a writer
    holding a lock on an unlinked file would not exclude one that created a new file."""
    real = Path(os.path.realpath(config))
    return real.with_name(real.name + ".lock")
