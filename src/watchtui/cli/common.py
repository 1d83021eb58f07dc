"""What every command shares: loading the config and the store, printing, failing on one line."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Collection
from pathlib import Path
from typing import Any, TextIO

from watchtui.config import (
    Config,
    config_path,
    db_path,
    load_config,
)
from watchtui.domain.assessment import EXIT_CRITICAL, EXIT_OK, EXIT_UNKNOWN, EXIT_WARNING
from watchtui.store import Store

__all__ = [
    "EXIT_CRITICAL",
    "EXIT_OK",
    "EXIT_UNKNOWN",
    "EXIT_USAGE",
    "EXIT_WARNING",
    "CliError",
    "config_file",
    "load",
    "open_store",
    "print_json",
    "resolve_source_id",
]

# Usage, config and unknown-id errors are UNKNOWN in the monitoring-plugin convention: a check
# that cannot run must never read as CRITICAL (2), which means "the thing watched is down".
EXIT_USAGE = EXIT_UNKNOWN


class CliError(Exception):
    """A failure to report on one line (``watchtui: …``) and exit 3."""


def config_file(args: argparse.Namespace, *, may_create: bool = False) -> Path:
    """The config file the command uses.  Only the default location may be absent (defaults
    apply): a path given by ``--config`` or ``WATCHTUI_CONFIG`` that does not exist is a typo,
    unless the command writes the config (``may_create``) and so creates it."""
    path = config_path(args.config)
    explicit = bool(args.config or os.environ.get("WATCHTUI_CONFIG"))
    if explicit and not may_create and not path.exists():
        origin = "--config" if args.config else "WATCHTUI_CONFIG"
        raise CliError(f"{path}: no such config file (named by {origin})")
    return path


def load(args: argparse.Namespace, *, may_create: bool = False) -> tuple[Path, Config]:
    path = config_file(args, may_create=may_create)
    config = load_config(path)
    return path, config


def open_store(args: argparse.Namespace, *, write: bool = False, check: bool = True) -> Store:
    """The history store: read-only when this user may not write it (a viewer of a shared
    collector's store), unless the command exists to ``write`` it (``collect``).  A path named
    by ``--db`` or ``WATCHTUI_DB`` must be in an existing directory and is never renamed unless
    it is a damaged watchtui store; see ``Store.open``.  ``check=False``: the whole-file
    integrity check is left to ``Store.check_integrity`` (the watch screen runs it once its
    first frame is up)."""
    explicit = bool(args.db or os.environ.get("WATCHTUI_DB"))
    store = Store.open(db_path(args.db), explicit=explicit, check=check)
    if write and store.readonly:
        store.close()
        raise CliError(
            f"this user may only read the history store {store.path}; run this command as its owner"
        )
    if store.recovered_from is not None:
        print(
            f"watchtui: the history store was unreadable; moved it to {store.recovered_from} "
            "and started a new one",
            file=sys.stderr,
        )
    return store


def resolve_source_id(raw: str, known: Collection[str]) -> str:
    """``raw`` as one of the ``known`` source ids, a catalog alias (``gh``) included; an id
    nobody knows is an error, never an empty answer."""
    if raw in known:
        return raw
    from watchtui import catalog

    entry = catalog.get(raw)
    if entry is not None and entry.id in known:
        return entry.id
    raise CliError(f"unknown source {raw!r} (see `watchtui sources list`)")


def print_json(value: Any, out: TextIO) -> None:
    json.dump(value, out, indent=2, ensure_ascii=False)
    out.write("\n")
