"""The cases of test_faults.py: each puts one network fault or hostile payload on a source whose
good payload is stored, and says what the source must read afterwards (or, for an input accepted
by design, why it is accepted).
"""

from __future__ import annotations

import email.utils
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal, NamedTuple

from tests.reliability.helpers import (
    MIB,
    T0,
    scaled,
    sp_incident,
    sp_summary,
)
from tests.support.feedserver import Fault, FeedServer

from watchtui.demo import DEMO_SOURCES, Scenario
from watchtui.engine.poller import TOTAL_TIMEOUT as PRODUCTION_TOTAL_TIMEOUT
from watchtui.net.fetch import DEFAULT_MAX_BYTES, RETRY_AFTER_CAP

# CI bounds a fetch at 2 s to stay quick; the full form uses the production bound.
TOTAL_TIMEOUT = scaled(2.0, PRODUCTION_TOTAL_TIMEOUT)
# Faults that fail fast must fail fast: no fault but the slow ones may approach the total bound.
FAST_BOUND = 5.0
SLOW_BOUND = TOTAL_TIMEOUT + 3.0
MEMORY_LIMIT = 50 * MIB
GZIP_BOMB_SIZE = scaled(1024 * MIB, 4096 * MIB)
HUGE_SIZE = 100 * MIB
INTERVAL = 60

SP_PATH = "/sp/api/v2/summary.json"
AZ_PATH = next(s.path for s in DEMO_SOURCES if s.id == "demo-azure")
SP_TYPE = "application/json; charset=utf-8"
AZ_TYPE = "application/rss+xml; charset=utf-8"

Kind = Literal["statuspage", "azure"]
# An installer puts one misbehaviour on the path; when it serves a body, it returns it.
Installer = Callable[[FeedServer, str, bytes], "Served | None"]


def good_bodies(kind: Kind) -> tuple[bytes, bytes]:
    """Two good payloads: the first stored before the fault, the second served to recover."""
    if kind == "statuspage":
        first = sp_summary([sp_incident("a", 3), sp_incident("b", 2)])
        second = sp_summary([sp_incident("a", 4), sp_incident("b", 2)])
        return first, second
    scenario = Scenario(T0)
    return scenario.payloads(3)[AZ_PATH].body, scenario.payloads(5)[AZ_PATH].body


class Served(NamedTuple):
    body: bytes
    content_type: str


# --- installers: each puts one misbehaviour on the path ------------------------------------


def status(code: int, retry_after: int | str | None = None) -> Installer:
    def install(server: FeedServer, path: str, good: bytes) -> None:
        server.fault(path, Fault.status(code, b"upstream trouble", retry_after=retry_after))
        return None

    return install


def fault(make: Callable[[bytes], Fault]) -> Installer:
    def install(server: FeedServer, path: str, good: bytes) -> None:
        server.fault(path, make(good))
        return None

    return install


def body(
    transform: Callable[[bytes], bytes],
    content_type: str = SP_TYPE,
    headers: dict[str, str] | None = None,
) -> Installer:
    def install(server: FeedServer, path: str, good: bytes) -> Served:
        served = transform(good)
        server.set(path, served, content_type=content_type, headers=headers)
        return Served(served, content_type)

    return install


def redirect_loop(server: FeedServer, path: str, good: bytes) -> None:
    server.fault(path, Fault.redirect("/loop/b"))
    server.fault("/loop/b", Fault.redirect(path))
    return None


def redirect_chain(redirects: int) -> Installer:
    """``redirects`` redirects to distinct URLs (path -> /hop/1 -> ... -> /hop/N), then the
    good payload."""

    def install(server: FeedServer, path: str, good: bytes) -> None:
        server.fault(path, Fault.redirect("/hop/1"))
        for hop in range(1, redirects):
            server.fault(f"/hop/{hop}", Fault.redirect(f"/hop/{hop + 1}"))
        server.set(f"/hop/{redirects}", good)
        return None

    return install


def server_down(server: FeedServer, path: str, good: bytes) -> None:
    """Handled by the test itself: it stops the server around the faulty poll."""
    return None


def status_retry_date(code: int, seconds: int) -> Installer:
    """Retry-After as an HTTP date ``seconds`` ahead of the real clock (the one the fetch layer
    reads), computed when the fault is installed, not when the module is imported."""

    def install(server: FeedServer, path: str, good: bytes) -> None:
        when = datetime.now(UTC) + timedelta(seconds=seconds)
        date = email.utils.format_datetime(when, usegmt=True)
        server.fault(path, Fault.status(code, b"upstream trouble", retry_after=date))
        return None

    return install


def biggest_valid(good: bytes) -> bytes:
    """Valid Statuspage JSON just under the download cap: 12,000 incidents."""
    body = sp_summary([sp_incident(f"x{n}", 2) for n in range(12_000)])
    assert len(body) < DEFAULT_MAX_BYTES
    return body


def huge_number(good: bytes) -> bytes:
    return good[:-1] + b', "n": ' + b"9" * 100_000 + b"}"


