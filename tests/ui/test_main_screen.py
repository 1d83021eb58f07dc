"""The main screen through the Pilot: panes, navigation, filters, watching, pause, live updates.

The real engine over the test board; live updates arrive the way they do in use: a provider
publishes a new payload on the loopback server, time passes, the app polls.
"""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from tests.support import board_story as story
from tests.support.board import Board
from tests.support.board_story import (
    AWS,
    AWS_INCIDENT,
    GCP,
    GCP_INCIDENT,
    GIT,
    GIT_ACTIONS,
    GIT_WEBHOOKS,
)
from tests.support.pilot import (
    column_text,
    engine_of,
    incident_of,
    make_app,
    poll_after,
    said,
    screen_text,
    settle,
    stream_key,
    table,
    update_keys,
)
from watchtui.ui.app import WatchApp
from watchtui.ui.screens.incident import IncidentScreen
from watchtui.ui.screens.incident_list import IncidentListScreen
from watchtui.ui.screens.main import MainScreen
from watchtui.ui.widgets.stream import StreamPane

# Three pinned rows (two disagreements, a hint), then thirteen incident updates.
STREAM_ROWS = 16
PINNED = 3


def newest_key(app: WatchApp, source_id: str, incident_id: str) -> str:
    """The stream key of an incident's newest update, as the engine stored it."""
    view = engine_of(app).incident(source_id, incident_id)
    assert view is not None
    return stream_key(source_id, incident_id, view.incident.updates[0].id)


async def live_update(pilot: Pilot[Any], board: Board) -> str:
    """AWS posts a newer log entry and Google escalates Compute Engine to an outage; two
    minutes later the app polls.  Returns the new stream row's key."""
    board.serve(AWS, story.aws_current((*story.AWS_LOG, story.AWS_RECOVERY)))
    board.serve(GCP, story.gcp_current(outage=True))
    await poll_after(pilot, board, minutes=2)
    app = pilot.app
    assert isinstance(app, WatchApp)
    key = newest_key(app, AWS, AWS_INCIDENT)
    view = engine_of(app).incident(AWS, AWS_INCIDENT)
    assert view is not None and view.incident.updates[0].text == story.AWS_RECOVERY[1]
    return key


async def test_panes_show_the_overview(board: Board) -> None:
    app = make_app(board)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        regions = column_text(table(app, "regions"), "name")
        assert regions[0] == "US West"  # worst geography first
        assert any("Demo AWS us-west-2" in r for r in regions)
        services = column_text(table(app, "services"), "name")
        # The provider, its probe, then its troubled services worst first.
        assert services[:4] == [
            "Demo AWS  1 open · 1 ok",
            "  probe api-us",
            "  Amazon EC2",
            "  AWS Lambda",
        ]
        # Operational services are folded into their provider's row.
        assert "  Amazon S3" not in services
        # The provider's counts follow its name; its Where cell stays empty.
        assert column_text(table(app, "services"), "where")[0] == ""
        stream = table(app, "stream")
        assert update_keys(app)[0] == newest_key(app, AWS, AWS_INCIDENT)
        assert stream.row_count == STREAM_ROWS


async def test_all_services_toggle(board: Board) -> None:
    app = make_app(board)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("2", "a")
        assert "  Amazon S3" in column_text(table(app, "services"), "name")
        await pilot.press("a")
        assert "  Amazon S3" not in column_text(table(app, "services"), "name")


async def test_focus_navigation_with_numbers_and_tab(board: Board) -> None:
    app = make_app(board)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
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
        assert table(app, "stream").cursor_row == STREAM_ROWS - 1
        await pilot.press("g")
        assert table(app, "stream").cursor_row == 0


async def test_narrow_terminal_shows_one_pane_at_a_time(board: Board) -> None:
    app = make_app(board)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert screen.has_class("-narrow")
        assert table(app, "stream").display and not table(app, "regions").display
        await pilot.press("1")
        assert table(app, "regions").display and not table(app, "stream").display
        await pilot.press("tab")
        assert table(app, "services").display and not table(app, "regions").display
        assert app.focused is table(app, "services")


