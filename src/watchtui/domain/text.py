"""Making remote text safe to show: plain text only, no control or escape sequences, bounded.

Everything a feed says (titles, bodies, component and region names) passes through here before it
enters the model, so the UI and the CLI can print model text without further thought.  Rendering
code must still pass it as ``Text``/``Content``, never inside a markup string.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import cached_property, lru_cache
from html.parser import HTMLParser
from typing import cast

TITLE_MAX = 500
NAME_MAX = 200
BODY_MAX = 20_000

# Whole terminal escape sequences first (so their parameters do not survive as visible junk), then
# any remaining control character.  CSI: ESC [ … final byte; OSC: ESC ] … BEL or ST; other
# two-byte escapes: ESC + one char.  C1 equivalents (0x9b CSI, 0x9d OSC) too.
_ESCAPE_SEQ = re.compile(
    r"""
    (?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]          # CSI
  | (?:\x1b[\]PX^_]|[\x9d\x90\x98\x9e\x9f])    # OSC, DCS, SOS, PM, APC …
      .*?(?:\x07|\x1b\\|\x9c|$)               # … up to BEL or ST (or end of text)
  | \x1b[ -/]*[0-~]?                           # any other escape (nF, Fp, Fe, Fs)
    """,
    re.VERBOSE | re.DOTALL,
)
# Every code point whose Unicode general category is Cc (controls), Cf (format: bidi marks and
# isolates, zero-width characters, soft hyphen, tag characters, interlinear annotation…), Cs
# (surrogates), Co (private use), Zl or Zp (line and paragraph separators).  None of them is text a
# reader should see, and each one is either acted on by a terminal or rendered differently by each
# font.  Unassigned code points (Cn) are deliberately kept: an emoji newer than Python's Unicode
# database is unassigned here and must not vanish.  A literal table rather than a scan of all
# 0x110000 code points at import, because first paint is benchmarked; tests/domain/test_text.py
# recomputes it from ``unicodedata`` over every code point, so a Python upgrade that moves the
# database fails there.  Generated from unicodedata.unidata_version 14.0.0 (Python 3.11).
_FORBIDDEN_RANGES: tuple[tuple[int, int], ...] = (
    (0x0000, 0x001F),  # Cc: C0 controls
    (0x007F, 0x009F),  # Cc: DEL and C1 controls
    (0x00AD, 0x00AD),  # Cf: soft hyphen
    (0x0600, 0x0605),  # Cf: Arabic number signs
    (0x061C, 0x061C),  # Cf: Arabic letter mark
    (0x06DD, 0x06DD),  # Cf: Arabic end of ayah
    (0x070F, 0x070F),  # Cf: Syriac abbreviation mark
    (0x0890, 0x0891),  # Cf: Arabic pound and piastre marks above
    (0x08E2, 0x08E2),  # Cf: Arabic disputed end of ayah
    (0x180E, 0x180E),  # Cf: Mongolian vowel separator
    (0x200B, 0x200F),  # Cf: zero-width space/joiners, LRM, RLM
    (0x2028, 0x202E),  # Zl, Zp, then Cf bidi embeddings and overrides
    (0x2060, 0x2064),  # Cf: word joiner, invisible operators
    (0x2066, 0x206F),  # Cf: bidi isolates, deprecated format characters
    (0xD800, 0xF8FF),  # Cs surrogates, then Co private use
    (0xFEFF, 0xFEFF),  # Cf: BOM / zero-width no-break space
    (0xFFF9, 0xFFFB),  # Cf: interlinear annotation
    (0x110BD, 0x110BD),  # Cf: Kaithi number signs
    (0x110CD, 0x110CD),
    (0x13430, 0x13438),  # Cf: Egyptian hieroglyph format controls
    (0x1BCA0, 0x1BCA3),  # Cf: shorthand format controls
    (0x1D173, 0x1D17A),  # Cf: musical symbol format controls
    (0xE0001, 0xE0001),  # Cf: language tag
    (0xE0020, 0xE007F),  # Cf: tag characters
    (0xF0000, 0xFFFFD),  # Co: supplementary private use area A
    (0x100000, 0x10FFFD),  # Co: supplementary private use area B
)
# Category Zs (space separators) other than the space itself, same database and same test.  They
# are shown, but as a plain space.
_SPACE_SEPARATORS: tuple[tuple[int, int], ...] = (
    (0x00A0, 0x00A0),
    (0x1680, 0x1680),
    (0x2000, 0x200A),
    (0x202F, 0x202F),
    (0x205F, 0x205F),
    (0x3000, 0x3000),
)


def _char_class(ranges: tuple[tuple[int, int], ...], keep: str = "", add: str = "") -> str:
    """A regex character class for ``ranges`` minus the characters of ``keep``, plus ``add``."""
    kept = sorted(map(ord, keep))
    parts: list[str] = []
    for first, last in ranges:
        for cp in kept:
            if first <= cp <= last:
                if first < cp:
                    parts.append(f"\\U{first:08x}-\\U{cp - 1:08x}")
                first = cp + 1
        if first <= last:
            parts.append(f"\\U{first:08x}-\\U{last:08x}")
    parts.extend(f"\\U{ord(c):08x}" for c in add)
    # An empty class is a regex syntax error; this matches nothing instead.
    return "[" + "".join(parts) + "]" if parts else "(?!)"


_BEYOND_BMP = re.compile("[\\U00010000-\\U0010ffff]")


class _CharSet:
    """A set of characters to find or delete, as two regexes cut at the end of the BMP.

    The regex engine tests a class's ranges beyond the BMP one by one for every character it
    scans, so the whole table as one class cost five times its BMP part alone on ordinary text.
    The second half only runs on text that holds a character beyond the BMP, which feeds rarely do
    (``isascii`` answers for most strings without a scan).
    """

    def __init__(self, ranges: tuple[tuple[int, int], ...], keep: str = "") -> None:
        self._ranges = ranges
        self._keep = keep

    # Compiled on first use, not at import: the surrogate and private-use ranges make the regex
    # compiler fill its bitmap one code point at a time in Python (about 1 ms per set), and first
    # paint from the store may clean nothing at all.
    @cached_property
    def _bmp(self) -> re.Pattern[str]:
        return re.compile(
            _char_class(
                tuple((a, min(b, 0xFFFF)) for a, b in self._ranges if a <= 0xFFFF), self._keep
            )
        )

    @cached_property
    def _beyond(self) -> re.Pattern[str]:
        return re.compile(
            _char_class(
                tuple((max(a, 0x10000), b) for a, b in self._ranges if b > 0xFFFF), self._keep
            )
        )

    def _may_be_beyond(self, text: str) -> bool:
        return not text.isascii() and _BEYOND_BMP.search(text) is not None

    def found_in(self, text: str) -> bool:
        return self._bmp.search(text) is not None or (
            self._may_be_beyond(text) and self._beyond.search(text) is not None
        )

    def delete(self, text: str) -> str:
        text = self._bmp.sub("", text)
        return self._beyond.sub("", text) if self._may_be_beyond(text) else text


# What strip_controls deletes one by one: newline and tab stay (tab is whitespace the callers
# normalise), and CR, U+2028 and U+2029 are turned into newlines before this runs.
_INVISIBLE = _CharSet(_FORBIDDEN_RANGES, keep="\n\t")
# Tab and the space separators collapse to one space.
_SPACES = re.compile(_char_class(_SPACE_SEPARATORS, add=" \t") + "+")
_BLANK_LINES = re.compile(r"\n{3,}")


def strip_controls(value: str) -> str:
    """Remove terminal escape sequences, control characters and invisible formatting marks."""
    value = value.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n")
    value = value.replace("\u2029", "\n\n")
    value = _ESCAPE_SEQ.sub("", value)
    # Lone surrogates (Cs) go here too, so the result always encodes to UTF-8.
    return _INVISIBLE.delete(value)


def _cap(value: str, limit: int) -> str:
    if len(value) <= limit:
        return value
    return value[: limit - 1].rstrip() + "…"


# Characters the fast path refuses to trust: everything strip_controls removes or rewrites (all of
# _FORBIDDEN_RANGES but newline) and every space separator but the space (the slow path rewrites
# those).
_SUSPECT = _CharSet(_FORBIDDEN_RANGES + _SPACE_SEPARATORS, keep="\n")
# Printable ASCII and newline: deleting these from a clean ASCII string leaves nothing.
_PLAIN_ASCII = bytes(range(0x20, 0x7F)) + b"\n"


def _only_safe_chars(text: str) -> bool:
    if text.isascii():
        # bytes.translate is several times faster than a regex scan on the ASCII bulk of a feed.
        return not text.encode("ascii").translate(None, _PLAIN_ASCII)
    # str.isprintable is false for every category _SUSPECT holds (it refuses all of C and Z but
    # the space) and scans faster than any regex.  It also refuses unassigned code points, which
    # the slow path keeps, so only text holding one of those, or a real suspect, pays for the exact
    # set.
    if all(map(str.isprintable, text.split("\n") if "\n" in text else (text,))):
        return True
    return not _SUSPECT.found_in(text)


def _body_is_clean(text: str, limit: int) -> bool:
    """True only when cleaning would return ``text`` unchanged.  Feeds are mostly clean already,
    and proving it costs a tenth of rewriting them (GCP's 1.35 MB feed holds 600 kB of bodies)."""
    if (
        len(text) > limit
        or text[:1] == "\n"
        or text[-1:] == "\n"
        or "  " in text
        or "\n\n\n" in text
        or not _only_safe_chars(text)
    ):
        return False
    # No line may start or end with a space; stripping every line in C beats searching for it.
    lines = text.split("\n")
    return list(map(str.strip, lines)) == lines


def _line_is_clean(text: str, limit: int) -> bool:
    # ``_all_clean`` states these rules again for a batch: a rule added here goes there too.
    return not (
        len(text) > limit
        or text[:1] == " "
        or text[-1:] == " "
        or "  " in text
        or "\n" in text
        or not _only_safe_chars(text)
    )


def clean_line(value: object, limit: int = TITLE_MAX) -> str:
    """A single line of plain text: titles, names, statuses."""
    if value is None:
        return ""
    if isinstance(value, str):
        # Feeds repeat the same short strings (status words, group and component names)
        # thousands of times; their cleaned form is cached.  The cache is kept small: most of
        # what passes through are ids seen once, and a big one held thousands of those after a
        # poll round (2 MiB, and the allocator pages they pinned), while the repeated words,
        # used every few calls, stay in a small one all the same.
        return _clean_short_line(value, limit) if len(value) <= 256 else _clean_line(value, limit)
    return _clean_line(str(value), limit)


def clean_lines(values: Sequence[object], limit: int = TITLE_MAX) -> list[str]:
    """``clean_line`` of each value.  A page's hundreds of component ids and names are nearly
    always clean already, and proving that for a batch at once takes a few passes in C over its
    join instead of a check per string; a batch holding one that is not goes the slow way (real
    pages have a few: Cloudflare's lists "Naha, Japan  - (OKA)")."""
    cleaned: list[str] = []
    for start in range(0, len(values), _BATCH):
        batch = values[start : start + _BATCH]
        if all(type(value) is str for value in batch) and _all_clean(
            cast("Sequence[str]", batch), limit
        ):
            cleaned += cast("Sequence[str]", batch)
        else:
            cleaned += [clean_line(value, limit) for value in batch]
    return cleaned


# Small enough that one unclean line sends few others the slow way, big enough that the passes
# in C dominate.
_BATCH = 32


def _all_clean(lines: Sequence[str], limit: int) -> bool:
    """``_line_is_clean`` for every line, checked on their join."""
    # Newline is the separator: no line may hold one, so the count proves the split.
    joined = "\n".join(lines)
    return (
        joined.count("\n") == len(lines) - 1
        and max(map(len, lines)) <= limit
        and joined[:1] != " "
        and joined[-1:] != " "
        and "  " not in joined
        and " \n" not in joined
        and "\n " not in joined
        and _only_safe_chars(joined)
    )


@lru_cache(maxsize=1024)
def _clean_short_line(value: str, limit: int) -> str:
    return _clean_line(value, limit)


def _clean_line(value: str, limit: int) -> str:
    if _line_is_clean(value, limit):
        return value
    text = strip_controls(value)
    text = _SPACES.sub(" ", text.replace("\n", " ")).strip()
    return _cap(text, limit)


def clean_text(value: object, limit: int = BODY_MAX) -> str:
    """Multi-line plain text: bodies.  Keeps paragraph breaks, trims every line."""
    if value is None:
        return ""
    if isinstance(value, str) and _body_is_clean(value, limit):
        return value
    text = strip_controls(str(value))
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    text = _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
    return _cap(text, limit)


_BLOCK_TAGS = frozenset(
    {
        "p",
        "div",
        "section",
        "article",
        "header",
        "footer",
        "blockquote",
        "pre",
        "table",
        "tr",
        "ul",
        "ol",
        "dl",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
    }
)
_SKIP_TAGS = frozenset({"script", "style", "head", "title", "template", "noscript"})


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self._skip_depth += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag in ("td", "th", "dd", "dt"):
            self.parts.append(" ")
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append("\n")
        elif tag == "hr":
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self._skip_depth = max(0, self._skip_depth - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self._skip_depth:
            self.parts.append(data)


def html_to_text(value: object, limit: int = BODY_MAX) -> str:
    """Readable plain text from an HTML fragment.  Never executes or fetches anything."""
    if value is None:
        return ""
    raw = str(value)
    if "<" not in raw and "&" not in raw:
        return clean_text(raw, limit)
    extractor = _TextExtractor()
    # Bound the work on hostile input before parsing, not after.
    extractor.feed(raw[: limit * 20])
    extractor.close()
    return clean_text("".join(extractor.parts), limit)


def is_safe(value: str) -> bool:
    """True when ``value`` holds nothing a terminal would act on (used by tests and assertions)."""
    return not _INVISIBLE.found_in(value)


def fold(value: str) -> str:
    """Case- and accent-insensitive form for matching names (``Montréal`` == ``montreal``)."""
    decomposed = unicodedata.normalize("NFKD", value)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
