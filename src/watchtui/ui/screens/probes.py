"""Your own probes beside the providers' claims: state, latency, and the last week of each.

The table comes from the overview the app hands down (like the main screen's panes); the
selected probe's week of results and up/down periods is read from the engine in a thread worker
whenever the selection or the overview changes.  ``escape`` returns to where ``P`` was pressed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import DataTable, Footer, Static
from textual.worker import Worker, get_current_worker

from watchtui.domain import regions
from watchtui.domain.clock import Clock, utcnow
from watchtui.engine.overview import DisagreementView, Overview, ProbeView
from watchtui.engine.protocol import ProbeHistory, WatchEngine
from watchtui.ui import format as fmt
from watchtui.ui.screens.engine_screen import EngineScreen
from watchtui.ui.settings import follow, setting
from watchtui.ui.widgets.fitted_table import ColumnSpec, FittedTable, one_line, show_text
from watchtui.ui.widgets.latency_chart import LatencyChart
from watchtui.ui.widgets.one_line import OneLine
from watchtui.viewmodel import signals
from watchtui.viewmodel.severity import separator

HISTORY_DAYS = 7
# Enough runs for the widest chart; the store keeps far more.
HISTORY_RESULTS = 240
SPARK_WIDTH = 30

PROBE_COLUMNS = (
    ColumnSpec("probe", "Probe", 16, narrow_width=13),
    ColumnSpec("state", "State", 12),
    ColumnSpec("latency", "Latency", 7, numeric=True),
    ColumnSpec("recent", "Last 30 runs", SPARK_WIDTH),
    ColumnSpec("provider", "Depends on", 22, min_table_width=110),
    ColumnSpec("target", "Target", 30, min_table_width=160),
    ColumnSpec("error", "Last error", None),
)

_ORDER = {"down": 0, "unknown": 1, "up": 2}
# An error this short ("HTTP 503") reads inside a sentence.
_SHORT_ERROR = 16

NO_PROBES = (
    "No probes configured.\n\n"
    "Probes are your own checks (http, tcp or dns) run beside the providers' status pages: "
    "add [[probes]] entries to the config (id, type, target, and the provider and region they "
    "depend on) and watchtui shows where your view and the provider's disagree."
)


# --- cells ----------------------------------------------------------------------------------


def ordered(probes: Sequence[ProbeView]) -> list[ProbeView]:
    """Down first, then never run, then up; by id within each."""
    return sorted(probes, key=lambda p: (_ORDER.get(p.state, 3), p.id))


def state_cell(probe: ProbeView, now: datetime, *, ascii_only: bool) -> Text:
    cell = fmt.probe_cell(probe.state, ascii_only=ascii_only)
    if probe.since is not None and probe.state != "unknown":
        cell.append(f" {fmt.age(probe.since, now)}", style="dim")
    return cell


def healthy_latency(probe: ProbeView) -> float | None:
    """The latency of the last successful run; none while the probe is down.

    A down probe's last run may have been answered quickly (a 503 in 12ms): that is not how fast
    the target serves, so the table never shows it as a latency (the detail says what it was).
    """
    if probe.state == "down":
        return None
    return next((ms for ms in reversed(probe.latencies) if ms is not None), None)


def last_answer(probe: ProbeView) -> str | None:
    """'last answer HTTP 503 in 12ms': the last run failed, yet something answered it."""
    failed = bool(probe.latencies) and probe.latencies[-1] is None
    if not failed or probe.latency_ms is None:
        return None
    took = fmt.latency(probe.latency_ms)
    error = one_line(probe.last_error or "")
    # A status fits the sentence; a longer reason is on the "Last error" line under it.
    if error and len(error) <= _SHORT_ERROR:
        return f"last answer {error} in {took}"
    return f"last answer failed in {took}"


def depends_on(probe: ProbeView, *, ascii_only: bool = False) -> str:
    parts = [probe.provider_name or probe.provider or ""]
    if probe.service:
        parts.append(probe.service)
    if probe.region is not None:
        parts.append(probe.region.code)
    return separator(ascii_only=ascii_only).join(p for p in parts if p)


def probe_cells(
    probe: ProbeView, disagreeing: bool, now: datetime, *, ascii_only: bool
) -> dict[str, Text]:
    mark = fmt.disagree_mark(ascii_only=ascii_only) + " " if disagreeing else ""
    error = probe.last_error if probe.state != "up" else None
    return {
        "probe": Text.assemble((mark, fmt.disagree_style()), (probe.id, "bold")),
        "state": state_cell(probe, now, ascii_only=ascii_only),
        "latency": Text(
            fmt.latency(healthy_latency(probe), ascii_only=ascii_only), justify="right"
        ),
        "recent": fmt.latency_spark(probe.latencies, ascii_only=ascii_only, width=SPARK_WIDTH),
        "provider": Text(one_line(depends_on(probe, ascii_only=ascii_only))),
        "target": Text(one_line(probe.target)),
        "error": Text(one_line(error), style="red") if error else Text(""),
    }


# --- the selected probe ---------------------------------------------------------------------


def probe_facts(
    probe: ProbeView,
    disagreements: Sequence[DisagreementView],
    now: datetime,
    *,
    ascii_only: bool,
    local: bool = False,
) -> Text:
    dot = separator(ascii_only=ascii_only)
    text = Text.assemble((probe.label, "bold"), dot, probe.type, dot, probe.target, no_wrap=False)
    depends: list[str] = []
    if probe.provider_name or probe.provider:
        depends.append(f"depends on {probe.provider_name or probe.provider}")
    if probe.service:
        depends.append(f"service {probe.service}")
    if probe.region is not None:
        region = probe.region
        geography = signals.geography_of(region)
        named = f"region {region.code}"
        if region.name != region.code:
            named += f" {region.name}"
        if geography and geography != "unmapped":
            named += f" ({regions.geography_name(geography)})"
        depends.append(named)
    text.append("\n" + (dot.join(depends) if depends else "depends on no provider"))
    text.append("\n")
    text.append_text(fmt.probe_cell(probe.state, ascii_only=ascii_only))
    if probe.since is not None and probe.state != "unknown":
        when = fmt.when(probe.since, now, local=local, zone=True)
        text.append(f" for {lasted(probe.since, now)}, since {when}")
    elif probe.state == "unknown":
        text.append(" (not run yet, or not for a while)", style="dim")
    answer = last_answer(probe)
    if answer is not None:
        text.append(dot + answer)
    else:
        text.append(f"{dot}latency {fmt.latency(healthy_latency(probe), ascii_only=ascii_only)}")
    if probe.last_error and probe.state != "up":
        text.append("\nLast error: ", style="bold")
        text.append(probe.last_error.strip(), style="red")
    for found in disagreements:
        text.append("\n")
        text.append(f"{fmt.disagree_mark(ascii_only=ascii_only)} ", style=fmt.disagree_style())
        text.append(found.message, style="bold")
    return text


def lasted(since: datetime, now: datetime) -> str:
    """'45s' under a minute (a fresh failure is not "0m"), else '6m', '2h 05m', '3d 4h'."""
    if now - since < timedelta(minutes=1):
        return fmt.age(since, now)
    return fmt.duration(since, None, now)


def period_span(start: datetime, end: datetime | None, *, ascii_only: bool) -> str:
    """'Jul 27 08:02–08:14', 'Jul 27 23:50 – Jul 28 00:20', 'Jul 29 11:54 – now'."""
    dash = "-" if ascii_only else "–"
    first = fmt.short_date_time(start)
    if end is None:
        return f"{first} {dash} now"
    last = fmt.short_date_time(end)
    if first[:6] == last[:6]:
        return f"{first}{dash}{last[7:]}"
    return f"{first} {dash} {last}"


def periods_text(history: ProbeHistory, now: datetime, *, ascii_only: bool) -> Text:
    since = history.since
    down = [p for p in history.periods if p.state == "down"]
    down_time = sum(((p.ended_at or now) - max(p.started_at, since) for p in down), timedelta())
    window = now - since
    text = Text(f"Last {HISTORY_DAYS} days", style="bold")
    if not history.periods:
        text.append(": no up/down periods recorded yet", style="dim")
        return text
    share = 1 - down_time / window if window > timedelta() else 1.0
    plural = "s" if len(down) != 1 else ""
    text.append(
        f": down {fmt.duration(now - down_time, None, now)} in {len(down)} period{plural}"
        f" ({share:.1%} up)"
    )
    for period in reversed(history.periods):
        text.append("\n  ")
        text.append_text(fmt.probe_cell(period.state, ascii_only=ascii_only))
        text.append(" " * (7 - len(period.state)))
        text.append(period_span(period.started_at, period.ended_at, ascii_only=ascii_only))
        lasted = fmt.duration(period.started_at, period.ended_at, now)
        ongoing = ", ongoing" if period.ended_at is None else ""
        text.append(f"  ({lasted}{ongoing})", style="dim" if period.state == "up" else "")
    return text


# --- the screen -----------------------------------------------------------------------------


class ProbesScreen(EngineScreen):
    CSS_PATH = "../styles/probes.tcss"
    HELP_TITLE: ClassVar[str] = "On the probes screen"
    VERTICAL_BREAKPOINTS = [(0, "-short"), (34, "-tall")]  # noqa: RUF012 (as Textual declares it)
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", tooltip="Back to the board", id="probes.back"),
        # j/k move the table's cursor; their capitals scroll the detail under it.
        Binding("J", "scroll_detail(1)", "Detail down", show=False, id="probes.detail_down"),
        Binding("K", "scroll_detail(-1)", "Detail up", show=False, id="probes.detail_up"),
    ]

    class HistoryLoaded(Message):
        def __init__(self, history: ProbeHistory) -> None:
            super().__init__()
            self.history = history

    class OverviewRead(Message):
        def __init__(self, overview: Overview) -> None:
            super().__init__()
            self.overview = overview

    def __init__(
        self,
        engine: WatchEngine,
        *,
        clock: Clock = utcnow,
        ascii_only: bool = False,
        overview: Overview | None = None,
        selected: str | None = None,
    ) -> None:
        super().__init__(engine, clock=clock, ascii_only=ascii_only)
        self.overview = overview
        self._wanted = selected
        self.probes: dict[str, ProbeView] = {}
        self.histories: dict[str, ProbeHistory] = {}
        # The history read in flight, and whose.
        self._history_read: tuple[str, Worker[None]] | None = None
        # Overviews can arrive before the widgets exist; they are drawn once mounted.
        self._ready = False

    def compose(self) -> ComposeResult:
        yield OneLine(self._heading(), ascii_only=self.ascii_only, id="heading")
        yield FittedTable(PROBE_COLUMNS, min_flex=6, id="probes")
        with VerticalScroll(id="detail"):
            yield Static(Text(""), id="facts", markup=False)
            yield LatencyChart(ascii_only=self.ascii_only, id="chart")
            yield Static(Text(""), id="periods", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.set_class(self.ascii_only, "-ascii")
        self.query_one(FittedTable).focus()
        self._ready = True
        if self.overview is None:
            self._read_overview()
        else:
            self.show_overview(self.overview)
        if hasattr(self.app, "board"):
            # Live: the app's one board state, held while the app is paused.
            self.watch(self.app, "board", self._board_changed, init=False)
        follow(self, "local_time", self._show_detail)

    def _board_changed(self, overview: Overview | None) -> None:
        if overview is not None:
            self.show_overview(overview)

    # --- data in ---------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="overview", exit_on_error=False, name="Loading probes")
    def _read_overview(self) -> None:
        overview = self.engine.overview()
        if not get_current_worker().is_cancelled:
            self.post_message(self.OverviewRead(overview))

    def on_probes_screen_overview_read(self, message: ProbesScreen.OverviewRead) -> None:
        self.show_overview(message.overview)

    def show_overview(self, overview: Overview) -> None:
        """A new overview from the app (not while paused): rows by key, history re-read."""
        self.overview = overview
        if not self._ready:
            return
        now = self.clock()
        probes = ordered(overview.probes)
        self.probes = {p.id: p for p in probes}
        disagreeing = {d.probe_id for d in overview.disagreements}
        table = self.query_one(FittedTable)
        table.set_rows(
            (p.id, probe_cells(p, p.id in disagreeing, now, ascii_only=self.ascii_only))
            for p in probes
        )
        if self._wanted is not None and table.move_to_key(self._wanted):
            self._wanted = None
        self.query_one("#heading", OneLine).show(self._heading())
        self._show_detail()
        # A new overview means new results: read the selected probe's week again.
        self._load_selected(again=True)

    def select(self, probe_id: str) -> None:
        if not self.query_one(FittedTable).move_to_key(probe_id):
            self._wanted = probe_id

    @property
    def selected(self) -> ProbeView | None:
        key = self.query_one(FittedTable).cursor_key
        return None if key is None else self.probes.get(key)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        # The table gets its rows only once it knows its width: the probe asked for is
        # selected when they arrive.
        wanted, self._wanted = self._wanted, None
        if wanted is not None:
            self.query_one(FittedTable).move_to_key(wanted)
        self._show_detail()
        self._load_selected()

    def _load_selected(self, *, again: bool = False) -> None:
        probe = self.selected
        if probe is None:
            return
        reading = self._history_read
        if not again and reading is not None and reading[0] == probe.id and reading[1].is_running:
            # The cursor landed on the probe being read (rows arriving highlight the first row
            # more than once): starting over would only cancel that read.
            return
        self._history_read = (probe.id, self._load_history(probe.id))

    @work(
        thread=True,
        exclusive=True,
        group="probe_history",
        exit_on_error=False,
        name="Loading probe history",
    )
    def _load_history(self, probe_id: str) -> None:
        since = self.clock() - timedelta(days=HISTORY_DAYS)
        history = self.engine.probe_history(probe_id, since, limit=HISTORY_RESULTS)
        if not get_current_worker().is_cancelled:
            self.post_message(self.HistoryLoaded(history))

    def on_probes_screen_history_loaded(self, message: ProbesScreen.HistoryLoaded) -> None:
        self.failure = None
        self.histories[message.history.probe_id] = message.history
        probe = self.selected
        if probe is not None and probe.id == message.history.probe_id:
            self._show_detail()

    def watch_failure(self) -> None:
        if self._ready:
            self.query_one("#heading", OneLine).show(self._heading())

    def action_scroll_detail(self, step: int) -> None:
        detail = self.query_one("#detail", VerticalScroll)
        if step > 0:
            detail.scroll_down()
        else:
            detail.scroll_up()

    # --- rendering -------------------------------------------------------------------------

    def _show_detail(self) -> None:
        facts = self.query_one("#facts", Static)
        chart = self.query_one(LatencyChart)
        periods = self.query_one("#periods", Static)
        probe = self.selected
        if probe is None:
            show_text(facts, self._empty_text())
            chart.display = False
            show_text(periods, Text(""))
            return
        now = self.clock()
        found = [
            d
            for d in (self.overview.disagreements if self.overview else ())
            if d.probe_id == probe.id
        ]
        show_text(
            facts,
            probe_facts(
                probe, found, now, ascii_only=self.ascii_only, local=setting(self, "local_time")
            ),
        )
        history = self.histories.get(probe.id)
        chart.display = True
        if history is not None and history.results:
            chart.show([r.latency_ms if r.ok else None for r in history.results])
        else:
            chart.show(probe.latencies)
        if history is None:
            show_text(periods, Text(f"Last {HISTORY_DAYS} days: loading...", style="dim"))
        else:
            show_text(periods, periods_text(history, now, ascii_only=self.ascii_only))

    def _empty_text(self) -> Text:
        if self.overview is None:
            return Text("Loading probes...", style="dim")
        return Text(NO_PROBES)

    def _heading(self) -> Text:
        dot = separator(ascii_only=self.ascii_only)
        heading = Text.assemble(("Probes", "bold"))
        if self.overview is None:
            heading.append(dot + "loading...", style="bright_black")
        else:
            probes = self.overview.probes
            heading.append(f"  {len(probes)} probe{'s' if len(probes) != 1 else ''}")
            for state in ("down", "unknown"):
                count = sum(1 for p in probes if p.state == state)
                if count:
                    heading.append(dot)
                    heading.append_text(fmt.probe_cell(state, ascii_only=self.ascii_only))
                    heading.append(f" {count}")
            count = len(self.overview.disagreements)
            if count:
                heading.append(dot)
                heading.append(
                    f"{fmt.disagree_mark(ascii_only=self.ascii_only)} {count} "
                    f"disagreement{'s' if count != 1 else ''}",
                    style=fmt.disagree_style(),
                )
        if self.failure:
            heading.append("  " + one_line(self.failure), style="red")
        return heading
