"""The kiosk's conduct: it obeys no key but ctrl+q, cycles through the open incidents, shows no
notification line, redraws nothing that did not change, recovers from its own failures, and puts
the user's own signals first.

Every app here runs the real engine over the test board (``tests/support/board.py``).
"""

from __future__ import annotations

import contextlib

import pytest
from textual.screen import Screen

from tests.support import board_pages as pages
from tests.support.board import Board
from tests.support.board_story import AWS
from tests.support.pilot import (
    engine_of,
    make_app,
    poll_after,
    said,
    screen_lines,
    settle,
    workers_done,
)
from tests.ui.kiosk_support import kiosk_of, shown, text_of
from watchtui.ui.screens import kiosk
from watchtui.ui.screens.kiosk import KioskScreen
from watchtui.ui.widgets.kiosk_board import build_tiles
from watchtui.ui.widgets.kiosk_tile import KioskTiles
from watchtui.ui.widgets.notification_line import NotificationLine

# --- read-only, cycling, recovering -------------------------------------------------------


async def test_kiosk_is_read_only_and_cycles(board: Board) -> None:
    app = make_app(board, kiosk=True, kiosk_cycle_seconds=0.05)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = kiosk_of(app)
        # Worst first; the maintenance under way at Demo Edge is on the board too.
        assert [v.incident.impact for v in screen.incidents] == [
            "critical",
            "major",
            "major",
            "minor",
            "maintenance",
        ]
        assert app.check_action("sources", ()) is False
        await pilot.press("s", "w")
        assert isinstance(app.screen, KioskScreen)
        assert engine_of(app).config.watchlist.empty
        seen = {screen.index}
        titles = set()
        for _ in range(50):
            await pilot.pause(0.02)
            seen.add(screen.index)
            titles.add(screen.query_one("#kiosk-detail").border_title)
        assert seen == {0, 1, 2, 3, 4}
        assert {f"Incident {n} of 5" for n in range(1, 6)} <= titles


async def test_the_detail_says_when_an_incident_has_no_update_yet(board: Board) -> None:
    app = make_app(board, kiosk=True, kiosk_cycle_seconds=3600.0)
    async with app.run_test(size=(120, 40)) as pilot:
        await shown(pilot)
        screen = kiosk_of(app)
        assert "Latest, 11:55 UTC: We continue to work on recovery of EC2" in text_of(app)
        screen.next_incident()  # what the cycle timer does: Demo Git's silent incident
        await pilot.pause()
        text = text_of(app)
        assert "Incident 2 of 5" in text
        assert "✖ MAJOR  Investigating elevated error rates" in text
        assert "No updates published yet" in text
        assert "Latest," not in text


@pytest.mark.parametrize(
    "key", ["q", "h", "s", "n", "escape", "enter", "r", "p", "question_mark", "ctrl+c"]
)
async def test_no_key_does_anything_but_ctrl_q(board: Board, key: str) -> None:
    aws = board.path_of(AWS)
    app = make_app(board, kiosk=True, kiosk_cycle_seconds=3600.0)
    async with app.run_test(size=(120, 40)) as pilot:
        await shown(pilot)
        before = text_of(app)
        requests = board.server.request_count(aws)
        await pilot.press(key)
        await settle(pilot)
        assert app.is_running and len(app.screen_stack) == 1
        assert isinstance(app.screen, KioskScreen)
        assert not app.paused and board.server.request_count(aws) == requests
        assert text_of(app) == before
        # The screen adds no key to those every Textual screen has (which the app refuses).
        assert KioskScreen.BINDINGS == []
        ours = KioskScreen._merge_bindings().key_to_bindings
        assert ours.keys() == Screen._merge_bindings().key_to_bindings.keys()
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert not app.is_running
    assert app.return_code == 0


async def test_an_unchanged_board_sends_nothing_to_the_terminal(board: Board) -> None:
    """A wall on a thin link: a poll that changes nothing redraws nothing."""
    app = make_app(board, kiosk=True, kiosk_cycle_seconds=3600.0)
    async with app.run_test(size=(200, 50)) as pilot:
        await shown(pilot)
        await pilot.pause(0.3)
        # What the app hands its driver to write (a headless driver writes nothing itself).
        frames: list[object] = []
        display = app._display

        def spy(screen: Screen[object], renderable: object) -> None:
            if renderable is not None:
                frames.append(renderable)
            display(screen, renderable)  # type: ignore[arg-type]

        app._display = spy  # type: ignore[method-assign]
        for _ in range(3):
            await poll_after(pilot, board)  # the poll timer fires; nothing is due
            await pilot.pause(0.2)
        assert frames == []
        # And a change is drawn: the cycle moves on.
        kiosk_of(app).next_incident()
        await pilot.pause(0.2)
        assert frames