async def test_wide_terminal_shows_all_panes(board: Board) -> None:
    app = make_app(board)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.screen.has_class("-wide")
        for name in ("regions", "services", "stream"):
            assert table(app, name).region.area > 0


async def test_drill_down_and_back_keeps_cursor_and_focus(board: Board) -> None:
    app = make_app(board)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        # Past the pinned rows, the AWS, GCP and silent Git rows: Actions' one update.
        await pilot.press(*"jjjjjj")
        stream = table(app, "stream")
        before = stream.cursor_key
        assert before == stream_key(GIT, GIT_ACTIONS, "h1")
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, IncidentScreen)
        assert app.screen.incident_id == GIT_ACTIONS
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        assert app.focused is stream
        assert stream.cursor_key == before


async def test_filter_slash_letters_enter_enter_opens_incident(board: Board) -> None:
    app = make_app(board)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("slash", "w", "e", "b", "h")
        stream = table(app, "stream")
        assert {incident_of(k) for k in stream.row_keys()} == {(GIT, GIT_WEBHOOKS)}
        await pilot.press("enter")
        assert app.focused is stream and stream.cursor_row == 0
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, IncidentScreen)
        assert app.screen.incident_id == GIT_WEBHOOKS


async def test_filter_matches_components_and_regions_and_escape_clears(board: Board) -> None:
    app = make_app(board)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"LAMBDA")
        keys = table(app, "stream").row_keys()
        # Through the incident's components; Lambda's own incident of Jul 20 is older than
        # the stream's week.
        assert len(keys) == 3 and {incident_of(k) for k in keys} == {(AWS, AWS_INCIDENT)}
        await pilot.press("escape")
        assert table(app, "stream").row_count == STREAM_ROWS
        assert not app.screen.query_one("#filter").display
        await pilot.press("slash", *"fra")
        assert column_text(table(app, "regions"), "name")[0] == "Central Europe"


async def test_region_selection_filters_other_panes_and_again_clears(board: Board) -> None:
    app = make_app(board)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("1")
        assert table(app, "regions").cursor_key == "g\x1fus-west"
        await pilot.press("space")
        stream_incidents = {incident_of(k) for k in update_keys(app)}
        assert stream_incidents == {(AWS, AWS_INCIDENT), (GCP, GCP_INCIDENT)}
        # The Frankfurt disagreement is elsewhere; the Oregon one and the us-west hint stay.
        assert len(table(app, "stream").row_keys()) == len(update_keys(app)) + 2
        services = column_text(table(app, "services"), "name")
        assert "Demo Git" not in services
        assert column_text(table(app, "regions"), "name")[0].startswith("▶ ")
        await pilot.press("space")
        assert table(app, "stream").row_count == STREAM_ROWS


async def test_watch_toggle_calls_engine_and_only_watched_filters(board: Board) -> None:
    app = make_app(board)
    engine = engine_of(app)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("2")  # services: cursor on the "Demo AWS" provider row
        await pilot.press("w")
        await settle(pilot)
        assert engine.config.watchlist.providers == [AWS]
        assert column_text(table(app, "services"), "name")[0].startswith("★ Demo AWS")
        await pilot.press("W")
        assert {incident_of(k)[0] for k in update_keys(app)} == {AWS}
        assert {n.strip() for n in column_text(table(app, "services"), "name")} >= {"Amazon S3"}
        assert "Demo GCP" not in column_text(table(app, "services"), "name")
        await pilot.press("W")
        assert table(app, "stream").row_count == STREAM_ROWS
        # Again: unwatched.
        await pilot.press("w")
        await settle(pilot)
        assert engine.config.watchlist.providers == []


