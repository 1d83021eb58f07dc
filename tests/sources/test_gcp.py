"""Google Cloud ``incidents.json`` parser on small hand-written fixtures (tests/fixtures/gcp)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from watchtui.domain.errors import FeedError
from watchtui.domain.model import Incident, Snapshot
from watchtui.domain.text import is_safe
from watchtui.sources import gcp, parse_payload
from watchtui.sources._common import parse_iso, safe_url

FixtureBytes = Callable[[str], bytes]


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def _epoch(text: str) -> int:
    return int(datetime.fromisoformat(text).timestamp())


def _by_id(snapshot: Snapshot, incident_id: str) -> Incident:
    return next(i for i in snapshot.incidents if i.id == incident_id)


def _parse_fixture(fixture_bytes: FixtureBytes, name: str) -> Snapshot:
    return gcp.parse(fixture_bytes(f"gcp/{name}"))


def _incident(**overrides: Any) -> dict[str, Any]:
    """A minimal open incident in the feed's shape; ``None`` values remove the key."""
    row: dict[str, Any] = {
        "id": "Inc1",
        "number": "1",
        "begin": "2022-07-19T16:00:00+00:00",
        "created": "2022-07-19T16:00:01+00:00",
        "modified": "2022-07-19T17:00:00+00:00",
        "external_desc": "Something is wrong",
        "updates": [
            {
                "created": "2022-07-19T16:00:02+00:00",
                "modified": "2022-07-19T16:00:03+00:00",
                "when": "2022-07-19T16:00:02+00:00",
                "text": "Investigating.",
                "status": "SERVICE_DISRUPTION",
                "affected_locations": [],
            }
        ],
        "status_impact": "SERVICE_DISRUPTION",
        "severity": "medium",
        "service_key": "svc1",
        "service_name": "Google Compute Engine",
        "affected_products": [{"title": "Google Compute Engine", "id": "svc1"}],
        "uri": "incidents/Inc1",
        "currently_affected_locations": [],
        "previously_affected_locations": [],
    }
    for key, value in overrides.items():
        if value is None:
            row.pop(key, None)
        else:
            row[key] = value
    return row


def _feed(*incidents: dict[str, Any]) -> bytes:
    return json.dumps(list(incidents)).encode()


# --- open and closed incidents --------------------------------------------------------------


def test_open_incident_without_end_key(fixture_bytes: FixtureBytes) -> None:
    snap = _parse_fixture(fixture_bytes, "open_and_closed.json")
    inc = _by_id(snap, "OpenIncident000000001")
    assert inc.is_open and inc.resolved_at is None
    assert inc.status == "investigating"
    assert inc.impact == "critical"
    # Newlines in a title collapse: titles are single lines.
    assert inc.title == "Multiple Cloud products experiencing elevated error rates"
    assert inc.started_at == _at("2022-07-19T16:15:45+00:00")
    assert inc.updated_at == _at("2022-07-19T19:32:34+00:00")
    assert inc.url == "https://status.cloud.google.com/incidents/OpenIncident000000001"
    assert snap.open_incidents == (inc,)


def test_closed_incident(fixture_bytes: FixtureBytes) -> None:
    inc = _by_id(_parse_fixture(fixture_bytes, "open_and_closed.json"), "ClosedIncident0000002")
    assert not inc.is_open
    assert inc.resolved_at == _at("2022-07-01T19:25:45+00:00")
    assert inc.status == "resolved"
    assert inc.impact == "minor"
    assert inc.components == ("Google BigQuery",)
    assert inc.regions == ("asia-east1",)
    assert [u.status for u in inc.updates] == ["resolved", "investigating"]


def test_multiple_products_lists_products_not_the_pseudo_name(fixture_bytes: FixtureBytes) -> None:
    inc = _by_id(_parse_fixture(fixture_bytes, "open_and_closed.json"), "OpenIncident000000001")
    assert inc.components == ("Google BigQuery", "Google Compute Engine")


def test_regions_current_then_previous_then_updates_deduplicated(
    fixture_bytes: FixtureBytes,
) -> None:
    inc = _by_id(_parse_fixture(fixture_bytes, "open_and_closed.json"), "OpenIncident000000001")
    # `global` is kept verbatim like any other location id; the Montréal/São Paulo titles are not
    # used because the ids are present.
    assert inc.regions == ("us-central1", "global", "northamerica-northeast1", "southamerica-east1")


