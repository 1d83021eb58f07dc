"""The DataTable workarounds keep Textual's own results: column widths as Rich measures them."""

from __future__ import annotations

from typing import cast

from rich.text import Text
from textual.app import App, ComposeResult
from textual.render import measure

from watchtui.ui.textual_workarounds import DataTableWorkarounds

# Wide, zero-width, combining and multi-line text, beside a row of plain strings (which Textual
# measures itself) and an emoji with a variation selector.
ROWS: tuple[tuple[Text | str, ...], ...] = (
    (Text("ok"), Text("short"), Text("")),
    (Text("漢字のタイトル"), Text("e\u0301te\u0301"), Text("a\nlonger second line")),
    ("plain str", "wider plain string cell", "x"),
    (Text("\u26a0\ufe0f warn"), Text("tab\there"), Text("👩\u200d💻 dev")),
)


class Host(App[None]):
    def compose(self) -> ComposeResult:
        table = DataTableWorkarounds(id="t")
        table.add_columns("A", "B", "C")
        yield table

    def on_mount(self) -> None:
        table = self.query_one(DataTableWorkarounds)
        for index, row in enumerate(ROWS):
            # The row of strings goes through Textual's own measuring (the table's type says Text).
            table.add_row(*cast(tuple[Text, ...], row), key=str(index))


def as_text(cell: Text | str) -> Text:
    # What DataTable's cell formatter makes of a string: its markup, rendered.
    return cell if isinstance(cell, Text) else Text.from_markup(cell)


async def test_column_widths_are_what_rich_measures() -> None:
    app = Host()
    async with app.run_test(size=(120, 20)) as pilot:
        await pilot.pause()
        table = app.query_one(DataTableWorkarounds)
        expected = [
            max(
                measure(app.console, column.label, 1),
                *(measure(app.console, as_text(row[index]), 1) for row in ROWS),
            )
            for index, column in enumerate(table.ordered_columns)
        ]
        assert [column.content_width for column in table.ordered_columns] == expected
