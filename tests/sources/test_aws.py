"""AWS Health JSON on small fixtures of our own: currentevents (UTF-16BE with BOM and UTF-8),
the legacy data.json with Pacific-time update stamps, and the services.json catalogue."""

from __future__ import annotations

import codecs
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from watchtui.domain.errors import FeedError
from watchtui.domain.model import Incident, Snapshot
from watchtui.domain.text import is_safe
from watchtui.sources import parser_for
from watchtui.sources.aws import HEALTH_URL, LEGACY_URL, parse

ReadFixture = Callable[[str], bytes]

ARN1 = (
    "arn:aws:health:eu-west-1::event/MULTIPLE_SERVICES/AWS_MULTIPLE_SERVICES_OPERATIONAL_ISSUE/"
    "AWS_MULTIPLE_SERVICES_OPERATIONAL_ISSUE_FIXTURE1"
)
ARN2 = (
    "arn:aws:health:us-east-1::event/S3/AWS_S3_OPERATIONAL_ISSUE/AWS_S3_OPERATIONAL_ISSUE_FIXTURE2"
)


def utc(
    year: int,
    month: int,
    day: int,
    hour: int = 0,
    minute: int = 0,
    second: int = 0,
    microsecond: int = 0,
) -> datetime:
    return datetime(year, month, day, hour, minute, second, microsecond, tzinfo=UTC)


def by_id(snapshot: Snapshot, incident_id: str) -> Incident:
    return next(i for i in snapshot.incidents if i.id == incident_id)


def event(**overrides: Any) -> dict[str, Any]:
    """A minimal currentevents entry; tests override what they exercise."""
    base: dict[str, Any] = {
        "date": "1772369485",
        "arn": "arn:aws:health:us-west-2::event/EC2/AWS_EC2_OPERATIONAL_ISSUE/X",
        "region_name": "Oregon",
        "status": "3",
        "service": "ec2-us-west-2",
        "service_name": "Amazon Elastic Compute Cloud",
        "summary": "Instance impairments",
        "event_log": [
            {"summary": "s", "message": "Investigating.", "status": 3, "timestamp": 1772369485}
        ],
        "impacted_services": {
            "ec2-us-west-2": {
                "service_name": "Amazon Elastic Compute Cloud",
                "current": "3",
                "max": "3",
            }
        },
        "impacted_service_status_changes": [],
    }
    base.update(overrides)
    return base


def encode(payload: Any) -> bytes:
    return json.dumps(payload).encode()


def assert_all_text_safe(snapshot: Snapshot) -> None:
    def strings(value: Any) -> list[str]:
        if isinstance(value, str):
            return [value]
        if isinstance(value, dict):
            return [s for v in value.values() for s in strings(v)]
        if isinstance(value, list | tuple):
            return [s for v in value for s in strings(v)]
        return []

    for text in strings(snapshot.model_dump(mode="json")):
        assert is_safe(text), text


# --- currentevents --------------------------------------------------------------------------


def test_registered_under_aws_kind() -> None:
    assert parser_for("aws") is parse


def test_currentevents_utf16be_with_bom(fixture_bytes: ReadFixture) -> None:
    raw = fixture_bytes("aws/currentevents_utf16be.json")
    assert raw.startswith(codecs.BOM_UTF16_BE)
    snap = parse(raw)
    assert snap.kind == "aws"
    assert snap.page_url == HEALTH_URL
    assert [i.id for i in snap.incidents] == [ARN1, ARN2]
    assert [i.id for i in snap.open_incidents] == [ARN1]
    assert snap.page_status.indicator == "major"
    assert snap.page_status.description == "1 open event"
    assert snap.derived_impact == "major"
    assert_all_text_safe(snap)


