"""Every real payload, end to end: served on loopback, polled by the real engine, and read back
through the board, kiosk, ``watchtui status --json`` and ``watchtui history --json``.

The oracle is the payload itself, read by the parser (whose output the conformance suite checks
against the raw bytes) and vetted as the poller vets it; everything downstream — store, engine,
CLI, app — must show exactly that, and agree with each other.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import shared_feeds_dir
from tests.support.screen import impact_word, read_board
from tests.support.world import Source, World, capture_date, world
from watchtui.domain.model import Impact, Snapshot
from watchtui.domain.vetting import vet
from watchtui.sources import parse_payload

FEEDS = shared_feeds_dir()
PAYLOADS = (
    sorted(str(p.relative_to(FEEDS)) for p in FEEDS.rglob("*") if p.is_file() and p.suffix != ".md")
    if FEEDS is not None
    else []
)

# The spec's order of impacts (README, "The model and its vocabularies") and how a component's
# status reads on that scale: written out here, not imported, so the test checks the product.
ORDER: tuple[Impact, ...] = ("none", "maintenance", "unknown", "minor", "major", "critical")
STATUS_AS_IMPACT: dict[str, Impact] = {
    "operational": "none",
    "maintenance": "maintenance",
    "unknown": "unknown",
    "degraded": "minor",
    "partial_outage": "major",
    "major_outage": "critical",
}
EXIT_FOR: dict[Impact, int] = {
    "none": 0,
    "maintenance": 0,
    "unknown": 3,
    "minor": 1,
    "major": 2,
    "critical": 2,
}


def endpoint(relative: str) -> tuple[str, str]:
    """The kind a payload is and the path it is served at (shaped like the real endpoint)."""
    name = Path(relative).name
    folder = relative.split("/", 1)[0]
    if folder in ("statuspage", "incidentio"):
        if name.startswith("incident_"):
            return folder, f"/page/api/v2/incidents/{name.split('_')[1]}.json"
        return folder, "/page/api/v2/summary.json"
    if folder == "gcp":
        return "gcp", "/incidents.json"
    if folder == "aws":
        shape = {"currentevents": "/public/currentevents", "services": "/services.json"}
        return "aws", shape.get(name.split("_")[0], "/data.json")
    if folder == "azure":
        return "azure", "/en-us/status/feed/"
    if folder == "slack":
        return "slack", "/api/v2.0.0/current"
    if folder == "rss-atom":
        return "rss", "/history" + Path(name).suffix
    kind = name.split("_")[0]
    paths = {
        "heroku": "/api/v4/current-status",
        "instatus": "/summary.json",
        "betterstack": "/index.json",
        "checkly": "/unresolved-incidents.json",
        "statusio": "/1.0/status/page.json",
    }
    return kind, paths[kind]


def expected_board(snapshot: Snapshot) -> tuple[set[str], set[str], Impact]:
    """(open incidents, maintenances under way, the source's impact) as the payload says."""
    open_ids = {i.id for i in snapshot.incidents if i.resolved_at is None}
    under_way = {
        m.id
        for m in snapshot.maintenances
        if m.resolved_at is None and m.status in ("in_progress", "verifying")
    }
    impacts = [i.impact for i in snapshot.incidents if i.id in open_ids]
    impacts += [m.impact for m in snapshot.maintenances if m.id in under_way]
    impacts += [STATUS_AS_IMPACT[c.status] for c in snapshot.components]
    # The page's own headline: the board is never calmer than the page says it is.
    if snapshot.page_status.indicator is not None:
        impacts.append(snapshot.page_status.indicator)
    return open_ids, under_way, max(impacts, key=ORDER.index, default="none")


def test_the_real_feeds_are_here() -> None:
    if FEEDS is None:
        pytest.skip("../shared/feeds is absent: the agreement suite on real payloads NOT run")
    assert len(PAYLOADS) >= 30


@pytest.mark.parametrize("relative", PAYLOADS)
async def test_a_real_payload_reads_the_same_everywhere(relative: str, tmp_path: Path) -> None:
    assert FEEDS is not None
    body = (FEEDS / relative).read_bytes()
    kind, path = endpoint(relative)
    # Just after the capture: the payload is what the source said "now".
    fetched_at = capture_date(relative).replace(hour=23)
    snapshot = vet(parse_payload(kind, body), fetched_at)
    open_ids, under_way, impact = expected_board(snapshot)

    with world(tmp_path, fetched_at, [Source("src", kind, path)]) as w:
        w.serve("src", body)
        await w.apoll(seconds_later=1)
        check_engine(w, open_ids, under_way, impact)
        check_cli(w, snapshot, open_ids, under_way, impact)
        board = await read_board(w.engine, w.clock)
        assert board.open_count == len(open_ids), board.header
        assert {iid for sid, iid in board.stream_incidents if sid == "src"} >= open_ids
        if open_ids or impact != "none":
            assert impact_word(board.providers["src"]) == impact, board.providers
        kiosk = await read_board(w.engine, w.clock, kiosk=True)
        assert kiosk.open_count == len(open_ids), kiosk.header


def check_engine(w: World, open_ids: set[str], under_way: set[str], impact: Impact) -> None:
    overview = w.overview()
    on_board = {v.incident.id for v in overview.open_incidents}
    assert on_board == open_ids | under_way
    (source,) = overview.sources
    assert source.health == "fresh"
    assert source.impact == impact
    assert source.open_incidents == len(open_ids)
    streamed = {item.incident_id for item in overview.stream}
    assert streamed >= open_ids


def check_cli(
    w: World, snapshot: Snapshot, open_ids: set[str], under_way: set[str], impact: Impact
) -> None:
    status = w.status()
    (row,) = status.document["sources"]
    assert row["impact"] == impact
    assert {i["id"] for i in row["incidents"]} == open_ids | under_way
    assert status.code == EXIT_FOR[impact]
    history = w.history()
    states = {r["id"]: r["resolved_at"] is None for r in history.document}
    for incident in snapshot.incidents:
        assert states[incident.id] == (incident.id in open_ids), incident.id
    assert all(r["duration_seconds"] >= 0 for r in history.document)