def test_updates_newest_first_with_stable_ids(fixture_bytes: FixtureBytes) -> None:
    inc = _by_id(_parse_fixture(fixture_bytes, "open_and_closed.json"), "OpenIncident000000001")
    assert [u.at for u in inc.updates] == [
        _at("2022-07-19T19:32:34+00:00"),
        _at("2022-07-19T16:15:46+00:00"),
    ]
    assert [u.id for u in inc.updates] == [
        f"OpenIncident000000001@{_epoch('2022-07-19T19:32:34+00:00')}",
        f"OpenIncident000000001@{_epoch('2022-07-19T16:15:46+00:00')}",
    ]
    assert [u.status for u in inc.updates] == ["investigating", "investigating"]


def test_update_ids_do_not_move_when_an_update_is_added() -> None:
    old = _incident()
    newer = dict(old["updates"][0], created="2022-07-19T16:30:00+00:00")
    newer["when"] = newer["created"]
    grown = _incident(updates=[newer, *old["updates"]])
    first = gcp.parse(_feed(old)).incidents[0].updates
    second = gcp.parse(_feed(grown)).incidents[0].updates
    assert second[1].id == first[0].id
    assert second[0].id != second[1].id


def test_duplicate_created_times_still_get_unique_ids() -> None:
    update = _incident()["updates"][0]
    inc = gcp.parse(_feed(_incident(updates=[dict(update), dict(update)]))).incidents[0]
    assert len({u.id for u in inc.updates}) == 2


def test_update_ids_without_created_count_from_the_oldest() -> None:
    rows = [
        {"when": "2022-07-19T16:30:00+00:00", "text": "b", "status": "SERVICE_DISRUPTION"},
        {"when": "2022-07-19T16:00:00+00:00", "text": "a", "status": "SERVICE_DISRUPTION"},
    ]
    inc = gcp.parse(_feed(_incident(updates=rows))).incidents[0]
    assert [u.id for u in inc.updates] == ["Inc1#1", "Inc1#0"]


def test_updates_sorted_even_if_feed_is_not() -> None:
    a = dict(_incident()["updates"][0])
    b = dict(a, created="2022-07-19T18:00:00+00:00", when="2022-07-19T18:00:00+00:00")
    inc = gcp.parse(_feed(_incident(updates=[a, b]))).incidents[0]
    assert [u.at.hour for u in inc.updates] == [18, 16]


# --- text -----------------------------------------------------------------------------------


def test_body_markdown_escapes_undone_and_escape_sequences_stripped(
    fixture_bytes: FixtureBytes,
) -> None:
    inc = _by_id(_parse_fixture(fixture_bytes, "open_and_closed.json"), "OpenIncident000000001")
    assert inc.updates[0].text == (
        "**Summary:** Multiple Cloud products experiencing elevated error rates\n"
        "# Workaround\n1. Retry\n2. Fail over to another region"
    )
    # The OSC 8 hyperlink is removed entirely, its parameters included.
    assert inc.updates[1].text == "We are investigating an issue.click"


def test_backslashes_inside_code_fences_are_literal(fixture_bytes: FixtureBytes) -> None:
    inc = _by_id(_parse_fixture(fixture_bytes, "open_and_closed.json"), "ClosedIncident0000002")
    assert inc.updates[1].text == (
        'Workaround:\n```\nattrib -r "$gcloudDir\\..\\sdk\\*.*" /s\n'
        "\\# not a heading in code\n```\nDone."
    )


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1\\. First\n2\\. Second", "1. First\n2. Second"),
        ("  3\\) third", "  3) third"),
        ("\\- not a bullet\n\\> not a quote", "- not a bullet\n> not a quote"),
        ("ticket \\#123", "ticket #123"),
        # Mid-line escapes other than \# are left alone: they are as likely to be Windows paths.
        ("run `yum downgrade shim\\*`", "run `yum downgrade shim\\*`"),
        ('attrib -r "$dir\\..\\sdk\\*.*"', 'attrib -r "$dir\\..\\sdk\\*.*"'),
        ("a\\nb", "a\\nb"),
        ("```\n1\\. code\n```\n1\\. prose", "```\n1\\. code\n```\n1. prose"),
        ("no escapes", "no escapes"),
    ],
)
def test_unescape_markdown(raw: str, expected: str) -> None:
    assert gcp.unescape_markdown(raw) == expected