def test_open_event_fields(fixture_bytes: ReadFixture) -> None:
    incident = by_id(parse(fixture_bytes("aws/currentevents_utf16be.json")), ARN1)
    # ANSI colour codes and the bidi override are stripped from the title.
    assert incident.title == "Increased API Error Rates"
    assert incident.status == "update"
    assert incident.impact == "major"
    assert incident.started_at == utc(2026, 3, 1, 12, 0, 0)
    assert incident.resolved_at is None
    assert incident.regions == ("eu-west-1",)
    assert incident.url == HEALTH_URL
    assert incident.components == (
        "Amazon Elastic Compute Cloud",
        "AWS Lambda",
        "Amazon CloudFront",
    )


def test_status_change_milliseconds_count_for_updated_at(fixture_bytes: ReadFixture) -> None:
    snap = parse(fixture_bytes("aws/currentevents_utf16be.json"))
    incident = by_id(snap, ARN1)
    # The newest log entry is 13:00 UTC; services changed again at 15:30 UTC (given in ms).
    assert incident.updates[0].at == utc(2026, 3, 1, 13, 0, 0)
    assert incident.updated_at == utc(2026, 3, 1, 15, 30, 0)
    assert snap.updated_at == utc(2026, 3, 1, 15, 30, 0)


def test_event_log_newest_first_with_html_flattened(fixture_bytes: ReadFixture) -> None:
    incident = by_id(parse(fixture_bytes("aws/currentevents_utf16be.json")), ARN1)
    assert [u.at for u in incident.updates] == [
        utc(2026, 3, 1, 13, 0, 0),
        utc(2026, 3, 1, 12, 0, 0),
    ]
    assert [u.id for u in incident.updates] == [f"{ARN1}#1772370000", f"{ARN1}#1772366400"]
    assert incident.updates[0].text == "We have identified the cause.\n\nSee the docs & retry."
    assert incident.updates[1].text == (
        "We are investigating increased API error rates in the EU-WEST-1 Region."
    )
    assert {u.status for u in incident.updates} == {"update"}


def test_components_per_impacted_service(fixture_bytes: ReadFixture) -> None:
    snap = parse(fixture_bytes("aws/currentevents_utf16be.json"))
    components = {c.id: c for c in snap.components}
    # The resolved S3 event names s3-us-east-1: a derived listing leaves it out (recovered).
    assert snap.component_listing == "derived"
    assert set(components) == {"ec2-eu-west-1", "lambda-eu-west-1", "cloudfront@eu-west-1"}
    assert components["ec2-eu-west-1"].status == "partial_outage"
    assert components["lambda-eu-west-1"].status == "degraded"
    # A global service inside a regional event: qualified by that region, recovered ("0").
    assert components["cloudfront@eu-west-1"].status == "operational"
    assert components["cloudfront@eu-west-1"].regions == ("eu-west-1",)
    assert components["cloudfront@eu-west-1"].name == "Amazon CloudFront"
    assert components["ec2-eu-west-1"].group == "Ireland"


def test_resolved_event_with_end_time(fixture_bytes: ReadFixture) -> None:
    snap = parse(fixture_bytes("aws/currentevents_utf16be.json"))
    incident = by_id(snap, ARN2)
    assert incident.resolved_at == utc(2026, 2, 20, 9, 30, 0)
    assert incident.status == "resolved"
    assert incident.impact == "minor"
    assert incident.updates[0].status == "resolved"
    assert incident.regions == ("us-east-1",)
    # Its service is named by no open event, so it is not listed: recovered (derived listing).
    assert incident.components == ("Amazon Simple Storage Service",)
    assert "s3-us-east-1" not in {c.id for c in snap.components}


def test_currentevents_utf8_without_bom(fixture_bytes: ReadFixture) -> None:
    raw = fixture_bytes("aws/currentevents_utf8.json")
    assert raw[:1] == b"["
    snap = parse(raw)
    (incident,) = snap.incidents
    assert incident.title == "Région indisponible — Region unavailable"
    assert incident.impact == "critical"
    # The ARN has no region, so the display name "Bahrain" is looked up.
    assert incident.regions == ("me-south-1",)
    assert incident.started_at == utc(2026, 3, 2, 5, 0, 0)


