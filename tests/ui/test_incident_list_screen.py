"""IncidentListScreen: ordering, columns by width, opening an incident, hostile text, failures."""

from __future__ import annotations

from datetime import timedelta
from html import unescape

import pytest

from tests.support import board_story as story
from tests.support.board import Board
from tests.support.board_story import (
    AWS,
    AWS_EC2_API,
    AWS_INCIDENT,
    AWS_LAMBDA,
    AWS_S3,
    EDGE,
    EDGE_MAINTENANCE,
    GCP,
    GCP_INCIDENT,
    GIT,
    GIT_ACTIONS,
    GIT_MAINTENANCE,
    GIT_PAGES,
    GIT_SILENT,
    GIT_WEBHOOKS,
    NOW,
)
from tests.support.pilot import ScreenHost, screen_lines, settle
from watchtui.engine.overview import IncidentView, open_first
from watchtui.ui.screens.incident_list import (
    IncidentListScreen,
    IncidentTable,
    incident_cells,
)
from watchtui.ui.widgets.fitted_table import EmptyNote
from watchtui.ui.widgets.one_line import OneLine

# Demo Git's incidents, open ones first, each group newest first.
GIT_ORDER = [GIT_SILENT, GIT_ACTIONS, GIT_WEBHOOKS, GIT_MAINTENANCE, GIT_PAGES]


def _host(
    board: Board,
    opened: list[IncidentView],
    *,
    title: str = "Demo Git",
    source_id: str | None = None,
    component: str | None = None,
    geography: str | None = None,
    ascii_only: bool = False,
) -> ScreenHost:
    engine = board.engine()
    return ScreenHost(
        lambda: IncidentListScreen(
            engine,
            clock=board.clock,
            title=title,
            source_id=source_id,
            component=component,
            geography=geography,
            ascii_only=ascii_only,
            on_open_incident=opened.append,
        )
    )


def _keys(app: ScreenHost) -> list[str]:
    return app.screen.query_one(IncidentTable).row_keys()


def _git_views(board: Board) -> dict[str, IncidentView]:
    return {v.incident.id: v for v in board.engine().incidents_for(source_id=GIT)}


def test_open_first_then_newest(board: Board) -> None:
    views = _git_views(board)
    # Whatever order they come in: open first (newest first), then the rest newest first.
    shuffled = [views[i] for i in (GIT_PAGES, GIT_ACTIONS, GIT_WEBHOOKS, GIT_SILENT)]
    shuffled.append(views[GIT_MAINTENANCE])
    assert [v.incident.id for v in open_first(shuffled)] == GIT_ORDER


async def test_screen_lists_open_incidents_first(board: Board) -> None:
    app = _host(board, [], source_id=GIT)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert _keys(app) == [f"{GIT}\x1f{i}" for i in GIT_ORDER]


async def test_filters_are_passed_to_the_engine(board: Board) -> None:
    app = _host(board, [], title="Demo AWS", source_id=AWS)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        keys = _keys(app)
        assert sorted(keys) == sorted(
            f"{AWS}\x1f{i}" for i in (AWS_INCIDENT, AWS_S3, AWS_EC2_API, AWS_LAMBDA)
        )
        # One provider: its name in every row would waste the narrow screen.
        assert "provider" not in app.screen.query_one(IncidentTable).visible_columns


async def test_geography_filter(board: Board) -> None:
    app = _host(board, [], title="US West", geography="us-west")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        # Oregon (AWS us-west-2, GCP us-west1) and San Jose (Edge SJC), open or past.
        assert sorted(_keys(app)) == sorted(
            [
                f"{AWS}\x1f{AWS_INCIDENT}",
                f"{AWS}\x1f{AWS_EC2_API}",
                f"{AWS}\x1f{AWS_LAMBDA}",
                f"{GCP}\x1f{GCP_INCIDENT}",
                f"{EDGE}\x1f{EDGE_MAINTENANCE}",
            ]
        )


