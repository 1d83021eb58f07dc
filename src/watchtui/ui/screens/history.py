"""Past incidents from the store: a date range, a provider and a title filter, daily sparklines."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import ClassVar

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.reactive import reactive
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Footer, Input, Static
from textual.worker import get_current_worker

from watchtui.domain.clock import Clock, utcnow
from watchtui.engine.overview import IncidentView, SourceView, count_open, open_first
from watchtui.engine.protocol import WatchEngine
from watchtui.ui import format as fmt
from watchtui.ui.screens.engine_screen import EngineScreen, OpenIncident
from watchtui.ui.screens.incident_list import IncidentTable, legend
from watchtui.ui.widgets.fitted_table import EmptyNote, one_line
from watchtui.ui.widgets.one_line import OneLine
from watchtui.viewmodel.severity import separator

# (label, span): cycled with ``d``.
PRESETS: tuple[tuple[str, timedelta], ...] = (
    ("24h", timedelta(hours=24)),
    ("7d", timedelta(days=7)),
    ("30d", timedelta(days=30)),
    ("90d", timedelta(days=90)),
)
DEFAULT_PRESET = 2

_BARS = "▁▂▃▄▅▆▇█"
_NAME_WIDTH = 14
_TOTAL_WIDTH = 4
_FILTER_DELAY = 0.3


# --- sparklines -----------------------------------------------------------------------------


def bucket(values: Sequence[int], width: int) -> tuple[list[int], int]:
    """Sum ``values`` into at most ``width`` buckets; returns (buckets, values per bucket)."""
    per = max(1, math.ceil(len(values) / max(1, width)))
    return [sum(values[i : i + per]) for i in range(0, len(values), per)], per


def spark(values: Sequence[int], peak: int, *, ascii_only: bool) -> Text:
    """One character per value, oldest first.

    Unicode bars are scaled to ``peak`` so providers compare; ASCII shows the exact count
    (1-9, ``+`` above), which at a few incidents a day says more than a scaled bar.  Days
    without incidents are a dim dot either way, so they never read as "one incident".
    """
    line = Text(no_wrap=True, overflow="crop")
    for value in values:
        if value <= 0:
            line.append("." if ascii_only else "·", style="bright_black")
        elif ascii_only:
            line.append(str(value) if value < 10 else "+", style="yellow")
        else:
            level = min(len(_BARS), max(1, math.ceil(value * len(_BARS) / max(peak, 1))))
            line.append(_BARS[level - 1], style="yellow")
    return line


def fit_days(values: Sequence[int], days: int) -> list[int]:
    """Exactly ``days`` values, trusting the oldest-first order if the engine gave more or fewer."""
    return [*values[:days], *([0] * max(0, days - len(values)))]


@dataclass(frozen=True)
class DailyCounts:
    first_day: date
    days: int
    counts: dict[str, list[int]]


class DailySparklines(Widget):
    """Incidents started per UTC day, one line per provider, busiest first."""

    def __init__(self, *, ascii_only: bool = False, id: str | None = None) -> None:
        super().__init__(id=id)
        self.ascii_only = ascii_only
        self.data: DailyCounts | None = None
        self.max_rows = 3

    def show(self, data: DailyCounts, *, max_rows: int) -> None:
        self.data = data
        self.max_rows = max_rows
        self.refresh(layout=True)

    def render(self) -> Text:
        if self.data is None:
            return Text(
                "Incidents per day: loading" + fmt.ellipsis(ascii_only=self.ascii_only),
                style="bright_black",
            )
        return render_sparklines(
            self.data, self.size.width, max_rows=self.max_rows, ascii_only=self.ascii_only
        )


def render_sparklines(data: DailyCounts, width: int, *, max_rows: int, ascii_only: bool) -> Text:
    bars_width = max(1, width - _NAME_WIDTH - _TOTAL_WIDTH - 2)
    rows = sorted(
        ((name, fit_days(values, data.days)) for name, values in data.counts.items()),
        key=lambda row: (-sum(row[1]), row[0]),
    )
    rows = [row for row in rows if sum(row[1])]
    bucketed = [(name, *bucket(values, bars_width)) for name, values in rows]
    per = bucketed[0][2] if bucketed else bucket([0] * data.days, bars_width)[1]
    last_day = data.first_day + timedelta(days=data.days - 1)
    arrow = "->" if ascii_only else "→"
    out = Text.assemble(
        ("Incidents per day", "bold"),
        f"  {_day(data.first_day)} {arrow} {_day(last_day)}",
        (f"  (1 column = {per} days)" if per > 1 else "", "bright_black"),
        no_wrap=True,
        overflow="ellipsis",
    )
    if not rows:
        out.append("\nNo incidents started in this range.", style="bright_black")
        return out
    peak = max(max(values) for _, values, _ in bucketed)
    for name, values, _ in bucketed[:max_rows]:
        label = Text(one_line(name), no_wrap=True, overflow="ellipsis")
        label.truncate(_NAME_WIDTH, overflow="ellipsis", pad=True)
        total = sum(values)
        out.append("\n")
        out.append_text(label)
        out.append(" ")
        out.append_text(spark(values, peak, ascii_only=ascii_only))
        out.append(f" {total:>{_TOTAL_WIDTH}}")
    hidden = len(bucketed) - max_rows
    if hidden > 0:
        out.append(
            f"\n+{hidden} more provider{'s' if hidden != 1 else ''} (p: one provider)",
            style="bright_black",
        )
    return out


def _day(day: date) -> str:
    return fmt.day(datetime(day.year, day.month, day.day, tzinfo=UTC))


# --- the screen -----------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryQuery:
    preset: int
    source_id: str | None
    text: str

    @property
    def label(self) -> str:
        return PRESETS[self.preset][0]

    def since(self, now: datetime) -> datetime:
        return now - PRESETS[self.preset][1]


class HistoryScreen(EngineScreen):
    """Past incidents, filterable by range, provider and title; ``enter`` opens one."""

    CSS_PATH = "../styles/history.tcss"
    HELP_TITLE: ClassVar[str] = "On the history screen"
    # Tooltips are what the help screen (?) says; the footer keeps the short descriptions.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "escape",
            "back",
            "Back",
            tooltip="Leave the title filter, then back to the board",
            id="history.back",
        ),
        Binding(
            "d",
            "cycle_range(1)",
            "Range",
            tooltip="Next range: 24h, 7d, 30d, 90d",
            id="history.range",
        ),
        Binding(
            "D",
            "cycle_range(-1)",
            "Range back",
            show=False,
            tooltip="Previous range",
            id="history.range_back",
        ),
        Binding(
            "p",
            "cycle_provider(1)",
            "Provider",
            tooltip="Next provider (all providers, then one at a time)",
            id="history.provider",
        ),
        Binding(
            "P",
            "cycle_provider(-1)",
            "Provider back",
            show=False,
            tooltip="Previous provider",
            id="history.provider_back",
        ),
        Binding(
            "slash",
            "focus_filter",
            "Filter",
            key_display="/",
            tooltip="Filter by title; enter applies it, escape leaves the field",
            id="history.filter",
        ),
    ]

    preset: reactive[int] = reactive(DEFAULT_PRESET, init=False)
    source_id: reactive[str | None] = reactive(None, init=False)
    text_filter: reactive[str] = reactive("", init=False)

    class Loaded(Message):
        def __init__(
            self, query: HistoryQuery, views: list[IncidentView], daily: DailyCounts
        ) -> None:
            super().__init__()
            self.query = query
            self.views = views
            self.daily = daily

    class SourcesLoaded(Message):
        def __init__(self, sources: list[SourceView]) -> None:
            super().__init__()
            self.sources = sources

    def __init__(
        self,
        engine: WatchEngine,
        *,
        clock: Clock = utcnow,
        ascii_only: bool = False,
        on_open_incident: OpenIncident | None = None,
    ) -> None:
        super().__init__(
            engine, clock=clock, ascii_only=ascii_only, on_open_incident=on_open_incident
        )
        self.sources: list[SourceView] = []
        self.views: list[IncidentView] = []
        self._loaded: HistoryQuery | None = None
        self._filter_timer: Timer | None = None
        self._daily: DailyCounts | None = None

    @property
    def current_query(self) -> HistoryQuery:
        return HistoryQuery(self.preset, self.source_id, self.text_filter)

    def compose(self) -> ComposeResult:
        yield OneLine(self._heading(), ascii_only=self.ascii_only, id="heading")
        search = Input(placeholder="/ filter by title", id="title-filter", compact=True)
        search.cursor_blink = False
        yield search
        yield DailySparklines(ascii_only=self.ascii_only, id="sparklines")
        yield IncidentTable(resolved=True, id="incidents")
        yield EmptyNote(id="nothing")
        yield Static(legend(ascii_only=self.ascii_only), id="legend", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(IncidentTable).focus()
        self._load_sources()
        self._reload()

    # --- actions ---------------------------------------------------------------------------

    def action_cycle_range(self, step: int) -> None:
        self.preset = (self.preset + step) % len(PRESETS)

    def action_cycle_provider(self, step: int) -> None:
        choices: list[str | None] = [None, *(s.id for s in self.sources)]
        index = choices.index(self.source_id) if self.source_id in choices else 0
        self.source_id = choices[(index + step) % len(choices)]

    def action_focus_filter(self) -> None:
        self.query_one("#title-filter", Input).focus()

    def action_back(self) -> None:
        # Escape first leaves the filter, then the screen.
        if self.query_one("#title-filter", Input).has_focus:
            self.query_one(IncidentTable).focus()
        else:
            self.dismiss()

    # --- state -----------------------------------------------------------------------------

    def watch_preset(self) -> None:
        self._reload()

    def watch_source_id(self) -> None:
        self._reload()

    def watch_text_filter(self) -> None:
        self._reload()

    @on(Input.Changed, "#title-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        if self._filter_timer is not None:
            self._filter_timer.stop()
        value = event.value
        self._filter_timer = self.set_timer(_FILTER_DELAY, lambda: self._apply_filter(value))

    @on(Input.Submitted, "#title-filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        if self._filter_timer is not None:
            self._filter_timer.stop()
        self._apply_filter(event.value)
        self.query_one(IncidentTable).focus()

    def _apply_filter(self, value: str) -> None:
        self.text_filter = value.strip()

    def on_resize(self, event: events.Resize) -> None:
        self._show_sparklines()

    # --- loading ---------------------------------------------------------------------------

    def _reload(self) -> None:
        self._update_heading()
        self._load(self.current_query)

    @work(thread=True, exclusive=True, group="sources", exit_on_error=False, name="Loading sources")
    def _load_sources(self) -> None:
        sources = self.engine.sources()
        if not get_current_worker().is_cancelled:
            self.post_message(self.SourcesLoaded(sources))

    @work(thread=True, exclusive=True, group="history", exit_on_error=False, name="Loading history")
    def _load(self, query: HistoryQuery) -> None:
        now = self.clock()
        since = query.since(now)
        views = self.engine.history(since, None, source_id=query.source_id, text=query.text or None)
        counts = self.engine.daily_counts(since, now)
        daily = DailyCounts(since.date(), (now.date() - since.date()).days + 1, counts)
        if not get_current_worker().is_cancelled:
            self.post_message(self.Loaded(query, views, daily))

    def on_history_screen_sources_loaded(self, message: HistoryScreen.SourcesLoaded) -> None:
        self.sources = message.sources
        self._update_heading()
        self._show_sparklines()

    def on_history_screen_loaded(self, message: HistoryScreen.Loaded) -> None:
        if message.query != self.current_query:
            return  # a newer query is on its way
        self.failure = None
        self._loaded = message.query
        self.views = open_first(message.views)
        self._daily = message.daily
        table = self.query_one(IncidentTable)
        table.show(self.views, self.clock(), ascii_only=self.ascii_only)
        self.query_one(EmptyNote).explain(
            table, None if self.views else self._nothing(message.query)
        )
        self._show_sparklines()
        self._update_heading()

    def watch_failure(self) -> None:
        self._update_heading()

    # --- rendering -------------------------------------------------------------------------

    def _show_sparklines(self) -> None:
        daily = self._daily
        if daily is None or not self.is_mounted:
            return
        name = self._provider_name()
        if self.source_id is not None and name is not None:
            daily = DailyCounts(
                daily.first_day, daily.days, {k: v for k, v in daily.counts.items() if k == name}
            )
        max_rows = 3 if self.size.height < 30 else 8
        self.query_one(DailySparklines).show(daily, max_rows=max_rows)

    def _provider_name(self) -> str | None:
        for source in self.sources:
            if source.id == self.source_id:
                return source.name
        return self.source_id

    def _update_heading(self) -> None:
        if self.is_mounted:
            self.query_one("#heading", OneLine).show(self._heading())

    def _nothing(self, query: HistoryQuery) -> Text:
        """Why the list is empty: what the range, provider and title filter asked for."""
        why = Text(f"No incidents in the last {query.label}")
        name = self._provider_name()
        if query.source_id is not None and name is not None:
            why.append(f" at {one_line(name)}")
        if query.text:
            why.append(" with ")
            why.append(f'"{one_line(query.text)}"', style="bold")
            why.append(" in the title")
        why.append(".")
        keys = ["/ filter"] if query.text else []
        keys += ["d range", "p provider"]
        sep = separator(ascii_only=self.ascii_only)
        why.append("  " + sep.join(keys), style="bright_black")
        return why

    def _heading(self) -> Text:
        dot = separator(ascii_only=self.ascii_only)
        heading = Text.assemble(("History", "bold"), f"  last {PRESETS[self.preset][0]}", dot)
        name = self._provider_name()
        heading.append("all providers" if name is None else one_line(name))
        if self.text_filter:
            heading.append(dot + "title has ")
            heading.append(f'"{one_line(self.text_filter)}"', style="bold")
        if self._loaded != self.current_query:
            heading.append(
                dot + "loading" + fmt.ellipsis(ascii_only=self.ascii_only), style="bright_black"
            )
        else:
            count = len(self.views)
            heading.append(
                f"{dot}{count} incident{'s' if count != 1 else ''}, {count_open(self.views)} open",
                style="bright_black",
            )
        if self.failure:
            heading.append("  " + one_line(self.failure), style="red")
        heading.no_wrap = True
        heading.overflow = "ellipsis"
        return heading
