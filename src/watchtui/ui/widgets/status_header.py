"""Top line: the headline, the current narrowing, PAUSED, and a clock that ticks once a minute.

A disagreement between the user's probes and a provider leads the headline, marked: it is the
one line an operator must not miss.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.widgets import Static

from watchtui.engine.overview import Overview
from watchtui.ui import format as fmt
from watchtui.ui.widgets.one_line import OneLine

_SEPARATOR = " · "


def headline_text(overview: Overview, *, ascii_only: bool) -> Text:
    """``Overview.headline()`` with its disagreement count moved first and marked."""
    parts = overview.headline().split(_SEPARATOR)
    signals = [p for p in parts if p.endswith(("disagreement", "disagreements"))]
    rest = [p for p in parts if p not in signals]
    gap = " | " if ascii_only else _SEPARATOR
    alarm = is_alarming(overview)
    text = Text(style="bold red" if alarm else "bold")
    for part in signals:
        text.append(f" {fmt.disagree_mark(ascii_only=ascii_only)} {part} ", "reverse magenta")
        text.append(" ")
    text.append(gap.join(rest))
    return text


def is_alarming(overview: Overview) -> bool:
    return (
        bool(overview.open_incidents)
        or bool(overview.unhealthy_sources)
        or bool(overview.disagreements)
        or any(p.state == "down" for p in overview.probes)
    )


class StatusHeader(Horizontal):
    paused: reactive[bool] = reactive(False, init=False)
    local_time: reactive[bool] = reactive(False, init=False)

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

    def _tick(self) -> None:
        now = self._clock()
        self.query_one("#clock", OneLine).show(Text(fmt.clock(now, local=self.local_time)))
        # Wake exactly at the next minute: an idle screen sends nothing in between.
        wait = 60 - now.second - now.microsecond / 1_000_000
        self.set_timer(max(wait, 1.0), self._tick, name="clock")

    def watch_paused(self, paused: bool) -> None:
        self.query_one("#paused", Static).display = paused

    def watch_local_time(self) -> None:
        if self.is_mounted:
            now = self._clock()
            self.query_one("#clock", OneLine).show(Text(fmt.clock(now, local=self.local_time)))

    def show(self, headline: str, *, alarm: bool, ascii_only: bool) -> None:
        text = headline.replace(_SEPARATOR, " | ") if ascii_only else headline
        self.query_one("#headline", OneLine).show(
            Text(text, style="bold red" if alarm else "bold"), ascii_only=ascii_only
        )

    def show_overview(self, overview: Overview, *, ascii_only: bool) -> None:
        self.query_one("#headline", OneLine).show(
            headline_text(overview, ascii_only=ascii_only), ascii_only=ascii_only
        )

    def show_scope(self, parts: list[str]) -> None:
        scope = self.query_one("#scope", OneLine)
        scope.show(Text("  ".join(parts), style="reverse") if parts else Text(""))
        scope.display = bool(parts)
