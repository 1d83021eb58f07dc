"""Argument types that check a value where it is typed, in words a person can act on."""

from __future__ import annotations

import argparse
import re

from watchtui.config import MIN_INTERVAL, MIN_PROBE_INTERVAL
from watchtui.config.probe_spec import ID_PATTERN

__all__ = ["identifier", "interval", "probe_interval", "status_code"]

_ALLOWED = re.compile(r"[A-Za-z0-9_.-]")


def identifier(text: str) -> str:
    """A source or probe id (``ID_PATTERN``), or why not in a sentence rather than a regex."""
    if re.fullmatch(ID_PATTERN, text):
        return text
    rule = "an id is 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit"
    if not text:
        raise argparse.ArgumentTypeError(f"{rule}; it is empty")
    if len(text) > 64:
        raise argparse.ArgumentTypeError(f"{rule}; this one has {len(text)} characters")
    bad = sorted({ch for ch in text if not _ALLOWED.fullmatch(ch)})
    if bad:
        shown = ", ".join(repr(ch) for ch in bad[:5])
        raise argparse.ArgumentTypeError(f"{rule}; {text!r} has {shown}")
    raise argparse.ArgumentTypeError(f"{rule}; {text!r} starts with {text[0]!r}")


def _seconds(text: str, least: int) -> int:
    # Imported here: the net package pulls in httpx, which `config check` has no use for.
    from watchtui.net.backoff import MAX_INTERVAL

    most = int(MAX_INTERVAL)
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not least <= value <= most:
        raise argparse.ArgumentTypeError(
            f"{text!r}: give whole seconds from {least} to {most} (a day)"
        )
    return value


def interval(text: str) -> int:
    """Seconds between polls of a source: the config's minimum up to a day."""
    return _seconds(text, MIN_INTERVAL)


def probe_interval(text: str) -> int:
    return _seconds(text, MIN_PROBE_INTERVAL)


def status_code(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 100 <= value <= 599:
        raise argparse.ArgumentTypeError(f"{text!r} is not an HTTP status (100 to 599)")
    return value
