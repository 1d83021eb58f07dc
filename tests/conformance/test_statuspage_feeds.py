"""Real Statuspage v2 payloads (../shared/feeds/statuspage): exact values read off the raw JSON."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from tests.conftest import shared_feeds_dir
from watchtui.domain.model import Snapshot
from watchtui.domain.text import is_safe
from watchtui.sources import statuspage

RealFeed = Callable[[str], bytes]

FILES = (
    "statuspage/anthropic/summary_2026-07-29_major.json",
    "statuspage/cloudamqp/summary_2020-07-16_maintenance.json",
    "statuspage/cloudflare/summary_2026-07-29_major.json",
    "statuspage/github/incident_8n38wzt8fvj8_2010-09-27_legacy.json",
    "statuspage/github/incident_gqx5l06jjxhp_2023-06-29_critical.json",
    "statuspage/github/incident_t2xwk9mz56f4_2023-02-18_major_29updates.json",
    "statuspage/github/summary_2022-11-25_incident.json",
    "statuspage/github/summary_2026-07-24_major.json",
    "statuspage/twilio/summary_2020-06-16_la-offsets.json",
)


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def _load(real_feed: RealFeed, name: str) -> Snapshot:
    return statuspage.parse(real_feed(name))


def test_every_statuspage_file_is_covered() -> None:
    feeds = shared_feeds_dir()
    if feeds is None:
        pytest.skip("../shared/feeds is absent: real-payload conformance NOT checked")
    present = sorted(str(p.relative_to(feeds)) for p in (feeds / "statuspage").rglob("*.json"))
    assert present == sorted(FILES)


@pytest.mark.parametrize("name", FILES)
def test_every_file_parses_safely(real_feed: RealFeed, name: str) -> None:
    snapshot = _load(real_feed, name)
    assert snapshot.kind == "statuspage"
    texts = [snapshot.page_status.description, snapshot.page_name or ""]
    texts += [c.name for c in snapshot.components]
    for incident in (*snapshot.incidents, *snapshot.maintenances):
        texts += [incident.title, *incident.components, *(u.text for u in incident.updates)]
        ats = [u.at for u in incident.updates]
        assert ats == sorted(ats, reverse=True)
        assert incident.url is not None and incident.url.startswith(("https://", "http://"))
    assert all(is_safe(t) for t in texts)


# --- Cloudflare ----------------------------------------------------------------------------------

CLOUDFLARE = "statuspage/cloudflare/summary_2026-07-29_major.json"


@pytest.fixture
def cloudflare(real_feed: RealFeed) -> Snapshot:
    return _load(real_feed, CLOUDFLARE)


def test_cloudflare_page(cloudflare: Snapshot) -> None:
    assert cloudflare.page_name == "Cloudflare"
    assert cloudflare.page_url == "https://www.cloudflarestatus.com"
    assert cloudflare.updated_at == _utc("2026-07-29T20:03:43.993Z")
    assert cloudflare.page_status.indicator == "major"
    assert cloudflare.page_status.description == "Partial System Outage"
    # Workers is major_outage on the page, so watchtui's reading is worse than the page's claim.
    assert cloudflare.derived_impact == "critical"


def test_cloudflare_components_without_group_rows(cloudflare: Snapshot) -> None:
    # The payload's 470 rows include 8 group rows; the 415/33/20/2 status split in SOURCES.md
    # counts those too (7 groups partial_outage, 1 major_outage).
    assert len(cloudflare.components) == 462
    assert Counter(c.status for c in cloudflare.components) == {
        "operational": 415,
        "partial_outage": 26,
        "maintenance": 20,
        "major_outage": 1,
    }
    assert Counter(c.group for c in cloudflare.components) == {
        "Cloudflare Sites and Services": 125,
        "Africa": 33,
        "Asia": 95,
        "Europe": 58,
        "Latin America & the Caribbean": 57,
        "Middle East": 21,
        "North America": 59,
        "Oceania": 14,
    }
    assert not any(c.only_show_if_degraded for c in cloudflare.components)


def test_cloudflare_colo_regions(cloudflare: Snapshot) -> None:
    by_name = {c.name: c for c in cloudflare.components}
    amsterdam = by_name["Amsterdam, Netherlands - (AMS)"]
    assert (amsterdam.id, amsterdam.group, amsterdam.regions) == (
        "57ctn3f2qsyj",
        "Europe",
        ("AMS",),
    )
    # The raw name has a no-break space before "(JHB)".
    assert by_name["Johor Bahru, Malaysia - (JHB)"].regions == ("JHB",)
    assert by_name["Cloud Network Interconnect (CNI)"].regions == ()
    # Every colo (all children of the 7 geographic groups) has a code; no service does.
    with_region = [c for c in cloudflare.components if c.regions]
    assert len(with_region) == 337
    assert all(c.group != "Cloudflare Sites and Services" for c in with_region)


def test_cloudflare_open_incident(cloudflare: Snapshot) -> None:
    (incident,) = cloudflare.open_incidents
    assert incident.id == "z325n2dc14tk"
    assert incident.title == "Cloudflare Workers — Errors Deploying Workers Scripts"
    assert (incident.status, incident.impact) == ("identified", "major")
    # affected_components says "Cloudflare Sites and Services - Workers".
    assert incident.components == ("Workers",)
    assert incident.regions == ()
    assert incident.started_at == _utc("2026-07-29T20:03:32.073Z")
    assert incident.updated_at == _utc("2026-07-29T20:03:43.989Z")
    assert incident.url == "https://stspg.io/5jbwy32nh51w"
    (update,) = incident.updates
    assert update.id == "1kl6wqbp3qq4"
    assert update.at == _utc("2026-07-29T20:03:32.179Z")
    assert update.text.startswith(
        "Cloudflare is investigating an issue where a subset of Workers script deployment"
    )


def test_cloudflare_maintenances(cloudflare: Snapshot) -> None:
    assert len(cloudflare.maintenances) == 16
    assert Counter(m.status for m in cloudflare.maintenances) == {"scheduled": 12, "in_progress": 4}
    assert {m.impact for m in cloudflare.maintenances} == {"maintenance"}
    assert all(m.is_open for m in cloudflare.maintenances)
    karachi = next(m for m in cloudflare.maintenances if m.id == "7qhk4v76j4tx")
    assert karachi.title == "KHI (Karachi) on 2026-07-29"
    assert karachi.status == "in_progress"
    assert karachi.scheduled_for == _utc("2026-07-29T20:00:00Z")
    assert karachi.scheduled_until == _utc("2026-07-29T22:00:00Z")
    assert karachi.components == ("Karachi, Pakistan - (KHI)",)
    assert karachi.regions == ("KHI",)
    assert len(karachi.updates) == 3


# --- GitHub summaries ----------------------------------------------------------------------------


def test_github_2026_critical_incident_under_major_indicator(real_feed: RealFeed) -> None:
    snapshot = _load(real_feed, "statuspage/github/summary_2026-07-24_major.json")
    assert snapshot.page_status.indicator == "major"
    assert snapshot.derived_impact == "critical"
    assert len(snapshot.components) == 12
    assert [(c.name, c.status) for c in snapshot.components if c.status != "operational"] == [
        ("Pull Requests", "major_outage")
    ]
    (incident,) = snapshot.open_incidents
    assert (incident.id, incident.impact, incident.status) == (
        "jxd617hfwfq8",
        "critical",
        "investigating",
    )
    assert incident.components == ("Pull Requests",)
    assert len(incident.updates) == 3
    assert snapshot.maintenances == ()


def test_github_2022_incident_with_null_affected_components(real_feed: RealFeed) -> None:
    snapshot = _load(real_feed, "statuspage/github/summary_2022-11-25_incident.json")
    assert snapshot.page_status.indicator == "minor"
    assert snapshot.page_status.description == "Minor Service Outage"
    assert snapshot.derived_impact == "major"
    assert len(snapshot.components) == 11
    assert [(c.name, c.status) for c in snapshot.components if c.status != "operational"] == [
        ("Packages", "partial_outage")
    ]
    (incident,) = snapshot.incidents
    assert incident.is_open
    assert incident.components == ("Packages", "Pages")
    assert len(incident.updates) == 7
    assert {u.status for u in incident.updates} == {"investigating"}
    assert incident.updates[0].id == "k0x2s8g2plxb"
    assert incident.updates[-1].at == _utc("2022-11-25T14:39:09.577Z")


def test_anthropic(real_feed: RealFeed) -> None:
    snapshot = _load(real_feed, "statuspage/anthropic/summary_2026-07-29_major.json")
    assert snapshot.page_name == "Claude"
    assert snapshot.page_status.indicator == "major"
    assert snapshot.derived_impact == "critical"
    assert Counter(c.status for c in snapshot.components) == {
        "major_outage": 4,
        "operational": 2,
    }
    (incident,) = snapshot.open_incidents
    assert incident.impact == "critical"
    assert incident.components == (
        "claude.ai",
        "Claude API (api.anthropic.com)",
        "Claude Code",
        "Claude Cowork",
    )
    # "(api.anthropic.com)" is not a location code.
    assert incident.regions == ()
    assert snapshot.maintenances == ()


# --- Twilio: local offsets -----------------------------------------------------------------------

TWILIO = "statuspage/twilio/summary_2020-06-16_la-offsets.json"


def test_twilio_offsets_to_utc(real_feed: RealFeed) -> None:
    snapshot = _load(real_feed, TWILIO)
    # 2020-06-16T14:00:29.031-07:00
    assert snapshot.updated_at == datetime(2020, 6, 16, 21, 0, 29, 31000, tzinfo=UTC)
    incident = next(i for i in snapshot.incidents if i.id == "4dtnnnnxnhn9")
    # started_at 2020-06-16T13:27:41.521-07:00
    assert incident.started_at == datetime(2020, 6, 16, 20, 27, 41, 521000, tzinfo=UTC)
    # newest update 2020-06-16T14:00:29.019-07:00
    assert incident.updates[0].at == datetime(2020, 6, 16, 21, 0, 29, 19000, tzinfo=UTC)
    maintenance = snapshot.maintenances[0]
    assert maintenance.id == "9szb6ydlg10w"
    # 16:00-07:00 to 20:00-07:00 crosses midnight UTC.
    assert maintenance.scheduled_for == datetime(2020, 6, 16, 23, 0, tzinfo=UTC)
    assert maintenance.scheduled_until == datetime(2020, 6, 17, 3, 0, tzinfo=UTC)


def test_twilio_groups_and_prefixed_affected_components(real_feed: RealFeed) -> None:
    snapshot = _load(real_feed, TWILIO)
    # 73 rows = 65 components + 8 groups; 2 of SOURCES.md's 6 degraded rows are groups.
    assert len(snapshot.components) == 65
    assert Counter(c.status for c in snapshot.components) == {"operational": 61, "degraded": 4}
    assert len({c.group for c in snapshot.components if c.group}) == 8
    assert sum(1 for c in snapshot.components if c.group is None) == 8
    (docs,) = [c for c in snapshot.components if c.only_show_if_degraded]
    assert (docs.name, docs.group) == ("Documentation", "TWILIO PLATFORM")
    assert [(i.id, i.status) for i in snapshot.open_incidents] == [
        ("4dtnnnnxnhn9", "investigating"),
        ("r0f0vdz8vrgm", "monitoring"),
    ]
    mozambique, sprint = snapshot.incidents
    # affected_components: "CARRIER NETWORK - SMS, Middle East & Africa".
    assert mozambique.components == ("SMS, Middle East & Africa",)
    # "PROGRAMMABLE MESSAGING - MMS" etc. resolve to the four names of the incident's list.
    assert sprint.components == (
        "SMS",
        "MMS",
        "MMS Short Code, North America",
        "SMS Short Code, North America",
    )
    assert len(sprint.updates) == 5
    assert Counter(m.status for m in snapshot.maintenances) == {"scheduled": 9}


# --- CloudAMQP: maintenance in progress ----------------------------------------------------------


def test_cloudamqp_maintenance_in_progress(real_feed: RealFeed) -> None:
    snapshot = _load(real_feed, "statuspage/cloudamqp/summary_2020-07-16_maintenance.json")
    assert snapshot.page_status.indicator == "maintenance"
    assert snapshot.page_status.description == "Service Under Maintenance"
    assert snapshot.derived_impact == "maintenance"
    assert len(snapshot.components) == 23
    assert [(c.name, c.status) for c in snapshot.components if c.status != "operational"] == [
        ("Shared servers", "maintenance")
    ]
    assert snapshot.incidents == ()
    (maintenance,) = snapshot.maintenances
    assert maintenance.title == "Upgrade of shared servers “jellyfish”, “wildboar”, and “reindeer”"
    assert (maintenance.status, maintenance.impact) == ("in_progress", "maintenance")
    assert maintenance.resolved_at is None
    assert maintenance.scheduled_for == _utc("2020-07-16T21:00:00Z")
    assert maintenance.scheduled_until == _utc("2020-07-16T23:00:00Z")
    assert maintenance.components == ("Shared servers",)
    assert [u.status for u in maintenance.updates] == ["in_progress", "scheduled"]
    assert maintenance.updates[1].text.startswith(
        "We will upgrade RabbitMQ and Erlang versions on some of the shared servers.\n\nFor minimal"
    )


# --- GitHub single-incident endpoint -------------------------------------------------------------


def test_github_critical_incident_file(real_feed: RealFeed) -> None:
    snapshot = _load(real_feed, "statuspage/github/incident_gqx5l06jjxhp_2023-06-29_critical.json")
    assert snapshot.components == ()
    assert snapshot.page_status.indicator is None
    (incident,) = snapshot.incidents
    assert (incident.id, incident.status, incident.impact) == (
        "gqx5l06jjxhp",
        "resolved",
        "critical",
    )
    assert len(incident.updates) == 8
    assert incident.components == (
        "Git Operations",
        "API Requests",
        "Webhooks",
        "Issues",
        "Pull Requests",
        "Actions",
        "Packages",
        "Pages",
        "Codespaces",
        "Copilot",
    )
    assert incident.started_at == _utc("2023-06-29T17:52:11.466Z")
    assert incident.resolved_at == _utc("2023-06-29T18:36:19Z")
    assert incident.url == "https://stspg.io/14946fbbn6n7"
    assert "\n\nGitHub takes measures" in incident.updates[0].text


def test_github_29_update_incident_file(real_feed: RealFeed) -> None:
    snapshot = _load(
        real_feed, "statuspage/github/incident_t2xwk9mz56f4_2023-02-18_major_29updates.json"
    )
    (incident,) = snapshot.incidents
    assert (incident.impact, incident.status) == ("major", "resolved")
    assert len(incident.updates) == 29
    assert [u.status for u in incident.updates].count("resolved") == 1
    assert incident.updates[0].status == "resolved"
    assert len(incident.components) == 8
    assert incident.started_at == _utc("2023-02-18T03:45:31.283Z")
    assert incident.resolved_at == _utc("2023-02-18T05:02:16.705Z")


def test_github_legacy_incident_file(real_feed: RealFeed) -> None:
    snapshot = _load(real_feed, "statuspage/github/incident_8n38wzt8fvj8_2010-09-27_legacy.json")
    (incident,) = snapshot.incidents
    assert incident.title == "Incident on 2010-09-27 04:01:00 UTC"
    assert (incident.status, incident.impact) == ("resolved", "minor")
    assert incident.components == ()
    assert incident.started_at == datetime(2010, 9, 27, 4, 1, tzinfo=UTC)
    assert incident.resolved_at == datetime(2010, 9, 27, 4, 1, tzinfo=UTC)
    # The record was touched during the 2018 migration.
    assert incident.updated_at == _utc("2018-12-05T11:25:49.633Z")
    assert incident.url == "http://stspg.io/1e15715ca"
    (update,) = incident.updates
    # display_at (2010), not the update's created_at (2018-12-05).
    assert update.at == datetime(2010, 9, 27, 4, 1, tzinfo=UTC)
    assert update.text == "- 2010-09-27 04:01:00 - All systems go."
