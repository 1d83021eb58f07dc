"""The app shell: polling order, workers and their failures, notifications, keys, kiosk mode.

Every app here runs the real engine over the test board (``tests/support/board.py``).
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3

from textual.command import CommandPalette
from textual.message import Message
from textual.screen import Screen
from textual.selection import Selection
from textual.worker import WorkerState

from tests.support import board_story as story
from tests.support.board import Board
from tests.support.board_story import AWS, GCP, GCP_INCIDENT
from tests.support.feedserver import Fault
from tests.support.pilot import (
    make_app,
    poll_after,
    said,
    screen_text,
    settle,
    table,
    update_keys,
    workers_done,
)
from watchtui.engine.overview import Overview
from watchtui.ui.app import WatchApp
from watchtui.ui.commands import WatchCommands
from watchtui.ui.messages import OverviewLoaded, RefreshSource
from watchtui.ui.screens.help import HelpScreen
from watchtui.ui.screens.main import MainScreen
from watchtui.ui.widgets.notification_line import NotificationLine
from watchtui.ui.widgets.one_line import OneLine

# Three pinned rows (two disagreements, a hint), then thirteen incident updates.
STREAM_ROWS = 16


def messages(app: WatchApp) -> list[str]:
    return [n.message for n in said(app)]


class Overviews:
    """The overviews the app was handed, in order (a ``run_test`` message hook), and how many
    requests the server had seen for ``path`` when each arrived."""

    def __init__(self, board: Board, path: str) -> None:
        self.board = board
        self.path = path
        self.seen: list[tuple[Overview, int]] = []

    def __call__(self, message: Message) -> None:
        if isinstance(message, OverviewLoaded):
            self.seen.append((message.overview, self.board.server.request_count(self.path)))


def newest_gcp_text(overview: Overview) -> str:
    view = next(v for v in overview.open_incidents if v.incident.id == GCP_INCIDENT)
    return view.incident.updates[0].text


async def test_cached_overview_is_painted_before_the_first_poll(board: Board) -> None:
    # Google published a new update while watchtui was not running; the poll will fetch it.
    gcp_path = board.path_of(GCP)
    board.serve(GCP, story.gcp_current((*story.GCP_UPDATES, story.GCP_FIX)))
    board.clock.advance(minutes=3)
    hook = Overviews(board, gcp_path)
    app = make_app(board)
    async with app.run_test(size=(120, 40), message_hook=hook) as pilot:
        await settle(pilot)
        (cached, requests_before), (fresh, requests_after) = hook.seen
        # The store's state was on screen before the first request left.
        assert requests_before == 0 and newest_gcp_text(cached).startswith("Mitigation")
        assert requests_after == 1 and newest_gcp_text(fresh) == story.GCP_FIX[1]
        assert table(app, "stream").row_count == STREAM_ROWS + 1


async def test_a_board_read_before_the_app_started_is_its_first_frame(board: Board) -> None:
    """What ``watchtui`` does at start: the store's overview is read before the app starts and
    is drawn from the start; no worker reads it again before the first poll."""
    gcp_path = board.path_of(GCP)
    board.serve(GCP, story.gcp_current((*story.GCP_UPDATES, story.GCP_FIX)))
    board.clock.advance(minutes=3)
    engine = board.engine()
    first = engine.overview()
    hook = Overviews(board, gcp_path)
    app = make_app(board, engine, first_board=first)
    async with app.run_test(size=(120, 40), message_hook=hook) as pilot:
        assert table(app, "stream").row_count >= STREAM_ROWS
        await settle(pilot)
        # The only overview a worker read is the one after the first poll.
        ((fresh, requests),) = hook.seen
        assert requests == 1 and newest_gcp_text(fresh) == story.GCP_FIX[1]
        assert newest_gcp_text(first).startswith("Mitigation")
        assert table(app, "stream").row_count == STREAM_ROWS + 1


async def test_refresh_forces_a_poll_and_keymap_remaps_it(board: Board) -> None:
    aws_path = board.path_of(AWS)
    app = make_app(board, keymap={"refresh": "f5"})
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        # Nothing is due at the board's frozen time: the first poll fetched nothing.
        assert board.server.request_count(aws_path) == 0
        await pilot.press("r")  # remapped away
        await workers_done(app)
        assert board.server.request_count(aws_path) == 0
        await pilot.press("f5")
        await settle(pilot)
        requests = board.server.requests(aws_path)
        assert len(requests) == 1
        # Conditional, with the validator the store kept: a 304, and the board is unchanged.
        state = board.store.endpoint_state(board.endpoint(AWS).url)
        assert state is not None and state.last_outcome == "not_modified"
        assert requests[0]["if-none-match"] == state.etag
        assert table(app, "stream").row_count == STREAM_ROWS


async def test_external_change_reloads(board: Board) -> None:
    hook = Overviews(board, board.path_of(GCP))
    app = make_app(board, external_check_seconds=0.05)
    async with app.run_test(size=(120, 40), message_hook=hook) as pilot:
        await settle(pilot)
        await pilot.pause(0.3)
        before = len(hook.seen)
        board.write_from_another_process()
        for _ in range(50):
            await pilot.pause(0.02)
            if len(hook.seen) > before:
                break
        await pilot.pause(0.3)
        assert len(hook.seen) == before + 1


async def test_worker_failures_are_shown_once_and_the_app_carries_on(board: Board) -> None:
    hook = Overviews(board, board.path_of(GCP))
    app = make_app(board)
    failed = "poll sources failed: the history store"
    with contextlib.ExitStack() as lock:
        # Another process holds the store's write lock from before the app starts.
        lock.enter_context(board.write_locked())
        async with app.run_test(size=(120, 40), message_hook=hook) as pilot:
            await settle(pilot)
            assert sum(m.startswith(failed) for m in messages(app)) == 1
            app.poll_now()
            await settle(pilot)
            assert sum(m.startswith(failed) for m in messages(app)) == 1
            assert len(hook.seen) == 1  # a failed poll loads nothing
            lock.close()
            app.poll_now()  # the lock is gone: the third poll works
            await settle(pilot)
            assert len(hook.seen) == 2
            assert isinstance(app.screen, MainScreen)


async def test_a_round_that_fails_in_part_still_shows_what_the_rest_found(board: Board) -> None:
    """AWS's payload comes slowly, and another process holds the store's write lock by the time
    it does: its ingest fails.  GCP's new incident, stored before that, is still news."""
    app = make_app(board)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        board.serve(GCP, story.gcp_with_new_incident())
        aws_body = story.aws_current()
        # Two seconds to come: the lock is taken well before it is there to be ingested.
        board.server.fault(board.path_of(AWS), Fault.trickle(aws_body, len(aws_body) / 2.0))
        gcp_url = board.endpoint(GCP).url

        def gcp_done() -> bool:  # ingested and recorded, its lease given back
            state = board.store.endpoint_state(gcp_url)
            return state is not None and state.last_outcome == "ok" and not state.lease_owner

        app.poll_now(force=True)
        for _ in range(150):
            if gcp_done() and board.store.incident(GCP, "gcp-2") is not None:
                break
            await pilot.pause(0.01)
        assert board.store.incident(GCP, "gcp-2") is not None, "GCP's news was not stored"
        assert gcp_done(), "GCP's fetch was not recorded within 1.5 s"
        locker = sqlite3.connect(board.path, isolation_level=None, timeout=5)
        try:
            locker.execute("BEGIN IMMEDIATE")  # another process, past the store's busy timeout
            await workers_done(app)
        finally:
            locker.execute("ROLLBACK")
            locker.close()
        await settle(pilot)
        assert any(m.startswith("poll sources failed: the history store") for m in messages(app))
        note = next(n for n in said(app) if n.title == "New incident · Demo GCP")
        assert note.message == story.GCP_NEW_TITLE
        assert story.GCP_NEW_TITLE in screen_text(app)


