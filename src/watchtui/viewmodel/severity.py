"""One severity scale for everything on the board, with one glyph, word and style per level.

Component statuses, incident impacts, a blind source and a probe all land on the same six levels
(the impact scale of ``domain.model``), so the screen speaks one vocabulary::

    ok < maint < unknown < minor < MAJOR < CRITICAL

Each level has its own glyph and its own style in every palette, in the same order of weight:

* ``color`` (256 colours and more): green, blue, violet, amber, bold orange, white on red;
* ``ansi`` (16 colours, ``TERM=linux``): the same hues from the 16 ANSI colours, which a
  16-colour terminal draws as named — never re-mapped to the nearest RGB;
* ``mono`` (``NO_COLOR``): attributes only — the worst levels are bold and reverse, never faint.

Pure data: no Textual here, styles are Rich style strings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from watchtui.domain.model import ComponentStatus, Impact, impact_for_status, impact_rank

Level = Impact
LEVELS: tuple[Level, ...] = ("none", "maintenance", "unknown", "minor", "major", "critical")
Palette = Literal["color", "ansi", "mono"]


@dataclass(frozen=True)
class Look:
    glyph: str
    ascii_glyph: str
    word: str


LOOKS: dict[Level, Look] = {
    "none": Look("●", "+", "ok"),
    "maintenance": Look("◆", "~", "maint"),
    "unknown": Look("?", "?", "unknown"),
    "minor": Look("▲", "!", "minor"),
    "major": Look("✖", "X", "MAJOR"),
    "critical": Look("■", "#", "CRITICAL"),
}

STYLES: dict[Palette, dict[Level, str]] = {
    "color": {
        "none": "#5faf5f",
        "maintenance": "#5f87d7",
        "unknown": "#af87ff",
        "minor": "#d7af00",
        "major": "bold #ff8700",
        "critical": "bold #ffffff on #d70000",
    },
    "ansi": {
        "none": "green",
        "maintenance": "blue",
        "unknown": "magenta",
        "minor": "yellow",
        "major": "bold red",
        "critical": "bold white on red",
    },
    "mono": {
        "none": "",
        "maintenance": "italic",
        "unknown": "underline",
        "minor": "italic underline",
        "major": "bold",
        "critical": "bold reverse",
    },
}

# The header bar: the whole line takes the worst level's colours (mono: only the worst levels
# reverse, so a calm board does not shout).
BAR_STYLES: dict[Palette, dict[Level, str]] = {
    "color": {
        "none": "bold #000000 on #5faf5f",
        "maintenance": "bold #ffffff on #5f87d7",
        "unknown": "bold #000000 on #af87ff",
        "minor": "bold #000000 on #d7af00",
        "major": "bold #000000 on #ff8700",
        "critical": "bold #ffffff on #d70000",
    },
    "ansi": {
        "none": "bold black on green",
        "maintenance": "bold white on blue",
        "unknown": "bold white on magenta",
        "minor": "bold black on yellow",
        "major": "bold white on red",
        "critical": "bold white on red",
    },
    "mono": {
        "none": "bold",
        "maintenance": "bold",
        "unknown": "bold underline",
        "minor": "bold underline",
        "major": "bold reverse",
        "critical": "bold reverse",
    },
}


def level_of_status(status: ComponentStatus) -> Level:
    return impact_for_status(status)


def level_of_probe(state: str) -> Level:
    """A probe that cannot reach its target is an outage for the operator, whatever the
    provider says; one that has not answered yet is unknown."""
    if state == "down":
        return "critical"
    return "none" if state == "up" else "unknown"


def worst(levels: list[Level]) -> Level:
    return max(levels, key=impact_rank, default="none")


def glyph(level: Level, *, ascii_only: bool) -> str:
    look = LOOKS[level]
    return look.ascii_glyph if ascii_only else look.glyph


def separator(*, ascii_only: bool) -> str:
    """What stands between the facts of one line (header, titles, details): " · ", or " | "
    where the terminal is ASCII only."""
    return " | " if ascii_only else " · "


def label(level: Level, *, ascii_only: bool) -> str:
    """'■ CRITICAL', '+ ok': a symbol and a word, so the level reads without colour."""
    return f"{glyph(level, ascii_only=ascii_only)} {LOOKS[level].word}"


def style(level: Level, palette: Palette) -> str:
    return STYLES[palette][level]


def bar_style(level: Level, palette: Palette) -> str:
    return BAR_STYLES[palette][level]
