"""A DataTable updated by row key, so live data never moves the cursor, the scroll or the focus.

It also decides what the view does when rows arrive while nobody touches a key: it **follows**
the top of the list (the newest update, the worst service) until the user moves; then it
**holds** still — the rows the user is reading stay where they are on screen — and counts the
rows above the viewport ("↑ 3 newer"); ``g`` or ``home`` goes back to the top and follows again.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.widgets.data_table import ColumnKey, RowDoesNotExist

from watchtui.ui import format as fmt
from watchtui.ui.textual_workarounds import DataTableWorkarounds

Cells = tuple[Text, ...]
Rows = Sequence[tuple[str, Cells]]


class KeyedTable(DataTableWorkarounds):
    """Rows are (key, cells); ``sync`` applies a new list with the fewest changes.

    A full ``clear()`` and refill would reset the cursor to row 0 and the scroll to the top on
    every poll; instead rows are updated in place, removed, added, and re-ordered only when the
    order actually changed.  The cursor follows its row's key.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False, id="cursor_down"),
        Binding("k", "cursor_up", "Up", show=False, id="cursor_up"),
        Binding("g,home", "scroll_top", "Top (follow)", show=False, id="first_row"),
        Binding("G,end", "scroll_bottom", "Last row", show=False, id="last_row"),
    ]

    # (label, key) of each column, added before the first rows whoever comes first.
    COLUMNS: ClassVar[tuple[tuple[str, str], ...]] = ()
    # The column that takes the remaining width; its cells are cut with an ellipsis to fit, so
    # the table never needs horizontal scrolling.
    FLEX_COLUMN: ClassVar[str | None] = None
    MIN_FLEX_WIDTH: ClassVar[int] = 12
    # Widest a non-flex column may grow: longer cells are cut with an ellipsis, so one long
    # provider name or region list cannot squeeze the flex column (names before ids).
    MAX_WIDTHS: ClassVar[dict[str, int]] = {}
    # What the rows above a held viewport are ("↑ 3 newer" in the stream).
    ABOVE_WORD: ClassVar[str] = "above"
    # Live panes whose top matters most (the newest update, the worst service) follow it until
    # the user moves; lists where the user picks an item (sources, probes) only hold.
    FOLLOWS_TOP: ClassVar[bool] = False

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._last_rows: Rows = ()
        self.ascii_only = False
        self.following = self.FOLLOWS_TOP

    def _ensure_columns(self) -> None:
        if not self.columns:
            for label, key in self.COLUMNS:
                # A Text label: a string would be parsed as markup (and load rich's emoji table).
                self.add_column(Text(label), key=key)

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

    # --- follow and hold ------------------------------------------------------------------

    @property
    def rows_above(self) -> int:
        """Rows above the first visible one (the count a held view shows)."""
        return 0 if self.following else int(self.scroll_y)

    def above_label(self, *, ascii_only: bool) -> str:
        above = self.rows_above
        return f"{'^' if ascii_only else '↑'} {above} {self.ABOVE_WORD}" if above else ""

    def _user_moved(self) -> None:
        self.following = self.FOLLOWS_TOP and self.cursor_row == 0

    def action_cursor_down(self) -> None:
        super().action_cursor_down()
        self._user_moved()

    def action_cursor_up(self) -> None:
        super().action_cursor_up()
        self._user_moved()

    def action_page_down(self) -> None:
        super().action_page_down()
        self._user_moved()

    def action_page_up(self) -> None:
        super().action_page_up()
        self._user_moved()

    def action_scroll_bottom(self) -> None:
        super().action_scroll_bottom()
        self._user_moved()

    def action_scroll_top(self) -> None:
        super().action_scroll_top()
        self.scroll_to(y=0, animate=False)
        self.following = self.FOLLOWS_TOP

    def move_to_key(self, key: str, *, scroll: bool = True) -> bool:
        """Put the cursor on ``key``'s row on the user's behalf (a jump from a filter, …)."""
        moved = self._place_cursor(key, scroll=scroll)
        if moved:
            self._user_moved()
        return moved

    def _place_cursor(self, key: str, *, scroll: bool) -> bool:
        try:
            index = self.get_row_index(key)
        except RowDoesNotExist:
            return False
        self.move_cursor(row=index, scroll=scroll)
        return True

    def on_resize(self) -> None:
        if self._last_rows:
            self.sync(self._last_rows)

    def _fit(self, rows: Rows) -> Rows:
        rows = self._cap(rows)
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

    def _cap(self, rows: Rows) -> Rows:
        keys = [key for _, key in self.COLUMNS]
        caps = [(keys.index(k), width) for k, width in self.MAX_WIDTHS.items() if k in keys]
        if not caps:
            return rows
        capped = []
        for key, cells in rows:
            cut = list(cells)
            for index, width in caps:
                if index < len(cut) and cut[index].cell_len > width:
                    cut[index] = fmt.fit(cut[index], width, ascii_only=self.ascii_only)
            capped.append((key, tuple(cut)))
        return capped

    def sync(self, rows: Rows) -> None:
        self._ensure_columns()
        self._last_rows = rows
        rows = self._fit(rows)
        cursor_key = self.cursor_key
        # Where the cursor's row sits on screen, to keep it there while holding.
        on_screen = self.cursor_row - int(self.scroll_y)
        wanted = {key: cells for key, cells in rows}
        self.hold_viewport = True
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
            if self.following and self.row_count:
                self.move_cursor(row=0, scroll=False)
                self.scroll_to(y=0, animate=False, immediate=True)
            elif cursor_key is not None and cursor_key in wanted:
                self._place_cursor(cursor_key, scroll=False)
                top = max(0, self.cursor_row - on_screen)
                self.scroll_to(y=top, animate=False, immediate=True)
        self.release_viewport_after_refresh()

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


def no_matches(columns: int, *, ascii_only: bool) -> Cells:
    """The one row of a pane that a filter (or a narrowing) left empty: never a blank pane."""
    dash = "-" if ascii_only else "—"
    return (Text(f"{dash} no matches", style="italic"), *(Text("") for _ in range(columns - 1)))
