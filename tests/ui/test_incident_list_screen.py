"""IncidentListScreen: ordering, columns by width, opening an incident, hostile text, failures."""

from __future__ import annotations

from datetime import timedelta
from html import unescape

from tests.ui.fake_engine import NOW, FakeEngine, sample_history
from tests.ui.run_screens import ScreenHost, settle
from watchtui.domain.model import Incident
from watchtui.engine.overview import IncidentView
from watchtui.ui.screens.incident_list import (
    IncidentListScreen,
    IncidentTable,
    incident_cells,
    open_first,
)
from watchtui.ui.widgets.one_line import OneLine


def _view(iid: str, started_days_ago: int, *, resolved: bool) -> IncidentView:
    started = NOW - timedelta(days=started_days_ago)
    incident = Incident(
        id=iid,
        title=f"Incident {iid}",
        status="resolved" if resolved else "investigating",
        impact="minor",
        started_at=started,
        updated_at=started,
        resolved_at=started + timedelta(hours=1) if resolved else None,
    )
    return IncidentView(source_id="demo-git", provider="Demo Git", incident=incident)


def _host(
    engine: FakeEngine,
    opened: list[IncidentView],
    *,
    title: str = "Demo Git",
    source_id: str | None = None,
    geography: str | None = None,
) -> ScreenHost:
    return ScreenHost(
        lambda: IncidentListScreen(
            engine,
            clock=lambda: NOW,
            title=title,
            source_id=source_id,
            geography=geography,
            on_open_incident=opened.append,
        )
    )


def _keys(app: ScreenHost) -> list[str]:
    return app.screen.query_one(IncidentTable).row_keys()


def test_open_first_then_newest() -> None:
    old_open = _view("old-open", 20, resolved=False)
    new_resolved = _view("new-resolved", 1, resolved=True)
    newer_open = _view("newer-open", 2, resolved=False)
    older_resolved = _view("older-resolved", 5, resolved=True)
    ordered = open_first([old_open, new_resolved, older_resolved, newer_open])
    assert [v.incident.id for v in ordered] == [
        "newer-open",
        "old-open",
        "new-resolved",
        "older-resolved",
    ]


async def test_screen_lists_open_incidents_first() -> None:
    engine = FakeEngine()
    # Listed newest first by the engine; the open one is older than the resolved ones.
    engine.all_incidents = [
        _view("recent", 1, resolved=True),
        _view("stuck", 9, resolved=False),
        _view("older", 3, resolved=True),
    ]
    app = _host(engine, [], source_id="demo-git")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert _keys(app) == ["demo-git\x1fstuck", "demo-git\x1frecent", "demo-git\x1folder"]


async def test_filters_are_passed_to_the_engine() -> None:
    engine = FakeEngine()
    engine.history_extra = sample_history()
    app = _host(engine, [], source_id="demo-aws")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        keys = _keys(app)
        assert len(keys) == 4
        assert all(key.startswith("demo-aws\x1f") for key in keys)
        # One provider: its name in every row would waste the narrow screen.
        assert "provider" not in app.screen.query_one(IncidentTable).visible_columns


async def test_geography_filter() -> None:
    engine = FakeEngine()
    app = _host(engine, [], title="US West", geography="us-west")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert sorted(_keys(app)) == [
            "demo-aws\x1farn:aws:health:us-west-2::event/EC2/1",
            "demo-gcp\x1fgcp-1",
        ]


async def test_enter_opens_the_selected_incident() -> None:
    engine = FakeEngine()
    opened: list[IncidentView] = []
    app = _host(engine, opened, title="Everything")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("down", "enter")
        await pilot.pause()
        second = app.screen.query_one(IncidentTable).row_keys()[1]
        assert [view.key for view in opened] == [second]


async def test_columns_follow_the_width() -> None:
    engine = FakeEngine()
    app = _host(engine, [], title="Everything")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(IncidentTable)
        assert table.visible_columns == ("started", "provider", "impact", "title", "duration")
        cursor_key = table.row_keys()[2]
        await pilot.press("down", "down")
        await pilot.resize_terminal(140, 40)
        await pilot.pause()
        assert "status" in table.visible_columns
        # The rebuild for the new columns keeps the cursor on its incident.
        assert table.cursor_key == cursor_key


async def test_hostile_title_is_shown_literally() -> None:
    engine = FakeEngine()
    app = _host(engine, [], title="[red]not markup[/red]")
    async with app.run_test(size=(200, 40)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(IncidentTable)
        title = table.get_cell("demo-gcp\x1fgcp-1", "title")
        assert title.plain == "Compute Engine unavailable in us-west1 [bold]literally[/bold]"
        assert not title.spans
        heading = app.screen.query_one("#heading", OneLine)
        assert "[red]not markup[/red]" in heading.plain
        screen_text = unescape(app.export_screenshot()).replace("\xa0", " ")
        assert "[bold]literally[/bold]" in screen_text
        assert "[red]not markup[/red]" in screen_text


async def test_failure_is_reported_not_fatal() -> None:
    class Broken(FakeEngine):
        def incidents_for(self, **kwargs: object) -> list[IncidentView]:
            raise RuntimeError("store is locked")

    app = _host(Broken(), [], title="Everything")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, IncidentListScreen)
        assert screen.failure is not None and "store is locked" in screen.failure
        assert app.is_running


def test_cells_mark_open_and_inferred() -> None:
    views = {v.incident.id: v for v in sample_history()}
    inferred = incident_cells(views["git-h2"], NOW, ascii_only=False)
    assert inferred["duration"].plain == "~4h 00m"
    assert inferred["resolved"].plain.startswith("~")
    current = _view("now", 0, resolved=False)
    cells = incident_cells(current, NOW + timedelta(minutes=90), ascii_only=True)
    assert cells["duration"].plain == "* 1h 30m"
    assert cells["status"].plain == "* investigating"
    assert cells["started"].plain == "Jul 29 12:00"
