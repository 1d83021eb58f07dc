"""Kiosk mode: a read-only wall board sized to the screen, from 80x24 to a 4K wall.

Top to bottom: the header bar (the worst level, where, the counts), the source strip, the
disagreements between the user's probes and their providers (with the correlation hints, worded
as hints), the tiles — one per geography and per provider in trouble, worst first, as many as fit,
the rest folded into "+N more" — and the detail area, cycling through the open incidents every
``kiosk_cycle_seconds`` (with the list of them beside it on wide screens).  A calm board says so
large; a blind one says which sources it cannot see.  How the screen is divided is
``widgets.kiosk_layout``; what goes on it, ``widgets.kiosk_board``.

The screen gets its data only from the app's ``board`` reactive.  It never asks anything of the
user (the app obeys no key but ``ctrl+q`` in kiosk mode, and this screen binds none) and never
stops: a failure while drawing is shown in one line and the next overview or cycle tries again.
There is no notification line: the app keeps its log, a wall shows none.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, cast

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Static

from watchtui.engine.overview import IncidentView, Overview
from watchtui.ui.settings import follow
from watchtui.ui.widgets.ascii import ascii_scrollbars
from watchtui.ui.widgets.keyed_table import same_cell
from watchtui.ui.widgets.kiosk_board import (
    Tile,
    build_tiles,
    calm_tile,
    more_tile,
    signal_texts,
    worst_first,
)
from watchtui.ui.widgets.kiosk_detail import detail_text, list_lines
from watchtui.ui.widgets.kiosk_layout import (
    LIST_BESIDE_WIDTH,
    Plan,
    detail_room,
    plan,
    signal_budget,
)
from watchtui.ui.widgets.kiosk_tile import KioskLines, KioskTiles, more_line, show_titles
from watchtui.ui.widgets.one_line import OneLine
from watchtui.ui.widgets.source_strip import SourceStrip
from watchtui.ui.widgets.status_header import StatusHeader

if TYPE_CHECKING:
    from watchtui.ui.app import WatchApp

# The same path form as a ``CSS_PATH`` entry of the app's (``ui/styles/…``), so the stylesheet
# recognises it whichever of the two loads it first.
KIOSK_CSS = Path(__file__).parent.parent / "styles" / "kiosk.tcss"
# Roomy detail (blank lines between its parts) from this height.
_ROOMY = 14


def kiosk_order(overview: Overview) -> list[IncidentView]:
    """Worst first, then the most recently started."""
    return worst_first(list(overview.open_incidents))


class KioskScreen(Screen[None]):
    CSS_PATH = "../styles/kiosk.tcss"
    # None of its own: in kiosk mode the app obeys ctrl+q alone (``WatchApp.KIOSK_ACTIONS``).
    BINDINGS: ClassVar[list[BindingType]] = []

    def __init__(self) -> None:
        super().__init__()
        # Overviews can arrive before the widgets exist; they are drawn once mounted.
        self._ready = False
        self.overview: Overview | None = None
        self.incidents: list[IncidentView] = []
        self.index = 0
        self.plan: Plan | None = None
        self._detail_shown: Text | None = None

    @property
    def watch_app(self) -> WatchApp:
        return cast("WatchApp", self.app)

    def compose(self) -> ComposeResult:
        yield StatusHeader(self.watch_app.clock, id="header")
        yield SourceStrip(id="strip")
        yield KioskLines(id="kiosk-signals")
        yield KioskTiles(id="kiosk-tiles")
        with Horizontal(id="kiosk-bottom"):
            yield Static(Text("Loading..."), id="kiosk-detail", markup=False)
            with Vertical(id="kiosk-list-box"):
                yield KioskLines(id="kiosk-list")
        yield OneLine(id="kiosk-error")

    def on_mount(self) -> None:
        self._load_css()
        self.set_class(self.watch_app.ascii_only, "-ascii")
        if self.watch_app.ascii_only:
            ascii_scrollbars(self)
        self.set_interval(self.watch_app.kiosk_cycle_seconds, self.next_incident, name="cycle")
        self._ready = True
        self.watch(self.app, "board", self._board_changed, init=True)
        follow(self, "local_time", self.refresh_view)

    def _load_css(self) -> None:
        """Textual loads the ``CSS_PATH`` of pushed screens only, and the kiosk is the app's
        default screen: its rules (all scoped to ``KioskScreen``) are added here, once."""
        stylesheet = self.app.stylesheet
        if stylesheet.has_source(os.path.abspath(KIOSK_CSS)):
            return
        stylesheet.read(KIOSK_CSS)
        stylesheet.reparse()
        stylesheet.update(self.app)

    def on_resize(self, event: events.Resize) -> None:
        if self._ready:  # a resize can come before the widgets exist
            self.refresh_view()

    def _board_changed(self, overview: Overview | None) -> None:
        if overview is not None:
            self.show_overview(overview)

    def show_overview(self, overview: Overview) -> None:
        current = self.incidents[self.index].key if self.incidents else None
        self.overview = overview
        self.incidents = kiosk_order(overview)
        keys = [v.key for v in self.incidents]
        self.index = keys.index(current) if current in keys else 0
        self.refresh_view()

    def next_incident(self) -> None:
        if len(self.incidents) > 1:
            self.index = (self.index + 1) % len(self.incidents)
            self.refresh_view()

    def refresh_view(self) -> None:
        error = self.query_one("#kiosk-error", OneLine)
        try:
            self._draw()
        except Exception as exc:  # a wall display must outlive any drawing bug
            error.show(Text(f"display error ({type(exc).__name__}); retrying", style="bold"))
            error.display = True
        else:
            error.display = False

    # --- drawing ---------------------------------------------------------------------------

    def _draw(self) -> None:
        overview = self.overview
        if overview is None or not self._ready:
            return
        app = self.watch_app
        now = app.clock()
        ascii_only = app.ascii_only
        width, height = self.size.width, self.size.height
        self.query_one(StatusHeader).show_overview(overview, ascii_only=ascii_only)
        self.query_one(SourceStrip).show_sources(overview.sources, now, ascii_only=ascii_only)
        signal_lines = self._signal_lines(overview, width, signal_budget(height))
        signals = self.query_one("#kiosk-signals", KioskLines)
        signals.show(signal_lines, ascii_only=ascii_only)
        signals.styles.height = len(signal_lines)
        signals.display = bool(signal_lines)
        tiles = build_tiles(overview, now, ascii_only=ascii_only)
        calm = not tiles
        if calm:
            tiles = [calm_tile(overview, now, ascii_only=ascii_only)]
        beside = width >= LIST_BESIDE_WIDTH
        roomy = detail_room(height, len(signal_lines)) >= _ROOMY
        texts = self._detail_texts(roomy)
        layout = plan(
            width,
            height,
            tiles=len(tiles),
            signal_lines=len(signal_lines),
            detail_need=0 if calm else self._detail_need(texts, width, beside),
            ascii_only=ascii_only,
        )
        self.plan = layout
        self.query_one(KioskTiles).show(self._slots(tiles, layout), layout, ascii_only=ascii_only)
        self._draw_detail(layout, texts)

    def _detail_texts(self, roomy: bool) -> list[Text]:
        app = self.watch_app
        now = app.clock()
        return [
            detail_text(v, now, local=app.local_time, ascii_only=app.ascii_only, roomy=roomy)
            for v in self.incidents
        ]

    def _detail_need(self, texts: list[Text], width: int, beside: bool) -> int:
        """As tall as the longest incident's text needs (so the height holds still as the cycle
        turns), or the list beside it; one line when there is no incident to show."""
        if not texts:
            return 3
        room = max(10, (width * 3 // 5 if beside else width) - 4)
        longest = max(len(text.wrap(self.app.console, room)) for text in texts)
        listed = 2 * len(texts) if beside else 0
        return max(longest, listed) + 2

    def _signal_lines(self, overview: Overview, width: int, budget: int) -> list[Text]:
        """Whole signals, wrapped, while they fit in ``budget`` lines; the rest is counted."""
        found = signal_texts(overview, ascii_only=self.watch_app.ascii_only)
        room = max(10, width - 2)
        lines: list[Text] = []
        for position, signal in enumerate(found):
            wrapped = list(signal.wrap(self.app.console, room))
            left = len(found) - position - 1
            # The last line is kept for "+N more" unless this is the last signal.
            limit = budget if left == 0 else budget - 1
            if len(lines) + len(wrapped) > limit:
                if not lines:  # the first signal always shows, cut to the room there is
                    lines = wrapped[: max(1, limit)]
                    left = len(found) - 1
                    if left:
                        lines.append(more_line(left))
                    return lines
                lines.append(more_line(len(found) - position))
                return lines
            lines += wrapped
        return lines

    def _slots(self, tiles: list[Tile], layout: Plan) -> list[Tile]:
        if not layout.hidden:
            return tiles
        shown = tiles[: layout.slots - 1]
        hidden = tiles[layout.slots - 1 :]
        more = more_tile(hidden, ascii_only=self.watch_app.ascii_only)
        if not shown:  # one slot: it sums up everything instead of saying "+N more" alone
            more = replace(more, name=f"{len(hidden)} in trouble")
        return [*shown, more]

    def _show_detail(self, title: str | None, text: Text) -> None:
        detail = self.query_one("#kiosk-detail", Static)
        show_titles(detail, title)
        # Unchanged text is not sent again (a poll that changed nothing redraws nothing).
        if self._detail_shown is None or not same_cell(self._detail_shown, text):
            self._detail_shown = text
            detail.update(text)

    def _draw_detail(self, layout: Plan, texts: list[Text]) -> None:
        app = self.watch_app
        bottom = self.query_one("#kiosk-bottom", Horizontal)
        bottom.styles.height = layout.detail_height
        bottom.display = layout.detail_height > 0
        self.set_class(layout.list_beside and bool(self.incidents), "-list-beside")
        if not self.incidents:
            self._show_detail(None, Text("No open incidents from the providers", style="bold"))
            return
        self.index = min(self.index, len(self.incidents) - 1)
        self._show_detail(f"Incident {self.index + 1} of {len(self.incidents)}", texts[self.index])
        if layout.list_beside:
            box = self.query_one("#kiosk-list-box", Vertical)
            show_titles(box, f"Open incidents ({len(self.incidents)})")
            rows = max(1, layout.detail_height - 2)
            self.query_one("#kiosk-list", KioskLines).show(
                list_lines(self.incidents, self.index, rows, ascii_only=app.ascii_only),
                ascii_only=app.ascii_only,
            )
