"""``watchtui config path|check|show``: where the config is, whether it holds, what it means.

``check`` exits 0 when the config holds and names nothing it does not poll, 1 (WARNING) when it
holds but some entry names nothing (``config.lint``), 3 when it does not hold.
"""

from __future__ import annotations

import argparse
from typing import TextIO

from watchtui.cli.common import EXIT_OK, EXIT_WARNING, load, print_json
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
        from watchtui.config.lint import config_warnings

        warnings = config_warnings(config)
        for warning in warnings:
            out.write(f"warning: {warning}\n")
        verdict = "ok" if not warnings else f"holds, with {count(len(warnings), 'warning')}"
        out.write(
            f"{verdict}: {where}; {count(len(sources), 'source')}, "
            f"{count(len(config.probes), 'probe')}\n"
        )
        return EXIT_WARNING if warnings else EXIT_OK
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
