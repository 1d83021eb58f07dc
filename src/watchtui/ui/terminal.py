"""What the terminal can draw, read from the environment once at start.

* ``NO_COLOR`` (https://no-color.org): the ``mono`` palette — attributes only (bold, reverse…),
  never colours turned into greys, in which red becomes an unreadable dark grey.
* The Linux console (``TERM=linux``) and other 16-colour terminals: the ``ansi`` palette, drawn
  with the terminal's own 16 colours (never RGB matched to the nearest of 16, which turns orange
  into magenta).  The Linux console's fonts lack most symbols, so it also gets ASCII glyphs.
* Anything else: the ``color`` palette.
"""

from __future__ import annotations

from collections.abc import Mapping

from watchtui.viewmodel.severity import Palette

# Terminals known to draw only the 16 ANSI colours (and their fonts only the basics).
_SIXTEEN_COLOURS = ("linux", "vt100", "vt102", "vt220", "ansi", "cons25", "screen.linux")
_ASCII_ONLY = ("linux", "vt100", "vt102", "vt220", "cons25", "screen.linux", "dumb")


def palette(environ: Mapping[str, str]) -> Palette:
    # Textual itself goes monochrome when the variable is present at all; so does watchtui.
    if "NO_COLOR" in environ:
        return "mono"
    term = environ.get("TERM", "").casefold()
    if term in _SIXTEEN_COLOURS or term.endswith("-16color"):
        return "ansi"
    return "color"


def needs_ascii(environ: Mapping[str, str]) -> bool:
    return environ.get("TERM", "").casefold() in _ASCII_ONLY
