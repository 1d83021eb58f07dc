"""SourcesScreen: rows by key, refresh, enable/disable, adding from the catalogue, live updates."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from textual.widgets import OptionList, Static

from tests.support import board_story as story
from tests.support.board import Board
from tests.support.board_fill import SOURCES
from tests.support.board_story import AWS, AZURE, BLOG, EDGE, GCP, GIT, NOW
from tests.support.feedserver import Fault
from tests.support.pilot import ScreenHost, make_app, said, screen_lines, settle
from watchtui.engine.engine import Engine
from watchtui.ui.screens.catalog_picker import CatalogPicker
from watchtui.ui.screens.main import MainScreen
from watchtui.ui.screens.sources import NO_SOURCES, SourcesScreen, every, source_cells
from watchtui.ui.widgets.fitted_table import EmptyNote, FittedTable

# The engine lists sources by id.
ROWS = [AWS, AZURE, BLOG, EDGE, GCP, GIT]
BOARD_IDS = {source.id for source in SOURCES}


def _host(engine: Engine, board: Board, *, ascii_only: bool = False) -> ScreenHost:
    return ScreenHost(lambda: SourcesScreen(engine, clock=board.clock, ascii_only=ascii_only))


def _table(app: ScreenHost) -> FittedTable:
    return app.screen.query_one(FittedTable)


def _cell(app: ScreenHost, key: str, column: str) -> str:
    return _table(app).get_cell(key, column).plain


def _detail(app: ScreenHost) -> str:
    return str(app.screen.query_one("#detail", Static).render())


def _down_to(source_id: str) -> list[str]:
    return ["down"] * ROWS.index(source_id)


async def test_rows_show_statistics(board: Board) -> None:
    app = _host(board.engine(), board)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert _table(app).row_keys() == ROWS
        # Fetched every 2 minutes, last at the board's now; 19 of the last 20 fetches were 304s.
        assert _cell(app, GCP, "last_ok") == "0s"
        assert _cell(app, GCP, "latency") == "340ms"
        assert _cell(app, GCP, "share") == "95%"
        assert _cell(app, GCP, "every") == "2m"
        assert _cell(app, AZURE, "health") == "◌ STALE"
        assert _cell(app, AZURE, "last_ok") == "9m"
        assert _cell(app, BLOG, "health") == "✗ FAILING"
        assert _cell(app, BLOG, "last_ok") == "3h"
        # The mean of its recent fetches, the failed one having no latency.
        assert _cell(app, BLOG, "latency") == "450ms"
        assert _cell(app, BLOG, "error") == "HTTP 503"
        heading = str(app.screen.query_one("#heading").render())
        assert "6 sources" in heading and "FAILING 1" in heading and "STALE 1" in heading


async def test_narrow_screen_drops_kind_and_url_and_the_detail_line_has_them(
    board: Board,
) -> None:
    # The blog's server now redirects to a long local path watchtui refuses to follow.
    target = "file:///var/" + "mirror/status/" * 5 + "END"
    board.server.fault(board.path_of(BLOG), Fault.redirect(target))
    board.fetch(BLOG)
    long_error = f"redirect to non-HTTP URL {target}"
    app = _host(board.engine(), board)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        columns = _table(app).visible_columns
        assert "url" not in columns and "kind" not in columns
        assert _table(app).get_cell(BLOG, "error").plain == long_error
        await pilot.press(*_down_to(BLOG))
        await pilot.pause()
        detail = " ".join(_detail(app).split())
        assert board.url(BLOG) in detail
        assert "mirror/status/mirror/status" in detail
        assert detail.endswith("END")
        await pilot.resize_terminal(160, 40)
        await pilot.pause()
        assert "url" in _table(app).visible_columns


async def test_disable_and_enable_the_selected_source(board: Board) -> None:
    app = _host(board.engine(), board)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press(*_down_to(BLOG))
        await pilot.press("x")
        await settle(pilot)
        assert {s.id for s in board.store.sources() if not s.enabled} == {BLOG}
        assert _cell(app, BLOG, "health") == "- off"
        assert _table(app).cursor_key == BLOG
        await pilot.press("space")
        await settle(pilot)
        assert all(s.enabled for s in board.store.sources())
        assert _cell(app, BLOG, "health") == "✗ FAILING"


async def test_refresh_polls_the_selected_source_through_the_app(board: Board) -> None:
    """The app polls it, as a round of its own: the news is announced and the board follows."""
    board.serve(GCP, story.gcp_current((*story.GCP_UPDATES, story.GCP_FIX)))
    app = make_app(board)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        await pilot.press(*_down_to(GCP), "r")
        await settle(pilot)
        # Only Demo GCP, now, however recently it was fetched.
        assert board.server.request_count(board.path_of(GCP)) == 1
        assert board.server.request_count(board.path_of(AWS)) == 0
        refreshed = [n.message for n in said(app) if n.message.startswith("Refreshed")]
        assert len(refreshed) == 1 and refreshed[0].startswith("Refreshed Demo GCP: ")
        assert refreshed[0] != "Refreshed Demo GCP: 0 changes"
        # The board the app holds has the new update, without waiting for its next round.
        assert app.board is not None
        assert any(i.update.text == story.GCP_FIX[1] for i in app.board.stream)


async def test_refreshing_a_source_counts_only_its_own_changes(board: Board) -> None:
    """Demo GCP answers 304: nothing changed there.  (Demo Azure being stale is no change of
    Demo GCP's, and was already so before the refresh.)"""
    app = make_app(board)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        await pilot.press(*_down_to(GCP), "r")
        await settle(pilot)
        state = board.store.endpoint_state(board.endpoint(GCP).url)
        assert state is not None and state.last_outcome == "not_modified"
        refreshed = [n.message for n in said(app) if n.message.startswith("Refreshed")]
        assert refreshed == ["Refreshed Demo GCP: 0 changes"]


async def test_refresh_of_a_disabled_source_does_not_poll(board: Board) -> None:
    engine = board.engine()
    engine.set_source_enabled(AWS, False)
    app = _host(engine, board)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        assert board.server.request_count(board.path_of(AWS)) == 0
        assert any("is disabled" in n.message for n in said(app))


async def test_add_from_catalogue_by_fuzzy_search(board: Board) -> None:
    engine = board.engine()
    app = _host(engine, board)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, CatalogPicker)
        await pilot.press("g", "i", "t", "h")
        await pilot.pause()
        matches = app.screen.query_one(OptionList)
        first = matches.get_option_at_index(0)
        assert first.id == "github"
        assert str(first.prompt).startswith("GitHub ")
        assert "statuspage" in str(first.prompt) and "Developer Tools" in str(first.prompt)
        assert matches.highlighted == 0
        await pilot.press("enter")
        await settle(pilot)
        assert "github" in engine.specs
        assert isinstance(app.screen, SourcesScreen)
        assert "github" in _table(app).row_keys()
        assert _cell(app, "github", "health") != "● fresh"  # never read yet