def test_updates_in_the_same_second_get_distinct_ids(fixture_bytes: ReadFixture) -> None:
    (incident,) = parse(fixture_bytes("aws/currentevents_utf8.json")).incidents
    ids = [u.id for u in incident.updates]
    assert len(set(ids)) == 2
    assert incident.updates[0].text == "Second of two posts in the same second."
    assert ids[0].endswith("-2")


def test_empty_array_means_all_clear(fixture_bytes: ReadFixture) -> None:
    for raw in (fixture_bytes("aws/currentevents_empty_utf16be.json"), b"[]", b" [ ]\n"):
        snap = parse(raw)
        assert snap.incidents == ()
        assert snap.components == ()
        assert snap.page_status.indicator == "none"
        assert snap.derived_impact == "none"
        assert snap.updated_at is None


def test_utf8_with_bom() -> None:
    snap = parse(codecs.BOM_UTF8 + encode([event()]))
    assert len(snap.incidents) == 1


@pytest.mark.parametrize(
    ("code", "impact", "status"),
    [
        ("1", "minor", "degraded"),
        ("2", "major", "partial_outage"),
        ("3", "critical", "major_outage"),
        # A code AWS never used reads as unknown, never as minor or none.
        ("9", "unknown", "unknown"),
        ("major", "unknown", "unknown"),
    ],
)
def test_status_codes(code: str, impact: str, status: str) -> None:
    services = {"ec2-us-west-2": {"service_name": "EC2", "current": code, "max": code}}
    snap = parse(encode([event(status=code, impacted_services=services)]))
    assert snap.incidents[0].impact == impact
    assert snap.components[0].status == status


def test_status_zero_without_end_time_is_resolved() -> None:
    services = {"ec2-us-west-2": {"service_name": "EC2", "current": "0", "max": "3"}}
    snap = parse(encode([event(status="0", impacted_services=services)]))
    incident = snap.incidents[0]
    assert incident.resolved_at == incident.updated_at == utc(2026, 3, 1, 12, 51, 25)
    # Resolved: its services are not listed (derived listing: they are operational again).
    assert snap.components == ()


def test_event_without_status_code_is_minor() -> None:
    raw = event()
    del raw["status"]
    assert parse(encode([raw])).incidents[0].impact == "minor"


def test_milliseconds_and_seconds_give_the_same_time() -> None:
    in_ms = [{"summary": "s", "message": "m", "status": 3, "timestamp": 1772369485000}]
    a = parse(encode([event()])).incidents[0]
    b = parse(encode([event(event_log=in_ms)])).incidents[0]
    assert a.updates[0].at == b.updates[0].at == utc(2026, 3, 1, 12, 51, 25)


def test_int_date_and_string_end_time() -> None:
    snap = parse(encode([event(date=1772369485, end_time="1772373085")]))
    assert snap.incidents[0].started_at == utc(2026, 3, 1, 12, 51, 25)
    assert snap.incidents[0].resolved_at == utc(2026, 3, 1, 13, 51, 25)


def test_same_service_in_two_events_keeps_the_worse_status() -> None:
    first = event(impacted_services={"ec2-us-west-2": {"service_name": "EC2", "current": "1"}})
    second = event(
        arn="arn:aws:health:us-west-2::event/EC2/AWS_EC2_OPERATIONAL_ISSUE/Y",
        impacted_services={"ec2-us-west-2": {"service_name": "EC2", "current": "3"}},
    )
    snap = parse(encode([first, second]))
    assert [(c.id, c.status) for c in snap.components] == [("ec2-us-west-2", "major_outage")]


def test_hostile_text_is_cleaned() -> None:
    hostile = "\x1b]0;owned\x07Title\u202e\u200b [bold]x[/]"
    log = [{"summary": "s", "message": hostile + "<script>x</script>", "status": 3, "timestamp": 1}]
    snap = parse(encode([event(summary=hostile, event_log=log, arn="arn:aws:health:\x1b[2J::e")]))
    assert_all_text_safe(snap)
    assert snap.incidents[0].title == "Title [bold]x[/]"


