"""What the kiosk tests share: the kiosk screen of an app, its text, and waiting for it."""

from __future__ import annotations

from textual.geometry import Region
from textual.pilot import Pilot

from tests.support.pilot import screen_lines, settle
from watchtui.ui.app import WatchApp
from watchtui.ui.screens.kiosk import KioskScreen


def kiosk_of(app: WatchApp) -> KioskScreen:
    screen = app.screen
    assert isinstance(screen, KioskScreen)
    return screen


def text_of(app: WatchApp) -> str:
    return "\n".join(screen_lines(app))


def inside(inner: Region, outer: Region) -> bool:
    return inner.intersection(outer) == inner


async def shown(pilot: Pilot[None]) -> None:
    await settle(pilot)
    await pilot.pause()
