from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.conftest import FIXTURES
from watchtui.domain.errors import FeedError
from watchtui.domain.model import Maintenance
from watchtui.domain.text import is_safe
from watchtui.sources import slack


def _load(name: str) -> bytes:
    return (FIXTURES / "slack" / name).read_bytes()


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


def test_current_active_page_status_is_worst_incident_type() -> None:
    snap = slack.parse(_load("current_active.json"))
    assert snap.page_status.indicator == "major"
    assert snap.page_status.description == "Active incidents"
    assert snap.updated_at == _at(2024, 3, 5, 18, 15)
    assert snap.derived_impact == "major"


def test_ids_numeric_or_string_become_strings() -> None:
    snap = slack.parse(_load("current_active.json"))
    assert [i.id for i in snap.incidents] == ["1201", "1202", "1203"]


def test_type_maps_to_impact() -> None:
    snap = slack.parse(_load("current_active.json"))
    assert [i.impact for i in snap.incidents] == ["major", "minor", "none"]
    assert {i.status for i in snap.incidents} == {"investigating"}
    assert all(i.is_open for i in snap.incidents)


def test_offsets_converted_to_utc_and_escaped_slashes_unescaped() -> None:
    first = slack.parse(_load("current_active.json")).incidents[0]
    assert first.started_at == _at(2024, 3, 5, 17, 0)
    assert first.updated_at == _at(2024, 3, 5, 18, 15)
    assert first.url == "https://status.slack.com/2024-03/aaaa1111"
    assert first.components == ("Messaging", "Apps/Integrations/APIs")


def test_notes_newest_first_with_stable_ids() -> None:
    first = slack.parse(_load("current_active.json")).incidents[0]
    assert [(u.id, u.at) for u in first.updates] == [
        ("1201-1", _at(2024, 3, 5, 18, 15)),
        ("1201-0", _at(2024, 3, 5, 17, 0)),
    ]
    assert first.updates[1].text == "Some users can't send messages.\nWe're investigating."
    assert {u.status for u in first.updates} == {"update"}


def test_components_only_from_open_incidents_with_worst_status() -> None:
    snap = slack.parse(_load("current_active.json"))
    assert [(c.name, c.status) for c in snap.components] == [
        ("Messaging", "partial_outage"),
        ("Apps/Integrations/APIs", "partial_outage"),
        ("Files", "degraded"),
        ("Login/SSO", "operational"),
    ]


def test_unsafe_url_dropped() -> None:
    notice = slack.parse(_load("current_active.json")).incidents[2]
    assert notice.url is None
    assert notice.updates == ()


def test_current_ok() -> None:
    snap = slack.parse(_load("current_ok.json"))
    assert snap.page_status.indicator == "none"
    assert snap.incidents == ()
    assert snap.components == ()
    assert snap.updated_at == _at(2024, 5, 11, 21, 48, 12)
    assert snap.derived_impact == "none"


def test_history_resolved_uses_date_updated() -> None:
    snap = slack.parse(_load("history.json"))
    assert snap.page_status.indicator is None
    resolved = snap.incidents[0]
    assert resolved.id == "546"
    assert resolved.status == "resolved"
    assert resolved.resolved_at == _at(2018, 9, 8, 4, 2, 49)
    assert [u.status for u in resolved.updates] == ["resolved", "update"]
    assert resolved.updates[1].text == "We're investigating connection trouble.\n\nMore soon."


def test_history_maintenance_statuses() -> None:
    snap = slack.parse(_load("history.json"))
    assert [i.id for i in snap.incidents] == ["546", "549"]
    completed, cancelled = snap.maintenances
    assert isinstance(completed, Maintenance)
    assert (completed.status, completed.impact) == ("completed", "maintenance")
    assert completed.resolved_at == _at(2018, 9, 10, 10, 0)
    # date_updated earlier than date_created: never update before the start.
    assert cancelled.status == "cancelled"
    assert cancelled.updated_at == cancelled.started_at == _at(2018, 9, 12, 8, 0)
    assert cancelled.resolved_at == _at(2018, 9, 12, 8, 0)


def test_history_components_only_open() -> None:
    snap = slack.parse(_load("history.json"))
    assert [(c.name, c.status) for c in snap.components] == [("Calls", "partial_outage")]


def test_active_maintenance_is_in_progress() -> None:
    data = (
        b'[{"id":9,"date_created":"2024-01-01T00:00:00-07:00","date_updated":"2024-01-01T01:00:00'
        b'-07:00","title":"Upgrade","type":"maintenance","status":"active","services":["Search"],'
        b'"notes":[]}]'
    )
    snap = slack.parse(data)
    (maintenance,) = snap.maintenances
    assert maintenance.status == "in_progress"
    assert maintenance.is_open
    assert [(c.name, c.status) for c in snap.components] == [("Search", "maintenance")]


def test_active_without_incidents_is_minor_and_unknown_word_is_unknown() -> None:
    active = slack.parse(b'{"status":"active","active_incidents":[]}')
    assert active.page_status.indicator == "minor"
    odd = slack.parse(b'{"status":"degraded","active_incidents":[]}')
    assert odd.page_status.indicator == "unknown"
    assert odd.page_status.description == "degraded"
    numeric = slack.parse(b'{"status":3,"active_incidents":[]}')
    assert numeric.page_status.indicator == "unknown"


def test_hostile_text_is_cleaned() -> None:
    data = (
        b'{"status":"active","active_incidents":[{"id":1,"date_created":"2024-01-01T00:00:00Z",'
        b'"title":"\\u001b[31mred\\u202e","type":"incident","status":"active",'
        b'"services":["A\\u0007"],"notes":[{"date_created":"2024-01-01T00:00:00Z",'
        b'"body":"<script>x</script>hi\\u001b]0;t\\u0007"}]}]}'
    )
    incident = slack.parse(data).incidents[0]
    assert incident.title == "red"
    assert incident.components == ("A",)
    assert incident.updates[0].text == "hi"
    assert incident.updated_at == incident.started_at
    assert all(is_safe(t) for t in (incident.title, incident.updates[0].text))


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"<html><body>502</body></html>",
        b"42",
        b'{"foo": 1}',
        b'{"status":"ok","active_incidents":{}}',
        b'{"status":"active","active_incidents":[1]}',
        b'{"status":"active","active_incidents":[{"id":true,"date_created":"2024-01-01T00:00:00Z"}]}',
        b'{"status":"active","active_incidents":[{"date_created":"2024-01-01T00:00:00Z"}]}',
        b'[{"id":1,"date_created":"2024-01-01T00:00:00Z","notes":{}}]',
        b'[{"id":1,"date_created":"2024-01-01T00:00:00Z","services":[{"name":"x"}]}]',
    ],
)
def test_malformed_raises_feed_error(data: bytes) -> None:
    with pytest.raises(FeedError) as info:
        slack.parse(data)
    assert info.value.kind == "slack"
