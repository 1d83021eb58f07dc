"""The faults that test_tui_faults.py puts on the sources of a running app, four at a time, and the
payloads those sources serve: step 1 before the fault, step 2 to recover.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

import httpx
from tests.reliability.helpers import (
    MIB,
    T0,
    sp_incident,
    sp_summary,
)
from tests.support.feedserver import Fault, FeedServer

BOMB_SIZE = 64 * MIB

Kind = Literal["statuspage", "gcp", "azure"]
Health = Literal["failing", "drifted"]
HEALTH_WORD = {"failing": "FAILING", "drifted": "DRIFTED", "fresh": "●"}
CONTENT_TYPE = {
    "statuspage": "application/json; charset=utf-8",
    "gcp": "application/json; charset=utf-8",
    "azure": "application/rss+xml; charset=utf-8",
}
FILE_NAME = {"statuspage": "summary.json", "gcp": "incidents.json", "azure": "feed.rss"}

# --- payloads: step 1 is served before the fault, step 2 to recover ---------------------------


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _rfc822(moment: datetime) -> str:
    return moment.strftime("%a, %d %b %Y %H:%M:%S Z")


def title_of(kind: Kind, sid: str) -> str:
    return {"statuspage": "Incident", "gcp": "GCP incident", "azure": "Azure incident"}[kind] + (
        f" {sid}"
    )


def latest_text(kind: Kind, sid: str, step: int) -> str:
    """The newest update's text after ``step`` (what the stream shows beside the title)."""
    return f"Update {step} on {sid}."


def gcp_feed(sid: str, step: int) -> bytes:
    start = T0 - timedelta(hours=1)
    where = [{"title": "Iowa (us-central1)", "id": "us-central1"}]
    updates = [
        {
            "created": _iso(start + timedelta(minutes=10 * k)),
            "modified": _iso(start + timedelta(minutes=10 * k)),
            "when": _iso(start + timedelta(minutes=10 * k)),
            "text": f"Update {k} on {sid}.",
            "status": "SERVICE_DISRUPTION",
            "affected_locations": where,
        }
        for k in reversed(range(step + 1))
    ]
    incident = {
        "id": f"{sid}-1",
        "number": "1",
        "begin": _iso(start),
        "created": _iso(start),
        "modified": updates[0]["modified"],
        "external_desc": title_of("gcp", sid),
        "updates": updates,
        "most_recent_update": updates[0],
        "status_impact": "SERVICE_DISRUPTION",
        "severity": "medium",
        "service_key": "gce",
        "service_name": "Google Compute Engine",
        "affected_products": [{"title": "Google Compute Engine", "id": "gce"}],
        "uri": f"incidents/{sid}-1",
        "currently_affected_locations": where,
        "previously_affected_locations": [],
    }
    return json.dumps([incident]).encode()


def azure_feed(sid: str, step: int) -> bytes:
    published = T0 - timedelta(hours=1)
    built = published + timedelta(minutes=10 * step)
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0">
  <channel>
    <title>Azure Status</title>
    <link>https://azure.status.example/en-us/status/</link>
    <description>Azure Status</description>
    <lastBuildDate>{_rfc822(built)}</lastBuildDate>
    <item>
      <guid isPermaLink="false">{sid}-incident</guid>
      <link>https://azure.status.example/en-us/status/</link>
      <category>Storage</category>
      <category>West Europe</category>
      <title>{title_of("azure", sid)}</title>
      <description>&lt;p&gt;{latest_text("azure", sid, step)}&lt;/p&gt;</description>
      <pubDate>{_rfc822(published)}</pubDate>
    </item>
  </channel>
