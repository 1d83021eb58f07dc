"""The incident drill-down: facts, timeline, link handling, and returning to the main screen."""

from __future__ import annotations

from typing import Any

import pytest

from tests.ui.fake_engine import NOW, FakeEngine
from tests.ui.run_fake import make_app, settle
from watchtui.ui.app import WatchApp
from watchtui.ui.screens.incident import IncidentScreen, facts_text, is_web_url
from watchtui.ui.screens.main import MainScreen

AWS = ("demo-aws", "arn:aws:health:us-west-2::event/EC2/1")


def with_url(engine: FakeEngine, incident_id: str, url: str | None) -> None:
    engine.all_incidents = [
        v
        if v.incident.id != incident_id
        else type(v)(
            source_id=v.source_id,
            provider=v.provider,
            incident=v.incident.model_copy(update={"url": url}),
            regions=v.regions,
        )
        for v in engine.all_incidents
    ]


async def open_incident(app: WatchApp, pilot: Any, source_id: str, incident_id: str) -> None:
    await settle(pilot, app)
    app.open_incident(source_id, incident_id)
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


def screen_text(app: WatchApp) -> str:
    return app.export_screenshot().replace("&#160;", " ")


async def test_shows_facts_and_whole_timeline() -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_incident(app, pilot, *AWS)
        screen = app.screen
        assert isinstance(screen, IncidentScreen)
        text = screen_text(app)
        assert "Increased error rates in US-WEST-2" in text
        assert "Demo AWS" in text and "CRITICAL" in text
        assert "2026-07-29 11:10Z" in text  # started
        assert "50m so far" in text
        assert "Amazon EC2, AWS Lambda" in text
        assert "us-west-2" in text and "US West" in text  # region with its geography name
        assert "https://status.example.com/incidents/" in text
        updates = screen.query(".update")
        assert len(updates) == 3
        assert "We continue to work on recovery" in text
        assert "We are investigating increased error rates." in text


def test_facts_of_a_resolved_incident() -> None:
    view = next(v for v in FakeEngine().all_incidents if v.incident.id == "git-0")
    text = facts_text(view, NOW, ascii_only=True, local=False).plain
    assert "Resolved  2026-07-28 07:00Z" in text
    assert "Duration  1h 00m" in text and "so far" not in text
    assert all(ord(c) < 128 for c in text)


async def test_hostile_title_is_literal() -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_incident(app, pilot, "demo-gcp", "gcp-1")
        assert "Compute Engine unavailable in us-west1 [bold]literally[/bold]" in screen_text(app)


async def test_escape_returns_to_the_kept_main_screen() -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        main = app.screen
        await pilot.press("j", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, IncidentScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is main and isinstance(main, MainScreen)


async def test_o_opens_http_links_in_a_browser(monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[str] = []
    monkeypatch.setattr("webbrowser.open", opened.append)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_incident(app, pilot, *AWS)
        await pilot.press("o")
        await app.workers.wait_for_complete()
        assert opened == [f"https://status.example.com/incidents/{AWS[1]}"]


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "file:///etc/passwd", "ftp://example.com/x", "https://"]
)
async def test_o_refuses_non_http_links(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    opened: list[str] = []
    monkeypatch.setattr("webbrowser.open", opened.append)
    engine = FakeEngine()
    with_url(engine, "git-1", url)
    app = make_app(engine)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_incident(app, pilot, "demo-git", "git-1")
        await pilot.press("o")
        await app.workers.wait_for_complete()
        await pilot.press("y")
        assert opened == []
        assert app.clipboard == ""
        assert any("not http" in n.message for n in app._notifications)


async def test_y_copies_the_link() -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_incident(app, pilot, *AWS)
        await pilot.press("y")
        assert app.clipboard == f"https://status.example.com/incidents/{AWS[1]}"


async def test_missing_incident_says_so() -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_incident(app, pilot, "demo-aws", "gone")
        assert "no longer in the store" in screen_text(app)


def test_is_web_url() -> None:
    assert is_web_url("https://example.com/a")
    assert is_web_url("http://example.com")
    assert not is_web_url("javascript:alert(1)")
    assert not is_web_url("https://")
    assert not is_web_url(None)
