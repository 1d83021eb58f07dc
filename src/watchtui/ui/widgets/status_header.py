"""Top line: the headline, the current narrowing, PAUSED, and a clock that ticks once a minute."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.widgets import Static

from watchtui.ui import format as fmt


class StatusHeader(Horizontal):
    paused: reactive[bool] = reactive(False, init=False)
    local_time: reactive[bool] = reactive(False, init=False)

    def __init__(self, clock: Callable[[], datetime], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._clock = clock

    def compose(self) -> ComposeResult:
        yield Static("", id="headline", markup=False)
        yield Static("", id="scope", markup=False)
        yield Static("PAUSED", id="paused", markup=False)
        yield Static("", id="clock", markup=False)

    def on_mount(self) -> None:
        self._tick()

    def _tick(self) -> None:
        now = self._clock()
        self.query_one("#clock", Static).update(fmt.clock(now, local=self.local_time))
        # Wake exactly at the next minute: an idle screen sends nothing in between.
        wait = 60 - now.second - now.microsecond / 1_000_000
        self.set_timer(max(wait, 1.0), self._tick, name="clock")

    def watch_paused(self, paused: bool) -> None:
        self.query_one("#paused", Static).display = paused

    def watch_local_time(self) -> None:
        if self.is_mounted:
            now = self._clock()
            self.query_one("#clock", Static).update(fmt.clock(now, local=self.local_time))

    def show(self, headline: str, *, alarm: bool, ascii_only: bool) -> None:
        text = headline.replace(" · ", " | ") if ascii_only else headline
        self.query_one("#headline", Static).update(
            Text(text, style="bold red" if alarm else "bold")
        )

    def show_scope(self, parts: list[str]) -> None:
        scope = self.query_one("#scope", Static)
        scope.update(Text("  ".join(parts), style="reverse") if parts else Text(""))
        scope.display = bool(parts)
