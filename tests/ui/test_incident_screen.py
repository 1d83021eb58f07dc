"""The incident drill-down: facts, timeline, link handling, and returning to the main screen."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from textual.pilot import Pilot

from tests.support import board_pages as pages
from tests.support import board_story as story
from tests.support.board import Board
from tests.support.board_payloads import sp_incident, sp_update
from tests.support.board_story import (
    AWS,
    AWS_INCIDENT,
    GCP,
    GCP_INCIDENT,
    GIT,
    GIT_ACTIONS,
    GIT_PAGE_URL,
    GIT_SILENT,
    GIT_WEBHOOKS,
    NOW,
    at,
)
from tests.support.pilot import make_app, said, screen_lines, screen_text, settle
from watchtui.engine.engine import Engine
from watchtui.ui.app import WatchApp
from watchtui.ui.screens.incident import IncidentScreen, facts_text, is_web_url
from watchtui.ui.screens.main import MainScreen

AWS_LINK = "https://health.aws.amazon.com/health/status"


async def open_incident(pilot: Pilot[Any], source_id: str, incident_id: str) -> None:
    app = pilot.app
    assert isinstance(app, WatchApp)
    await settle(pilot)
    app.open_incident(source_id, incident_id)
    await pilot.pause()
    await settle(pilot)


async def test_shows_facts_and_whole_timeline(board: Board) -> None:
    app = make_app(board)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_incident(pilot, AWS, AWS_INCIDENT)
        screen = app.screen
        assert isinstance(screen, IncidentScreen)
        text = "\n".join(screen_lines(app))
        assert "Increased error rates in US-WEST-2" in text
        assert "Demo AWS" in text and "CRITICAL" in text
        # The one date format, with the zone no column heading gives here.
        assert "Started   Jul 29 11:10 UTC  (50m ago)" in text
        assert "Duration  50m so far" in text
        assert "Amazon EC2, AWS Lambda" in text
        assert "us-west-2" in text and "US West" in text  # region with its geography name
        assert AWS_LINK in text
        updates = screen.query(".update")
        assert len(updates) == 3
        assert "Jul 29 11:55 UTC · update" in text
        assert "We continue to work on recovery" in text
        assert "We are investigating increased error rates." in text


def test_facts_of_a_resolved_incident(board: Board) -> None:
    view = board.engine().incident(GIT, GIT_WEBHOOKS)
    assert view is not None
    text = facts_text(view, NOW, ascii_only=True, local=False).plain
    assert "Resolved  Jul 28 07:00 UTC" in text
    assert "Duration  1h 00m" in text and "so far" not in text
    assert all(ord(c) < 128 for c in text)


async def test_hostile_title_is_literal(board: Board) -> None:
    app = make_app(board)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_incident(pilot, GCP, GCP_INCIDENT)
        assert story.HOSTILE_TITLE in screen_text(app)


async def test_escape_returns_to_the_kept_main_screen(board: Board) -> None:
    app = make_app(board)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        main = app.screen
        await pilot.press("j", "j", "j", "enter")  # past the pinned rows: the AWS incident
        await settle(pilot)
        assert isinstance(app.screen, IncidentScreen)
        assert app.screen.incident_id == AWS_INCIDENT
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is main and isinstance(main, MainScreen)


async def test_o_opens_http_links_in_a_browser(
    board: Board, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []
    monkeypatch.setattr("webbrowser.open", opened.append)
    app = make_app(board)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_incident(pilot, AWS, AWS_INCIDENT)
        await pilot.press("o")
        await settle(pilot)
        assert opened == [AWS_LINK]


PAGE_LINK = f"{GIT_PAGE_URL}/incidents/{GIT_ACTIONS}"


@pytest.mark.parametrize(
    ("shortlink", "kept"),
    [
        # The parser drops these; the page's own address for the incident takes their place.
        ("javascript:alert(1)", PAGE_LINK),
        ("file:///etc/passwd", PAGE_LINK),
        ("ftp://example.com/x", PAGE_LINK),
        # A scheme with no host is no link either.
        ("https://", PAGE_LINK),
    ],
)
async def test_o_never_opens_a_hostile_link(
    board: Board, monkeypatch: pytest.MonkeyPatch, shortlink: str, kept: str | None
) -> None:
    opened: list[str] = []
    monkeypatch.setattr("webbrowser.open", opened.append)
    # Demo Git publishes the Actions incident with a hostile shortlink; watchtui fetches it.
    board.serve(GIT, pages.git_current_summary(shortlink))
    board.serve(GIT, pages.git_current_history(shortlink), role="history")
    board.fetch(GIT)
    app = make_app(board)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_incident(pilot, GIT, GIT_ACTIONS)
        await pilot.press("o")
        await settle(pilot)
        await pilot.press("y")
        assert shortlink not in opened
        if kept is None:
            assert opened == [] and app.clipboard == ""
            assert any("not http" in n.message for n in said(app))
        else:
            assert opened == [kept] and app.clipboard == kept


async def test_y_copies_the_link(board: Board) -> None:
    app = make_app(board)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_incident(pilot, AWS, AWS_INCIDENT)
        await pilot.press("y")
        assert app.clipboard == AWS_LINK


async def test_missing_incident_says_so(board: Board) -> None:
    app = make_app(board)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_incident(pilot, AWS, "gone")
        assert "no longer in the store" in screen_text(app)


def test_is_web_url() -> None:
    assert is_web_url("https://example.com/a")
    assert is_web_url("http://example.com")
    assert not is_web_url("javascript:alert(1)")
    assert not is_web_url("https://")
    assert not is_web_url(None)


async def test_an_incident_without_updates_says_so(board: Board) -> None:
    app = make_app(board)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_incident(pilot, GIT, GIT_SILENT)
        screen = app.screen
        assert isinstance(screen, IncidentScreen)
        assert [str(u.render()) for u in screen.query(".update")] == ["No updates published yet."]
        assert "Updates (0, newest first)" in screen_text(app)


def test_a_fresh_incident_lasted_seconds_not_zero_minutes(board: Board) -> None:
    view = board.engine().incident(GIT, GIT_SILENT)
    assert view is not None
    seen_at = view.incident.started_at + timedelta(seconds=40)
    text = facts_text(view, seen_at, ascii_only=False, local=False).plain
    assert "Duration  40s so far" in text
    assert "(40s ago)" in text


async def test_an_impossible_time_is_explained_not_shown_as_fact(board: Board) -> None:
    # Demo Git's history lists an incident "resolved" an hour before it started; watchtui
    # fetches it, shows the start as the end, and says why.
    odd = sp_incident(
        "git-odd",
        "Backwards clock",
        status="resolved",
        impact="minor",
        created=at(29, 11),
        resolved=at(29, 10),
        updates=[sp_update("x1", at(29, 11), "resolved", "Fixed.")],
        page_url=GIT_PAGE_URL,
    )
    history = json.loads(pages.git_current_history())
    history["incidents"].append(odd)
    board.serve(GIT, json.dumps(history).encode(), role="history")
    board.fetch(GIT)
    app = make_app(board)
    async with app.run_test(size=(160, 40)) as pilot:
        await open_incident(pilot, GIT, "git-odd")
        text = "\n".join(screen_lines(app))
        assert "Resolved  Jul 29 11:00 UTC" in text
        assert "Duration  0s" in text
        note = next(line for line in text.splitlines() if "Times" in line)
        assert "resolved_at 2026-07-29T10:00:00Z was before started_at" in note


async def test_a_read_that_fails_is_said_instead_of_loading_for_ever(board: Board) -> None:
    app = make_app(board)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        engine = app.engine
        assert isinstance(engine, Engine)
        engine.store.close()  # every read now fails with the store's one-line error
        app.open_incident(AWS, AWS_INCIDENT)
        await pilot.pause()
        await settle(pilot)
        assert isinstance(app.screen, IncidentScreen)
        text = screen_text(app)
        assert "Could not read this incident" in text and "closed" in text
        assert "Loading..." not in text
