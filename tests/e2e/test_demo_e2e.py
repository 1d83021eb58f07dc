"""End to end: the installed ``watchtui demo`` command in a real terminal (tmux), driven by
keystrokes and read off the screen, as a person would use it."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.e2e.tmux import TmuxSession, flatten
from watchtui.demo import STEPS, Scenario
from watchtui.sources import parse_payload

WATCHTUI = Path(sys.executable).parent / "watchtui"
STREAM_HEADING = "Incident / latest update"


def incident_texts(source_path: str, title: str) -> list[str]:
    """The update texts of one scenario incident, from the scenario's own history payload (the
    texts do not depend on the scenario's start)."""
    payload = Scenario(datetime(2026, 3, 10, 17, 0, tzinfo=UTC)).payloads(STEPS - 1)[source_path]
    snapshot = parse_payload("statuspage", payload.body)
    (incident,) = [i for i in snapshot.incidents if i.title == title]
    return [u.text for u in incident.updates]


@pytest.fixture
def demo(
    demo_env: dict[str, str], request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[TmuxSession]:
    size: tuple[int, int] = request.param
    session = TmuxSession(
        [str(WATCHTUI), "demo", "--step", "2"], size=size, env=demo_env, workdir=tmp_path
    )
    try:
        yield session
    finally:
        session.close()


def stream_row(screen: str, title: str) -> int | None:
    """Index of the first stream row showing ``title`` (0 = the first row under the heading).

    Only the incident column counts: a notification toast drawn over the right of the stream
    may show the same title."""
    lines = screen.splitlines()
    heading = next((i for i, line in enumerate(lines) if STREAM_HEADING in line), None)
    if heading is None:
        return None
    column = lines[heading].index(STREAM_HEADING)
    for index, line in enumerate(lines[heading + 1 :]):
        # Rows of resolved incidents are indented by one cell.
        if title in line[column : column + len(title) + 2]:
            return index
    return None


def open_from_stream(demo: TmuxSession, title: str) -> str:
    """Freeze the display, put the stream's cursor on ``title``'s row and open it."""
    demo.keys("p", "3", "g")
    row, _ = demo.wait_for(lambda s: stream_row(s, title), f"a stream row for {title!r}")
    demo.keys(*["Down"] * row, "Enter")
    return demo.wait_for_text("Updates (")


def timeline_shown(title: str, texts: list[str], count: int | None) -> Callable[[str], bool | None]:
    """The incident screen of ``title`` with its Updates heading and an update's opening words
    (bodies wrap, the oldest may be scrolled out of view, and a notification toast may cover
    part of the screen for a few seconds: hence waiting for it rather than asserting at once)."""
    heading = "Updates (" if count is None else f"Updates ({count}, newest first)"

    def found(screen: str) -> bool | None:
        shown = flatten(screen)
        ok = (
            title in shown
            and heading in shown
            and STREAM_HEADING not in shown
            and any(flatten(text)[:40] in shown for text in texts)
        )
        return True if ok else None

    return found


def assert_timeline(demo: TmuxSession, title: str, texts: list[str], count: int | None) -> str:
    _, screen = demo.wait_for(timeline_shown(title, texts, count), f"the timeline of {title!r}")
    return screen


def back_and_quit(demo: TmuxSession) -> None:
    demo.keys("Escape")
    demo.wait_for_text(STREAM_HEADING, timeout=10)
    demo.keys("q")
    assert demo.exit_status() == 0, demo.last_screen


@pytest.mark.parametrize("demo", [(120, 40)], indirect=True)
def test_demo_story_incident_drill_down_120x40(demo: TmuxSession) -> None:
    title = "Elevated errors and latency in Portland (PDX)"
    # The story's incidents arrive with the second poll round (sources poll every 15 s).
    demo.wait_for_text(title, timeout=60)
    open_from_stream(demo, title)
    texts = incident_texts("/demo-edge/api/v2/incidents.json", title)
    # The timeline holds the updates fetched so far (the story moves on while the test runs).
    screen = assert_timeline(demo, title, texts, None)
    assert "Demo Edge" in flatten(screen)
    back_and_quit(demo)


@pytest.mark.parametrize("demo", [(80, 24)], indirect=True)
def test_demo_past_incident_drill_down_80x24(demo: TmuxSession) -> None:
    title = "Delayed Pages builds"
    demo.wait_for_text(title, timeout=60)
    open_from_stream(demo, title)
    texts = incident_texts("/demo-git/api/v2/incidents.json", title)
    assert_timeline(demo, title, texts, len(texts))
    back_and_quit(demo)