def test_every_output_string_is_safe(fixture_bytes: FixtureBytes) -> None:
    for name in ("open_and_closed.json", "old_schema.json", "open_monitoring.json"):
        snap = _parse_fixture(fixture_bytes, name)
        for inc in snap.incidents:
            texts = [inc.id, inc.title, inc.status, *inc.components, *inc.regions]
            texts += [t for u in inc.updates for t in (u.id, u.status, u.text)]
            assert all(is_safe(t) for t in texts)
        for comp in snap.components:
            assert all(is_safe(t) for t in (comp.id, comp.name, *comp.regions))


def test_hostile_strings_are_cleaned() -> None:
    row = _incident(
        id="Inc\x1b[31m1",
        external_desc="\u202eevil\u200b title\x00",
        affected_products=[{"title": "Compute\x1b]0;pwned\x07 Engine", "id": "p\x9b1m"}],
        currently_affected_locations=[{"title": "x", "id": "us-\u200beast1"}],
    )
    snap = gcp.parse(_feed(row))
    inc = snap.incidents[0]
    assert inc.id == "Inc1"
    assert inc.title == "evil title"
    assert inc.components == ("Compute Engine",)
    assert inc.regions == ("us-east1",)
    # \x9b is the C1 CSI introducer: "\x9b1m" is one escape sequence and goes as a whole.
    assert [(c.id, c.name) for c in snap.components] == [("p", "Compute Engine")]


def test_title_falls_back_to_service_name_but_never_multiple_products() -> None:
    single = gcp.parse(_feed(_incident(external_desc=None))).incidents[0]
    assert single.title == "Google Compute Engine"
    multi = _incident(external_desc="", service_name="Multiple Products", affected_products=[])
    assert gcp.parse(_feed(multi)).incidents[0].title == "Inc1"


# --- schema variants ------------------------------------------------------------------------


def test_old_schema_without_location_fields(fixture_bytes: FixtureBytes) -> None:
    snap = _parse_fixture(fixture_bytes, "old_schema.json")
    (inc,) = snap.incidents
    assert inc.regions == ()
    assert inc.components == ("Google Cloud Networking",)
    assert inc.status == "resolved"
    assert inc.impact == "critical"
    assert inc.resolved_at == _at("2021-03-17T19:50:28+00:00")
    assert [u.status for u in inc.updates] == ["resolved", "investigating"]
    assert snap.components == ()


def test_open_incident_whose_newest_update_is_available_is_monitoring(
    fixture_bytes: FixtureBytes,
) -> None:
    inc = _by_id(_parse_fixture(fixture_bytes, "open_monitoring.json"), "MonitoringIncident001")
    assert inc.is_open
    assert inc.status == "monitoring"
    assert [u.status for u in inc.updates] == ["monitoring", "investigating"]


def test_no_affected_products_falls_back_to_service_name(fixture_bytes: FixtureBytes) -> None:
    inc = _by_id(_parse_fixture(fixture_bytes, "open_monitoring.json"), "MonitoringIncident001")
    assert inc.components == ("Google Compute Engine",)


def test_multiple_products_without_products_names_no_component(
    fixture_bytes: FixtureBytes,
) -> None:
    snap = _parse_fixture(fixture_bytes, "open_monitoring.json")
    inc = _by_id(snap, "NoProductIncident0003")
    assert inc.components == ()
    assert all(c.name != "Multiple Products" for c in snap.components)


def test_most_recent_update_used_only_when_updates_is_empty(fixture_bytes: FixtureBytes) -> None:
    inc = _by_id(_parse_fixture(fixture_bytes, "open_monitoring.json"), "NoProductIncident0003")
    assert [(u.text, u.status) for u in inc.updates] == [("We are investigating.", "investigating")]


def test_location_without_id_keeps_its_non_ascii_title(fixture_bytes: FixtureBytes) -> None:
    inc = _by_id(_parse_fixture(fixture_bytes, "open_monitoring.json"), "DisruptionIncident002")
    assert inc.regions == ("europe-west2", "Montréal (northamerica-northeast1)")


