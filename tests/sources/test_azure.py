"""Azure status RSS parser on hand-written fixtures (tests/fixtures/azure)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.conftest import FIXTURES
from watchtui.domain.errors import FeedError
from watchtui.domain.model import Snapshot
from watchtui.sources import azure

DIR = FIXTURES / "azure"


def _parse(name: str) -> Snapshot:
    return azure.parse((DIR / name).read_bytes())


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


def test_single_item_with_region_category() -> None:
    snap = _parse("one_region.xml")
    assert snap.kind == "azure"
    assert snap.page_name == "Azure Status"
    assert snap.page_url == "https://azurestatusprodeus.azurewebsites.net/en-us/status/"
    assert snap.updated_at == _utc(2026, 6, 5, 10, 40)
    [incident] = snap.incidents
    assert incident.id == "storage-latency-in-north-europe"
    assert incident.title == "Increased storage latency in North Europe"  # trailing space gone
    assert incident.regions == ("North Europe",)
    # The repeated <category>Storage</category> counts once.
    assert incident.components == ("Storage", "Virtual Machines")
    assert incident.status == "investigating"
    assert incident.impact == "major"
    assert incident.is_open
    assert incident.started_at == _utc(2026, 6, 5, 9, 30)
    # pubDate never moves when the text changes: the channel's build time says how fresh it is.
    assert incident.updated_at == _utc(2026, 6, 5, 10, 40)
    # Derived listing: each named service is a component while an item names it.
    assert snap.component_listing == "derived"
    assert [(c.id, c.status, c.regions) for c in snap.components] == [
        ("Storage", "partial_outage", ("North Europe",)),
        ("Virtual Machines", "partial_outage", ("North Europe",)),
    ]


def test_description_html_becomes_text() -> None:
    [incident] = _parse("one_region.xml").incidents
    [update] = incident.updates
    assert update.text == (
        "Starting at 09:12 UTC we are investigating increased latency.\n\n"
        "See the Microsoft status page & updates."
    )
    assert update.at == _utc(2026, 6, 5, 10, 40)
    assert update.status == "investigating"


def test_page_status_reflects_active_items() -> None:
    snap = _parse("one_region.xml")
    assert snap.page_status.indicator == "major"
    assert snap.page_status.description == "1 active issue"
    assert snap.derived_impact == "major"


def test_several_region_categories_and_title_regions() -> None:
    snap = _parse("multi.xml")
    front_door, aks = snap.incidents
    assert front_door.regions == ("East US 2", "West Europe")
    assert front_door.components == ("Azure Front Door",)
    # No region category: regions are read from the title, "West US 2" not mistaken for "West US".
    assert aks.regions == ("West US 2", "Southeast Asia")
    assert aks.components == ("Azure Kubernetes Service (AKS)",)
    assert snap.page_status.description == "2 active issues"


def test_pubdate_after_build_date_is_kept() -> None:
    _, aks = _parse("multi.xml").incidents
    assert aks.started_at == _utc(2026, 6, 5, 13, 15)
    assert aks.updated_at == _utc(2026, 6, 5, 13, 15)


def test_empty_channel_is_all_clear() -> None:
    snap = _parse("all_clear.xml")
    assert snap.incidents == ()
    assert snap.page_status.indicator == "none"
    assert snap.page_status.description == "All clear"
    assert snap.updated_at == _utc(2026, 6, 6, 8, 0)
    assert snap.derived_impact == "none"


@pytest.mark.parametrize(
    "path",
    [
        DIR / "status_page.html",
        FIXTURES / "rss" / "error_page_wellformed.html",
        FIXTURES / "rss" / "truncated.atom",
        FIXTURES / "rss" / "billion_laughs.xml",
        FIXTURES / "rss" / "external_entity.xml",
        FIXTURES / "rss" / "random.bin",
        FIXTURES / "rss" / "generic.atom",  # Atom is not the Azure feed
    ],
    ids=lambda p: p.name,
)
def test_html_and_broken_payloads_are_errors_not_all_clear(path: Path) -> None:
    with pytest.raises(FeedError) as caught:
        azure.parse(path.read_bytes())
    assert caught.value.kind == "azure"


def test_item_without_usable_date_is_dropped_alone() -> None:
    data = (
        b"<rss version='2.0'><channel><title>Azure Status</title>"
        b"<item><guid>x</guid><title>Something</title><category>Storage</category></item>"
        b"<item><guid>y</guid><title>Else</title><pubDate>Fri, 05 Jun 10000 11:00:00 Z</pubDate>"
        b"</item><item><guid>z</guid><title>Fine</title><category>DNS</category>"
        b"<pubDate>Fri, 05 Jun 2026 11:00:00 Z</pubDate></item></channel></rss>"
    )
    snap = azure.parse(data)
    assert [i.id for i in snap.incidents] == ["z"]
    # The dropped item's service is not listed: only what kept items name.
    assert [c.id for c in snap.components] == ["DNS"]
    assert [(d.what, d.id) for d in snap.dropped] == [("incident", "x"), ("incident", "y")]
    assert "pubDate" in snap.dropped[0].reason
    reason = "pubDate 'Fri, 05 Jun 10000 11:00:00 Z' is not a usable time"
    assert snap.dropped[1].reason == reason
    assert snap.page_status.description == "1 active issue"


def test_unreadable_last_build_date_is_ignored() -> None:
    data = (
        b"<rss version='2.0'><channel><title>Azure Status</title>"
        b"<lastBuildDate>yesterday</lastBuildDate><item><guid>z</guid><title>Fine</title>"
        b"<pubDate>Fri, 05 Jun 2026 11:00:00 Z</pubDate></item></channel></rss>"
    )
    snap = azure.parse(data)
    assert snap.updated_at is None
    assert [i.updated_at for i in snap.incidents] == [_utc(2026, 6, 5, 11, 0)]
