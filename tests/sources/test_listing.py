"""``Snapshot.component_listing`` for every fixture, by endpoint, and the derived-listing rule
(components come only from OPEN items) for every kind that derives them."""

from __future__ import annotations

import codecs
import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FIXTURES
from watchtui.domain.errors import FeedError
from watchtui.domain.model import Snapshot
from watchtui.sources import parse_payload

# What each endpoint says about the page's components, from the endpoint's documented meaning.
EXPECTED: dict[str, str] = {
    # Statuspage v2: only summary.json and components.json carry the page's component list.
    "statuspage/summary_groups.json": "full",
    "statuspage/summary_offsets.json": "full",
    "statuspage/components.json": "full",
    "statuspage/status.json": "none",
    "statuspage/incidents.json": "none",
    "statuspage/unresolved.json": "none",
    "statuspage/incident_grouped.json": "none",
    "statuspage/incident_legacy.json": "none",
    "statuspage/scheduled-maintenances.json": "none",
    "incidentio/summary.json": "full",
    # Feeds of incidents that name what they affect.
    "gcp/old_schema.json": "derived",
    "gcp/open_and_closed.json": "derived",
    "gcp/open_monitoring.json": "derived",
    "aws/currentevents_utf16be.json": "derived",
    "aws/currentevents_utf8.json": "derived",
    "aws/currentevents_empty_utf16be.json": "derived",
    "aws/status-data.json": "derived",
    "aws/services.json": "full",  # the catalogue of every service in every region
    "aws-rss/all.rss": "derived",
    "aws-rss/ec2-us-east-1_quiet.rss": "derived",
    "aws-rss/oddities.rss": "derived",
    "azure/all_clear.xml": "derived",
    "azure/multi.xml": "derived",
    "azure/one_region.xml": "derived",
    "slack/current_active.json": "derived",
    "slack/current_ok.json": "derived",
    "slack/history.json": "derived",
    "checkly/unresolved_incidents.json": "derived",
    # Pages that list their services.
    "pagerduty/data_operational.json": "full",
    "pagerduty/data_outage.json": "full",
    "pagerduty/legacy_summary.json": "none",  # open incidents only, no service list
    "heroku/current_status.json": "full",
    "heroku/current_status_v3.json": "full",
    "statusio/status_incident.json": "full",
    "betterstack/index.json": "full",
    # No components at all.
    "instatus/summary_documented.json": "none",
    "instatus/summary_issues.json": "none",
    "instatus/summary_up.json": "none",
    "rss/empty.rss": "none",
    "rss/generic.atom": "none",
    "rss/generic.rss": "none",
    "rss/local_offsets.atom": "none",
    "rss/statuspage_history.atom": "none",
    "rss/statuspage_history.rss": "none",
}


def _kind(relative: str) -> str:
    return relative.split("/", 1)[0]


def _parse(relative: str) -> Snapshot:
    return parse_payload(_kind(relative), (FIXTURES / relative).read_bytes())


def _raw_json(relative: str) -> Any:
    raw = (FIXTURES / relative).read_bytes()
    if raw.startswith(codecs.BOM_UTF16_BE):
        return json.loads(raw.decode("utf-16"))
    return json.loads(raw)


def test_every_parseable_fixture_is_in_the_table() -> None:
    parseable = []
    for path in sorted(p for p in FIXTURES.rglob("*") if p.is_file()):
        relative = str(path.relative_to(FIXTURES))
        try:
            parse_payload(_kind(relative), path.read_bytes())
        except FeedError:
            continue
        parseable.append(relative)
    assert sorted(parseable) == sorted(EXPECTED)


@pytest.mark.parametrize("relative", sorted(EXPECTED))
def test_listing_by_endpoint(relative: str) -> None:
    snapshot = _parse(relative)
    assert snapshot.component_listing == EXPECTED[relative]
    if snapshot.component_listing == "none":
        assert snapshot.components == ()
    if snapshot.component_listing == "derived":
        # Every derived component is named by an item that is still open.
        named = {
            name
            for item in (*snapshot.open_incidents, *snapshot.maintenances)
            if item.is_open
            for name in item.components
        }
        assert {c.name for c in snapshot.components} <= named


@pytest.mark.parametrize(
    "relative",
    ["statuspage/summary_groups.json", "statuspage/components.json", "incidentio/summary.json"],
)
def test_statuspage_full_listing_is_every_non_group_row(relative: str) -> None:
    rows = _raw_json(relative)["components"]
    expected = [r["id"] for r in rows if r.get("group") is not True]
    assert [c.id for c in _parse(relative).components] == expected


def test_heroku_full_listing_is_every_system() -> None:
    systems = [row["system"] for row in _raw_json("heroku/current_status.json")["status"]]
    assert [c.name for c in _parse("heroku/current_status.json").components] == systems


