"""The command line's grammar: every command, flag and help text, and usage errors on one line."""

from __future__ import annotations

import argparse
from typing import NoReturn, TypeAlias

from watchtui import __version__
from watchtui.cli.arguments import identifier, interval, probe_interval, status_code
from watchtui.cli.common import CliError
from watchtui.sources import KIND_MODULES, KINDS

__all__ = ["UsageError", "build_parser"]

EPILOG = (
    "exit codes: 0 ok, 1 warning (minor impact), 2 critical (major/critical impact, a probe "
    "down), 3 unknown (a source watchtui cannot see, or watchtui could not do what was asked: "
    "usage, config, unknown id, network); 130 interrupted"
)


_Commands: TypeAlias = "argparse._SubParsersAction[_Parser]"


class UsageError(CliError):
    """The command line itself is wrong."""


class _Parser(argparse.ArgumentParser):
    # argparse prints the whole usage and exits 2, which monitoring reads as CRITICAL; a wrong
    # command line is UNKNOWN (3), on one line, like every other error.
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see `{self.prog} --help`)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="watchtui",
        description="A terminal incident watcher for the people who keep production running. "
        "With no command, the watch screen starts.",
        epilog=EPILOG,
    )
    parser.add_argument("--version", action="version", version=f"watchtui {__version__}")
    parser.add_argument("--config", metavar="PATH", help="config file (env WATCHTUI_CONFIG)")
    parser.add_argument("--db", metavar="PATH", help="history store (env WATCHTUI_DB)")
    parser.add_argument("--kiosk", action="store_true", help="read-only wall-monitor mode")
    parser.add_argument("--ascii", action="store_true", help="ASCII symbols only")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    _status(commands)
    _history(commands)
    _sources(commands)
    _probes(commands)
    _catalog(commands)
    _config(commands)
    _parse(commands)
    collect = commands.add_parser(
        "collect",
        help="run the poller alone, headless (for a shared host)",
        description="Poll every source and probe into the store until SIGTERM or SIGINT, "
        "logging one line per round to standard output.",
    )
    loudness = collect.add_mutually_exclusive_group()
    loudness.add_argument("--quiet", action="store_true", help="log errors only")
    loudness.add_argument("--verbose", action="store_true", help="also log every change event")
    _serve(commands)
    demo = commands.add_parser("demo", help="the full app on a scripted outage, no internet")
    demo.add_argument("--step", type=float, default=8.0, help="seconds per scenario step")
    # Also accepted after the command; SUPPRESS keeps the global flags when these are absent.
    demo.add_argument(
        "--ascii", action="store_true", default=argparse.SUPPRESS, help="ASCII symbols only"
    )
    demo.add_argument(
        "--kiosk", action="store_true", default=argparse.SUPPRESS, help="wall-monitor mode"
    )
    return parser


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r}: give a TCP port from 1 to 65535")
    return value


def _serve(commands: _Commands) -> None:
    serve = commands.add_parser(
        "serve",
        help="the board in a browser, for wall TVs and NOC screens",
        description="Serve the board to web browsers: each connection runs its own watchtui "
        "(same config and store) as the read-only kiosk.  Listens on 127.0.0.1 unless --host "
        "says otherwise.  Add ?fontsize=N to the address for larger text.",
    )
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)"
    )
    serve.add_argument("--port", type=_port, default=8000, help="TCP port (default 8000)")
    serve.add_argument("--demo", action="store_true", help="serve the scripted demo outage")
    serve.add_argument(
        "--interactive",
        action="store_true",
        help="serve the full watch screen, keys and all (refused beyond loopback unless "
        "--allow-remote-control)",
    )
    serve.add_argument(
        "--allow-remote-control",
        action="store_true",
        help="allow --interactive on an address other than loopback",
    )


def _status(commands: _Commands) -> None:
    status = commands.add_parser(
        "status",
        help="fetch every source once and report (exit 0 ok, 1 minor, 2 major, 3 unknown)",
        description="Fetch every source once (or read the store) and report, with "
        "monitoring-plugin exit codes.",
        epilog=EPILOG,
    )
    status.add_argument("--json", action="store_true", help="print the JSON report")
    status.add_argument(
        "--source", action="append", metavar="ID", help="only this source (repeatable)"
    )
    status.add_argument("--only-watched", action="store_true", help="only the watchlist")
    status.add_argument("--cached", action="store_true", help="read the store, fetch nothing")


