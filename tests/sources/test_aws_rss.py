"""AWS status RSS parser on fixtures written in the documented shape (tests/fixtures/aws-rss)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.conftest import FIXTURES
from watchtui.domain.errors import FeedError
from watchtui.domain.model import Incident, Snapshot
from watchtui.sources import aws_rss

DIR = FIXTURES / "aws-rss"


def _parse(name: str) -> Snapshot:
    return aws_rss.parse((DIR / name).read_bytes())


def _utc(
    year: int,
    month: int,
    day: int,
    hour: int = 0,
    minute: int = 0,
    second: int = 0,
    microsecond: int = 0,
) -> datetime:
    return datetime(year, month, day, hour, minute, second, microsecond, tzinfo=UTC)


def _incident(snap: Snapshot, incident_id: str) -> Incident:
    [found] = [i for i in snap.incidents if i.id == incident_id]
    return found


def test_channel_fields_and_pst_build_date() -> None:
    snap = _parse("all.rss")
    assert snap.kind == "aws-rss"
    assert snap.page_name == "Amazon Web Services Service Status"
    assert snap.page_url == "http://status.aws.amazon.com/"
    assert snap.updated_at == _utc(2022, 1, 12, 15, 5, 42)  # 07:05:42 PST
    assert snap.page_status.indicator is None


def test_updates_are_grouped_into_incidents() -> None:
    snap = _parse("all.rss")
    # 9 items: ec2 has 4 updates forming 2 incidents; the other 5 are one each.
    assert [i.id for i in snap.incidents] == [
        "lambda-eu-south-3_1641999600",
        "billingconsole_1641998700",
        "ec2-us-east-1_1641918600",
        "ec2-us-east-1_1641834900",
        "internetconnectivity-us-gov-west-1_1641774000",
        "rds-ap-northeast-1_1641589500",
        "route53_1631670000",
    ]


def test_resolved_incident_then_a_new_informational_message() -> None:
    snap = _parse("all.rss")
    old = _incident(snap, "ec2-us-east-1_1641834900")
    assert old.title == "Instance connectivity"
    assert [u.status for u in old.updates] == ["resolved", "investigating", "investigating"]
    assert [u.at for u in old.updates] == [
        _utc(2022, 1, 10, 19, 47),
        _utc(2022, 1, 10, 18, 2),
        _utc(2022, 1, 10, 17, 15),
    ]
    assert old.status == "resolved"
    assert old.resolved_at == _utc(2022, 1, 10, 19, 47)
    assert old.started_at == _utc(2022, 1, 10, 17, 15)
    assert old.impact == "major"  # it went through a service disruption
    assert old.components == ("ec2",)
    assert old.regions == ("us-east-1",)

    new = _incident(snap, "ec2-us-east-1_1641918600")
    assert new.is_open
    assert new.status == "investigating"
    assert new.impact == "minor"
    assert new.title == "Increased launch latencies"
    assert len(new.updates) == 1


def test_severity_prefixes() -> None:
    snap = _parse("all.rss")
    assert _incident(snap, "lambda-eu-south-3_1641999600").impact == "major"
    assert _incident(snap, "billingconsole_1641998700").impact == "minor"
    perf = _incident(snap, "internetconnectivity-us-gov-west-1_1641774000")
    assert perf.impact == "minor"
    assert perf.title == "Slow snapshot creation"
    assert perf.updates[0].text == (
        "Snapshot creation is slower than usual.\n\nWe are working on it."
    )


def test_resolved_tag_after_informational_prefix_resolves() -> None:
    rds = _incident(_parse("all.rss"), "rds-ap-northeast-1_1641589500")
    assert rds.title == "Increased API errors"
    assert rds.resolved_at == _utc(2022, 1, 7, 21, 5)
    assert rds.impact == "minor"
    assert rds.regions == ("ap-northeast-1",)


def test_regions_from_slug() -> None:
    snap = _parse("all.rss")
    assert _incident(snap, "billingconsole_1641998700").regions == ()  # global service
    assert _incident(snap, "billingconsole_1641998700").components == ("billingconsole",)
    assert _incident(snap, "internetconnectivity-us-gov-west-1_1641774000").regions == (
        "us-gov-west-1",
    )
    # Not in the region table yet but shaped like a region code: kept, not dropped.
    lam = _incident(snap, "lambda-eu-south-3_1641999600")
    assert lam.regions == ("eu-south-3",)
    assert lam.components == ("lambda",)


def test_pdt_dates() -> None:
    route53 = _incident(_parse("all.rss"), "route53_1631670000")
    assert route53.started_at == _utc(2021, 9, 15, 1, 40)  # 18:40 PDT
    assert route53.resolved_at == _utc(2021, 9, 15, 1, 40)
    assert route53.regions == ()


def test_open_incidents_and_derived_impact() -> None:
    snap = _parse("all.rss")
    assert [i.id for i in snap.open_incidents] == [
        "lambda-eu-south-3_1641999600",
        "billingconsole_1641998700",
        "ec2-us-east-1_1641918600",
        "internetconnectivity-us-gov-west-1_1641774000",
    ]
    assert snap.derived_impact == "major"


def test_quiet_service_feed() -> None:
    snap = _parse("ec2-us-east-1_quiet.rss")
    assert snap.page_name == "Amazon Elastic Compute Cloud (N. Virginia) Service Status"
    assert snap.incidents == ()
    assert snap.updated_at == _utc(2021, 12, 20, 8, 5, 42)
    assert snap.derived_impact == "none"


def test_nested_prefix_same_time_and_slugless_item() -> None:
    snap = _parse("oddities.rss")
    s3, heads_up = snap.incidents
    # Same pubDate twice: feed order (newest first) decides, so the resolving item is last.
    assert s3.status == "resolved"
    assert s3.title == "Console sign-in errors"
    assert [u.status for u in s3.updates] == ["resolved", "investigating"]
    assert len({u.id for u in s3.updates}) == 2
    assert s3.url == "http://status.aws.amazon.com/"  # javascript: link dropped, older one kept
    assert heads_up.id == "http://status.aws.amazon.com/sample1"
    assert heads_up.title == "Heads up: a post without a service slug"
    assert heads_up.is_open and heads_up.impact == "minor"
    assert heads_up.components == () and heads_up.regions == ()


@pytest.mark.parametrize(
    "path",
    [
        DIR / "error_page.html",
        FIXTURES / "rss" / "error_page_wellformed.html",
        FIXTURES / "rss" / "truncated.atom",
        FIXTURES / "rss" / "billion_laughs.xml",
        FIXTURES / "rss" / "external_entity.xml",
        FIXTURES / "rss" / "random.bin",
    ],
    ids=lambda p: p.name,
)
def test_refuses_non_feeds(path: Path) -> None:
    with pytest.raises(FeedError) as caught:
        aws_rss.parse(path.read_bytes())
    assert caught.value.kind == "aws-rss"


def test_item_without_usable_date_is_dropped_alone() -> None:
    good = (
        b"<item><title>Informational message: y</title>"
        b"<guid>http://status.aws.amazon.com/#ec2-us-east-1_1488319860</guid></item>"
    )
    data = (
        b"<rss version='2.0'><channel><title>x</title>"
        b"<item><title>Informational message: x</title><guid>nothing</guid></item>"
        b"<item><title>Performance issues: z</title><guid>other</guid>"
        b"<pubDate>Tue, 31 Feb 2017 10:00:00 PST</pubDate></item>" + good + b"</channel></rss>"
    )
    snap = aws_rss.parse(data)
    assert [i.id for i in snap.incidents] == ["ec2-us-east-1_1488319860"]
    assert [(d.what, d.id) for d in snap.dropped] == [("update", "nothing"), ("update", "other")]
    assert snap.dropped[0].reason == "no pubDate or dated guid time"
    assert snap.dropped[1].reason == "pubDate 'Tue, 31 Feb 2017 10:00:00 PST' is not a usable time"


def test_guid_epoch_dates_an_item_without_pubdate() -> None:
    data = (
        b"<rss version='2.0'><channel><title>x</title>"
        b"<item><title>Informational message: x</title>"
        b"<guid>http://status.aws.amazon.com/#ec2-us-east-1_1488319860</guid></item>"
        b"</channel></rss>"
    )
    [incident] = aws_rss.parse(data).incidents
    assert incident.started_at == _utc(2017, 2, 28, 22, 11)
