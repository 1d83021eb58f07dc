from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from tests.conftest import FIXTURES
from watchtui.domain.errors import FeedError
from watchtui.sources import instatus


def _load(name: str) -> bytes:
    return (FIXTURES / "instatus" / name).read_bytes()


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


def _page(status: str) -> bytes:
    return json.dumps({"page": {"name": "P", "url": "https://p", "status": status}}).encode()


def test_page_and_incidents() -> None:
    snap = instatus.parse(_load("summary_issues.json"))
    assert (snap.page_name, snap.page_url) == ("Example", "https://status.example.com")
    assert snap.page_status.indicator == "major"
    assert snap.page_status.description == "Some partial outage"
    assert [(i.id, i.status, i.impact, i.is_open) for i in snap.incidents] == [
        ("inc-a", "identified", "major", True),
        ("inc-b", "resolved", "minor", False),
        # An impact word outside the vocabulary: unknown, never harmless.
        ("inc-c", "investigating", "unknown", True),
    ]
    first, resolved, odd = snap.incidents
    assert first.started_at == _at(2024, 6, 1, 10, 0)
    assert first.updated_at == _at(2024, 6, 1, 10, 30)
    assert first.url == "https://status.example.com/inc-a"
    assert resolved.resolved_at == _at(2024, 6, 1, 9, 45)
    assert odd.url is None


def test_maintenance_window_from_duration() -> None:
    (maintenance,) = instatus.parse(_load("summary_issues.json")).maintenances
    assert (maintenance.id, maintenance.status, maintenance.is_open) == (
        "mnt-a",
        "in_progress",
        True,
    )
    assert maintenance.scheduled_for == _at(2024, 6, 2, 2, 0)
    assert maintenance.scheduled_until == _at(2024, 6, 2, 3, 30)
    assert maintenance.updated_at == _at(2024, 6, 2, 2, 1)


def test_documented_shape_js_dates_and_ids_from_urls() -> None:
    snap = instatus.parse(_load("summary_documented.json"))
    assert snap.page_status.indicator == "minor"
    (incident,) = snap.incidents
    assert incident.id == "cl4a8n3070721qtmzvts760c4"
    assert incident.started_at == incident.updated_at == _at(2022, 6, 11, 18, 55, 50)
    assert incident.impact == "critical"
    (maintenance,) = snap.maintenances
    assert maintenance.id == "cl4a8nlv50918qtmzdlw60ivu"
    assert maintenance.status == "scheduled"
    assert maintenance.scheduled_for == _at(2022, 6, 11, 18, 55, 54)  # GMT+0200 -> UTC
    assert maintenance.scheduled_until == _at(2022, 6, 11, 19, 55, 54)  # "60" minutes


def test_up() -> None:
    snap = instatus.parse(_load("summary_up.json"))
    assert snap.page_status.indicator == "none"
    assert snap.page_status.description == "All systems operational"
    assert snap.derived_impact == "none"


@pytest.mark.parametrize(
    ("status", "indicator", "description"),
    [
        ("UNDERMAINTENANCE", "maintenance", "Under maintenance"),
        ("ALLUNDERMAINTENANCE", "maintenance", "All under maintenance"),
        ("ONEDEGRADEDPERFORMANCE", "minor", "One degraded performance"),
        ("SOMEMINOROUTAGE", "major", "Some minor outage"),
        ("ONEMAJOROUTAGE", "critical", "One major outage"),
        ("ALLMAJOROUTAGE", "critical", "All major outage"),
        ("BRANDNEW", "unknown", "BRANDNEW"),
    ],
)
def test_page_codes(status: str, indicator: str | None, description: str) -> None:
    page = instatus.parse(_page(status)).page_status
    assert (page.indicator, page.description) == (indicator, description)


def test_completed_maintenance_closes() -> None:
    data = (
        b'{"page":{"status":"UP"},"activeMaintenances":[{"id":"m","name":"n",'
        b'"start":"2024-01-01T00:00:00Z","status":"COMPLETED","duration":30}]}'
    )
    (maintenance,) = instatus.parse(data).maintenances
    assert maintenance.resolved_at == _at(2024, 1, 1, 0, 30)


def _incident_started(value: str) -> bytes:
    return json.dumps({"page": {}, "activeIncidents": [{"id": "a", "started": value}]}).encode()


def _maintenance_duration(value: str) -> bytes:
    entry = {"id": "m", "start": "2024-01-01T00:00:00Z", "duration": value}
    return json.dumps({"page": {}, "activeMaintenances": [entry]}).encode()


@pytest.mark.parametrize(
    ("data", "what", "reason"),
    [
        (
            b'{"page": {}, "activeIncidents": [{"id": "a", "name": "n"}]}',
            "incident",
            "no started time",
        ),
        (_incident_started("Sat Foo 09 2022"), "incident", "started 'Sat Foo 09 2022' is not"),
        (
            _incident_started("Sat Jun 31 2022 10:00:00 GMT+0000"),
            "incident",
            "started 'Sat Jun 31 2022 10:00:00 GMT+0000' is not a usable time",
        ),
        (_maintenance_duration("an hour"), "maintenance", "duration 'an hour' gives no usable end"),
        (_maintenance_duration("1e300"), "maintenance", "duration '1e300' gives no usable end"),
        (_maintenance_duration("nan"), "maintenance", "duration 'nan' gives no usable end"),
        (b'{"page": {}, "activeMaintenances": [{"id": "m"}]}', "maintenance", "no start time"),
    ],
)
def test_unusable_time_drops_only_that_item(data: bytes, what: str, reason: str) -> None:
    doc = json.loads(data)
    key = "activeIncidents" if what == "incident" else "activeMaintenances"
    good = {"id": "ok", "started": "2024-01-01T00:00:00Z", "start": "2024-01-01T00:00:00Z"}
    doc[key].append(good)
    snap = instatus.parse(json.dumps(doc).encode())
    kept = snap.incidents if what == "incident" else snap.maintenances
    assert [i.id for i in kept] == ["ok"]
    [dropped] = snap.dropped
    assert (dropped.what, dropped.id) == (what, doc[key][0]["id"])
    assert dropped.reason.startswith(reason)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"<html></html>",
        b"[]",
        b'{"activeIncidents": []}',
        b'{"page": "x"}',
        b'{"page": {}, "activeIncidents": {}}',
        b'{"page": {}, "activeIncidents": [{"name": "n", "started": "2024-01-01T00:00:00Z"}]}',
    ],
)
def test_malformed_raises_feed_error(data: bytes) -> None:
    with pytest.raises(FeedError) as info:
        instatus.parse(data)
    assert info.value.kind == "instatus"


def test_url_with_invisible_characters_dropped() -> None:
    data = _page("UP").replace(b'"https://p"', b'"https://p\\u202eevil"')
    assert instatus.parse(data).page_url is None
