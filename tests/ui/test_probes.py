"""The user's own signals on the main screen: probes in the panes, disagreements and hints pinned
at the top of the stream, the headline, the kiosk, and the way to the probes screen.

The board's probes (real results in the store): api-eu, behind Demo Edge in Frankfurt, DOWN since
11:55 while Demo Edge reports FRA operational; api-us, behind Demo AWS in us-west-2, up for three
days while AWS reports a critical outage there; git-ssh (tcp, Demo Git's Git Operations) up;
dns-edge never run.  Demo AWS and Demo GCP both in trouble in us-west since 11:10: a hint.
"""

from __future__ import annotations

from tests.support import board_pages as pages
from tests.support.board import Board
from tests.support.board_story import GIT
from tests.support.pilot import (
    engine_of,
    headline,
    make_app,
    poll_after,
    rows,
    said,
    screen_lines,
    screen_text,
    settle,
    table,
    update_keys,
)
from watchtui.ui.commands import WatchCommands
from watchtui.ui.screens.incident_list import IncidentListScreen
from watchtui.ui.screens.main import MainScreen
from watchtui.ui.screens.probes import ProbesScreen
from watchtui.ui.widgets.fitted_table import FittedTable
from watchtui.ui.widgets.stream import DISAGREEMENT_PREFIX, HINT_PREFIX

EU = DISAGREEMENT_PREFIX + "api-eu\x1fprobe_down_provider_ok"
US = DISAGREEMENT_PREFIX + "api-us\x1fprovider_outage_probe_up"
GIT_SSH = DISAGREEMENT_PREFIX + "git-ssh\x1fprovider_outage_probe_up"
HINT = HINT_PREFIX + "us-west@2026-07-29T11:10:00+00:00"
UPDATES = 13


async def test_probes_sit_under_their_geography_and_a_down_probe_is_not_ok(board: Board) -> None:
    app = make_app(board)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        regions = rows(app, "regions")
        keys = list(regions)
        europe = regions["g\x1feu-central"]
        # Demo Edge calls FRA operational; the probe there is down: the geography is not ok.
        assert europe[1] == "■ probe DOWN"
        # A probe down weighs as a major outage: Central Europe ranks right after US West
        # (MAJOR with 3 open incidents), ahead of the quiet US East.
        assert keys.index("g\x1feu-central") < keys.index("g\x1fus-east")
        probe_row = keys.index("p\x1feu-central\x1fapi-eu")
        assert keys[probe_row - 1] == "g\x1feu-central"  # worst child first
        assert regions["p\x1feu-central\x1fapi-eu"][:2] == ["  └ probe api-eu", "■ DOWN"]
        # A healthy location is folded into its geography's count…
        assert "r\x1feu-central\x1fDemo Edge\x1fcloudflare\x1fFRA" not in regions
        assert regions["g\x1feu-central"][0].endswith("1 ok")
        # …and shown with `a`.
        await pilot.press("a")
        await pilot.pause()
        regions = rows(app, "regions")
        assert regions["r\x1feu-central\x1fDemo Edge\x1fcloudflare\x1fFRA"][1] == "● ok"
        # An up probe beside a major outage changes nothing of the geography's status.
        assert regions["g\x1fus-west"][1] == "■ CRITICAL"
        assert regions["p\x1fus-west\x1fapi-us"][1] == "● up"
        # Probes without a region are in no geography.
        assert not any("git-ssh" in k or "dns-edge" in k for k in keys)


