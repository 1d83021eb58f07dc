"""``watchtui config path|check|show``: where the config is, whether it holds, what it means."""

from __future__ import annotations

import argparse
from typing import TextIO

from watchtui.cli.common import load, print_json
from watchtui.cli.output import count
from watchtui.config import config_path, resolve_sources

__all__ = ["cmd_config"]


def cmd_config(args: argparse.Namespace, out: TextIO) -> int:
    if args.action == "path":
        # Just the path, even when absent: `$EDITOR "$(watchtui config path)"` creates it.
        out.write(f"{config_path(args.config)}\n")
        return 0
    path, config = load(args)
    sources = resolve_sources(config)
    if args.action == "check":
        where = str(path) if path.exists() else f"{path} (absent: defaults apply)"
        out.write(
            f"ok: {where}; {count(len(sources), 'source')}, {count(len(config.probes), 'probe')}\n"
        )
        return 0
    print_json(
        {
            "path": str(path),
            "exists": path.exists(),
            "config": config.model_dump(mode="json"),
            "sources": [spec.model_dump(mode="json") for spec in sources],
        },
        out,
    )
    return 0
