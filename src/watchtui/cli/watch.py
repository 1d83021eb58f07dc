"""``watchtui`` with no command: the watch screen."""

from __future__ import annotations

import argparse
import gc
from typing import TYPE_CHECKING

from watchtui.cli.common import load, open_store
from watchtui.store import StoreError

if TYPE_CHECKING:
    from watchtui.engine.engine import Engine
    from watchtui.engine.overview import Overview

__all__ = ["cmd_watch"]


def cmd_watch(args: argparse.Namespace) -> int:
    # Loading the app makes about a hundred thousand objects that live as long as it does
    # (modules, classes, schemas) and almost no garbage, yet the cyclic collector would scan them
    # over and over while they are made (30-50 ms before the first frame).  Load with it paused,
    # then put everything loaded out of its sight for good: it goes on with what the app makes.
    gc.disable()
    try:
        from watchtui.engine.engine import Engine
        from watchtui.ui.app import WatchApp

        path, config = load(args)
        # The first frame comes from the store as it is; the engine checks the whole file after.
        store = open_store(args, check=False)
        engine = Engine(store, config, config_file=path)
        # Read before the app starts, so the app's first frame already shows it (no UI exists yet
        # to block; from here on the app reads in workers).
        first_board, first_notice = _first_board(engine)
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
            first_board=first_board,
            first_notice=first_notice,
        )
    finally:
        gc.freeze()
        gc.enable()
    try:
        app.run()
    finally:
        # Closed, the store checkpoints its write-ahead log: no -wal or -shm file is left behind.
        store.close()
    return app.exit_status


def _first_board(engine: Engine) -> tuple[Overview, str | None]:
    """The store's overview; a store that turns out damaged (the fast open skipped the whole-file
    check) is checked now, moved aside and started afresh, as the app would after its first
    frame, and read again: with what to tell the user then."""
    try:
        return engine.overview(), None
    except StoreError:
        notice = engine.check_store()
        if notice is None:
            raise
        return engine.overview(), notice
