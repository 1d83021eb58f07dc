"""Command-line entry point: ``watchtui [COMMAND]``.

With no command, the watch screen starts.  Commands that report state use the monitoring-plugin
exit codes (0 ok, 1 warning, 2 critical, 3 unknown); usage, config and input errors exit 2 with a
one-line reason on stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import re
import signal
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from watchtui import __version__, catalog
from watchtui.cli.common import (
    EXIT_OK,
    EXIT_UNKNOWN,
    EXIT_USAGE,
    CliError,
    load,
    open_store,
    print_json,
)
from watchtui.cli.status import cmd_status
from watchtui.config import (
    Config,
    ConfigError,
    SourceSpec,
    add_probe,
    config_path,
    db_path,
    derive_endpoints,
    edit_config,
    load_config,
    put_source,
    remove_probe,
    remove_source,
    resolve_sources,
    unwatch_provider,
    watch_provider,
)
from watchtui.domain.document import incident_to_dict, iso, snapshot_to_dict
from watchtui.domain.errors import FeedError
from watchtui.domain.model import Snapshot
from watchtui.domain.vetting import vet
from watchtui.sources import KIND_MODULES, KINDS, parse_payload
from watchtui.store import StoredIncident, StoreError

if TYPE_CHECKING:
    from tomlkit import TOMLDocument

    from watchtui.engine.core import Engine


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="watchtui",
        description="A terminal incident watcher for the people who keep production running.",
    )
    parser.add_argument("--version", action="version", version=f"watchtui {__version__}")
    parser.add_argument("--config", metavar="PATH", help="config file (env WATCHTUI_CONFIG)")
    parser.add_argument("--db", metavar="PATH", help="history store (env WATCHTUI_DB)")
    parser.add_argument("--kiosk", action="store_true", help="read-only wall-monitor mode")
    parser.add_argument("--ascii", action="store_true", help="ASCII symbols only")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    parse = commands.add_parser(
        "parse",
        help="parse a saved status payload and print the normalised snapshot",
        description="Parse a status payload (a file, or - for stdin) the way the poller would.",
    )
    parse.add_argument("file", help="payload file, or - for standard input")
    parse.add_argument(
        "--kind", default="auto", choices=KINDS, help="payload format (default: sniff it)"
    )
    parse.add_argument("--json", action="store_true", help="print the stable JSON document")

    status = commands.add_parser(
        "status",
        help="fetch every source once and report (exit 0 ok, 1 minor, 2 major, 3 unknown)",
    )
    status.add_argument("--json", action="store_true")
    status.add_argument("--source", action="append", metavar="ID", help="only this source")
    status.add_argument("--only-watched", action="store_true", help="only the watchlist")
    status.add_argument("--cached", action="store_true", help="read the store, fetch nothing")

    history = commands.add_parser("history", help="past incidents from the store, offline")
    history.add_argument("--since", default="7d", help="how far back: 12h, 7d, 4w (default 7d)")
    history.add_argument("--source", metavar="ID")
    form = history.add_mutually_exclusive_group()
    form.add_argument("--json", action="store_true")
    form.add_argument("--csv", action="store_true")
    history.add_argument(
        "--prune", action="store_true", help="delete history older than the retention period"
    )

    sources = commands.add_parser("sources", help="list, add, remove or test sources")
    sources_cmd = sources.add_subparsers(dest="sources_command", metavar="ACTION", required=True)
    sources_list = sources_cmd.add_parser("list", help="configured sources and their health")
    sources_list.add_argument("--json", action="store_true")
    add = sources_cmd.add_parser("add", help="add a catalog provider or any status URL")
    add.add_argument("target", metavar="ID_OR_URL")
    add.add_argument("--id", dest="source_id")
    add.add_argument("--kind", choices=sorted(KIND_MODULES))
    add.add_argument("--name")
    add.add_argument("--interval", type=int)
    remove = sources_cmd.add_parser("remove", help="stop watching a source")
    remove.add_argument("source_id", metavar="ID")
    test = sources_cmd.add_parser("test", help="fetch a source once and show what it says")
    test.add_argument("target", metavar="ID_OR_URL")
    test.add_argument("--kind", choices=sorted(KIND_MODULES))

    probes = commands.add_parser("probes", help="your own checks beside the providers' claims")
    probes_cmd = probes.add_subparsers(dest="probes_command", metavar="ACTION", required=True)
    probes_list = probes_cmd.add_parser("list", help="probes, their state and recent uptime")
    probes_list.add_argument("--json", action="store_true")
    probe_add = probes_cmd.add_parser("add", help="add an HTTP(S), TCP or DNS probe")
    probe_add.add_argument("target", metavar="URL|HOST:PORT|NAME")
    probe_add.add_argument("--id", dest="probe_id", required=True)
    probe_add.add_argument("--type", choices=["http", "tcp", "dns"], help="default: from TARGET")
    probe_add.add_argument("--provider", help="catalog or source id it depends on")
    probe_add.add_argument("--service", help="the provider's service it depends on")
    probe_add.add_argument("--region", help="provider region code or geography (eu-west)")
    probe_add.add_argument("--interval", type=int)
    probe_add.add_argument("--expect-status", type=int, action="append", metavar="CODE")
    probe_add.add_argument("--contains", help="substring the body must contain")
    probe_remove = probes_cmd.add_parser("remove", help="remove a probe")
    probe_remove.add_argument("probe_id", metavar="ID")
    probe_remove.add_argument("--forget", action="store_true", help="also delete its history")
    probe_test = probes_cmd.add_parser("test", help="run a probe once and show the result")
    probe_test.add_argument("target", metavar="ID|URL|HOST:PORT|NAME")
    probe_test.add_argument("--type", choices=["http", "tcp", "dns"])

    config = commands.add_parser("config", help="where the config is, check it, show it")
    config.add_argument("action", choices=["path", "check", "show"])

    commands.add_parser("collect", help="run the poller alone, headless (for a shared host)")
    demo = commands.add_parser("demo", help="the full app on a scripted outage, no internet")
    demo.add_argument("--step", type=float, default=8.0, help="seconds per scenario step")
    # Also accepted after the command; SUPPRESS keeps the global flags when these are absent.
    demo.add_argument("--ascii", action="store_true", default=argparse.SUPPRESS)
    demo.add_argument("--kiosk", action="store_true", default=argparse.SUPPRESS)
    return parser


def main(
    argv: Sequence[str] | None = None, *, clock: Callable[[], datetime] | None = None
) -> int:
    """``clock`` is the time the commands judge ages and staleness by (tests freeze it)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    args.clock = clock or _utcnow
    try:
        return _dispatch(args)
    except (CliError, ConfigError, StoreError) as exc:
        print(f"watchtui: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _dispatch(args: argparse.Namespace) -> int:
    out = sys.stdout
    if args.command == "parse":
        return cmd_parse(args.file, args.kind, as_json=args.json, out=out, now=args.clock())
    if args.command == "config":
        return cmd_config(args, out)
    if args.command == "status":
        return cmd_status(args, out)
    if args.command == "history":
        return cmd_history(args, out)
    if args.command == "sources":
        return cmd_sources(args, out)
    if args.command == "probes":
        return cmd_probes(args, out)
    if args.command == "collect":
        return cmd_collect(args, out)
    if args.command == "demo":
        from watchtui.demo.app import run_demo

        return run_demo(step_seconds=args.step, ascii_only=args.ascii, kiosk=args.kiosk)
    return cmd_watch(args)


# --- shared plumbing --------------------------------------------------------------------------


def _duration_spec(text: str) -> timedelta:
    match = re.fullmatch(r"\s*(\d+)\s*([mhdw])\s*", text)
    if not match:
        raise CliError(f"--since {text!r}: use a number and a unit, like 30m, 12h, 7d or 4w")
    unit = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}[match[2]]
    return timedelta(**{unit: int(match[1])})


