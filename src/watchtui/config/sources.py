"""What the config resolves to: the sources the poller fetches and their endpoints.

Catalog providers come with their endpoints; a custom source gives a base address (endpoints are
derived from its kind) or a full feed URL used as is.  The catalog is imported by the functions
that read it, so the models load without it.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict

from watchtui.config.schema import MIN_INTERVAL, Config, Watch, Watchlist

__all__ = [
    "Endpoint",
    "SourceSpec",
    "derive_endpoints",
    "history_interval_for",
    "resolve_sources",
    "watched_providers",
]

# Kinds whose payload lists only what is current: an incident that disappears from it has ended.
_CURRENT_ONLY_KINDS = frozenset(
    {
        "statuspage",
        "incidentio",
        "aws",
        "azure",
        "slack",
        "heroku",
        "instatus",
        "checkly",
        "pagerduty",
        "statusio",
    }
)


class Endpoint(BaseModel):
    model_config = ConfigDict(frozen=True)

    url: str
    role: Literal["current", "history"]
    interval: int
    lists_only_current: bool


class SourceSpec(BaseModel):
    """One configured source, resolved to the endpoints the poller fetches."""

    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    kind: str
    base_url: str
    interval: int
    endpoints: tuple[Endpoint, ...]
    enabled: bool = True
    from_catalog: bool = False


def _is_endpoint_url(url: str) -> bool:
    """A full endpoint or feed URL (used as is) rather than a page's base address."""
    path = urlsplit(url).path.lower()
    return (
        path.endswith((".json", ".rss", ".atom", ".xml", "/feed", "/feed/", "/current-status"))
        or "/api/" in path
        or "/rss/" in path
        or path.endswith("/currentevents")
    )


def _lists_only_current(kind: str, url: str) -> bool:
    """Whether a full endpoint URL lists every open incident and nothing else, so that an open
    incident it stops listing has ended.  Of a Statuspage page only ``summary.json`` and
    ``incidents/unresolved.json`` do: ``incidents.json`` lists the past too, an incident's own
    URL lists one, and ``status.json``/``components.json`` list none (reading them as "current"
    would resolve every open incident)."""
    path = urlsplit(url).path.lower().rstrip("/")
    if kind in ("statuspage", "incidentio"):
        return path.endswith(("/summary.json", "/incidents/unresolved.json"))
    if kind == "slack":
        return not path.endswith("/history")
    return True


def history_interval_for(interval: int) -> int:
    """History endpoints (Statuspage incidents.json, Slack history) change rarely and are bigger:
    the catalog's rule applies to custom sources and interval overrides too."""
    from watchtui import catalog

    return max(interval * catalog.HISTORY_INTERVAL_FACTOR, catalog.MIN_HISTORY_INTERVAL)


def derive_endpoints(kind: str, url: str, interval: int) -> tuple[Endpoint, ...]:
    """Endpoints to poll for a custom source given either a base address or a full URL."""
    current_only = kind in _CURRENT_ONLY_KINDS
    history_interval = history_interval_for(interval)
    if _is_endpoint_url(url):
        role: Literal["current", "history"] = "current"
        if not _lists_only_current(kind, url):
            role = "history"
        return (
            Endpoint(
                url=url,
                role=role,
                interval=interval,
                lists_only_current=current_only and role == "current",
            ),
        )
    base = url.rstrip("/")
    if kind in ("statuspage", "incidentio"):
        return (
            Endpoint(
                url=f"{base}/api/v2/summary.json",
                role="current",
                interval=interval,
                lists_only_current=True,
            ),
            Endpoint(
                url=f"{base}/api/v2/incidents.json",
                role="history",
                interval=history_interval,
                lists_only_current=False,
            ),
        )
    if kind == "slack":
        return (
            Endpoint(
                url=f"{base}/api/v2.0.0/current",
                role="current",
                interval=interval,
                lists_only_current=True,
            ),
            Endpoint(
                url=f"{base}/api/v2.0.0/history",
                role="history",
                interval=history_interval,
                lists_only_current=False,
            ),
        )
    suffix = {
        "gcp": "/incidents.json",
        "aws": "/public/currentevents",
        "pagerduty": "/api/data",
        "heroku": "/api/v4/current-status",
        "instatus": "/summary.json",
        "betterstack": "/index.json",
        "rss": "/history.atom",
    }.get(kind, "")
    return (
        Endpoint(
            url=base + suffix, role="current", interval=interval, lists_only_current=current_only
        ),
    )


def canonical_watchlist(watchlist: Watchlist, source_ids: Collection[str]) -> Watchlist:
    """``watchlist`` with a catalog alias (``gh``) written as the source it names (``github``),
    in providers and in components' ``source:`` prefixes, so every reader matches on ids."""

    def canonical(value: str) -> str:
        if value in source_ids:
            return value
        from watchtui import catalog

        entry = catalog.get(value)
        return entry.id if entry is not None and entry.id in source_ids else value

    components = []
    for component in watchlist.components:
        source, colon, name = component.partition(":")
        components.append(f"{canonical(source)}{colon}{name}")
    return Watchlist(
        providers=[canonical(p) for p in watchlist.providers],
        components=components,
        regions=list(watchlist.regions),
    )


def disabled_providers(watch: Watch) -> set[str]:
    """Catalog ids switched off (``watch.disabled``), aliases read as their provider."""
    from watchtui import catalog

    return {entry.id if (entry := catalog.get(p)) else p for p in watch.disabled}


def watched_providers(watch: Watch) -> list[str]:
    """Canonical catalog ids watched, in order: ``providers`` (else the defaults), then
    ``extra_providers``, less ``excluded_providers``; aliases and repeats count once."""
    from watchtui import catalog

    base = watch.providers if watch.providers is not None else catalog.default_ids()
    excluded = {_canonical(p) for p in watch.excluded_providers}
    chosen: list[str] = []
    for provider in [*base, *watch.extra_providers]:
        canonical = _canonical(provider)
        if canonical not in excluded and canonical not in chosen:
            chosen.append(canonical)
    return chosen


def _canonical(provider: str) -> str:
    from watchtui import catalog

    entry = catalog.get(provider)
    return entry.id if entry is not None else provider


def resolve_sources(config: Config) -> list[SourceSpec]:
    """Every source the config asks for: catalog providers first, then custom sources."""
    from watchtui import catalog

    specs: list[SourceSpec] = []
    disabled = disabled_providers(config.watch)
    for provider_id in watched_providers(config.watch):
        entry = catalog.get(provider_id)
        if entry is None or not entry.pollable:
            continue
        interval = max(MIN_INTERVAL, config.watch.intervals.get(entry.id, entry.interval))
        endpoints = tuple(
            Endpoint(
                url=e.url,
                role=e.role,
                interval=interval if e.role == "current" else history_interval_for(interval),
                lists_only_current=e.role == "current" and entry.kind in _CURRENT_ONLY_KINDS,
            )
            for e in entry.endpoints
        )
        specs.append(
            SourceSpec(
                id=entry.id,
                name=entry.name,
                kind=entry.kind,
                base_url=entry.base_url,
                interval=interval,
                endpoints=endpoints,
                from_catalog=True,
                enabled=entry.id not in disabled,
            )
        )
    for custom in config.sources:
        specs.append(
            SourceSpec(
                id=custom.id,
                name=custom.name or custom.id,
                kind=custom.kind,
                base_url=custom.url,
                interval=custom.interval,
                endpoints=derive_endpoints(custom.kind, custom.url, custom.interval),
                enabled=custom.enabled,
            )
        )
    return specs