# --- legacy data.json -----------------------------------------------------------------------


def test_legacy_archive_all_resolved(fixture_bytes: ReadFixture) -> None:
    snap = parse(fixture_bytes("aws/status-data.json"))
    assert snap.page_url == LEGACY_URL
    assert len(snap.incidents) == 5
    archived = snap.incidents[:4]
    assert all(i.resolved_at is not None and i.status == "resolved" for i in archived)
    assert [i.title for i in archived] == [
        "Increased API Error Rates",
        "Elevated Error Rates",
        "Connectivity Issues",
        "Increased Error Rates",
    ]
    assert [i.impact for i in archived] == ["major", "critical", "minor", "minor"]
    assert_all_text_safe(snap)


def test_legacy_pdt_day_rollover(fixture_bytes: ReadFixture) -> None:
    incident = by_id(parse(fixture_bytes("aws/status-data.json")), "ec2-us-east-1@1628316607")
    assert incident.started_at == utc(2021, 8, 7, 6, 10, 7)
    # 11:10 PM, 11:45 PM, then 12:20 AM and 1:05 AM PDT on the next day.
    assert [u.at for u in reversed(incident.updates)] == [
        utc(2021, 8, 7, 6, 10),
        utc(2021, 8, 7, 6, 45),
        utc(2021, 8, 7, 7, 20),
        utc(2021, 8, 7, 8, 5),
    ]
    assert incident.resolved_at == incident.updated_at == utc(2021, 8, 7, 8, 5)
    assert incident.updates[0].status == "resolved"
    assert {u.status for u in incident.updates[1:]} == {"update"}
    assert incident.updates[1].text == "We are seeing recovery.\nError rates are falling."
    assert incident.regions == ("us-east-1",)
    assert incident.components == ("Amazon Elastic Compute Cloud (N. Virginia)",)


def test_legacy_pst_dated_stamps_across_new_year(fixture_bytes: ReadFixture) -> None:
    incident = by_id(parse(fixture_bytes("aws/status-data.json")), "cloudfront@1641018640")
    assert incident.started_at == utc(2022, 1, 1, 6, 30, 40)
    # "10:30 PM PST" is 40 s before the event's date: the same day, not the next one.
    assert [u.at for u in reversed(incident.updates)] == [
        utc(2022, 1, 1, 6, 30),
        utc(2022, 1, 1, 8, 15),
        utc(2022, 1, 1, 10, 0),
    ]
    assert incident.resolved_at == utc(2022, 1, 1, 10, 0)
    assert incident.regions == ()  # a global service


def test_legacy_pdt_to_pst_switch_is_not_a_rollover(fixture_bytes: ReadFixture) -> None:
    incident = by_id(
        parse(fixture_bytes("aws/status-data.json")), "internetconnectivity-us-west-2@1636273200"
    )
    # 1:20 AM PDT then 1:10 AM PST on 7 Nov 2021 is fifty minutes later, not a day.
    assert [u.at for u in reversed(incident.updates)] == [
        utc(2021, 11, 7, 8, 20),
        utc(2021, 11, 7, 9, 10),
    ]
    assert incident.regions == ("us-west-2",)


def test_legacy_unreadable_stamp_and_region_from_name(fixture_bytes: ReadFixture) -> None:
    incident = by_id(parse(fixture_bytes("aws/status-data.json")), "s3-us-standard@1636495106")
    first, second = reversed(incident.updates)
    assert first.at == utc(2021, 11, 9, 21, 58)
    # An unreadable stamp keeps its update, at the latest moment known so far, label in the text.
    assert second.at == utc(2021, 11, 9, 21, 58, 26)
    assert second.text == "soon An update with a stamp we cannot read."
    assert second.id == "s3-us-standard@1636495106#1636495106"
    # The update stamp is minute-rounded; resolution is never before the start.
    assert incident.resolved_at == incident.started_at == utc(2021, 11, 9, 21, 58, 26)
    # "us-standard" is not a region code; "(N. Virginia)" in the service name is.
    assert incident.regions == ("us-east-1",)


