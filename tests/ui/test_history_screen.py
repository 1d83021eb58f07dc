"""HistoryScreen: date presets, provider and title filters, sparklines, opening, failures."""

from __future__ import annotations

from datetime import date, datetime

from tests.ui.fake_engine import NOW, FakeEngine, sample_history
from tests.ui.run_screens import ScreenHost, settle
from watchtui.engine.overview import IncidentView
from watchtui.ui.screens.history import (
    DailyCounts,
    DailySparklines,
    HistoryScreen,
    bucket,
    fit_days,
    render_sparklines,
    spark,
)
from watchtui.ui.screens.incident_list import IncidentTable
from watchtui.ui.widgets.one_line import OneLine

# sample_history + the main fixtures, by start: open AWS/GCP/Git today, Git 30h ago, then
# days ago AWS 2, 9, 9; GCP 4, 40; Git 3 (maintenance), 12 (resolution inferred).
IN_30_DAYS = 10
IN_90_DAYS = 11
IN_24_HOURS = 3
IN_7_DAYS = 7


def _engine() -> FakeEngine:
    engine = FakeEngine()
    engine.history_extra = sample_history()
    return engine


def _host(
    engine: FakeEngine, opened: list[IncidentView] | None = None, *, ascii_only: bool = False
) -> ScreenHost:
    def make() -> HistoryScreen:
        return HistoryScreen(
            engine,
            clock=lambda: NOW,
            ascii_only=ascii_only,
            on_open_incident=None if opened is None else opened.append,
        )

    return ScreenHost(make)


def _table(app: ScreenHost) -> IncidentTable:
    return app.screen.query_one(IncidentTable)


def _screen(app: ScreenHost) -> HistoryScreen:
    screen = app.screen
    assert isinstance(screen, HistoryScreen)
    return screen


def _spark_lines(app: ScreenHost) -> list[str]:
    return str(app.screen.query_one(DailySparklines).render()).splitlines()


async def test_default_range_is_30_days_newest_first() -> None:
    app = _host(_engine())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        keys = _table(app).row_keys()
        assert len(keys) == IN_30_DAYS
        starts = [_table(app).get_cell(key, "started").plain for key in keys]
        assert starts[0] == "Jul 29 11:35"
        assert starts[-1] == "Jul 17 11:00"
        assert "last 30d" in str(app.screen.query_one("#heading").render())


async def test_date_preset_cycles() -> None:
    app = _host(_engine())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        seen = []
        for _ in range(4):
            await pilot.press("d")
            await settle(pilot)
            seen.append((_screen(app).current_query.label, len(_table(app).row_keys())))
        assert seen == [
            ("90d", IN_90_DAYS),
            ("24h", IN_24_HOURS),
            ("7d", IN_7_DAYS),
            ("30d", IN_30_DAYS),
        ]
        await pilot.press("D")
        await settle(pilot)
        assert _screen(app).current_query.label == "7d"


async def test_provider_cycles_and_narrows_rows_and_sparklines() -> None:
    app = _host(_engine())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        assert _screen(app).source_id == "demo-aws"
        keys = _table(app).row_keys()
        assert len(keys) == 4
        assert all(key.startswith("demo-aws\x1f") for key in keys)
        lines = _spark_lines(app)
        assert [line.split()[:2] for line in lines[1:]] == [["Demo", "AWS"]]
        await pilot.press("P")
        await settle(pilot)
        assert _screen(app).source_id is None
        assert len(_table(app).row_keys()) == IN_30_DAYS


async def test_text_filter_applies_on_enter() -> None:
    app = _host(_engine())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        await pilot.pause()
        await pilot.press("e", "c", "2", "enter")
        await settle(pilot)
        assert _screen(app).text_filter == "ec2"
        assert _table(app).row_keys() == ["demo-aws\x1faws-h2"]
        # Enter hands the keys back to the table: escape now leaves the screen.
        assert _table(app).has_focus


