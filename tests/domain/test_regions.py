"""Region taxonomy: every table row resolves by every spelling feeds use; unknowns stay verbatim."""

from __future__ import annotations

import json
from collections import Counter
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import shared_feeds_dir
from watchtui.domain.regions import GEOGRAPHIES, all_regions, geography_name, lookup, resolve
from watchtui.sources._common import load_xml

Row = tuple[str, str, str, str, tuple[str, ...]]


def _rows() -> list[Row]:
    """The table read straight from the file, independent of the module under test."""
    text = files("watchtui").joinpath("data/regions.tsv").read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0].split("\t") == ["provider", "code", "name", "geography", "source", "aliases"]
    rows: list[Row] = []
    for line in lines[1:]:
        provider, code, name, geography, _source, aliases = line.split("\t")
        rows.append((provider, code, name, geography, tuple(a for a in aliases.split("|") if a)))
    return rows


ROWS = _rows()


def _of(provider: str) -> list[Row]:
    return [row for row in ROWS if row[0] == provider]


def _ids(rows: list[Row]) -> list[str]:
    return [f"{row[0]}:{row[1]}" for row in rows]


def test_table_shape() -> None:
    counts = Counter(row[0] for row in ROWS)
    # Reference table (aws 36, gcp 46, azure 57, cloudflare 337) plus the two AWS China regions.
    assert counts == {"aws": 38, "gcp": 46, "azure": 57, "cloudflare": 337}
    assert len({(row[0], row[1].lower()) for row in ROWS}) == len(ROWS)
    assert {row[3] for row in ROWS} <= set(GEOGRAPHIES)
    assert len(all_regions()) == len(ROWS)
    assert len(all_regions("cloudflare")) == 337


@pytest.mark.parametrize("row", ROWS, ids=_ids(ROWS))
def test_every_row_resolves_by_code_and_name(row: Row) -> None:
    provider, code, name, geography, _aliases = row
    for text in (code, code.upper(), code.lower(), f"  {code} ", name, name.upper()):
        region = lookup(provider, text)
        assert region is not None, text
        assert (region.code, region.name, region.geography) == (code, name, geography)


@pytest.mark.parametrize("row", _of("gcp"), ids=_ids(_of("gcp")))
def test_gcp_feed_titles(row: Row) -> None:
    _, code, name, _, _ = row
    region = lookup("gcp", f"{name} ({code})")
    assert region is not None
    assert region.code == code


@pytest.mark.parametrize("row", _of("cloudflare"), ids=_ids(_of("cloudflare")))
def test_cloudflare_colo_component_names(row: Row) -> None:
    _, code, name, _, _ = row
    region = lookup("cloudflare", f"{name} - ({code})")
    assert region is not None
    assert region.code == code


@pytest.mark.parametrize("row", _of("aws"), ids=_ids(_of("aws")))
def test_aws_console_long_names(row: Row) -> None:
    _, code, name, _, aliases = row
    assert aliases, f"{code} has no long name"
    for alias in aliases:
        region = lookup("aws", alias)
        assert region is not None
        assert region.code == code
    # The old Service Health Dashboard suffixed service names with the short region name.
    region = lookup("aws", f"Amazon Elastic Compute Cloud ({name})")
    assert region is not None
    assert region.code == code


@pytest.mark.parametrize("row", _of("azure"), ids=_ids(_of("azure")))
def test_azure_display_and_programmatic_names(row: Row) -> None:
    _, code, name, _, _ = row
    for text in (name, name.lower(), name.replace(" ", ""), code):
        region = lookup("azure", text)
        assert region is not None
        assert region.code == code


@pytest.mark.parametrize(
    ("provider", "text", "code"),
    [
        ("gcp", "Iowa (us-central1)", "us-central1"),
        ("gcp", "Montreal (northamerica-northeast1)", "northamerica-northeast1"),
        ("gcp", "montreal", "northamerica-northeast1"),
        ("gcp", "Sao Paulo", "southamerica-east1"),
        ("gcp", "Mexico", "northamerica-south1"),
        ("gcp", "North Virginia", "us-east4"),
        ("gcp", "Multi-region: eu", "eu"),
        ("gcp", "Global", "global"),
        ("cloudflare", "Frankfurt, Germany - (FRA)", "FRA"),
        ("cloudflare", "Frankfurt, Germany", "FRA"),
        ("cloudflare", "Frankfurt", "FRA"),
        ("cloudflare", "fra", "FRA"),
        ("cloudflare", "Bogota, Colombia - (BOG)", "BOG"),
        ("cloudflare", "Dusseldorf, Germany", "DUS"),
        ("cloudflare", "Chisinau, Moldova", "KIV"),
        ("cloudflare", "Reykjavik", "KEF"),
        ("aws", "US East (N. Virginia)", "us-east-1"),
        ("aws", "us east (n. virginia)", "us-east-1"),
        ("aws", "South America (Sao Paulo)", "sa-east-1"),
        ("aws", "South America (São Paulo)", "sa-east-1"),
        ("aws", "São Paulo", "sa-east-1"),
        ("aws", "Canada (Central)", "ca-central-1"),
        ("aws", "Canada-Central", "ca-central-1"),
        ("aws", "AWS GovCloud (US-West)", "us-gov-west-1"),
        ("aws", "China (Beijing)", "cn-north-1"),
        ("aws", "Middle East (UAE)", "me-central-1"),
        ("azure", "West  US", "westus"),
        ("azure", "EAST US 2", "eastus2"),
    ],
)
def test_spellings(provider: str, text: str, code: str) -> None:
    region = lookup(provider, text)
    assert region is not None
    assert region.code == code


