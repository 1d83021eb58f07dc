"""What every pane renders from: one overview plus the user's current narrowing."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from watchtui.engine.overview import Overview

_Row = TypeVar("_Row")

# More impaired rows than this under one heading (a provider, a geography) are folded: the worst
# few are shown, then one "+N more" row (``a`` unfolds).  Real pages list hundreds of places.
FOLD_AT = 5
FOLD_SHOW = 3


def fold(rows: list[_Row], *, unfolded: bool) -> tuple[list[_Row], list[_Row]]:
    """``rows`` (worst first) split into those shown and those folded away."""
    if unfolded or len(rows) <= FOLD_AT:
        return rows, []
    return rows[:FOLD_SHOW], rows[FOLD_SHOW:]


@dataclass(frozen=True)
class PaneState:
    overview: Overview
    now: datetime
    geography: str | None = None
    text: str = ""
    only_watched: bool = False
    ascii_only: bool = False
    local_time: bool = False
    show_all_services: bool = False

    @property
    def needle(self) -> str:
        return self.text.strip().casefold()

    def matches(self, fields: Iterable[str | None]) -> bool:
        """Case-insensitive substring match of the text filter against any of ``fields``."""
        needle = self.needle
        return not needle or any(needle in f.casefold() for f in fields if f)


def marker(kind: str, *, ascii_only: bool) -> str:
    """Row markers that keep their meaning in ASCII mode."""
    unicode_, ascii_ = {
        "unread": ("•", "*"),
        "watched": ("★", "@"),
        "selected": ("▶", ">"),
        "child": ("└", "-"),
    }[kind]
    return ascii_ if ascii_only else unicode_