async def test_text_filter_applies_after_a_pause_in_typing() -> None:
    app = _host(_engine())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        await pilot.pause()
        await pilot.press("w", "e", "b")
        await pilot.pause(0.6)
        await settle(pilot)
        assert _table(app).row_keys() == ["demo-git\x1fgit-0"]
        # Escape leaves the filter first, the screen second.
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HistoryScreen)
        assert _table(app).has_focus
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HistoryScreen)


async def test_sparklines_show_daily_counts_ascii() -> None:
    app = _host(_engine(), ascii_only=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        lines = _spark_lines(app)
        assert lines[0].startswith("Incidents per day  Jun 29 -> Jul 29")
        by_name = {line[:14].strip(): line[15:] for line in lines[1:]}
        # 31 days, Jun 29 .. Jul 29: AWS on Jul 20 (two), Jul 27 and today.
        assert by_name["Demo AWS"] == "." * 21 + "2" + "." * 6 + "1.1" + "    4"
        # Git's maintenance on Jul 26 is not an incident; the inferred one on Jul 17 is.
        assert by_name["Demo Git"] == "." * 18 + "1" + "." * 10 + "11" + "    3"
        assert by_name["Demo GCP"] == "." * 26 + "1" + "..." + "1" + "    2"


async def test_sparklines_unicode_scale_to_the_busiest_day() -> None:
    app = _host(_engine())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        aws = next(line for line in _spark_lines(app) if line.startswith("Demo AWS"))
        assert aws[15:].rstrip() == "·" * 21 + "█" + "·" * 6 + "▄·▄    4"


def test_spark_and_buckets() -> None:
    assert spark([0, 1, 12], 12, ascii_only=True).plain == ".1+"
    assert spark([0, 1, 4, 8], 8, ascii_only=False).plain == "·▁▄█"
    assert bucket([1, 0, 2, 3, 1], 2) == ([3, 4], 3)
    assert bucket([1, 2], 10) == ([1, 2], 1)
    assert fit_days([1, 2, 3], 2) == [1, 2]
    assert fit_days([1], 3) == [1, 0, 0]


def test_sparklines_bucket_long_ranges_and_cap_rows() -> None:
    counts = {f"P{i}": [1] + [0] * 89 for i in range(5)}
    counts["Busy"] = [2] * 90
    text = render_sparklines(
        DailyCounts(date(2026, 5, 1), 90, counts), 60, max_rows=2, ascii_only=True
    ).plain
    lines = text.splitlines()
    assert "(1 column = 3 days)" in lines[0]
    assert lines[1].startswith("Busy")
    assert lines[1][15:45] == "6" * 30
    assert lines[-1].startswith("+4 more providers")


async def test_enter_opens_the_incident_and_inferred_is_marked() -> None:
    opened: list[IncidentView] = []
    app = _host(_engine(), opened)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = _table(app)
        inferred = "demo-git\x1fgit-h2"
        assert table.get_cell(inferred, "duration").plain == "~4h 00m"
        assert "~ resolution inferred" in str(app.screen.query_one("#legend").render())
        table.move_to_key(inferred)
        await pilot.press("enter")
        await pilot.pause()
        assert [view.key for view in opened] == [inferred]
        assert opened[0].resolution_inferred


async def test_hostile_titles_stay_literal() -> None:
    app = _host(_engine())
    async with app.run_test(size=(200, 40)) as pilot:
        await settle(pilot)
        cell = _table(app).get_cell("demo-gcp\x1fgcp-h1", "title")
        assert cell.plain == "Cloud SQL connectivity [red]issue[/red]"
        assert not cell.spans


async def test_failure_is_reported_and_the_screen_survives() -> None:
    class Broken(FakeEngine):
        def history(
            self,
            since: datetime,
            until: datetime | None = None,
            *,
            source_id: str | None = None,
            text: str | None = None,
        ) -> list[IncidentView]:
            raise OSError("disk I/O error")

    app = _host(Broken())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        failure = _screen(app).failure
        assert failure is not None and "disk I/O error" in failure
        # The whole line (the screen cuts it to 80 columns with an ellipsis).
        assert "disk I/O error" in app.screen.query_one("#heading", OneLine).plain
        await pilot.press("d")
        await settle(pilot)
        assert app.is_running
