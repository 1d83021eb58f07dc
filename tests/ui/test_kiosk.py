"""The kiosk (``watchtui --kiosk``): a read-only wall board sized to the screen, 80x24 to 4K,
and what its tiles say (its conduct: ``test_kiosk_conduct.py``).

Every app here runs the real engine: over the test board (``tests/support/board.py``: trouble in
US West, a probe down in Frankfurt, a failing and a stale source), or over a small world of
loopback Statuspage sources (``tests/support/world.py``) for a calm board, a blind one, and a
wall with more providers in trouble than fit.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.style import Style
from textual.widgets import Digits

from tests.support import screen as world_screen
from tests.support import statuspage_payloads as sp
from tests.support.board import Board
from tests.support.feedserver import Fault
from tests.support.pilot import make_app, screen_lines
from tests.support.world import Source, World, world
from tests.ui.kiosk_support import inside, kiosk_of, shown, text_of
from watchtui.ui.app import WatchApp
from watchtui.ui.widgets.kiosk_tile import KioskTiles
from watchtui.viewmodel import severity

SIZES = [(80, 24), (120, 40), (200, 50), (320, 90), (480, 135)]
# The board's tiles, worst first: US West, Central Europe (api-eu down in Frankfurt), Demo AWS,
# Demo Git, Demo GCP, Demo Azure (stale), Demo Blog (failing), Demo Edge (maintenance).
BOARD_TILES = 8

# --- sized to the screen -------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_tiles_fit_the_screen_and_the_rest_is_counted(
    board: Board, size: tuple[int, int]
) -> None:
    app = make_app(board, kiosk=True, kiosk_cycle_seconds=3600.0)
    async with app.run_test(size=size) as pilot:
        await shown(pilot)
        screen = kiosk_of(app)
        lines = screen_lines(app)
        assert len(lines) == size[1]
        assert lines[0].startswith(" ■ CRITICAL · US West")
        plan = screen.plan
        assert plan is not None
        grid = screen.query_one(KioskTiles)
        tiles = grid.tiles
        assert len(tiles) == plan.slots <= plan.columns * plan.rows
        # Nothing is drawn off the screen or outside the tile area.
        for tile in tiles:
            assert inside(tile.region, grid.region), tile.region
            assert tile.region.height == plan.tile_height
        assert inside(grid.region, screen.region)
        bottom = screen.query_one("#kiosk-bottom")
        if bottom.display:
            assert inside(bottom.region, screen.region)
            assert bottom.region.y >= grid.region.bottom
        # Every tile is on the wall, or counted in the last one.
        names = [t.tile.name for t in tiles if t.tile is not None]
        if plan.hidden:
            assert names[-1] == f"+{plan.hidden} more"
            assert len(names) - 1 + plan.hidden == BOARD_TILES
        else:
            assert len(names) == BOARD_TILES
        assert names[0] == "US West"


async def test_a_small_screen_folds_what_does_not_fit_into_one_more_tile(board: Board) -> None:
    app = make_app(board, kiosk=True, kiosk_cycle_seconds=3600.0)
    async with app.run_test(size=(80, 24)) as pilot:
        await shown(pilot)
        text = text_of(app)
        grid = kiosk_of(app).query_one(KioskTiles)
        names = [t.tile.name for t in grid.tiles if t.tile is not None]
        assert names == ["US West", "Central Europe", "Demo AWS", "+5 more"]
        assert "+5 more" in text
        # The folded tiles are named in it, worst first, as far as it has room.
        more = grid.tiles[-1].tile
        assert more is not None and more.level == "major"
        assert [line.plain for line in more.lines][:2] == ["✖ Demo Git 2 open", "✖ Demo GCP 1 open"]
        assert "✖ Demo Git 2 open" in text
        # Small tiles: the count in words, no large digits anywhere.
        assert "■ CRITICAL  2 open" in text
        assert not [d for d in app.screen.query(Digits) if d.display and d.region.area]


@pytest.mark.parametrize("size", [(120, 40), (200, 50), (480, 135)], ids=str)
async def test_tiles_with_room_show_their_count_in_large_digits(
    board: Board, size: tuple[int, int]
) -> None:
    app = make_app(board, kiosk=True, kiosk_cycle_seconds=3600.0)
    async with app.run_test(size=size) as pilot:
        await shown(pilot)
        counted = {}
        for tile in kiosk_of(app).query_one(KioskTiles).tiles:
            assert tile.tile is not None
            if tile.large:
                digits = tile.query_one(Digits)
                assert digits.display and digits.region.height == 3
                counted[tile.tile.name] = digits.value
        assert counted["US West"] == "2"
        assert counted["Central Europe"] == "1"  # one probe down, said so beside it
        assert counted["Demo Git"] == "2"
        text = text_of(app)
        assert "open incidents" in text and "probe down" in text
        # A blind source has no count to make large: what it says now is unknown.
        assert "Demo Blog" not in counted and "Demo Azure" not in counted


async def test_a_resized_screen_is_planned_again(board: Board) -> None:
    app = make_app(board, kiosk=True, kiosk_cycle_seconds=3600.0)
    async with app.run_test(size=(200, 50)) as pilot:
        await shown(pilot)
        screen = kiosk_of(app)
        assert screen.plan is not None and screen.plan.hidden == 0
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        await pilot.pause()
        assert screen.plan.hidden == 5
        assert "+5 more" in text_of(app)


# --- what the tiles say -----------------------------------------------------------------------


async def test_tiles_name_trouble_by_place_and_provider_worst_first(board: Board) -> None:
    app = make_app(board, kiosk=True, kiosk_cycle_seconds=3600.0)
    async with app.run_test(size=(200, 50)) as pilot:
        await shown(pilot)
        tiles = [t.tile for t in kiosk_of(app).query_one(KioskTiles).tiles]
        assert [(t.name, t.level) for t in tiles if t is not None] == [
            ("US West", "critical"),
            ("Central Europe", "critical"),
            ("Demo AWS", "critical"),
            ("Demo Git", "major"),
            ("Demo GCP", "major"),
            ("Demo Azure", "unknown"),
            ("Demo Blog", "unknown"),
            ("Demo Edge", "maintenance"),
        ]
        text = text_of(app)
        # Titles are remote text: shown as written, never read as markup.
        assert "Compute Engine unavailable in us-west1 [bold]literally[/bold]" in text
        assert "■ probe api-eu DOWN FRA" in text
        # A blind source says which, and since when.
        assert "✗ FAILING last read 3h ago" in text
        assert "◌ STALE last read 9m ago" in text
        # With room, each incident's latest update stands under its title.
        assert "no updates published yet" in text


def styles_of(app: WatchApp, fragment: str) -> list[Style]:
    """The styles the screen draws ``fragment`` in (every segment holding it)."""
    found = []
    for strip in app.screen._compositor.render_strips():
        for segment in strip:
            if fragment in segment.text and segment.style is not None:
                found.append(segment.style)
    return found


@pytest.mark.parametrize("size", [(80, 24), (200, 50)], ids=str)
async def test_only_the_level_mark_wears_the_level_colours(
    board: Board, size: tuple[int, int]
) -> None:
    critical = Style.parse(severity.style("critical", "color")).bgcolor
    assert critical is not None
    app = make_app(board, kiosk=True, kiosk_cycle_seconds=3600.0)
    async with app.run_test(size=size) as pilot:
        await shown(pilot)
        assert any(s.bgcolor == critical for s in styles_of(app, "CRITICAL"))
        # The title of the critical incident, in the tiles and the detail, is plain text.
        titled = styles_of(app, "Increased error rates in US-")
        assert len(titled) >= 2
        assert all(s.bgcolor != critical for s in titled)
        if size == (80, 24):
            counts = styles_of(app, "2 open")
            assert counts and all(s.bgcolor != critical for s in counts)


async def test_a_calm_board_says_so_large(tmp_path: Path) -> None:
    with _world(tmp_path, 2) as w:
        for source in w.sources:
            w.serve(source, sp.summary())
        await w.apoll()
        app = world_screen.make_app(w.engine, w.clock, kiosk=True, kiosk_cycle_seconds=3600.0)
        async with app.run_test(size=(120, 40)) as pilot:
            await world_screen.settle(pilot, app)
            await pilot.pause()
            text = text_of(app)
            assert "● OK" in text and "All clear" in text
            assert "✓ fresh all 2 sources" in text
            (tile,) = kiosk_of(app).query_one(KioskTiles).tiles
            assert tile.large and tile.query_one(Digits).value == "0"
            assert "open incidents" in text
            # Nothing to cycle through: no detail box under the calm panel.
            assert not kiosk_of(app).query_one("#kiosk-bottom").display
        # Without large digits (ASCII) the count is in the words.
        app = world_screen.make_app(
            w.engine, w.clock, kiosk=True, ascii_only=True, kiosk_cycle_seconds=3600.0
        )
        async with app.run_test(size=(80, 24)) as pilot:
            await world_screen.settle(pilot, app)
            await pilot.pause()
            assert "+ OK | 0 open | All clear" in text_of(app)


async def test_a_board_that_cannot_read_its_sources_says_which(tmp_path: Path) -> None:
    with _world(tmp_path, 3) as w:
        # Nothing is served: the app's first poll meets a 404 from every source.
        app = world_screen.make_app(w.engine, w.clock, kiosk=True, kiosk_cycle_seconds=3600.0)
        async with app.run_test(size=(120, 40)) as pilot:
            await world_screen.settle(pilot, app)
            await pilot.pause()
            text = text_of(app)
            assert "All clear" not in text and "● OK" not in text
            tiles = [t.tile for t in kiosk_of(app).query_one(KioskTiles).tiles]
            assert [(t.name, t.level) for t in tiles if t is not None] == [
                ("src-0", "unknown"),
                ("src-1", "unknown"),
                ("src-2", "unknown"),
            ]
            assert text.count("✗ FAILING never read") == 3


async def test_before_the_first_read_the_board_says_no_data_yet(tmp_path: Path) -> None:
    with _world(tmp_path, 3) as w:
        # The sources answer slowly: the first poll is under way while the board shows.
        body = sp.summary()
        for source in w.sources.values():
            w.server.fault(source.path, Fault.trickle(body, bytes_per_second=len(body) / 3))
        app = world_screen.make_app(w.engine, w.clock, kiosk=True, kiosk_cycle_seconds=3600.0)
        async with app.run_test(size=(120, 40)) as pilot:
            # The first overview predates the first poll: not one source known yet.
            for _ in range(300):
                if app.latest is not None and app._polling_started:
                    break
                await pilot.pause(0.01)
            await pilot.pause()
            assert app.latest is not None and not app.latest.sources
            text = text_of(app)
            assert "? UNKNOWN · No data yet" in text and "● OK ·" not in text.split("\n", 1)[1]
            # The poll has registered the sources; the next read (as the app's timers do)
            # knows them, none read yet.
            for _ in range(100):
                app.load_overview()
                await pilot.pause(0.02)
                if app.latest is not None and app.latest.sources:
                    break
            await pilot.pause()
            overview = app.latest
            assert overview is not None
            assert [s.health for s in overview.sources] == ["never"] * 3
            text = text_of(app)
            assert "? UNKNOWN · No data yet" in text
            assert "3 sources, not read yet:" in text and "src-0, src-1, src-2" in text
            assert "All clear" not in text
            await world_screen.settle(pilot, app)


# --- every terminal ---------------------------------------------------------------------------


async def test_ascii_kiosk_draws_nothing_but_ascii(board: Board) -> None:
    app = make_app(board, kiosk=True, ascii_only=True, kiosk_cycle_seconds=3600.0)
    async with app.run_test(size=(120, 40)) as pilot:
        await shown(pilot)
        text = text_of(app)
        assert text.isascii(), sorted({c for c in text if not c.isascii()})
        assert "# CRITICAL" in text and "+- US West" in text
        assert not [d for d in app.screen.query(Digits) if d.display and d.region.area]


@pytest.mark.parametrize("environ", [{"NO_COLOR": "1"}, {"TERM": "xterm-16color"}], ids=str)
async def test_every_palette_draws_the_tiles(board: Board, environ: dict[str, str]) -> None:
    app = make_app(board, kiosk=True, kiosk_cycle_seconds=3600.0, environ=environ)
    async with app.run_test(size=(120, 40)) as pilot:
        await shown(pilot)
        assert not any("display error" in line for line in screen_lines(app))
        tiles = kiosk_of(app).query_one(KioskTiles).tiles
        assert len(tiles) == BOARD_TILES
        worst = tiles[0]
        assert worst.styles.border_top[0] == "heavy"


# --- a wall with more providers in trouble than fit ---------------------------------------


@contextlib.contextmanager
def _world(tmp_path: Path, count: int) -> Iterator[World]:
    sources = [
        Source(f"src-{n}", "statuspage", f"/src-{n}/api/v2/summary.json") for n in range(count)
    ]
    with world(tmp_path, sp.T0, sources) as w:
        yield w


async def test_many_providers_in_trouble_fold_into_more_on_a_small_wall_only(
    tmp_path: Path,
) -> None:
    with _world(tmp_path, 14) as w:
        for n, source in enumerate(w.sources):
            w.serve(source, sp.summary(sp.incident(f"i{n}"), indicator="major"))
        await w.apoll()
        for size, hidden in (((80, 24), 9), ((120, 40), 0), ((480, 135), 0)):
            app = world_screen.make_app(w.engine, w.clock, kiosk=True, kiosk_cycle_seconds=3600.0)
            async with app.run_test(size=size) as pilot:
                await world_screen.settle(pilot, app)
                await pilot.pause()
                screen = kiosk_of(app)
                assert screen.plan is not None and screen.plan.hidden == hidden
                tiles = screen.query_one(KioskTiles).tiles
                assert all(inside(t.region, screen.region) for t in tiles)
                text = text_of(app)
                assert ("+9 more" in text) == bool(hidden)
                shown_names = {t.tile.name for t in tiles if t.tile is not None}
                assert len(shown_names) == (6 if hidden else 14)
                # Large digits only where the tiles have the room.
                large = [t for t in tiles if t.large]
                assert len(large) == (14 if size == (480, 135) else 0)
