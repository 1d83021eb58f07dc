"""Every place watchtui reaches into Textual's private API, with the upstream reason.

Kept in one module so a Textual upgrade (the version is pinned exactly in pyproject.toml) is
checked here, and nowhere else needs to know Textual's internals.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

from rich.cells import cell_len
from rich.text import Text
from textual.app import App
from textual.widgets import DataTable
from textual.widgets.data_table import RowKey


class DataTableWorkarounds(DataTable[Text]):
    """DataTable behaviours a live, keyed table needs.

    * Textual issue #4470: new rows are measured on idle, but a frame painted before that draws
      them at the header's widths, and the render caches are keyed on an update counter rather
      than on widths, so cut cells ("11:1", "▲ majo") stayed until the row next changed.  Once
      the widths are final, a change of width invalidates the caches.
    * Moving the cursor always scrolls it into view, deferred to after the next refresh when
      dimensions are pending (``watch_cursor_coordinate``).  A table that re-places its cursor
      on its row after new rows arrive must keep the viewport where the reader left it, so that
      scroll is suppressed while ``hold_viewport`` is set (set around a sync, released after the
      refresh that would run the deferred scroll).
    * New rows are measured cell by cell with Rich's ``measure``, which for a ``Text`` also splits
      it into words for a minimum width DataTable never uses: a fresh board's 2,000 cells cost
      ~30 ms before the first frame.  A one-line row of ``Text`` cells is measured here the way
      ``Text.__rich_measure__`` computes its maximum; any other row is left to Textual.
    """

    # Class-level defaults: DataTable's constructor already moves the cursor.
    hold_viewport = False
    _drawn_widths: list[int] | None = None

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(
            id=id,
            classes=classes,
            cursor_type="row",
            zebra_stripes=False,
            # The cursor row keeps each cell's own colours (a CRITICAL stays red under the
            # cursor); only cells without colours take the cursor's.
            cursor_foreground_priority="renderable",
        )

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        super()._update_dimensions(self._measure_text_rows(new_rows))
        widths = [column.content_width for column in self.ordered_columns]
        if widths != self._drawn_widths:
            self._drawn_widths = widths
            self._update_count += 1
            self.refresh()

    def _measure_text_rows(self, new_rows: Iterable[RowKey]) -> list[RowKey]:
        """Widen the columns for the plain rows among ``new_rows``; the rest, for Textual."""
        columns = self.ordered_columns
        widths = [column.content_width for column in columns]
        rest: list[RowKey] = []
        for row_key in new_rows:
            row = self.rows.get(row_key)
            cells = self._data.get(row_key)
            if row is None or cells is None:
                continue  # removed before the idle that measures it, as Textual allows
            values = [cells.get(column.key) for column in columns]
            if row.label is not None or row.auto_height or row.height != 1:
                rest.append(row_key)
                continue
            if not all(isinstance(value, Text) for value in values):
                rest.append(row_key)
                continue
            for index, value in enumerate(values):
                assert isinstance(value, Text)
                width = max((cell_len(line) for line in value.plain.splitlines()), default=0)
                if width > widths[index]:
                    widths[index] = width
        for column, width in zip(columns, widths, strict=True):
            column.content_width = width
        return rest

    def _scroll_cursor_into_view(self, animate: bool = False) -> None:
        if not self.hold_viewport:
            super()._scroll_cursor_into_view(animate)

    def release_viewport_after_refresh(self) -> None:
        def release() -> None:
            self.hold_viewport = False

        self.call_after_refresh(release)


class _Writer(Protocol):
    def write(self, data: str) -> None: ...


def terminal_writer(app: App[Any]) -> _Writer | None:
    """The raw terminal, for escape sequences Textual has no API for (OSC 9/777 desktop
    notifications).  Textual exposes no public way to write to its driver (its own
    ``App.copy_to_clipboard`` uses ``App._driver`` the same way)."""
    driver = app._driver
    return None if driver is None or app.is_headless else driver