async def test_probes_sit_with_their_provider_in_the_services_pane(board: Board) -> None:
    app = make_app(board)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        services = rows(app, "services")
        keys = list(services)
        # The provider row keeps the provider's claim (a maintenance under way in San Jose);
        # the probe under it says otherwise.
        edge = keys.index("p\x1fdemo-edge")
        assert keys[edge + 1] == "probe\x1fapi-eu"
        assert services["p\x1fdemo-edge"][1] == "◆ maint"
        assert services["probe\x1fapi-eu"] == ["  probe api-eu", "■ DOWN 5m", "FRA"]
        # Its down probe lifts Demo Edge above Demo Git and Demo GCP (major).
        assert edge < keys.index("p\x1fdemo-git") < keys.index("p\x1fdemo-gcp")
        assert services["probe\x1fgit-ssh"][1:] == ["● up 20h", "Git Operations"]
        # A probe tied to no provider gathers under "Your probes", last.
        assert keys[-2:] == ["p\x1f", "probe\x1fdns-edge"]
        assert services["p\x1f"][0] == "Your probes"
        assert services["probe\x1fdns-edge"][1] == "? unknown"


async def test_region_narrowing_and_text_filter_reach_probes(board: Board) -> None:
    app = make_app(board)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("1")
        assert table(app, "regions").move_to_key("g\x1feu-central")
        await pilot.press("space")
        assert [k for k in table(app, "services").row_keys() if k.startswith("probe")] == [
            "probe\x1fapi-eu"
        ]
        assert table(app, "stream").row_keys() == [EU]
        await pilot.press("space", "slash", *"ssh")
        assert "probe\x1fgit-ssh" in table(app, "services").row_keys()
        assert "probe\x1fapi-eu" not in table(app, "services").row_keys()


async def test_disagreements_lead_the_stream_then_the_hint(board: Board) -> None:
    app = make_app(board)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        stream = rows(app, "stream")
        keys = list(stream)
        # "It's probably you" first, then the outage your probe does not see, then the hint.
        assert keys[:3] == [EU, US, HINT]
        assert stream[EU][:4] == ["≠", "11:55", "Demo Edge", "■ DOWN"]
        assert stream[EU][4].startswith("Your probe api-eu (FRA) failing for 5 min")
        assert stream[US][3] == "● up"
        assert stream[HINT][0] == "?" and stream[HINT][3] == "? hint"
        assert stream[HINT][4].startswith("possible common cause: 2 providers")
        assert len(keys) == 3 + UPDATES


async def test_headline_puts_disagreements_first(board: Board) -> None:
    app = make_app(board)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        # The worst level leads, then where; the disagreements come first among the counts.
        line = headline(app)
        assert line.startswith("■ CRITICAL · US West")
        assert "· 2 disagreements · 4 known open · 1 probe down" in line


async def test_disagreement_updates_in_place_and_the_cursor_stays(board: Board) -> None:
    app = make_app(board)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        stream = table(app, "stream")
        await pilot.press("j", "j", "j", "j")
        selected = stream.cursor_key
        assert selected is not None and selected in update_keys(app)
        row_of_eu = stream.get_row(EU)
        # Two minutes on, Demo Git declares Git Operations down while the ssh probe is up.
        board.serve(GIT, pages.git_outage_summary())
        await poll_after(pilot, board, minutes=2)
        assert "7 min" in stream.get_row(EU)[4].plain
        assert stream.get_row(EU)[0] is row_of_eu[0]  # same row, cell updated in place
        assert stream.get_row(GIT_SSH)[4].plain.startswith("Demo Git reports an outage")
        # "It's probably you" still leads; the outages your probes do not see follow, newest
        # first; the cursor stayed on its row.
        assert stream.row_keys()[:4] == [EU, GIT_SSH, US, HINT]
        assert stream.cursor_key == selected


async def test_enter_on_a_disagreement_opens_its_probe_and_escape_returns(board: Board) -> None:
    app = make_app(board)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("j")
        stream = table(app, "stream")
        assert stream.cursor_key == US
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ProbesScreen)
        assert screen.selected is not None and screen.selected.id == "api-us"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        assert app.focused is stream and stream.cursor_key == US


