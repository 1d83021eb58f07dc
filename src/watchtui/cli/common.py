"""What every command shares: loading the config and the store, printing, failing on one line."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, TextIO

from watchtui.config import Config, config_path, db_path, load_config
from watchtui.domain.assessment import EXIT_CRITICAL, EXIT_OK, EXIT_UNKNOWN, EXIT_WARNING
from watchtui.store import Store

__all__ = [
    "EXIT_CRITICAL",
    "EXIT_OK",
    "EXIT_UNKNOWN",
    "EXIT_USAGE",
    "EXIT_WARNING",
    "CliError",
    "load",
    "open_store",
    "print_json",
]

EXIT_USAGE = 2


class CliError(Exception):
    """A failure to report on one line and exit 2."""


def load(args: argparse.Namespace) -> tuple[Path, Config]:
    path = config_path(args.config)
    return path, load_config(path)


def open_store(args: argparse.Namespace) -> Store:
    store = Store.open(db_path(args.db))
    if store.recovered_from is not None:
        print(
            f"watchtui: the history store was unreadable; moved it to {store.recovered_from} "
            "and started a new one",
            file=sys.stderr,
        )
    return store


def print_json(value: Any, out: TextIO) -> None:
    json.dump(value, out, indent=2, ensure_ascii=False)
    out.write("\n")
