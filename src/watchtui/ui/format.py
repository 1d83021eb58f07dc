"""Turning model values into short, colour-independent cells.

Every status carries a symbol *and* a word, so the screen reads the same without colour
(``NO_COLOR``, 16-colour ``TERM=linux``) and in ASCII mode.  Everything returns ``rich.text.Text``
built from plain strings: remote text is never parsed as markup.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from rich.text import Text

from watchtui.domain.model import ComponentStatus, Impact

# (unicode symbol, ascii symbol, short word, style).  Styles use the 16 ANSI colours only, so
# they survive TERM=linux and thin SSH links.
_STATUS: dict[str, tuple[str, str, str, str]] = {
    "operational": ("●", "+", "ok", "green"),
    "maintenance": ("◆", "~", "maint", "blue"),
    "unknown": ("?", "?", "unknown", "bright_black"),
    "degraded": ("▲", "!", "degraded", "yellow"),
    "partial_outage": ("▲", "!!", "partial", "bright_red"),
    "major_outage": ("■", "X", "MAJOR", "bold red"),
}
_IMPACT: dict[str, tuple[str, str, str, str]] = {
    "none": ("·", ".", "none", "bright_black"),
    "maintenance": ("◆", "~", "maint", "blue"),
    "unknown": ("?", "?", "unknown", "bright_black"),
    "minor": ("▲", "!", "minor", "yellow"),
    "major": ("▲", "!!", "major", "bright_red"),
    "critical": ("■", "X", "CRITICAL", "bold red"),
}
_HEALTH: dict[str, tuple[str, str, str, str]] = {
    "fresh": ("●", "+", "fresh", "green"),
    "never": ("○", "o", "waiting", "bright_black"),
    "stale": ("◌", "s", "STALE", "yellow"),
    "drifted": ("◇", "d", "DRIFTED", "magenta"),
    "failing": ("✖", "x", "FAILING", "bold red"),
    "disabled": ("-", "-", "off", "bright_black"),
}

# The user's own probes: their verdict, not a provider's claim, so words of their own.
_PROBE: dict[str, tuple[str, str, str, str]] = {
    "up": ("●", "+", "up", "green"),
    "down": ("✖", "x", "DOWN", "bold red"),
    "unknown": ("?", "?", "unknown", "bright_black"),
}
# Probe down while its provider says operational (or the reverse): the one thing to read first.
DISAGREE = ("≠", "!=")
DISAGREE_STYLE = "bold magenta"
HINT_STYLE = "yellow"


def _cell(table: dict[str, tuple[str, str, str, str]], key: str, *, ascii_only: bool) -> Text:
    symbol, ascii_symbol, word, style = table.get(key, ("?", "?", key, ""))
    return Text(f"{ascii_symbol if ascii_only else symbol} {word}", style=style)


def status_cell(status: ComponentStatus | str, *, ascii_only: bool = False) -> Text:
    return _cell(_STATUS, status, ascii_only=ascii_only)


def impact_cell(impact: Impact | str, *, ascii_only: bool = False) -> Text:
    return _cell(_IMPACT, impact, ascii_only=ascii_only)


def health_cell(health: str, *, ascii_only: bool = False) -> Text:
    return _cell(_HEALTH, health, ascii_only=ascii_only)


def probe_cell(state: str, *, ascii_only: bool = False, subject: str = "") -> Text:
    """'✖ DOWN'; with ``subject``, '✖ probe DOWN' (a geography's verdict from its probes)."""
    if not subject:
        return _cell(_PROBE, state, ascii_only=ascii_only)
    symbol, ascii_symbol, word, style = _PROBE.get(state, ("?", "?", state, ""))
    return Text(f"{ascii_symbol if ascii_only else symbol} {subject} {word}", style=style)


def disagree_mark(*, ascii_only: bool = False) -> str:
    return DISAGREE[1] if ascii_only else DISAGREE[0]


def status_style(status: str) -> str:
    return _STATUS.get(status, ("", "", "", ""))[3]


def age(then: datetime | None, now: datetime) -> str:
    """Compact age: '45s', '12m', '3h', '2d'; 'never' when unknown."""
    if then is None:
        return "never"
    seconds = max(0, int((now - then).total_seconds()))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m"
    if seconds < 86400 * 2:
        return f"{seconds // 3600}h"
    return f"{seconds // 86400}d"


def duration(start: datetime, end: datetime | None, now: datetime) -> str:
    """'2h 14m', '3d 4h', '45m' — how long something lasted (or has lasted so far)."""
    delta: timedelta = (end or now) - start
    minutes = max(0, int(delta.total_seconds() // 60))
    days, minutes = divmod(minutes, 1440)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes:02d}m"
    return f"{minutes}m"


def clock(moment: datetime, *, local: bool = False, seconds: bool = False) -> str:
    shown = moment.astimezone() if local else moment.astimezone(UTC)
    text = shown.strftime("%H:%M:%S" if seconds else "%H:%M")
    return f"{text} {'local' if local else 'UTC'}"


def timestamp(moment: datetime | None, *, local: bool = False) -> str:
    if moment is None:
        return "—"
    shown = moment.astimezone() if local else moment.astimezone(UTC)
    return shown.strftime("%Y-%m-%d %H:%M") + ("" if local else "Z")


def ellipsis(*, ascii_only: bool) -> str:
    return "..." if ascii_only else "…"


def fit(text: Text, width: int, *, ascii_only: bool) -> Text:
    """``text`` cut to ``width`` cells, ending in an ellipsis ("..." in ASCII mode) when cut."""
    if text.cell_len <= width:
        return text
    cut = text.copy()
    if not ascii_only:
        cut.truncate(max(0, width), overflow="ellipsis")
        return cut
    if width < 4:
        cut.truncate(max(0, width), overflow="crop")
        return cut
    cut.truncate(width - 3, overflow="crop")
    cut.append("...")
    return cut


# --- latency sparklines -------------------------------------------------------------------------

_BARS = "▁▂▃▄▅▆▇█"
# Eight levels that read bottom-to-top in any font.
_ASCII_BARS = "_.-:=+*#"


def latency_spark(
    values: Sequence[float | None], *, ascii_only: bool = False, width: int | None = None
) -> Text:
    """One character per probe run, oldest first, scaled from 0 to the slowest run shown.

    A run that got no answer (``None``) is a red cross: a failure must never read as "fast".
    ``width`` keeps only the newest runs (the right end is now); a shorter history is padded on
    the left so the newest run stays in the same column.
    """
    shown = list(values[-width:] if width else values)
    line = Text(no_wrap=True, overflow="crop")
    if width and len(shown) < width:
        line.append(" " * (width - len(shown)))
    peak = max((v for v in shown if v is not None), default=0.0)
    bars = _ASCII_BARS if ascii_only else _BARS
    for value in shown:
        if value is None:
            line.append("x" if ascii_only else "✖", style="bold red")
        else:
            level = _level(value, peak, len(bars))
            line.append(bars[level - 1], style="cyan")
    return line


def _level(value: float, peak: float, levels: int) -> int:
    if peak <= 0:
        return 1
    return min(levels, max(1, math.ceil(value * levels / peak)))


def latency_chart(
    values: Sequence[float | None], height: int, *, ascii_only: bool = False
) -> list[Text]:
    """``height`` lines (top first) of a bar chart, one column per run, scaled 0 to the peak.

    Unicode bars use eighths of a cell; ASCII fills whole cells with ``#``.  Failed runs are a
    red cross on the bottom line.
    """
    height = max(1, height)
    peak = max((v for v in values if v is not None), default=0.0)
    rows = [Text(no_wrap=True, overflow="crop") for _ in range(height)]
    for value in values:
        for index, row in enumerate(rows):
            level = height - 1 - index  # 0 is the bottom line
            row.append_text(_chart_cell(value, peak, height, level, ascii_only=ascii_only))
    return rows


def _chart_cell(
    value: float | None, peak: float, height: int, level: int, *, ascii_only: bool
) -> Text:
    if value is None:
        return Text("x" if ascii_only else "✖", style="bold red") if level == 0 else Text(" ")
    if ascii_only:
        filled = _level(value, peak, height)
        return Text("#" if level < filled else " ", style="cyan")
    eighths = _level(value, peak, height * 8) - level * 8
    if eighths <= 0:
        return Text(" ")
    return Text(_BARS[min(8, eighths) - 1], style="cyan")


def latency(ms: float | None, *, ascii_only: bool = False) -> str:
    """'85ms', '1.2s'; a dash when nothing answered."""
    if ms is None:
        return "-" if ascii_only else "—"
    if ms >= 1000:
        return f"{ms / 1000:.1f}s"
    return f"{ms:.0f}ms"
