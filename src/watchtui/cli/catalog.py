"""``watchtui catalog [QUERY]``: the built-in providers, or the best matches for a query.

The search is ``search_catalog``, the one the UI's catalogue picker runs on every keystroke.
"""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from watchtui import catalog
from watchtui.catalog import CatalogEntry
from watchtui.cli.common import load, print_json
from watchtui.cli.output import table
from watchtui.config import watched_providers
from watchtui.ui.catalog_search import search_catalog

__all__ = ["QUERY_LIMIT", "cmd_catalog"]

QUERY_LIMIT = 20


def cmd_catalog(args: argparse.Namespace, out: TextIO) -> int:
    _, config = load(args)
    query: str = args.query.strip()
    everything = catalog.load_catalog()
    limit = args.limit if args.limit is not None else (QUERY_LIMIT if query else len(everything))
    entries = search_catalog(query, limit=limit) if query else list(everything[: max(limit, 0)])
    watched = set(watched_providers(config.watch))
    defaults = set(catalog.default_ids())
    rows = [_row(entry, entry.id in watched, entry.id in defaults) for entry in entries]
    if args.json:
        print_json(rows, out)
        return 0
    if not rows:
        out.write(f"no catalog entry matches {query!r}\n")
        return 0
    yes = {True: "yes", False: "-"}
    lines = [
        [
            row["id"],
            row["name"],
            row["kind"],
            yes[row["pollable"]],
            yes[row["default"]],
            yes[row["watched"]],
            row["category"],
        ]
        for row in rows
    ]
    header = ["ID", "NAME", "KIND", "FEED", "DEFAULT", "WATCHED", "CATEGORY"]
    out.write(table(header, lines, widest=(28, 28)))
    return 0


def _row(entry: CatalogEntry, watched: bool, default: bool) -> dict[str, Any]:
    return {
        "id": entry.id,
        "name": entry.name,
        "kind": entry.kind,
        "category": entry.category,
        "pollable": entry.pollable,
        "default": default,
        "watched": watched,
        "url": entry.base_url,
        "aliases": list(entry.aliases),
    }
