"""A severity, impact or status value a parser cannot map (a number, a new word) reads as
``unknown``, never as ``none``/``operational``; a field that is absent keeps each format's
convention.  (GCP, AWS, Instatus and Checkly have such cases in their own test modules.)"""

from __future__ import annotations

import json
from typing import Any

import pytest

from watchtui.sources import betterstack, heroku, incidentio, pagerduty, slack, statusio, statuspage

UNREADABLE: list[Any] = [3, "catastrophic", ["major"], True]


def _body(value: Any) -> bytes:
    return json.dumps(value).encode()


# --- Statuspage / incident.io -----------------------------------------------------------------


def _sp_incident(**fields: Any) -> dict[str, Any]:
    row = {"id": "i", "name": "n", "status": "investigating", "created_at": "2024-01-01T00:00:00Z"}
    row.update(fields)
    return row


@pytest.mark.parametrize("impact", UNREADABLE)
def test_statuspage_unreadable_impact_is_unknown(impact: Any) -> None:
    snap = statuspage.parse(_body({"incidents": [_sp_incident(impact=impact)]}))
    assert snap.incidents[0].impact == "unknown"
    # Unknown ranks above "none", so the page cannot look fine because of it.
    assert snap.derived_impact == "unknown"


@pytest.mark.parametrize("impact", UNREADABLE)
def test_statuspage_unreadable_maintenance_impact_is_unknown(impact: Any) -> None:
    row = _sp_incident(impact=impact, status="scheduled", scheduled_for="2024-01-02T00:00:00Z")
    snap = statuspage.parse(_body({"scheduled_maintenances": [row]}))
    assert snap.maintenances[0].impact == "unknown"


@pytest.mark.parametrize(("impact", "expected"), [(None, "none"), ("", "none"), ("MAJOR", "major")])
def test_statuspage_absent_impact_keeps_its_convention(impact: Any, expected: str) -> None:
    row = _sp_incident(impact=impact)
    assert statuspage.parse(_body({"incidents": [row]})).incidents[0].impact == expected
    maintenance = dict(row, scheduled_for="2024-01-02T00:00:00Z")
    (parsed,) = statuspage.parse(_body({"scheduled_maintenances": [maintenance]})).maintenances
    assert parsed.impact == ("maintenance" if expected == "none" else expected)


def test_incidentio_shares_the_rule() -> None:
    snap = incidentio.parse(_body({"incidents": [_sp_incident(impact=2)]}))
    assert snap.incidents[0].impact == "unknown"


@pytest.mark.parametrize("status", [3, "exploded"])
def test_statuspage_unreadable_component_status_is_unknown(status: Any) -> None:
    snap = statuspage.parse(_body({"components": [{"id": "c", "name": "C", "status": status}]}))
    assert snap.components[0].status == "unknown"


# --- Slack ------------------------------------------------------------------------------------


def _slack(kind: Any) -> bytes:
    row: dict[str, Any] = {"id": 1, "date_created": "2024-01-01T00:00:00Z", "status": "active",
                           "services": ["Calls"], "notes": []}  # fmt: skip
    if kind is not None:
        row["type"] = kind
    return _body({"status": "active", "active_incidents": [row]})


@pytest.mark.parametrize("kind", [3, "meltdown"])
def test_slack_unreadable_type_is_unknown(kind: Any) -> None:
    snap = slack.parse(_slack(kind))
    assert snap.incidents[0].impact == "unknown"
    assert [(c.name, c.status) for c in snap.components] == [("Calls", "unknown")]
    assert snap.page_status.indicator == "unknown"


def test_slack_missing_type_is_an_incident() -> None:
    snap = slack.parse(_slack(None))
    assert snap.incidents[0].impact == "minor"
    assert snap.components[0].status == "degraded"


# --- Heroku -----------------------------------------------------------------------------------


def _heroku(issue: dict[str, Any], system_colour: Any = "green") -> bytes:
    base = {"id": 1, "created_at": "2024-01-01T00:00:00Z", "resolved": False, "updates": []}
    base.update(issue)
    return _body({"status": [{"system": "Apps", "status": system_colour}], "incidents": [base]})


