"""Real payloads for Slack and the smaller formats under other/ (see ../shared/feeds/SOURCES.md
§6 and §8).  Every expected value below was read off the raw JSON with a separate script, not
copied from parser output."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime

from watchtui.domain.text import is_safe
from watchtui.sources import betterstack, checkly, heroku, instatus, slack, statusio

Feed = Callable[[str], bytes]


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


# --- Slack: current_2020-07-30_active_raw.json -------------------------------------------------


def test_slack_current_active(real_feed: Feed) -> None:
    snap = slack.parse(real_feed("slack/current_2020-07-30_active_raw.json"))
    # "status":"active", date_updated 2020-07-30T15:12:34-07:00
    assert snap.updated_at == _at(2020, 7, 30, 22, 12, 34)
    assert snap.page_status.indicator == "minor"  # both incidents are type "incident"
    assert [i.id for i in snap.incidents] == ["878", "879"]  # numeric ids in the payload
    assert [i.status for i in snap.incidents] == ["investigating", "investigating"]
    assert len(snap.open_incidents) == 2
    assert snap.maintenances == ()


def test_slack_incident_fields(real_feed: Feed) -> None:
    first, second = slack.parse(real_feed("slack/current_2020-07-30_active_raw.json")).incidents
    assert first.started_at == _at(2020, 7, 30, 22, 12, 34)
    assert second.started_at == _at(2020, 7, 24, 17, 45, 8)
    # "https:\/\/status.slack.com\/2020-07\/7d32ad54b0703c47"
    assert second.url == "https://status.slack.com/2020-07/7d32ad54b0703c47"
    assert first.components == ("Notifications",)
    assert second.components == ("Apps/Integrations/APIs",)
    assert [len(i.updates) for i in (first, second)] == [1, 1]
    assert second.updates[0].at == _at(2020, 7, 24, 17, 45, 8)
    assert second.updates[0].text.startswith("We're currently aware of some intermittent latency")


def test_slack_components(real_feed: Feed) -> None:
    snap = slack.parse(real_feed("slack/current_2020-07-30_active_raw.json"))
    assert [(c.name, c.status) for c in snap.components] == [
        ("Notifications", "degraded"),
        ("Apps/Integrations/APIs", "degraded"),
    ]


# --- Heroku: heroku_current-status_2020-11-09_maintenance.json ---------------------------------


def test_heroku_systems(real_feed: Feed) -> None:
    snap = heroku.parse(real_feed("other/heroku_current-status_2020-11-09_maintenance.json"))
    assert [(c.name, c.status) for c in snap.components] == [
        ("Apps", "operational"),
        ("Data", "maintenance"),  # "blue"
        ("Tools", "operational"),
    ]
    assert snap.page_status.indicator == "maintenance"
    assert snap.incidents == ()


def test_heroku_resolved_maintenance_still_listed(real_feed: Feed) -> None:
    snap = heroku.parse(real_feed("other/heroku_current-status_2020-11-09_maintenance.json"))
    (maintenance,) = snap.maintenances
    assert maintenance.id == "2120"
    assert not maintenance.is_open  # "resolved": true
    assert maintenance.status == "completed"
    # the "resolved" update 6692 was created 2020-11-09T19:47:23.669Z
    assert maintenance.resolved_at == _at(2020, 11, 9, 19, 47, 23, 669000)
    assert maintenance.started_at == _at(2020, 10, 30, 0, 55, 34, 418000)
    assert [u.id for u in maintenance.updates] == ["6692", "6691", "6690", "6685"]
    assert [u.status for u in maintenance.updates] == [
        "resolved",
        "in_progress",
        "in_progress",
        "scheduled",
    ]
    assert maintenance.url == "https://status.heroku.com/incidents/2120"


# --- status.io: statusio_docker_2020-07-16_partial.json ----------------------------------------


def test_statusio_overall_and_components(real_feed: Feed) -> None:
    snap = statusio.parse(real_feed("other/statusio_docker_2020-07-16_partial.json"))
    assert snap.page_status.indicator == "major"  # status_code 400
    assert snap.page_status.description == "Partial Service Disruption"
    assert snap.updated_at == _at(2020, 7, 16, 17, 22, 25, 333000)
    assert len(snap.components) == 8  # 8 components, one AWS container each
    assert {c.regions for c in snap.components} == {("AWS",)}
    assert Counter(c.status for c in snap.components) == {"operational": 7, "partial_outage": 1}
    (broken,) = [c for c in snap.components if c.status == "partial_outage"]
    assert broken.name == "Docker Hub Automated Builds"


def test_statusio_incident(real_feed: Feed) -> None:
    snap = statusio.parse(real_feed("other/statusio_docker_2020-07-16_partial.json"))
    (incident,) = snap.incidents
    assert incident.id == "5f108cc06e9c9104c0553a46"
    assert incident.is_open
    assert incident.status == "investigating"  # state 100
    assert incident.impact == "major"  # message status 400
    assert incident.started_at == _at(2020, 7, 16, 17, 22, 8, 325000)
    assert incident.updated_at == _at(2020, 7, 16, 17, 22, 8, 369000)
    assert incident.components == ("Docker Hub Automated Builds",)
    assert incident.regions == ("AWS",)
    assert len(incident.updates) == 1
    assert snap.maintenances == ()


# --- Instatus: instatus_perplexity_summary_2026-07-23_major.json --------------------------------


def test_instatus(real_feed: Feed) -> None:
    snap = instatus.parse(real_feed("other/instatus_perplexity_summary_2026-07-23_major.json"))
    assert (snap.page_name, snap.page_url) == ("Perplexity", "https://status.perplexity.com")
    assert snap.page_status.indicator == "critical"  # ONEMAJOROUTAGE
    (incident,) = snap.incidents
    assert incident.id == "cmrxt1rlu000f0zlcv4dzmdlr"
    assert (incident.status, incident.impact, incident.is_open) == ("monitoring", "critical", True)
    assert incident.started_at == _at(2026, 7, 23, 17, 48, 28, 28000)
    assert incident.updated_at == _at(2026, 7, 23, 17, 50, 11, 838000)
    assert snap.maintenances == ()  # activeMaintenances key absent
    assert snap.components == ()


# --- Checkly: checkly_mistral_unresolved-incidents_2026-07-27.json ------------------------------


def test_checkly(real_feed: Feed) -> None:
    snap = checkly.parse(real_feed("other/checkly_mistral_unresolved-incidents_2026-07-27.json"))
    (incident,) = snap.incidents
    assert incident.id == "b3e1006c-c3a7-4b1b-8628-3e364b2e3c71"
    assert (incident.status, incident.impact, incident.is_open) == ("investigating", "minor", True)
    assert incident.started_at == _at(2026, 7, 27, 14, 32, 53, 607000)
    assert incident.updated_at == _at(2026, 7, 27, 14, 32, 53, 632000)
    assert incident.components == ("Audio API",)
    assert [(u.id, u.status) for u in incident.updates] == [
        ("1013e42b-acb1-4026-bdf8-905de6aec21f", "investigating")
    ]
    assert [(c.name, c.status) for c in snap.components] == [("Audio API", "degraded")]


# --- Better Stack: betterstack_huggingface_index_2026-07-19_major.json ---------------------------

_BETTERSTACK = "other/betterstack_huggingface_index_2026-07-19_major.json"


def test_betterstack_page_and_resources(real_feed: Feed) -> None:
    snap = betterstack.parse(real_feed(_BETTERSTACK))
    assert snap.page_name == "Hugging Face"
    assert snap.page_url == "https://status.huggingface.co"
    assert snap.updated_at == _at(2026, 7, 19, 13, 15, 53, 193000)
    assert snap.page_status.indicator == "critical"  # aggregate_state "downtime"
    assert len(snap.components) == 8
    assert Counter(c.status for c in snap.components) == {"operational": 7, "major_outage": 1}
    (down,) = [c for c in snap.components if c.status == "major_outage"]
    assert (down.id, down.name, down.group) == ("306621", "Spaces Proxy", "Spaces")
    assert [c.group for c in snap.components].count("Current status by service") == 2


def test_betterstack_reports(real_feed: Feed) -> None:
    snap = betterstack.parse(real_feed(_BETTERSTACK))
    # 5 status_reports: 3 manual (all aggregate_state "resolved", ends_at null), 2 maintenance.
    assert [i.id for i in snap.incidents] == ["919822", "939240", "965809"]
    assert snap.open_incidents == ()
    assert [i.resolved_at for i in snap.incidents] == [
        _at(2026, 6, 10, 10, 50),
        _at(2026, 6, 30, 8, 5),
        _at(2026, 7, 16, 10, 7),
    ]
    assert [len(i.updates) for i in snap.incidents] == [2, 2, 3]
    hub = snap.incidents[2]
    assert hub.impact == "critical"  # an update set three resources to "downtime"
    assert hub.components == (
        "Huggingface Hub",
        "Git Hosting and Serving",
        "Inference Endpoints UI",
    )
    # relationship order is 10:07, 08:30, 08:43; updates come out newest first
    assert [u.at for u in hub.updates] == [
        _at(2026, 7, 16, 10, 7),
        _at(2026, 7, 16, 8, 43),
        _at(2026, 7, 16, 8, 30),
    ]


def test_betterstack_maintenance(real_feed: Feed) -> None:
    done, upcoming = betterstack.parse(real_feed(_BETTERSTACK)).maintenances
    assert (done.id, done.status, done.is_open) == ("946090", "completed", False)
    assert done.resolved_at == _at(2026, 7, 8, 8, 0, 36)
    assert (upcoming.id, upcoming.status, upcoming.is_open) == ("961899", "scheduled", True)
    assert upcoming.scheduled_for == _at(2026, 7, 22, 7, 0)
    assert upcoming.scheduled_until == _at(2026, 7, 22, 8, 0)
    assert upcoming.components == ("Inference Endpoints UI", "Inference Endpoints API")


def test_all_text_is_terminal_safe(real_feed: Feed) -> None:
    snaps = [
        slack.parse(real_feed("slack/current_2020-07-30_active_raw.json")),
        heroku.parse(real_feed("other/heroku_current-status_2020-11-09_maintenance.json")),
        statusio.parse(real_feed("other/statusio_docker_2020-07-16_partial.json")),
        instatus.parse(real_feed("other/instatus_perplexity_summary_2026-07-23_major.json")),
        checkly.parse(real_feed("other/checkly_mistral_unresolved-incidents_2026-07-27.json")),
        betterstack.parse(real_feed(_BETTERSTACK)),
    ]
    for snap in snaps:
        for event in (*snap.incidents, *snap.maintenances):
            assert is_safe(event.title)
            assert all(is_safe(u.text) for u in event.updates)
        assert all(is_safe(c.name) for c in snap.components)
