"""Command-line entry point: ``watchtui [COMMAND]``.

Exit codes follow the monitoring-plugin convention where a command reports state; usage and input
errors exit 2 with a one-line reason on stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from watchtui import __version__
from watchtui.errors import FeedError
from watchtui.export import iso, snapshot_to_dict
from watchtui.model import Snapshot
from watchtui.sources import KINDS, parse_payload

EXIT_USAGE = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="watchtui",
        description="A terminal incident watcher for the people who keep production running.",
    )
    parser.add_argument("--version", action="version", version=f"watchtui {__version__}")
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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "parse":
        return _cmd_parse(args.file, args.kind, as_json=args.json, out=sys.stdout)
    parser.print_help()
    return 0


def _cmd_parse(file: str, kind: str, *, as_json: bool, out: TextIO) -> int:
    try:
        data = sys.stdin.buffer.read() if file == "-" else Path(file).read_bytes()
    except OSError as exc:
        print(f"watchtui: cannot read {file}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        snapshot = parse_payload(kind, data)
    except FeedError as exc:
        print(f"watchtui: {file}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if as_json:
        json.dump(snapshot_to_dict(snapshot), out, indent=2, ensure_ascii=False)
        out.write("\n")
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
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
