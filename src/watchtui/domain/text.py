"""Making remote text safe to show: plain text only, no control or escape sequences, bounded.

Everything a feed says (titles, bodies, component and region names) passes through here before it
enters the model, so the UI and the CLI can print model text without further thought.  Rendering
code must still pass it as ``Text``/``Content``, never inside a markup string.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from html.parser import HTMLParser

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
# C0 controls except \n and \t, DEL, C1 controls; bidi embeddings/overrides/isolates; zero-width
# characters and the BOM; line/paragraph separators (normalised to \n below).
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]"
)
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_BLANK_LINES = re.compile(r"\n{3,}")


def strip_controls(value: str) -> str:
    """Remove terminal escape sequences, control characters and invisible formatting marks."""
    value = value.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n")
    value = value.replace("\u2029", "\n\n")
    value = _ESCAPE_SEQ.sub("", value)
    value = _INVISIBLE.sub("", value)
    # Lone surrogates cannot be encoded for the terminal; drop them.
    return value.encode("utf-8", "ignore").decode("utf-8")


def _cap(value: str, limit: int) -> str:
    if len(value) <= limit:
        return value
    return value[: limit - 1].rstrip() + "…"


# Characters the fast path refuses to trust: everything strip_controls removes and every
# whitespace other than space and newline (the slow path rewrites those).
_SUSPECT = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\xa0\u1680\u180e\u2000-\u200f\u2028-\u202f\u205f-\u206f\u3000"
    "\ud800-\udfff\ufeff\ufff9-\ufffb]"
)
# Printable ASCII and newline: deleting these from a clean ASCII string leaves nothing.
_PLAIN_ASCII = bytes(range(0x20, 0x7F)) + b"\n"


def _only_safe_chars(text: str) -> bool:
    if text.isascii():
        # bytes.translate is several times faster than a regex scan on the ASCII bulk of a feed.
        return not text.encode("ascii").translate(None, _PLAIN_ASCII)
    return _SUSPECT.search(text) is None


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
        # Feeds repeat the same short strings (ids, status words, group names) thousands of
        # times; their cleaned form is cached.
        return _clean_short_line(value, limit) if len(value) <= 256 else _clean_line(value, limit)
    return _clean_line(str(value), limit)


@lru_cache(maxsize=8192)
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
    return not _INVISIBLE.search(value) and "\x1b" not in value


def fold(value: str) -> str:
    """Case- and accent-insensitive form for matching names (``Montréal`` == ``montreal``)."""
    decomposed = unicodedata.normalize("NFKD", value)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