async def test_adding_from_the_catalogue_adds_only_that_provider(board: Board) -> None:
    """The board watches no catalog provider (``watch.providers = []``); adding GitHub must
    watch GitHub, not GitHub plus the built-in default set (which the next poll would fetch)."""
    engine = board.engine()
    app = _host(engine, board)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await pilot.pause()
        await pilot.press(*"github", "enter")
        await settle(pilot)
        assert "github" in _table(app).row_keys()
    assert engine.config.watch.providers == ["github"]
    assert set(engine.specs) == BOARD_IDS | {"github"}


async def test_link_only_entries_are_dimmed_and_not_addable(board: Board) -> None:
    engine = board.engine()
    app = _host(engine, board)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await pilot.pause()
        await pilot.press(*"absurd design")
        await pilot.pause()
        matches = app.screen.query_one(OptionList)
        first = matches.get_option_at_index(0)
        assert first.id == "absurd-design"
        assert first.disabled
        assert "(no feed)" in str(first.prompt)
        await pilot.press("enter")
        await settle(pilot)
        assert set(engine.specs) == BOARD_IDS
        assert isinstance(app.screen, CatalogPicker)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, SourcesScreen)


async def test_live_reload_updates_cells_in_place(board: Board) -> None:
    engine = board.engine()
    app = _host(engine, board)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press(*_down_to(EDGE))
        assert _table(app).cursor_key == EDGE
        # In the next 20 seconds AWS answers slowly (twenty slow 304s logged), and a catalog
        # source whose id sorts first is added: rows move, the cursor stays on its source.
        url = board.endpoint(AWS).url
        for n in range(1, 21):
            when = NOW + timedelta(seconds=n)
            board.store.record_fetch(AWS, url, when, "not_modified", latency_ms=999.0)
        board.clock.advance(seconds=20)
        engine.add_catalog_source("atlassian")
        screen = app.screen
        assert isinstance(screen, SourcesScreen)
        screen._load()
        await settle(pilot)
        assert _cell(app, AWS, "latency") == "999ms"
        assert _table(app).row_keys()[0] == "atlassian"
        assert _table(app).cursor_key == EDGE


