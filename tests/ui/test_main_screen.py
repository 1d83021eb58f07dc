"""The main screen through the Pilot: panes, navigation, filters, watching, pause, live updates."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from tests.ui.fake_engine import NOW, FakeEngine
from tests.ui.run_fake import make_app, settle
from watchtui.domain.model import IncidentUpdate
from watchtui.ui.app import WatchApp
from watchtui.ui.screens.incident import IncidentScreen
from watchtui.ui.screens.main import MainScreen
from watchtui.ui.widgets.keyed_table import KeyedTable
from watchtui.ui.widgets.stream import StreamPane

AWS_INCIDENT = "arn:aws:health:us-west-2::event/EC2/1"


def table(app: WatchApp, name: str) -> KeyedTable:
    return app.screen.query_one(f"#{name}", KeyedTable)


def column_text(pane: KeyedTable, column: str) -> list[str]:
    return [cell.plain for cell in pane.get_column(column)]


def stream_key(source_id: str, incident_id: str, update_id: str) -> str:
    return f"{source_id}\x1f{incident_id}\x1f{update_id}"


def live_update(engine: FakeEngine) -> str:
    """A newer update on the AWS incident and a worse GCE; returns the new stream row's key."""
    overview = engine.overview_value
    template = next(i for i in overview.stream if i.update.id == "a3")
    newer = dataclasses.replace(
        template,
        update=IncidentUpdate(
            id="a4", at=NOW + timedelta(minutes=1), status="update", text="Recovery progressing."
        ),
    )
    components = tuple(
        dataclasses.replace(c, status="major_outage") if c.id == "gce" else c
        for c in overview.components
    )
    engine.overview_value = dataclasses.replace(
        overview, stream=(newer, *overview.stream), components=components
    )
    return newer.key


async def reload(pilot: object, app: WatchApp) -> None:
    app.load_overview()
    await app.workers.wait_for_complete()
    await app.animator.wait_until_complete()
    for _ in range(3):
        await pilot.pause()  # type: ignore[attr-defined]


async def test_panes_show_the_overview() -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        assert isinstance(app.screen, MainScreen)
        regions = column_text(table(app, "regions"), "name")
        assert regions[0] == "US West"  # worst geography first
        assert any("Demo AWS us-west-2" in r for r in regions)
        services = column_text(table(app, "services"), "name")
        assert services[:2] == ["Demo AWS", "  Amazon EC2"]
        # Operational services are folded into their provider's row.
        assert "  Amazon S3" not in services
        assert column_text(table(app, "services"), "where")[0] == "1 ok"
        stream = table(app, "stream")
        assert stream.row_keys()[0] == stream_key("demo-aws", AWS_INCIDENT, "a3")
        assert stream.row_count == 8


async def test_all_services_toggle() -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("2", "a")
        assert "  Amazon S3" in column_text(table(app, "services"), "name")
        await pilot.press("a")
        assert "  Amazon S3" not in column_text(table(app, "services"), "name")


async def test_focus_navigation_with_numbers_and_tab() -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        assert app.focused is table(app, "stream")
        await pilot.press("1")
        assert app.focused is table(app, "regions")
        await pilot.press("tab")
        assert app.focused is table(app, "services")
        await pilot.press("tab")
        assert app.focused is table(app, "stream")
        await pilot.press("shift+tab")
        assert app.focused is table(app, "services")
        await pilot.press("3", "j", "j")
        assert table(app, "stream").cursor_row == 2
        await pilot.press("k")
        assert table(app, "stream").cursor_row == 1
        await pilot.press("G")
        assert table(app, "stream").cursor_row == 7
        await pilot.press("g")
        assert table(app, "stream").cursor_row == 0


async def test_narrow_terminal_shows_one_pane_at_a_time() -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        screen = app.screen
        assert screen.has_class("-narrow")
        assert table(app, "stream").display and not table(app, "regions").display
        await pilot.press("1")
        assert table(app, "regions").display and not table(app, "stream").display
        await pilot.press("tab")
        assert table(app, "services").display and not table(app, "regions").display
        assert app.focused is table(app, "services")


async def test_wide_terminal_shows_all_panes() -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        assert app.screen.has_class("-wide")
        for name in ("regions", "services", "stream"):
            assert table(app, name).region.area > 0


async def test_drill_down_and_back_keeps_cursor_and_focus() -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await pilot.press("j", "j")
        stream = table(app, "stream")
        before = stream.cursor_key
        assert before == stream_key("demo-git", "git-1", "h1")
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, IncidentScreen)
        assert app.screen.incident_id == "git-1"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        assert app.focused is stream
        assert stream.cursor_key == before


async def test_filter_slash_letters_enter_enter_opens_incident() -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await pilot.press("slash", "w", "e", "b", "h")
        stream = table(app, "stream")
        assert {k.split("\x1f")[1] for k in stream.row_keys()} == {"git-0"}
        await pilot.press("enter")
        assert app.focused is stream and stream.cursor_row == 0
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, IncidentScreen)
        assert app.screen.incident_id == "git-0"


async def test_filter_matches_components_and_regions_and_escape_clears() -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("slash", *"LAMBDA")
        keys = table(app, "stream").row_keys()
        assert keys and all(AWS_INCIDENT in k for k in keys)  # via the incident's components
        await pilot.press("escape")
        assert table(app, "stream").row_count == 8
        assert not app.screen.query_one("#filter").display
        await pilot.press("slash", *"fra")
        assert column_text(table(app, "regions"), "name")[0] == "Central Europe"


