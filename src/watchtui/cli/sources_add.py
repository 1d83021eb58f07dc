"""``watchtui sources add ID_OR_URL``: watch a catalog provider or any status URL, once.

Ids are unique.  A source already watched — by id, by a URL the catalog knows as that
provider's page, or by the same URL — is reported and left alone (exit 0); an id that is taken
by something else is refused (exit 3).  The checks run again inside the locked edit, so two
parallel adds cannot both land.  Every flag works with every form, or is refused saying why.
"""

from __future__ import annotations

import argparse
import asyncio
import re
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import urlsplit

import tomlkit
from tomlkit import TOMLDocument

from watchtui import catalog
from watchtui.catalog import CatalogEntry
from watchtui.cli.common import CliError, load
from watchtui.cli.targets import catalog_entry_for_url, resolve_target, same_url
from watchtui.config import (
    DEFAULT_INTERVAL,
    Config,
    edit_config,
    parse_text,
    put_source,
    watch_provider,
    watched_providers,
)

__all__ = ["add_source"]

_HOW = {
    "extra": " beside the default providers (watch.extra_providers)",
    "restored": " (taken out of watch.excluded_providers)",
}


def add_source(args: argparse.Namespace, out: TextIO) -> int:
    path, config = load(args, may_create=True)
    target = resolve_target(args.target)
    if target.entry is not None:
        return _add_provider(args, path, target.entry, out)
    assert target.url is not None
    return _add_url(args, path, config, target.url, out)


# --- a catalog provider -----------------------------------------------------------------------


def _add_provider(args: argparse.Namespace, path: Path, entry: CatalogEntry, out: TextIO) -> int:
    named = f"{args.target} is the catalog's {entry.id}: " if args.target != entry.id else ""
    for flag, value in (("--id", args.source_id), ("--name", args.name)):
        if value is not None:
            raise CliError(
                f"{named}{flag} does not apply to a catalog provider, which keeps its catalog "
                f"id and name ({entry.id}, {entry.name})"
            )
    if args.kind is not None and args.kind != entry.kind:
        raise CliError(f"{named}--kind {args.kind} does not apply: the catalog's is {entry.kind}")
    if not entry.pollable:
        raise CliError(f"{entry.name} has no machine-readable status feed; see {entry.base_url}")
    interval: int | None = args.interval

    def mutate(doc: TOMLDocument) -> tuple[str, str, list[str]]:
        config = _current(doc, path)
        custom = _custom_watching(config, entry)
        if custom is not None:
            return "unchanged", custom, _update_custom(doc, custom, interval, None)
        change = watch_provider(doc, entry.id)
        return change, entry.id, _set_provider_interval(doc, config, entry, interval)

    change, source_id, changed = edit_config(path, mutate).result
    if change == "unchanged":
        out.write(f"{named}{_already(source_id, changed, named=source_id == entry.id)}\n")
        return 0
    every = f", every {interval}s" if changed else ""
    out.write(
        f"{named}added {entry.id} ({entry.name}, {entry.kind}) to {path}"
        f"{_HOW.get(change, '')}{every}\n"
    )
    return 0


def _custom_watching(config: Config, entry: CatalogEntry) -> str | None:
    """The id of a ``[[sources]]`` entry that polls this provider's page under another id; a
    custom source holding the provider's own id is a clash."""
    for source in config.sources:
        if source.id == entry.id:
            raise CliError(
                f"a custom source already has the id {entry.id!r} ({source.url}); "
                f"remove it first (`watchtui sources remove {entry.id}`)"
            )
    for source in config.sources:
        if catalog_entry_for_url(source.url) == entry:
            return source.id
    return None


def _set_provider_interval(
    doc: TOMLDocument, config: Config, entry: CatalogEntry, interval: int | None
) -> list[str]:
    if interval is None or config.watch.intervals.get(entry.id, entry.interval) == interval:
        return []
    watch = doc.get("watch")
    if watch is None:
        doc.add("watch", tomlkit.table())
        watch = doc["watch"]
    assert isinstance(watch, MutableMapping)
    if "intervals" not in watch:
        watch["intervals"] = tomlkit.table()
    watch["intervals"][entry.id] = interval
    return [f"interval {interval}s"]