async def test_worker_failure_is_shown_not_fatal(board: Board) -> None:
    app = _host(board.engine(), board)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        with board.write_locked():
            await pilot.press("space")  # disabling a source writes to the store
            await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SourcesScreen)
        assert screen.failure is not None and "stayed locked by another process" in screen.failure
        assert app.is_running


def test_cells_ascii_and_hostile_error(board: Board) -> None:
    blog = next(s for s in board.engine().sources() if s.id == BLOG)
    assert blog.last_error == "HTTP 503"
    # The same row had the error been hostile text from the wire, and older.
    hostile = dataclasses.replace(
        blog, last_error="[b]boom[/b]\nsecond line", last_success_at=NOW - timedelta(days=3)
    )
    cells = source_cells(hostile, NOW, ascii_only=True)
    assert cells["health"].plain == "x FAILING"
    assert cells["latency"].plain == "450ms"
    assert cells["last_ok"].plain == "3d"
    assert cells["error"].plain == "[b]boom[/b] second line"
    assert not cells["error"].spans


def test_every() -> None:
    assert [every(s) for s in (30, 60, 90, 300, 3600, 7200)] == [
        "30s",
        "1m",
        "1m30s",
        "5m",
        "1h",
        "2h",
    ]


async def test_no_sources_says_what_to_do(board: Board) -> None:
    # The user removed every source from the config; the store still holds their history.
    config = board.config.model_copy(update={"sources": []})
    app = _host(Engine(board.store, config, clock=board.clock), board)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert _table(app).row_count == 0
        note = app.screen.query_one(EmptyNote)
        assert note.display and str(note.render()) == NO_SOURCES
        assert not app.screen.query_one("#detail").display
        lines = screen_lines(app)
        headings = next(i for i, line in enumerate(lines) if line.startswith(" Source "))
        assert lines[headings + 1].startswith(" No sources: watchtui watches nothing.")
        assert "0 sources" in str(app.screen.query_one("#heading").render())


@pytest.mark.parametrize(("ascii_only", "cut"), [(False, "…"), (True, "...")])
async def test_errors_cut_to_the_width_keep_their_ellipsis(
    board: Board, ascii_only: bool, cut: str
) -> None:
    target = "file:///var/" + "mirror/status/" * 5 + "END"
    board.server.fault(board.path_of(BLOG), Fault.redirect(target))
    board.fetch(BLOG)
    app = _host(board.engine(), board, ascii_only=ascii_only)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for size in ((80, 24), (100, 24)):
            await pilot.resize_terminal(*size)
            await settle(pilot)
            row = next(line for line in screen_lines(app) if "redirect to" in line)
            assert row.rstrip().endswith(cut) and "END" not in row, row
            assert ascii_only == row.isascii()


async def test_history_then_sources_then_escape_lands_on_the_board(board: Board) -> None:
    app = make_app(board)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("h")
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        # Sources took History's place: top-level screens never stack.
        assert [type(s) for s in app.screen_stack] == [MainScreen, SourcesScreen]
        await pilot.press("escape")
        await pilot.pause()
        assert [type(s) for s in app.screen_stack] == [MainScreen]
