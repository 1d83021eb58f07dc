"""``watchtui status``: every source's state on one screen, with monitoring-plugin exit codes.

The report is read off the engine's ``Overview`` — the same judgement the board shows — so the
command, the header and the panes cannot disagree.  A source watchtui cannot see (never read,
stale, failing, drifted) has impact ``unknown``, with what it last said beside it.
"""

from __future__ import annotations

import argparse
import asyncio
from datetime import datetime
from typing import Any, TextIO

from watchtui.cli.common import CliError, load, open_store, print_json, resolve_source_id
from watchtui.cli.output import count
from watchtui.config import Config, SourceSpec, canonical_watchlist, resolve_sources
from watchtui.domain import assessment
from watchtui.domain.document import incident_to_dict, iso
from watchtui.domain.model import impact_rank
from watchtui.engine.overview import Overview
from watchtui.store import Store
from watchtui.viewmodel import watching


def selected_specs(args: argparse.Namespace, config: Config) -> list[SourceSpec]:
    """The enabled sources the command line asks for (all of them without ``--source``).  A
    source asked for by name that the config disables is an error: the check would skip it."""
    specs = resolve_sources(config)
    if args.source:
        known = {s.id for s in specs}
        wanted = {resolve_source_id(raw, known) for raw in args.source}
        disabled = sorted(s.id for s in specs if s.id in wanted and not s.enabled)
        if disabled:
            raise CliError(
                f"source {', '.join(disabled)} is disabled in the config (enabled = false)"
            )
        specs = [s for s in specs if s.id in wanted]
    return [s for s in specs if s.enabled]


def named_in_watchlist(config: Config, specs: list[SourceSpec]) -> set[str]:
    """Sources the watchlist names itself: as a provider or as the source of a component."""
    known = {spec.id for spec in specs}
    watchlist = canonical_watchlist(config.watchlist, known)
    named = {*watchlist.providers, *(c.split(":", 1)[0] for c in watchlist.components)}
    return named & known


def touching_watchlist(overview: Overview) -> set[str]:
    """Sources the watchlist reaches through what is stored of them: watched themselves, or
    through one of their components or open incidents (by name, or by a watched region), as the
    board highlights them."""
    watched = overview.watched
    found = {s.id for s in overview.sources if s.id in watched}
    found |= {c.source_id for c in overview.components if watching.component_watched(c, watched)}
    found |= {v.source_id for v in overview.open_incidents if watching.incident_watched(v, watched)}
    return found


def cmd_status(args: argparse.Namespace, out: TextIO) -> int:
    from watchtui.engine.engine import Engine

    _, config = load(args)
    specs = selected_specs(args, config)
    store = open_store(args)
    engine = Engine(store, config, clock=args.clock)
    only_watched = getattr(args, "only_watched", False) and not config.watchlist.empty
    fetched = specs
    if only_watched and not config.watchlist.regions:
        # Only what the watchlist can reach is fetched; a watched region may lie in any source,
        # so with regions every selected source is.
        reach = named_in_watchlist(config, specs) | touching_watchlist(engine.overview())
        fetched = [s for s in specs if s.id in reach]
    # A viewer of another user's store reads what the collector wrote: it cannot fetch.
    if not args.cached and not store.readonly:
        asyncio.run(_fetch_round(store, fetched, config))
    overview = engine.overview()
    note = None if specs else "no enabled source is configured"
    if only_watched:
        # Named sources stay even when never read (blind: unknown); the rest by what they hold.
        reach = named_in_watchlist(config, specs) | touching_watchlist(overview)
        specs = [s for s in specs if s.id in reach]
        if not specs:
            note = "the watchlist reaches no enabled source (see `watchtui config check`)"
    report = status_report(overview, specs, args.clock())
    if note is not None:
        # A check of nothing knows nothing, whatever the probes beside it say.
        report["note"] = note
        report["exit_code"] = assessment.EXIT_UNKNOWN
    if args.json:
        print_json(report, out)
    else:
        out.write(format_status(report))
    return int(report["exit_code"])


async def _fetch_round(store: Store, specs: list[SourceSpec], config: Config) -> None:
    """Fetch the selected sources and run the probes once; outcomes land in the store."""
    from watchtui.engine.poller import Poller
    from watchtui.engine.protocol import RoundFailed
    from watchtui.probes import ProbeRunner, link_provider

    poller = Poller(store, specs)
    try:
        try:
            await poller.poll_detailed(force=True)
        except RoundFailed as failed:
            failed.raise_cause()  # the store's own error, said as such (``cli.entry``)
        if config.probes:
            probes = [link_provider(p) for p in config.probes]
            await ProbeRunner().run_due(store, probes, poller.client)
    finally:
        await poller.aclose()