@pytest.mark.parametrize("colour", [3, "purple"])
def test_heroku_unreadable_colour_is_unknown(colour: Any) -> None:
    snap = heroku.parse(_heroku({"status_prod": colour}, system_colour=colour))
    assert snap.incidents[0].impact == "unknown"
    assert snap.components[0].status == "unknown"
    assert snap.page_status.indicator == "unknown"


@pytest.mark.parametrize(
    ("issue", "impact"),
    [
        ({}, "minor"),  # no colour at all: an incident is still trouble
        ({"status_prod": "green", "status_dev": "green"}, "minor"),
        ({"status_prod": "red", "status_dev": "purple"}, "critical"),  # readable worse wins
        (
            {"updates": [{"id": 2, "created_at": "2024-01-01T00:01:00Z", "status_prod": 7}]},
            "unknown",
        ),
    ],
)
def test_heroku_impact_conventions(issue: dict[str, Any], impact: str) -> None:
    assert heroku.parse(_heroku(issue)).incidents[0].impact == impact


# --- status.io --------------------------------------------------------------------------------


def _statusio(messages: list[dict[str, Any]], container_code: Any = 100) -> bytes:
    incident = {"_id": "i", "datetime_open": "2024-01-01T00:00:00Z", "messages": messages}
    container = {"id": "k", "name": "EU", "status_code": container_code}
    component = {"id": "c", "name": "API", "containers": [container]}
    return _body({"result": {"status": [component], "incidents": [incident]}})


def test_statusio_unreadable_codes_are_unknown() -> None:
    message = {"datetime": "2024-01-01T00:01:00Z", "status": 999, "state": 100}
    snap = statusio.parse(_statusio([message], container_code=999))
    assert snap.incidents[0].impact == "unknown"
    assert snap.components[0].status == "unknown"


@pytest.mark.parametrize(("status", "impact"), [(None, "minor"), (100, "minor"), (400, "major")])
def test_statusio_impact_conventions(status: Any, impact: str) -> None:
    message = {"datetime": "2024-01-01T00:01:00Z", "status": status}
    assert statusio.parse(_statusio([message])).incidents[0].impact == impact


# --- Better Stack -----------------------------------------------------------------------------


def _betterstack(report_state: str, resource_status: Any) -> bytes:
    return _body(
        {
            "data": {"id": "1", "type": "status_page", "attributes": {"aggregate_state": "odd"}},
            "included": [
                {"id": "r", "type": "status_page_resource",
                 "attributes": {"public_name": "API", "status": resource_status}},
                {"id": "s", "type": "status_report",
                 "attributes": {"title": "t", "report_type": "manual",
                                "starts_at": "2024-01-01T00:00:00Z",
                                "affected_resources": [
                                    {"status_page_resource_id": "r", "status": report_state}]}},
            ],
        }
    )  # fmt: skip


def test_betterstack_unreadable_states_are_unknown() -> None:
    snap = betterstack.parse(_betterstack("exploding", 3))
    assert snap.incidents[0].impact == "unknown"
    assert snap.components[0].status == "unknown"
    assert snap.page_status.indicator == "unknown"


@pytest.mark.parametrize(("state", "impact"), [("operational", "minor"), ("downtime", "critical")])
def test_betterstack_impact_conventions(state: str, impact: str) -> None:
    assert betterstack.parse(_betterstack(state, "operational")).incidents[0].impact == impact


# --- PagerDuty (legacy embedded summary) ----------------------------------------------------------


@pytest.mark.parametrize(
    ("severity", "indicator"), [("catastrophic", "unknown"), (4, "unknown"), (None, "minor")]
)
def test_pagerduty_legacy_severity(severity: Any, indicator: str) -> None:
    update = {} if severity is None else {"severity": severity}
    body = {"summary": {"open_incidents": [{"title": "t", "updates": [update]}]}}
    assert pagerduty.parse(_body(body)).page_status.indicator == indicator
