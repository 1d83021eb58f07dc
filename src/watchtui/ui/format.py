"""Turning model values into short, colour-independent cells.

Every status carries a symbol *and* a word, so the screen reads the same without colour
(``NO_COLOR``, 16-colour ``TERM=linux``) and in ASCII mode.  Everything returns ``rich.text.Text``
built from plain strings: remote text is never parsed as markup.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from rich.text import Text

from watchtui.model import ComponentStatus, Impact

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


def _cell(table: dict[str, tuple[str, str, str, str]], key: str, *, ascii_only: bool) -> Text:
    symbol, ascii_symbol, word, style = table.get(key, ("?", "?", key, ""))
    return Text(f"{ascii_symbol if ascii_only else symbol} {word}", style=style)


def status_cell(status: ComponentStatus | str, *, ascii_only: bool = False) -> Text:
    return _cell(_STATUS, status, ascii_only=ascii_only)


def impact_cell(impact: Impact | str, *, ascii_only: bool = False) -> Text:
    return _cell(_IMPACT, impact, ascii_only=ascii_only)


def health_cell(health: str, *, ascii_only: bool = False) -> Text:
    return _cell(_HEALTH, health, ascii_only=ascii_only)


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
