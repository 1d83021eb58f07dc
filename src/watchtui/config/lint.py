"""What a valid config may still get wrong: entries that name nothing watchtui polls.

These are warnings, not errors: the app starts with them (a watchlist entry for a source removed
since is harmless), but each one is a place where the operator believes something is watched or
tuned and it is not.  ``watchtui config check`` lists them and exits 1 (WARNING).
"""

from __future__ import annotations

from watchtui.config.schema import Config
from watchtui.config.sources import resolve_sources, watched_providers
from watchtui.domain.regions import GEOGRAPHIES

__all__ = ["config_warnings"]

# A region no taxonomy places is shown, and watched, under this geography.
_UNMAPPED = "unmapped"


def config_warnings(config: Config) -> list[str]:
    """One line per entry that names nothing watchtui polls, in file order."""
    from watchtui import catalog

    sources = {spec.id for spec in resolve_sources(config)}
    found: list[str] = []

    def unknown_source(key: str, value: str) -> None:
        entry = catalog.get(value)
        if entry is not None and entry.id in sources:
            found.append(f"key '{key}': {value!r} is an alias; write {entry.id!r}")
        else:
            found.append(f"key '{key}': {value!r} names no source watchtui polls")

    for index, provider in enumerate(config.watchlist.providers):
        if provider not in sources:
            unknown_source(f"watchlist.providers[{index}]", provider)
    for index, component in enumerate(config.watchlist.components):
        source, colon, name = component.partition(":")
        key = f"watchlist.components[{index}]"
        if not colon or not name.strip():
            found.append(f"key '{key}': {component!r} is not \"<source id>:<component name>\"")
        elif source not in sources:
            unknown_source(key, source)
    for index, region in enumerate(config.watchlist.regions):
        provider, colon, code = region.partition(":")
        key = f"watchlist.regions[{index}]"
        if colon and not (provider.strip() and code.strip()):
            found.append(f"key '{key}': {region!r} is not \"<provider>:<region code>\"")
        elif not colon and region not in GEOGRAPHIES and region != _UNMAPPED:
            names = ", ".join(sorted(GEOGRAPHIES))
            found.append(f"key '{key}': {region!r} is no geography (one of: {names})")
    watched = set(watched_providers(config.watch))
    for index, provider in enumerate(config.watch.disabled):
        entry = catalog.get(provider)
        key = f"watch.disabled[{index}]"
        if entry is None or entry.id not in watched:
            found.append(f"key '{key}': {provider!r} is not a watched provider")
    for provider in config.watch.intervals:
        entry = catalog.get(provider)
        key = f"watch.intervals.{provider}"
        if entry is None or entry.id not in watched:
            found.append(f"key '{key}': {provider!r} is not a watched provider")
        elif entry.id != provider:
            # Intervals are looked up by the canonical id: an alias's is never used.
            found.append(f"key '{key}': {provider!r} is an alias; write {entry.id!r}")
    return found