async def test_enter_on_a_hint_lists_the_geography_incidents(board: Board) -> None:
    app = make_app(board)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("j", "j", "enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, IncidentListScreen)
        assert screen.geography == "us-west"


async def test_enter_on_a_probe_row_opens_the_probes_screen_on_it(board: Board) -> None:
    app = make_app(board)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        services = table(app, "services")
        services.move_to_key("probe\x1fgit-ssh")
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ProbesScreen)
        assert screen.selected is not None and screen.selected.id == "git-ssh"


async def test_capital_p_and_the_command_palette_open_the_probes_screen(board: Board) -> None:
    app = make_app(board)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        titles = [hit.text async for hit in WatchCommands(app.screen).discover()]
        assert "Probes" in titles
        text = "\n".join(screen_lines(app))
        assert "P Probes" in text and "? Help" in text and "q Quit" in text
        await pilot.press("P")
        await settle(pilot)
        assert isinstance(app.screen, ProbesScreen)
        await pilot.press("escape")
        await pilot.pause()
        await app.run_action("app.probes")
        await settle(pilot)
        assert isinstance(app.screen, ProbesScreen)


async def test_probes_screen_follows_new_overviews_from_the_app(board: Board) -> None:
    app = make_app(board)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("P")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ProbesScreen)
        # The EU endpoint answers again; two runs (a minute apart) bring the probe back up.
        board.server.set("/probe/eu", b'{"status": "ok"}')
        await poll_after(pilot, board, minutes=1)
        await poll_after(pilot, board, minutes=1)
        probes = screen.query_one("#probes", FittedTable)
        # Keyed: api-eu's row is updated and moves below the never-run probe.
        assert probes.row_keys() == ["dns-edge", "api-eu", "api-us", "git-ssh"]
        assert probes.get_row("api-eu")[1].plain == "● up 1m"
        assert screen.selected is not None and screen.selected.id == "api-eu"


async def test_ascii_mode_has_no_unicode_in_footer_header_or_stream(board: Board) -> None:
    app = make_app(board, ascii_only=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert headline(app).startswith("# CRITICAL | US West")
        assert "| 2 disagreements | 4 known open | 1 probe down" in headline(app)
        stream = rows(app, "stream")
        assert stream[EU][0] == "!=" and stream[EU][3] == "# DOWN"
        assert stream[EU][4].endswith("...")
        await pilot.press("P")
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        text = app.export_screenshot()
        assert "j k up down g G home end" in screen_text(app) and "↑" not in text
        await pilot.press("escape")
        await pilot.pause()
        shot = "\n".join(screen_lines(app))
        assert "..." in shot  # something is cut, the ASCII way
        for glyph in ("…", "⏎", "▏", "≠", "✖", "●", "▁", "█", "│", "─", "▆"):
            assert glyph not in shot, glyph


async def test_a_disagreement_is_told_even_with_a_watchlist_and_many_changes(
    board: Board,
) -> None:
    engine = board.engine()
    engine.toggle_watch("provider", GIT)
    app = make_app(board, engine)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        # Demo Git opens six incidents and declares Git Operations down; the ssh probe is up.
        board.serve(GIT, pages.git_outage_summary(extra_incidents=6))
        await poll_after(pilot, board, minutes=2)
        found = engine_of(app).overview().disagreements
        git = next(d for d in found if d.probe_id == "git-ssh")
        notes = said(app)
        notice = next(n for n in notes if n.title == "≠ Disagreement")
        assert notice.message == git.message
        # An outage the probe does not see: told as major, the urgent direction is critical.
        assert (
            next(e.notice.level for e in app.notices.entries if e.notice.title == "≠ Disagreement")
            == "major"
        )
        # The disagreement is the newest thing on the notification line.
        assert app.notices.latest is not None
        assert app.notices.latest.notice.title == "≠ Disagreement"
        # The Git changes became one summary; the disagreement stayed on its own.
        others = [n.title for n in notes if n.title != "≠ Disagreement"]
        assert len(others) == 1 and others[0].endswith(" changes")
