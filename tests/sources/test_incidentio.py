from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from tests.conftest import FIXTURES
from watchtui.domain.errors import FeedError
from watchtui.domain.model import Snapshot
from watchtui.sources import incidentio


@pytest.fixture
def summary() -> Snapshot:
    return incidentio.parse((FIXTURES / "incidentio" / "summary.json").read_bytes())


def test_kind_and_page(summary: Snapshot) -> None:
    assert summary.kind == "incidentio"
    assert summary.page_name == "Chatbot Co"
    assert summary.page_url == "https://status.chatbot.example/"
    assert summary.updated_at == datetime(2026, 7, 22, 14, 48, 46, tzinfo=UTC)
    assert summary.page_status.indicator == "minor"


def test_components_without_group_keys(summary: Snapshot) -> None:
    assert [(c.id, c.name, c.group, c.status) for c in summary.components] == [
        ("01KMKFAMWKQ81YWSE1Z18R6VHR", "Chat", None, "operational"),
        ("01HTQRNEDQQ9E16WRMZF16HH40", "Playground", None, "partial_outage"),
    ]
    assert all(not c.only_show_if_degraded and c.regions == () for c in summary.components)


def test_absent_scheduled_maintenances_key(summary: Snapshot) -> None:
    assert summary.maintenances == ()


def test_incident_gaps(summary: Snapshot) -> None:
    open_incident = summary.incidents[0]
    assert open_incident.id == "01KY54SWGRK806N6TJ495MYPDD"
    # No started_at: created_at stands in.  No shortlink: the page's own incident URL.
    assert open_incident.started_at == datetime(2026, 7, 22, 14, 48, 46, tzinfo=UTC)
    assert (
        open_incident.url == "https://status.chatbot.example/incidents/01KY54SWGRK806N6TJ495MYPDD"
    )
    assert open_incident.resolved_at is None
    assert open_incident.components == ()
    assert open_incident.regions == ()
    assert [u.id for u in open_incident.updates] == ["01KY54SWGR43Q7BTSK3CSKW85P"]
    assert (
        open_incident.updates[0].text == "We are investigating the issue for the listed services."
    )


def test_resolved_without_resolved_at(summary: Snapshot) -> None:
    closed = summary.incidents[1]
    assert closed.status == "resolved"
    assert closed.resolved_at == datetime(2026, 7, 21, 9, 0, tzinfo=UTC)
    assert [i.id for i in summary.open_incidents] == ["01KY54SWGRK806N6TJ495MYPDD"]


def test_page_claim_kept_while_components_are_worse(summary: Snapshot) -> None:
    assert summary.page_status.indicator == "minor"
    assert summary.derived_impact == "major"


def test_minimal_payload_is_tolerated() -> None:
    payload = {"incidents": [{"id": "01X", "created_at": "2026-01-01T00:00:00Z"}]}
    snapshot = incidentio.parse(json.dumps(payload).encode())
    (incident,) = snapshot.incidents
    assert (incident.title, incident.status, incident.impact, incident.url) == (
        "",
        "update",
        "none",
        None,
    )
    assert snapshot.page_name is None and snapshot.updated_at is None


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"[]", id="top-level-list"),
        pytest.param(b"<html><body>Status</body></html>", id="html-page"),
        pytest.param(b'{"page": {"id": "01X"}, "incidents": [', id="truncated"),
        pytest.param(b'{"page": {"id": "01X"}}', id="no-statuspage-keys"),
        pytest.param(
            b'{"incidents": [{"name": "x", "created_at": "2026-01-01T00:00:00Z"}]}',
            id="incident-missing-id",
        ),
    ],
)
def test_feed_errors_carry_incidentio_kind(data: bytes) -> None:
    with pytest.raises(FeedError) as excinfo:
        incidentio.parse(data)
    assert excinfo.value.kind == "incidentio"