async def test_region_selection_filters_other_panes_and_again_clears() -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("1")
        assert table(app, "regions").cursor_key == "g\x1fus-west"
        await pilot.press("space")
        stream_incidents = {k.split("\x1f")[1] for k in table(app, "stream").row_keys()}
        assert stream_incidents == {AWS_INCIDENT, "gcp-1"}
        services = column_text(table(app, "services"), "name")
        assert "Demo Git" not in services
        assert column_text(table(app, "regions"), "name")[0].startswith("▶ ")
        await pilot.press("space")
        assert table(app, "stream").row_count == 8


async def test_watch_toggle_calls_engine_and_only_watched_filters() -> None:
    engine = FakeEngine()
    app = make_app(engine)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("2")  # services: cursor on the "Demo AWS" provider row
        await pilot.press("w")
        await app.workers.wait_for_complete()
        await reload(pilot, app)
        assert engine.watched == {("provider", "demo-aws")}
        assert column_text(table(app, "services"), "name")[0] == "★ Demo AWS"
        await pilot.press("W")
        stream_sources = {k.split("\x1f")[0] for k in table(app, "stream").row_keys()}
        assert stream_sources == {"demo-aws"}
        assert {n.strip() for n in column_text(table(app, "services"), "name")} >= {"Amazon S3"}
        assert "Demo GCP" not in column_text(table(app, "services"), "name")
        await pilot.press("W")
        assert table(app, "stream").row_count == 8
        # Again: unwatched.
        await pilot.press("w")
        await app.workers.wait_for_complete()
        assert engine.watched == set()


async def test_watch_component_and_region_values() -> None:
    engine = FakeEngine()
    app = make_app(engine)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("2", "j", "w")
        await app.workers.wait_for_complete()
        await pilot.press("1", "j", "w")
        await app.workers.wait_for_complete()
        assert engine.watched == {
            ("component", "demo-aws:Amazon EC2"),
            ("region", "aws:us-west-2"),
        }


async def test_only_watched_with_empty_watchlist_explains() -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("W")
        assert not app.screen.only_watched  # type: ignore[attr-defined]
        assert any("Nothing is watched" in n.message for n in app._notifications)


async def test_live_update_does_not_move_the_cursor() -> None:
    engine = FakeEngine()
    app = make_app(engine)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("j", "j")
        stream = table(app, "stream")
        before = stream.cursor_key
        services = table(app, "services")
        await pilot.press("2", "j")
        service_before = services.cursor_key
        await pilot.press("3")
        new_key = live_update(engine)
        engine.changed_externally = True
        app.check_external()
        await app.workers.wait_for_complete()
        await reload(pilot, app)
        assert new_key in stream.row_keys()
        assert stream.row_keys()[0] == new_key
        assert stream.cursor_key == before
        assert app.focused is stream
        assert services.cursor_key == service_before
        gce = services.get_row("c\x1fdemo-gcp\x1fgce")
        assert gce[1].plain == "■ MAJOR"


async def test_new_updates_are_unread_until_highlighted() -> None:
    engine = FakeEngine()
    app = make_app(engine)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        stream = app.screen.query_one(StreamPane)
        assert len(stream.unread) == 0  # the first overview is the baseline
        await pilot.press("j")
        new_key = live_update(engine)
        await reload(pilot, app)
        assert stream.get_row(new_key)[0].plain == "•"
        assert "new" in str(stream.border_title)
        await pilot.press("g")
        await pilot.pause()
        assert stream.get_row(new_key)[0].plain == ""
        assert len(stream.unread) == 0


async def test_pause_freezes_display_and_unpause_applies_latest() -> None:
    engine = FakeEngine()
    app = make_app(engine)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("p")
        assert app.screen.query_one("#paused").display
        new_key = live_update(engine)
        await reload(pilot, app)
        stream = table(app, "stream")
        assert new_key not in stream.row_keys()
        assert app.latest is not None and app.latest.stream[0].key == new_key
        await pilot.press("p")
        await pilot.pause()
        assert new_key in stream.row_keys()
        assert not app.screen.query_one("#paused").display


async def test_hostile_title_is_rendered_literally() -> None:
    app = make_app()
    async with app.run_test(size=(200, 40)) as pilot:
        await settle(pilot, app)
        cells = column_text(table(app, "stream"), "text")
        assert any("[bold]literally[/bold]" in c for c in cells)
        svg = app.export_screenshot().replace("&#160;", " ")
        assert "[bold]literally[/bold]" in svg


async def test_enter_on_service_and_region_rows_lists_incidents() -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("2", "j", "enter")
        await pilot.pause()
        screen = app.screen
        assert type(screen).__name__ == "IncidentListScreen"
        assert (screen.source_id, screen.component) == ("demo-aws", "Amazon EC2")  # type: ignore[attr-defined]
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        assert app.focused is table(app, "services")
        await pilot.press("1", "enter")
        await pilot.pause()
        assert type(app.screen).__name__ == "IncidentListScreen"
        assert app.screen.geography == "us-west"


async def test_clock_toggles_local() -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        clock = app.screen.query_one("#clock")
        assert "UTC" in str(clock.render())
        await pilot.press("t")
        assert "local" in str(clock.render())


async def test_ascii_mode_uses_ascii_markers() -> None:
    app = make_app(ascii_only=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        statuses = column_text(table(app, "regions"), "status")
        assert statuses[0] == "X MAJOR"
        names = column_text(table(app, "regions"), "name")
        assert all(ord(ch) < 128 for name in names for ch in name)
        text = column_text(table(app, "stream"), "text")
        assert all(ord(ch) < 128 for cell in text for ch in cell)
        assert app.screen.has_class("-ascii")
