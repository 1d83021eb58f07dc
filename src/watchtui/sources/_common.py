"""What every parser shares: decoding bytes, XML via defusedxml, time parsing, error guarding.

Two levels of failure.  Structural breakage (not JSON/XML, the wrong top-level shape, an item
without an id) fails the whole payload with ``FeedError``: the source no longer speaks the format.
A time that cannot be read (malformed, out of range, missing) only loses the item or update that
carries it: ``Drops.item`` leaves it out and records why in ``Snapshot.dropped``, so one bad
timestamp never hides everything else the source says.  Time helpers raise ``UnusableTime``, which
names the field, for exactly that purpose.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import Any, Literal
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException
from pydantic import ValidationError

from watchtui.domain.errors import FeedError
from watchtui.domain.model import DroppedItem
from watchtui.domain.text import NAME_MAX, clean_line, is_safe

# Parsers refuse payloads above this many bytes; the poller caps downloads earlier and lower.
MAX_PAYLOAD_BYTES = 32 * 1024 * 1024

Headers = Mapping[str, str]


@contextmanager
def guard(kind: str) -> Iterator[None]:
    """Turn whatever a malformed payload makes Python raise into one ``FeedError``."""
    try:
        yield
    except FeedError:
        raise
    except (
        KeyError,
        TypeError,
        ValueError,  # includes UnicodeError, json.JSONDecodeError
        AttributeError,
        IndexError,
        LookupError,
        OverflowError,
        RecursionError,
        ValidationError,
        DefusedXmlException,
        SyntaxError,  # xml.etree.ElementTree.ParseError
    ) as exc:
        raise FeedError(kind, f"malformed payload ({type(exc).__name__}: {exc})") from exc


# UTF-32 first: its little-endian BOM starts with UTF-16's.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def decode_text(data: bytes, kind: str, headers: Headers | None = None) -> str:
    """Bytes to str honouring a BOM (AWS serves UTF-16BE with one), then a declared charset, else
    UTF-8.  Undecodable bytes are an error, not silently replaced."""
    if len(data) > MAX_PAYLOAD_BYTES:
        raise FeedError(kind, f"payload too large ({len(data)} bytes)")
    encoding = _declared_charset(headers) or "utf-8"
    for bom, bom_encoding in _BOMS:
        if data.startswith(bom):
            data, encoding = data[len(bom) :], bom_encoding
            break
    if encoding == "utf-8" and len(data) >= 2 and (data[0] == 0) != (data[1] == 0):
        # JSON and XML start with ASCII, so a NUL in one of the first two bytes means UTF-16
        # (or -32) without a BOM; say that instead of a confusing syntax error.
        raise FeedError(kind, "payload looks like UTF-16 without a byte-order mark or charset")
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise FeedError(kind, f"payload is not valid {encoding}") from exc


def _declared_charset(headers: Headers | None) -> str | None:
    if not headers:
        return None
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
    for part in content_type.split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key.lower() == "charset" and value:
            return value.strip('"').lower()
    return None


_MARKUP_START = re.compile(r"\s*<")
_HTML_START = re.compile(rb"\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)[\s>]", re.I | re.S)


def load_json(data: bytes, kind: str, headers: Headers | None = None) -> Any:
    text = decode_text(data, kind, headers)
    if _MARKUP_START.match(text):
        raise FeedError(kind, "got an HTML/XML document where JSON was expected")
    try:
        return json.loads(text)
    except RecursionError as exc:
        raise FeedError(kind, "JSON nested too deeply") from exc
    except ValueError as exc:
        raise FeedError(kind, f"invalid JSON ({exc})") from exc


def load_xml(data: bytes, kind: str) -> Element:
    """Parse XML only through defusedxml: no entity expansion, no external entities, no DTDs."""
    if len(data) > MAX_PAYLOAD_BYTES:
        raise FeedError(kind, f"payload too large ({len(data)} bytes)")
    if _HTML_START.match(data):
        # Captive portals and error pages: name them, rather than let the DTD refusal speak.
        raise FeedError(kind, "got an HTML page, not a feed")
    try:
        root = SafeET.fromstring(data, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise FeedError(kind, f"refused unsafe XML ({type(exc).__name__})") from exc
    except (SyntaxError, ValueError, LookupError) as exc:  # ParseError subclasses SyntaxError
        # LookupError: an XML declaration naming an encoding Python does not know.
        raise FeedError(kind, f"invalid XML ({exc})") from exc
    if root.tag.lower() == "html" or root.tag.endswith("}html"):
        raise FeedError(kind, "got an HTML page, not a feed")
    return root


def expect_dict(value: Any, kind: str, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise FeedError(kind, f"{what} is not an object")
    return value


def expect_list(value: Any, kind: str, what: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise FeedError(kind, f"{what} is not a list")
    return value


class UnusableTime(ValueError):
    """A time an item cannot be placed with: the item is dropped, not the payload.

    ``reason`` is short, single-line and safe to show: it names the field and quotes a cleaned,
    bounded excerpt of what the feed said."""

    def __init__(self, reason: str) -> None:
        self.reason = clean_line(reason, 300)
        super().__init__(self.reason)

    @classmethod
    def bad(cls, field: str, value: Any) -> UnusableTime:
        return cls(f"{field} '{clean_line(str(value), 60)}' is not a usable time")

    @classmethod
    def missing(cls, fields: str) -> UnusableTime:
        return cls(f"no {fields} time")


def parse_iso(value: Any, field: str = "time") -> datetime | None:
    """ISO 8601 with any offset (``Z``, ``-07:00``, fractions) to aware UTC; naive means UTC.
    ``None``/empty gives ``None``; anything else unusable raises ``UnusableTime`` naming
    ``field`` (including a valid local time that falls outside what UTC can hold)."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise UnusableTime.bad(field, value)
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
        if parsed.tzinfo is None:
            return parsed.replace(tzinfo=UTC)
        return parsed.astimezone(UTC)
    except (ValueError, OverflowError) as exc:
        raise UnusableTime.bad(field, value) from exc