async def test_overview_failure_keeps_the_last_good_state(board: Board) -> None:
    app = make_app(board)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        with board.table_missing("components"):
            app.load_overview()
            await workers_done(app)
            await pilot.pause()
        assert any(
            m.startswith("load overview failed:") and "no such table" in m for m in messages(app)
        )
        assert table(app, "stream").row_count == STREAM_ROWS


async def test_events_raise_plain_notifications(board: Board) -> None:
    bells: list[int] = []
    app = make_app(board, notify_bell=True)
    app.bell = lambda: bells.append(1)  # type: ignore[method-assign]
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert bells == []
        board.serve(GCP, story.gcp_with_new_incident())
        await poll_after(pilot, board, minutes=2)
        note = next(n for n in said(app) if n.title == "New incident · Demo GCP")
        assert note.message == story.GCP_NEW_TITLE
        assert bells == [1]
        # One line, in plain text (the round's worst news), a count of the rest, no toasts.
        line = app.screen.query_one(NotificationLine).plain
        assert line.startswith("+1 n ")
        latest = app.notices.latest
        assert latest is not None and latest.notice.title in line
        assert not app._notifications
        # n lists them all and marks them read.
        await pilot.press("n")
        await pilot.pause()
        assert story.GCP_NEW_TITLE in screen_text(app) and app.notices.unread == 0


async def test_notifications_respect_the_watchlist(board: Board) -> None:
    engine = board.engine()
    engine.toggle_watch("provider", AWS)
    app = make_app(board, engine)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        board.serve(GCP, story.gcp_with_new_incident())
        await poll_after(pilot, board, minutes=2)
        # The new incident is stored and on the board, but Demo GCP is not watched.
        assert engine.incident(GCP, "gcp-2") is not None
        assert not any(story.GCP_NEW_TITLE in m for m in messages(app))


