"""The azure parser on every real Azure status RSS capture in ../shared/feeds/azure.

Expected values were read off the raw XML (<category> values, dates, guid), not from the parser.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from watchtui.domain.model import Snapshot
from watchtui.sources import azure

RealFeed = Callable[[str], bytes]

GUID = "issues-connecting-to-resources-in-west-us"
TITLE = "Issues connecting to resources in West US"


def _parse(real_feed: RealFeed, name: str) -> Snapshot:
    return azure.parse(real_feed(f"azure/{name}"))


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


def test_westus(real_feed: RealFeed) -> None:
    snap = _parse(real_feed, "feed_2026-07-23T16-49_westus.xml")
    assert snap.page_name == "Azure Status"
    assert snap.page_url == "https://azurestatusprodeus.azurewebsites.net/en-us/status/"
    assert snap.updated_at == _utc(2026, 7, 23, 16, 49, 55)
    assert snap.page_status.indicator == "major"
    [incident] = snap.incidents
    assert incident.id == GUID
    assert incident.title == TITLE  # the feed's trailing space is gone
    assert incident.regions == ("West US",)
    assert incident.components == ("Network Infrastructure",)
    assert incident.started_at == _utc(2026, 7, 23, 16, 29, 9)
    assert incident.updated_at == _utc(2026, 7, 23, 16, 49, 55)
    assert incident.is_open and incident.status == "investigating" and incident.impact == "major"
    assert incident.url == "https://azurestatusprodeus.azurewebsites.net/en-us/status/"
    [update] = incident.updates
    assert update.text.startswith("Starting at 14:44 UTC on 23 July, 2026, we began investigating")
    assert update.text.count("\n\n") == 2  # three <p> paragraphs
    assert "<p>" not in update.text
    assert snap.derived_impact == "major"


def test_westus_14_categories(real_feed: RealFeed) -> None:
    snap = _parse(real_feed, "feed_2026-07-23T18-12_westus_14cats.xml")
    assert snap.updated_at == _utc(2026, 7, 23, 18, 12, 58)
    [incident] = snap.incidents
    assert incident.id == GUID
    assert incident.title == TITLE
    assert incident.regions == ("West US",)
    assert incident.components == (
        "API Management",
        "App Service",
        "Azure Active Directory B2C",
        "Azure Databricks",
        "Azure Firewall",
        "Azure Kubernetes Service (AKS)",
        "Azure Cognitive Search",
        "Azure VMware Solutions",
        "Speech Services",
        "ExpressRoute Circuits",
        "ExpressRoute Gateways",
        "Network Infrastructure",
        "Power BI Embedded",
        "Virtual WAN",
    )
    # pubDate did not move although the description grew: freshness comes from lastBuildDate.
    assert incident.started_at == _utc(2026, 7, 23, 16, 29, 9)
    assert incident.updated_at == _utc(2026, 7, 23, 18, 12, 58)
    text = incident.updates[0].text
    assert "(https://status.cloud.microsoft/)" in text
    assert "&nbsp;" not in text and "\u00a0" not in text
    assert text.endswith("as this action is rolling out.")


def test_all_clear(real_feed: RealFeed) -> None:
    snap = _parse(real_feed, "feed_2026-08-01_allclear_empty.xml")
    assert snap.incidents == ()
    assert snap.page_status.indicator == "none"
    assert snap.page_status.description == "All clear"
    assert snap.updated_at == _utc(2026, 8, 1, 23, 2, 0)
    assert snap.derived_impact == "none"
