"""``watchtui probes list|add|remove|test``: the user's own checks beside the providers' claims."""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

from pydantic import ValidationError

from watchtui.cli.common import CliError, load, open_store, print_json
from watchtui.cli.output import duration, table
from watchtui.config import Config, ProbeSpec, add_probe, db_path, edit_config, remove_probe
from watchtui.domain.assessment import EXIT_CRITICAL
from watchtui.domain.document import iso

__all__ = ["cmd_probes", "probe_type"]

UPTIME_DAYS = 7


def probe_type(target: str, explicit: str | None) -> str:
    if explicit:
        return explicit
    if target.startswith(("http://", "https://")):
        return "http"
    return "tcp" if re.search(r":\d+$", target) else "dns"


def looks_like_host(target: str) -> bool:
    """A name with a dot, ``localhost``, an address or ``host:port``: something a probe can
    reach.  A bare word is far more likely a mistyped probe id than a host to look up."""
    host = target.rsplit(":", 1)[0] if re.search(r":\d+$", target) else target
    host = host.strip("[]")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return "." in host.strip(".") or host.lower() == "localhost"
    return True


def cmd_probes(args: argparse.Namespace, out: TextIO) -> int:
    action = args.probes_command
    path, config = load(args, may_create=action == "add")
    if action == "list":
        return _list(args, config, out)
    if action == "add":
        return _add(args, path, out)
    if action == "remove":
        return _remove(args, path, out)
    return _test(args, config, out)


def _add(args: argparse.Namespace, path: Path, out: TextIO) -> int:
    from watchtui.probes import link_provider

    fields: dict[str, Any] = {
        "id": args.probe_id,
        "type": probe_type(args.target, args.type),
        "target": args.target,
    }
    for key in ("provider", "service", "region", "interval", "contains"):
        if getattr(args, key) is not None:
            fields[key] = getattr(args, key)
    if args.expect_status:
        fields["expect_status"] = args.expect_status
    spec = _validated(fields)
    entry = spec.to_config()
    if not edit_config(path, lambda doc: add_probe(doc, entry)).result:
        raise CliError(f"a probe {spec.id!r} already exists (remove it first)")
    linked = link_provider(spec)
    tied = f", tied to {linked.provider}" if linked.provider else ""
    out.write(f"added probe {spec.id} ({spec.type} {spec.target}{tied}) to {path}\n")
    return 0


def _validated(fields: dict[str, Any]) -> ProbeSpec:
    try:
        return ProbeSpec.model_validate(fields)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        message = str(first["msg"]).removeprefix("Value error, ")
        raise CliError(f"{where}: {message}" if where else message) from exc


def _remove(args: argparse.Namespace, path: Path, out: TextIO) -> int:
    probe_id: str = args.probe_id
    # Opened first: a store this user may only read refuses --forget before the config changes.
    store = open_store(args, write=True) if args.forget else None
    if not edit_config(path, lambda doc: remove_probe(doc, probe_id)).result:
        raise CliError(f"no probe {probe_id!r} is configured (see `watchtui probes list`)")
    if store is not None:
        store.remove_probe(probe_id)
    out.write(f"removed probe {probe_id} from {path}\n")
    return 0


def _test(args: argparse.Namespace, config: Config, out: TextIO) -> int:
    from watchtui.probes import link_provider

    target: str = args.target
    known = {p.id: p for p in config.probes}
    if target in known:
        spec = known[target]
    elif (
        args.type is None
        and not target.startswith(("http://", "https://"))
        and not (looks_like_host(target))
    ):
        raise CliError(
            f"no probe {target!r} is configured (see `watchtui probes list`); to look up a "
            f"host of that name, pass --type dns"
        )
    else:
        spec = _validated({"id": "test", "type": probe_type(target, args.type), "target": target})
    return asyncio.run(_probe_once(link_provider(spec), out))


async def _probe_once(spec: ProbeSpec, out: TextIO) -> int:
    from watchtui.net.fetch import make_client
    from watchtui.probes import run_probe

    async with make_client() as client:
        result = await run_probe(spec, client)
    latency = f"{result.latency_ms:.0f} ms" if result.latency_ms is not None else "no answer"
    verdict = "ok" if result.ok else f"FAILED: {result.error}"
    tied = f" (depends on {spec.provider})" if spec.provider else ""
    out.write(f"{spec.type} {spec.target}{tied}: {verdict}, {latency}\n")
    # A probe that fails is down: CRITICAL, as `watchtui status` reads a probe down.
    return 0 if result.ok else EXIT_CRITICAL


def _list(args: argparse.Namespace, config: Config, out: TextIO) -> int:
    from watchtui.probes import link_provider

    now: datetime = args.clock()
    store = open_store(args) if Path(db_path(args.db)).exists() else None
    states = store.probe_states() if store else {}
    window = now - timedelta(days=UPTIME_DAYS)
    rows: list[dict[str, Any]] = []
    for spec in (link_provider(p) for p in config.probes):
        state = states.get(spec.id)
        periods = store.probe_periods(spec.id, since=window) if store else []
        down = sum(
            (min(p.ended_at or now, now) - max(p.started_at, window)).total_seconds()
            for p in periods
            if p.state == "down"
        )
        rows.append(
            {
                "id": spec.id,
                "type": spec.type,
                "target": spec.target,
                "provider": spec.provider,
                "service": spec.service,
                "region": spec.region,
                "state": state.state if state else "unknown",
                "since": iso(state.since) if state else None,
                "last_error": state.last_error if state else None,
                "down_seconds_7d": int(down),
            }
        )
    if args.json:
        print_json(rows, out)
        return 0
    lines = [
        [
            row["id"],
            row["state"],
            row["type"],
            duration(row["down_seconds_7d"]),
            row["provider"] or "-",
            str(row["target"])
            + (f"  ({row['last_error']})" if row["state"] == "down" and row["last_error"] else ""),
        ]
        for row in rows
    ]
    out.write(table(["ID", "STATE", "TYPE", "DOWN 7D", "PROVIDER", "TARGET"], lines, widest=(24,)))
    return 0
