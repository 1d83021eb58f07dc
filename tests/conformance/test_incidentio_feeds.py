"""Real incident.io Statuspage-compatible payloads: exact values read off the raw JSON."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from tests.conftest import shared_feeds_dir
from watchtui.domain.text import is_safe
from watchtui.sources import incidentio

RealFeed = Callable[[str], bytes]

OPENAI = "incidentio/openai/summary_2026-07-22_minor.json"
COHERE = "incidentio/cohere/summary_2026-07-23_major.json"
FILES = (COHERE, OPENAI)


def test_every_incidentio_file_is_covered() -> None:
    feeds = shared_feeds_dir()
    if feeds is None:
        pytest.skip("../shared/feeds is absent: real-payload conformance NOT checked")
    present = sorted(str(p.relative_to(feeds)) for p in (feeds / "incidentio").rglob("*.json"))
    assert present == sorted(FILES)


@pytest.mark.parametrize("name", FILES)
def test_every_file_parses_safely(real_feed: RealFeed, name: str) -> None:
    snapshot = incidentio.parse(real_feed(name))
    assert snapshot.kind == "incidentio"
    assert snapshot.maintenances == ()  # the key is absent
    texts = [c.name for c in snapshot.components]
    texts += [t for i in snapshot.incidents for t in (i.title, *(u.text for u in i.updates))]
    assert all(is_safe(t) for t in texts)
    assert all(c.group is None and c.regions == () for c in snapshot.components)


def test_openai(real_feed: RealFeed) -> None:
    snapshot = incidentio.parse(real_feed(OPENAI))
    assert snapshot.page_name == "OpenAI"
    assert snapshot.page_url == "https://status.openai.com/"
    assert snapshot.updated_at == datetime(2026, 7, 22, 14, 48, 46, tzinfo=UTC)
    assert snapshot.page_status.indicator == "minor"
    assert snapshot.page_status.description == "Partial System Degradation"
    assert len(snapshot.components) == 25
    assert {c.status for c in snapshot.components} == {"operational"}
    (incident,) = snapshot.open_incidents
    assert incident.id == "01KY54SWGRK806N6TJ495MYPDD"
    assert incident.title == "Elevated errors for Workspace Agent"
    assert (incident.status, incident.impact) == ("investigating", "minor")
    # Nothing says what is affected: no components on the incident, none on its update.
    assert incident.components == ()
    assert incident.started_at == datetime(2026, 7, 22, 14, 48, 46, tzinfo=UTC)
    assert incident.url == "https://status.openai.com/incidents/01KY54SWGRK806N6TJ495MYPDD"
    (update,) = incident.updates
    assert update.id == "01KY54SWGR43Q7BTSK3CSKW85P"
    assert update.text == "We are investigating the issue for the listed services."
    # The open incident alone carries the page's "minor"; all components look fine.
    assert snapshot.derived_impact == "minor"


def test_cohere(real_feed: RealFeed) -> None:
    snapshot = incidentio.parse(real_feed(COHERE))
    assert snapshot.page_name == "Cohere Status Page"
    assert snapshot.page_status.indicator == "major"
    assert len(snapshot.components) == 24
    assert Counter(c.status for c in snapshot.components) == {
        "operational": 23,
        "partial_outage": 1,
    }
    (degraded,) = [c for c in snapshot.components if c.status != "operational"]
    assert (degraded.id, degraded.name) == ("01HTQRNEDQQ9E16WRMZF16HH40", "Playground")
    (incident,) = snapshot.open_incidents
    assert incident.id == "01KY8K3GWWJTSJTRC17GHEH08Z"
    assert incident.title == "Dashboard Login Service Disruption"
    assert (incident.status, incident.impact) == ("investigating", "major")
    assert incident.components == ()
    assert incident.url == "https://status.cohere.com/incidents/01KY8K3GWWJTSJTRC17GHEH08Z"
    assert incident.updates[0].text.startswith("🔎 We are currently investigating an issue")
    assert snapshot.derived_impact == "major"
