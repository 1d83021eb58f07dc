"""``watchtui history``: past incidents from the store, with durations, offline."""

from __future__ import annotations

import argparse
import csv
import re
from datetime import datetime, timedelta
from typing import Any, TextIO

from watchtui.cli.common import (
    CliError,
    load,
    open_store,
    print_json,
    resolve_source_id,
)
from watchtui.cli.output import count, duration, table
from watchtui.config import resolve_sources
from watchtui.domain.document import incident_to_dict, iso
from watchtui.store import EPOCH, StoredIncident, days_before

__all__ = ["HISTORY_FIELDS", "cmd_history", "history_record", "since_time"]

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
DEFAULT_SPAN = "7d"
_UNIT_SECONDS = {"m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def since_time(span: str, now: datetime) -> datetime:
    """The start of ``--since SPAN`` (``30m``, ``12h``, ``7d``, ``4w``) before ``now``."""
    match = re.fullmatch(r"\s*(\d+)\s*([mhdw])\s*", span)
    if not match:
        raise CliError(f"--since {span!r}: use a number and a unit, like 30m, 12h, 7d or 4w")
    digits = match[1].lstrip("0") or "0"
    # Compared in whole seconds before any date arithmetic, which overflows past year 9999.
    if len(digits) > 15:
        return EPOCH
    seconds = int(digits) * _UNIT_SECONDS[match[2]]
    if seconds >= (now - EPOCH).total_seconds():
        return EPOCH
    return now - timedelta(seconds=seconds)


def cmd_history(args: argparse.Namespace, out: TextIO) -> int:
    _, config = load(args)
    retention = config.store.retention_days
    if args.prune and (args.since is not None or args.source or args.json or args.csv):
        raise CliError(
            f"--prune takes no other option: it deletes what is older than "
            f"store.retention_days ({count(retention, 'day')})"
        )
    now: datetime = args.clock()
    since = since_time(DEFAULT_SPAN if args.since is None else args.since, now)
    store = open_store(args, write=args.prune)
    if args.prune:
        pruned = store.prune(days_before(now, retention))
        out.write(
            f"pruned {count(pruned.incidents, 'incident')}, {count(pruned.updates, 'update')}, "
            f"{count(pruned.fetch_log, 'fetch record')}, "
            f"{count(pruned.transitions, 'status change')} older than {count(retention, 'day')}\n"
        )
        return 0
    source_id = None
    if args.source:
        known = {s.id for s in resolve_sources(config)} | {r.id for r in store.sources()}
        source_id = resolve_source_id(args.source, known)
    incidents = store.incidents(since=since, source_id=source_id)
    records = [history_record(stored, now) for stored in incidents]
    if args.json:
        print_json(records, out)
    elif args.csv:
        writer = csv.DictWriter(out, fieldnames=HISTORY_FIELDS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(records)
    else:
        out.write(format_history(records, since))
    return 0


def history_record(stored: StoredIncident, now: datetime) -> dict[str, Any]:
    return {
        **incident_to_dict(stored.incident),
        "source_id": stored.source_id,
        "is_maintenance": stored.is_maintenance,
        "duration_seconds": int(stored.duration_at(now).total_seconds()),
        "resolution_inferred": stored.resolution_inferred,
    }


def format_history(records: list[dict[str, Any]], since: datetime) -> str:
    head = f"{count(len(records), 'incident')} since {iso(since)}\n"
    if not records:
        return head
    rows = [
        [
            iso(datetime.fromisoformat(record["started_at"])) or "",
            duration(record["duration_seconds"]),
            _state(record),
            record["impact"],
            record["source_id"],
            record["title"],
        ]
        for record in records
    ]
    text = head + table(
        ["STARTED", "LASTED", "STATE", "IMPACT", "SOURCE", "TITLE"], rows, widest=(0, 0, 0, 0, 24)
    )
    if any(record["resolution_inferred"] for record in records):
        text += "~resolved: the source stopped listing it; watchtui inferred the end\n"
    return text


def _state(record: dict[str, Any]) -> str:
    if record["resolved_at"] is None:
        return "open"
    return "~resolved" if record["resolution_inferred"] else "resolved"