def test_ambiguous_city_is_not_guessed() -> None:
    # "San Jose, CA" and "San José, Costa Rica" are both colos.
    assert lookup("cloudflare", "San Jose") is None
    sjc = lookup("cloudflare", "San Jose, CA, United States")
    assert sjc is not None
    assert sjc.code == "SJC"


@pytest.mark.parametrize(
    ("provider", "text"),
    [
        ("aws", "Mars (mars-1)"),
        ("aws", "ap-moon-1"),
        ("aws", "westus"),  # an Azure name is not an AWS region
        ("gcp", "Network Infrastructure"),
        ("azure", "Network Infrastructure"),
        ("azure", "Virtual Machines (West Moon)"),
        ("cloudflare", "Atlantis - (ZZZ)"),
        ("nonexistent", "us-east-1"),
        ("aws", ""),
        ("aws", "   "),
        ("aws", "()"),
    ],
)
def test_unknown_regions(provider: str, text: str) -> None:
    assert lookup(provider, text) is None
    if text.strip():
        kept = resolve(provider, text)
        assert kept.code == text.strip()
        assert kept.name == text.strip()
        assert kept.geography is None


def test_resolve_known_region() -> None:
    region = resolve("azure", "West Europe")
    assert (region.code, region.geography) == ("westeurope", "eu-west")


def test_geography_names() -> None:
    assert geography_name("eu-west") == "Western Europe"
    assert geography_name(None) == "Unmapped"
    assert geography_name("mars") == "mars"


# --- real payloads (skipped loudly when ../shared/feeds is absent) -----------------------------


@pytest.fixture
def feeds() -> Path:
    found = shared_feeds_dir()
    if found is None:
        pytest.skip("../shared/feeds is absent: real-payload region checks NOT run")
    return found


def _json(path: Path) -> Any:
    raw = path.read_bytes()
    if raw.startswith(b"\xfe\xff"):
        return json.loads(raw.decode("utf-16"))
    return json.loads(raw)


def test_every_aws_catalogue_region_resolves(feeds: Path) -> None:
    services = _json(feeds / "aws" / "services_2026-03-24.json")
    pairs = {(s["region_id"], s["region_name"]) for s in services if s.get("region_id")}
    assert len(pairs) == 36
    for code, name in pairs:
        by_code, by_name = lookup("aws", code), lookup("aws", name)
        assert by_code is not None, code
        assert by_name is not None, name
        assert by_code.code == by_name.code == code


def test_aws_currentevents_regions_resolve(feeds: Path) -> None:
    events = _json(feeds / "aws" / "currentevents_2026-08-01_utf16be.json")
    found = set()
    for event in events:
        arn_region = event["arn"].split(":")[3]
        by_name = lookup("aws", event["region_name"])
        assert by_name is not None
        assert by_name.code == arn_region
        found.add(arn_region)
    assert found == {"me-central-1", "me-south-1"}


def test_every_gcp_feed_location_resolves(feeds: Path) -> None:
    incidents = _json(feeds / "gcp" / "incidents_2022-07-03.json")
    locations: dict[str, str] = {}
    for incident in incidents:
        for key in ("currently_affected_locations", "previously_affected_locations"):
            for loc in incident.get(key, []):
                locations[loc["id"]] = loc["title"]
        for update in incident.get("updates", []):
            for loc in update.get("affected_locations", []):
                locations[loc["id"]] = loc["title"]
    assert len(locations) == 36
    assert "global" in locations
    for code, title in locations.items():
        by_code, by_title = lookup("gcp", code), lookup("gcp", title)
        assert by_code is not None, code
        assert by_title is not None, title
        assert by_code.code == by_title.code == code


def test_every_cloudflare_colo_component_resolves(feeds: Path) -> None:
    summary = _json(feeds / "statuspage" / "cloudflare" / "summary_2026-07-29_major.json")
    continents = {
        "Africa",
        "Asia",
        "Europe",
        "Latin America & the Caribbean",
        "Middle East",
        "North America",
        "Oceania",
    }
    groups = {c["id"] for c in summary["components"] if c.get("group") and c["name"] in continents}
    assert len(groups) == 7
    colos = [c["name"] for c in summary["components"] if c.get("group_id") in groups]
    assert len(colos) == 337
    for name in colos:
        region = lookup("cloudflare", name)
        assert region is not None, name
        assert name.rstrip(")").endswith(region.code)


def test_azure_feed_region_category_resolves(feeds: Path) -> None:
    payload = (feeds / "azure" / "feed_2026-07-23T18-12_westus_14cats.xml").read_bytes()
    root = load_xml(payload, "azure")
    categories = [(c.text or "").strip() for c in root.iter("category")]
    assert len(categories) == 15
    regions = {r.code for c in categories if (r := lookup("azure", c)) is not None}
    # Only the region among the 14 service names maps; the services stay unmapped.
    assert regions == {"westus"}
