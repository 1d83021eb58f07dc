"""The one search over the provider catalogue, behind the UI's picker and ``watchtui catalog``.

It scores with Textual's fuzzy matcher, which is why it lives with the front ends rather than in
``watchtui.catalog`` (nothing below the UI imports Textual).  It starts no app.
"""

from __future__ import annotations

from textual.fuzzy import Matcher

from watchtui import catalog
from watchtui.catalog import CatalogEntry


def search_catalog(query: str, limit: int = 20) -> list[CatalogEntry]:
    """Entries matching ``query`` best first (exact, prefix, word, substring, then fuzzy), the
    one search behind ``watchtui catalog`` and the UI's catalogue picker.

    An empty query lists the catalogue alphabetically.  A few milliseconds over the whole
    catalogue, so it runs on every keystroke.
    """
    q = catalog.norm(query)
    if limit <= 0:
        return []
    if not q:
        return list(catalog.load_catalog()[:limit])
    matchers = {text: Matcher(text) for text in (q, *q.split())}
    scored = [
        (catalog.entry_score(q, item, matchers), item.entry.id, item.entry)
        for item in catalog.search_index()
    ]
    hits = [hit for hit in scored if hit[0] > 0]
    hits.sort(key=lambda hit: (-hit[0], hit[1]))
    return [entry for _, _, entry in hits[:limit]]
