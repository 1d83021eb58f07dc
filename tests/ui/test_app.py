"""The app shell: polling order, workers and their failures, notifications, keys, kiosk mode."""

from __future__ import annotations

from textual.command import CommandPalette

from tests.ui.fake_engine import NOW, FakeEngine
from tests.ui.run_fake import make_app, settle, workers_done
from watchtui.domain.events import ChangeEvent
from watchtui.engine.overview import Overview
from watchtui.ui.app import WatchApp, WatchCommands
from watchtui.ui.screens.help import HelpScreen
from watchtui.ui.screens.kiosk import KioskScreen
from watchtui.ui.screens.main import MainScreen


class LoggingEngine(FakeEngine):
    def __init__(self) -> None:
        super().__init__()
        self.calls: list[str] = []
        self.events: list[ChangeEvent] = []
        self.fail_polls = 0
        self.fail_overviews = 0

    def overview(self) -> Overview:
        self.calls.append("overview")
        if self.fail_overviews:
            self.fail_overviews -= 1
            raise OSError("database is locked")
        return super().overview()

    async def poll(self, *, force: bool = False, source_id: str | None = None) -> list[ChangeEvent]:
        self.calls.append("poll(force)" if force else "poll")
        await super().poll(force=force, source_id=source_id)
        if self.fail_polls:
            self.fail_polls -= 1
            raise ConnectionError("network unreachable")
        events, self.events = self.events, []
        return events


def messages(app: WatchApp) -> list[str]:
    return [n.message for n in app._notifications]


async def test_cached_overview_is_painted_before_the_first_poll() -> None:
    engine = LoggingEngine()
    app = make_app(engine)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        assert engine.calls[:3] == ["overview", "poll", "overview"]
        assert app.screen.query_one("#stream").row_count == 8  # type: ignore[attr-defined]


async def test_refresh_forces_a_poll_and_keymap_remaps_it() -> None:
    engine = LoggingEngine()
    app = make_app(engine, keymap={"refresh": "f5"})
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("r")  # remapped away
        await pilot.press("f5")
        await workers_done(app)
        assert engine.calls.count("poll(force)") == 1


async def test_external_change_reloads() -> None:
    engine = LoggingEngine()
    app = make_app(engine, external_check_seconds=0.05)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        before = engine.calls.count("overview")
        engine.changed_externally = True
        for _ in range(50):
            await pilot.pause(0.02)
            if engine.calls.count("overview") > before:
                break
        assert engine.calls.count("overview") == before + 1


async def test_worker_failures_are_shown_once_and_the_app_carries_on() -> None:
    engine = LoggingEngine()
    engine.fail_polls = 2
    app = make_app(engine)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await workers_done(app)
        await pilot.pause()
        assert messages(app).count("poll sources failed: network unreachable") == 1
        app.poll_now()
        await workers_done(app)
        await pilot.pause()
        assert messages(app).count("poll sources failed: network unreachable") == 1
        app.poll_now()  # the third poll works
        await workers_done(app)
        await pilot.pause()
        await workers_done(app)
        assert engine.calls[-1] == "overview"
        assert isinstance(app.screen, MainScreen)


async def test_overview_failure_keeps_the_last_good_state() -> None:
    engine = LoggingEngine()
    app = make_app(engine)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        engine.fail_overviews = 1
        app.load_overview()
        await workers_done(app)
        await pilot.pause()
        assert any("database is locked" in m for m in messages(app))
        assert app.screen.query_one("#stream").row_count == 8  # type: ignore[attr-defined]


async def test_events_raise_plain_notifications() -> None:
    engine = LoggingEngine()
    engine.events = [
        ChangeEvent(
            kind="incident_opened",
            source_id="demo-gcp",
            at=NOW,
            incident_id="gcp-1",
            title="Compute Engine unavailable in us-west1 [bold]literally[/bold]",
            impact="major",
        )
    ]
    bells: list[int] = []
    app = make_app(engine, notify_bell=True)
    app.bell = lambda: bells.append(1)  # type: ignore[method-assign]
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        note = next(n for n in app._notifications if n.title == "New incident · Demo GCP")
        assert note.message.endswith("[bold]literally[/bold]")
        assert note.markup is False
        assert bells == [1]


async def test_notifications_respect_the_watchlist() -> None:
    engine = LoggingEngine()
    engine.watched.add(("provider", "demo-aws"))
    engine.events = [
        ChangeEvent(
            kind="incident_opened",
            source_id="demo-gcp",
            at=NOW,
            incident_id="gcp-1",
            title="GCP down",
            impact="major",
        )
    ]
    app = make_app(engine)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        assert "GCP down" not in messages(app)


async def test_help_lists_bindings_from_the_bindings() -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = app.export_screenshot().replace("&#160;", " ")
        for expected in ("Filter", "Only watched", "Quit", "Pause", "Next pane", "Down"):
            assert expected in text
        assert "only_watched" in text  # binding ids, for the [keys] config
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


async def test_command_palette_offers_the_main_actions() -> None:
    engine = LoggingEngine()
    app = make_app(engine)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
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
        await pilot.press("enter")
        await pilot.pause()
        await workers_done(app)
        assert "poll(force)" in engine.calls


async def test_kiosk_is_read_only_and_cycles() -> None:
    app = make_app(kiosk=True, kiosk_cycle_seconds=0.05)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        screen = app.screen
        assert isinstance(screen, KioskScreen)
        assert [v.incident.impact for v in screen.incidents] == ["critical", "major", "minor"]
        assert app.check_action("sources", ()) is False
        await pilot.press("s", "w")
        assert isinstance(app.screen, KioskScreen)
        seen = {screen.index}
        for _ in range(30):
            await pilot.pause(0.02)
            seen.add(screen.index)
        assert seen == {0, 1, 2}
        text = app.export_screenshot().replace("&#160;", " ")
        assert "Incident" in text and " of 3" in text


async def test_kiosk_recovers_from_errors() -> None:
    engine = LoggingEngine()
    engine.fail_overviews = 1
    app = make_app(engine, kiosk=True)
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(20):
            await pilot.pause(0.01)
        await workers_done(app)
        assert app.latest is None
        app.load_overview()  # the next cycle
        await settle(pilot, app)
        assert app.latest is not None
        assert isinstance(app.screen, KioskScreen) and app.screen.incidents


async def test_idle_app_sends_nothing_to_the_terminal() -> None:
    app = make_app(external_check_seconds=0.1)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await pilot.pause(0.3)
        driver = app._driver
        assert driver is not None
        written: list[str] = []
        original = driver.write

        def spy(data: str) -> None:
            written.append(data)
            original(data)

        driver.write = spy  # type: ignore[method-assign]
        await pilot.pause(1.5)  # external-change checks keep running; the screen stays still
        assert written == []
