from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from tests.conftest import FIXTURES
from watchtui.domain.errors import FeedError
from watchtui.domain.model import Incident, Maintenance, Snapshot
from watchtui.domain.text import is_safe
from watchtui.sources import statuspage


def _parse(name: str) -> Snapshot:
    return statuspage.parse((FIXTURES / "statuspage" / name).read_bytes())


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def _by_id(items: tuple[Incident, ...], item_id: str) -> Incident:
    return next(i for i in items if i.id == item_id)


def _maintenance(snapshot: Snapshot, item_id: str) -> Maintenance:
    return next(m for m in snapshot.maintenances if m.id == item_id)


# --- summary with groups -------------------------------------------------------------------------


@pytest.fixture
def groups() -> Snapshot:
    return _parse("summary_groups.json")


def test_page_fields(groups: Snapshot) -> None:
    assert groups.kind == "statuspage"
    assert groups.page_name == "Example Cloud"
    assert groups.page_url == "https://status.example.com"
    assert groups.updated_at == _utc("2026-07-29T20:03:43.993+00:00")


def test_group_rows_are_not_components(groups: Snapshot) -> None:
    names = [c.name for c in groups.components]
    assert "Sites and Services" not in names
    assert "Europe" not in names
    assert len(groups.components) == 7


def test_children_get_group_name_by_group_id_or_child_list(groups: Snapshot) -> None:
    group_of = {c.id: c.group for c in groups.components}
    assert group_of["c-workers"] == "Sites and Services"
    assert group_of["c-cdg"] == "Europe"
    # c-loose has no group_id: only the group's own `components` list names it.
    assert group_of["c-loose"] == "Sites and Services"
    assert group_of["c-lon"] is None


def test_component_status_map(groups: Snapshot) -> None:
    status = {c.id: c.status for c in groups.components}
    assert status == {
        "c-workers": "major_outage",
        "c-dlp": "degraded",
        "c-loose": "operational",
        "c-cdg": "maintenance",
        "c-jhb": "partial_outage",
        "c-lon": "operational",
        "c-odd": "unknown",
    }


def test_only_show_if_degraded_kept(groups: Snapshot) -> None:
    flags = {c.id: c.only_show_if_degraded for c in groups.components}
    assert flags["c-loose"] is True
    assert flags["c-workers"] is False
    assert flags["c-odd"] is False  # key absent


def test_colo_region_codes(groups: Snapshot) -> None:
    regions = {c.id: c.regions for c in groups.components}
    assert regions["c-cdg"] == ("CDG",)
    # A no-break space between the dash and the bracket (seen on Cloudflare) still counts.
    assert regions["c-jhb"] == ("JHB",)
    assert regions["c-lon"] == ("LHR",)
    # A product acronym is not a location.
    assert regions["c-dlp"] == ()
    assert regions["c-workers"] == ()


def test_component_names_are_sanitised(groups: Snapshot) -> None:
    odd = next(c for c in groups.components if c.id == "c-odd")
    assert odd.name == "Billing"
    jhb = next(c for c in groups.components if c.id == "c-jhb")
    assert jhb.name == "Johor Bahru, Malaysia - (JHB)"
    assert all(is_safe(c.name) for c in groups.components)


def test_page_status_is_verbatim_and_derived_is_worse(groups: Snapshot) -> None:
    assert groups.page_status.indicator == "minor"
    assert groups.page_status.description == "Minor Service Outage"
    assert groups.derived_impact == "critical"


def test_incident_fields(groups: Snapshot) -> None:
    (incident,) = groups.incidents
    assert incident.id == "inc-crit"
    assert incident.title == "Workers — Errors Deploying"
    assert incident.status == "identified"
    assert incident.impact == "critical"
    assert incident.started_at == _utc("2026-07-29T20:03:32.073+00:00")
    assert incident.updated_at == _utc("2026-07-29T20:10:00+00:00")
    assert incident.resolved_at is None
    assert incident.url == "https://stspg.io/abc"


def test_updates_newest_first(groups: Snapshot) -> None:
    (incident,) = groups.incidents
    assert [u.id for u in incident.updates] == ["u2", "u1"]
    assert incident.updates[0].text == "Looking into it."
    assert incident.updates[1].status == "identified"


def test_affected_components_resolved_by_code_then_group_prefix(groups: Snapshot) -> None:
    (incident,) = groups.incidents
    # Codes win ("Sites and Services - DLP (beta)" is c-dlp's stale name); an unknown code with a
    # known group prefix loses the prefix; an unknown group prefix is kept verbatim.
    assert incident.components == (
        "Workers",
        "Data Loss Prevention (DLP)",
        "Paris, France - (CDG)",
        "Elsewhere - Mystery",
    )
    assert incident.regions == ("CDG",)


