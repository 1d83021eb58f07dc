from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.conftest import FIXTURES
from watchtui.domain.errors import FeedError
from watchtui.sources import heroku


def _load(name: str) -> bytes:
    return (FIXTURES / "heroku" / name).read_bytes()


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


def test_systems_become_components_by_colour() -> None:
    snap = heroku.parse(_load("current_status.json"))
    assert [(c.name, c.status) for c in snap.components] == [
        ("Apps", "major_outage"),
        ("Data", "degraded"),
        ("Tools", "operational"),
    ]
    assert snap.page_status.indicator == "critical"
    assert snap.page_status.description == "Apps: red, Data: yellow, Tools: green"


def test_open_incident() -> None:
    incident = heroku.parse(_load("current_status.json")).incidents[0]
    assert incident.id == "3001"
    assert incident.is_open
    assert incident.status == "update"
    assert incident.impact == "critical"  # status_prod red
    assert incident.started_at == _at(2024, 2, 1, 10, 0)
    assert incident.updated_at == _at(2024, 2, 1, 10, 40)
    assert incident.url == "https://status.heroku.com/incidents/3001"
    assert [(u.id, u.status) for u in incident.updates] == [
        ("9002", "update"),
        ("9001", "investigating"),
    ]
    assert incident.updates[1].text == "We are investigating router errors."


def test_resolved_incident_still_listed_is_closed() -> None:
    incident = heroku.parse(_load("current_status.json")).incidents[1]
    assert incident.status == "resolved"
    assert incident.resolved_at == _at(2024, 1, 31, 9, 29, 58)
    assert incident.impact == "minor"
    # Updates arrive oldest first here; they come out newest first.
    assert [u.id for u in incident.updates] == ["8002", "8001"]


def test_scheduled_maintenance() -> None:
    snap = heroku.parse(_load("current_status.json"))
    upcoming, done = snap.maintenances
    assert (upcoming.status, upcoming.impact, upcoming.is_open) == (
        "scheduled",
        "maintenance",
        True,
    )
    assert (done.status, done.is_open) == ("completed", False)
    assert done.resolved_at == _at(2024, 1, 15, 19, 46, 59)
    assert [u.status for u in done.updates] == ["resolved", "in_progress", "scheduled"]


def test_open_maintenance_not_upcoming_is_in_progress() -> None:
    data = (
        b'{"status":[],"incidents":[],"scheduled":[{"id":1,"created_at":"2024-01-01T00:00:00Z",'
        b'"updated_at":"2024-01-01T00:00:00Z","title":"t","resolved":false,"upcoming":false,'
        b'"updates":[{"id":2,"created_at":"2024-01-01T00:00:00Z","update_type":"scheduled",'
        b'"contents":"x"}]}]}'
    )
    (maintenance,) = heroku.parse(data).maintenances
    assert maintenance.status == "in_progress"
    assert heroku.parse(data).page_status.indicator is None


def test_green_open_incident_is_still_minor() -> None:
    data = (
        b'{"status":[{"system":"Apps","status":"green"}],"incidents":[{"id":7,'
        b'"created_at":"2024-01-01T00:00:00Z","updated_at":"2024-01-01T00:00:00Z","title":"t",'
        b'"resolved":false,"status_dev":"green","status_prod":"green","updates":[]}],'
        b'"scheduled":[]}'
    )
    incident = heroku.parse(data).incidents[0]
    assert (incident.impact, incident.status) == ("minor", "investigating")


def test_v3_status_object() -> None:
    snap = heroku.parse(_load("current_status_v3.json"))
    assert [(c.name, c.status) for c in snap.components] == [
        ("Production", "operational"),
        ("Development", "maintenance"),
    ]
    assert snap.page_status.indicator == "maintenance"


def test_unknown_colour_is_unknown() -> None:
    snap = heroku.parse(b'{"status":[{"system":"Apps","status":"purple"}],"scheduled":[]}')
    assert snap.components[0].status == "unknown"
    assert snap.page_status.description == "Apps: unknown"


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"<html></html>",
        b"[]",
        b'{"incidents":[]}',
        b'{"status":"green"}',
        b'{"status":[{"status":"green"}]}',
        b'{"status":[],"incidents":[{"id":null,"created_at":"2024-01-01T00:00:00Z"}]}',
        b'{"status":[],"incidents":[{"id":1,"created_at":"2024-01-01T00:00:00Z","updates":{}}]}',
        b'{"status":[],"scheduled":[{"id":1,"created_at":"2024-01-01T00:00:00Z","updates":[3]}]}',
    ],
)
def test_malformed_raises_feed_error(data: bytes) -> None:
    with pytest.raises(FeedError) as info:
        heroku.parse(data)
    assert info.value.kind == "heroku"
