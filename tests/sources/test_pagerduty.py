from __future__ import annotations

import json

import pytest

from tests.conftest import FIXTURES
from watchtui.domain.errors import FeedError
from watchtui.sources import pagerduty


def _load(name: str) -> bytes:
    return (FIXTURES / "pagerduty" / name).read_bytes()


def _data(headline: str, has_error: bool | None) -> bytes:
    status_page: dict[str, object] = {"globalStatusHeadline": headline}
    if has_error is not None:
        status_page["globalStatusHeadlineHasError"] = has_error
    return json.dumps({"layout": {"layout_settings": {"statusPage": status_page}}}).encode()


def test_operational_page() -> None:
    snap = pagerduty.parse(_load("data_operational.json"))
    assert snap.page_name == "GitHub Enterprise Cloud - Australia"
    assert snap.page_status.indicator == "none"
    assert snap.page_status.description == "All Systems Operational"
    assert snap.incidents == ()
    assert snap.derived_impact == "none"


def test_business_services_become_grouped_components() -> None:
    snap = pagerduty.parse(_load("data_operational.json"))
    assert [(c.id, c.name, c.group, c.status) for c in snap.components] == [
        ("SVC1", "API Requests", "Core", "operational"),
        ("SVC2", "Git Operations", "Core", "operational"),
        ("BS3", "Webhooks", None, "operational"),
    ]


def test_outage_headline_leaves_components_unknown() -> None:
    snap = pagerduty.parse(_load("data_outage.json"))
    assert snap.page_status.indicator == "critical"
    assert snap.page_status.description == "Major Service Outage"
    assert [(c.name, c.group, c.status) for c in snap.components] == [
        ("REST API (US)", "APIs", "unknown")
    ]
    assert snap.derived_impact == "critical"


@pytest.mark.parametrize(
    ("headline", "has_error", "indicator"),
    [
        ("Everything is running smoothly", None, "none"),
        ("Something surprising", False, "none"),
        ("Scheduled Maintenance", True, "maintenance"),
        ("Partial System Outage", True, "major"),
        ("Degraded Performance", True, "minor"),
        ("Service disruption", None, "critical"),
        ("Something surprising", True, "minor"),
        # Unflagged and unreadable: a claim watchtui cannot read, not "no claim".
        ("Something surprising", None, "unknown"),
        ("", None, None),
    ],
)
def test_headline_mapping(headline: str, has_error: bool | None, indicator: str | None) -> None:
    assert pagerduty.parse(_data(headline, has_error)).page_status.indicator == indicator


def test_legacy_embedded_summary() -> None:
    snap = pagerduty.parse(_load("legacy_summary.json"))
    assert snap.page_status.indicator == "major"
    assert snap.page_status.description == "Delayed notifications; Planned work"
    calm = pagerduty.parse(b'{"summary":{"open_incidents":[]}}')
    assert calm.page_status.indicator == "none"


def test_hostile_names_cleaned() -> None:
    data = (
        b'{"layout":{"layout_settings":{"name":"\\u001b]0;x\\u0007Page",'
        b'"statusPage":{"globalStatusHeadline":"All good\\u202e",'
        b'"globalStatusHeadlineHasError":false},'
        b'"business_services":[{"id":"B","displayName":"\\u001b[31mAPI"}]}}}'
    )
    snap = pagerduty.parse(data)
    assert snap.page_name == "Page"
    assert snap.page_status.description == "All good"
    assert snap.components[0].name == "API"


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"<!DOCTYPE html><html></html>",
        b"[]",
        b'{"other": 1}',
        b'{"layout": []}',
        b'{"layout": {}}',
        b'{"layout": {"layout_settings": {"statusPage": "x"}}}',
        _data("x", None).replace(b'"x"}', b'"x", "globalStatusHeadlineHasError": "yes"}'),
        b'{"layout":{"layout_settings":{"business_services":{}}}}',
        b'{"layout":{"layout_settings":{"business_services":[{"id":[1],"name":"x"}]}}}',
        b'{"summary":{"open_incidents":[{"updates":"x"}]}}',
    ],
)
def test_malformed_raises_feed_error(data: bytes) -> None:
    with pytest.raises(FeedError) as info:
        pagerduty.parse(data)
    assert info.value.kind == "pagerduty"
