"""``watchtui sources list|add|remove|test``: what is watched."""

from __future__ import annotations

import argparse
import asyncio
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from watchtui.cli.common import CliError, config_file, load, open_store, print_json
from watchtui.cli.output import table
from watchtui.cli.targets import resolve_target
from watchtui.config import (
    Config,
    SourceSpec,
    db_path,
    derive_endpoints,
    edit_config,
    remove_source,
    resolve_sources,
    unwatch_provider,
)

if TYPE_CHECKING:
    from tomlkit import TOMLDocument

__all__ = ["cmd_sources", "spec_for_test"]


def cmd_sources(args: argparse.Namespace, out: TextIO) -> int:
    action = args.sources_command
    if action == "add":
        from watchtui.cli.sources_add import add_source

        return add_source(args, out)
    if action == "remove":
        return _remove(args, out)
    _, config = load(args)
    if action == "list":
        return _list(args, config, out)
    from watchtui.cli.feeds import test_spec

    return asyncio.run(test_spec(spec_for_test(args, config), out))


def _list(args: argparse.Namespace, config: Config, out: TextIO) -> int:
    specs = resolve_sources(config)
    health: dict[str, str] = {}
    if Path(db_path(args.db)).exists():
        store = open_store(args)
        now = args.clock()
        health = {s.id: store.health(s.id, now, timedelta(seconds=s.interval)) for s in specs}
    if args.json:
        print_json([_row(spec, health.get(spec.id, "never")) for spec in specs], out)
        return 0
    rows = [
        [
            s.id,
            s.kind,
            f"{s.interval}s",
            health.get(s.id, "never") if s.enabled else "disabled",
            "catalog" if s.from_catalog else "custom",
            s.base_url,
        ]
        for s in specs
    ]
    out.write(table(["ID", "KIND", "EVERY", "HEALTH", "FROM", "URL"], rows))
    return 0


def _row(spec: SourceSpec, health: str) -> dict[str, Any]:
    return {
        "id": spec.id,
        "name": spec.name,
        "kind": spec.kind,
        "url": spec.base_url,
        "interval": spec.interval,
        "enabled": spec.enabled,
        "from_catalog": spec.from_catalog,
        "health": health,
        "endpoints": [e.model_dump() for e in spec.endpoints],
    }


def _remove(args: argparse.Namespace, out: TextIO) -> int:
    # The config is not loaded first: removing is how a config with a clash gets fixed, and the
    # edit validates what it writes.
    path = config_file(args)
    source_id: str = args.source_id

    def remove(doc: TOMLDocument) -> bool:
        # Both: a hand-edited file may give a custom source a watched provider's id.
        custom = remove_source(doc, source_id)
        return unwatch_provider(doc, source_id) or custom

    if not edit_config(path, remove).result:
        raise CliError(f"no source {source_id!r} is configured (see `watchtui sources list`)")
    out.write(f"removed {source_id} from {path} (its history stays in the store)\n")
    return 0


def spec_for_test(args: argparse.Namespace, config: Config) -> SourceSpec:
    """What ``sources test TARGET`` fetches: a configured source, a catalog provider (by id or
    by its page's URL, no detection needed), or a URL of the given or detected kind."""
    target: str = args.target
    configured = {s.id: s for s in resolve_sources(config)}
    if target in configured:
        spec = configured[target]
        _check_kind(args.kind, spec.id, spec.kind)
        return spec
    resolved = resolve_target(target)
    if resolved.entry is not None:
        entry = resolved.entry
        if not entry.pollable:
            raise CliError(
                f"{entry.name} has no machine-readable status feed; see {entry.base_url}"
            )
        _check_kind(args.kind, entry.id, entry.kind)
        only = Config.model_validate({"watch": {"providers": [entry.id]}})
        return resolve_sources(only)[0]
    assert resolved.url is not None
    if args.kind:
        kind, url = args.kind, resolved.url
    else:
        from watchtui.cli.feeds import detect_kind

        kind, url = asyncio.run(detect_kind(resolved.url))
    return SourceSpec(
        id="test",
        name=url,
        kind=kind,
        base_url=url,
        interval=60,
        endpoints=derive_endpoints(kind, url, 60),
    )


def _check_kind(given: str | None, source_id: str, kind: str) -> None:
    if given is not None and given != kind:
        raise CliError(f"--kind {given} does not apply: {source_id} is a {kind} source")
