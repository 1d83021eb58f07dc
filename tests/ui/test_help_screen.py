"""The help screen (``?``) on the real app: generated from the bindings that work where it was
asked, grouped by where they work, with human names and the binding ids ``[keys]`` remaps."""

from __future__ import annotations

from textual.binding import Binding, BindingType

from tests.support.board import Board
from tests.support.pilot import make_app, screen_lines, settle
from watchtui.ui.app import WatchApp
from watchtui.ui.screens.help import HelpScreen
from watchtui.ui.screens.history import HistoryScreen
from watchtui.ui.screens.main import MainScreen

# Names only Python knows: none of them may reach the screen.
CLASS_NAMES = (
    "MainScreen",
    "WatchApp",
    "StreamPane",
    "RegionsPane",
    "ServicesPane",
    "KeyedTable",
    "FittedTable",
    "IncidentTable",
    "DataTable",
    "HistoryScreen",
)
# Textual's own bindings that watchtui does not document.
UNDOCUMENTED = ("Page Left", "Page Right", "Page up", "Cursor left", "Copy selected text", "Select")


async def open_help(app: WatchApp, *keys: str, seen: list[object] | None = None) -> list[str]:
    """Press ``keys`` on the board, then ``?``: the lines inside the help box, as shown."""
    async with app.run_test(size=(120, 60)) as pilot:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        # Help is about the screen it was asked on.
        assert app.screen.target is app.screen_stack[-2]
        if seen is not None:
            seen.append(app.screen.target)
        return help_lines(app)


def help_lines(app: WatchApp) -> list[str]:
    body = app.screen.query_one("#help-body").content_region
    shown = screen_lines(app)[body.y : body.bottom]
    return [line[body.x : body.right].rstrip() for line in shown]


def line_of(lines: list[str], description: str) -> str:
    found = [line for line in lines if f"  {description}  " in f"{line}  "]
    assert len(found) == 1, (description, found)
    return found[0]


def sections_of(lines: list[str]) -> dict[str, list[str]]:
    """The help's lines under each section title (the titles are the unindented lines with no
    binding id after them)."""
    titles = ("On ", "In ", "Everywhere")
    sections: dict[str, list[str]] = {}
    current: list[str] = []
    for line in lines[1:]:  # after the column headings
        if line.startswith(titles):
            current = sections.setdefault(line.strip(), [])
        elif line.strip():
            current.append(line)
    return sections


def bindings(declared: list[BindingType]) -> list[Binding]:
    return list(Binding.make_bindings(declared))


async def test_board_help_lists_every_board_and_app_binding_by_where_it_works(
    board: Board,
) -> None:
    app = make_app(board)
    lines = await open_help(app)
    text = "\n".join(lines)
    titles = [
        line.strip()
        for line in lines
        if line.strip() in {"On the board", "In the selected pane", "Everywhere"}
    ]
    assert titles == ["On the board", "In the selected pane", "Everywhere"]
    for name in (*CLASS_NAMES, *UNDOCUMENTED):
        assert name not in text
    # Every binding of the board and the app that works outside kiosk mode: its key as shown,
    # what it does and its id, on one line.  (ctrl+q is the kiosk's only key.)
    shown = [
        b
        for b in bindings([*MainScreen.BINDINGS, *WatchApp.BINDINGS])
        if b.description and b.action != "leave_kiosk"
    ]
    # ...and nothing else there (the sections' ids are exactly theirs).
    sections = sections_of(lines)
    listed = [line.split()[-1] for line in sections["On the board"] + sections["Everywhere"]]
    assert sorted(listed) == sorted(str(b.id) for b in shown)
    for binding in shown:
        line = line_of(lines, binding.tooltip or binding.description)
        assert line.lstrip().startswith(app.get_key_display(binding)), line
        assert binding.id is not None and line.endswith(binding.id), line
    # The stream is focused: its cursor keys are one line, then what enter does there.
    move = line_of(lines, "move; g/home: back to the top and follow")
    assert move.split("  ")[0].strip() == "j k ↑ ↓ g G home end"
    # Its ids one per line, in the same order.
    at = lines.index(move)
    ids = [line.split()[-1] for line in lines[at : at + 4]]
    assert ids == ["cursor_down", "cursor_up", "first_row", "last_row"]
    assert "Open the selected row" in text


async def test_ascii_mode_spells_the_arrows(board: Board) -> None:
    app = make_app(board, ascii_only=True)
    lines = await open_help(app)
    move = line_of(lines, "move; g/home: back to the top and follow")
    assert move.startswith("j k up down g G home end")
    assert all(line.isascii() for line in lines)


async def test_remapped_keys_are_shown_with_their_id(board: Board) -> None:
    app = make_app(board, keymap={"refresh": "f5", "first_row": "f6"})
    lines = await open_help(app)
    assert line_of(lines, "Refresh").split() == ["f5", "Refresh", "refresh"]
    # The move line follows the keymap too.
    move = line_of(lines, "move; f6: back to the top and follow")
    assert move.startswith("j k ↑ ↓ G end f6")


async def test_history_help_lists_what_works_on_history(board: Board) -> None:
    app = make_app(board)
    asked_on: list[object] = []
    lines = await open_help(app, "h", seen=asked_on)
    assert isinstance(asked_on[0], HistoryScreen)
    text = "\n".join(lines)
    titles = [line.strip() for line in lines if line.strip().startswith(("On ", "In ", "Every"))]
    assert titles == ["On the history screen", "In the list", "Everywhere"]
    assert "history.provider" in line_of(lines, "Next provider (all providers, then one at a time)")
    # History's p hides the app's: help lists only the key that works here.
    assert "Pause" not in text and "pause" not in text
    assert line_of(lines, "Open").split() == ["⏎", "Open", "incident_table.open"]
    # A list of past incidents holds still: g only goes back to the top.
    assert "move; g/home: back to the top" in text and "and follow" not in text
    assert line_of(lines, "History").split() == ["h", "History", "history"]
    for name in (*CLASS_NAMES, *UNDOCUMENTED):
        assert name not in text


async def test_keys_scroll_the_help_and_escape_or_question_mark_close_it(board: Board) -> None:
    app = make_app(board)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        body = app.screen.query_one("#help-body")
        assert body.max_scroll_y > 0  # 80x24 cannot show every key at once
        await pilot.press("j", "j")
        assert body.scroll_y == 2
        await pilot.press("k")
        assert body.scroll_y == 1
        await pilot.press("G")
        assert body.scroll_y == body.max_scroll_y
        await pilot.press("g")
        assert body.scroll_y == 0
        await pilot.press("pagedown")
        assert body.scroll_y > 2
        await pilot.press("down")
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