def _update_custom(
    doc: TOMLDocument, source_id: str, interval: int | None, name: str | None
) -> list[str]:
    """Apply --interval and --name to the ``[[sources]]`` entry that already watches the page."""
    changed: list[str] = []
    for entry in doc.get("sources") or []:
        if not isinstance(entry, MutableMapping) or entry.get("id") != source_id:
            continue
        if interval is not None and entry.get("interval", DEFAULT_INTERVAL) != interval:
            entry["interval"] = interval
            changed.append(f"interval {interval}s")
        if name is not None and entry.get("name") != name:
            entry["name"] = name
            changed.append(f"name {name!r}")
    return changed


def _already(source_id: str, changed: list[str], *, named: bool = False) -> str:
    now = f"now {', '.join(changed)}" if changed else "nothing changed"
    who = f"{source_id} is already watched" if named else f"already watched as {source_id}"
    return f"{who}; {now}"


# --- any other URL ----------------------------------------------------------------------------


def _add_url(args: argparse.Namespace, path: Path, config: Config, url: str, out: TextIO) -> int:
    # Everything that needs no network is checked before detection fetches anything.
    _check_rewatch(config, url, args)
    if args.source_id is not None:
        _check_free(config, args.source_id)
    kind: str | None = args.kind
    if kind is None and _same_url_source(config, url) is None:
        from watchtui.cli.feeds import detect_kind

        kind, url = asyncio.run(detect_kind(url))
        _check_rewatch(config, url, args)

    def mutate(doc: TOMLDocument) -> tuple[bool, str, list[str]]:
        current = _current(doc, path)
        existing = _same_url_source(current, url)
        if existing is not None:
            return False, existing, _update_custom(doc, existing, args.interval, args.name)
        source_id = args.source_id or _free_id(current, _slug_for(url))
        _check_free(current, source_id)
        source: dict[str, Any] = {"id": source_id, "kind": kind, "url": url}
        if args.name:
            source["name"] = args.name
        if args.interval is not None:
            source["interval"] = args.interval
        put_source(doc, source)
        return True, source_id, []

    added, source_id, changed = edit_config(path, mutate).result
    if not added:
        out.write(f"{url} is {_already(source_id, changed)}\n")
        return 0
    out.write(f"added {source_id} ({kind}) {url} to {path}\n")
    return 0


def _check_rewatch(config: Config, url: str, args: argparse.Namespace) -> None:
    """Adding a page that is already watched changes at most its interval and name."""
    found = _same_url_source(config, url)
    if found is None:
        return
    source = next(s for s in config.sources if s.id == found)
    if args.source_id is not None and args.source_id != found:
        raise CliError(
            f"{url} is already watched as {found}; one page is one source "
            f"(remove {found} first to give it another id)"
        )
    if args.kind is not None and args.kind != source.kind:
        raise CliError(
            f"{url} is already watched as {found}, as {source.kind}; remove it first to "
            f"read it as {args.kind}"
        )


def _same_url_source(config: Config, url: str) -> str | None:
    for source in config.sources:
        if same_url(source.url, url):
            return source.id
    return None


def _check_free(config: Config, source_id: str) -> None:
    """An id the new source may take: no source has it, and it names no catalog provider (which
    could be added later and would then clash)."""
    for source in config.sources:
        if source.id == source_id:
            raise CliError(
                f"the id {source_id!r} is taken by the source at {source.url}; pick another --id"
            )
    entry = catalog.get(source_id)
    if entry is not None:
        watched = entry.id in watched_providers(config.watch)
        state = "watched" if watched else "in the catalog"
        raise CliError(
            f"the id {source_id!r} is the catalog's {entry.id} ({entry.name}, {state}); "
            "pick another --id"
        )


def _free_id(config: Config, slug: str) -> str:
    taken = {source.id for source in config.sources}
    candidate, number = slug, 1
    while candidate in taken or catalog.get(candidate) is not None:
        number += 1
        candidate = f"{slug[:60]}-{number}"
    return candidate


def _slug_for(url: str) -> str:
    host = urlsplit(url).hostname or "source"
    return re.sub(r"[^a-z0-9]+", "-", host.lower()).strip("-")[:60] or "source"


def _current(doc: TOMLDocument, path: Path) -> Config:
    """The config as the locked document holds it now (not as it was read before the lock)."""
    return parse_text(doc.as_string(), path)
