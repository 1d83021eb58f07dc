"""The kiosk's tiles: one place or provider each, its level, its count (large when there is
room) and its top lines; and the grid that holds as many as fit.

A tile's border takes its level's colour from the one scale (``ui.format.level_style``: the
background of a level that has one, else its colour), so no colour is named here; the worst
levels also get a heavy border, which reads without colour.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.color import Color
from textual.containers import Horizontal, Vertical
from textual.css.types import EdgeType
from textual.geometry import Size
from textual.widget import Widget
from textual.widgets import Digits

from watchtui.domain.model import impact_rank
from watchtui.ui import format as fmt
from watchtui.ui.widgets.keyed_table import same_cell
from watchtui.ui.widgets.kiosk_board import Tile, calm_head
from watchtui.ui.widgets.kiosk_layout import Plan
from watchtui.ui.widgets.one_line import OneLine
from watchtui.viewmodel.severity import Level

# Beside large digits: (one, more).
_UNITS = {"open": ("open incident", "open incidents"), "down": ("probe down", "probes down")}


def unit_words(unit: str, count: int) -> str:
    one, more = _UNITS.get(unit, (unit, unit))
    return one if count == 1 else more


# What each widget's border shows now: Textual redraws a widget whenever a title is set, even to
# the same text, and a wall on a thin link must not be redrawn by a poll that changed nothing.
_TITLES: weakref.WeakKeyDictionary[Widget, tuple[object, ...]] = weakref.WeakKeyDictionary()


def _key(text: Text | str | None) -> object:
    if isinstance(text, Text):
        return (text.plain, str(text.style), tuple(text.spans))
    return text


def show_titles(widget: Widget, title: Text | str | None, subtitle: str | None = None) -> None:
    """Set ``widget``'s border title and subtitle unless they are what it shows already."""
    key = (_key(title), subtitle)
    if _TITLES.get(widget) == key:
        return
    _TITLES[widget] = key
    widget.border_title = title
    widget.border_subtitle = subtitle


def more_line(count: int) -> Text:
    return Text(f"+{count} more", style="dim")