def test_end_null_or_empty_means_open() -> None:
    assert gcp.parse(_feed(_incident(end=""))).incidents[0].is_open
    row = _incident()
    row["end"] = None
    assert gcp.parse(_feed(row)).incidents[0].is_open


def test_begin_missing_falls_back_to_created() -> None:
    inc = gcp.parse(_feed(_incident(begin=None))).incidents[0]
    assert inc.started_at == _at("2022-07-19T16:00:01+00:00")


def test_modified_missing_falls_back_to_newest_update() -> None:
    inc = gcp.parse(_feed(_incident(modified=None))).incidents[0]
    assert inc.updated_at == _at("2022-07-19T16:00:02+00:00")


def test_other_timestamp_shapes_go_through_parse_iso() -> None:
    inc = gcp.parse(_feed(_incident(begin="2022-07-19T09:00:00-07:00"))).incidents[0]
    assert inc.started_at == _at("2022-07-19T16:00:00+00:00")
    inc = gcp.parse(_feed(_incident(begin="2022-07-19T16:00:00Z"))).incidents[0]
    assert inc.started_at == _at("2022-07-19T16:00:00+00:00")


# --- components and page --------------------------------------------------------------------


def test_components_from_open_incidents_worst_wins(fixture_bytes: FixtureBytes) -> None:
    snap = _parse_fixture(fixture_bytes, "open_monitoring.json")
    assert [(c.id, c.name, c.status, c.regions) for c in snap.components] == [
        (
            "L3ggmi3Jy4xJmgodFA9K",
            "Google Compute Engine",
            "partial_outage",
            ("europe-west2", "Montréal (northamerica-northeast1)"),
        ),
        (
            "SzESm2Ux129pjDGKWD68",
            "Persistent Disk",
            "partial_outage",
            ("europe-west2", "Montréal (northamerica-northeast1)"),
        ),
    ]


def test_components_ignore_closed_incidents(fixture_bytes: FixtureBytes) -> None:
    snap = _parse_fixture(fixture_bytes, "open_and_closed.json")
    assert [(c.id, c.name, c.status, c.regions) for c in snap.components] == [
        ("9CcrhHUcFevXPSVaSxkf", "Google BigQuery", "major_outage", ("us-central1", "global")),
        (
            "L3ggmi3Jy4xJmgodFA9K",
            "Google Compute Engine",
            "major_outage",
            ("us-central1", "global"),
        ),
    ]


def test_page_makes_no_claim(fixture_bytes: FixtureBytes) -> None:
    snap = _parse_fixture(fixture_bytes, "open_and_closed.json")
    assert snap.kind == "gcp"
    assert snap.page_status.indicator is None
    assert snap.page_status.description == ""
    assert snap.page_url == "https://status.cloud.google.com/"
    assert snap.updated_at == _at("2022-07-19T19:32:34+00:00")
    assert snap.derived_impact == "critical"


def test_empty_feed() -> None:
    snap = gcp.parse(b"[]")
    assert snap.incidents == () and snap.components == () and snap.updated_at is None


def test_registered_under_gcp_kind(fixture_bytes: FixtureBytes) -> None:
    data = fixture_bytes("gcp/old_schema.json")
    assert parse_payload("gcp", data) == gcp.parse(data)


@pytest.mark.parametrize(
    ("severity", "status_impact", "impact", "component_status"),
    [
        ("low", "SERVICE_INFORMATION", "minor", "degraded"),
        ("medium", "SERVICE_DISRUPTION", "major", "partial_outage"),
        ("high", "SERVICE_OUTAGE", "critical", "major_outage"),
        # Disagreement: the incident's impact takes the worse, the component the status_impact.
        ("low", "SERVICE_OUTAGE", "critical", "major_outage"),
        ("high", "SERVICE_INFORMATION", "critical", "degraded"),
        ("medium", "SERVICE_INFORMATION", "major", "degraded"),
        # One side unknown or missing: the other decides.
        ("medium", None, "major", "partial_outage"),
        ("bogus", "SERVICE_DISRUPTION", "major", "partial_outage"),
        (None, "SERVICE_OUTAGE", "critical", "major_outage"),
        ("HIGH", "service_outage", "critical", "major_outage"),
        # Neither given: still an incident, but nothing to say about the product.
        (None, None, "minor", "unknown"),
        # Given but unreadable (a number, a list, a new word): unknown, never "minor" or none.
        (3, ["x"], "unknown", "unknown"),
        ("severe", None, "unknown", "unknown"),
        (None, "SERVICE_MELTDOWN", "unknown", "unknown"),
        # An unreadable field never hides a readable one.
        ("low", 7, "minor", "degraded"),
    ],
)
def test_severity_and_status_impact_mapping(
    severity: Any, status_impact: Any, impact: str, component_status: str
) -> None:
    snap = gcp.parse(_feed(_incident(severity=severity, status_impact=status_impact)))
    assert snap.incidents[0].impact == impact
    assert [c.status for c in snap.components] == [component_status]


