"""The rss parser on every real Statuspage history feed in ../shared/feeds/rss-atom.

Expected values were read off the raw XML (entry counts, <small>/<strong> labels, published and
updated stamps, schedule headers), not from the parser's output.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from watchtui.domain.model import Incident, Maintenance, Snapshot
from watchtui.domain.text import is_safe
from watchtui.sources import rss

RealFeed = Callable[[str], bytes]


def _parse(real_feed: RealFeed, name: str) -> Snapshot:
    return rss.parse(real_feed(f"rss-atom/{name}"))


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


def _entry(snap: Snapshot, entry_id: str) -> Incident:
    [found] = [i for i in (*snap.incidents, *snap.maintenances) if i.id == entry_id]
    return found


# (file, entries, maintenances, open items, total update paragraphs)
COUNTS = [
    ("githubstatus_history_2019-11-22.atom", 25, 0, 0, 100),
    ("metastatuspage_history_2019-11-23.atom", 25, 4, 0, 61),
    ("symantec-wss_history_2020-01-02.atom", 25, 12, 4, 58),
    ("digitalocean_history_2020-01-13.atom", 25, 5, 1, 85),
    ("digitalocean_history_2020-01-11.rss", 25, 5, 1, 85),
    ("streamyard_history_2024-06-10.atom", 17, 0, 0, 46),
    ("streamyard_history_2024-06-10.rss", 17, 0, 0, 46),
]


@pytest.mark.parametrize(("name", "entries", "maintenances", "still_open", "updates"), COUNTS)
def test_counts(
    real_feed: RealFeed, name: str, entries: int, maintenances: int, still_open: int, updates: int
) -> None:
    snap = _parse(real_feed, name)
    items = (*snap.incidents, *snap.maintenances)
    assert len(items) == entries
    assert len(snap.maintenances) == maintenances
    assert all(i.impact == "maintenance" for i in snap.maintenances)
    assert all(i.impact == "minor" for i in snap.incidents)
    assert sum(i.is_open for i in items) == still_open
    assert sum(len(i.updates) for i in items) == updates
    for item in items:
        assert item.started_at <= item.updated_at
        assert [u.at for u in item.updates] == sorted((u.at for u in item.updates), reverse=True)
        assert all(is_safe(u.text) and u.text for u in item.updates)


def test_github(real_feed: RealFeed) -> None:
    snap = _parse(real_feed, "githubstatus_history_2019-11-22.atom")
    assert snap.page_name == "GitHub Status - Incident History"
    assert snap.page_url == "https://www.githubstatus.com"
    assert snap.updated_at == _utc(2019, 11, 22, 8, 10, 2)
    incident = _entry(snap, "tag:www.githubstatus.com,2005:Incident/3182284")
    assert incident.title == "Incident on 2019-11-05 13:42 UTC"
    assert incident.url == "https://www.githubstatus.com/incidents/42hkbtl63nmn"
    assert len(incident.updates) == 10
    assert incident.updates[0].status == "resolved"
    assert incident.updates[0].at == _utc(2019, 11, 5, 20, 44)
    assert incident.updates[-1].status == "investigating"
    assert incident.updates[-1].at == _utc(2019, 11, 5, 13, 42)
    assert incident.resolved_at == _utc(2019, 11, 5, 20, 44)
    assert incident.started_at == _utc(2019, 11, 5, 13, 42)
    assert {u.status for u in incident.updates[1:-1]} == {"update"}


def test_metastatuspage_local_offsets(real_feed: RealFeed) -> None:
    snap = _parse(real_feed, "metastatuspage_history_2019-11-23.atom")
    assert snap.updated_at == _utc(2019, 11, 23, 8, 0, 2)  # 00:00:02-08:00
    # -08:00 entry, update stamps in PST.
    private = _entry(snap, "tag:metastatuspage.com,2005:Incident/405")
    assert private.title == "Access to private pages"
    assert [u.status for u in private.updates] == [
        "resolved",
        "monitoring",
        "identified",
        "investigating",
    ]
    assert private.resolved_at == _utc(2019, 11, 21, 2, 35)  # Nov 20 18:35 PST
    assert private.started_at == _utc(2019, 11, 21, 1, 0)  # Nov 20 17:00 PST
    assert private.updated_at == _utc(2019, 11, 21, 2, 35, 29)  # <updated> 18:35:29-08:00
    # -07:00 entry, update stamps in PDT.
    marketing = _entry(snap, "tag:metastatuspage.com,2005:Incident/366")
    assert marketing.resolved_at == _utc(2019, 10, 29, 22, 1)  # Oct 29 15:01 PDT
    assert marketing.started_at == _utc(2019, 10, 29, 21, 6)  # Oct 29 14:06 PDT


def test_metastatuspage_maintenances(real_feed: RealFeed) -> None:
    snap = _parse(real_feed, "metastatuspage_history_2019-11-23.atom")
    assert sorted(m.title for m in snap.maintenances) == [
        "Load Balancer Maintenance",
        "Network Maintenance",
        "Network Maintenance",
        "Upgrading load balancers",
    ]
    balancer = _entry(snap, "tag:metastatuspage.com,2005:Incident/401")
    assert isinstance(balancer, Maintenance)
    assert [u.status for u in balancer.updates] == ["completed", "in_progress", "scheduled"]
    assert balancer.resolved_at == _utc(2019, 11, 11, 2, 19)  # Nov 10 18:19 PST
    assert balancer.started_at == _utc(2019, 11, 8, 20, 27)  # Nov 8 12:27 PST
    upgrading = _entry(snap, "tag:metastatuspage.com,2005:Incident/284")
    assert len(upgrading.updates) == 7
    assert upgrading.updates[0].status == "completed"
    assert upgrading.updates[-1].status == "scheduled"
    assert upgrading.resolved_at == _utc(2019, 7, 15, 2, 53)  # Jul 14 19:53 PDT
    assert upgrading.started_at == _utc(2019, 7, 11, 22, 5)  # Jul 11 15:05 PDT


def test_symantec_future_maintenance(real_feed: RealFeed) -> None:
    snap = _parse(real_feed, "symantec-wss_history_2020-01-02.atom")
    sin3 = _entry(snap, "tag:wss.status.symantec.com,2005:Incident/3315566")
    assert isinstance(sin3, Maintenance)
    assert sin3.title == "Network Maintenance in Singapore (SIN3) Data Center January 9, 2020"
    assert sin3.status == "scheduled"
    assert sin3.is_open
    # <published> 2020-01-09T14:00 is later than <updated> 2019-12-17T09:26:20.
    assert sin3.scheduled_for == _utc(2020, 1, 9, 14, 0)
    assert sin3.scheduled_until == _utc(2020, 1, 9, 18, 0)
    assert [(u.status, u.at) for u in sin3.updates] == [
        ("update", _utc(2019, 12, 17, 9, 25)),
        ("scheduled", _utc(2019, 12, 12, 21, 28)),
    ]
    # <strong>Impact</strong>, <strong>Required Action</strong> … stay inside the update.
    assert "Required Action" in sin3.updates[1].text
    assert "Original schedule" in sin3.updates[1].text
    gru1 = _entry(snap, "tag:wss.status.symantec.com,2005:Incident/3315586")
    assert isinstance(gru1, Maintenance)
    assert gru1.scheduled_for == _utc(2020, 1, 8, 21, 0)
    assert gru1.scheduled_until == _utc(2020, 1, 9, 1, 0)
    maa1 = _entry(snap, "tag:wss.status.symantec.com,2005:Incident/3314768")
    assert isinstance(maa1, Maintenance)
    assert maa1.scheduled_for == _utc(2020, 1, 7, 15, 30)
    assert maa1.scheduled_until == _utc(2020, 1, 7, 19, 30)
    assert [u.status for u in maa1.updates] == ["scheduled"]
    assert sorted(m.title[:30] for m in snap.maintenances if m.is_open) == [
        "Network Maintenance in Chennai",
        "Network Maintenance in Johanne",
        "Network Maintenance in Sao Pau",
        "Network Maintenance in Singapo",
    ]


def test_symantec_completed_maintenance_with_extra_labels(real_feed: RealFeed) -> None:
    snap = _parse(real_feed, "symantec-wss_history_2020-01-02.atom")
    ua = _entry(snap, "tag:wss.status.symantec.com,2005:Incident/3358378")
    assert [u.status for u in ua.updates] == ["completed", "update", "in_progress", "scheduled"]
    assert ua.resolved_at == _utc(2019, 12, 27, 17, 35)
    assert ua.started_at == _utc(2019, 12, 25, 5, 32)
    assert "Action required" in ua.updates[-1].text
    beijing = _entry(snap, "tag:wss.status.symantec.com,2005:Incident/3381831")
    assert beijing.title == "Beijing (PEK1) Data Center Unavailable"
    assert [u.status for u in beijing.updates] == ["resolved", "monitoring", "investigating"]
    assert beijing.resolved_at == _utc(2020, 1, 2, 15, 41)


def test_digitalocean_rss_and_atom_agree(real_feed: RealFeed) -> None:
    atom = _parse(real_feed, "digitalocean_history_2020-01-13.atom")
    feed = _parse(real_feed, "digitalocean_history_2020-01-11.rss")
    assert atom.page_name == feed.page_name == "DigitalOcean Status - Incident History"
    assert [i.title for i in atom.incidents] == [i.title for i in feed.incidents]
    assert [m.title for m in atom.maintenances] == [m.title for m in feed.maintenances]
    for a, r in zip(
        (*atom.incidents, *atom.maintenances), (*feed.incidents, *feed.maintenances), strict=True
    ):
        assert [(u.status, u.at, u.text) for u in a.updates] == [
            (u.status, u.at, u.text) for u in r.updates
        ]
        assert a.url == r.url
    assert feed.updated_at == _utc(2020, 1, 11, 11, 57, 20)  # channel <pubDate>
    assert atom.updated_at == _utc(2020, 1, 13, 8, 10, 49)
    [block] = [m for m in feed.maintenances if m.is_open]
    assert block.title == "Block Storage Maintenance"
    assert block.status == "in_progress"
    assert block.id == block.url == "https://status.digitalocean.com/incidents/qz40dp1qcs1d"
    assert block.started_at == _utc(2020, 1, 7, 23, 59)


def test_digitalocean_rss_description_quirks(real_feed: RealFeed) -> None:
    feed = _parse(real_feed, "digitalocean_history_2020-01-11.rss")
    email = feed.maintenances[0]
    assert email.title == "Disruption of DigitalOcean Email Notifications"
    assert email.id == "https://status.digitalocean.com/incidents/2yyk6j58xcxh"
    assert [u.status for u in email.updates] == [
        "completed",
        "verifying",
        "in_progress",
        "scheduled",
    ]
    assert email.updates[-1].at == _utc(2020, 1, 9, 14, 27)
    assert email.resolved_at == _utc(2020, 1, 11, 11, 57)
    assert email.updates[-1].text.startswith("A planned maintenance will be occurring")
    assert "DigitalOcean’s Email Service Providers" in email.updates[-1].text


def test_digitalocean_backfilled_entry(real_feed: RealFeed) -> None:
    atom = _parse(real_feed, "digitalocean_history_2020-01-13.atom")
    [floating] = [i for i in atom.incidents if i.title == "Floating IP Issues in BLR1"]
    # <published> 23:30:00 is later than <updated> 16:20:47; the only update says 23:30.
    assert floating.resolved_at == _utc(2019, 12, 12, 23, 30)
    assert floating.started_at == _utc(2019, 12, 12, 23, 30)
    assert len(floating.updates) == 1


def test_streamyard_rss_and_atom_agree(real_feed: RealFeed) -> None:
    atom = _parse(real_feed, "streamyard_history_2024-06-10.atom")
    feed = _parse(real_feed, "streamyard_history_2024-06-10.rss")
    assert [i.title for i in atom.incidents] == [i.title for i in feed.incidents]
    assert atom.updated_at == feed.updated_at == _utc(2024, 6, 10, 11, 10, 42)
    first = feed.incidents[0]
    assert first.title == "Networking issues"
    assert [u.status for u in first.updates] == ["resolved", "update", "investigating"]
    assert first.resolved_at == _utc(2024, 2, 8, 9, 0)
    assert first.started_at == _utc(2024, 2, 8, 8, 29)
    # Atom <updated> 2024-02-09T17:35:55Z is later than any update.
    assert atom.incidents[0].updated_at == _utc(2024, 2, 9, 17, 35, 55)
    assert feed.incidents[-1].updates[-1].status == "identified"
    assert feed.incidents[-1].started_at == _utc(2022, 2, 14, 19, 4)
