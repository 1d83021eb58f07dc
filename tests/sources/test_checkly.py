from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from tests.conftest import FIXTURES
from watchtui.domain.errors import FeedError
from watchtui.sources import checkly


def _load() -> bytes:
    return (FIXTURES / "checkly" / "unresolved_incidents.json").read_bytes()


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


def test_severity_and_status() -> None:
    snap = checkly.parse(_load())
    assert [(i.status, i.impact, i.is_open) for i in snap.incidents] == [
        ("identified", "critical", True),
        ("monitoring", "minor", True),  # MEDIUM
        ("resolved", "minor", False),
    ]
    assert snap.page_status.indicator is None
    assert snap.derived_impact == "critical"


def test_incident_details() -> None:
    incident = checkly.parse(_load()).incidents[0]
    assert incident.id == "11111111-aaaa-4bbb-8ccc-000000000001"
    assert incident.title == "Checkout failing"
    assert incident.started_at == _at(2024, 7, 1, 8, 0)
    assert incident.updated_at == _at(2024, 7, 1, 8, 20)
    assert incident.components == ("Checkout", "API")
    assert [(u.id, u.status, u.at) for u in incident.updates] == [
        ("u-2", "identified", _at(2024, 7, 1, 8, 20)),
        ("u-1", "investigating", _at(2024, 7, 1, 8, 0)),
    ]
    assert incident.updates[0].text == "Cause found: bad deploy."


def test_public_update_date_wins_and_resolution_time() -> None:
    snap = checkly.parse(_load())
    assert snap.incidents[1].updates[0].at == _at(2024, 7, 1, 6, 59)
    assert snap.incidents[1].started_at == _at(2024, 7, 1, 7, 0)
    assert snap.incidents[2].resolved_at == _at(2024, 6, 30, 8, 55)


def test_components_from_open_incidents_only() -> None:
    snap = checkly.parse(_load())
    assert [(c.id, c.name, c.status) for c in snap.components] == [
        ("svc-1", "Checkout", "major_outage"),
        ("svc-2", "API", "major_outage"),
    ]


def test_bare_array_and_empty() -> None:
    wrapped = json.loads(_load())
    bare = checkly.parse(json.dumps(wrapped["incidents"]).encode())
    assert len(bare.incidents) == 3
    empty = checkly.parse(b'{"incidents": []}')
    assert (empty.incidents, empty.components) == ((), ())


def test_status_falls_back_to_newest_update_and_unknown_severity_is_unknown() -> None:
    data = (
        b'[{"id":"x","name":"n","severity":"HUGE","created_at":"2024-01-01T00:00:00Z",'
        b'"services":[{"id":"s","name":"S"}],'
        b'"incidentUpdates":[{"id":"a","status":"IDENTIFIED","created_at":"2024-01-01T00:05:00Z"}]}]'
    )
    snap = checkly.parse(data)
    incident = snap.incidents[0]
    # A severity outside Checkly's four reads as unknown, for the incident and its services.
    assert (incident.status, incident.impact) == ("identified", "unknown")
    assert [(c.id, c.status) for c in snap.components] == [("s", "unknown")]


@pytest.mark.parametrize(("severity", "impact"), [(3, "unknown"), (None, "minor"), ("", "minor")])
def test_numeric_or_absent_severity(severity: object, impact: str) -> None:
    row = {"id": "x", "created_at": "2024-01-01T00:00:00Z", "severity": severity}
    assert checkly.parse(json.dumps([row]).encode()).incidents[0].impact == impact


def test_unusable_times_drop_only_their_item() -> None:
    rows = [
        {"id": "x"},
        {"id": "y", "created_at": "later"},
        {
            "id": "z",
            "created_at": "2024-01-01T00:00:00Z",
            "incidentUpdates": [
                {"id": "u1", "created_at": "2024-01-01T00:05:00Z"},
                {"id": "u2", "publicIncidentUpdateDate": "0000-01-01T00:00:00Z"},
            ],
        },
    ]
    snap = checkly.parse(json.dumps(rows).encode())
    assert [i.id for i in snap.incidents] == ["z"]
    assert [u.id for u in snap.incidents[0].updates] == ["u1"]
    assert [(d.what, d.id, d.reason) for d in snap.dropped] == [
        ("incident", "x", "no created_at/updated_at or update time"),
        ("incident", "y", "created_at 'later' is not a usable time"),
        (
            "update",
            "u2",
            "publicIncidentUpdateDate '0000-01-01T00:00:00Z' is not a usable time (in incident z)",
        ),
    ]


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"<html></html>",
        b"{}",
        b'{"incidents": {}}',
        b"[1]",
        b'[{"name": "no id", "created_at": "2024-01-01T00:00:00Z"}]',
        b'[{"id": "x", "created_at": "2024-01-01T00:00:00Z", '
        b'"services": [{"name": "a", "id": []}]}]',
        b'[{"id": "x", "created_at": "2024-01-01T00:00:00Z", "incidentUpdates": [{"id": null, '
        b'"created_at": "2024-01-01T00:00:00Z"}]}]',
    ],
)
def test_malformed_raises_feed_error(data: bytes) -> None:
    with pytest.raises(FeedError) as info:
        checkly.parse(data)
    assert info.value.kind == "checkly"