@pytest.mark.parametrize(
    ("status", "closed", "expected"),
    [
        ("AVAILABLE", True, "resolved"),
        ("AVAILABLE", False, "monitoring"),
        ("SERVICE_INFORMATION", False, "investigating"),
        ("SERVICE_DISRUPTION", True, "investigating"),
        ("SERVICE_OUTAGE", False, "investigating"),
        ("SOMETHING_NEW", False, "update"),
        (None, False, "update"),
    ],
)
def test_update_status_mapping(status: Any, closed: bool, expected: str) -> None:
    update = dict(_incident()["updates"][0], status=status)
    end = "2022-07-19T20:00:00+00:00" if closed else None
    inc = gcp.parse(_feed(_incident(updates=[update], end=end))).incidents[0]
    assert inc.updates[0].status == expected
    if closed:
        assert inc.status == "resolved"
    else:
        assert inc.status == ("monitoring" if status == "AVAILABLE" else "investigating")


# --- URLs -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        ("incidents/Inc1", "https://status.cloud.google.com/incidents/Inc1"),
        ("/incidents/a b", None),
        (
            "https://status.cloud.google.com/incidents/X",
            "https://status.cloud.google.com/incidents/X",
        ),
        ("incidents/x\x1b[0m", None),
        (None, "https://status.cloud.google.com/incidents/Inc1"),
        (42, "https://status.cloud.google.com/incidents/Inc1"),
        ("file:///etc/passwd", "https://status.cloud.google.com/file:///etc/passwd"),
    ],
)
def test_incident_url(uri: Any, expected: str | None) -> None:
    row = _incident(uri=uri) if uri is not None else _incident(uri=None)
    assert gcp.parse(_feed(row)).incidents[0].url == expected


# --- malformed input ------------------------------------------------------------------------

_MALFORMED: list[bytes] = [
    b"",
    b"not json",
    b"<!DOCTYPE html><html><body>Error</body></html>",
    b"{}",
    b'{"incidents": []}',
    b"null",
    b'"text"',
    b"[1, 2]",
    b"[[]]",
    b'[{"begin": "2022-07-19T16:00:00+00:00"}]',
    b"\xff\xfe\x00garbage",
    _feed(_incident(updates="none")),
    _feed(_incident(updates=["text"])),
    _feed(_incident(affected_products="Google Compute Engine")),
    _feed(_incident(affected_products=["Google Compute Engine"])),
    _feed(_incident(currently_affected_locations={"id": "us-east1"})),
    _feed(_incident(previously_affected_locations=["us-east1"])),
    _feed(_incident(updates=[dict(_incident()["updates"][0], affected_locations="x")])),
    b"[" * 100_000 + b"]" * 100_000,
]


@pytest.mark.parametrize("data", _MALFORMED, ids=range(len(_MALFORMED)))
def test_malformed_input_raises_feed_error(data: bytes) -> None:
    with pytest.raises(FeedError) as info:
        gcp.parse(data)
    assert info.value.kind == "gcp"


# --- the fast paths agree with the shared helpers --------------------------------------------


@given(st.from_regex(r"incidents/[A-Za-z0-9_-]{1,200}", fullmatch=True))
def test_fast_url_equals_safe_url(uri: str) -> None:
    assert gcp._incident_url(uri, "x") == safe_url(gcp.PAGE_URL + uri)


@given(st.datetimes(timezones=st.just(UTC)))
def test_fast_time_equals_parse_iso(moment: datetime) -> None:
    text = moment.isoformat()
    assert gcp._time(text, "when") == parse_iso(text)
    assert gcp._time(text, "when").tzinfo is not None  # type: ignore[union-attr]
