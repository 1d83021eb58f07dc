"""Recent notifications (``n``): everything the notification line said, newest first."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Footer

from watchtui.ui import format as fmt
from watchtui.ui.settings import follow, setting
from watchtui.ui.widgets.keyed_table import KeyedTable
from watchtui.ui.widgets.one_line import OneLine
from watchtui.viewmodel.notice_log import Entry


class NoticeTable(KeyedTable):
    FLEX_COLUMN = "what"
    COLUMNS = (("Time", "time"), ("Level", "level"), ("What", "what"))


class NotificationsScreen(Screen[None]):
    CSS_PATH = "../styles/notifications.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.back_to_board", "Back", id="notifications.back"),
    ]

    def __init__(
        self,
        entries: tuple[Entry, ...],
        *,
        clock: Callable[[], datetime],
        ascii_only: bool,
    ) -> None:
        super().__init__()
        self.entries = entries
        self.clock = clock
        self.ascii_only = ascii_only

    def compose(self) -> ComposeResult:
        yield OneLine(Text(" Notifications, newest first", style="bold"), id="title")
        yield NoticeTable(id="notices")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(NoticeTable)
        table.ascii_only = self.ascii_only
        self._show()
        table.focus()
        follow(self, "local_time", self._show)

    def _show(self) -> None:
        table = self.query_one(NoticeTable)
        sep = " - " if self.ascii_only else " · "
        rows = []
        for index, entry in enumerate(self.entries):
            notice = entry.notice
            what = Text.assemble((notice.title, "bold"), sep if notice.message else "")
            what.append(notice.message.replace("\n", sep))
            rows.append(
                (
                    str(index),
                    (
                        Text(fmt.short_date_time(entry.at, local=setting(self, "local_time"))),
                        fmt.level_cell(notice.level, ascii_only=self.ascii_only),
                        what,
                    ),
                )
            )
        if not rows:
            rows.append(("none", (Text(""), Text(""), Text("Nothing yet.", style="italic"))))
        table.sync(rows)