def test_betterstack_full_listing_is_every_resource() -> None:
    included = _raw_json("betterstack/index.json")["included"]
    ids = [e["id"] for e in included if e["type"] == "status_page_resource"]
    assert [c.id for c in _parse("betterstack/index.json").components] == ids


# --- derived: only open items make components ----------------------------------------------------


def _gcp(ended: bool, product: str) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": product,
        "begin": "2024-01-01T00:00:00+00:00",
        "severity": "medium",
        "affected_products": [{"title": product, "id": product.lower()}],
        "updates": [],
    }
    if ended:
        row["end"] = "2024-01-01T05:00:00+00:00"
    return row


def _aws_event(arn_region: str, slug: str, *, ended: bool) -> dict[str, Any]:
    event: dict[str, Any] = {
        "arn": f"arn:aws:health:{arn_region}::event/X/{slug}",
        "date": "1704067200",
        "status": "2",
        "service": slug,
        "impacted_services": {slug: {"service_name": slug.upper(), "current": "2"}},
    }
    if ended:
        event["end_time"] = "1704070800"
    return event


def _legacy(slug: str, summary: str) -> dict[str, Any]:
    return {"service": slug, "service_name": slug.upper(), "date": "1704067200", "status": "2",
            "summary": summary, "description": ""}  # fmt: skip


def _rss_item(slug: str, title: str, epoch: int) -> str:
    return (
        f"<item><title>{title}</title><guid>http://status.aws.amazon.com/#{slug}_{epoch}</guid>"
        "</item>"
    )


def _slack(service: str, status: str) -> dict[str, Any]:
    return {"id": service, "date_created": "2024-01-01T00:00:00Z", "title": service,
            "type": "outage", "status": status, "services": [service], "notes": []}  # fmt: skip


def _checkly(service: str, status: str) -> dict[str, Any]:
    return {"id": service, "created_at": "2024-01-01T00:00:00Z", "lastUpdateStatus": status,
            "severity": "MAJOR", "services": [{"id": service, "name": service}]}  # fmt: skip


def _aws_rss() -> bytes:
    items = (
        _rss_item("open-us-east-1", "Service disruption: down", 1641999600)
        + _rss_item("closed-us-east-1", "Service is operating normally: [RESOLVED] ok", 1641998000)
        + _rss_item("closed-us-east-1", "Performance issues: slow", 1641990000)
    )
    return f"<rss version='2.0'><channel><title>AWS</title>{items}</channel></rss>".encode()


def _json(value: Any) -> bytes:
    return json.dumps(value).encode()


DERIVED_CASES: dict[str, tuple[str, bytes]] = {
    "gcp": ("gcp", _json([_gcp(True, "Closed"), _gcp(False, "Open")])),
    "aws-currentevents": (
        "aws",
        _json(
            [
                _aws_event("us-east-1", "closed-us-east-1", ended=True),
                _aws_event("us-east-1", "open-us-east-1", ended=False),
            ]
        ),
    ),
    "aws-legacy": (
        "aws",
        _json(
            {
                "archive": [_legacy("closed", "x")],
                "current": [_legacy("closedtoo", "[RESOLVED] y"), _legacy("open", "z")],
            }
        ),
    ),
    "aws-rss": ("aws-rss", _aws_rss()),
    "slack": ("slack", _json([_slack("Closed", "resolved"), _slack("Open", "active")])),
    "checkly": (
        "checkly",
        _json({"incidents": [_checkly("Closed", "RESOLVED"), _checkly("Open", "MONITORING")]}),
    ),
}


@pytest.mark.parametrize("case", sorted(DERIVED_CASES))
def test_derived_components_come_only_from_open_items(case: str) -> None:
    kind, data = DERIVED_CASES[case]
    snapshot = parse_payload(kind, data)
    assert snapshot.component_listing == "derived"
    # Both an open and a closed item are in the payload; only the open one names a component.
    assert len(snapshot.incidents) >= 2 and len(snapshot.open_incidents) == 1
    (component,) = snapshot.components
    assert "open" in component.id.lower() and "closed" not in component.id.lower()


def test_azure_components_are_the_services_items_name() -> None:
    snapshot = _parse("azure/multi.xml")
    text = (FIXTURES / "azure" / "multi.xml").read_text()
    # The fixture's non-region categories, in feed order (its regions are East US 2, West Europe).
    categories = [line.strip()[10:-11] for line in text.splitlines() if "<category>" in line]
    services = [c for c in categories if c not in ("East US 2", "West Europe")]
    assert [c.name for c in snapshot.components] == services
    front_door = snapshot.components[0]
    assert front_door.regions == ("East US 2", "West Europe")
    assert {c.status for c in snapshot.components} == {"partial_outage"}


def test_fixture_paths_exist() -> None:
    missing = [r for r in EXPECTED if not Path(FIXTURES / r).is_file()]
    assert missing == []
