"""The board left open on a wall: the stream follows the newest until the user moves, then holds
still and counts what arrived above; the severity scale reads from the rendered segments in
every palette, the cursor row included."""

from __future__ import annotations

from rich.color import Color, ColorSystem
from rich.segment import Segment
from rich.style import Style

from tests.support import board_story as story
from tests.support.board import Board
from tests.support.board_story import GCP
from tests.support.pilot import make_app, poll_after, settle, table
from watchtui.ui.app import WatchApp
from watchtui.ui.screens.main import MainScreen
from watchtui.ui.widgets.stream import StreamPane


def stream_title(app: WatchApp) -> str:
    return str(app.screen.query_one(StreamPane).border_title)


async def test_the_stream_follows_the_newest_then_holds_still_when_the_user_moves(
    board: Board,
) -> None:
    app = make_app(board)
    # Short enough that the stream scrolls (a list that fits can only push its rows down).
    async with app.run_test(size=(120, 24)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        stream = table(app, "stream")
        assert stream.following and stream.cursor_row == 0
        assert stream.row_count > stream.size.height
        # The reader moves down: the view holds.
        await pilot.press("j", "j", "j")
        assert not stream.following
        reading = stream.cursor_key
        on_screen = stream.cursor_row - int(stream.scroll_y)
        # News arrives above while nobody touches a key.
        board.serve(GCP, story.gcp_with_new_incident())
        await poll_after(pilot, board, minutes=2)
        assert stream.cursor_key == reading
        assert stream.cursor_row - int(stream.scroll_y) == on_screen
        assert stream.rows_above >= 1
        assert f"↑ {stream.rows_above} newer" in stream_title(app)
        # g goes back to the top and follows again.
        await pilot.press("g")
        await pilot.pause()
        assert stream.following and stream.cursor_row == 0 and stream.scroll_y == 0
        assert "↑" not in stream_title(app)


async def test_while_following_the_newest_update_stays_on_top(board: Board) -> None:
    app = make_app(board)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        stream = table(app, "stream")
        before = stream.row_count
        board.serve(GCP, story.gcp_with_new_incident())
        await poll_after(pilot, board, minutes=2)
        assert stream.row_count > before
        assert stream.cursor_row == 0 and stream.scroll_y == 0
        # The top update row (below the pinned signals) is the new incident's.
        texts = [stream.get_row_at(i)[4].plain for i in range(stream.row_count)]
        first_update = next(i for i, row in enumerate(texts) if story.GCP_NEW_TITLE in row)
        assert all(stream.get_row_at(i)[0].plain.strip() in ("≠", "?") for i in range(first_update))


def segments_of(app: WatchApp, word: str) -> list[Segment]:
    """The rendered segments, as the compositor hands them out, whose text holds ``word``."""
    found = []
    for strip in app.screen._compositor.render_strips():
        for segment in strip:
            if word in segment.text:
                found.append(segment)
    return found


def sixteen(colour: Color) -> int | None:
    """The colour a 16-colour terminal gets for ``colour``."""
    return colour.downgrade(ColorSystem.STANDARD).number


def style_of(segment: Segment) -> Style:
    assert segment.style is not None
    return segment.style


async def test_without_colour_the_worst_level_is_bold_and_reversed_never_faint(
    board: Board,
) -> None:
    app = make_app(board, environ={"NO_COLOR": "1"})
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        critical = segments_of(app, "CRITICAL")
        assert critical
        for segment in critical:
            style = style_of(segment)
            assert style.bold and style.reverse and not style.dim
        minor = segments_of(app, "minor")
        assert minor and all(not style_of(s).dim for s in minor)


async def test_sixteen_colours_draw_the_scale_with_the_terminals_own_colours(
    board: Board,
) -> None:
    app = make_app(board, environ={"TERM": "linux"})
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.ascii_only  # the Linux console's fonts lack the symbols
        header = app.screen.query_one("#headline").render()
        assert str(header).lstrip().startswith("# CRITICAL")
        critical = [s for s in segments_of(app, "CRITICAL") if "#" in s.text]
        assert critical
        for segment in critical:
            style = style_of(segment)
            # What a 16-colour terminal is sent: red, exactly (the scale uses only the named
            # colours, so nothing is matched to a neighbour: orange never becomes magenta).
            assert style.bgcolor is not None and sixteen(style.bgcolor) in (1, 9)
            assert style.bold
        major = segments_of(app, "MAJOR")
        assert major
        for segment in major:
            colour = style_of(segment).color
            assert colour is not None and sixteen(colour) in (1, 9)


async def test_the_cursor_row_keeps_its_severity_visible(board: Board) -> None:
    app = make_app(board)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("2")  # the Services pane: its first row is the worst provider
        await pilot.pause()
        services = table(app, "services")
        cursor_cell = services.get_row_at(services.cursor_row)[1]
        assert "CRITICAL" in cursor_cell.plain
        level_colours = Style.parse(str(cursor_cell.style))
        # The cursor's line as the table draws it (its heading is line 0).
        line = services.render_line(services.cursor_row - int(services.scroll_y) + 1)
        drawn = [s for s in line if "CRITICAL" in s.text]
        assert drawn
        for segment in drawn:
            # The level's own colours, not the cursor's.
            assert style_of(segment).bgcolor == level_colours.bgcolor
            assert style_of(segment).color == level_colours.color
