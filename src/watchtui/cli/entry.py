"""``main``: parse the command line, run one command, and fail on one line — never a traceback.

Every error a user can cause or meet (usage, config, store, an unknown id, the network) is one
``watchtui: …`` line on stderr and exit 3.  Anything else is a bug: one line asking for a report
(``WATCHTUI_DEBUG=1`` shows the traceback), exit 3.  A reader that stops early (``| head``) ends
the command quietly.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TextIO

from watchtui.cli.common import EXIT_OK, EXIT_UNKNOWN, CliError
from watchtui.cli.parser import build_parser
from watchtui.config import ConfigError
from watchtui.domain.assessment import EXIT_INTERRUPTED
from watchtui.domain.clock import utcnow
from watchtui.domain.text import clean_line
from watchtui.store import StoreError

__all__ = ["main"]


def main(argv: Sequence[str] | None = None, *, clock: Callable[[], datetime] | None = None) -> int:
    """``clock`` is the time the commands judge ages and staleness by (tests freeze it)."""
    try:
        code = _run(argv, clock)
        # Flushed here, inside the guard: a pipe closed early fails this write, not the
        # interpreter's final flush (which would print "Exception ignored …").
        sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_OK
    return code


def _run(argv: Sequence[str] | None, clock: Callable[[], datetime] | None) -> int:
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as done:  # --help and --version
        return done.code if isinstance(done.code, int) else EXIT_OK
    except CliError as exc:
        return _fail(str(exc))
    args.clock = clock or utcnow
    try:
        return dispatch(args, sys.stdout)
    except (CliError, ConfigError, StoreError) as exc:
        return _fail(str(exc))
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        raise
    except Exception as exc:
        if os.environ.get("WATCHTUI_DEBUG"):
            raise
        return _fail(
            f"unexpected error ({type(exc).__name__}: {exc}); this is a bug, please report it "
            "with the command you ran (WATCHTUI_DEBUG=1 shows the details)"
        )


def dispatch(args: argparse.Namespace, out: TextIO) -> int:
    # Each command imports what it needs when it runs: `config check` should not pay for httpx,
    # Textual or SQLite.
    command = args.command
    if command == "status":
        from watchtui.cli.status import cmd_status

        return cmd_status(args, out)
    if command == "history":
        from watchtui.cli.history import cmd_history

        return cmd_history(args, out)
    if command == "sources":
        from watchtui.cli.sources import cmd_sources

        return cmd_sources(args, out)
    if command == "probes":
        from watchtui.cli.probes import cmd_probes

        return cmd_probes(args, out)
    if command == "catalog":
        from watchtui.cli.catalog import cmd_catalog

        return cmd_catalog(args, out)
    if command == "config":
        from watchtui.cli.config_cmd import cmd_config

        return cmd_config(args, out)
    if command == "parse":
        from watchtui.cli.parse import cmd_parse

        return cmd_parse(args, out)
    if command == "collect":
        from watchtui.cli.collect import cmd_collect

        return cmd_collect(args, out)
    if command == "serve":
        from watchtui.cli.serve import cmd_serve

        return cmd_serve(args, out)
    if command == "demo":
        from watchtui.cli.demo import cmd_demo

        return cmd_demo(args)
    from watchtui.cli.watch import cmd_watch

    return cmd_watch(args)


def _fail(message: str) -> int:
    # Messages can quote remote text (a feed's error, a server's reason): one clean line.
    print(f"watchtui: {clean_line(message, 1000)}", file=sys.stderr)
    return EXIT_UNKNOWN


def _silence_stdout() -> None:
    """The Python docs' recipe for SIGPIPE: point stdout at /dev/null so the interpreter's
    last flush has somewhere to go, then leave quietly."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        return  # not a real file (a test's capture): nothing will flush into a closed pipe
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fd)
    os.close(devnull)
