"""How the CLI prints: counted nouns, durations, tables with a header row.

Times are written by ``domain.document.iso``, the one ISO writer.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["count", "duration", "table"]


def count(number: int, noun: str, plural: str | None = None) -> str:
    """``1 update``, ``2 updates``, ``0 probes``."""
    return f"{number} {noun if number == 1 else plural or noun + 's'}"


def duration(seconds: int) -> str:
    """``45m``, ``3h05m``, ``2d04h``: never negative, never more than two units."""
    minutes = max(seconds, 0) // 60
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    if days:
        return f"{days}d{hours:02d}h"
    if hours:
        return f"{hours}h{minutes:02d}m"
    return f"{minutes}m"


def table(
    header: Sequence[str], rows: Sequence[Sequence[str]], *, widest: Sequence[int] = ()
) -> str:
    """Left-aligned columns under an upper-case header; the last column is never padded.

    ``widest`` caps the width of the first columns (longer cells are cut with ``…``), so one
    long title cannot push every other row off a terminal.
    """
    caps = list(widest) + [0] * (len(header) - len(widest))
    cells = [[_cut(str(cell), caps[i]) for i, cell in enumerate(row)] for row in rows]
    widths = [
        max([len(header[i]), *(len(row[i]) for row in cells)]) for i in range(len(header) - 1)
    ]
    lines = []
    for row in [list(header), *cells]:
        padded = [cell.ljust(widths[i]) for i, cell in enumerate(row[:-1])]
        lines.append("  ".join([*padded, row[-1]]).rstrip())
    return "\n".join(lines) + "\n"


def _cut(text: str, limit: int) -> str:
    if limit <= 0 or len(text) <= limit:
        return text
    return text[: limit - 1] + "…"