async def test_watch_component_and_region_values(board: Board) -> None:
    app = make_app(board)
    engine = engine_of(app)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        # Services: Demo AWS, its probe, then Amazon EC2.
        await pilot.press("2", "j", "j", "w")
        await settle(pilot)
        await pilot.press("1", "j", "w")
        await settle(pilot)
        watchlist = engine.config.watchlist
        assert watchlist.components == ["demo-aws:Amazon EC2"]
        assert watchlist.regions == ["aws:us-west-2"]
        assert watchlist.providers == []


async def test_only_watched_with_empty_watchlist_explains(board: Board) -> None:
    app = make_app(board)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("W")
        assert not app.screen.only_watched  # type: ignore[attr-defined]
        assert any("Nothing is watched" in n.message for n in said(app))


async def test_live_update_does_not_move_the_cursor(board: Board) -> None:
    app = make_app(board)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("j", "j", "j", "j")
        stream = table(app, "stream")
        before = stream.cursor_key
        assert before is not None and incident_of(before) == (GCP, GCP_INCIDENT)
        services = table(app, "services")
        await pilot.press("2", "j")
        service_before = services.cursor_key
        await pilot.press("3")
        new_key = await live_update(pilot, board)
        assert new_key in stream.row_keys()
        assert stream.row_keys()[PINNED] == new_key
        assert stream.cursor_key == before
        assert app.focused is stream
        assert services.cursor_key == service_before
        gce = services.get_row("c\x1fdemo-gcp\x1fgce")
        assert gce[1].plain == "■ CRITICAL"


async def test_new_updates_are_unread_until_highlighted(board: Board) -> None:
    app = make_app(board)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        stream = app.screen.query_one(StreamPane)
        assert len(stream.unread) == 0  # the first overview is the baseline
        await pilot.press("j")
        new_key = await live_update(pilot, board)
        assert stream.get_row(new_key)[0].plain == "•"
        assert "new" in str(stream.border_title)
        await pilot.press("g", *"j" * PINNED)
        await pilot.pause()
        assert stream.cursor_key == new_key
        assert stream.get_row(new_key)[0].plain == ""
        assert len(stream.unread) == 0


async def test_pause_freezes_display_and_unpause_applies_latest(board: Board) -> None:
    app = make_app(board)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("p")
        assert app.screen.query_one("#paused").display
        new_key = await live_update(pilot, board)
        stream = table(app, "stream")
        assert new_key not in stream.row_keys()
        assert app.latest is not None and new_key in {item.key for item in app.latest.stream}
        await pilot.press("p")
        await pilot.pause()
        assert new_key in stream.row_keys()
        assert not app.screen.query_one("#paused").display


async def test_hostile_title_is_rendered_literally(board: Board) -> None:
    app = make_app(board)
    # 120 columns give the stream the full width: the whole title fits.
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        cells = column_text(table(app, "stream"), "text")
        assert any("[bold]literally[/bold]" in c for c in cells)
        assert "[bold]literally[/bold]" in screen_text(app)


async def test_enter_on_service_and_region_rows_lists_incidents(board: Board) -> None:
    app = make_app(board)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("2", "j", "j", "enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, IncidentListScreen)
        assert (screen.source_id, screen.component) == (AWS, "Amazon EC2")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        assert app.focused is table(app, "services")
        await pilot.press("1", "enter")
        await pilot.pause()
        assert isinstance(app.screen, IncidentListScreen)
        assert app.screen.geography == "us-west"


async def test_clock_toggles_local(board: Board) -> None:
    app = make_app(board)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        clock = app.screen.query_one("#clock")
        assert "UTC" in str(clock.render())
        await pilot.press("t")
        assert "local" in str(clock.render())


async def test_ascii_mode_uses_ascii_markers(board: Board) -> None:
    app = make_app(board, ascii_only=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        statuses = column_text(table(app, "regions"), "status")
        assert statuses[0] == "# CRITICAL"
        names = column_text(table(app, "regions"), "name")
        assert all(ord(ch) < 128 for name in names for ch in name)
        text = column_text(table(app, "stream"), "text")
        assert all(ord(ch) < 128 for cell in text for ch in cell)
        assert app.screen.has_class("-ascii")