def deep_xml(good: bytes) -> bytes:
    return good.replace(b"<title>", b"<title>" + b"<a>" * 100_000 + b"</a>" * 100_000, 1)


def invalid_utf8(good: bytes) -> bytes:
    return good.replace(b"Incident a", b"Incident \xc3\x28a\xff", 1)


def deep_json(good: bytes) -> bytes:
    return b"[" * 200_000 + b"]" * 200_000


BILLION_LAUGHS_DTD = (
    b'<!DOCTYPE rss [\n  <!ENTITY lol "lol">\n'
    + b"".join(
        b'  <!ENTITY lol%d "%s">\n' % (n, (b"&lol%d;" % (n - 1) if n > 1 else b"&lol;") * 10)
        for n in range(1, 10)
    )
    + b"]>\n"
)
XXE_DTD = b'<!DOCTYPE rss [\n  <!ENTITY xxe SYSTEM "file:///etc/passwd">\n]>\n'


def with_dtd(dtd: bytes, entity: bytes) -> Callable[[bytes], bytes]:
    def transform(good: bytes) -> bytes:
        declaration, _, rest = good.partition(b"\n")
        rest = rest.replace(b"<title>", b"<title>" + entity, 1)
        return declaration + b"\n" + dtd + rest

    return transform


@dataclass(frozen=True)
class Case:
    id: str
    label: str
    kind: Kind
    install: Installer
    expect: Literal["failing", "drifted", "accepted"]
    # Lower-case words the stored reason must contain.
    reason: str = ""
    slow: bool = False
    memory: bool = False
    # The wait Retry-After must produce before the next poll: (at least, at most) seconds.
    retry_after: tuple[float, float] | None = None
    down: bool = False
    # Accepted cases only: why this input is data and not a fault (shown in RELIABILITY.md).
    why: str = ""
    memory_limit: int = MEMORY_LIMIT
    bound: float | None = None


SP: Kind = "statuspage"
AZ: Kind = "azure"

