"""What only the real engine can show, from payload to pixel: a hand-built overview could (and
did) get each of these wrong while every screen test passed.
"""

from __future__ import annotations

import re

from tests.support import board_story as story
from tests.support.board import Board
from tests.support.board_story import BLOG, GCP, GCP_INCIDENT, GIT, GIT_SILENT
from tests.support.feedserver import Fault
from tests.support.pilot import (
    headline,
    incident_of,
    make_app,
    poll_after,
    rows,
    settle,
    table,
    update_keys,
)
from watchtui.ui.app import WatchApp

GCE_ROW = "c\x1fdemo-gcp\x1fgce"


def open_incidents_in_stream(app: WatchApp) -> set[str]:
    """The open incidents among the stream's rows on screen."""
    assert app.latest is not None
    shown = set(update_keys(app))
    return {item.incident_key for item in app.latest.stream if item.is_open and item.key in shown}


async def test_an_open_incident_without_updates_is_on_the_board(board: Board) -> None:
    """Demo Git opened an incident at 11:50 and has published no update for it yet."""
    app = make_app(board)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        stream = rows(app, "stream")
        silent = [k for k in update_keys(app) if incident_of(k) == (GIT, GIT_SILENT)]
        assert len(silent) == 1
        assert stream[silent[0]][1:4] == ["11:50", "Demo Git", "✖ MAJOR"]
        assert stream[silent[0]][4] == (
            "Investigating elevated error rates — no updates published yet"
        )
        # Under its provider: counted, and the reason Demo Git reads major (its other incident
        # is minor, its troubled service degraded).
        services = rows(app, "services")
        assert services["p\x1fdemo-git"][1] == "✖ MAJOR"
        assert services["p\x1fdemo-git"][0].startswith("Demo Git  2 open")
        # The header's count is the number of open incidents the stream shows.
        match = re.search(r"(\d+) (?:known )?open\b", headline(app))
        assert match is not None
        assert int(match[1]) == len(open_incidents_in_stream(app)) == 4


async def test_a_failing_source_reads_unknown_never_ok(board: Board) -> None:
    app = make_app(board)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        services = rows(app, "services")
        # The blog's server answers 503: watchtui cannot see it, whatever it said before.
        assert services["p\x1fdemo-blog"][1] == "? unknown"
        assert services["p\x1fdemo-blog"][0].startswith("Demo Blog  failing, last")
        assert services["p\x1fdemo-azure"][1] == "? unknown"
        assert services["p\x1fdemo-azure"][0].startswith("Demo Azure  stale, last")
        # Now Google's feed fails too: its open incident stays on the board, but Demo GCP's
        # own state is unknown, not the "major" it last said and never "ok".
        assert services["p\x1fdemo-gcp"][1] == "✖ MAJOR"
        board.server.fault(board.path_of(GCP), Fault.status(503))
        await poll_after(pilot, board, minutes=3)
        services = rows(app, "services")
        assert services["p\x1fdemo-gcp"][1] == "? unknown"
        assert services["p\x1fdemo-gcp"][0].startswith("Demo GCP  1 open · failin")
        assert (GCP, GCP_INCIDENT) in {incident_of(k) for k in update_keys(app)}
        for source in (BLOG, GCP):
            assert services[f"p\x1f{source}"][1] not in ("● ok", "· none")


async def test_a_resolved_gcp_incident_returns_its_product_to_operational(board: Board) -> None:
    app = make_app(board)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert rows(app, "services")[GCE_ROW][1] == "✖ MAJOR"
        assert rows(app, "regions")["r\x1fus-west\x1fDemo GCP\x1fgcp\x1fus-west1"][1] == ("✖ MAJOR")
        # Google closes the incident (``end`` set, a final AVAILABLE update); the app polls.
        board.serve(GCP, story.gcp_current(resolved=True))
        await poll_after(pilot, board, minutes=3)
        services = rows(app, "services")
        assert GCE_ROW not in services  # operational: folded into its provider's row
        assert services["p\x1fdemo-gcp"][:2] == ["Demo GCP  1 ok", "● ok"]
        await pilot.press("2", "a")
        assert rows(app, "services")[GCE_ROW][1] == "● ok"
        regions = rows(app, "regions")
        assert regions["r\x1fus-west\x1fDemo GCP\x1fgcp\x1fus-west1"][1] == "● ok"
        stream = rows(app, "stream")
        newest = next(k for k in update_keys(app) if incident_of(k) == (GCP, GCP_INCIDENT))
        assert stream[newest][3] == "● ok"
        assert f"{story.HOSTILE_TITLE} — The issue with" in stream[newest][4]
        assert "· 2 disagreements · 3 known open ·" in headline(app)
        # Its resolution is one more update; with Demo AWS alone in trouble in us-west, the
        # common-cause hint is gone: two disagreements stay pinned.
        assert len(update_keys(app)) == 14
        assert table(app, "stream").row_count == 2 + 14
