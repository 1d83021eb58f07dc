"""Pure parsers: bytes (+ response headers) in, ``Snapshot`` out, ``FeedError`` on bad input.

Each format lives in its own module exposing ``KIND`` and ``parse(data, headers=None)``.
``parse_payload`` dispatches by kind name (the same names the config uses) and sniffs with ``auto``.

Every parser says how its component list relates to the page (``Snapshot.component_listing``,
documented per kind in each module), leaves out and records in ``Snapshot.dropped`` an item whose
time cannot be read rather than failing the payload, and reads a severity or status value it
cannot map as ``unknown``.  Parsers do not judge plausibility (a year-1 start, a resolution before
the start) and most leave duplicate ids in: ``watchtui.domain.vetting.vet`` handles both, given
the fetch time (the RSS parsers merge duplicates with its rule already).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from watchtui.domain.errors import FeedError
from watchtui.sources.kinds import KIND_MODULES, KINDS

if TYPE_CHECKING:
    # Only named in annotations: importing this package (for ``KIND_MODULES``, as the catalog,
    # the config and the command line do) must not load the model or the parsers' helpers.
    from watchtui.domain.model import Snapshot
    from watchtui.sources._common import Headers

__all__ = ["KINDS", "KIND_MODULES", "Parser", "parse_payload", "parser_for"]


class Parser(Protocol):
    def __call__(self, data: bytes, headers: Headers | None = None) -> Snapshot: ...


def parser_for(kind: str) -> Parser:
    module_name = KIND_MODULES.get(kind)
    if module_name is None:
        raise FeedError(kind, f"unknown kind (known: {', '.join(KINDS)})")
    module = importlib.import_module(f"watchtui.sources.{module_name}")
    parse: Callable[..., Snapshot] = module.parse
    return parse


def parse_payload(kind: str, data: bytes, headers: Headers | None = None) -> Snapshot:
    if kind == "auto":
        from watchtui.sources.sniff import sniff_kind

        kind = sniff_kind(data)
    return parser_for(kind)(data, headers)
