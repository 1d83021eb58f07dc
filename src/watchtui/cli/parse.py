"""``watchtui parse FILE``: a saved payload read exactly as the poller would read it."""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path
from typing import TextIO

from watchtui.cli.common import CliError, print_json
from watchtui.cli.output import count
from watchtui.domain.document import iso, snapshot_to_dict
from watchtui.domain.errors import FeedError
from watchtui.domain.model import Snapshot
from watchtui.domain.vetting import vet
from watchtui.sources import parse_payload

__all__ = ["cmd_parse", "format_snapshot"]


def cmd_parse(args: argparse.Namespace, out: TextIO) -> int:
    file: str = args.file
    try:
        data = sys.stdin.buffer.read() if file == "-" else Path(file).read_bytes()
    except OSError as exc:
        raise CliError(f"cannot read {file}: {exc.strerror or exc}") from exc
    try:
        # Vetted as the poller vets a fetch, with now as the fetch time: what watchtui would keep.
        snapshot = vet(parse_payload(args.kind, data), args.clock())
    except FeedError as exc:
        raise CliError(f"{file}: {exc}") from exc
    if args.json:
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
    lines.append(f"incidents: {len(snapshot.incidents)} ({len(snapshot.open_incidents)} open)")
    for incident in snapshot.incidents:
        state = "OPEN    " if incident.is_open else "resolved"
        lines.append(
            f"  {state} {incident.impact:<11} {iso(incident.started_at)}  {incident.title}"
            f"  ({count(len(incident.updates), 'update')})"
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