def parse_rfc822(value: Any, field: str = "date") -> datetime | None:
    """RFC 822 dates as RSS uses them, including US zone names (PST/PDT …) and a literal ``Z``."""
    if value is None or not str(value).strip():
        return None
    try:
        parsed = parsedate_to_datetime(str(value).strip())
        if parsed.tzinfo is None:
            return parsed.replace(tzinfo=UTC)
        return parsed.astimezone(UTC)
    except (TypeError, ValueError, IndexError, OverflowError) as exc:
        raise UnusableTime.bad(field, value) from exc


def parse_epoch(
    value: Any, *, milliseconds: bool = False, field: str = "timestamp"
) -> datetime | None:
    """Epoch seconds (or milliseconds) given as int, float or numeric string."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise UnusableTime.bad(field, value)
    try:
        number = float(value)
        if milliseconds:
            number /= 1000.0
        return datetime.fromtimestamp(number, tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError) as exc:
        # OSError: some platforms' time_t limits.
        raise UnusableTime.bad(field, value) from exc


DroppedWhat = Literal["incident", "maintenance", "update", "component"]


class Drops:
    """What one parse left out because its time could not be placed, for ``Snapshot.dropped``.

    ``with drops.item("incident", item_id): ...`` runs the body and, if it raises
    ``UnusableTime`` (or a time computation overflows), records the item and carries on after the
    block.  Whatever the body recorded before failing (an item's own dropped updates) is taken
    back: a dropped item is reported once, not also through its parts.  A plain class rather than
    ``contextlib`` helpers: it is entered for every item and update."""

    __slots__ = ("items",)

    def __init__(self) -> None:
        self.items: list[DroppedItem] = []

    def add(self, what: DroppedWhat, item_id: str, reason: str) -> None:
        self.items.append(
            DroppedItem(what=what, id=clean_line(item_id, NAME_MAX), reason=clean_line(reason))
        )

    def item(self, what: DroppedWhat, item_id: str, context: str = "") -> _ItemGuard:
        """Guard one item; ``context`` (e.g. "in incident X") is appended to the reason."""
        return _ItemGuard(self, what, item_id, context)

    def as_tuple(self) -> tuple[DroppedItem, ...]:
        return tuple(self.items)


class _ItemGuard:
    __slots__ = ("context", "drops", "item_id", "mark", "what")

    def __init__(self, drops: Drops, what: DroppedWhat, item_id: str, context: str) -> None:
        self.drops = drops
        self.what: DroppedWhat = what
        self.item_id = item_id
        self.context = context
        self.mark = 0

    def __enter__(self) -> None:
        self.mark = len(self.drops.items)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> bool:
        if exc is None:
            return False
        if isinstance(exc, UnusableTime):
            reason = exc.reason
        elif isinstance(exc, OverflowError):
            # Arithmetic on a time near year 1 or 9999 (a duration added, a zone applied).
            reason = "a time is out of range"
        else:
            return False
        if self.context:
            reason = f"{reason} ({self.context})"
        del self.drops.items[self.mark :]
        self.drops.add(self.what, self.item_id, reason)
        return True


def header(headers: Headers | None, name: str) -> str | None:
    if not headers:
        return None
    return next((v for k, v in headers.items() if k.lower() == name.lower()), None)


def safe_url(value: Any) -> str | None:
    """Only http(s) links survive: a feed must not hand us ``javascript:`` or ``file:`` URLs."""
    if not isinstance(value, str):
        return None
    url = value.strip()
    lowered = url[:8].lower()
    scheme = "https://" if lowered.startswith("https://") else "http://"
    # A host must follow the scheme: "https://" alone or "http:///x" is no link at all.
    has_host = lowered.startswith(scheme) and url[len(scheme) : len(scheme) + 1] not in ("", "/")
    if has_host and is_safe(url) and not _SPACE.search(url):
        return url[:2000]
    return None


_SPACE = re.compile(r"\s")