def _history(commands: _Commands) -> None:
    history = commands.add_parser("history", help="past incidents from the store, offline")
    history.add_argument(
        "--since", metavar="SPAN", help="how far back: 30m, 12h, 7d, 4w (default 7d)"
    )
    history.add_argument("--source", metavar="ID", help="only this source")
    form = history.add_mutually_exclusive_group()
    form.add_argument("--json", action="store_true", help="print JSON records")
    form.add_argument("--csv", action="store_true", help="print CSV with a header line")
    history.add_argument(
        "--prune", action="store_true", help="delete history older than the retention period"
    )


def _sources(commands: _Commands) -> None:
    sources = commands.add_parser("sources", help="list, add, remove or test sources")
    actions = sources.add_subparsers(dest="sources_command", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="configured sources and their health")
    listing.add_argument("--json", action="store_true", help="print JSON")
    kinds = sorted(KIND_MODULES)
    add = actions.add_parser(
        "add",
        help="watch a catalog provider or any status URL",
        description="Watch a catalog provider (by id, or by its status page URL) or any other "
        "status page or feed URL.  A catalog provider keeps its catalog id and name; --interval "
        "applies to both forms.",
    )
    add.add_argument(
        "target", metavar="ID_OR_URL", help="catalog id (see `watchtui catalog`) or URL"
    )
    add.add_argument("--id", dest="source_id", type=identifier, help="id for a URL source")
    add.add_argument("--kind", choices=kinds, help="feed format of a URL (default: detect it)")
    add.add_argument("--name", help="display name for a URL source")
    add.add_argument("--interval", type=interval, metavar="SECONDS", help="seconds between polls")
    remove = actions.add_parser("remove", help="stop watching a source (its history stays)")
    remove.add_argument("source_id", metavar="ID", help="the source's id (see `sources list`)")
    test = actions.add_parser("test", help="fetch a source once and show what it says")
    test.add_argument("target", metavar="ID_OR_URL", help="configured id, catalog id, or URL")
    test.add_argument("--kind", choices=kinds, help="feed format of a URL (default: detect it)")


def _probes(commands: _Commands) -> None:
    probes = commands.add_parser("probes", help="your own checks beside the providers' claims")
    actions = probes.add_subparsers(dest="probes_command", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="probes, their state and recent uptime")
    listing.add_argument("--json", action="store_true", help="print JSON")
    add = actions.add_parser("add", help="add an HTTP(S), TCP or DNS probe")
    add.add_argument(
        "target", metavar="URL|HOST:PORT|NAME", help="what to check: URL, host:port or host name"
    )
    add.add_argument("--id", dest="probe_id", required=True, type=identifier, help="its id")
    add.add_argument("--type", choices=["http", "tcp", "dns"], help="default: from TARGET")
    add.add_argument("--provider", help="catalog or source id it depends on")
    add.add_argument("--service", help="the provider's service it depends on")
    add.add_argument("--region", help="provider region code or geography (eu-west)")
    add.add_argument(
        "--interval", type=probe_interval, metavar="SECONDS", help="seconds between checks"
    )
    add.add_argument(
        "--expect-status",
        type=status_code,
        action="append",
        metavar="CODE",
        help="HTTP status that counts as up (repeatable; default any 2xx/3xx)",
    )
    add.add_argument("--contains", help="substring the body must contain (http)")
    remove = actions.add_parser("remove", help="remove a probe")
    remove.add_argument("probe_id", metavar="ID", help="the probe's id (see `probes list`)")
    remove.add_argument("--forget", action="store_true", help="also delete its history")
    test = actions.add_parser("test", help="run a probe once and show the result")
    test.add_argument(
        "target",
        metavar="ID|URL|HOST:PORT|HOST",
        help="a configured probe id, a URL, host:port or a host name",
    )
    test.add_argument(
        "--type", choices=["http", "tcp", "dns"], help="default: from TARGET (dns for a host)"
    )


def _catalog(commands: _Commands) -> None:
    catalog = commands.add_parser(
        "catalog",
        help="list or search the built-in providers",
        description="List the built-in catalog of status pages, or the best matches for QUERY "
        "(fuzzy: `watchtui catalog githb`).",
    )
    catalog.add_argument("query", nargs="?", default="", help="what to look for (default: all)")
    catalog.add_argument("--json", action="store_true", help="print JSON")
    catalog.add_argument(
        "--limit",
        type=int,
        metavar="N",
        help="at most N entries (default: 20 matches for a query, every entry without one)",
    )


def _config(commands: _Commands) -> None:
    config = commands.add_parser("config", help="where the config is, check it, show it")
    config.add_argument(
        "action",
        choices=["path", "check", "show"],
        help="path: print where it is; check: validate it; show: print what it resolves to",
    )


def _parse(commands: _Commands) -> None:
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