async def test_the_kiosk_draws_no_notification_line(board: Board) -> None:
    app = make_app(board, kiosk=True, kiosk_cycle_seconds=3600.0)
    async with app.run_test(size=(120, 40)) as pilot:
        await shown(pilot)
        app.say("Refreshing", "a message the wall must not show")
        await pilot.pause()
        assert "a message the wall must not show" in [n.message for n in said(app)]
        assert not app.screen.query(NotificationLine)
        assert "a message the wall must not show" not in text_of(app)


async def test_a_drawing_error_shows_one_line_and_the_next_cycle_retries(
    board: Board, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(board, kiosk=True, kiosk_cycle_seconds=3600.0)
    async with app.run_test(size=(120, 40)) as pilot:
        await shown(pilot)
        screen = kiosk_of(app)

        # A bug in drawing, injected where the screen builds its tiles.
        def broken(*args: object, **kwargs: object) -> object:
            raise RuntimeError("a drawing bug")

        monkeypatch.setattr(kiosk, "build_tiles", broken)
        screen.next_incident()
        await pilot.pause()
        error = [line for line in screen_lines(app) if "display error" in line]
        assert len(error) == 1 and "display error (RuntimeError); retrying" in error[0]
        monkeypatch.setattr(kiosk, "build_tiles", build_tiles)
        screen.next_incident()  # the next cycle
        await pilot.pause()
        assert not any("display error" in line for line in screen_lines(app))
        assert "Incident 3 of 5" in text_of(app)


async def test_kiosk_recovers_from_errors(board: Board) -> None:
    app = make_app(board, kiosk=True)
    with contextlib.ExitStack() as damage:
        damage.enter_context(board.table_missing("components"))
        async with app.run_test(size=(120, 40)) as pilot:
            for _ in range(20):
                await pilot.pause(0.01)
            await workers_done(app)
            assert app.latest is None
            assert any("no such table" in n.message for n in said(app))
            damage.close()  # repaired
            app.load_overview()  # the next cycle
            await settle(pilot)
            assert app.latest is not None
            assert kiosk_of(app).incidents


# --- the user's signals first ---------------------------------------------------------------


async def test_kiosk_shows_disagreements_first(board: Board) -> None:
    app = make_app(board, kiosk=True, kiosk_cycle_seconds=3600.0)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        text = text_of(app)
        first = text.index("≠ Your probe api-eu")
        assert first < text.index("≠ Demo AWS reports an outage")
        assert text.index("? possible common cause") < text.index("━ US West ━")
        assert text.index("━ US West ━") < text.index("Incident 1 of 5")
        assert first < text.index("Increased error rates in US-WEST-2")


async def test_disagreements_never_push_the_tiles_off_a_small_screen(board: Board) -> None:
    app = make_app(board, kiosk=True, kiosk_cycle_seconds=3600.0)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        lines = screen_lines(app)
        # Both disagreements, whole; the hint is counted.
        assert lines[2].startswith(" ≠ Your probe api-eu (FRA) failing for 5 min")
        assert lines[3].strip() == "Germany operational"
        assert lines[4].startswith(" ≠ Demo AWS reports an outage in Oregon")
        assert lines[5].strip() == "+1 more"
        assert "US West" in lines[6]


async def test_kiosk_without_incidents_does_not_say_all_clear_with_a_probe_down(
    board: Board,
) -> None:
    app = make_app(board, kiosk=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        # Every provider's trouble (and Edge's maintenance) ends; api-eu keeps failing.
        for source_id, body in pages.all_clear().items():
            board.serve(source_id, body)
        await poll_after(pilot, board, minutes=3)
        assert app.latest is not None and app.latest.open_incidents == ()
        text = text_of(app)
        assert "All clear" not in text
        assert "No open incidents from the providers" in text
        names = [t.tile.name for t in kiosk_of(app).query_one(KioskTiles).tiles if t.tile]
        assert names[0] == "Central Europe" and "■ probe api-eu DOWN FRA" in text
        assert {"Demo Blog", "Demo Azure"} <= set(names)
