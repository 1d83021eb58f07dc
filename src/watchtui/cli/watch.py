"""``watchtui`` with no command: the watch screen."""

from __future__ import annotations

import argparse

from watchtui.cli.common import load, open_store

__all__ = ["cmd_watch"]


def cmd_watch(args: argparse.Namespace) -> int:
    from watchtui.engine.engine import Engine
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