def test_legacy_current_event_is_open_with_component(fixture_bytes: ReadFixture) -> None:
    snap = parse(fixture_bytes("aws/status-data.json"))
    incident = by_id(snap, "lambda-eu-west-1@1652721211")
    assert incident.resolved_at is None
    assert incident.status == "update"
    assert incident.impact == "major"
    (component,) = snap.components
    assert (component.id, component.name, component.status, component.regions) == (
        "lambda-eu-west-1",
        "AWS Lambda (Ireland)",
        "partial_outage",
        ("eu-west-1",),
    )
    assert snap.page_status.indicator == "major"
    assert snap.updated_at == utc(2022, 5, 16, 17, 13, 31)


def test_legacy_current_resolved_prefix_closes_it() -> None:
    current = {
        "service_name": "Amazon Route 53",
        "summary": "[RESOLVED] DNS propagation delays",
        "date": "1653618095",
        "status": "1",
        "details": "",
        "description": '<div><span class="yellowfg"> 7:21 PM PDT</span>&nbsp;Resolved.</div>',
        "service": "route53",
    }
    snap = parse(encode({"archive": [], "current": [current]}))
    assert snap.incidents[0].resolved_at == utc(2022, 5, 27, 2, 21, 35)
    assert snap.incidents[0].title == "DNS propagation delays"
    assert snap.components == ()
    assert snap.page_status.indicator == "none"


def test_legacy_description_without_stamps() -> None:
    archived = {
        "service_name": "AWS IAM",
        "summary": "[RESOLVED] x",
        "date": "1653618095",
        "status": "1",
        "description": "<div>Plain text &amp; no time.</div>",
        "service": "iam",
    }
    (incident,) = parse(encode({"archive": [archived], "current": []})).incidents
    (update,) = incident.updates
    assert (update.at, update.text, update.status) == (
        utc(2022, 5, 27, 2, 21, 35),
        "Plain text & no time.",
        "resolved",
    )


# --- services.json catalogue ----------------------------------------------------------------


def test_catalogue_components_are_unknown(fixture_bytes: ReadFixture) -> None:
    snap = parse(fixture_bytes("aws/services.json"))
    assert snap.incidents == ()
    assert [c.id for c in snap.components] == [
        "ec2-eu-west-1",
        "ec2-us-gov-west-1",
        "cloudfront",
        "aws-partner-central",
    ]
    assert {c.status for c in snap.components} == {"unknown"}
    assert snap.page_status.indicator is None
    components = {c.id: c for c in snap.components}
    assert components["ec2-us-gov-west-1"].regions == ("us-gov-west-1",)
    assert components["ec2-us-gov-west-1"].group == "US-West"
    assert components["cloudfront"].regions == ()
    assert components["cloudfront"].group is None
    assert components["aws-partner-central"].name == "AWS Partner Central"


# --- malformed ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"not json",
        b"<html><body>Service Unavailable</body></html>",
        b'{"message": "Forbidden"}',
        b"42",
        b"[1, 2]",
        b'[{"unexpected": true}]',
        b'[{"arn": "a", "date": "1", "event_log": {"not": "a list"}}]',
        b'[{"arn": "a", "date": "1", "impacted_services": ["x"]}]',
        b'{"archive": 5, "current": []}',
        b'[{"service_name": "x", "event_type_code": "Y"}]',  # catalogue entry without service
        b"\xfe\xff\x00[\x00",  # truncated UTF-16
        b"\xff\xfe[\x00]",  # wrong byte order
    ],
)
def test_malformed_raises_feed_error(raw: bytes) -> None:
    with pytest.raises(FeedError) as excinfo:
        parse(raw)
    assert excinfo.value.kind == "aws"