# --- parse ------------------------------------------------------------------------------------


def cmd_parse(file: str, kind: str, *, as_json: bool, out: TextIO, now: datetime) -> int:
    try:
        data = sys.stdin.buffer.read() if file == "-" else Path(file).read_bytes()
    except OSError as exc:
        print(f"watchtui: cannot read {file}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        # Vetted as the poller vets a fetch, with now as the fetch time: what watchtui would keep.
        snapshot = vet(parse_payload(kind, data), now)
    except FeedError as exc:
        print(f"watchtui: {file}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if as_json:
        print_json(snapshot_to_dict(snapshot), out)
    else:
        out.write(format_snapshot(snapshot))
    return 0


def format_snapshot(snapshot: Snapshot) -> str:
    """A compact human summary.  Model text is already free of control characters."""
    lines: list[str] = []
    title = snapshot.page_name or "(unnamed page)"
    lines.append(f"{title} [{snapshot.kind}]  updated {iso(snapshot.updated_at) or 'unknown'}")
    claim = snapshot.page_status
    lines.append(
        f"page says: {claim.indicator or 'nothing'}"
        + (f" ({claim.description})" if claim.description else "")
        + f"   watchtui derives: {snapshot.derived_impact}"
    )
    counts = Counter(c.status for c in snapshot.components)
    summary = ", ".join(f"{n} {status}" for status, n in counts.most_common())
    lines.append(f"components: {len(snapshot.components)}" + (f" ({summary})" if summary else ""))
    for component in snapshot.components:
        if component.status != "operational":
            where = f" [{', '.join(component.regions)}]" if component.regions else ""
            group = f"{component.group} / " if component.group else ""
            lines.append(f"  {component.status:<15} {group}{component.name}{where}")
    open_incidents = snapshot.open_incidents
    lines.append(f"incidents: {len(snapshot.incidents)} ({len(open_incidents)} open)")
    for incident in snapshot.incidents:
        state = "OPEN    " if incident.is_open else "resolved"
        lines.append(
            f"  {state} {incident.impact:<11} {iso(incident.started_at)}  {incident.title}"
            f"  ({len(incident.updates)} updates)"
        )
    if snapshot.maintenances:
        lines.append(f"maintenances: {len(snapshot.maintenances)}")
        for maintenance in snapshot.maintenances:
            lines.append(
                f"  {maintenance.status:<11} {iso(maintenance.scheduled_for) or '?'}"
                f" .. {iso(maintenance.scheduled_until) or '?'}  {maintenance.title}"
            )
    for incident in (*snapshot.incidents, *snapshot.maintenances):
        if incident.time_note:
            lines.append(f"  times of {incident.id}: {incident.time_note}")
    if snapshot.dropped:
        lines.append(f"left out: {len(snapshot.dropped)}")
        lines.extend(f"  {d.what} {d.id}: {d.reason}" for d in snapshot.dropped)
    return "\n".join(lines) + "\n"


# --- config -----------------------------------------------------------------------------------


def cmd_config(args: argparse.Namespace, out: TextIO) -> int:
    path = config_path(args.config)
    if args.action == "path":
        out.write(f"{path}\n")
        return 0
    config = load_config(path)
    if args.action == "check":
        where = str(path) if path.exists() else f"{path} (absent: defaults apply)"
        out.write(f"ok: {where}; {len(resolve_sources(config))} sources\n")
        return 0
    print_json(
        {
            "path": str(path),
            "exists": path.exists(),
            "config": config.model_dump(mode="json"),
            "sources": [spec.model_dump(mode="json") for spec in resolve_sources(config)],
        },
        out,
    )
    return 0


# --- history ----------------------------------------------------------------------------------

HISTORY_FIELDS = (
    "source_id",
    "id",
    "title",
    "status",
    "impact",
    "started_at",
    "resolved_at",
    "duration_seconds",
    "resolution_inferred",
    "url",
)


def cmd_history(args: argparse.Namespace, out: TextIO) -> int:
    _, config = load(args)
    store = open_store(args)
    now: datetime = args.clock()
    if args.prune:
        counts = store.prune(now - timedelta(days=config.store.retention_days))
        out.write(
            f"pruned {counts.incidents} incidents, {counts.updates} updates, "
            f"{counts.fetch_log} fetch records, {counts.transitions} status changes "
            f"older than {config.store.retention_days} days\n"
        )
        return 0
    since = now - _duration_spec(args.since)
    incidents = store.incidents(since=since, source_id=args.source)
    records = [history_record(s, now) for s in incidents]
    if args.json:
        print_json(records, out)
    elif args.csv:
        writer = csv.DictWriter(out, fieldnames=HISTORY_FIELDS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(records)
    else:
        out.write(f"{len(records)} incidents since {iso(since)}\n")
        for record in records:
            seconds = record["duration_seconds"]
            took = f"{seconds // 3600}h{(seconds % 3600) // 60:02d}m"
            end = (
                "open"
                if record["resolved_at"] is None
                else ("~" if record["resolution_inferred"] else "") + "resolved"
            )
            out.write(
                f"{record['started_at']}  {took:>7}  {end:<9} {record['impact']:<11} "
                f"{record['source_id'][:16]:<16} {record['title']}\n"
            )
    return 0


def history_record(stored: StoredIncident, now: datetime) -> dict[str, Any]:
    return {
        **incident_to_dict(stored.incident),
        "source_id": stored.source_id,
        "is_maintenance": stored.is_maintenance,
        "duration_seconds": int(stored.duration_at(now).total_seconds()),
        "resolution_inferred": stored.resolution_inferred,
    }


# --- sources ----------------------------------------------------------------------------------


def cmd_sources(args: argparse.Namespace, out: TextIO) -> int:
    path, config = load(args)
    action = args.sources_command
    if action == "list":
        return _sources_list(args, config, out)
    if action == "add":
        return _sources_add(args, path, config, out)
    if action == "remove":
        return _sources_remove(args, path, config, out)
    return _sources_test(args, config, out)


def _sources_list(args: argparse.Namespace, config: Config, out: TextIO) -> int:
    specs = resolve_sources(config)
    health: dict[str, str] = {}
    if Path(db_path(args.db)).exists():
        store = open_store(args)
        now = datetime.now(UTC)
        health = {s.id: store.health(s.id, now, timedelta(seconds=s.interval)) for s in specs}
    if args.json:
        print_json(
            [
                {
                    "id": s.id,
                    "name": s.name,
                    "kind": s.kind,
                    "url": s.base_url,
                    "interval": s.interval,
                    "enabled": s.enabled,
                    "from_catalog": s.from_catalog,
                    "health": health.get(s.id, "never"),
                    "endpoints": [e.model_dump() for e in s.endpoints],
                }
                for s in specs
            ],
            out,
        )
        return 0
    for s in specs:
        out.write(
            f"{s.id:<24} {s.kind:<11} {s.interval:>5}s  {health.get(s.id, 'never'):<8} "
            f"{s.base_url}\n"
        )
    return 0


def _sources_add(args: argparse.Namespace, path: Path, config: Config, out: TextIO) -> int:
    target: str = args.target
    entry = catalog.get(target)
    if entry is not None and not target.startswith(("http://", "https://")):
        if not entry.pollable:
            raise CliError(
                f"{entry.name} has no machine-readable status feed; see {entry.base_url}"
            )
        provider_id = entry.id
        change = edit_config(path, lambda doc: watch_provider(doc, provider_id)).result
        if change == "unchanged":
            out.write(f"{entry.id} is already watched\n")
            return 0
        how = {
            "extra": " beside the default providers (watch.extra_providers)",
            "restored": " (taken out of watch.excluded_providers)",
        }.get(change, "")
        out.write(f"added {entry.id} ({entry.name}, {entry.kind}) to {path}{how}\n")
        return 0
    if not target.startswith(("http://", "https://")):
        raise CliError(f"{target!r} is neither a catalog id nor an http(s) URL")
    kind, url = args.kind, target
    if kind is None:
        kind, url = asyncio.run(detect_kind(target))
    known = catalog.provider_for_url(url)
    source_id = args.source_id or (known.id if known else _slug_for(url))
    source: dict[str, Any] = {"id": source_id, "kind": kind, "url": url}
    if args.name or known:
        source["name"] = args.name or (known.name if known else source_id)
    if args.interval:
        source["interval"] = args.interval
    edit_config(path, lambda doc: put_source(doc, source))
    out.write(f"added {source_id} ({kind}) {url} to {path}\n")
    return 0


def _slug_for(url: str) -> str:
    from urllib.parse import urlsplit

    host = urlsplit(url).hostname or "source"
    return re.sub(r"[^a-z0-9]+", "-", host.lower()).strip("-")[:60] or "source"


async def detect_kind(url: str) -> tuple[str, str]:
    """Probe ``url`` (and the Statuspage API under it) and sniff what answers."""
    from watchtui.net.fetch import FetchError, fetch, make_client
    from watchtui.sources.sniff import sniff_kind

    base = url.rstrip("/")
    candidates = (
        [url]
        if _looks_like_endpoint(url)
        else [
            f"{base}/api/v2/summary.json",
            url,
            f"{base}/history.atom",
            f"{base}/incidents.json",
        ]
    )
    reasons = []
    async with make_client() as client:
        for candidate in candidates:
            try:
                result = await fetch(client, candidate, total_timeout=15.0)
                if result.body is None:
                    continue
                kind = sniff_kind(result.body)
            except (FetchError, FeedError) as exc:
                reasons.append(f"{candidate}: {exc}")
                continue
            if candidate.endswith("/api/v2/summary.json"):
                return kind, base  # keep the base: the history endpoint derives from it
            return kind, candidate
    raise CliError(
        "could not detect the kind of " + url + "; pass --kind (" + "; ".join(reasons)[:300] + ")"
    )


def _looks_like_endpoint(url: str) -> bool:
    lowered = url.lower().split("?")[0]
    return lowered.endswith((".json", ".rss", ".atom", ".xml")) or "/api/" in lowered


def _sources_remove(args: argparse.Namespace, path: Path, config: Config, out: TextIO) -> int:
    source_id = args.source_id

    def remove(doc: TOMLDocument) -> bool:
        # Both: a custom source may share its id with a catalog provider.
        custom = remove_source(doc, source_id)
        return unwatch_provider(doc, source_id) or custom

    if not edit_config(path, remove).result:
        raise CliError(f"no source {source_id!r} is configured (see `watchtui sources list`)")
    out.write(f"removed {source_id} from {path} (its history stays in the store)\n")
    return 0


def _sources_test(args: argparse.Namespace, config: Config, out: TextIO) -> int:
    target: str = args.target
    specs = {s.id: s for s in resolve_sources(config)}
    if target in specs:
        spec = specs[target]
    elif target.startswith(("http://", "https://")):
        kind, url = (args.kind, target) if args.kind else asyncio.run(detect_kind(target))
        spec = SourceSpec(
            id="test",
            name=url,
            kind=kind,
            base_url=url,
            interval=60,
            endpoints=derive_endpoints(kind, url, 60),
        )
    elif (entry := catalog.get(target)) is not None and entry.pollable:
        spec = next(
            s for s in resolve_sources(Config.model_validate({"watch": {"providers": [entry.id]}}))
        )
    else:
        raise CliError(f"{target!r} is not a configured source, catalog id or URL")
    return asyncio.run(_test_spec(spec, out))


async def _test_spec(spec: SourceSpec, out: TextIO) -> int:
    from watchtui.net.fetch import FetchError, fetch, make_client

    worst = EXIT_OK
    async with make_client() as client:
        for endpoint in spec.endpoints:
            out.write(f"== {endpoint.url} ({spec.kind}, {endpoint.role})\n")
            try:
                result = await fetch(client, endpoint.url)
                assert result.body is not None
                snapshot = parse_payload(spec.kind, result.body, result.headers)
            except FetchError as exc:
                out.write(f"fetch failed: {exc.reason}\n")
                worst = EXIT_UNKNOWN
                continue
            except FeedError as exc:
                out.write(f"HTTP {result.status}, {result.bytes} bytes, not understood: {exc}\n")
                worst = EXIT_UNKNOWN
                continue
            out.write(
                f"HTTP {result.status}, {result.bytes} bytes in {result.latency_ms:.0f} ms, "
                f"etag {'yes' if result.etag else 'no'}, "
                f"last-modified {'yes' if result.last_modified else 'no'}\n"
            )
            out.write(format_snapshot(snapshot))
    return worst


# --- probes -----------------------------------------------------------------------------------


def _probe_type(target: str, explicit: str | None) -> str:
    if explicit:
        return explicit
    if target.startswith(("http://", "https://")):
        return "http"
    return "tcp" if re.search(r":\d+$", target) else "dns"


def cmd_probes(args: argparse.Namespace, out: TextIO) -> int:
    from pydantic import ValidationError

    from watchtui.probes import ProbeSpec, link_provider

    path, config = load(args)
    action = args.probes_command
    if action == "list":
        return _probes_list(args, config, out)
    if action == "add":
        fields: dict[str, Any] = {
            "id": args.probe_id,
            "type": _probe_type(args.target, args.type),
            "target": args.target,
        }
        for key in ("provider", "service", "region", "interval", "contains"):
            if getattr(args, key) is not None:
                fields[key] = getattr(args, key)
        if args.expect_status:
            fields["expect_status"] = args.expect_status
        try:
            spec = ProbeSpec.model_validate(fields)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "probe"
            raise CliError(f"{where}: {first['msg'].removeprefix('Value error, ')}") from exc
        entry = spec.to_config()
        if not edit_config(path, lambda doc: add_probe(doc, entry)).result:
            raise CliError(f"a probe {spec.id!r} already exists (remove it first)")
        linked = link_provider(spec)
        tied = f", tied to {linked.provider}" if linked.provider else ""
        out.write(f"added probe {spec.id} ({spec.type} {spec.target}{tied}) to {path}\n")
        return 0
    if action == "remove":
        probe_id: str = args.probe_id
        if not edit_config(path, lambda doc: remove_probe(doc, probe_id)).result:
            raise CliError(f"no probe {probe_id!r} is configured")
        if args.forget:
            open_store(args).remove_probe(args.probe_id)
        out.write(f"removed probe {args.probe_id} from {path}\n")
        return 0
    known = {p.id: p for p in config.probes}
    if args.target in known:
        spec = known[args.target]
    else:
        try:
            spec = ProbeSpec.model_validate(
                {"id": "test", "type": _probe_type(args.target, args.type), "target": args.target}
            )
        except ValidationError as exc:
            raise CliError(f"{args.target!r}: {exc.errors()[0]['msg']}") from exc
    return asyncio.run(_probe_once(link_provider(spec), out))


async def _probe_once(spec: Any, out: TextIO) -> int:
    from watchtui.net.fetch import make_client
    from watchtui.probes import run_probe

    async with make_client() as client:
        result = await run_probe(spec, client)
    latency = f"{result.latency_ms:.0f} ms" if result.latency_ms is not None else "no answer"
    verdict = "ok" if result.ok else f"FAILED: {result.error}"
    tied = f" (depends on {spec.provider})" if spec.provider else ""
    out.write(f"{spec.type} {spec.target}{tied}: {verdict}, {latency}\n")
    return 0 if result.ok else 1


def _probes_list(args: argparse.Namespace, config: Config, out: TextIO) -> int:
    from watchtui.probes import link_provider

    now = datetime.now(UTC)
    store = open_store(args) if Path(db_path(args.db)).exists() else None
    states = store.probe_states() if store else {}
    rows: list[dict[str, Any]] = []
    for spec in (link_provider(p) for p in config.probes):
        state = states.get(spec.id)
        periods = store.probe_periods(spec.id, since=now - timedelta(days=7)) if store else []
        down = sum(
            (
                min(p.ended_at or now, now) - max(p.started_at, now - timedelta(days=7))
            ).total_seconds()
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
    for row in rows:
        error = f"  ({row['last_error']})" if row["state"] == "down" and row["last_error"] else ""
        out.write(
            f"{row['id']:<20} {row['state']:<8} {row['type']:<5} {str(row['target'])[:50]:<50}"
            f" {row['provider'] or '-'}{error}\n"
        )
    return 0


# --- collect ----------------------------------------------------------------------------------


def cmd_collect(args: argparse.Namespace, out: TextIO) -> int:
    from watchtui.engine.core import Engine

    _, config = load(args)
    store = open_store(args)
    engine = Engine(store, config)
    out.write(
        f"watchtui collect: {len(engine.specs)} sources, {len(engine.probe_specs)} probes "
        f"into {store.path}\n"
    )
    out.flush()
    return asyncio.run(_collect(engine, config.store.retention_days, out))


async def _collect(engine: Engine, retention_days: int, out: TextIO) -> int:
    """The engine's polling round (sources, probes, disagreements) in a loop, headless."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    store = engine.store
    last_prune = datetime.min.replace(tzinfo=UTC)

    def report(events: list[Any]) -> None:
        for event in events:
            subject = event.title or event.component_id or event.incident_id or ""
            out.write(f"{iso(event.at)} {event.source_id} {event.kind} {subject}\n")
        out.flush()

    try:
        while not stop.is_set():
            now = datetime.now(UTC)
            try:
                if now - last_prune > timedelta(days=1):
                    await asyncio.to_thread(store.prune, now - timedelta(days=retention_days))
                    last_prune = now
                report(await engine.poll())
            except StoreError as exc:
                # A full disk or a locked store is a reason to say so and retry, not to stop
                # collecting: the next round may succeed once space is freed.
                print(f"watchtui collect: {exc}", file=sys.stderr, flush=True)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=1.0)
    finally:
        await engine.poller.aclose()
    return 0


# --- the watch screen -------------------------------------------------------------------------


def cmd_watch(args: argparse.Namespace) -> int:
    from watchtui.engine.core import Engine
    from watchtui.ui.app import WatchApp

    path, config = load(args)
    store = open_store(args)
    engine = Engine(store, config, config_file=path)
    app = WatchApp(
        engine,
        ascii_only=args.ascii or config.display.ascii,
        kiosk=args.kiosk,
        keymap=config.keys,
        local_time=config.display.clock == "local",
        notify_bell=config.notifications.bell,
        notify_desktop=config.notifications.desktop,
        min_impact=config.notifications.min_impact,
        debounce_seconds=config.notifications.debounce_seconds,
        notifications=config.notifications.enabled,
        only_watched=config.display.only_watched,
    )
    app.run()
    return 0