class KioskLines(Widget):
    """Lines that never wrap, each cut to the width; when they outnumber the height, the last
    line says how many more there are."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.lines: tuple[Text, ...] = ()
        self.ascii_only = False

    def show(self, lines: Sequence[Text], *, ascii_only: bool) -> None:
        new = tuple(lines)
        same = len(new) == len(self.lines) and all(
            same_cell(a, b) for a, b in zip(new, self.lines, strict=True)
        )
        if same and ascii_only == self.ascii_only:
            return
        # An auto-sized one (the calm panel's) is measured again when its lines change.
        resized = len(new) != len(self.lines) or self._width(new) != self._width(self.lines)
        self.lines = new
        self.ascii_only = ascii_only
        self.refresh(layout=resized)

    @staticmethod
    def _width(lines: tuple[Text, ...]) -> int:
        return max((line.cell_len for line in lines), default=0)

    @property
    def plain(self) -> str:
        return "\n".join(line.plain for line in self.lines)

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return self._width(self.lines)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.lines)

    def shown_lines(self, height: int) -> list[Text]:
        if len(self.lines) <= height:
            return list(self.lines)
        if height <= 0:
            return []
        kept = list(self.lines[: height - 1])
        return [*kept, more_line(len(self.lines) - len(kept))]

    def render(self) -> Text:
        width = max(1, self.content_size.width)
        shown = [
            fmt.fit(line, width, ascii_only=self.ascii_only)
            for line in self.shown_lines(self.content_size.height)
        ]
        text = Text("\n").join(shown)
        text.no_wrap = True
        text.overflow = "crop"
        return text


def border_color(level: Level) -> Color | None:
    """The level's colour on the scale: its background when it has one (critical is white on
    red), else its foreground; None in the mono palette."""
    style = Style.parse(fmt.level_style(level))
    chosen = style.bgcolor or style.color
    return None if chosen is None else Color.from_rich_color(chosen)


class KioskTile(Vertical):
    """``show(tile, digits=…)``; the data is kept until the tile is mounted."""

    def __init__(self) -> None:
        super().__init__(classes="kiosk-tile")
        self.tile: Tile | None = None
        self.digits = False
        self.height = 0
        self.ascii_only = False
        self._drawn: tuple[Level, bool] | None = None

    def compose(self) -> ComposeResult:
        with Horizontal(classes="tile-top"):
            yield Digits("", classes="tile-digits")
            with Vertical(classes="tile-words"):
                yield OneLine(classes="tile-head")
                yield OneLine(classes="tile-unit")
        yield KioskLines(classes="tile-lines")

    def on_mount(self) -> None:
        self._draw()

    def on_resize(self) -> None:
        self._draw_title()

    def show(self, tile: Tile, *, digits: bool, height: int, ascii_only: bool) -> None:
        self.tile = tile
        self.digits = digits
        self.height = height
        self.ascii_only = ascii_only
        if self.is_mounted:
            self._draw()

    @property
    def large(self) -> bool:
        """The count is drawn in digits: the plan has room, and there is a count to draw."""
        return self.digits and self.tile is not None and self.tile.count is not None

    def _draw(self) -> None:
        tile = self.tile
        if tile is None:
            return
        ascii_only = self.ascii_only
        large = self.large
        self.set_class(large, "-digits")
        self.set_class(tile.kind == "calm", "-calm")
        if large:
            digits = self.query_one(".tile-digits", Digits)
            if digits.value != str(tile.count):
                digits.update(str(tile.count))
            digits.styles.color = border_color(tile.level)
        self.query_one(".tile-head", OneLine).show(self._head(large), ascii_only=ascii_only)
        unit = Text(unit_words(tile.unit, tile.count or 0), style="bold") if large else Text("")
        self.query_one(".tile-unit", OneLine).show(unit, ascii_only=ascii_only)
        # Under each title its latest update, when all of that fits.
        room = self.height - 2 - (3 if large else 1)
        lines = tile.details if tile.details and len(tile.details) <= room else tile.lines
        self.query_one(".tile-lines", KioskLines).show(lines, ascii_only=ascii_only)
        self._draw_border(tile.level)
        self._draw_title()

    def _head(self, large: bool) -> Text:
        tile = self.tile
        assert tile is not None
        if tile.kind == "calm":
            return calm_head(tile, ascii_only=self.ascii_only, count=not large)
        # Assembled: the count after it must not take the level's colours.
        head = Text.assemble(fmt.level_cell(tile.level, ascii_only=self.ascii_only))
        if tile.count is not None and not large:
            head.append(f"  {tile.count} {tile.unit}", style="bold")
        return head

    def _draw_border(self, level: Level) -> None:
        drawn = (level, self.ascii_only)
        if drawn == self._drawn:
            return
        self._drawn = drawn
        color = border_color(level)
        kind: EdgeType
        if self.ascii_only:
            kind = "ascii"
        else:
            kind = "heavy" if impact_rank(level) >= impact_rank("major") else "round"
        if color is None:
            self.styles.border = (kind, self.styles.border_top[1])
        else:
            self.styles.border = (kind, color)

    def _draw_title(self) -> None:
        tile = self.tile
        if tile is None or tile.kind == "calm":
            show_titles(self, None)
            return
        # Cut here, not by Textual, whose ellipsis is not ASCII.
        room = max(1, self.size.width - 4)
        title = fmt.fit(Text(tile.name, style="bold"), room, ascii_only=self.ascii_only)
        kinds = {"geography": "region", "provider": "provider"}
        show_titles(self, title, kinds.get(tile.kind))


class KioskTiles(Widget):
    """A grid of tiles, ``plan.columns`` wide and ``plan.rows`` high; tiles are reused from one
    overview to the next (the extras are hidden), so a redraw mounts nothing new."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.shown: list[Tile] = []

    def show(self, tiles: Sequence[Tile], plan: Plan, *, ascii_only: bool) -> None:
        self.shown = list(tiles)
        self.styles.grid_size_columns = plan.columns
        self.styles.grid_size_rows = plan.rows
        self.styles.height = plan.tiles_height
        pool = list(self.query_children(KioskTile))
        missing = len(tiles) - len(pool)
        if missing > 0:
            fresh = [KioskTile() for _ in range(missing)]
            self.mount_all(fresh)
            pool += fresh
        for slot, widget in enumerate(pool):
            if slot < len(tiles):
                widget.show(
                    tiles[slot],
                    digits=plan.digits,
                    height=plan.tile_height,
                    ascii_only=ascii_only,
                )
            widget.display = slot < len(tiles)

    @property
    def tiles(self) -> list[KioskTile]:
        return [t for t in self.query_children(KioskTile) if t.display]