async def test_enter_opens_the_selected_incident(board: Board) -> None:
    opened: list[IncidentView] = []
    app = _host(board, opened, title="Everything")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("down", "enter")
        await pilot.pause()
        second = app.screen.query_one(IncidentTable).row_keys()[1]
        assert [view.key for view in opened] == [second]


async def test_columns_follow_the_width(board: Board) -> None:
    app = _host(board, [], title="Everything")
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


async def test_hostile_title_is_shown_literally(board: Board) -> None:
    app = _host(board, [], title="[red]not markup[/red]")
    async with app.run_test(size=(200, 40)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(IncidentTable)
        title = table.get_cell(f"{GCP}\x1f{GCP_INCIDENT}", "title")
        assert title.plain == story.HOSTILE_TITLE
        assert not title.spans
        heading = app.screen.query_one("#heading", OneLine)
        assert "[red]not markup[/red]" in heading.plain
        screen_text = unescape(app.export_screenshot()).replace("\xa0", " ")
        assert "[bold]literally[/bold]" in screen_text
        assert "[red]not markup[/red]" in screen_text


async def test_failure_is_reported_not_fatal(board: Board) -> None:
    app = _host(board, [], title="Everything")
    with board.table_missing("incidents"):
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, IncidentListScreen)
            assert screen.failure is not None and "no such table" in screen.failure
            assert app.is_running


def test_cells_mark_open_and_inferred(board: Board) -> None:
    views = _git_views(board)
    # Deleted from the page while open: its end is inferred (marked "~").
    inferred = incident_cells(views[GIT_PAGES], NOW, ascii_only=False)
    assert inferred["duration"].plain == "~4h 00m"
    assert inferred["resolved"].plain.startswith("~")
    # Open since 11:35, seen at 13:05: open is marked "*".
    cells = incident_cells(views[GIT_ACTIONS], NOW + timedelta(minutes=65), ascii_only=True)
    assert cells["duration"].plain == "* 1h 30m"
    assert cells["status"].plain == "* investigating"
    assert cells["started"].plain == "Jul 29 11:35"


async def test_a_maintenance_under_way_is_listed_but_not_counted_open(board: Board) -> None:
    app = _host(board, [], title="Demo Edge", source_id=EDGE)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert _keys(app) == [f"{EDGE}\x1f{EDGE_MAINTENANCE}"]
        # The header says no open incident at Demo Edge: neither does this list.
        heading = app.screen.query_one("#heading", OneLine).plain
        assert heading == "Demo Edge  1 incident, 0 open"


async def test_a_list_with_nothing_recorded_says_so(board: Board) -> None:
    app = _host(board, [], title="Demo Git · API Requests", source_id=GIT, component="API Requests")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert _keys(app) == []
        note = app.screen.query_one(EmptyNote)
        assert note.display
        expected = "watchtui has recorded no incidents of Demo Git · API Requests."
        assert str(note.render()) == expected
        lines = screen_lines(app)
        headings = next(i for i, line in enumerate(lines) if line.startswith(" Started UTC"))
        assert lines[headings + 1].strip() == expected
        assert "0 incidents, 0 open" in app.screen.query_one("#heading", OneLine).plain


@pytest.mark.parametrize(("ascii_only", "cut"), [(False, "…"), (True, "...")])
async def test_titles_cut_to_the_width_keep_their_ellipsis(
    board: Board, ascii_only: bool, cut: str
) -> None:
    app = _host(board, [], title="Everything", ascii_only=ascii_only)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for size in ((80, 24), (72, 24)):
            await pilot.resize_terminal(*size)
            await settle(pilot)
            row = next(line for line in screen_lines(app) if "Increased error" in line)
            title = row[row.index("Increased error") :].split("  ")[0]
            assert title.endswith(cut) and "US-WEST-2" not in row, row
            assert ascii_only == row.isascii()