def test_maintenance_in_progress(groups: Snapshot) -> None:
    live = _maintenance(groups, "mnt-live")
    assert live.status == "in_progress"
    assert live.impact == "maintenance"
    assert live.resolved_at is None
    assert live.scheduled_for == _utc("2026-07-29T20:00:00+00:00")
    assert live.scheduled_until == _utc("2026-07-29T22:00:00+00:00")
    assert live.components == ("Paris, France - (CDG)",)
    assert live.regions == ("CDG",)
    assert live.updates[1].text == "We will upgrade “things”.\n\nExpect reconnects."


def test_completed_maintenance_without_resolved_at(groups: Snapshot) -> None:
    done = _maintenance(groups, "mnt-done")
    assert done.status == "completed"
    assert done.impact == "maintenance"  # payload said "none"
    assert done.resolved_at == _utc("2026-07-01T03:05:00+00:00")
    assert done.url == "https://status.example.com/incidents/mnt-done"


# --- local offsets, postmortem, reopened ---------------------------------------------------------


@pytest.fixture
def offsets() -> Snapshot:
    return _parse("summary_offsets.json")


def test_local_offsets_become_utc(offsets: Snapshot) -> None:
    incident = _by_id(offsets.incidents, "inc-la")
    assert incident.started_at == datetime(2020, 6, 16, 13, 41, 44, 672000, tzinfo=UTC)
    assert incident.updates[0].at == datetime(2020, 6, 16, 19, 9, 47, 174000, tzinfo=UTC)
    assert offsets.updated_at == datetime(2020, 6, 16, 21, 0, 29, 31000, tzinfo=UTC)
    # -08:00 in winter.
    postmortem = _by_id(offsets.incidents, "inc-pm")
    assert postmortem.started_at == datetime(2020, 1, 10, 17, 0, tzinfo=UTC)


def test_null_affected_components_and_same_status_entries(offsets: Snapshot) -> None:
    incident = _by_id(offsets.incidents, "inc-la")
    assert incident.components == ("SMS",)
    assert [u.id for u in incident.updates] == ["la2", "la1"]


def test_group_prefix_from_upper_case_group(offsets: Snapshot) -> None:
    (sms,) = offsets.components
    assert sms.group == "MESSAGING"
    assert sms.status == "degraded"


def test_postmortem_without_resolved_at_closes_at_newest_update(offsets: Snapshot) -> None:
    incident = _by_id(offsets.incidents, "inc-pm")
    assert incident.status == "postmortem"
    assert incident.resolved_at == datetime(2020, 1, 10, 19, 30, tzinfo=UTC)
    assert incident.url == "https://status.phone.example/incidents/inc-pm"


def test_reopened_incident_is_open_despite_stale_resolved_at(offsets: Snapshot) -> None:
    incident = _by_id(offsets.incidents, "inc-reopened")
    assert incident.is_open
    assert incident.started_at == datetime(2020, 6, 15, 15, 0, tzinfo=UTC)


def test_page_indicator_none_is_kept(offsets: Snapshot) -> None:
    assert offsets.page_status.indicator == "none"
    assert offsets.derived_impact == "major"
    assert [i.id for i in offsets.open_incidents] == ["inc-la", "inc-reopened"]


# --- single incident, legacy ---------------------------------------------------------------------


def test_legacy_incident_html_and_display_at() -> None:
    snapshot = _parse("incident_legacy.json")
    assert snapshot.components == ()
    assert snapshot.page_status.indicator is None
    (incident,) = snapshot.incidents
    # created_at is the 2018 migration; display_at is when it happened.
    assert incident.started_at == datetime(2010, 9, 27, 4, 1, tzinfo=UTC)
    assert incident.updated_at == _utc("2018-12-05T11:25:49.633+00:00")
    assert incident.resolved_at == datetime(2010, 9, 27, 5, 30, tzinfo=UTC)
    (update,) = incident.updates
    assert update.at == datetime(2010, 9, 27, 4, 1, tzinfo=UTC)
    assert update.text == (
        "- 2010-09-27 04:01:00 - Site is slow & flaky.\n- 2010-09-27 05:30:00 - All systems go."
    )
    assert incident.components == ()


def test_single_incident_resolves_codes_without_page_components() -> None:
    snapshot = _parse("incident_grouped.json")
    assert snapshot.components == ()
    (incident,) = snapshot.incidents
    # No group rows on this endpoint: only the embedded component objects name "Platform - Workers".
    assert incident.components == ("Workers",)
    assert incident.started_at == datetime(2024, 5, 1, 8, 55, tzinfo=UTC)
    assert [u.status for u in incident.updates] == ["monitoring", "investigating"]
    assert incident.is_open


def test_unsafe_shortlink_falls_back_to_page_url() -> None:
    (incident,) = _parse("incident_legacy.json").incidents
    assert incident.url == "https://www.codehost.example/incidents/legacy1"


