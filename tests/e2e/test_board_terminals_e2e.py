"""The board as it reads in real terminals: the installed ``watchtui demo`` in tmux at a wall's
200x50, on the Linux console (``TERM=linux``: 16 colours, ASCII) and without colour
(``NO_COLOR``), read back off the screen with its attributes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.e2e.conftest import WATCHTUI
from tests.e2e.tmux import TmuxSession

HEADLINE = re.compile(r"(CRITICAL|MAJOR)\b")


def run(env: dict[str, str], size: tuple[int, int], tmp_path: Path) -> TmuxSession:
    # tmux sets its own TERM inside the pane; the terminal being imitated is named explicitly.
    term = ["env", f"TERM={env['TERM']}"] if "TERM" in env else []
    command = [*term, str(WATCHTUI), "demo", "--step", "2"]
    return TmuxSession(command, size=size, env=env, workdir=tmp_path)


def first_line(session: TmuxSession, *, styled: bool = False) -> str:
    args = ("capture-pane", "-p", "-e", "-t", session.target) if styled else None
    text = session._tmux(*args) if args else session.screen()
    return text.splitlines()[0] if text else ""


def sgr_codes(styled: str) -> tuple[set[int], set[str]]:
    """The attributes (1 bold, 2 faint, 7 reverse, 41 red background, …) switched on in a
    captured line, and the kinds of extended colour it uses ("38;5", "48;2", …)."""
    attributes: set[int] = set()
    extended: set[str] = set()
    for params in re.findall(r"\x1b\[([0-9;]*)m", styled):
        parts = [int(p) for p in params.split(";") if p]
        index = 0
        while index < len(parts):
            code = parts[index]
            if code in (38, 48) and index + 1 < len(parts):
                extended.add(f"{code};{parts[index + 1]}")
                index += 3 if parts[index + 1] == 5 else 5
                continue
            attributes.add(code)
            index += 1
    return attributes, extended


def wait_for_trouble(session: TmuxSession) -> str:
    """The story's outage reaches the header: its worst level leads the first line."""
    _, screen = session.wait_for(
        lambda s: s if HEADLINE.search(s.splitlines()[0] if s else "") else None,
        "the outage in the header",
        90,
    )
    return screen


def test_a_wall_at_200x50_shows_every_pane(demo_env: dict[str, str], tmp_path: Path) -> None:
    session = run(demo_env, (200, 50), tmp_path)
    try:
        screen = wait_for_trouble(session)
        assert all(pane in screen for pane in ("1 Regions", "2 Services", "3 Stream"))
        assert HEADLINE.search(screen.splitlines()[0])
        # Names keep their room: the stream's incident column is the wide one.
        assert "Incident / latest update" in screen
        session.keys("q")
        assert session.exit_status() == 0, session.last_screen
    finally:
        session.close()


def test_the_linux_console_gets_ascii_and_its_own_colours(
    demo_env: dict[str, str], tmp_path: Path
) -> None:
    env = dict(demo_env, TERM="linux")
    session = run(env, (80, 24), tmp_path)
    try:
        screen = wait_for_trouble(session)
        assert screen.isascii(), [c for c in screen if not c.isascii()][:10]
        head = first_line(session)
        assert head.lstrip().startswith(("# CRITICAL", "X MAJOR"))
        attributes, extended = sgr_codes(first_line(session, styled=True))
        # The bar in the 16 ANSI colours: a red background (41), never 256-colour or RGB codes.
        assert 41 in attributes and not extended
        session.keys("q")
        assert session.exit_status() == 0, session.last_screen
    finally:
        session.close()


@pytest.mark.parametrize("size", [(120, 40)])
def test_without_colour_the_worst_level_is_reversed(
    demo_env: dict[str, str], tmp_path: Path, size: tuple[int, int]
) -> None:
    env = dict(demo_env, NO_COLOR="1")
    session = run(env, size, tmp_path)
    try:
        wait_for_trouble(session)
        attributes, _ = sgr_codes(first_line(session, styled=True))
        assert {1, 7} <= attributes  # bold and reverse
        assert 2 not in attributes  # never faint
        session.keys("q")
        assert session.exit_status() == 0, session.last_screen
    finally:
        session.close()
