"""The AWS parser against the three real payloads (SOURCES.md §4).

Expected values were read from the raw files with Python (UTF-16BE decoded by hand, description
stamps read with a regex and converted from PDT/PST by hand), not from this parser's output.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime

from watchtui.domain.model import Incident, Snapshot
from watchtui.domain.text import is_safe
from watchtui.sources.aws import parse

RealFeed = Callable[[str], bytes]

CURRENTEVENTS = "aws/currentevents_2026-08-01_utf16be.json"
LEGACY = "aws/status-data_2022-07-03.json"
CATALOGUE = "aws/services_2026-03-24.json"

_PREFIX = "arn:aws:health:{}::event/MULTIPLE_SERVICES/AWS_MULTIPLE_SERVICES_OPERATIONAL_ISSUE/"
UAE_ARN = (
    _PREFIX.format("me-central-1") + "AWS_MULTIPLE_SERVICES_OPERATIONAL_ISSUE_5E6B8_EF2498889B5"
)
BAHRAIN_ARN = (
    _PREFIX.format("me-south-1") + "AWS_MULTIPLE_SERVICES_OPERATIONAL_ISSUE_E6426_01AD72B4E1E"
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


# --- currentevents (UTF-16BE with BOM) ------------------------------------------------------


def test_currentevents_two_open_region_events(real_feed: RealFeed) -> None:
    raw = real_feed(CURRENTEVENTS)
    assert raw[:2] == b"\xfe\xff"
    snap = parse(raw)
    assert [i.id for i in snap.incidents] == [UAE_ARN, BAHRAIN_ARN]
    assert len(snap.open_incidents) == 2
    assert [i.regions for i in snap.incidents] == [("me-central-1",), ("me-south-1",)]
    assert [i.title for i in snap.incidents] == ["Increased Error Rates"] * 2
    assert [i.impact for i in snap.incidents] == ["critical", "critical"]
    assert [len(i.components) for i in snap.incidents] == [140, 149]
    assert snap.page_status.indicator == "critical"
    assert snap.derived_impact == "critical"


def test_currentevents_times(real_feed: RealFeed) -> None:
    snap = parse(real_feed(CURRENTEVENTS))
    uae, bahrain = by_id(snap, UAE_ARN), by_id(snap, BAHRAIN_ARN)
    assert uae.started_at == utc(2026, 3, 1, 12, 51, 25)  # date "1772369485"
    assert bahrain.started_at == utc(2026, 3, 2, 5, 56, 27)  # date "1772430987"
    # Newest event_log entries: 1777533954 and 1777532831 (seconds).
    assert uae.updates[0].at == utc(2026, 4, 30, 7, 25, 54)
    assert bahrain.updates[0].at == utc(2026, 4, 30, 7, 7, 11)
    # Five global services recovered later: 1778054773000 and 1778053812000 (milliseconds).
    assert uae.updated_at == utc(2026, 5, 6, 8, 6, 13)
    assert bahrain.updated_at == utc(2026, 5, 6, 7, 50, 12)
    assert snap.updated_at == utc(2026, 5, 6, 8, 6, 13)
    assert uae.resolved_at is None and bahrain.resolved_at is None


def test_currentevents_updates(real_feed: RealFeed) -> None:
    snap = parse(real_feed(CURRENTEVENTS))
    uae, bahrain = by_id(snap, UAE_ARN), by_id(snap, BAHRAIN_ARN)
    assert [len(uae.updates), len(bahrain.updates)] == [23, 13]
    assert uae.updates[-1].at == uae.started_at
    assert uae.updates[-1].text == (
        "We are investigating issues with AWS services in the ME-CENTRAL-1 Region."
    )
    for incident in (uae, bahrain):
        times = [u.at for u in incident.updates]
        assert times == sorted(times, reverse=True)
        assert len({u.id for u in incident.updates}) == len(incident.updates)
    # One Bahrain update links to S3 docs with <a> tags: text only, URL kept as text.
    linked = [u.text for u in bahrain.updates if "replication.html" in u.text]
    assert len(linked) == 1
    assert "<a" not in linked[0]
    assert (
        "[1] https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication.html" in (linked[0])
    )


def test_currentevents_components(real_feed: RealFeed) -> None:
    snap = parse(real_feed(CURRENTEVENTS))
    assert len(snap.components) == 140 + 149
    by_region = Counter((c.regions, c.status) for c in snap.components)
    assert by_region == {
        (("me-central-1",), "major_outage"): 135,
        (("me-central-1",), "operational"): 5,
        (("me-south-1",), "major_outage"): 144,
        (("me-south-1",), "operational"): 5,
    }
    components = {c.id: c for c in snap.components}
    # Global services, listed in both events, are qualified by each event's region.
    for region in ("me-central-1", "me-south-1"):
        for slug in ("cloudfront", "route53", "management-console", "globalaccelerator"):
            assert components[f"{slug}@{region}"].status == "operational"
    assert components["s3-me-south-1"].name == "Amazon Simple Storage Service"
    assert components["s3-me-south-1"].status == "major_outage"
    assert components["s3-me-south-1"].group == "Bahrain"
    assert components["aps@me-central-1"].status == "major_outage"


# --- legacy status.aws.amazon.com/data.json -------------------------------------------------


def test_legacy_archive(real_feed: RealFeed) -> None:
    snap = parse(real_feed(LEGACY))
    assert len(snap.incidents) == 86
    assert snap.open_incidents == ()
    assert all(i.status == "resolved" for i in snap.incidents)
    assert Counter(i.impact for i in snap.incidents) == {"minor": 72, "major": 11, "critical": 3}
    assert sum(len(i.updates) for i in snap.incidents) == 352
    assert snap.components == ()
    assert snap.page_status.indicator == "none"
    # billingconsole, 2022-06-15, last stamp " 6:53 PM PDT".
    assert snap.updated_at == utc(2022, 6, 16, 1, 53)
    assert not any(i.title.startswith("[RESOLVED]") for i in snap.incidents)


def test_legacy_resolution_times(real_feed: RealFeed) -> None:
    snap = parse(real_feed(LEGACY))
    expected = {
        # id: (updates, last stamp in the description -> UTC)
        "dynamodb-us-east-1@1628298493": (9, utc(2021, 8, 7, 9, 53)),  # Aug 7,  2:53 AM PDT
        "directconnect-ap-northeast-1@1630543140": (8, utc(2021, 9, 7, 3, 25)),  # Sep 6, 8:25 PM
        "elasticbeanstalk-us-east-1@1640158400": (
            4,
            utc(2021, 12, 22, 11, 21),
        ),  # Dec 22, 3:21 AM PST
        "ec2-us-east-1@1640176551": (13, utc(2021, 12, 23, 0, 22)),  # 4:22 PM PST on Dec 22
        "ec2-us-east-1@1648779488": (9, utc(2022, 4, 1, 8, 45)),  # Apr 1,  1:45 AM PDT
        "certificatemanager-us-east-1@1624993969": (10, utc(2021, 6, 30, 2, 46)),  # 7:46 PM PDT
    }
    for incident_id, (count, resolved) in expected.items():
        incident = by_id(snap, incident_id)
        assert len(incident.updates) == count, incident_id
        assert incident.resolved_at == resolved, incident_id
        assert incident.updates[0].status == "resolved"


def test_legacy_update_times_are_chronological(real_feed: RealFeed) -> None:
    for incident in parse(real_feed(LEGACY)).incidents:
        times = [u.at for u in reversed(incident.updates)]
        assert times == sorted(times), incident.id
        # The event date is the first stamp, to the minute.
        assert abs((times[0] - incident.started_at).total_seconds()) < 60, incident.id


def test_legacy_regions(real_feed: RealFeed) -> None:
    snap = parse(real_feed(LEGACY))
    regionless = sorted(i.id.split("@")[0] for i in snap.incidents if not i.regions)
    assert regionless == sorted(
        ["billingconsole"] * 2
        + ["chime", "cloudfront", "iam", "route53", "supportcenter"]
        + ["management-console"] * 4
    )
    s3 = next(i for i in snap.incidents if i.id.startswith("s3-us-standard@"))
    assert s3.regions == ("us-east-1",)  # from "(N. Virginia)"
    tokyo = by_id(snap, "cloudwatch-ap-northeast-1@1626280770")
    assert tokyo.regions == ("ap-northeast-1",)
    assert tokyo.title == "エラー率およびレイテンシーの上昇 | Increased Error rates and Latencies"
    assert len(tokyo.updates) == 7


# --- services.json catalogue ----------------------------------------------------------------


def test_catalogue(real_feed: RealFeed) -> None:
    raw = real_feed(CATALOGUE)
    started = time.perf_counter()
    snap = parse(raw)
    elapsed = time.perf_counter() - started
    assert elapsed < 3.0, f"catalogue parse took {elapsed:.2f}s"
    assert snap.incidents == ()
    # Slugs are unique in the file, so nothing is merged.
    assert len(snap.components) == 5768
    assert {c.status for c in snap.components} == {"unknown"}
    # The catalogue says nothing about health, so watchtui cannot see it: unknown, never "none".
    assert snap.derived_impact == "unknown"
    # 23 entries have no region_id (SOURCES.md says 19: those lacking short_name too).
    regionless = sorted(c.id for c in snap.components if not c.regions)
    assert len(regionless) == 23
    assert {"cloudfront", "iam", "route53", "aws-partner-central", "spencer"} <= set(regionless)
    assert len({c.regions for c in snap.components if c.regions}) == 36
    first = snap.components[0]
    assert (first.id, first.name, first.group, first.regions) == (
        "certificatemanager-ap-southeast-6",
        "AWS Certificate Manager",
        "New Zealand",
        ("ap-southeast-6",),
    )
    assert all(is_safe(c.name) for c in snap.components)
