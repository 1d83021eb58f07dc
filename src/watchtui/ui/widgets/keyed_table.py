"""A DataTable updated by row key, so live data never moves the cursor, the scroll or the focus."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey, RowDoesNotExist, RowKey

from watchtui.ui import format as fmt

Cells = tuple[Text, ...]
Rows = Sequence[tuple[str, Cells]]


class KeyedTable(DataTable[Text]):
    """Rows are (key, cells); ``sync`` applies a new list with the fewest changes.

    A full ``clear()`` and refill would reset the cursor to row 0 and the scroll to the top on
    every poll; instead rows are updated in place, removed, added, and re-ordered only when the
    order actually changed.  The cursor follows its row's key.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False, id="cursor_down"),
        Binding("k", "cursor_up", "Up", show=False, id="cursor_up"),
        Binding("g", "scroll_top", "First row", show=False, id="first_row"),
        Binding("G", "scroll_bottom", "Last row", show=False, id="last_row"),
    ]

    # (label, key) of each column, added before the first rows whoever comes first.
    COLUMNS: ClassVar[tuple[tuple[str, str], ...]] = ()
    # The column that takes the remaining width; its cells are cut with an ellipsis to fit, so
    # the table never needs horizontal scrolling.
    FLEX_COLUMN: ClassVar[str | None] = None
    MIN_FLEX_WIDTH: ClassVar[int] = 12

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes, cursor_type="row", zebra_stripes=False)
        self._last_rows: Rows = ()
        self.ascii_only = False
        self._drawn_widths: list[int] | None = None

    def _ensure_columns(self) -> None:
        if not self.columns:
            for label, key in self.COLUMNS:
                self.add_column(label, key=key)

    def on_mount(self) -> None:
        self._ensure_columns()

    @property
    def cursor_key(self) -> str | None:
        if not self.row_count:
            return None
        try:
            key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key
        except RowDoesNotExist:
            return None
        return key.value

    def row_keys(self) -> list[str]:
        return [row.key.value for row in self.ordered_rows if row.key.value is not None]

    def move_to_key(self, key: str, *, scroll: bool = True) -> bool:
        try:
            index = self.get_row_index(key)
        except RowDoesNotExist:
            return False
        self.move_cursor(row=index, scroll=scroll)
        return True

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        # DataTable measures new rows on idle, but a frame painted before that draws them at the
        # header's widths and its render caches are keyed on an update counter, not on widths:
        # those cut cells ("11:1", "▲ majo") would stay until the row next changed (Textual
        # issue #4470).  Once the widths are final, a change of width invalidates the caches.
        super()._update_dimensions(new_rows)
        widths = [column.content_width for column in self.ordered_columns]
        if widths != self._drawn_widths:
            self._drawn_widths = widths
            self._update_count += 1
            self.refresh()

    def on_resize(self) -> None:
        if self._last_rows:
            self.sync(self._last_rows)

    def _fit(self, rows: Rows) -> Rows:
        if self.FLEX_COLUMN is None or not rows:
            return rows
        flex = [key for _, key in self.COLUMNS].index(self.FLEX_COLUMN)
        # Reserve the scrollbar whether or not it is showing yet, so the widths do not depend on
        # whether the rows arrived before or after it appeared.
        width = self.content_region.width - self.styles.scrollbar_size_vertical
        if width <= 0:
            return rows
        used = 0
        for index, (label, _) in enumerate(self.COLUMNS):
            used += 2 * self.cell_padding
            if index != flex:
                used += max([len(label)] + [cells[index].cell_len for _, cells in rows])
        budget = max(self.MIN_FLEX_WIDTH, width - used)
        fitted = []
        for key, cells in rows:
            cell = cells[flex]
            if cell.cell_len > budget:
                cell = fmt.fit(cell, budget, ascii_only=self.ascii_only)
                cells = (*cells[:flex], cell, *cells[flex + 1 :])
            fitted.append((key, cells))
        return fitted

    def sync(self, rows: Rows) -> None:
        self._ensure_columns()
        self._last_rows = rows
        rows = self._fit(rows)
        cursor_key = self.cursor_key
        scroll_y = self.scroll_y
        wanted = {key: cells for key, cells in rows}
        with self.app.batch_update():
            for key in self.row_keys():
                if key not in wanted:
                    self.remove_row(key)
            existing = set(self.row_keys())
            columns = [column.key for column in self.ordered_columns]
            for key, cells in rows:
                if key in existing:
                    self._update_row(key, columns, cells)
                else:
                    self.add_row(*cells, key=key)
            order = [key for key, _ in rows]
            if self.row_keys() != order:
                self._reorder(order, columns[0])
            if cursor_key is not None and cursor_key in wanted:
                self.move_to_key(cursor_key, scroll=False)
                self.scroll_to(y=scroll_y, animate=False, immediate=True)

    def _update_row(self, key: str, columns: list[ColumnKey], cells: Cells) -> None:
        current = self.get_row(key)
        for column, old, new in zip(columns, current, cells, strict=False):
            if not same_cell(old, new):
                self.update_cell(key, column, new, update_width=True)

    def _reorder(self, order: list[str], first_column: ColumnKey) -> None:
        # DataTable sorts by cell values only, so the identities of the first cells stand in for
        # the row keys; cells shared between rows are copied first to make them distinct.
        position: dict[int, int] = {}
        for index, key in enumerate(order):
            cell = self.get_row(key)[0]
            if id(cell) in position:
                cell = cell.copy()
                self.update_cell(key, first_column, cell)
            position[id(cell)] = index
        self.sort(first_column, key=lambda cell: position[id(cell)])


def same_cell(old: Text, new: Text) -> bool:
    """Text's own == ignores the base style, and a status change may be only a style change."""
    return old.plain == new.plain and old.style == new.style and old.spans == new.spans
