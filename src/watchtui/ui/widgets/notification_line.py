"""One line above the footer for everything the app has to say: the newest notice, its time and
level in the board's words, and how many more arrived since the notifications screen (``n``)
was last opened.  It replaces toasts, which covered the data they announced."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text

from watchtui.ui import format as fmt
from watchtui.ui.widgets.one_line import OneLine
from watchtui.viewmodel.notice_log import Entry


def notice_text(entry: Entry, *, unread: int, local: bool, ascii_only: bool) -> Text:
    notice = entry.notice
    glyph = fmt.level_cell(notice.level, ascii_only=ascii_only).plain.split(" ", 1)[0]
    sep = " - " if ascii_only else " · "
    # The count leads: the message is what gets cut at a narrow width.
    more = f"+{unread - 1} n " if unread > 1 else ""
    return Text.assemble(
        (more, "bold"),
        (fmt.clock(entry.at, local=local).split(" ")[0], "dim"),
        " ",
        (glyph, fmt.level_style(notice.level)),
        " ",
        (notice.title, "bold"),
        sep if notice.message else "",
        notice.message.replace("\n", sep),
    )


class NotificationLine(OneLine):
    """Hidden until there is something to say."""

    def show_entry(
        self, entry: Entry | None, *, unread: int, now: datetime, local: bool, ascii_only: bool
    ) -> None:
        if entry is None:
            self.display = False
            return
        self.display = True
        self.show(
            notice_text(entry, unread=unread, local=local, ascii_only=ascii_only),
            ascii_only=ascii_only,
        )