async def test_help_lists_bindings_from_the_bindings(board: Board) -> None:
    app = make_app(board)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        for expected in ("Filter", "Only watched", "Quit", "Pause", "Next pane", "move"):
            assert expected in text
        assert "only_watched" in text  # binding ids, for the [keys] config
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


async def test_command_palette_offers_the_main_actions(board: Board) -> None:
    aws_path = board.path_of(AWS)
    app = make_app(board)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        provider = WatchCommands(app.screen)
        titles = [hit.text async for hit in provider.discover()]
        assert "Refresh now" in titles and "Filter" in titles and "Sources" in titles
        hits = [hit async for hit in provider.search("refresh")]
        assert hits and hits[0].text is not None
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"refresh now")
        await pilot.pause(0.3)
        assert board.server.request_count(aws_path) == 0
        await pilot.press("enter")
        await pilot.pause()
        await settle(pilot)
        assert board.server.request_count(aws_path) == 1


async def test_idle_app_sends_nothing_to_the_terminal(board: Board) -> None:
    app = make_app(board, external_check_seconds=0.1)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.pause(0.3)
        # What the app hands its driver to draw (a headless driver writes nothing itself).
        frames: list[object] = []
        display = app._display

        def spy(screen: Screen[object], renderable: object) -> None:
            if renderable is not None:
                frames.append(renderable)
            display(screen, renderable)  # type: ignore[arg-type]

        app._display = spy  # type: ignore[method-assign]
        await pilot.pause(1.5)  # external-change checks keep running; the screen stays still
        await poll_after(pilot, board)  # a poll round that changes nothing draws nothing
        await pilot.pause(0.3)
        assert frames == []
        assert len(update_keys(app)) == STREAM_ROWS - 3


async def test_ctrl_c_quits_as_interrupted_even_from_the_filter(board: Board) -> None:
    app = make_app(board)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash")  # the filter's input has the focus
        await pilot.press("ctrl+c")
        await pilot.pause()
        assert not app.is_running
    assert app.return_code == 130


async def test_the_clock_setting_reaches_every_screen_that_shows_times(board: Board) -> None:
    """``t`` is one app-wide setting that the header and the screens watch: the probes screen
    follows it while open, and a kiosk started in local time shows local time from the start."""
    app = make_app(board)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("P")
        await settle(pilot)
        facts = str(app.screen.query_one("#facts").render())
        assert "since 11:55 UTC" in facts
        await pilot.press("t")
        await pilot.pause()
        facts = str(app.screen.query_one("#facts").render())
        assert "since " in facts and "UTC" not in facts and " local" in facts
    kiosk = make_app(board, kiosk=True, local_time=True)
    async with kiosk.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        clock = kiosk.screen.query_one("#clock", OneLine)
        assert clock.plain.strip().endswith(" local")


async def test_a_crash_exits_3_not_textuals_1_which_would_read_as_warning(board: Board) -> None:
    app = make_app(board)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.exit(return_code=1)  # what Textual sets when the app dies of an exception
        await pilot.pause()
    assert app.return_code == 1 and app.exit_status == 3


async def test_ctrl_c_copies_text_selected_with_the_mouse_instead_of_quitting(
    board: Board,
) -> None:
    app = make_app(board)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        line = app.screen.query_one(NotificationLine)
        app.say("watchtui", "copy me")
        await pilot.pause()
        # What a mouse drag over the notification line leaves (the whole of it, here).
        app.screen.selections = {line: Selection(None, None)}
        selected = app.screen.get_selected_text()
        assert selected and "copy me" in selected
        await pilot.press("ctrl+c")
        await pilot.pause()
        assert app.is_running and app.clipboard == selected


async def test_a_source_refresh_asked_during_a_round_follows_it_for_that_source_only(
    board: Board,
) -> None:
    app = make_app(board)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.poll_now()  # a round (nothing is due at the frozen time)
        round_ = app._poll_worker
        assert round_ is not None
        while round_.state == WorkerState.PENDING:
            await asyncio.sleep(0)
        assert round_.is_running
        app.poll_now(source=RefreshSource(GCP, "Demo GCP"))  # asked while it runs
        app.poll_now(source=RefreshSource(GCP, "Demo GCP"))  # twice: once is enough
        await settle(pilot)
        await workers_done(app)
        assert board.server.request_count(board.path_of(GCP)) == 1
        assert board.server.request_count(board.path_of(AWS)) == 0
        assert [m for m in messages(app) if m.startswith("Refreshed")] == [
            "Refreshed Demo GCP: 0 changes"
        ]
