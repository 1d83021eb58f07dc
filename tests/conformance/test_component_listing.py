"""``component_listing`` of every real payload, and the components it implies, read off the raw
payloads (SOURCES.md) rather than off the parsers."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from tests.conftest import shared_feeds_dir
from watchtui.domain import regions
from watchtui.domain.model import Snapshot
from watchtui.sources import parse_payload
from watchtui.sources.sniff import sniff_kind

RealFeed = Callable[[str], bytes]

# Endpoint -> listing, by what each endpoint is (see SOURCES.md).
LISTING: dict[str, str] = {
    "aws/currentevents_2026-08-01_utf16be.json": "derived",
    "aws/services_2026-03-24.json": "full",
    "aws/status-data_2022-07-03.json": "derived",
    "azure/feed_2026-07-23T16-49_westus.xml": "derived",
    "azure/feed_2026-07-23T18-12_westus_14cats.xml": "derived",
    "azure/feed_2026-08-01_allclear_empty.xml": "derived",
    "gcp/incidents_2021-07-29_pretty.json": "derived",
    "gcp/incidents_2022-07-03.json": "derived",
    "gcp/incidents_2022-07-19_open-europe-west2_subset.json": "derived",
    "incidentio/cohere/summary_2026-07-23_major.json": "full",
    "incidentio/openai/summary_2026-07-22_minor.json": "full",
    "other/betterstack_huggingface_index_2026-07-19_major.json": "full",
    "other/checkly_mistral_unresolved-incidents_2026-07-27.json": "derived",
    "other/heroku_current-status_2020-11-09_maintenance.json": "full",
    "other/instatus_perplexity_summary_2026-07-23_major.json": "none",
    "other/statusio_docker_2020-07-16_partial.json": "full",
    "rss-atom/digitalocean_history_2020-01-11.rss": "none",
    "rss-atom/digitalocean_history_2020-01-13.atom": "none",
    "rss-atom/githubstatus_history_2019-11-22.atom": "none",
    "rss-atom/metastatuspage_history_2019-11-23.atom": "none",
    "rss-atom/streamyard_history_2024-06-10.atom": "none",
    "rss-atom/streamyard_history_2024-06-10.rss": "none",
    "rss-atom/symantec-wss_history_2020-01-02.atom": "none",
    "slack/current_2020-07-30_active_raw.json": "derived",
    "statuspage/anthropic/summary_2026-07-29_major.json": "full",
    "statuspage/cloudamqp/summary_2020-07-16_maintenance.json": "full",
    "statuspage/cloudflare/summary_2026-07-29_major.json": "full",
    "statuspage/github/incident_8n38wzt8fvj8_2010-09-27_legacy.json": "none",
    "statuspage/github/incident_gqx5l06jjxhp_2023-06-29_critical.json": "none",
    "statuspage/github/incident_t2xwk9mz56f4_2023-02-18_major_29updates.json": "none",
    "statuspage/github/summary_2022-11-25_incident.json": "full",
    "statuspage/github/summary_2026-07-24_major.json": "full",
    "statuspage/twilio/summary_2020-06-16_la-offsets.json": "full",
}


def _parse(real_feed: RealFeed, name: str) -> tuple[Snapshot, Any]:
    data = real_feed(name)
    snapshot = parse_payload(sniff_kind(data), data)
    if name.endswith(".xml") or "rss-atom/" in name:
        return snapshot, None
    text = data.decode("utf-16") if data[:2] == b"\xfe\xff" else data.decode("utf-8")
    return snapshot, json.loads(text)


def test_every_real_payload_is_in_the_table() -> None:
    feeds = shared_feeds_dir()
    if feeds is None:
        pytest.skip("../shared/feeds is absent: real-payload conformance NOT checked")
    present = sorted(
        str(p.relative_to(feeds)) for p in feeds.rglob("*") if p.is_file() and p.suffix != ".md"
    )
    assert present == sorted(LISTING)


@pytest.mark.parametrize("name", sorted(LISTING))
def test_listing(real_feed: RealFeed, name: str) -> None:
    snapshot, _ = _parse(real_feed, name)
    assert snapshot.component_listing == LISTING[name]
    if LISTING[name] == "none":
        assert snapshot.components == ()


# --- full: exactly the rows the page lists --------------------------------------------------


@pytest.mark.parametrize(
    "name", [n for n in LISTING if n.startswith(("statuspage/", "incidentio/"))]
)
def test_statuspage_full_means_every_non_group_row(real_feed: RealFeed, name: str) -> None:
    snapshot, raw = _parse(real_feed, name)
    expected = [r["id"] for r in raw.get("components", []) if r.get("group") is not True]
    assert [c.id for c in snapshot.components] == expected


def test_other_full_listings(real_feed: RealFeed) -> None:
    heroku, raw = _parse(real_feed, "other/heroku_current-status_2020-11-09_maintenance.json")
    assert [c.name for c in heroku.components] == [r["system"] for r in raw["status"]]
    better, raw = _parse(real_feed, "other/betterstack_huggingface_index_2026-07-19_major.json")
    resources = [e["id"] for e in raw["included"] if e["type"] == "status_page_resource"]
    assert [c.id for c in better.components] == resources
    statusio, raw = _parse(real_feed, "other/statusio_docker_2020-07-16_partial.json")
    pairs = sum(max(1, len(r.get("containers") or [])) for r in raw["result"]["status"])
    assert len(statusio.components) == pairs
    catalogue, raw = _parse(real_feed, "aws/services_2026-03-24.json")
    assert {c.id for c in catalogue.components} == {e["service"] for e in raw}


# --- derived: only what OPEN items name ------------------------------------------------------


@pytest.mark.parametrize("name", [n for n in LISTING if n.startswith("gcp/")])
def test_gcp_components_are_the_products_of_open_incidents(real_feed: RealFeed, name: str) -> None:
    snapshot, raw = _parse(real_feed, name)
    # Open means the "end" key is absent (SOURCES.md §3).
    products = {
        p["title"]
        for incident in raw
        if not incident.get("end")
        for p in incident.get("affected_products", [])
        if p["title"] != "Multiple Products"
    }
    assert {c.name for c in snapshot.components} == products


def test_aws_components_are_the_services_of_open_events(real_feed: RealFeed) -> None:
    snapshot, raw = _parse(real_feed, "aws/currentevents_2026-08-01_utf16be.json")
    open_events = [e for e in raw if "end_time" not in e and e.get("status") != "0"]
    assert len(open_events) == len(raw) == 2
    assert len(snapshot.components) == sum(len(e["impacted_services"]) for e in open_events)
    legacy, raw = _parse(real_feed, "aws/status-data_2022-07-03.json")
    assert raw["current"] == [] and legacy.components == ()


def test_azure_components_are_the_non_region_categories(real_feed: RealFeed) -> None:
    name = "azure/feed_2026-07-23T18-12_westus_14cats.xml"
    snapshot, _ = _parse(real_feed, name)
    text = real_feed(name).decode("utf-8")
    categories = [part.split("</category>")[0] for part in text.split("<category>")[1:]]
    services = [c.strip() for c in categories if regions.lookup("azure", c.strip()) is None]
    assert len(categories) == 15 and len(services) == 14  # SOURCES.md: 14 services + West US
    assert [c.name for c in snapshot.components] == services
    assert {c.regions for c in snapshot.components} == {("West US",)}


def test_slack_and_checkly_components_come_from_active_incidents(real_feed: RealFeed) -> None:
    slack, raw = _parse(real_feed, "slack/current_2020-07-30_active_raw.json")
    active = [i for i in raw["active_incidents"] if i["status"] == "active"]
    assert [c.name for c in slack.components] == [s for i in active for s in i["services"]]
    checkly, raw = _parse(real_feed, "other/checkly_mistral_unresolved-incidents_2026-07-27.json")
    unresolved = [i for i in raw["incidents"] if i["lastUpdateStatus"] != "RESOLVED"]
    assert [c.name for c in checkly.components] == [
        s["name"] for i in unresolved for s in i["services"]
    ]
