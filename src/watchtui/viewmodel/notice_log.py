"""What the notification line and the notifications screen show: recent notices, newest first.

Everything the app has to say goes here — incidents opening, probes failing, the app's own
errors and confirmations — instead of toasts piling up over the data.  Bounded, so a board left
on a wall for weeks does not grow.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import datetime

from watchtui.viewmodel.notify import Notice

KEEP = 200


@dataclass(frozen=True)
class Entry:
    at: datetime
    notice: Notice


class NoticeLog:
    def __init__(self, keep: int = KEEP) -> None:
        self._entries: deque[Entry] = deque(maxlen=keep)
        self.unread = 0

    def add(self, notice: Notice, at: datetime) -> Entry:
        entry = Entry(at, notice)
        self._entries.appendleft(entry)
        self.unread += 1
        return entry

    @property
    def entries(self) -> tuple[Entry, ...]:
        """Newest first."""
        return tuple(self._entries)

    @property
    def latest(self) -> Entry | None:
        return self._entries[0] if self._entries else None

    def mark_read(self) -> None:
        self.unread = 0
