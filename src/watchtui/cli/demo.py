"""``watchtui demo``: the whole app on a scripted outage from a loopback server, no internet."""

from __future__ import annotations

import argparse

from watchtui.cli.common import CliError

__all__ = ["cmd_demo"]


def cmd_demo(args: argparse.Namespace) -> int:
    from watchtui.demo.app import run_demo

    if not args.step > 0:
        raise CliError(f"--step {args.step:g}: give a number of seconds above 0")
    return run_demo(step_seconds=args.step, ascii_only=args.ascii, kiosk=args.kiosk)
