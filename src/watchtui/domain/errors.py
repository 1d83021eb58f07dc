"""The one error type parsers raise."""

from __future__ import annotations


class FeedError(Exception):
    """A payload could not be understood.

    ``kind`` is the source kind (``statuspage``, ``gcp`` …); ``reason`` a short, single-line,
    human-readable explanation that is safe to print (it never embeds payload text verbatim beyond a
    short sanitised excerpt).
    """

    def __init__(self, kind: str, reason: str) -> None:
        self.kind = kind
        self.reason = " ".join(reason.split())[:300]
        super().__init__(f"{kind}: {self.reason}")
