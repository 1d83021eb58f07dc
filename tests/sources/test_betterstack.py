from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.conftest import FIXTURES
from watchtui.domain.errors import FeedError
from watchtui.sources import betterstack


def _load() -> bytes:
    return (FIXTURES / "betterstack" / "index.json").read_bytes()


def _doc() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(_load())
    return loaded


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


def test_page() -> None:
    snap = betterstack.parse(_load())
    assert snap.page_name == "Example Co"
    assert snap.page_url == "https://exampleco.betteruptime.com"
    assert snap.updated_at == _at(2024, 8, 10, 12, 0)
    assert snap.page_status.indicator == "minor"
    assert snap.page_status.description == "Degraded performance"
    assert snap.derived_impact == "critical"


def test_resources_are_components_grouped_by_section() -> None:
    snap = betterstack.parse(_load())
    assert [(c.id, c.name, c.group, c.status) for c in snap.components] == [
        ("101", "Website", "Core", "operational"),
        ("102", "API", "Core", "degraded"),
        ("103", "Search", "Extras", "major_outage"),
        ("104", "Reports", "Extras", "maintenance"),
        ("105", "Legacy", "Extras", "unknown"),  # section id given as a string
    ]


def test_resolved_report_with_null_ends_at() -> None:
    resolved = betterstack.parse(_load()).incidents[0]
    assert resolved.id == "r1"
    assert resolved.status == "resolved"
    assert resolved.resolved_at == _at(2024, 8, 1, 11, 0)
    assert resolved.impact == "minor"
    assert resolved.components == ("API",)
    assert [(u.id, u.status) for u in resolved.updates] == [("u2", "resolved"), ("u1", "update")]


def test_open_report_updates_sorted_newest_first() -> None:
    open_report = betterstack.parse(_load()).incidents[1]
    assert (open_report.id, open_report.status, open_report.is_open) == (
        "r2",
        "investigating",
        True,
    )
    assert open_report.impact == "critical"  # an update marked Search as downtime
    assert [u.id for u in open_report.updates] == ["u4", "u3"]
    assert open_report.updates[1].text == "Search is down."
    assert open_report.started_at == _at(2024, 8, 10, 11, 0)
    assert open_report.updated_at == _at(2024, 8, 10, 11, 30)


def test_maintenance_reports() -> None:
    running, upcoming, done = betterstack.parse(_load()).maintenances
    assert (running.id, running.status, running.impact) == ("r3", "in_progress", "maintenance")
    assert running.scheduled_for == _at(2024, 8, 10, 9, 0)
    assert running.scheduled_until == _at(2024, 8, 10, 15, 0)
    assert running.components == ("Reports",)
    assert (upcoming.id, upcoming.status, upcoming.is_open) == ("r4", "scheduled", True)
    assert upcoming.updated_at == _at(2024, 8, 5, 9, 0)
    assert (done.id, done.status, done.is_open) == ("r5", "completed", False)
    assert done.resolved_at == _at(2024, 7, 1, 3, 0)
    assert [(u.id, u.status) for u in done.updates] == [("u7", "completed")]


def test_maintenance_window_covering_page_update_is_in_progress() -> None:
    doc = _doc()
    doc["data"]["attributes"]["updated_at"] = "2024-08-20T01:30:00Z"
    upcoming = betterstack.parse(json.dumps(doc).encode()).maintenances[1]
    assert upcoming.status == "in_progress"


def test_without_aggregate_state_all_resolved_closes() -> None:
    doc = _doc()
    report = next(i for i in doc["included"] if i["id"] == "r1")
    del report["attributes"]["aggregate_state"]
    assert not betterstack.parse(json.dumps(doc).encode()).incidents[0].is_open
    report["attributes"]["affected_resources"] = [
        {"status_page_resource_id": "102", "status": "degraded"}
    ]
    assert betterstack.parse(json.dumps(doc).encode()).incidents[0].is_open


def test_custom_domain_and_unknown_state() -> None:
    doc = _doc()
    doc["data"]["attributes"].update(custom_domain="status.example.com", aggregate_state="odd")
    snap = betterstack.parse(json.dumps(doc).encode())
    assert snap.page_url == "https://status.example.com"
    # A state outside the vocabulary is a claim watchtui cannot read.
    assert (snap.page_status.indicator, snap.page_status.description) == ("unknown", "odd")


def _with(mutate: str) -> bytes:
    doc = _doc()
    if mutate == "type":
        doc["data"]["type"] = "monitor"
    elif mutate == "included":
        doc["included"] = {"a": 1}
    elif mutate == "entry_id":
        doc["included"][0]["id"] = None
    elif mutate == "published_at":
        doc["included"][7]["attributes"]["published_at"] = None
    elif mutate == "affected":
        doc["included"][7]["attributes"]["affected_resources"] = "102"
    elif mutate == "report_time":
        report = doc["included"][-1]
        report["attributes"]["starts_at"] = None
        report["relationships"] = None
    elif mutate == "relationship":
        doc["included"][-1]["relationships"]["status_updates"]["data"] = [{"id": {"x": 1}}]
    return json.dumps(doc).encode()


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"<html></html>",
        b"[]",
        b'{"data": []}',
        b'{"data": {"type": "status_page"}}',
        _with("type"),
        _with("included"),
        _with("entry_id"),
        _with("affected"),
        _with("relationship"),
    ],
)
def test_malformed_raises_feed_error(data: bytes) -> None:
    with pytest.raises(FeedError) as info:
        betterstack.parse(data)
    assert info.value.kind == "betterstack"


def test_update_without_time_is_dropped_alone() -> None:
    whole = betterstack.parse(json.dumps(_doc()).encode())
    snap = betterstack.parse(_with("published_at"))
    lost = _doc()["included"][7]
    assert [(d.what, d.id) for d in snap.dropped] == [("update", lost["id"])]
    assert snap.dropped[0].reason == "no published_at time"
    # Every report survives; only the report that referenced the update lost it.
    assert [i.id for i in snap.incidents] == [i.id for i in whole.incidents]
    assert [m.id for m in snap.maintenances] == [m.id for m in whole.maintenances]
    before = {u.id for i in whole.incidents for u in i.updates}
    after = {u.id for i in snap.incidents for u in i.updates}
    assert before - after == {lost["id"]}


def test_report_without_time_is_dropped_alone() -> None:
    whole = betterstack.parse(json.dumps(_doc()).encode())
    snap = betterstack.parse(_with("report_time"))
    lost = _doc()["included"][-1]
    assert [(d.what, d.id, d.reason) for d in snap.dropped] == [
        ("maintenance", lost["id"], "no starts_at or update time")
    ]
    assert [m.id for m in snap.maintenances] == [
        m.id for m in whole.maintenances if m.id != lost["id"]
    ]
    assert snap.incidents == whole.incidents
