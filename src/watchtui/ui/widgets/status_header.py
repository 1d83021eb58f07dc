"""Top line: the worst level on the board and where, the counts, the narrowing, PAUSED, a clock.

The whole bar takes the worst level's colours (``viewmodel.severity.bar_style``), so the board's
state reads from across the room; the words lead, so it reads without colour too.  A disagreement
between the user's probes and a provider is counted in the line and pinned in the stream.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static

from watchtui.engine.overview import Overview
from watchtui.ui import format as fmt
from watchtui.ui.settings import follow, setting
from watchtui.ui.widgets.one_line import OneLine
from watchtui.viewmodel.headline import Headline, headline
from watchtui.viewmodel.severity import Level, bar_style


def headline_text(line: Headline, *, ascii_only: bool) -> Text:
    return Text(f" {line.text(ascii_only=ascii_only)}", style=bar_style(line.level, fmt.palette()))


class StatusHeader(Horizontal):
    """Shows the app's ``paused`` and ``local_time`` settings as they change (watched)."""

    # The board's worst level: the bar's colours; None until the first overview.
    level: Level | None = None

    def __init__(self, clock: Callable[[], datetime], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._clock = clock

    def compose(self) -> ComposeResult:
        yield OneLine(id="headline")
        yield OneLine(id="scope")
        yield Static("PAUSED", id="paused", markup=False)
        yield OneLine(id="clock")

    def on_mount(self) -> None:
        self._tick()
        follow(self, "paused", self._show_paused, init=True)
        follow(self, "local_time", self._show_clock)

    def _show_clock(self) -> None:
        style = "" if self.level is None else bar_style(self.level, fmt.palette())
        now = self._clock()
        clock = Text(f" {fmt.clock(now, local=setting(self, 'local_time'))} ", style)
        self.query_one("#clock", OneLine).show(clock)

    def _tick(self) -> None:
        now = self._clock()
        self._show_clock()
        # Wake exactly at the next minute: an idle screen sends nothing in between.
        wait = 60 - now.second - now.microsecond / 1_000_000
        self.set_timer(max(wait, 1.0), self._tick, name="clock")

    def _show_paused(self, paused: bool) -> None:
        self.query_one("#paused", Static).display = paused

    def show(self, message: str, *, ascii_only: bool) -> None:
        """A line of the app's own (before the first overview)."""
        self.query_one("#headline", OneLine).show(Text(f" {message}"), ascii_only=ascii_only)

    def show_overview(self, overview: Overview, *, ascii_only: bool) -> None:
        line = headline(overview)
        self.level = line.level
        self.query_one("#headline", OneLine).show(
            headline_text(line, ascii_only=ascii_only), ascii_only=ascii_only
        )
        self._show_clock()

    def show_scope(self, parts: list[str]) -> None:
        scope = self.query_one("#scope", OneLine)
        scope.show(Text("  ".join(parts), style="reverse") if parts else Text(""))
        scope.display = bool(parts)
