"""``--kind auto`` recognises every real payload, and the CLI parses each one."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from watchtui.cli import main
from watchtui.sources.sniff import sniff_kind

EXPECTED = {
    "aws/currentevents_2026-08-01_utf16be.json": "aws",
    "aws/services_2026-03-24.json": "aws",
    "aws/status-data_2022-07-03.json": "aws",
    "azure/feed_2026-07-23T16-49_westus.xml": "azure",
    "azure/feed_2026-07-23T18-12_westus_14cats.xml": "azure",
    "azure/feed_2026-08-01_allclear_empty.xml": "azure",
    "gcp/incidents_2021-07-29_pretty.json": "gcp",
    "gcp/incidents_2022-07-03.json": "gcp",
    "gcp/incidents_2022-07-19_open-europe-west2_subset.json": "gcp",
    "incidentio/cohere/summary_2026-07-23_major.json": "incidentio",
    "incidentio/openai/summary_2026-07-22_minor.json": "incidentio",
    "other/betterstack_huggingface_index_2026-07-19_major.json": "betterstack",
    "other/checkly_mistral_unresolved-incidents_2026-07-27.json": "checkly",
    "other/heroku_current-status_2020-11-09_maintenance.json": "heroku",
    "other/instatus_perplexity_summary_2026-07-23_major.json": "instatus",
    "other/statusio_docker_2020-07-16_partial.json": "statusio",
    "rss-atom/digitalocean_history_2020-01-11.rss": "rss",
    "rss-atom/digitalocean_history_2020-01-13.atom": "rss",
    "rss-atom/githubstatus_history_2019-11-22.atom": "rss",
    "rss-atom/metastatuspage_history_2019-11-23.atom": "rss",
    "rss-atom/streamyard_history_2024-06-10.atom": "rss",
    "rss-atom/streamyard_history_2024-06-10.rss": "rss",
    "rss-atom/symantec-wss_history_2020-01-02.atom": "rss",
    "slack/current_2020-07-30_active_raw.json": "slack",
    "statuspage/anthropic/summary_2026-07-29_major.json": "statuspage",
    "statuspage/cloudamqp/summary_2020-07-16_maintenance.json": "statuspage",
    "statuspage/cloudflare/summary_2026-07-29_major.json": "statuspage",
    "statuspage/github/incident_8n38wzt8fvj8_2010-09-27_legacy.json": "statuspage",
    "statuspage/github/incident_gqx5l06jjxhp_2023-06-29_critical.json": "statuspage",
    "statuspage/github/incident_t2xwk9mz56f4_2023-02-18_major_29updates.json": "statuspage",
    "statuspage/github/summary_2022-11-25_incident.json": "statuspage",
    "statuspage/github/summary_2026-07-24_major.json": "statuspage",
    "statuspage/twilio/summary_2020-06-16_la-offsets.json": "statuspage",
}


def test_every_real_payload_is_listed(real_feed: Callable[[str], bytes]) -> None:
    from tests.conftest import shared_feeds_dir

    feeds = shared_feeds_dir()
    assert feeds is not None
    on_disk = {
        str(p.relative_to(feeds))
        for p in feeds.rglob("*")
        if p.is_file() and p.name != "SOURCES.md"
    }
    assert on_disk == set(EXPECTED), "a real payload was added or removed: extend the suite"


@pytest.mark.parametrize(("relative", "kind"), sorted(EXPECTED.items()))
def test_sniffed_kind(real_feed: Callable[[str], bytes], relative: str, kind: str) -> None:
    assert sniff_kind(real_feed(relative)) == kind


@pytest.mark.parametrize("relative", sorted(EXPECTED))
def test_cli_parses_every_real_payload(
    real_feed: Callable[[str], bytes],
    relative: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from tests.conftest import shared_feeds_dir

    feeds = shared_feeds_dir()
    assert feeds is not None
    assert main(["parse", str(feeds / relative), "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["kind"] == EXPECTED[relative]
    for key in ("page_status", "components", "incidents", "maintenances"):
        assert key in document