def status_report(overview: Overview, selected: list[SourceSpec], now: datetime) -> dict[str, Any]:
    """The selected sources as the board judges them, and the exit code
    (``assessment.exit_code``: the worst known state wins; unknown only when nothing worse)."""
    chosen = {spec.id for spec in selected}
    on_board: dict[str, list[dict[str, Any]]] = {}
    for view in overview.open_incidents:
        entry = {**incident_to_dict(view.incident), "source_id": view.source_id}
        entry["is_maintenance"] = view.is_maintenance
        on_board.setdefault(view.source_id, []).append(entry)
    impaired: dict[str, list[dict[str, Any]]] = {}
    for component in overview.components:
        if component.status != "operational":
            impaired.setdefault(component.source_id, []).append(
                {"id": component.id, "name": component.name, "status": component.status}
            )
    rows: list[dict[str, Any]] = []
    for source in overview.sources:
        if source.id not in chosen:
            continue
        rows.append(
            {
                "id": source.id,
                "name": source.name,
                "kind": source.kind,
                "health": source.health,
                "impact": source.impact,
                "known_impact": source.known_impact,
                "last_success_at": iso(source.last_success_at),
                "last_attempt_at": iso(source.last_attempt_at),
                "last_error": source.last_error,
                "note": source.note,
                "components": impaired.get(source.id, []),
                "incidents": on_board.get(source.id, []),
            }
        )
    # A source the store has never heard of (`status --cached` before any fetch) is not on the
    # board at all; it is still watched, and blind: never read, so unknown, never "OK".
    seen = {row["id"] for row in rows}
    rows += [_never_read(spec) for spec in selected if spec.id not in seen]
    rows.sort(key=lambda r: (-impact_rank(r["impact"]), str(r["id"])))
    probes = [p for p in overview.probes if p.provider is None or p.provider in chosen]
    report: dict[str, Any] = {
        "generated_at": iso(now),
        "exit_code": assessment.exit_code(
            [row["impact"] for row in rows],
            probe_down=any(p.state == "down" for p in probes),
            probe_up=any(p.state == "up" for p in probes),
        ),
        "sources": rows,
    }
    if probes:
        report["probes"] = [
            {
                "id": p.id,
                "type": p.type,
                "target": p.target,
                "provider": p.provider,
                "state": p.state,
                "since": iso(p.since),
                "last_error": p.last_error,
            }
            for p in probes
        ]
        report["disagreements"] = [
            {
                "probe_id": d.probe_id,
                "provider": d.provider,
                "kind": d.kind,
                "since": iso(d.since),
                "message": d.message,
            }
            for d in overview.disagreements
            if d.provider in chosen
        ]
    return report


def _never_read(spec: SourceSpec) -> dict[str, Any]:
    return {
        "id": spec.id,
        "name": spec.name,
        "kind": spec.kind,
        "health": "never",
        "impact": assessment.source_impact("never", [], []),
        "known_impact": assessment.known_impact([], []),
        "last_success_at": None,
        "last_attempt_at": None,
        "last_error": None,
        "note": None,
        "components": [],
        "incidents": [],
    }


_LABEL = {0: "OK", 1: "WARNING", 2: "CRITICAL", 3: "UNKNOWN"}


def format_status(report: dict[str, Any]) -> str:
    lines = [
        f"{_LABEL[report['exit_code']]}: {count(len(report['sources']), 'source')} "
        f"at {report['generated_at']}"
    ]
    if "note" in report:
        lines.append(f"note: {report['note']}")
    lines.append(f"{'SOURCE':<22} {'IMPACT':<11} {'HEALTH':<8} OPEN  DETAIL")
    for row in report["sources"]:
        lines.append(
            f"{row['id'][:22]:<22} {row['impact']:<11} {row['health']:<8} "
            f"{len(row['incidents']):>4}  {_detail(row)[:90]}"
        )
    for probe in report.get("probes", []):
        why = (
            f" ({probe['last_error']})" if probe["state"] == "down" and probe["last_error"] else ""
        )
        lines.append(
            f"probe {probe['id'][:16]:<16} {probe['state']:<11} since {probe['since'] or '-'}{why}"
        )
    for found in report.get("disagreements", []):
        lines.append(f"DISAGREEMENT: {found['message']}")
    return "\n".join(lines) + "\n"


def _detail(row: dict[str, Any]) -> str:
    parts: list[str] = []
    if row["last_error"]:
        parts.append(f"({row['last_error']})")
    if row["impact"] == "unknown" and row["last_success_at"]:
        # Blind: say what it last said, and how old that is.
        parts.append(f"last known {row['known_impact']} at {row['last_success_at']}")
    elif row["impact"] == "unknown" and row["health"] == "never":
        parts.append("not read yet")
    if row["incidents"]:
        parts.append(row["incidents"][0]["title"])
    elif row["components"]:
        parts.append(", ".join(c["name"] for c in row["components"][:3]))
    return " ".join(parts)
