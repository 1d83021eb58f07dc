"""The table kit of the secondary screens (history, sources, probes, incident lists): a keyed
table whose columns come and go with the width, and the note that says why a list is empty."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rich.text import Text
from textual import events, on
from textual.widgets import Static

from watchtui.ui import format as fmt
from watchtui.ui.widgets.keyed_table import KeyedTable, same_cell


def one_line(text: str) -> str:
    """Collapse whitespace so a multi-line remote string fits a table cell."""
    return " ".join(text.split())


def show_text(static: Static, text: Text) -> None:
    """Update ``static`` only if ``text`` differs, so an idle reload sends nothing."""
    current = static.content
    if not (isinstance(current, Text) and same_cell(current, text)):
        static.update(text)


# --- a table updated by key -----------------------------------------------------------------


@dataclass(frozen=True)
class ColumnSpec:
    key: str
    label: str
    # None marks the one flexible column: it takes whatever width the others leave.
    width: int | None
    # The column is dropped from tables narrower than this, so 80 columns stay readable.
    min_table_width: int = 0
    # Width in tables narrower than NARROW_TABLE, where every cell counts.
    narrow_width: int | None = None
    # Numbers read best right-aligned, under a right-aligned label.
    numeric: bool = False

    def width_in(self, table_width: int) -> int | None:
        if self.narrow_width is not None and table_width < NARROW_TABLE:
            return self.narrow_width
        return self.width


NARROW_TABLE = 100


class FittedTable(KeyedTable):
    """A ``KeyedTable`` whose columns fit its width, fed rows as cells by column key.

    Columns are chosen from the specs by the table's width and the flexible one takes the rest;
    only a width change that alters them rebuilds the table (the cursor stays on its row key).
    """

    def __init__(
        self,
        columns: Sequence[ColumnSpec],
        *,
        min_flex: int = 16,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self._specs = tuple(columns)
        self._min_flex = min_flex
        self._layout: tuple[tuple[str, int], ...] = ()
        self._rows: list[tuple[str, dict[str, Text]]] = []

    @property
    def visible_columns(self) -> tuple[str, ...]:
        return tuple(key for key, _ in self._layout)

    def set_rows(self, rows: Iterable[tuple[str, dict[str, Text]]]) -> None:
        """Show exactly ``rows`` (key, cells by column key), in this order."""
        seen: set[str] = set()
        self._rows = []
        for key, cells in rows:
            # Two rows with one key would crash add_row; the first (best ranked) wins.
            if key not in seen:
                seen.add(key)
                self._rows.append((key, {k: _fit(v) for k, v in cells.items()}))
        if self._layout:
            self.sync(self._tuples())

    def on_mount(self) -> None:
        # The screen knows the mode (ScreenHost tests have no WatchApp to ask).
        self.ascii_only = bool(getattr(self.screen, "ascii_only", False))

    def _tuples(self) -> list[tuple[str, tuple[Text, ...]]]:
        return [
            (key, tuple(self._cell(cells, column, width) for column, width in self._layout))
            for key, cells in self._rows
        ]

    def _cell(self, cells: dict[str, Text], column: str, width: int) -> Text:
        cell = cells.get(column, Text(""))
        # Rich cuts with "…"; ASCII mode cuts first, with "...".
        return fmt.fit(cell, width, ascii_only=True) if self.ascii_only else cell

    @on(events.Resize)
    def _relayout(self, event: events.Resize) -> None:
        layout = self._layout_for(event.size.width)
        if layout != self._layout:
            self._rebuild(layout)

    def _layout_for(self, width: int) -> tuple[tuple[str, int], ...]:
        visible = [
            (spec.key, spec.width_in(width))
            for spec in self._specs
            if width >= spec.min_table_width
        ]
        padding = 2 * self.cell_padding
        fixed = sum((cells or 0) + padding for _, cells in visible)
        # Room for the vertical scrollbar is always kept so its appearing does not reflow columns.
        scrollbar = self.styles.scrollbar_size_vertical
        flex = max(self._min_flex, width - fixed - scrollbar)
        return tuple((key, flex if cells is None else cells) for key, cells in visible)

    def _rebuild(self, layout: tuple[tuple[str, int], ...]) -> None:
        # A new column set cannot be reached by updating cells, so this one rebuild (on resize
        # only) is the exception to never refilling; the cursor is put back on its row key.
        selected = self.cursor_key
        labels = {
            spec.key: Text(spec.label, justify="right" if spec.numeric else "left")
            for spec in self._specs
        }
        with self.app.batch_update():
            self._layout = layout
            self.clear(columns=True)
            for key, width in layout:
                self.add_column(labels[key], width=width, key=key)
            self.sync(self._tuples())
            if selected is not None:
                self.move_to_key(selected)


class EmptyNote(Static):
    """Says why a list has no rows, right under its column headings: an empty table says
    nothing, and a filter that matches nothing should say so.  The table shrinks to its
    headings meanwhile (``-empty``, height auto in the screens' styles) and keeps the focus, so
    the screen's keys go on working."""

    DEFAULT_CSS = """
    EmptyNote {
        display: none;
        height: 1fr;
        padding: 0 1;
        color: $text-muted;
    }
    EmptyNote.-shown {
        display: block;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(Text(""), id=id, markup=False)

    def explain(self, table: FittedTable, why: Text | None) -> None:
        """``why`` the table is empty, or None when it has rows."""
        table.set_class(why is not None, "-empty")
        self.set_class(why is not None, "-shown")
        if why is not None:
            show_text(self, why)


def _fit(cell: Text) -> Text:
    cell.no_wrap = True
    cell.overflow = "ellipsis"
    return cell