</rss>
""".encode()


def payload(kind: Kind, sid: str, step: int) -> bytes:
    if kind == "gcp":
        return gcp_feed(sid, step)
    if kind == "azure":
        return azure_feed(sid, step)
    return sp_summary([{**sp_incident(sid, step + 1), "name": title_of(kind, sid)}])


# --- faults ------------------------------------------------------------------------------------

# server, path, good payload
Installer = Callable[[FeedServer, str, bytes], None]
LOOP_PATH = "/loop/b"

BILLION_LAUGHS_DTD = (
    b'<!DOCTYPE rss [\n  <!ENTITY lol "lol">\n'
    + b"".join(
        b'  <!ENTITY lol%d "%s">\n' % (n, (b"&lol%d;" % (n - 1) if n > 1 else b"&lol;") * 10)
        for n in range(1, 10)
    )
    + b"]>\n"
)


def serve_fault(make: Callable[[bytes], Fault]) -> Installer:
    def install(server: FeedServer, path: str, good: bytes) -> None:
        server.fault(path, make(good))

    return install


def serve_body(transform: Callable[[bytes], bytes], content_type: str) -> Installer:
    def install(server: FeedServer, path: str, good: bytes) -> None:
        server.set(path, transform(good), content_type=content_type)

    return install


def warm_bomb(server: FeedServer) -> None:
    """Have the server build (and cache) the bomb before the app runs: building it takes the
    server a moment that is no part of what the app does."""
    server.fault("/warm", Fault.gzip_bomb(BOMB_SIZE))
    with httpx.stream("GET", server.url("/warm"), timeout=60) as response:
        response.close()
    server.clear("/warm")


def redirect_loop(server: FeedServer, path: str, good: bytes) -> None:
    server.fault(path, Fault.redirect(LOOP_PATH))
    server.fault(LOOP_PATH, Fault.redirect(path))


def invalid_utf8(good: bytes) -> bytes:
    return good.replace(b"Incident ", b"Incident \xc3\x28\xff", 1)


def billion_laughs(good: bytes) -> bytes:
    declaration, _, rest = good.partition(b"\n")
    return declaration + b"\n" + BILLION_LAUGHS_DTD + rest.replace(b"<title>", b"<title>&lol9;", 1)


@dataclass(frozen=True)
class TuiFault:
    sid: str  # also the source's name on screen: short, so four fit the strip at 120 columns
    label: str
    kind: Kind
    install: Installer
    expect: Health
    reason: str  # lower-case words the reason on screen must contain
    slow: bool = False  # the fetch runs into the 1 s bound: keys are checked while it hangs
    retry_after: float | None = None


JSON = CONTENT_TYPE["statuspage"]

GROUPS: dict[str, tuple[TuiFault, ...]] = {
    "http": (
        TuiFault(
            "s500",
            "HTTP 500",
            "statuspage",
            serve_fault(lambda g: Fault.status(500)),
            "failing",
            "http 500",
        ),
        TuiFault(
            "s429",
            "HTTP 429, Retry-After: 900",
            "statuspage",
            serve_fault(lambda g: Fault.status(429, b"slow down", retry_after=900)),
            "failing",
            "http 429",
            retry_after=900,
        ),
        TuiFault("sloop", "redirect loop", "statuspage", redirect_loop, "failing", "loop"),
        TuiFault(
            "gfile",
            "redirect to file:///etc/passwd",
            "gcp",
            serve_fault(lambda g: Fault.redirect("file:///etc/passwd")),
            "failing",
            "non-http",
        ),
    ),
    "slow": (
        TuiFault(
            "shang",
            "hang before headers",
            "statuspage",
            serve_fault(lambda g: Fault.hang()),
            "failing",
            "timeout",
            slow=True,
        ),
        TuiFault(
            "strickle",
            "body trickled at 1 byte/s",
            "statuspage",
            serve_fault(lambda g: Fault.trickle(g, 1.0)),
            "failing",
            "timeout",
            slow=True,
        ),
        TuiFault(
            "sendless",
            "endless chunked body",
            "statuspage",
            serve_fault(lambda g: Fault.endless()),
            "failing",
            "larger than",
        ),
        TuiFault(
            "sbomb",
            f"gzip bomb ({BOMB_SIZE // MIB} MiB of zeros)",
            "statuspage",
            serve_fault(lambda g: Fault.gzip_bomb(BOMB_SIZE)),
            "failing",
            "larger than",
        ),
    ),
    "payload": (
        TuiFault(
            "gtrunc",
            "truncated JSON (GCP)",
            "gcp",
            serve_body(lambda g: g[: len(g) // 2], JSON),
            "drifted",
            "invalid json",
        ),
        TuiFault(
            "shtml",
            "HTML error page with 200",
            "statuspage",
            serve_fault(lambda g: Fault.html_error_page()),
            "drifted",
            "html",
        ),
        TuiFault(
            "sutf8",
            "invalid UTF-8 in a title",
            "statuspage",
            serve_body(invalid_utf8, JSON),
            "drifted",
            "not valid utf-8",
        ),
        TuiFault(
            "alaughs",
            "XML billion laughs (Azure RSS)",
            "azure",
            serve_body(billion_laughs, CONTENT_TYPE["azure"]),
            "drifted",
            "unsafe xml",
        ),
    ),
}
