"""What ``sources add`` / ``sources test`` were given: a catalog provider or some other URL.

A status page the catalog knows is recognised by its URL without fetching anything
(``https://www.githubstatus.com`` is ``github``), so adding it twice, or testing it offline,
never depends on the network.  Only page hosts and a provider's exact domains count: a wildcard
domain (``*.statuspage.io`` is Atlassian's) says who runs the servers, not whose page it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from urllib.parse import urlsplit

from watchtui import catalog
from watchtui.catalog import CatalogEntry
from watchtui.cli.common import CliError
from watchtui.ui.catalog_search import search_catalog

__all__ = ["Target", "catalog_entry_for_url", "is_url", "resolve_target", "same_url"]


@dataclass(frozen=True, slots=True)
class Target:
    """Exactly one of ``entry`` (a catalog provider) and ``url`` (anything else)."""

    entry: CatalogEntry | None = None
    url: str | None = None


def is_url(text: str) -> bool:
    return text.lower().startswith(("http://", "https://"))


def resolve_target(text: str) -> Target:
    if is_url(text):
        entry = catalog_entry_for_url(text)
        return Target(entry=entry) if entry is not None else Target(url=text.strip())
    entry = catalog.get(text)
    if entry is not None:
        return Target(entry=entry)
    hint = ""
    if "." in text and " " not in text.strip():
        hint = f" (a URL starts with https://, as in https://{text.strip()})"
    else:
        best = search_catalog(text, limit=1)
        if best:
            hint = f" (did you mean {best[0].id}? see `watchtui catalog {text.strip()}`)"
    raise CliError(f"{text!r} is neither a catalog id nor an http(s) URL{hint}")


def catalog_entry_for_url(url: str) -> CatalogEntry | None:
    """The catalog provider whose status page (or exact domain) ``url`` is on, if one is."""
    parts = _parts(url)
    if parts is None:
        return None
    host, path = parts
    index = _page_index()
    exact = index.endpoints.get((host, path))
    if exact is not None:
        return exact
    owners = index.page_hosts.get(host, ())
    if len(owners) == 1:
        return owners[0]
    # A host several pages share (api.status.io): only a URL under one page's base says whose.
    under = [
        entry
        for entry in owners
        if (base := _parts(entry.base_url)) is not None and _under(path, base[1])
    ]
    if len(under) == 1:
        return under[0]
    return index.domains.get(host) if not owners else None


def same_url(a: str, b: str) -> bool:
    """The same page or feed, whatever the scheme, the case of the host, a ``www.`` or a
    trailing slash."""
    first, second = _parts(a), _parts(b)
    return first is not None and first == second and _query(a) == _query(b)


@dataclass(frozen=True, slots=True)
class _PageIndex:
    endpoints: dict[tuple[str, str], CatalogEntry]
    page_hosts: dict[str, tuple[CatalogEntry, ...]]
    domains: dict[str, CatalogEntry]


@cache
def _page_index() -> _PageIndex:
    pages: dict[tuple[str, str], list[CatalogEntry]] = {}
    hosts: dict[str, list[CatalogEntry]] = {}
    domains: dict[str, CatalogEntry] = {}
    for entry in catalog.load_catalog():
        for url in (entry.base_url, *(e.url for e in entry.endpoints)):
            parts = _parts(url)
            if parts is None:
                continue
            for owners in (pages.setdefault(parts, []), hosts.setdefault(parts[0], [])):
                if entry not in owners:
                    owners.append(entry)
        for domain in entry.domains:
            if not domain.startswith("*."):
                domains.setdefault(_bare(domain), entry)
    return _PageIndex(
        # A URL two entries share (aws and aws-rss have one base) names neither.
        endpoints={key: owners[0] for key, owners in pages.items() if len(owners) == 1},
        page_hosts={host: tuple(owners) for host, owners in hosts.items()},
        domains=domains,
    )


def _parts(url: str) -> tuple[str, str] | None:
    """(host without ``www.``, path without a trailing slash), lower-cased host."""
    try:
        split = urlsplit(url.strip())
        host = split.hostname
    except ValueError:
        return None
    if not host or split.scheme.lower() not in ("http", "https"):
        return None
    return _bare(host), split.path.rstrip("/")


def _query(url: str) -> str:
    try:
        return urlsplit(url.strip()).query
    except ValueError:
        return ""


def _bare(host: str) -> str:
    host = host.lower().rstrip(".")
    return host.removeprefix("www.")


def _under(path: str, base: str) -> bool:
    return bool(base) and (path == base or path.startswith(base + "/"))
