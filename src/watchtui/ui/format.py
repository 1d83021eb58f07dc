"""Turning model values into short, colour-independent cells.

Every level carries a symbol *and* a word from the one severity scale
(``watchtui.viewmodel.severity``: ok < maint < unknown < minor < MAJOR < CRITICAL), so the screen
reads the same without colour (``NO_COLOR``), on 16 colours (``TERM=linux``) and in ASCII mode.
Everything returns ``rich.text.Text`` built from plain strings: remote text is never parsed as
markup.

The palette is a property of the terminal, the same for every widget of the process: the app
chooses it once at start (``use_palette``), as Rich's console chooses its colour system.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from rich.text import Text

from watchtui.domain.model import ComponentStatus, Impact
from watchtui.viewmodel import severity
from watchtui.viewmodel.severity import Level, Palette

_palette: Palette = "color"


def use_palette(palette: Palette) -> None:
    global _palette
    _palette = palette


def palette() -> Palette:
    return _palette


def level_style(level: Level) -> str:
    return severity.style(level, _palette)


def level_cell(level: Level, *, ascii_only: bool = False, word: str | None = None) -> Text:
    """'■ CRITICAL' in the level's style; ``word`` replaces the level's word (probes say DOWN)."""
    glyph = severity.glyph(level, ascii_only=ascii_only)
    return Text(f"{glyph} {word or severity.LOOKS[level].word}", style=level_style(level))


def status_cell(status: ComponentStatus, *, ascii_only: bool = False) -> Text:
    return level_cell(severity.level_of_status(status), ascii_only=ascii_only)


def impact_cell(impact: Impact, *, ascii_only: bool = False) -> Text:
    return level_cell(impact, ascii_only=ascii_only)


# Source freshness is its own vocabulary (how much we know, not how bad it is), with glyphs no
# severity level uses; its weight follows the scale: failing reads as loud as a critical.
_HEALTH: dict[str, tuple[str, str, str, Level]] = {
    "fresh": ("✓", "+", "fresh", "none"),
    "never": ("○", "o", "waiting", "unknown"),
    "stale": ("◌", "s", "STALE", "minor"),
    "drifted": ("≈", "d", "DRIFTED", "major"),
    "failing": ("✗", "x", "FAILING", "critical"),
    "disabled": ("-", "-", "off", "none"),
}


def health_cell(health: str, *, ascii_only: bool = False) -> Text:
    glyph, ascii_glyph, word, level = _HEALTH.get(health, ("?", "?", health, "unknown"))
    style = "" if health == "disabled" else level_style(level)
    return Text(f"{ascii_glyph if ascii_only else glyph} {word}", style=style)


_PROBE_WORDS = {"up": "up", "down": "DOWN", "unknown": "unknown"}


def probe_cell(state: str, *, ascii_only: bool = False, subject: str = "") -> Text:
    """'■ DOWN'; with ``subject``, '■ probe DOWN' (a geography's verdict from its probes)."""
    word = _PROBE_WORDS.get(state, state)
    return level_cell(
        severity.level_of_probe(state),
        ascii_only=ascii_only,
        word=f"{subject} {word}" if subject else word,
    )


# Probe down while its provider says operational (or the reverse): the one thing to read first.
DISAGREE = ("≠", "!=")


def disagree_style() -> str:
    return level_style("critical")


def hint_style() -> str:
    return level_style("minor")


def disagree_mark(*, ascii_only: bool = False) -> str:
    return DISAGREE[1] if ascii_only else DISAGREE[0]


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
    """'2h 14m', '3d 4h', '45m', '40s' — how long something lasted (or has lasted so far);
    seconds below a minute, so a fresh incident never reads "0m"."""
    delta: timedelta = (end or now) - start
    seconds = max(0, int(delta.total_seconds()))
    if seconds < 60:
        return f"{seconds}s"
    minutes = seconds // 60
    days, minutes = divmod(minutes, 1440)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes:02d}m"
    return f"{minutes}m"


def clock(moment: datetime, *, local: bool = False, seconds: bool = False) -> str:
    """'11:10 UTC' (or '11:10:05 local'): a time of day with the zone it is shown in."""
    text = _shown(moment, local).strftime("%H:%M:%S" if seconds else "%H:%M")
    return f"{text} {_zone(local)}"


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _shown(moment: datetime, local: bool) -> datetime:
    return moment.astimezone() if local else moment.astimezone(UTC)


def _zone(local: bool) -> str:
    return "local" if local else "UTC"


# Within this, a time of day says when; beyond it, a bare clock time would read as today.
_RECENT = timedelta(hours=20)


def day(moment: datetime, *, local: bool = False) -> str:
    """'Jul 29': the one way a date is written in lists (locale-free: strftime's %b is not)."""
    at = _shown(moment, local)
    return f"{_MONTHS[at.month - 1]} {at.day:02d}"


def short_date_time(moment: datetime, *, local: bool = False) -> str:
    """'Jul 29 11:10'."""
    at = _shown(moment, local)
    return f"{day(moment, local=local)} {at.hour:02d}:{at.minute:02d}"


def dated(moment: datetime, *, local: bool = False) -> str:
    """'Jul 29 11:10 UTC': date and time with the zone it is shown in (for facts, where no
    column heading names the zone)."""
    return f"{short_date_time(moment, local=local)} {_zone(local)}"


def when(moment: datetime, now: datetime, *, local: bool = False, zone: bool = False) -> str:
    """'11:55' within the last 20 hours, else 'Jul 28' (a date is what matters for old news).
    With ``zone`` (prose, where no column heading names it): '11:55 UTC', else the full
    'Jul 28 11:55 UTC'."""
    recent = now - moment < _RECENT
    if zone:
        return clock(moment, local=local) if recent else dated(moment, local=local)
    return _shown(moment, local).strftime("%H:%M") if recent else day(moment, local=local)


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
            line.append("x" if ascii_only else "✗", style=level_style("critical"))
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
        failed = Text("x" if ascii_only else "✗", style=level_style("critical"))
        return failed if level == 0 else Text(" ")
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
