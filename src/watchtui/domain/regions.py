"""Table-driven region taxonomy: provider region codes and names to a canonical geography.

The table (``data/regions.tsv``: provider, code, name, geography, source, aliases) lets the UI
answer "what is hurting in Western Europe?" across clouds.  Feeds name regions in many ways (AWS
``us-west-1`` or ``US West (N. California)``, Azure ``West US``, GCP ``Iowa (us-central1)``,
Cloudflare ``Frankfurt, Germany - (FRA)``); ``lookup`` accepts all of them.  Unknown regions are
kept verbatim by callers, never dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from watchtui.domain.model import Region
from watchtui.domain.text import fold

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

# A trailing parenthesis names the region in many feeds: GCP "Iowa (us-central1)", Cloudflare
# "Frankfurt, Germany - (FRA)", AWS "US East (N. Virginia)" or "Amazon EC2 (N. Virginia)".
_TRAILING_PAREN = re.compile(r"^(?P<outer>.*?)\s*-?\s*\((?P<inner>[^()]+)\)\s*$")


@dataclass(frozen=True, slots=True)
class _Tables:
    by_code: dict[tuple[str, str], Region]
    # Display names and the aliases column (AWS console long names such as "US East (N. Virginia)").
    by_name: dict[tuple[str, str], Region]
    # Cloudflare colos by city alone ("Frankfurt"), only where the city is unambiguous.
    by_city: dict[tuple[str, str], Region]


@cache
def _table() -> _Tables:
    by_code: dict[tuple[str, str], Region] = {}
    by_name: dict[tuple[str, str], Region] = {}
    cities: dict[tuple[str, str], list[Region]] = {}
    text = files("watchtui").joinpath("data/regions.tsv").read_text(encoding="utf-8")
    for line in text.splitlines()[1:]:
        if not line.strip():
            continue
        provider, code, name, geography, _source, *rest = line.split("\t")
        region = Region(provider=provider, code=code, name=name, geography=geography)
        by_code[(provider, code.lower())] = region
        aliases = rest[0].split("|") if rest and rest[0] else []
        for label in (name, *aliases):
            by_name.setdefault((provider, fold(label)), region)
        if "," in name:
            cities.setdefault((provider, fold(name.split(",")[0].strip())), []).append(region)
    by_city = {key: found[0] for key, found in cities.items() if len(found) == 1}
    return _Tables(by_code=by_code, by_name=by_name, by_city=by_city)


def all_regions(provider: str | None = None) -> list[Region]:
    return [r for (p, _), r in _table().by_code.items() if provider is None or p == provider]


def _direct(tables: _Tables, provider: str, raw: str) -> Region | None:
    key = fold(raw)
    return (
        tables.by_code.get((provider, raw.lower()))
        or tables.by_name.get((provider, key))
        # Azure's display names are the programmatic names with spaces ("West US" -> "westus").
        or tables.by_code.get((provider, key.replace(" ", "")))
        or tables.by_city.get((provider, key))
    )


def lookup(provider: str, text: str) -> Region | None:
    """The region ``text`` names for ``provider`` (by code, display name or decorated title)."""
    tables = _table()
    raw = " ".join(text.split())
    if not raw:
        return None
    found = _direct(tables, provider, raw)
    if found:
        return found
    match = _TRAILING_PAREN.match(raw)
    if match is None:
        return None
    # The parenthesis usually holds the more precise part (a code or the region of a service).
    return _direct(tables, provider, match["inner"].strip()) or (
        _direct(tables, provider, match["outer"]) if match["outer"] else None
    )


def resolve(provider: str, text: str) -> Region:
    """Like ``lookup`` but never loses the region: unknown text comes back verbatim, unmapped."""
    return lookup(provider, text) or Region(provider=provider, code=text.strip(), name=text.strip())


def geography_name(geography: str | None) -> str:
    if geography is None:
        return "Unmapped"
    return GEOGRAPHIES.get(geography, geography)
