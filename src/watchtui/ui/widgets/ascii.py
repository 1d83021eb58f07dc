"""ASCII mode for what Textual draws itself: scrollbar thumbs end in ▁▂▃ / ▉▊▋ partial blocks."""

from __future__ import annotations

from typing import ClassVar

from textual.dom import DOMNode
from textual.scrollbar import ScrollBarRender
from textual.widget import Widget


class AsciiScrollBarRender(ScrollBarRender):
    """Whole-cell thumbs drawn in reverse video: no glyph at all, visible without colour."""

    VERTICAL_BARS: ClassVar[list[str]] = [" "]
    HORIZONTAL_BARS: ClassVar[list[str]] = [" "]


def ascii_scrollbars(root: DOMNode) -> None:
    """Give every scrollable widget under ``root`` (and ``root``) glyph-free scrollbars.

    Per instance, not on the ``ScrollBar`` class: other apps in the process keep theirs.
    """
    widgets = [root, *root.query("*")]
    for widget in widgets:
        if isinstance(widget, Widget) and widget.is_scrollable:
            # Textual documents this per-instance override, though it types it as a ClassVar.
            widget.vertical_scrollbar.renderer = AsciiScrollBarRender  # type: ignore[misc]
            widget.horizontal_scrollbar.renderer = AsciiScrollBarRender  # type: ignore[misc]
