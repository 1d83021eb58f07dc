"""Changes to a config document, for ``edit_config``: each one edits the tomlkit document in place
(the operator's comments, order and layout survive) and says whether anything changed.

Each is idempotent ("make it so", never "flip"), so two processes applying the same change one
after the other agree, and an edit computed from a stale view of the file cannot undo another's.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from typing import Any, Literal

import tomlkit
from tomlkit import TOMLDocument
from tomlkit.items import AoT

from watchtui import catalog
from watchtui.config.load import ConfigError, parse_config
from watchtui.config.schema import Watch
from watchtui.config.sources import disabled_providers, watched_providers

__all__ = [
    "WatchChange",
    "add_probe",
    "put_source",
    "remove_probe",
    "remove_source",
    "set_source_enabled",
    "set_watchlist_member",
    "unwatch_provider",
    "watch_provider",
]

# "added": appended to an explicit watch.providers; "extra": appended to watch.extra_providers,
# beside the default set; "restored": a default taken out of watch.excluded_providers.
WatchChange = Literal["unchanged", "added", "extra", "restored"]
_WATCHLIST_KEYS = ("providers", "components", "regions")

# Lists the editor owns: emptied, they are removed rather than left as noise in the file.
_SCRATCH_KEYS = ("extra_providers", "excluded_providers", "disabled")


def watch_provider(doc: TOMLDocument, provider_id: str) -> WatchChange:
    """Poll this catalog provider.  With no explicit ``watch.providers`` the default set is kept
    live (not copied into the file): the provider goes to ``watch.extra_providers``."""
    canonical = _catalog_id(provider_id)
    watch = _watch(doc)
    if canonical in watched_providers(watch):
        return "unchanged"
    table = _table(doc, "watch")
    _discard(table, "excluded_providers", canonical)
    if canonical in watched_providers(_watch(doc)):
        return "restored"
    key = "providers" if watch.providers is not None else "extra_providers"
    _array(table, "watch", key).append(canonical)
    return "added" if key == "providers" else "extra"


def unwatch_provider(doc: TOMLDocument, provider_id: str) -> bool:
    """Stop polling this catalog provider; False when it was not watched (or is not a provider).
    A default is excluded (``watch.excluded_providers``) rather than freezing the default set."""
    entry = catalog.get(provider_id)
    if entry is None or entry.id not in watched_providers(_watch(doc)):
        return False
    table = _table(doc, "watch")
    for key in ("providers", "extra_providers"):
        _discard(table, key, entry.id)
    if entry.id in watched_providers(_watch(doc)):
        _array(table, "watch", "excluded_providers").append(entry.id)
    return True


def put_source(doc: TOMLDocument, source: Mapping[str, Any]) -> bool:
    """Add a ``[[sources]]`` entry, or replace the one with the same id where it stands.
    True when one was replaced."""
    entries = _entries(doc, "sources")
    found = _find(entries, source["id"])
    if found:
        entries[found[0]] = _entry_like(entries, source)
        return True
    entries.append(_entry_like(entries, source))
    return False


def remove_source(doc: TOMLDocument, source_id: str) -> bool:
    return _remove_entries(doc, "sources", source_id)


def add_probe(doc: TOMLDocument, probe: Mapping[str, Any]) -> bool:
    """Add a ``[[probes]]`` entry; False (and nothing changed) when one has that id already."""
    if _find(doc.get("probes"), probe["id"]):
        return False
    entries = _entries(doc, "probes")
    entries.append(_entry_like(entries, probe))
    return True


def remove_probe(doc: TOMLDocument, probe_id: str) -> bool:
    return _remove_entries(doc, "probes", probe_id)


def set_source_enabled(doc: TOMLDocument, source_id: str, enabled: bool) -> bool:
    """Switch a source on or off for good (it stays listed, with its history); True when that
    changed.  A custom source keeps the switch in its own ``enabled``; a catalog provider in
    ``watch.disabled``."""
    entries = doc.get("sources")
    found = _find(entries, source_id)
    if found and isinstance(entries, list):
        changed = False
        for index in found:
            entry = entries[index]
            if bool(entry.get("enabled", True)) != enabled:
                changed = True
            if enabled:
                entry.pop("enabled", None)
            else:
                entry["enabled"] = False
        return changed
    canonical = _catalog_id(source_id)
    if canonical not in watched_providers(_watch(doc)):
        raise ConfigError(None, f"{source_id!r} is not a source watchtui polls")
    if (canonical not in disabled_providers(_watch(doc))) == enabled:
        return False
    table = _table(doc, "watch")
    if enabled:
        _discard(table, "disabled", canonical)
    else:
        _array(table, "watch", "disabled").append(canonical)
    return True


def set_watchlist_member(doc: TOMLDocument, key: str, value: str, present: bool) -> bool:
    """Make ``value`` present in (or absent from) ``watchlist.<key>``; True when that changed."""
    if key not in _WATCHLIST_KEYS:
        raise ValueError(f"watchlist has no {key!r} list (only {', '.join(_WATCHLIST_KEYS)})")
    current = doc.get("watchlist")
    listed = isinstance(current, Mapping) and value in (current.get(key) or [])
    if listed == present:
        return False
    table = _table(doc, "watchlist")
    values = _array(table, "watchlist", key)
    if present:
        values.append(value)
    else:
        while value in values:
            values.remove(value)
    return True


# --- document plumbing ------------------------------------------------------------------------


def _catalog_id(provider_id: str) -> str:
    entry = catalog.get(provider_id)
    if entry is None:
        raise ConfigError(None, f"{provider_id!r} is not in the catalog")
    return entry.id


def _watch(doc: TOMLDocument) -> Watch:
    """The document's ``[watch]`` as validated on load (aliases and all), so decisions about
    what is watched match what the poller will do."""
    raw = doc.get("watch")
    return parse_config({} if raw is None else {"watch": _plain(raw)}).watch


def _plain(value: Any) -> Any:
    unwrap = getattr(value, "unwrap", None)
    return unwrap() if callable(unwrap) else value


def _table(doc: TOMLDocument, key: str) -> MutableMapping[str, Any]:
    value = doc.get(key)
    if value is None:
        _start_section(doc)
        doc.add(key, tomlkit.table())
        value = doc[key]
    if not isinstance(value, MutableMapping):
        raise ConfigError(None, f"key '{key}': must be a table")
    return value


def _array(table: MutableMapping[str, Any], parent: str, key: str) -> list[Any]:
    if key not in table:
        table[key] = tomlkit.array()
    value = table[key]
    if not isinstance(value, list):
        raise ConfigError(None, f"key '{parent}.{key}': must be a list")
    return value


def _discard(table: MutableMapping[str, Any], key: str, canonical: str) -> None:
    values = table.get(key)
    if not isinstance(values, list):
        return
    for index in reversed(range(len(values))):
        entry = catalog.get(str(values[index]))
        if values[index] == canonical or (entry is not None and entry.id == canonical):
            del values[index]
    if not values and key in _SCRATCH_KEYS:
        del table[key]


def _entries(doc: TOMLDocument, key: str) -> list[Any]:
    """The ``[[key]]`` array of tables, created (empty) when absent."""
    if key not in doc:
        _start_section(doc)
        doc.add(key, tomlkit.aot())
    value = doc[key]
    if not isinstance(value, list):
        raise ConfigError(None, f"key '{key}': must be a list of tables")
    return value


def _entry_like(entries: list[Any], values: Mapping[str, Any]) -> Any:
    """A ``[[table]]`` for an array of tables, an inline table for ``key = [{...}]``."""
    if not isinstance(entries, AoT):
        return dict(values)
    table = tomlkit.table()
    for name, value in values.items():
        table.add(name, value)
    # The blank line keeps a following [section] header visually apart from the new entry.
    table.add(tomlkit.nl())
    return table


def _find(entries: Any, entry_id: object) -> list[int]:
    """Indexes of the entries with this id (a hand-edited file may repeat one)."""
    if not isinstance(entries, list):
        return []
    return [i for i, e in enumerate(entries) if isinstance(e, Mapping) and e.get("id") == entry_id]


def _remove_entries(doc: TOMLDocument, key: str, entry_id: str) -> bool:
    entries = doc.get(key)
    found = _find(entries, entry_id)
    if not found or not isinstance(entries, list):
        return False
    for index in reversed(found):
        del entries[index]
    if not entries:
        # tomlkit renders an emptied array of tables as ``key = []`` at the top of the file.
        del doc[key]
    return True


def _start_section(doc: TOMLDocument) -> None:
    """Separate a section appended to a non-empty file from what precedes it by a blank line."""
    text = doc.as_string()
    if text and not text.endswith("\n\n"):
        doc.add(tomlkit.nl())
        if not text.endswith("\n"):
            doc.add(tomlkit.nl())
