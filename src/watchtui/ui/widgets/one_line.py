"""A single line of text that never wraps, cut to its width with "…" ("..." in ASCII mode).

CSS ``text-overflow: ellipsis`` always draws Rich's Unicode ellipsis; this widget cuts the text
itself at render time, when its width is known, so ASCII mode stays ASCII.
"""

from __future__ import annotations

from rich.text import Text
from textual.geometry import Size
from textual.widget import Widget

from watchtui.ui import format as fmt
from watchtui.ui.widgets.keyed_table import same_cell


class OneLine(Widget):
    DEFAULT_CSS = """
    OneLine {
        height: 1;
    }
    """

    def __init__(
        self,
        text: Text | None = None,
        *,
        ascii_only: bool = False,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.text = text if text is not None else Text("")
        self.ascii_only = ascii_only

    @property
    def plain(self) -> str:
        return self.text.plain

    def show(self, text: Text, *, ascii_only: bool | None = None) -> None:
        """Show ``text``; nothing is redrawn when neither it nor the mode changed."""
        mode = self.ascii_only if ascii_only is None else ascii_only
        if same_cell(self.text, text) and mode == self.ascii_only:
            return
        width_changed = text.cell_len != self.text.cell_len
        self.text = text
        self.ascii_only = mode
        # Auto-width lines (the header's scope and clock) need a new layout when they grow.
        self.refresh(layout=width_changed)

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return self.text.cell_len

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return 1

    def render(self) -> Text:
        width = self.content_size.width
        line = fmt.fit(self.text, width, ascii_only=self.ascii_only)
        line = line.copy() if line is self.text else line
        line.no_wrap = True
        line.overflow = "crop"
        if line.style and line.cell_len < width:
            # A styled line is a bar (the header): its colours run to the edge.
            line.pad_right(width - line.cell_len)
        return line