CASES: tuple[Case, ...] = (
    Case("http500", "HTTP 500", SP, status(500), "failing", "http 500"),
    Case("http502", "HTTP 502", SP, status(502), "failing", "http 502"),
    Case("http503", "HTTP 503", SP, status(503), "failing", "http 503"),
    Case("http404", "HTTP 404 (source vanished)", SP, status(404), "failing", "http 404"),
    Case(
        "http429_retry_after",
        "HTTP 429 with Retry-After: 900",
        SP,
        status(429, 900),
        "failing",
        "http 429",
        retry_after=(900, 900),
    ),
    Case(
        "http503_retry_date",
        "HTTP 503 with Retry-After as an HTTP date 10 min ahead",
        SP,
        status_retry_date(503, 600),
        "failing",
        "http 503",
        retry_after=(560, 600),
    ),
    Case(
        "http503_retry_huge",
        "HTTP 503 with Retry-After: 31536000 (a year)",
        SP,
        status(503, 31_536_000),
        "failing",
        "http 503",
        retry_after=(RETRY_AFTER_CAP, RETRY_AFTER_CAP),
    ),
    Case("http429", "HTTP 429 without Retry-After", SP, status(429), "failing", "http 429"),
    Case("reset", "connection reset (RST)", SP, fault(lambda g: Fault.reset()), "failing", "reset"),
    Case(
        "refused",
        "server down (connection refused)",
        SP,
        server_down,
        "failing",
        "refused",
        down=True,
    ),
    Case(
        "hang",
        "hang before headers",
        SP,
        fault(lambda g: Fault.hang()),
        "failing",
        "timeout",
        slow=True,
    ),
    Case(
        "trickle",
        "body trickled at 1 byte/s",
        SP,
        fault(lambda g: Fault.trickle(g, 1.0)),
        "failing",
        "timeout",
        slow=True,
    ),
    Case(
        "endless",
        "endless chunked body",
        SP,
        fault(lambda g: Fault.endless()),
        "failing",
        "larger than",
        memory=True,
    ),
    Case(
        "huge_chunked",
        "100 MB body, chunked (no length)",
        SP,
        fault(lambda g: Fault.huge(HUGE_SIZE)),
        "failing",
        "larger than",
        memory=True,
    ),
    Case(
        "huge_declared",
        "100 MB body, Content-Length declared",
        SP,
        fault(lambda g: Fault.huge(HUGE_SIZE, declare_length=True)),
        "failing",
        "larger than",
        memory=True,
    ),
    Case(
        "gzip_bomb",
        f"gzip bomb ({GZIP_BOMB_SIZE // MIB} MiB of zeros)",
        SP,
        fault(lambda g: Fault.gzip_bomb(GZIP_BOMB_SIZE)),
        "failing",
        "larger than",
        memory=True,
    ),
    Case(
        "brotli",
        "unrequested Content-Encoding: br",
        SP,
        body(lambda g: b"\x1b\x00garbage", headers={"Content-Encoding": "br"}),
        "failing",
        "unsupported content-encoding",
    ),
    Case(
        "short_body",
        "truncated body (Content-Length longer than sent)",
        SP,
        fault(Fault.truncated),
        "failing",
        "closed before the response was complete",
    ),
    Case(
        "truncated_json",
        "truncated JSON (complete response, half a document)",
        SP,
        body(lambda g: g[: len(g) // 2]),
        "drifted",
        "invalid json",
    ),
    Case("empty_200", "empty 200 body", SP, body(lambda g: b""), "drifted", "invalid json"),
    Case(
        "deep_json",
        "JSON nested 200,000 deep",
        SP,
        body(deep_json),
        "drifted",
        "nested too deeply",
    ),
    Case(
        "huge_number",
        "JSON number with 100,000 digits",
        SP,
        body(huge_number),
        "drifted",
        "invalid json",
    ),
    Case(
        "biggest_valid",
        "valid JSON just under the 10 MB cap (12,000 incidents)",
        SP,
        body(biggest_valid),
        "accepted",
        memory=True,
        memory_limit=256 * MIB,
        bound=15.0,
        why="a valid payload within the 10 MB download cap is data, however large; the cap "
        "bounds the cost (parsing and storing 12,000 incidents peaks at about ten times the "
        "payload in memory)",
    ),
    Case(
        "html_200",
        "HTML error page with 200",
        SP,
        fault(lambda g: Fault.html_error_page()),
        "drifted",
        "html",
    ),
    Case(
        "json_as_html",
        "valid JSON served as text/html",
        SP,
        fault(lambda g: Fault.wrong_content_type(g, "text/html; charset=utf-8")),
        "accepted",
        why="Content-Type is advice: some Statuspage mirrors and CDNs mislabel JSON; a body "
        "that looks like markup is refused whatever its Content-Type says",
    ),
    Case(
        "utf16_no_bom",
        "UTF-16LE without BOM, no charset",
        SP,
        body(lambda g: g.decode("utf-8").encode("utf-16-le"), "application/json"),
        "drifted",
        "utf-16 without a byte-order mark",
    ),
    Case(
        "utf16_no_bom_charset",
        "UTF-16LE without BOM, charset=utf-16le declared",
        SP,
        body(lambda g: g.decode("utf-8").encode("utf-16-le"), "application/json; charset=utf-16le"),
        "accepted",
        why="the server names the encoding; without a BOM or a declared charset the same bytes "
        "are refused (RFC 8259 JSON is UTF-8) rather than guessed",
    ),
    Case(
        "utf16_bom",
        "UTF-16BE with BOM, no charset",
        SP,
        body(lambda g: g.decode("utf-8").encode("utf-16"), "application/json"),
        "accepted",
        why="a byte-order mark names the encoding without guessing, and a real feed is served "
        "this way (AWS Health's currentevents is UTF-16 with a BOM)",
    ),
    Case(
        "invalid_utf8",
        "invalid UTF-8 inside a string",
        SP,
        body(invalid_utf8),
        "drifted",
        "not valid utf-8",
    ),
    Case("redirect_loop", "redirect loop (A -> B -> A)", SP, redirect_loop, "failing", "loop"),
    Case(
        "redirects_5",
        "5 redirects (the client's limit)",
        SP,
        redirect_chain(5),
        "accepted",
        why="status pages move behind CDNs and vanity domains; redirects are followed up to "
        "the client's limit of five, and one more is refused (the next row of the fault table)",
    ),
    Case(
        "redirects_6",
        "6 redirects (one over the limit)",
        SP,
        redirect_chain(6),
        "failing",
        "too many redirects",
    ),
    Case(
        "redirect_file",
        "redirect to file:///etc/passwd",
        SP,
        fault(lambda g: Fault.redirect("file:///etc/passwd")),
        "failing",
        "non-http url",
    ),
    Case(
        "billion_laughs",
        "XML billion laughs (Azure RSS)",
        AZ,
        body(with_dtd(BILLION_LAUGHS_DTD, b"&lol9;"), AZ_TYPE),
        "drifted",
        "unsafe xml",
        memory=True,
    ),
    Case(
        "xxe",
        "XML external entity file:///etc/passwd (Azure RSS)",
        AZ,
        body(with_dtd(XXE_DTD, b"&xxe;"), AZ_TYPE),
        "drifted",
        "unsafe xml",
    ),
    Case(
        "rss_html",
        "HTML page where RSS was expected (Azure)",
        AZ,
        fault(lambda g: Fault.html_error_page()),
        "drifted",
        "html page",
    ),
    Case(
        "deep_xml",
        "XML nested 100,000 deep inside a title (Azure)",
        AZ,
        body(deep_xml, AZ_TYPE),
        "accepted",
        why="well-formed XML within the download cap and without a DTD: nothing unsafe to "
        "refuse; it parses without exhausting the stack (the poll time is shown)",
    ),
    Case(
        "rss_truncated",
        "truncated XML (Azure)",
        AZ,
        body(lambda g: g[: len(g) // 2], AZ_TYPE),
        "drifted",
        "invalid xml",
    ),
)
