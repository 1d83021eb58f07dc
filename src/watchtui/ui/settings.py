"""The app's display settings (``WatchApp.paused``, ``WatchApp.local_time``) as a widget or a
screen reads and follows them.  Hosted by another app (tests), a node reads False and follows
nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from textual.dom import DOMNode

Setting = Literal["paused", "local_time"]
# Told the new value, or not.
Callback = Callable[[], None] | Callable[[bool], None]

__all__ = ["Setting", "follow", "setting"]


def setting(node: DOMNode, name: Setting) -> bool:
    return bool(getattr(node.app, name, False))


def follow(node: DOMNode, name: Setting, callback: Callback, *, init: bool = False) -> None:
    """Call ``callback`` whenever the app's ``name`` changes (and now, with ``init``)."""
    if hasattr(node.app, name):
        node.watch(node.app, name, callback, init=init)