# --- the other endpoint shapes -------------------------------------------------------------------


def test_incidents_json() -> None:
    snapshot = _parse("incidents.json")
    assert [i.id for i in snapshot.incidents] == ["open1", "done1"]
    assert [i.id for i in snapshot.open_incidents] == ["open1"]
    assert snapshot.components == ()
    assert snapshot.incidents[0].components == ("API",)
    assert snapshot.incidents[1].resolved_at == datetime(2024, 2, 1, 10, 45, tzinfo=UTC)
    # Trailing slash on the page URL does not double up.
    assert snapshot.incidents[0].url == "https://tiny.example/incidents/open1"


def test_unresolved_json_incident_without_updates() -> None:
    (incident,) = _parse("unresolved.json").incidents
    assert incident.updates == ()
    assert incident.started_at == datetime(2024, 3, 1, 11, tzinfo=UTC)
    assert incident.is_open


def test_scheduled_maintenances_json() -> None:
    snapshot = _parse("scheduled-maintenances.json")
    assert snapshot.incidents == ()
    planned, verifying = snapshot.maintenances
    assert (planned.status, planned.impact, planned.is_open) == ("scheduled", "maintenance", True)
    assert planned.components == ("Database",)
    # A maintenance that declares a real impact keeps it.
    assert (verifying.status, verifying.impact, verifying.is_open) == ("verifying", "minor", True)


def test_components_json() -> None:
    snapshot = _parse("components.json")
    assert [(c.name, c.status) for c in snapshot.components] == [
        ("API", "partial_outage"),
        ("Database", "operational"),
    ]
    assert snapshot.page_status.indicator is None
    assert snapshot.derived_impact == "major"


def test_status_json() -> None:
    snapshot = _parse("status.json")
    assert snapshot.page_status.indicator == "major"
    assert snapshot.page_status.description == "Partial System Outage"
    assert snapshot.components == () and snapshot.incidents == ()


def test_unreadable_indicator_is_unknown() -> None:
    payload = {"status": {"indicator": "catastrophic", "description": "Oh\x1b[2J no"}}
    snapshot = statuspage.parse(json.dumps(payload).encode())
    assert snapshot.page_status.indicator == "unknown"
    assert snapshot.page_status.description == "Oh no"


@pytest.mark.parametrize("indicator", [None, ""])
def test_absent_indicator_is_none(indicator: str | None) -> None:
    payload = {"status": {"indicator": indicator, "description": "?"}}
    assert statuspage.parse(json.dumps(payload).encode()).page_status.indicator is None


def test_incident_in_incidents_list_with_schedule_is_a_maintenance() -> None:
    payload = {
        "incidents": [
            {
                "id": "m",
                "name": "Window",
                "status": "scheduled",
                "impact": "maintenance",
                "created_at": "2024-01-01T00:00:00Z",
                "scheduled_for": "2024-01-02T00:00:00Z",
            }
        ]
    }
    snapshot = statuspage.parse(json.dumps(payload).encode())
    assert snapshot.incidents == ()
    assert [m.id for m in snapshot.maintenances] == ["m"]


# --- errors --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"[]", id="top-level-list"),
        pytest.param(b'"summary"', id="top-level-string"),
        pytest.param(b"<!DOCTYPE html><html><body>Down</body></html>", id="html-page"),
        pytest.param(b'{"page": {"id": "x"}, "components": [{"id": "a", "na', id="truncated"),
        pytest.param(b'{"page": {"id": "x", "name": "P"}}', id="no-statuspage-keys"),
        pytest.param(b"{}", id="empty-object"),
        pytest.param(b'{"components": "all good"}', id="components-not-list"),
        pytest.param(b'{"status": ["major"]}', id="status-not-object"),
        pytest.param(b'{"page": [], "status": {}}', id="page-not-object"),
        pytest.param(b'{"incident": null}', id="incident-null"),
        pytest.param(
            b'{"incidents": [{"name": "x", "status": "investigating",'
            b' "created_at": "2024-01-01T00:00:00Z"}]}',
            id="incident-missing-id",
        ),
        pytest.param(b'{"components": [{"name": "API"}]}', id="component-missing-id"),
        pytest.param(b"\xff\xfe\x00garbage", id="undecodable"),
    ],
)
def test_feed_errors(data: bytes) -> None:
    with pytest.raises(FeedError) as excinfo:
        statuspage.parse(data)
    assert excinfo.value.kind == "statuspage"


@pytest.mark.parametrize("link", ["https://", "http://", "https:///path", " http:// "])
def test_a_link_without_a_host_is_no_link(link: str) -> None:
    from watchtui.sources._common import safe_url

    assert safe_url(link) is None
    assert safe_url("https://stspg.io/x") == "https://stspg.io/x"
