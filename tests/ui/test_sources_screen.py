"""SourcesScreen: rows by key, refresh, enable/disable, adding from the catalogue, live updates."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from textual.widgets import OptionList, Static

from tests.ui.fake_engine import NOW, FakeEngine
from tests.ui.run_screens import ScreenHost, settle
from watchtui.domain.events import ChangeEvent
from watchtui.ui.screens.catalog_picker import CatalogPicker
from watchtui.ui.screens.incident_list import FittedTable
from watchtui.ui.screens.sources import SourcesScreen, every, source_cells


def _host(engine: FakeEngine, *, ascii_only: bool = False) -> ScreenHost:
    return ScreenHost(lambda: SourcesScreen(engine, clock=lambda: NOW, ascii_only=ascii_only))


def _table(app: ScreenHost) -> FittedTable:
    return app.screen.query_one(FittedTable)


def _cell(app: ScreenHost, key: str, column: str) -> str:
    return _table(app).get_cell(key, column).plain


def _detail(app: ScreenHost) -> str:
    return str(app.screen.query_one("#detail", Static).render())


async def test_rows_show_statistics() -> None:
    app = _host(FakeEngine())
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert _table(app).row_keys() == [
            "demo-aws",
            "demo-gcp",
            "demo-git",
            "demo-edge",
            "demo-blog",
        ]
        assert _cell(app, "demo-gcp", "last_ok") == "1m"
        assert _cell(app, "demo-gcp", "latency") == "340ms"
        assert _cell(app, "demo-gcp", "share") == "97%"
        assert _cell(app, "demo-gcp", "every") == "2m"
        assert _cell(app, "demo-edge", "health") == "◌ STALE"
        assert _cell(app, "demo-blog", "health") == "✖ FAILING"
        assert _cell(app, "demo-blog", "latency") == "—"
        assert _cell(app, "demo-blog", "error") == "HTTP 503"
        heading = str(app.screen.query_one("#heading").render())
        assert "5 sources" in heading and "FAILING 1" in heading and "STALE 1" in heading


async def test_narrow_screen_drops_kind_and_url_and_the_detail_line_has_them() -> None:
    engine = FakeEngine()
    long_error = "TLS handshake failed: " + "certificate verify failed " * 4 + "END"
    blog = dataclasses.replace(engine.overview_value.sources[4], last_error=long_error)
    engine.overview_value = dataclasses.replace(
        engine.overview_value, sources=(*engine.overview_value.sources[:4], blog)
    )
    app = _host(engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        columns = _table(app).visible_columns
        assert "url" not in columns and "kind" not in columns
        assert _table(app).get_cell("demo-blog", "error").plain == long_error
        await pilot.press("down", "down", "down", "down")
        await pilot.pause()
        detail = " ".join(_detail(app).split())
        assert "http://127.0.0.1/blog" in detail
        assert "certificate verify failed certificate verify failed" in detail
        assert detail.endswith("END")
        await pilot.resize_terminal(160, 40)
        await pilot.pause()
        assert "url" in _table(app).visible_columns


async def test_disable_and_enable_the_selected_source() -> None:
    engine = FakeEngine()
    app = _host(engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("down", "down", "down", "down")
        await pilot.press("x")
        await settle(pilot)
        assert engine.disabled == {"demo-blog"}
        assert _cell(app, "demo-blog", "health") == "- off"
        assert _table(app).cursor_key == "demo-blog"
        await pilot.press("space")
        await settle(pilot)
        assert engine.disabled == set()
        assert _cell(app, "demo-blog", "health") == "✖ FAILING"


async def test_refresh_polls_the_selected_source() -> None:
    engine = FakeEngine()
    app = _host(engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("down", "r")
        await settle(pilot)
        assert engine.poll_calls == [(True, "demo-gcp")]


async def test_refresh_of_a_disabled_source_does_not_poll() -> None:
    engine = FakeEngine()
    engine.disabled.add("demo-aws")
    app = _host(engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        assert engine.poll_calls == []


async def test_add_from_catalogue_by_fuzzy_search() -> None:
    engine = FakeEngine()
    app = _host(engine)
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
        assert engine.added == ["github"]
        assert isinstance(app.screen, SourcesScreen)
        assert "github" in _table(app).row_keys()


async def test_link_only_entries_are_dimmed_and_not_addable() -> None:
    engine = FakeEngine()
    app = _host(engine)
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
        assert engine.added == []
        assert isinstance(app.screen, CatalogPicker)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, SourcesScreen)


async def test_live_reload_updates_cells_in_place() -> None:
    engine = FakeEngine()
    app = _host(engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("down", "down")
        assert _table(app).cursor_key == "demo-git"
        sources = list(engine.overview_value.sources)
        sources[0] = dataclasses.replace(sources[0], latency_ms=999.0)
        # A new source sorts first: rows move, the cursor stays on its source.
        sources.insert(0, dataclasses.replace(sources[1], id="demo-new", name="Demo New"))
        engine.overview_value = dataclasses.replace(engine.overview_value, sources=tuple(sources))
        screen = app.screen
        assert isinstance(screen, SourcesScreen)
        screen._load()
        await settle(pilot)
        assert _cell(app, "demo-aws", "latency") == "999ms"
        assert _table(app).row_keys()[0] == "demo-new"
        assert _table(app).cursor_key == "demo-git"


async def test_worker_failure_is_shown_not_fatal() -> None:
    class Broken(FakeEngine):
        async def poll(
            self, *, force: bool = False, source_id: str | None = None
        ) -> list[ChangeEvent]:
            raise ConnectionError("network unreachable")

    app = _host(Broken())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SourcesScreen)
        assert screen.failure is not None and "network unreachable" in screen.failure
        assert app.is_running


def test_cells_ascii_and_hostile_error() -> None:
    engine = FakeEngine()
    blog = dataclasses.replace(
        engine.overview_value.sources[4],
        last_error="[b]boom[/b]\nsecond line",
        last_success_at=NOW - timedelta(days=3),
    )
    cells = source_cells(blog, NOW, ascii_only=True)
    assert cells["health"].plain == "x FAILING"
    assert cells["latency"].plain == "-"
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
