"""The probes screen on its own (ScreenHost) over the test board, its pure helpers, and the
engine read behind it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from rich.text import Text

from tests.support.board import PROBE_PATHS, Board, in_own_loop
from tests.support.board_story import NOW
from tests.support.feedserver import Fault
from tests.support.pilot import ScreenHost, settle, workers_done
from watchtui.config import parse_config
from watchtui.engine.engine import Engine
from watchtui.engine.protocol import ProbeHistory
from watchtui.store import ProbePeriod, ProbeResult, ProbeState, Store
from watchtui.ui import format as fmt
from watchtui.ui.screens.probes import (
    NO_PROBES,
    ProbesScreen,
    period_span,
    periods_text,
)
from watchtui.ui.widgets.fitted_table import FittedTable
from watchtui.ui.widgets.latency_chart import LatencyChart
from watchtui.ui.widgets.one_line import OneLine


def host(
    board: Board,
    engine: Engine | None = None,
    *,
    ascii_only: bool = False,
    selected: str | None = None,
) -> ScreenHost:
    """The probes screen as the app opens it: with the overview the app last loaded."""
    chosen = engine or board.engine()
    overview = chosen.overview()
    return ScreenHost(
        lambda: ProbesScreen(
            chosen,
            clock=board.clock,
            ascii_only=ascii_only,
            overview=overview,
            selected=selected,
        )
    )


def screen_of(app: ScreenHost) -> ProbesScreen:
    screen = app.screen
    assert isinstance(screen, ProbesScreen)
    return screen


def cells(screen: ProbesScreen, key: str) -> list[str]:
    return [cell.plain for cell in screen.query_one(FittedTable).get_row(key)]


def detail(screen: ProbesScreen) -> str:
    facts = screen.query_one("#facts").render()
    periods = screen.query_one("#periods").render()
    chart = screen.query_one(LatencyChart).render()
    return "\n".join(str(part) for part in (facts, chart, periods))


async def test_table_worst_first_with_sparklines_and_errors(board: Board) -> None:
    app = host(board)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = screen_of(app)
        table = screen.query_one(FittedTable)
        assert table.row_keys() == ["api-eu", "dns-edge", "api-us", "git-ssh"]
        eu = cells(screen, "api-eu")
        # The last run failed fast (a 503 in 12ms): no healthy latency to show while down, and
        # its bar is a cross.
        assert eu[:3] == ["≠ api-eu", "■ DOWN 5m", "—"]
        # 30 runs, the last six failed: crosses at the right end, bars before them.
        assert len(eu[3]) == 30 and eu[3].endswith("✗" * 6) and "✗" not in eu[3][:24]
        assert eu[4] == "Demo Edge · FRA" and eu[5] == "HTTP 503"
        assert cells(screen, "dns-edge")[1:4] == ["? unknown", "—", " " * 30]
        assert cells(screen, "api-us")[:3] == ["≠ api-us", "● up 3d", "117ms"]
        assert cells(screen, "git-ssh")[0] == "git-ssh"  # no disagreement, no mark
        heading = screen.query_one("#heading", OneLine).plain
        assert heading == "Probes  4 probes · ■ DOWN 1 · ? unknown 1 · ≠ 2 disagreements"


async def test_detail_shows_the_week_and_the_larger_sparkline(board: Board) -> None:
    app = host(board)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = screen_of(app)
        assert screen.selected is not None and screen.selected.id == "api-eu"
        text = detail(screen)
        assert "depends on Demo Edge · region FRA Frankfurt, Germany (Central Europe)" in text
        # What answered the failed run is said here, not passed off as a latency.
        assert "■ DOWN for 5m, since 11:55 UTC · last answer HTTP 503 in 12ms" in text
        facts = str(screen.query_one("#facts").render())
        assert "latency" not in facts and facts.count("12ms") == 1
        assert "Last error: HTTP 503" in text
        assert "≠ Your probe api-eu (FRA) failing for 5 min" in text
        assert "Last 7 days: down 17m in 2 periods (99.8% up)" in text
        # Newest period first; a down period within one day reads "08:02–08:14".
        lines = [line.strip() for line in text.splitlines()]
        down_now = lines.index("■ DOWN   Jul 29 11:55 – now  (5m, ongoing)")
        assert lines[down_now + 2] == "■ DOWN   Jul 27 08:02–08:14  (12m)"
        # The chart draws the engine's history of the week (six runs on Jul 27, then the last
        # 120; as many as fit), not the 30 of the row.
        chart = screen.query_one(LatencyChart)
        assert len(chart.values) == 126 and chart.values[-6:] == (None,) * 6
        assert "last 110 runs" in text and "✗ failed run (6)" in text


async def test_moving_the_cursor_reads_that_probe_history(board: Board) -> None:
    app = host(board, selected="git-ssh")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = screen_of(app)
        assert screen.selected is not None and screen.selected.id == "git-ssh"
        assert "Git Operations" in detail(screen)
        await pilot.press("up")
        await settle(pilot)
        assert screen.selected is not None and screen.selected.id == "api-us"
        text = detail(screen)
        assert "● up for 3d 0h, since Jul 26 12:00 UTC · latency 117ms" in text
        assert "● up     Jul 26 12:00 – now  (3d 0h, ongoing)" in text
        await pilot.press("up")
        await settle(pilot)
        text = detail(screen)
        assert "not run yet" in text and "Latency  no results yet" in text
        assert screen.query_one(LatencyChart).has_class("-empty")


async def test_one_failed_run_keeps_the_last_healthy_latency_in_the_table(board: Board) -> None:
    # A minute later api-us's target answers 500 once: one failure does not take it down.
    board.server.fault(PROBE_PATHS[1], Fault.status(500))
    board.clock.advance(seconds=60)
    engine = board.engine()
    in_own_loop(engine.poll())
    app = host(board, engine, selected="api-us")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = screen_of(app)
        us = cells(screen, "api-us")
        assert us[1].startswith("● up") and us[2] == "117ms" and us[3].endswith("✗")
        probe = screen.selected
        assert probe is not None and probe.latency_ms is not None
        facts = str(screen.query_one("#facts").render())
        assert f"· last answer HTTP 500 in {fmt.latency(probe.latency_ms)}" in facts
        assert "latency" not in facts


async def test_ascii_mode(board: Board) -> None:
    app = host(board, ascii_only=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = screen_of(app)
        eu = cells(screen, "api-eu")
        assert eu[0] == "!= api-eu" and eu[1] == "# DOWN 5m" and eu[3].endswith("xxxxxx")
        assert eu[3].isascii() and eu[-1] == "HTTP..."
        text = detail(screen)
        assert text.isascii()
        assert "# DOWN   Jul 27 08:02-08:14  (12m)" in text
        assert "oldest -> newest" in text and "#" in text


async def test_no_probes_explains_how_to_add_them(board: Board) -> None:
    # The user removed every probe from the config; the store still holds their results.
    engine = Engine(board.store, board.config.model_copy(update={"probes": []}), clock=board.clock)
    app = host(board, engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = screen_of(app)
        assert screen.query_one(FittedTable).row_count == 0
        assert str(screen.query_one("#facts").render()) == NO_PROBES
        assert screen.query_one("#heading", OneLine).plain == "Probes  0 probes"


async def test_without_an_overview_it_reads_one(board: Board) -> None:
    engine = board.engine()
    app = ScreenHost(lambda: ProbesScreen(engine, clock=board.clock))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert screen_of(app).query_one(FittedTable).row_count == 4


async def test_a_failing_history_read_is_reported_not_raised(board: Board) -> None:
    app = host(board)
    with board.table_missing("probe_results"):
        async with app.run_test(size=(80, 24)) as pilot:
            await workers_done(app)
            await pilot.pause()
            await workers_done(app)
            await pilot.pause()
            screen = screen_of(app)
            assert "no such table: probe_results" in screen.query_one("#heading", OneLine).plain
            assert "loading..." in detail(screen)


# --- pure helpers -------------------------------------------------------------------------


def test_period_span_same_day_other_day_and_ongoing() -> None:
    start = datetime(2026, 7, 27, 8, 2, tzinfo=UTC)
    assert period_span(start, start + timedelta(minutes=12), ascii_only=False) == (
        "Jul 27 08:02–08:14"
    )
    assert period_span(start, start + timedelta(days=1), ascii_only=True) == (
        "Jul 27 08:02 - Jul 28 08:02"
    )
    assert period_span(start, None, ascii_only=False) == "Jul 27 08:02 – now"


def test_periods_text_clips_the_down_time_to_the_window() -> None:
    since = NOW - timedelta(days=7)
    history = ProbeHistory(
        "x",
        since,
        periods=(
            # Down since before the window: only the part inside it counts.
            ProbePeriod("x", "down", since - timedelta(hours=5), since + timedelta(hours=1)),
            ProbePeriod("x", "up", since + timedelta(hours=1), None),
        ),
    )
    text = periods_text(history, NOW, ascii_only=False).plain
    assert text.startswith("Last 7 days: down 1h 00m in 1 period (99.4% up)")
    assert "(6d 23h, ongoing)" in text


def test_latency_sparkline_scales_to_the_slowest_and_marks_failures() -> None:
    line = fmt.latency_spark([10.0, 20.0, None, 80.0], width=6)
    assert line.plain == "  ▁▂✗█"
    assert fmt.latency_spark([10.0, 20.0, None, 80.0], ascii_only=True).plain == "_.x#"
    assert fmt.latency_spark([]).plain == ""


def test_latency_chart_rows_top_first() -> None:
    rows = [r.plain for r in fmt.latency_chart([100.0, 50.0, None], 2)]
    assert rows == ["█  ", "██✗"]
    rows = [r.plain for r in fmt.latency_chart([100.0, 50.0, None], 2, ascii_only=True)]
    assert rows == ["#  ", "##x"]


def test_fit_uses_three_dots_in_ascii() -> None:
    assert fmt.fit(Text("abcdefghij"), 6, ascii_only=True).plain == "abc..."
    assert fmt.fit(Text("abcdefghij"), 6, ascii_only=False).plain == "abcde…"
    assert fmt.fit(Text("abc"), 6, ascii_only=True).plain == "abc"


# --- the engine read ------------------------------------------------------------------------


def test_engine_probe_history_reads_results_and_periods(tmp_path: Path) -> None:
    config = parse_config(
        {
            "watch": {"providers": []},
            "probes": [{"id": "api", "type": "http", "target": "https://api.example.com/"}],
        }
    )
    store = Store.open(tmp_path / "db.sqlite3")
    t0 = NOW - timedelta(days=8)
    engine = Engine(store, config, clock=lambda: NOW)
    # Up, then down for 12 minutes across the start of the 7-day window, then up again.
    up = ProbeState("api", "up", t0, consecutive_successes=1, last_result_at=t0)
    store.record_probe_result("api", ProbeResult(True, 40.0, None, t0), up)
    down_at = NOW - timedelta(days=7, minutes=6)
    down = ProbeState("api", "down", down_at, consecutive_failures=3, last_result_at=down_at)
    store.record_probe_result("api", ProbeResult(False, None, "HTTP 500", down_at), down)
    back = down_at + timedelta(minutes=12)
    recovered = ProbeState("api", "up", back, consecutive_successes=2, last_result_at=back)
    store.record_probe_result("api", ProbeResult(True, 55.0, None, back), recovered)
    latest = NOW - timedelta(minutes=1)
    store.record_probe_result(
        "api",
        ProbeResult(True, 60.0, None, latest),
        ProbeState("api", "up", back, consecutive_successes=3, last_result_at=latest),
    )
    since = NOW - timedelta(days=7)
    history = engine.probe_history("api", since)
    assert history.probe_id == "api" and history.since == since
    # The results since the window opened, oldest first; periods overlapping it.
    assert [r.latency_ms for r in history.results] == [55.0, 60.0]
    assert [(p.state, p.ended_at is None) for p in history.periods] == [
        ("down", False),
        ("up", True),
    ]
    everything = engine.probe_history("api", t0, limit=2)
    assert [r.latency_ms for r in everything.results] == [55.0, 60.0]
    assert [p.state for p in everything.periods] == ["up", "down", "up"]
    store.close()


async def test_capital_j_and_k_scroll_the_detail_while_j_moves_the_cursor(board: Board) -> None:
    app = host(board)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = screen_of(app)
        detail_pane = screen.query_one("#detail")
        assert detail_pane.max_scroll_y > 0  # 80x24 cannot show the whole week
        await pilot.press("J", "J")
        assert detail_pane.scroll_y > 0
        assert screen.selected is not None and screen.selected.id == "api-eu"
        await pilot.press("K", "K", "j")
        assert detail_pane.scroll_y == 0
        assert screen.selected is not None and screen.selected.id == "dns-edge"
