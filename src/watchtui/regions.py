"""Table-driven region taxonomy: provider region codes and names to a canonical geography.

The table (``data/regions.tsv``: provider, code, name, geography) lets the UI answer "what is
hurting in Western Europe?" across clouds.  Feeds name regions in many ways (AWS ``us-west-1``, Azure
``West US``, GCP ``Iowa (us-central1)``, Cloudflare ``Frankfurt, Germany - (FRA)``); ``lookup``
accepts all of them.  Unknown regions are kept verbatim by callers, never dropped.
"""

from __future__ import annotations

import re
from functools import cache
from importlib.resources import files

from watchtui.model import Region
from watchtui.text import fold

GEOGRAPHIES: dict[str, str] = {
    "us-east": "US East",
    "us-central": "US Central",
    "us-west": "US West",
    "canada": "Canada",
    "mexico": "Mexico",
    "south-america": "South & Central America",
    "uk": "United Kingdom",
    "eu-west": "Western Europe",
    "eu-north": "Northern Europe",
    "eu-central": "Central Europe",
    "eu-south": "Southern Europe",
    "middle-east": "Middle East",
    "africa": "Africa",
    "asia-east": "East Asia",
    "asia-southeast": "Southeast Asia",
    "asia-south": "South Asia",
    "japan": "Japan",
    "korea": "Korea",
    "china": "China",
    "oceania": "Oceania",
    "global": "Global",
}

# Cloudflare colo components end in " - (XXX)"; GCP location titles in " (code)".
_TRAILING_CODE = re.compile(r"^(?P<name>.*?)\s*-?\s*\((?P<code>[A-Za-z0-9-]+)\)\s*$")


@cache
def _table() -> tuple[dict[tuple[str, str], Region], dict[tuple[str, str], Region]]:
    by_code: dict[tuple[str, str], Region] = {}
    by_name: dict[tuple[str, str], Region] = {}
    text = files("watchtui").joinpath("data/regions.tsv").read_text(encoding="utf-8")
    for line in text.splitlines()[1:]:
        if not line.strip():
            continue
        provider, code, name, geography, *_ = line.split("\t")
        region = Region(provider=provider, code=code, name=name, geography=geography)
        by_code[(provider, code.lower())] = region
        by_name.setdefault((provider, fold(name)), region)
    return by_code, by_name


def all_regions(provider: str | None = None) -> list[Region]:
    by_code, _ = _table()
    return [r for (p, _), r in by_code.items() if provider is None or p == provider]


def lookup(provider: str, text: str) -> Region | None:
    """The region ``text`` names for ``provider`` (by code, display name or decorated title)."""
    by_code, by_name = _table()
    raw = text.strip()
    if not raw:
        return None
    found = by_code.get((provider, raw.lower())) or by_name.get((provider, fold(raw)))
    if found:
        return found
    match = _TRAILING_CODE.match(raw)
    if match:
        return by_code.get((provider, match["code"].lower())) or by_name.get(
            (provider, fold(match["name"]))
        )
    # Azure's display names are the programmatic names with spaces ("West US" -> "westus").
    return by_code.get((provider, fold(raw).replace(" ", "")))


def resolve(provider: str, text: str) -> Region:
    """Like ``lookup`` but never loses the region: unknown text comes back verbatim, no geography."""
    return lookup(provider, text) or Region(provider=provider, code=text.strip(), name=text.strip())


def geography_name(geography: str | None) -> str:
    if geography is None:
        return "Unmapped"
    return GEOGRAPHIES.get(geography, geography)
