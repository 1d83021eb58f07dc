from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from tests.conftest import FIXTURES
from watchtui.domain.errors import FeedError
from watchtui.sources import statusio


def _load(name: str) -> bytes:
    return (FIXTURES / "statusio" / name).read_bytes()


def _at(
    year: int,
    month: int,
    day: int,
    hour: int = 0,
    minute: int = 0,
    second: int = 0,
    microsecond: int = 0,
) -> datetime:
    return datetime(year, month, day, hour, minute, second, microsecond, tzinfo=UTC)


def _overall(code: object, label: str) -> bytes:
    result = {"status_overall": {"status": label, "status_code": code}, "status": []}
    return json.dumps({"result": result}).encode()


def test_page_status_from_overall_code() -> None:
    snap = statusio.parse(_load("status_incident.json"))
    assert snap.page_status.indicator == "critical"
    assert snap.page_status.description == "Service Disruption"
    assert snap.updated_at == _at(2024, 4, 2, 12, 0)


def test_one_component_per_container_with_region() -> None:
    snap = statusio.parse(_load("status_incident.json"))
    assert [(c.id, c.name, c.regions, c.status) for c in snap.components] == [
        ("c1/k1", "API", ("US-East",), "major_outage"),
        ("c1/k2", "API", ("EU-West",), "operational"),
        ("c2", "Website", (), "degraded"),
        ("c3/k1", "Billing", ("US-East",), "major_outage"),  # 600 security event
        ("c4/k2", "Docs", ("EU-West",), "maintenance"),  # unknown code 250: label decides
    ]


def test_incident() -> None:
    incident = statusio.parse(_load("status_incident.json")).incidents[0]
    assert incident.id == "inc1"
    assert incident.title == "API errors in US-East"
    assert incident.status == "identified"
    assert incident.impact == "critical"
    assert incident.is_open
    assert incident.started_at == _at(2024, 4, 2, 11, 0)
    assert incident.updated_at == _at(2024, 4, 2, 11, 30)
    assert incident.components == ("API",)
    assert incident.regions == ("US-East",)
    assert [(u.id, u.status) for u in incident.updates] == [
        ("inc1-1", "identified"),
        ("inc1-0", "investigating"),
    ]
    assert incident.updates[1].text == "We are investigating errors."


def test_maintenance_active_and_upcoming() -> None:
    active, upcoming = statusio.parse(_load("status_incident.json")).maintenances
    assert (active.id, active.status, active.impact) == ("m1", "in_progress", "maintenance")
    assert active.scheduled_for == _at(2024, 4, 2, 10, 0)
    assert active.scheduled_until == _at(2024, 4, 2, 14, 0)
    assert (active.components, active.regions) == (("Docs",), ("EU-West",))
    assert active.updates[0].status == "in_progress"
    assert (upcoming.id, upcoming.status, upcoming.is_open) == ("m2", "scheduled", True)
    assert upcoming.started_at == _at(2024, 4, 9, 2, 0)
    assert upcoming.updated_at == _at(2024, 4, 1, 0, 0)


@pytest.mark.parametrize(
    ("code", "label", "indicator"),
    [
        (100, "Operational", "none"),
        (200, "Planned Maintenance", "maintenance"),
        (300, "Degraded Performance", "minor"),
        (400, "Partial Service Disruption", "major"),
        (500, "Service Disruption", "critical"),
        (600, "Security Event", "critical"),
        (None, "Partial Service Disruption", "major"),
        # A code and label outside the legend: a claim watchtui cannot read.
        (999, "Something else", "unknown"),
    ],
)
def test_status_codes(code: object, label: str, indicator: str | None) -> None:
    assert statusio.parse(_overall(code, label)).page_status.indicator == indicator


def test_resolved_message_closes_incident() -> None:
    data = json.dumps(
        {
            "result": {
                "status": [],
                "incidents": [
                    {
                        "_id": "x",
                        "name": "n",
                        "datetime_open": "2024-01-01T00:00:00Z",
                        "messages": [
                            {
                                "details": "fixed",
                                "state": 400,
                                "status": 100,
                                "datetime": "2024-01-01T02:00:00Z",
                            },
                            {
                                "details": "down",
                                "state": 100,
                                "status": 300,
                                "datetime": "2024-01-01T00:00:00Z",
                            },
                        ],
                    }
                ],
            }
        }
    ).encode()
    incident = statusio.parse(data).incidents[0]
    assert incident.resolved_at == _at(2024, 1, 1, 2, 0)
    assert (incident.status, incident.impact) == ("resolved", "minor")


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"<html></html>",
        b"[]",
        b'{"result": []}',
        b'{"result": {}}',
        b'{"status_overall": {}}',
        b'{"result": {"status": {}}}',
        b'{"result": {"status": [{"name": "x"}]}}',
        b'{"result": {"status": [{"id": "a", "containers": [{"name": "x"}]}]}}',
        b'{"result": {"status": [], "maintenance": {"active": [{"name": "x"}]}}}',
        b'{"result": {"status": [], "maintenance": []}}',
    ],
)
def test_malformed_raises_feed_error(data: bytes) -> None:
    with pytest.raises(FeedError) as info:
        statusio.parse(data)
    assert info.value.kind == "statusio"
