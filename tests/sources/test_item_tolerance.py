"""One unusable time loses one item or update, recorded in ``Snapshot.dropped`` with the field it
came from; the rest of the payload still counts.  Each case edits one field of a fixture; what
must survive is read off the unedited fixture's own parse."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from tests.conftest import FIXTURES
from tests.sources.test_gcp import _feed as gcp_feed
from tests.sources.test_gcp import _incident as gcp_incident
from watchtui.domain.model import Incident, Snapshot
from watchtui.sources import gcp, parse_payload

# Valid ISO 8601, but converting to UTC leaves the calendar (year 0 / year 10000).
BEFORE_YEAR_1 = "0001-01-01T00:00:00+05:00"
AFTER_9999 = "9999-12-31T23:00:00-05:00"


@dataclass(frozen=True)
class Case:
    kind: str
    fixture: str
    # Edits the raw document in place; returns the raw value written.
    edit: Callable[[Any], Any]
    what: str
    # Id the drop is recorded under, and for an update, the id of the item that keeps living.
    dropped_id: str
    owner: str | None
    field: str
    # The item's id when readable, where its id embeds the time (AWS legacy: slug@epoch).
    readable_id: str | None = None


def _set(path: tuple[Any, ...], value: Any) -> Callable[[Any], Any]:
    def edit(doc: Any) -> Any:
        node = doc
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
        return value

    return edit


_AWS_ARN = (
    "arn:aws:health:::event/MULTIPLE_SERVICES/AWS_MULTIPLE_SERVICES_OPERATIONAL_ISSUE/"
    "AWS_MULTIPLE_SERVICES_OPERATIONAL_ISSUE_FIXTURE3"
)

CASES = {
    "statuspage-incident-overflow": Case(
        "statuspage", "statuspage/summary_groups.json",
        _set(("incidents", 0, "started_at"), BEFORE_YEAR_1),
        "incident", "inc-crit", None, "started_at",
    ),
    "statuspage-maintenance-far": Case(
        "statuspage", "statuspage/summary_groups.json",
        _set(("scheduled_maintenances", 0, "scheduled_for"), AFTER_9999),
        "maintenance", "mnt-live", None, "scheduled_for",
    ),
    "statuspage-update-garbage": Case(
        "statuspage", "statuspage/summary_groups.json",
        _set(("incidents", 0, "incident_updates", 0, "display_at"), "yesterday"),
        "update", "u1", "inc-crit", "display_at",
    ),
    "incidentio-incident": Case(
        "incidentio", "incidentio/summary.json",
        _set(("incidents", 0, "created_at"), BEFORE_YEAR_1),
        "incident", "01KY54SWGRK806N6TJ495MYPDD", None, "created_at",
    ),
    "aws-event-date": Case(
        "aws", "aws/currentevents_utf8.json", _set((0, "date"), "soon"),
        "incident", _AWS_ARN, None, "date",
    ),
    "aws-event-log": Case(
        "aws", "aws/currentevents_utf8.json", _set((0, "event_log", 1, "timestamp"), "1e30"),
        "update", f"{_AWS_ARN}#log-1", _AWS_ARN, "event_log timestamp",
    ),
    "aws-legacy-date": Case(
        "aws", "aws/status-data.json", _set(("archive", 0, "date"), "1e300"),
        "incident", "ec2-us-east-1@1e300", None, "date", "ec2-us-east-1@1628316607",
    ),
    "slack-incident": Case(
        "slack", "slack/history.json", _set((0, "date_created"), AFTER_9999),
        "incident", "546", None, "date_created",
    ),
    "slack-note": Case(
        "slack", "slack/history.json", _set((0, "notes", 1, "date_created"), 5),
        "update", "546 note 2", "546", "date_created",
    ),
    "heroku-issue": Case(
        "heroku", "heroku/current_status.json", _set(("incidents", 0, "created_at"), AFTER_9999),
        "incident", "3001", None, "created_at",
    ),
    "heroku-update": Case(
        "heroku", "heroku/current_status.json",
        _set(("incidents", 0, "updates", 0, "created_at"), "later"),
        "update", "9002", "3001", "created_at",
    ),
    "statusio-incident": Case(
        "statusio", "statusio/status_incident.json",
        _set(("result", "incidents", 0, "datetime_open"), BEFORE_YEAR_1),
        "incident", "inc1", None, "datetime_open",
    ),
    "statusio-message": Case(
        "statusio", "statusio/status_incident.json",
        _set(("result", "incidents", 0, "messages", 0, "datetime"), "x"),
        "update", "inc1 message 1", "inc1", "datetime",
    ),
    "statusio-maintenance": Case(
        "statusio", "statusio/status_incident.json",
        _set(("result", "maintenance", "upcoming", 0, "datetime_planned_end"), AFTER_9999),
        "maintenance", "m2", None, "datetime_planned_end",
    ),
}  # fmt: skip


def _items(snapshot: Snapshot, what: str) -> tuple[Incident, ...]:
    return snapshot.maintenances if what == "maintenance" else snapshot.incidents


def _all_items(snapshot: Snapshot) -> dict[str, Incident]:
    return {i.id: i for i in (*snapshot.incidents, *snapshot.maintenances)}


@pytest.mark.parametrize("name", sorted(CASES))
def test_one_unusable_time_loses_one_thing(name: str) -> None:
    case = CASES[name]
    raw = (FIXTURES / case.fixture).read_bytes()
    whole = parse_payload(case.kind, raw)
    doc = json.loads(raw)
    written = case.edit(doc)
    snapshot = parse_payload(case.kind, json.dumps(doc).encode())

    (dropped,) = [d for d in snapshot.dropped if d not in whole.dropped]
    assert (dropped.what, dropped.id) == (case.what, case.dropped_id)
    assert dropped.reason.startswith(f"{case.field} '{written}'")
    assert dropped.reason.count("is not a usable time") == 1

    if case.owner is None:
        # The item is gone; every other item of the payload is still there, unchanged.
        lost_id = case.readable_id or case.dropped_id
        expected = [i for i in _items(whole, case.what) if i.id != lost_id]
        assert len(expected) == len(_items(whole, case.what)) - 1
        survivors = {i.id: i for i in _items(snapshot, case.what)}
        assert list(survivors) == [i.id for i in expected]
        other = "incident" if case.what == "maintenance" else "maintenance"
        assert _items(snapshot, other) == _items(whole, other)
    else:
        # The update is gone; its item and every other update stay.
        before, after = _all_items(whole), _all_items(snapshot)
        assert list(after) == list(before)
        lost = {u.id for u in before[case.owner].updates}
        lost -= {u.id for u in after[case.owner].updates}
        assert len(lost) == 1
        assert len(after[case.owner].updates) == len(before[case.owner].updates) - 1


def test_aws_status_change_with_unusable_time_is_recorded_and_skipped() -> None:
    raw = (FIXTURES / "aws" / "currentevents_utf8.json").read_bytes()
    doc = json.loads(raw)
    doc[0]["impacted_service_status_changes"][0]["timestamp"] = True
    snapshot = parse_payload("aws", json.dumps(doc).encode())
    assert [(d.what, d.id) for d in snapshot.dropped] == [("update", f"{_AWS_ARN}#change-0")]
    assert snapshot.dropped[0].reason.startswith("status change timestamp 'True'")
    # The event itself, its log and its services stay.
    whole = parse_payload("aws", raw)
    assert snapshot.incidents == whole.incidents
    assert snapshot.components == whole.components


def test_a_dropped_item_does_not_also_report_its_updates() -> None:
    doc = json.loads((FIXTURES / "statuspage" / "summary_groups.json").read_bytes())
    doc["incidents"][0]["started_at"] = "garbage"
    doc["incidents"][0]["incident_updates"][0]["display_at"] = "garbage too"
    snapshot = parse_payload("statuspage", json.dumps(doc).encode())
    assert [(d.what, d.id) for d in snapshot.dropped] == [("incident", "inc-crit")]


def test_an_item_without_any_time_is_dropped_not_the_payload() -> None:
    doc = json.loads((FIXTURES / "statuspage" / "incidents.json").read_bytes())
    first = doc["incidents"][0]
    for key in ("started_at", "created_at", "updated_at"):
        first.pop(key, None)
    first["incident_updates"] = []
    snapshot = parse_payload("statuspage", json.dumps(doc).encode())
    assert [(d.what, d.id) for d in snapshot.dropped] == [("incident", first["id"])]
    assert len(snapshot.incidents) == len(doc["incidents"]) - 1


# --- GCP: incidents and updates (update ids are positions, see gcp._update_id) --------------------

_GCP_GOOD = gcp_incident(id="Good", begin="2022-07-18T10:00:00+00:00")


@pytest.mark.parametrize(
    ("bad", "field", "raw"),
    [
        (gcp_incident(begin=None, created=None), "begin/created", None),
        (gcp_incident(begin=12345), "begin", "12345"),
        (gcp_incident(begin="yesterday"), "begin", "yesterday"),
        (gcp_incident(end="not a date"), "end", "not a date"),
        (
            gcp_incident(modified="2022-13-45T99:00:00+00:00"),
            "modified",
            "2022-13-45T99:00:00+00:00",
        ),
        # A valid local time that UTC cannot hold (year 0 after applying the offset).
        (gcp_incident(begin="0001-01-01T00:00:00+05:00"), "begin", "0001-01-01T00:00:00+05:00"),
        (gcp_incident(end="9999-12-31T23:00:00-05:00"), "end", "9999-12-31T23:00:00-05:00"),
    ],
)
def test_gcp_unusable_incident_time_drops_that_incident_only(
    bad: Any, field: str, raw: Any
) -> None:
    snap = gcp.parse(gcp_feed(bad, _GCP_GOOD))
    assert [i.id for i in snap.incidents] == [_GCP_GOOD["id"]]
    assert [c.name for c in snap.components] == [_GCP_GOOD["service_name"]]
    (dropped,) = snap.dropped
    assert (dropped.what, dropped.id) == ("incident", bad["id"])
    assert field in dropped.reason
    if raw is not None:
        assert f"'{raw}'" in dropped.reason


def test_gcp_unusable_update_time_drops_that_update_only() -> None:
    good = gcp_incident()["updates"][0]
    bad = dict(good, created="2022-07-19T99:00:00+00:00", when="2022-07-19T99:00:00+00:00")
    timeless = {"text": "no time", "status": "AVAILABLE"}
    # Feed order is newest first: the bad updates are the two newest.
    snap = gcp.parse(gcp_feed(gcp_incident(updates=[timeless, bad, good])))
    (incident,) = snap.incidents
    assert [u.text for u in incident.updates] == [good["text"]]
    assert [(d.what, d.id) for d in snap.dropped] == [("update", "Inc1#2"), ("update", "Inc1#1")]
    assert snap.dropped[0].reason.startswith("no when/created time")
    assert snap.dropped[1].reason.startswith("created '2022-07-19T99:00:00+00:00'")
    assert all(d.reason.endswith("(in incident Inc1)") for d in snap.dropped)


def test_gcp_dropped_incident_does_not_also_report_its_updates() -> None:
    update = dict(gcp_incident()["updates"][0], when="garbage")
    snap = gcp.parse(gcp_feed(gcp_incident(begin="garbage", updates=[update])))
    assert snap.incidents == ()
    assert [(d.what, d.id) for d in snap.dropped] == [("incident", "Inc1")]
