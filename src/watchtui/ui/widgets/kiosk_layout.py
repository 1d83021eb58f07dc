"""How the kiosk divides the screen, from 80x24 to a 4K wall: pure arithmetic, no Textual.

Top to bottom: the header and the source strip (one line each), the signals (disagreements and
hints, at most ``signal_budget`` lines), the tiles, and the detail area (the cycling incident,
with the list of every open incident beside it on wide screens).

The detail area takes what its text needs, up to a third of the room; the tiles fill the rest,
as a grid whose column count gives them the most card-like shape (and as many columns as the
width allows when space is short).  When not every tile fits, the last slot becomes "+N more":
nothing is ever drawn off the screen.  A tile tall enough shows its count in large digits.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# A tile narrower than this cuts most incident titles to a word.
TILE_MIN_WIDTH = 32
# A border, the level line and two lines of titles.
SMALL_TILE = 5
# A border, three rows of digits (the level and the unit beside them) and two lines of titles.
DIGITS_TILE = 7
# Width over height (in pixels) of the tile shape the grid aims for.
IDEAL_ASPECT = 1.6
# The detail area's least height: a border, the title, its facts and the latest update.
MIN_DETAIL = 6
# From this width the list of every open incident stands beside the cycling one.
LIST_BESIDE_WIDTH = 120
# Large digits need this much width in a tile, besides the level word.
DIGITS_MIN_WIDTH = 24
# The header and the source strip.
TOP_LINES = 2


def signal_budget(height: int) -> int:
    """At most this many lines of disagreements and hints: never more than a fifth of the screen,
    so they cannot push the tiles off a small one."""
    return max(2, (height - TOP_LINES) // 5)


@dataclass(frozen=True)
class Plan:
    columns: int
    rows: int
    tile_height: int
    # Tiles drawn; when ``hidden`` is above 0 the last of them is "+N more".
    slots: int
    hidden: int
    detail_height: int
    list_beside: bool
    digits: bool

    @property
    def tiles_height(self) -> int:
        return self.rows * self.tile_height


def detail_room(height: int, signal_lines: int) -> int:
    """The most the detail area may take: a third of what the header and signals leave."""
    return max(MIN_DETAIL, rest_of(height, signal_lines) // 3)


def rest_of(height: int, signal_lines: int) -> int:
    return max(0, height - TOP_LINES - signal_lines)


def _shape(width: int, height: int, empty: float) -> float:
    """How far a tile is from a pleasant landscape card (a cell is about twice as tall as it
    is wide), plus the share of the grid left empty: lower is better."""
    aspect = width / (2 * height)
    return abs(math.log(aspect / IDEAL_ASPECT)) + empty


def plan(
    width: int,
    height: int,
    *,
    tiles: int,
    signal_lines: int,
    detail_need: int,
    ascii_only: bool,
) -> Plan:
    """The layout for ``tiles`` tiles (a calm board counts its one calm panel), with a detail
    area that would like ``detail_need`` lines (0: none)."""
    tiles = max(1, tiles)
    rest = rest_of(height, signal_lines)
    detail = 0 if detail_need <= 0 else min(max(MIN_DETAIL, detail_need), rest // 3)
    budget = max(0, rest - detail)
    most = max(1, min(tiles, width // TILE_MIN_WIDTH))
    best: tuple[float, int] | None = None
    for columns in range(1, most + 1):
        rows = math.ceil(tiles / columns)
        if budget // rows < SMALL_TILE:
            continue
        empty = (rows * columns - tiles) / (rows * columns)
        score = _shape(width // columns, budget // rows, empty)
        if best is None or score <= best[0]:
            best = (score, columns)
    if best is not None:
        columns = best[1]
        rows = math.ceil(tiles / columns)
        tile_height = budget // rows
        slots, hidden = tiles, 0
    else:
        # Not all fit: as many small tiles as the room holds, the last one "+N more".
        columns = most
        rows = max(1, budget // SMALL_TILE)
        # A screen too small for even one small tile still gets one (the detail area yields).
        tile_height = min(max(3, budget // rows), max(3, rest))
        capacity = rows * columns
        slots = min(tiles, capacity)
        hidden = 0 if tiles <= capacity else tiles - (capacity - 1)
    detail_height = max(0, rest - rows * tile_height) if detail else 0
    digits = not ascii_only and tile_height >= DIGITS_TILE and width // columns >= DIGITS_MIN_WIDTH
    return Plan(
        columns=columns,
        rows=rows,
        tile_height=tile_height,
        slots=slots,
        hidden=hidden,
        detail_height=detail_height,
        list_beside=width >= LIST_BESIDE_WIDTH and detail_height >= MIN_DETAIL,
        digits=digits,
    )
