"""Where a signal is: the regions feeds name, resolved for the feed's kind, and the region a probe
is configured for (a provider region or a canonical geography).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from watchtui import catalog
from watchtui.domain import regions
from watchtui.domain.model import Region
from watchtui.domain.text import fold
from watchtui.probes import ProbeSpec

__all__ = [
    "ProbeScope",
    "probe_region",
    "probe_scope",
    "provider_kind",
    "provider_name",
    "resolve_region",
    "scope_of",
]

# The region taxonomy each kind speaks; Statuspage colo codes are IATA-style like Cloudflare's.
_TAXONOMY = {"aws": "aws", "aws-rss": "aws", "gcp": "gcp", "azure": "azure"}
_FALLBACK_TAXONOMIES = ("cloudflare", "aws", "gcp", "azure")


# The taxonomy is static and a Region is immutable, so a (kind, raw) pair always resolves alike:
# every read of the board asks again for the same few hundred pairs.  Bounded, because the raw
# text comes from feeds.
@lru_cache(maxsize=4096)
def resolve_region(kind: str, raw: str) -> Region:
    """The region a feed of ``kind`` means by ``raw``; unknown text comes back verbatim,
    unmapped."""
    first = _TAXONOMY.get(kind)
    for provider in (first, *_FALLBACK_TAXONOMIES) if first else _FALLBACK_TAXONOMIES:
        if provider is None:
            continue
        found = regions.lookup(provider, raw)
        if found is not None:
            return found
    return Region(provider=first or kind, code=raw, name=raw)


@dataclass(frozen=True)
class ProbeScope:
    """A probe's region, resolved.  ``geography`` alone (``by_geography``) when the probe named a
    canonical geography; else the provider region (``region``), matched by code."""

    raw: str
    label: str
    by_geography: bool
    geography: str | None
    region: Region | None

    @property
    def place(self) -> Region:
        """The region as screens show it: a geography is a region of provider ``geography``."""
        if self.region is not None:
            return self.region
        return Region(
            provider="geography",
            code=self.geography or "",
            name=self.label,
            geography=self.geography,
        )

    def matches(self, kind: str, raw_region: str) -> bool:
        found = resolve_region(kind, raw_region)
        if self.by_geography:
            return found.geography is not None and found.geography == self.geography
        if self.region is not None and self.region.geography is not None:
            return (found.provider, found.code.casefold()) == (
                self.region.provider,
                self.region.code.casefold(),
            )
        # An unknown region on both sides: the same words name the same place.
        return fold(" ".join(raw_region.split())) == fold(" ".join(self.raw.split()))


def scope_of(raw: str | None, kind: str) -> ProbeScope | None:
    """A configured region (``westeurope``, ``West Europe``, ``eu-west``) for a provider of
    ``kind`` (its region taxonomy: azure, aws, gcp, …); None when none is configured."""
    if raw is None or not raw.strip():
        return None
    raw = raw.strip()
    if raw.casefold() in regions.GEOGRAPHIES:
        geography = raw.casefold()
        return ProbeScope(raw, regions.geography_name(geography), True, geography, None)
    region = resolve_region(kind, raw)
    return ProbeScope(raw, region.name, False, region.geography, region)


def probe_scope(spec: ProbeSpec, kind: str) -> ProbeScope | None:
    """None when the probe names no region.  ``kind``: the provider's source kind."""
    return scope_of(spec.region, kind)


def probe_region(spec: ProbeSpec, kind: str) -> Region | None:
    scope = probe_scope(spec, kind)
    return None if scope is None else scope.place


def provider_kind(provider: str | None, source_kinds: Mapping[str, str]) -> str:
    """The kind of a watched source, else of the catalog entry of that id ("" when unknown)."""
    if provider is None:
        return ""
    if provider in source_kinds:
        return source_kinds[provider]
    entry = catalog.get(provider)
    return entry.kind if entry is not None else ""


def provider_name(provider: str, names: Mapping[str, str] | None) -> str:
    if names and provider in names:
        return names[provider]
    entry = catalog.get(provider)
    return entry.name if entry is not None else provider
