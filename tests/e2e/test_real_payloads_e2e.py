"""End to end on real payloads: the installed ``watchtui`` in a real terminal (tmux) watching real
captured pages served on loopback, read back off the screen, with ``watchtui status --json`` run
beside it on the same store — then the pages recover and both must say so.

The story: Perplexity has an open incident with no update published; Claude's page has a critical
incident and four components in major outage; Google Cloud has two open incidents in London; one
page answers 404.  Then Google closes its incidents, Claude's page clears (and drops a
component), and the broken page comes back.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import shared_feeds_dir
from tests.e2e.conftest import WATCHTUI
from tests.e2e.tmux import TmuxSession, flatten
from tests.support.feedserver import Fault, FeedServer

FEEDS = shared_feeds_dir()
PERPLEXITY = "other/instatus_perplexity_summary_2026-07-23_major.json"
CLAUDE = "statuspage/anthropic/summary_2026-07-29_major.json"
GCP = "gcp/incidents_2022-07-19_open-europe-west2_subset.json"

SOURCES = {
    "perplexity": ("instatus", "/perplexity/summary.json"),
    "claude": ("statuspage", "/claude/api/v2/summary.json"),
    "gcp": ("gcp", "/gcp/incidents.json"),
    "broken": ("statuspage", "/broken/api/v2/summary.json"),
}


def real(relative: str) -> bytes:
    if FEEDS is None:
        pytest.skip("../shared/feeds is absent: the real-payload end-to-end test NOT run")
    return (FEEDS / relative).read_bytes()


def recovered_claude() -> bytes:
    """Claude's page once it clears: no incident, every component operational, one gone."""
    page = json.loads(real(CLAUDE))
    page["status"] = {"indicator": "none", "description": "All Systems Operational"}
    page["incidents"] = []
    page["components"] = [dict(c, status="operational") for c in page["components"][1:]]
    return json.dumps(page).encode()


def closed_gcp() -> bytes:
    incidents: list[dict[str, Any]] = json.loads(real(GCP))
    for incident in incidents:
        incident["end"] = "2022-07-20T08:00:00+00:00"
    return json.dumps(incidents).encode()


@pytest.fixture
def pages() -> Iterator[FeedServer]:
    with FeedServer() as server:
        server.set(SOURCES["perplexity"][1], real(PERPLEXITY))
        server.set(SOURCES["claude"][1], real(CLAUDE))
        server.set(SOURCES["gcp"][1], real(GCP))
        server.fault(SOURCES["broken"][1], Fault.status(404))
        yield server


@pytest.fixture
def setup(pages: FeedServer, demo_env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    config = tmp_path / "config.toml"
    lines = ["[watch]", "providers = []", ""]
    for source_id, (kind, path) in SOURCES.items():
        lines += [
            "[[sources]]",
            f'id = "{source_id}"',
            f'kind = "{kind}"',
            f'url = "{pages.url(path)}"',
            "interval = 300",
            "",
        ]
    config.write_text("\n".join(lines))
    env = dict(demo_env)
    env["WATCHTUI_CONFIG"] = str(config)
    env["WATCHTUI_DB"] = str(tmp_path / "history.db")
    return env


def status(env: dict[str, str]) -> tuple[int, dict[str, Any]]:
    done = subprocess.run(
        [str(WATCHTUI), "status", "--json", "--cached"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return done.returncode, json.loads(done.stdout)


def open_count(screen: str) -> int | None:
    found = re.search(r"(\d+) (?:known )?open\b", flatten(screen))
    return int(found.group(1)) if found else None


def test_real_pages_outage_and_recovery_read_the_same_on_screen_and_in_status(
    setup: dict[str, str], pages: FeedServer, tmp_path: Path
) -> None:
    session = TmuxSession([str(WATCHTUI)], size=(160, 48), env=setup, workdir=tmp_path)
    try:
        # Perplexity 1, Claude 1, Google 2.
        session.wait_for(lambda s: True if open_count(s) == 4 else None, "4 open incidents", 60)
        screen = session.wait_for_text("1 source failing", timeout=30)
        shown = flatten(screen)
        assert "Computer sandbox issues" in shown
        assert "Elevated errors across all models" in shown
        # The incident with no update yet: filter to it, jump to it, open it.
        session.keys("/", *"sandbox", "Enter", "Enter")
        session.wait_for_text("No updates published yet.", timeout=15)
        session.keys("Escape", "Escape")  # back to the board, then clear the filter
        session.wait_for_text("1 source failing", timeout=10)
        code, report = status(setup)
        rows = {row["id"]: row for row in report["sources"]}
        assert code == 2  # critical known beats the unreadable page
        assert rows["broken"]["impact"] == "unknown" and rows["broken"]["health"] == "failing"
        assert rows["claude"]["impact"] == "critical"
        # Instatus says MAJOROUTAGE: a major outage, the top of the scale.
        assert rows["perplexity"]["impact"] == "critical"
        assert len(rows["gcp"]["incidents"]) == 2
        assert sum(len(r["incidents"]) for r in rows.values()) == open_count(screen)

        # The pages recover; a refresh (r) polls every source now.
        pages.set(SOURCES["claude"][1], recovered_claude())
        pages.set(SOURCES["gcp"][1], closed_gcp())
        pages.clear(SOURCES["broken"][1])
        pages.set(SOURCES["broken"][1], recovered_claude())
        session.keys("r")
        screen, _ = session.wait_for(
            lambda s: s if open_count(s) == 1 and "failing" not in flatten(s) else None,
            "1 open incident and no failing source",
            60,
        )
        assert "Computer sandbox issues" in flatten(screen)
        code, report = status(setup)
        rows = {row["id"]: row for row in report["sources"]}
        assert {k: r["impact"] for k, r in rows.items()} == {
            "perplexity": "critical",
            "claude": "none",
            "gcp": "none",
            "broken": "none",
        }
        assert rows["claude"]["components"] == [] and rows["gcp"]["components"] == []
        assert code == 2
        session.keys("q")
        assert session.exit_status() == 0, session.last_screen
    finally:
        session.close()
    # Nothing in the environment pointed the app anywhere but loopback.
    assert os.environ.get("WATCHTUI_CONFIG") != setup["WATCHTUI_CONFIG"]
