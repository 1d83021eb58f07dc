"""The scripted demo scenario behind ``watchtui demo``, the integration tests and the screenshots.

EVERYTHING HERE IS DEMO DATA.  The providers ("Demo Git", "Demo Edge", "Demo Pay", …), their
components, incidents and texts are fictional; every URL points at the reserved ``.example``
domain.  Only the *wire formats* are real: each payload is byte-for-byte what the real kind serves
(UTF-16BE with a BOM for the AWS Health ``currentevents`` array, Azure's RSS channel, Statuspage
``summary.json``/``incidents.json``, Google's ``incidents.json``, Slack's status API, a Statuspage
``history.rss``), so the real parsers and the real fetch layer are exercised end to end.

The story: a power event takes down one zone of a US-West cloud region.  The AWS-style cloud sees
it first (``us-west-2``), the GCP-style cloud opens an incident for ``us-west1``, the Azure-style
feed lists "West US 2" and then empties again, a CDN loses its Portland colo, and the services
hosted there (a code host, a payments API, a PaaS) degrade and recover one after the other.  A chat
service stays green throughout, and the PaaS's own status feed fails twice (a 503 and an HTML
challenge page) while its hosting is down.  Beside the feeds, the config carries three of the
user's own probes (``DEMO_PROBES``) against ``/probe/<id>`` on the same server, scripted to
disagree with the providers at times: the independent-signals feature.

This module is pure: no I/O, no clock, no randomness.  ``Scenario(start).payloads(step)`` is a
function of ``start``, ``step_seconds`` and ``step`` only, and a source's bytes change only at the
steps where its story moves, so ETag/304 handling can be observed.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from xml.sax.saxutils import escape

__all__ = [
    "DEMO_PROBES",
    "DEMO_SOURCES",
    "PEAK_STEP",
    "STEPS",
    "DemoProbe",
    "DemoSource",
    "Payload",
    "Scenario",
]

STEPS = 16
# The step with the most open incidents; the screenshots are taken here.
PEAK_STEP = 5

_JSON = "application/json; charset=utf-8"
# AWS names no charset: the BOM is the only thing that says UTF-16.
_AWS_JSON = "application/json"
_RSS = "application/rss+xml; charset=utf-8"
_HTML = "text/html; charset=utf-8"


@dataclass(frozen=True, slots=True)
class Payload:
    """One response of the demo server.  ``fault`` marks a deliberately broken response."""

    body: bytes
    content_type: str
    status: int = 200
    fault: bool = False


@dataclass(frozen=True, slots=True)
class DemoSource:
    id: str
    name: str
    kind: str
    # URL path of the current-state endpoint on the demo server.
    path: str
    # URL path of the history endpoint (Statuspage incidents.json, Slack history), if any.
    history_path: str | None = None
    # What the config points at: the page's base for kinds whose endpoints the config derives
    # (so both current and history are polled), else the endpoint itself.
    config_path: str = ""

    def config_url(self, base_url: str) -> str:
        return base_url.rstrip("/") + (self.config_path or self.path)

    @property
    def paths(self) -> tuple[str, ...]:
        return (self.path,) if self.history_path is None else (self.path, self.history_path)


DEMO_SOURCES: tuple[DemoSource, ...] = (
    DemoSource("demo-aws", "Demo AWS-style Cloud", "aws", "/demo-aws/public/currentevents"),
    DemoSource("demo-gcp", "Demo GCP-style Cloud", "gcp", "/demo-gcp/incidents.json"),
    DemoSource("demo-azure", "Demo Azure-style Cloud", "azure", "/demo-azure/en-us/status/feed/"),
    DemoSource(
        "demo-git",
        "Demo Git",
        "statuspage",
        "/demo-git/api/v2/summary.json",
        "/demo-git/api/v2/incidents.json",
        "/demo-git",
    ),
    DemoSource(
        "demo-edge",
        "Demo Edge",
        "statuspage",
        "/demo-edge/api/v2/summary.json",
        "/demo-edge/api/v2/incidents.json",
        "/demo-edge",
    ),
    DemoSource(
        "demo-pay",
        "Demo Pay",
        "statuspage",
        "/demo-pay/api/v2/summary.json",
        "/demo-pay/api/v2/incidents.json",
        "/demo-pay",
    ),
    DemoSource(
        "demo-chat",
        "Demo Chat",
        "slack",
        "/demo-chat/api/v2.0.0/current",
        "/demo-chat/api/v2.0.0/history",
        "/demo-chat",
    ),
    DemoSource("demo-deploy", "Demo Deploy", "rss", "/demo-deploy/history.rss"),
)

_BY_ID = {s.id: s for s in DEMO_SOURCES}


@dataclass(frozen=True, slots=True)
class DemoProbe:
    """One of the user's own probes in the demo config: an HTTP check of a path on the demo
    server, which answers 500 at the ``failing`` steps and a plain "ok" otherwise."""

    id: str
    provider: str
    failing: frozenset[int]
    service: str | None = None
    region: str | None = None
    # The demo's steps are seconds apart, so its probes flip on one result; the defaults (3 and
    # 2) would outlast the story.  The Git probe keeps a longer streak to show a blip absorbed.
    down_after: int = 1
    up_after: int = 1

    @property
    def path(self) -> str:
        return f"/probe/{self.id}"


# The three ways a probe and a provider relate, in the story:
# * card payments in US West fail from step 1, but Demo Pay only opens its incident at step 4
#   (probe down while the provider claims operational, then agreement until both recover);
# * Demo Edge reports its Portland colo out (from step 2 until its incident resolves at step 10)
#   while the probe through it stays up (traffic is re-routed: the outage does not reach this
#   user);
# * the Demo Git API probe fails once at step 12, which its down_after of 2 absorbs.
DEMO_PROBES: tuple[DemoProbe, ...] = (
    DemoProbe(
        "demo-pay-cards",
        "demo-pay",
        frozenset(range(1, 9)),
        service="Card Payments",
        region="us-west",
    ),
    DemoProbe("demo-edge-pdx", "demo-edge", frozenset(), region="PDX"),
    DemoProbe(
        "demo-git-api",
        "demo-git",
        frozenset({12}),
        service="API Requests",
        down_after=2,
    ),
)
# Probes run every 15 s (the floor) and must answer well within it.
_PROBE_INTERVAL = 15
_PROBE_TIMEOUT = 3
_TEXT = "text/plain; charset=utf-8"
_PROBE_OK = b"ok\n"
_PROBE_ERROR = b"upstream connect error or disconnect/reset before headers\n"

_CAPTIONS: tuple[str, ...] = (
    "All quiet: every demo source reports normal operation; your three probes are up.",
    "Demo AWS-style Cloud: error rates rise in us-west-2 (Oregon).  Your probe of Demo Pay's card "
    "payments in US West starts failing while Demo Pay still reports operational.",
    "Power loss confirmed in one us-west-2 zone; the GCP-style cloud opens an incident for "
    "us-west1; Demo Edge's Portland colo degrades, yet your probe through PDX stays up.",
    "The Azure-style feed lists West US 2; Demo Git's Actions slow down; Demo Deploy's status "
    "feed answers 503.",
    "Demo Pay sees card declines (its title carries hostile markup) and now agrees with your "
    "probe; Demo Edge reroutes PDX; Demo Deploy's feed is back with an incident.",
    "Peak: every cloud reports US-West trouble and the GCP-style incident escalates to an outage.",
    "Power restored at the AWS-style cloud; Demo Pay fails over to US East.",
    "GCP-style services available again (monitoring); Demo Edge monitoring; Demo Deploy's feed "
    "returns a browser-challenge HTML page.",
    "The Azure-style feed empties (all clear); Demo Git monitoring; Demo Deploy identified.",
    "Demo Pay monitoring; your card-payments probe passes again.",
    "AWS-style event resolved; GCP-style incident closed; Demo Edge resolved.",
    "Demo Git resolved; Demo Deploy monitoring.",
    "The AWS-style event leaves the feed; Demo Pay resolved; your Demo Git API probe fails "
    "once, too briefly to count as down.",
    "Demo Deploy resolved.",
    "All clear.",
    "All clear.",
)

# --- time formatting (locale-independent) ----------------------------------------------------

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_LONG_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
# Slack writes its timestamps in Pacific time.
_PACIFIC = timezone(timedelta(hours=-7))


def _iso_ms(t: datetime) -> str:
    return f"{t:%Y-%m-%dT%H:%M:%S}.{t.microsecond // 1000:03d}Z"


def _iso_offset(t: datetime) -> str:
    return f"{t:%Y-%m-%dT%H:%M:%S}+00:00"


def _rfc822(t: datetime, zone: str) -> str:
    return f"{_DAYS[t.weekday()]}, {t.day:02d} {_MONTHS[t.month - 1]} {t.year} {t:%H:%M:%S} {zone}"


def _hm(t: datetime) -> str:
    return f"{t:%H:%M} UTC"


def _long_date(t: datetime) -> str:
    return f"{t.day} {_LONG_MONTHS[t.month - 1]}, {t.year}"


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


# --- Statuspage story data ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Post:
    """One incident update: posted at ``step``, moving the listed components."""

    step: int
    status: str
    body: str
    changes: tuple[tuple[str, str], ...] = ()
    impact: str | None = None


@dataclass(frozen=True, slots=True)
class _Story:
    key: str
    name: str
    posts: tuple[_Post, ...]


@dataclass(frozen=True, slots=True)
class _Past:
    """An incident resolved before the demo starts, for the history endpoint."""

    key: str
    name: str
    impact: str
    days_ago: float
    minutes: int
    component: str
    first: str
    last: str


@dataclass(frozen=True, slots=True)
class _Maintenance:
    key: str
    name: str
    component: str
    days_ahead: int
    hours: int
    body: str


@dataclass(frozen=True, slots=True)
class _Page:
    source_id: str
    name: str
    host: str
    lag: float
    components: tuple[tuple[str, str], ...]
    groups: tuple[tuple[str, str, tuple[str, ...]], ...] = ()
    stories: tuple[_Story, ...] = ()
    past: tuple[_Past, ...] = ()
    maintenance: _Maintenance | None = None


_GIT = _Page(
    source_id="demo-git",
    name="Demo Git (demo)",
    host="status.demo-git.example",
    lag=0.55,
    components=(
        ("git", "Git Operations"),
        ("api", "API Requests"),
        ("webhooks", "Webhooks"),
        ("issues", "Issues"),
        ("pulls", "Pull Requests"),
        ("actions", "Actions"),
        ("packages", "Packages"),
        ("pages", "Pages"),
        ("codespaces", "Codespaces"),
    ),
    stories=(
        _Story(
            "actions-usw",
            "Degraded performance for Actions and Git Operations",
            (
                _Post(
                    3,
                    "investigating",
                    "We are investigating reports of degraded performance for Actions and "
                    "Git Operations.",
                    (("actions", "degraded_performance"), ("git", "degraded_performance")),
                    impact="minor",
                ),
                _Post(
                    5,
                    "identified",
                    "<p>We have identified the cause as a power event at one of our upstream "
                    "cloud providers in the US West region. Jobs queued for <strong>Linux "
                    "runners in US West</strong> are delayed while we drain traffic to other "
                    "regions.</p><p>Git pushes may fail intermittently; retrying succeeds.</p>",
                    (("actions", "partial_outage"), ("codespaces", "degraded_performance")),
                    impact="major",
                ),
                _Post(
                    8,
                    "monitoring",
                    "Traffic has been shifted away from the affected region and queue times "
                    "are returning to normal. We are monitoring the recovery.",
                    (
                        ("actions", "degraded_performance"),
                        ("git", "operational"),
                        ("codespaces", "operational"),
                    ),
                ),
                _Post(
                    11,
                    "resolved",
                    "This incident has been resolved. Actions jobs are running normally. We "
                    "will publish a root cause analysis once our provider has shared theirs.",
                    (("actions", "operational"),),
                ),
            ),
        ),
    ),
    past=(
        _Past(
            "pages-builds",
            "Delayed Pages builds",
            "minor",
            4.3,
            52,
            "pages",
            "We are investigating delays in Pages builds. Sites continue to be served.",
            "Pages builds are processing normally. This incident has been resolved.",
        ),
    ),
)

_PDX = "Portland, OR, United States - (PDX)"
_EDGE = _Page(
    source_id="demo-edge",
    name="Demo Edge (demo)",
    host="status.demo-edge.example",
    lag=0.6,
    components=(
        ("cdn", "CDN/Cache"),
        ("dns", "Authoritative DNS"),
        ("functions", "Edge Functions"),
        ("dashboard", "Dashboard"),
        ("api", "API"),
        ("sea", "Seattle, WA, United States - (SEA)"),
        ("pdx", _PDX),
        ("sjc", "San Jose, CA, United States - (SJC)"),
        ("lax", "Los Angeles, CA, United States - (LAX)"),
        ("den", "Denver, CO, United States - (DEN)"),
        ("ams", "Amsterdam, Netherlands - (AMS)"),
        ("fra", "Frankfurt, Germany - (FRA)"),
        ("lhr", "London, United Kingdom - (LHR)"),
    ),
    groups=(
        ("g-services", "Edge Services", ("cdn", "dns", "functions", "dashboard", "api")),
        ("g-na", "North America", ("sea", "pdx", "sjc", "lax", "den")),
        ("g-eu", "Europe", ("ams", "fra", "lhr")),
    ),
    stories=(
        _Story(
            "pdx-power",
            "Elevated errors and latency in Portland (PDX)",
            (
                _Post(
                    2,
                    "investigating",
                    "We are investigating elevated 5xx errors and connection timeouts for "
                    "requests served from our Portland (PDX) data center.",
                    (("pdx", "partial_outage"),),
                    impact="minor",
                ),
                _Post(
                    4,
                    "identified",
                    "Our Portland (PDX) data center has lost utility power and is running on a "
                    "reduced footprint. Traffic is being re-routed to Seattle (SEA) and San Jose "
                    "(SJC); customers in the Pacific Northwest may see increased latency. "
                    'Follow along at <a href="https://status.demo-edge.example/">'
                    "status.demo-edge.example</a>.",
                    (
                        ("pdx", "major_outage"),
                        ("sea", "degraded_performance"),
                        ("cdn", "degraded_performance"),
                    ),
                    impact="major",
                ),
                _Post(
                    7,
                    "monitoring",
                    "Power has been restored at PDX and we are gradually re-enabling traffic "
                    "to it. We are monitoring error rates.",
                    (
                        ("pdx", "degraded_performance"),
                        ("sea", "operational"),
                        ("cdn", "operational"),
                    ),
                ),
                _Post(
                    10,
                    "resolved",
                    "PDX is serving its full share of traffic again. This incident has been "
                    "resolved.",
                    (("pdx", "operational"),),
                ),
            ),
        ),
    ),
    past=(
        _Past(
            "lhr-routing",
            "Increased latency in London (LHR)",
            "minor",
            6.6,
            38,
            "lhr",
            "We are investigating increased latency for traffic served from London (LHR).",
            "A routing change by a transit provider has been reverted. Latency in LHR is back "
            "to normal.",
        ),
    ),
    maintenance=_Maintenance(
        "fra-upgrade",
        "FRA (Frankfurt) datacenter network upgrade",
        "fra",
        days_ahead=2,
        hours=3,
        body="We will upgrade network hardware in our Frankfurt (FRA) data center. Traffic will "
        "be re-routed to nearby data centers during the window; no impact is expected.",
    ),
)

# Deliberately hostile: Rich/Textual markup and an ANSI "clear screen" escape.  The parser strips
# the escape; the UI must show the brackets literally instead of rendering bold text.
HOSTILE_TITLE = "[bold]Elevated[/bold] card declines for merchants in US West\x1b[2J"

_PAY = _Page(
    source_id="demo-pay",
    name="Demo Pay (demo)",
    host="status.demo-pay.example",
    lag=0.25,
    components=(
        ("cards", "Card Payments"),
        ("bank", "Bank Transfers"),
        ("payouts", "Payouts"),
        ("checkout", "Checkout"),
        ("dashboard", "Dashboard"),
        ("api", "API"),
        ("webhooks", "Webhooks"),
    ),
    stories=(
        _Story(
            "card-declines",
            HOSTILE_TITLE,
            (
                _Post(
                    4,
                    "investigating",
                    "We are seeing an elevated rate of card authorisation failures for merchants "
                    "processed through our US West data centre. Other regions are unaffected.",
                    (("cards", "partial_outage"), ("checkout", "degraded_performance")),
                    impact="major",
                ),
                _Post(
                    6,
                    "identified",
                    "The failures are caused by lost connectivity between our US West processing "
                    "cluster and a database replica hosted with an upstream cloud provider that "
                    "is having a regional outage. We are failing over to US East.<br><br>"
                    "Retried payments are <em>not</em> charged twice.",
                    (("webhooks", "degraded_performance"),),
                ),
                _Post(
                    9,
                    "monitoring",
                    "Failover to US East is complete and authorisation rates are back to normal. "
                    "Webhook deliveries delayed during the incident are being retried.",
                    (("cards", "operational"), ("checkout", "operational")),
                ),
                _Post(
                    12,
                    "resolved",
                    "All delayed webhook deliveries have been sent. This incident has been "
                    "resolved.",
                    (("webhooks", "operational"),),
                ),
            ),
        ),
    ),
    past=(
        _Past(
            "payout-delay",
            "Delayed payouts to some EU bank accounts",
            "minor",
            9.2,
            95,
            "payouts",
            "Some payouts to EU bank accounts are delayed. Funds are safe.",
            "All delayed payouts have been sent. This incident has been resolved.",
        ),
    ),
)

_PAGES: dict[str, _Page] = {p.source_id: p for p in (_GIT, _EDGE, _PAY)}

_STATUSPAGE_INDICATOR = {
    "operational": 0,
    "under_maintenance": 0,
    "degraded_performance": 1,
    "partial_outage": 2,
    "major_outage": 2,
}
_IMPACT_LEVEL = {"none": 0, "minor": 1, "major": 2, "critical": 3}
_INDICATORS = (
    ("none", "All Systems Operational"),
    ("minor", "Minor Service Outage"),
    ("major", "Partial System Outage"),
    ("critical", "Major System Outage"),
)


@dataclass(frozen=True, slots=True)
class _Applied:
    """A post placed on the page's timeline, with the transitions it caused."""

    story: _Story
    post: _Post
    at: datetime
    transitions: tuple[tuple[str, str, str], ...]


# --- AWS, GCP, Azure, RSS story data -------------------------------------------------------------

_AWS_REGION = "us-west-2"
_AWS_SERVICES: dict[str, str] = {
    "compute": "Demo Compute",
    "blockstorage": "Demo Block Storage",
    "loadbalancing": "Demo Load Balancing",
    "databases": "Demo Managed Databases",
    "functions": "Demo Functions",
}
_AWS_DROPPED_AT = 12


@dataclass(frozen=True, slots=True)
class _AwsPost:
    step: int
    status: int
    summary: str
    services: tuple[tuple[str, str], ...] = ()


_AWS_POSTS: tuple[_AwsPost, ...] = (
    _AwsPost(1, 2, "Increased Error Rates", (("compute", "2"), ("blockstorage", "2"))),
    _AwsPost(
        2,
        3,
        "Power loss in a single Availability Zone",
        (
            ("compute", "3"),
            ("blockstorage", "3"),
            ("loadbalancing", "2"),
            ("databases", "2"),
            ("functions", "1"),
        ),
    ),
    _AwsPost(4, 3, "Power restoration in progress"),
    _AwsPost(
        6,
        2,
        "Instances recovering",
        (("compute", "2"), ("blockstorage", "2"), ("loadbalancing", "0"), ("functions", "0")),
    ),
    _AwsPost(
        8,
        1,
        "Most resources recovered",
        (("compute", "0"), ("blockstorage", "1"), ("databases", "0")),
    ),
    _AwsPost(10, 0, "Resolved", (("blockstorage", "0"),)),
)

_GCP_PRODUCTS = (
    ("demo-vm", "Demo Compute Engine"),
    ("demo-disk", "Demo Persistent Disk"),
    ("demo-k8s", "Demo Kubernetes Engine"),
)
_GCP_SQL = ("demo-sql", "Demo Cloud SQL")
_GCP_LOCATION = {"title": "Oregon (us-west1)", "id": "us-west1"}


@dataclass(frozen=True, slots=True)
class _GcpPost:
    step: int
    status: str
    kind: str  # which text template


_GCP_POSTS: tuple[_GcpPost, ...] = (
    _GcpPost(2, "SERVICE_DISRUPTION", "open"),
    _GcpPost(5, "SERVICE_OUTAGE", "escalate"),
    _GcpPost(7, "AVAILABLE", "mitigated"),
    _GcpPost(10, "AVAILABLE", "resolved"),
)

_AZURE_OPEN, _AZURE_UPDATE, _AZURE_CLEAR = 3, 5, 8
_DEPLOY_FAULTS: dict[int, str] = {3: "503", 7: "challenge"}
_DEPLOY_POSTS: tuple[tuple[int, str, str], ...] = (
    (
        4,
        "Investigating",
        "Deploys and builds for apps in the US West region are failing or timing out. Running "
        "apps in other regions are not affected.",
    ),
    (
        8,
        "Identified",
        "The failures are caused by an outage at our upstream cloud provider in US West. We "
        "have paused deploys to the region and are moving build capacity to US East.",
    ),
    (
        11,
        "Monitoring",
        "Our provider has restored service. Deploys to US West have been re-enabled and the "
        "backlog is draining.",
    ),
    (13, "Resolved", "All queued deploys have completed. This incident has been resolved."),
)

_HTML_503 = (
    b"<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n<body>\r\n"
    b"<center><h1>503 Service Temporarily Unavailable</h1></center>\r\n"
    b"<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)
_HTML_CHALLENGE = (
    b'<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title>'
    b'<meta name="robots" content="noindex,nofollow"></head><body>'
    b"<h1>status.demo-deploy.example</h1><p>Checking your browser before accessing "
    b"status.demo-deploy.example.</p><noscript>Enable JavaScript and cookies to continue"
    b"</noscript></body></html>"
)


# --- the scenario --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Clock:
    start: datetime
    step_seconds: float

    def at(self, step: int) -> datetime:
        return self.start + timedelta(seconds=step * self.step_seconds)

    def event(self, step: int, lag: float) -> datetime:
        """When something shown from ``step`` on happened: a little before the step, after the
        previous one.  The lag varies with the step so posts do not land on round times."""
        fraction = min(0.9, lag + 0.05 * (step % 3))
        back = timedelta(milliseconds=round(self.step_seconds * 1000 * fraction))
        return self.at(step) - back if step > 0 else self.at(0) - timedelta(minutes=1)


@dataclass
class Scenario:
    """The demo timeline.  ``payloads(step)`` is every path the demo server serves at ``step``."""

    start: datetime
    # Seconds of scenario time per step; a float so a fast demo can use sub-minute steps.
    step_seconds: float = 60
    steps: int = field(default=STEPS, init=False)
    _clock: _Clock = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.start.utcoffset() is None:
            raise ValueError("start must be timezone-aware")
        if not (math.isfinite(self.step_seconds) and self.step_seconds > 0):
            raise ValueError("step_seconds must be a positive number")
        self.start = self.start.astimezone(UTC).replace(microsecond=0)
        self._clock = _Clock(self.start, self.step_seconds)

    # --- public API -----------------------------------------------------------------------------

    def at(self, step: int) -> datetime:
        """The wall-clock moment of ``step`` in the scenario."""
        self._check(step)
        return self._clock.at(step)

    def caption(self, step: int) -> str:
        self._check(step)
        return _CAPTIONS[step]

    def payloads(self, step: int) -> dict[str, Payload]:
        self._check(step)
        out: dict[str, Payload] = {
            _BY_ID["demo-aws"].path: self._aws(step),
            _BY_ID["demo-gcp"].path: self._gcp(step),
            _BY_ID["demo-azure"].path: self._azure(step),
        }
        for page in _PAGES.values():
            source = _BY_ID[page.source_id]
            summary, history = self._statuspage(page, step)
            out[source.path] = summary
            if source.history_path is not None:
                out[source.history_path] = history
        chat = _BY_ID["demo-chat"]
        out[chat.path] = self._slack_current()
        if chat.history_path is not None:
            out[chat.history_path] = self._slack_history()
        out[_BY_ID["demo-deploy"].path] = self._deploy(step)
        for probe in DEMO_PROBES:
            out[probe.path] = _probe_payload(probe, step)
        return out

    def config_toml(self, base_url: str) -> str:
        lines = [
            "# watchtui demo configuration: DEMO DATA ONLY.",
            "# Every source below is fictional and served by a local loopback server.",
            "[watch]",
            "providers = []",
        ]
        for source in DEMO_SOURCES:
            lines += [
                "",
                "[[sources]]",
                f"id = {_toml_str(source.id)}",
                f"kind = {_toml_str(source.kind)}",
                f"url = {_toml_str(source.config_url(base_url))}",
                f"name = {_toml_str(source.name)}",
                "interval = 15",
            ]
        for probe in DEMO_PROBES:
            lines += ["", *_probe_toml(probe, base_url)]
        return "\n".join(lines) + "\n"

    # --- helpers --------------------------------------------------------------------------------

    def _check(self, step: int) -> None:
        if not 0 <= step < self.steps:
            raise ValueError(f"step must be in 0..{self.steps - 1}, got {step}")

    def _token(self, *parts: str, length: int = 12, upper: bool = False) -> str:
        """A stable id in the provider's style, unique to this start time."""
        seed = "\x1f".join((self.start.isoformat(), *parts)).encode("utf-8")
        digest = hashlib.sha256(seed).digest()
        alphabet = "0123456789abcdefghijklmnopqrstuvwxyz"
        if upper:
            alphabet += "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
        number = int.from_bytes(digest, "big")
        chars = []
        for _ in range(length):
            number, index = divmod(number, len(alphabet))
            chars.append(alphabet[index])
        return "".join(chars)

    # --- Statuspage -----------------------------------------------------------------------------

    def _statuspage(self, page: _Page, step: int) -> tuple[Payload, Payload]:
        applied = [a for a in self._timeline(page) if a.post.step <= step]
        statuses = {key: "operational" for key, _ in page.components}
        changed: dict[str, datetime] = {}
        for item in applied:
            for key, _old, new in item.transitions:
                statuses[key] = new
                changed[key] = item.at
        page_obj = self._sp_page(page, applied)
        stories = self._sp_incidents(page, applied, statuses)
        open_incidents = [i for i in stories if i["status"] != "resolved"]
        summary = {
            "page": page_obj,
            "components": self._sp_components(page, statuses, changed),
            "incidents": open_incidents,
            "scheduled_maintenances": self._sp_maintenances(page),
            "status": _sp_status(statuses.values(), [str(i["impact"]) for i in open_incidents]),
        }
        past = [self._sp_past(page, p) for p in page.past]
        history = {"page": page_obj, "incidents": stories + past}
        return Payload(_json(summary), _JSON), Payload(_json(history), _JSON)

    def _timeline(self, page: _Page) -> list[_Applied]:
        posts = sorted(
            ((story, post) for story in page.stories for post in story.posts),
            key=lambda sp: sp[1].step,
        )
        statuses = {key: "operational" for key, _ in page.components}
        timeline: list[_Applied] = []
        for story, post in posts:
            transitions = tuple((key, statuses[key], new) for key, new in post.changes)
            for key, new in post.changes:
                statuses[key] = new
            at = self._clock.event(post.step, page.lag)
            timeline.append(_Applied(story, post, at, transitions))
        return timeline

    def _sp_page(self, page: _Page, applied: list[_Applied]) -> dict[str, Any]:
        baseline = self.start - timedelta(hours=3, minutes=17, seconds=42)
        updated = max([baseline, *(a.at for a in applied)])
        return {
            "id": self._token(page.source_id, "page"),
            "name": page.name,
            "url": f"https://{page.host}",
            "time_zone": "Etc/UTC",
            "updated_at": _iso_ms(updated),
        }

    def _component_id(self, page: _Page, key: str) -> str:
        return self._token(page.source_id, "component", key)

    def _group_of(self, page: _Page, key: str) -> tuple[str, str] | None:
        for group_key, name, children in page.groups:
            if key in children:
                return group_key, name
        return None

    def _sp_component(
        self, page: _Page, key: str, name: str, status: str, updated: datetime | None
    ) -> dict[str, Any]:
        group = self._group_of(page, key)
        keys = [k for k, _ in page.components]
        created = self.start - timedelta(days=731)
        return {
            "id": self._component_id(page, key),
            "name": name,
            "status": status,
            "created_at": _iso_ms(created),
            "updated_at": _iso_ms(updated or created + timedelta(days=30)),
            "position": keys.index(key) + 1 if key in keys else 0,
            "description": None,
            "showcase": group is None,
            "start_date": None,
            "group_id": self._component_id(page, group[0]) if group else None,
            "page_id": self._token(page.source_id, "page"),
            "group": False,
            "only_show_if_degraded": False,
        }

    def _sp_components(
        self, page: _Page, statuses: dict[str, str], changed: dict[str, datetime]
    ) -> list[dict[str, Any]]:
        names = dict(page.components)
        rows: list[dict[str, Any]] = []
        grouped = {k for _, _, children in page.groups for k in children}
        for key, name in page.components:
            if key not in grouped:
                rows.append(self._sp_component(page, key, name, statuses[key], changed.get(key)))
        for position, (group_key, group_name, children) in enumerate(page.groups, 1):
            child_rows = [
                self._sp_component(page, k, names[k], statuses[k], changed.get(k)) for k in children
            ]
            worst = max((r["status"] for r in child_rows), key=_STATUSPAGE_INDICATOR.__getitem__)
            touched = [changed[k] for k in children if k in changed]
            group_row = self._sp_component(
                page, group_key, group_name, worst, max(touched, default=None)
            )
            group_row.update(
                position=100 + position,
                showcase=False,
                group_id=None,
                group=True,
                components=[self._component_id(page, k) for k in children],
            )
            rows.append(group_row)
            rows += child_rows
        return rows

    def _prefixed_name(self, page: _Page, key: str) -> str:
        """How affected_components spell a grouped component: "<group> - <name>"."""
        name = dict(page.components)[key]
        group = self._group_of(page, key)
        return f"{group[1]} - {name}" if group else name

    def _sp_incidents(
        self, page: _Page, applied: list[_Applied], statuses: dict[str, str]
    ) -> list[dict[str, Any]]:
        incidents = []
        for story in page.stories:
            mine = [a for a in applied if a.story is story]
            if mine:
                incidents.append(self._sp_incident(page, story, mine, statuses))
        incidents.sort(key=lambda i: str(i["created_at"]), reverse=True)
        return incidents

    def _sp_incident(
        self, page: _Page, story: _Story, mine: list[_Applied], statuses: dict[str, str]
    ) -> dict[str, Any]:
        incident_id = self._token(page.source_id, "incident", story.key)
        impact = next(a.post.impact for a in reversed(mine) if a.post.impact is not None)
        status = mine[-1].post.status
        touched = list(dict.fromkeys(k for a in mine for k, _ in a.post.changes))
        names = dict(page.components)
        monitoring = next((a.at for a in mine if a.post.status == "monitoring"), None)
        resolved = next((a.at for a in mine if a.post.status == "resolved"), None)
        return {
            "id": incident_id,
            "name": story.name,
            "status": status,
            "created_at": _iso_ms(mine[0].at),
            "updated_at": _iso_ms(mine[-1].at),
            "monitoring_at": _iso_ms(monitoring) if monitoring else None,
            "resolved_at": _iso_ms(resolved) if resolved else None,
            "impact": impact,
            "shortlink": f"https://{page.host}/incidents/{incident_id}",
            "started_at": _iso_ms(mine[0].at),
            "page_id": self._token(page.source_id, "page"),
            "incident_updates": [
                self._sp_update(page, incident_id, index, a)
                for index, a in reversed(list(enumerate(mine)))
            ],
            "components": [
                self._sp_component(page, k, names[k], statuses[k], None) for k in touched
            ],
            "reminder_intervals": None,
        }

    def _sp_update(
        self, page: _Page, incident_id: str, index: int, applied: _Applied
    ) -> dict[str, Any]:
        affected = [
            {
                "code": self._component_id(page, key),
                "name": self._prefixed_name(page, key),
                "old_status": old,
                "new_status": new,
            }
            for key, old, new in applied.transitions
        ]
        stamp = _iso_ms(applied.at)
        return {
            "id": self._token(incident_id, "update", str(index)),
            "status": applied.post.status,
            "body": applied.post.body,
            "incident_id": incident_id,
            "created_at": stamp,
            "updated_at": stamp,
            "display_at": stamp,
            "affected_components": affected or None,
            "deliver_notifications": True,
            "custom_tweet": None,
            "tweet_id": None,
        }

    def _sp_past(self, page: _Page, past: _Past) -> dict[str, Any]:
        incident_id = self._token(page.source_id, "incident", past.key)
        began = self.start - timedelta(days=past.days_ago)
        ended = began + timedelta(minutes=past.minutes)
        code = self._component_id(page, past.component)
        name = self._prefixed_name(page, past.component)
        updates = []
        for index, (status, body, at, old, new) in enumerate(
            (
                ("investigating", past.first, began, "operational", "degraded_performance"),
                ("resolved", past.last, ended, "degraded_performance", "operational"),
            )
        ):
            updates.append(
                {
                    "id": self._token(incident_id, "update", str(index)),
                    "status": status,
                    "body": body,
                    "incident_id": incident_id,
                    "created_at": _iso_ms(at),
                    "updated_at": _iso_ms(at),
                    "display_at": _iso_ms(at),
                    "affected_components": [
                        {"code": code, "name": name, "old_status": old, "new_status": new}
                    ],
                    "deliver_notifications": True,
                    "custom_tweet": None,
                    "tweet_id": None,
                }
            )
        component = self._sp_component(
            page, past.component, dict(page.components)[past.component], "operational", None
        )
        return {
            "id": incident_id,
            "name": past.name,
            "status": "resolved",
            "created_at": _iso_ms(began),
            "updated_at": _iso_ms(ended),
            "monitoring_at": None,
            "resolved_at": _iso_ms(ended),
            "impact": past.impact,
            "shortlink": f"https://{page.host}/incidents/{incident_id}",
            "started_at": _iso_ms(began),
            "page_id": self._token(page.source_id, "page"),
            "incident_updates": list(reversed(updates)),
            "components": [component],
            "reminder_intervals": None,
        }

    def _sp_maintenances(self, page: _Page) -> list[dict[str, Any]]:
        plan = page.maintenance
        if plan is None:
            return []
        maintenance_id = self._token(page.source_id, "maintenance", plan.key)
        day = (self.start + timedelta(days=plan.days_ahead)).date()
        begins = datetime(day.year, day.month, day.day, 2, tzinfo=UTC)
        created = self.start - timedelta(days=5, hours=2, minutes=11)
        stamp = _iso_ms(created)
        name = dict(page.components)[plan.component]
        return [
            {
                "id": maintenance_id,
                "name": plan.name,
                "status": "scheduled",
                "created_at": stamp,
                "updated_at": stamp,
                "monitoring_at": None,
                "resolved_at": None,
                "impact": "maintenance",
                "shortlink": f"https://{page.host}/incidents/{maintenance_id}",
                "started_at": stamp,
                "page_id": self._token(page.source_id, "page"),
                "incident_updates": [
                    {
                        "id": self._token(maintenance_id, "update", "0"),
                        "status": "scheduled",
                        "body": plan.body,
                        "incident_id": maintenance_id,
                        "created_at": stamp,
                        "updated_at": stamp,
                        "display_at": stamp,
                        "affected_components": [
                            {
                                "code": self._component_id(page, plan.component),
                                "name": self._prefixed_name(page, plan.component),
                                "old_status": "operational",
                                "new_status": "operational",
                            }
                        ],
                        "deliver_notifications": True,
                        "custom_tweet": None,
                        "tweet_id": None,
                    }
                ],
                "components": [self._sp_component(page, plan.component, name, "operational", None)],
                "scheduled_for": _iso_ms(begins),
                "scheduled_until": _iso_ms(begins + timedelta(hours=plan.hours)),
            }
        ]

    # --- AWS Health currentevents ---------------------------------------------------------------

    def _aws(self, step: int) -> Payload:
        posts = [p for p in _AWS_POSTS if p.step <= step]
        events = [self._aws_event(posts)] if posts and step < _AWS_DROPPED_AT else []
        text = json.dumps(events, ensure_ascii=False, separators=(",", ":"))
        return Payload(b"\xfe\xff" + text.encode("utf-16-be"), _AWS_JSON)

    def _aws_event(self, posts: list[_AwsPost]) -> dict[str, Any]:
        times = [self._clock.event(p.step, 0.7) for p in posts]
        current: dict[str, str] = {}
        worst: dict[str, str] = {}
        changes = []
        for post, at in zip(posts, times, strict=True):
            for slug, new in post.services:
                old = current.get(slug, "0")
                current[slug] = new
                worst[slug] = max(worst.get(slug, "0"), new)
                changes.append(
                    {
                        "service": f"{slug}-{_AWS_REGION}",
                        "service_name": _AWS_SERVICES[slug],
                        "previous_status": old,
                        "current_status": new,
                        "timestamp": int(at.timestamp()) * 1000,
                    }
                )
        token = self._token("demo-aws", "event", length=16).upper()
        event: dict[str, Any] = {
            "date": str(int(times[0].timestamp())),
            "arn": f"arn:aws:health:{_AWS_REGION}::event/MULTIPLE_SERVICES/"
            f"AWS_MULTIPLE_SERVICES_OPERATIONAL_ISSUE/AWS_MULTIPLE_SERVICES_OPERATIONAL_ISSUE_"
            f"DEMO_{token}",
            "region_name": "Oregon",
            "status": str(posts[-1].status),
            "service": f"multipleservices-{_AWS_REGION}",
            "service_name": "Multiple services",
            "summary": "Increased Error Rates and Latencies",
        }
        if posts[-1].status == 0:
            event["end_time"] = str(int(times[-1].timestamp()))
        event["event_log"] = [
            {
                "summary": post.summary,
                "message": self._aws_message(post.step, times[0], at),
                "status": post.status,
                "timestamp": int(at.timestamp()),
            }
            for post, at in zip(posts, times, strict=True)
        ]
        event["impacted_services"] = {
            f"{slug}-{_AWS_REGION}": {
                "service_name": _AWS_SERVICES[slug],
                "current": status,
                "max": worst[slug],
            }
            for slug, status in current.items()
        }
        event["impacted_service_status_changes"] = changes
        return event

    def _aws_message(self, step: int, began: datetime, at: datetime) -> str:
        zone = "a single Availability Zone (usw2-az2) in the US-WEST-2 Region"
        messages = {
            1: f"We are investigating increased error rates and latencies for instances and "
            f"volumes in {zone}.",
            2: f"We can confirm a loss of power within a single data center within {zone}. "
            "This is affecting availability and connectivity to instances and volumes in the "
            "affected data center. Other Availability Zones in the US-WEST-2 Region are not "
            "affected. Load balancers, managed databases and functions in the Region may see "
            "elevated error rates while we shift traffic away from the affected zone.",
            4: "Utility power has been partially restored to the affected data center and we "
            "are bringing the remaining power distribution back online. Customers can launch "
            "replacement instances in unaffected Availability Zones.",
            6: "Power has been restored to the affected data center. Instances and volumes are "
            "recovering; load balancers and functions are operating normally.",
            8: "The vast majority of affected instances and volumes have recovered. We are "
            "working to recover a small number of volumes that remain degraded.",
            10: f"Between {_hm(began)} and {_hm(at)}, we experienced increased error rates and "
            f"latencies for instances and volumes in {zone}, caused by a loss of power in a "
            "single data center. The issue has been resolved and the services are operating "
            "normally.",
        }
        return messages[step]

    # --- Google Cloud incidents.json --------------------------------------------------------------

    def _gcp(self, step: int) -> Payload:
        incidents = [self._gcp_past_storage(), self._gcp_past_k8s()]
        posts = [p for p in _GCP_POSTS if p.step <= step]
        if posts:
            incidents.insert(0, self._gcp_incident(posts))
        return Payload(_json(incidents), _JSON)

    def _gcp_incident(self, posts: list[_GcpPost]) -> dict[str, Any]:
        incident_id = self._token("demo-gcp", "incident", "usw1-power", length=20, upper=True)
        began = self._clock.event(1, 0.9)
        times = [self._clock.event(p.step, 0.45) for p in posts]
        closed = posts[-1].kind == "resolved"
        products = list(_GCP_PRODUCTS)
        if any(p.kind == "escalate" for p in posts):
            products.append(_GCP_SQL)
        updates = [
            self._gcp_update(at, p.status, self._gcp_text(p.kind, began, at, products))
            for p, at in zip(posts, times, strict=True)
        ]
        updates.reverse()
        worst = "SERVICE_OUTAGE" if len(products) > len(_GCP_PRODUCTS) else "SERVICE_DISRUPTION"
        incident: dict[str, Any] = {
            "id": incident_id,
            "number": str(int(self._token("demo-gcp", "number", length=12), 36))[:19],
            "begin": _iso_offset(began),
            "created": _iso_offset(times[0]),
        }
        if closed:
            incident["end"] = _iso_offset(times[-1])
        incident.update(
            {
                "modified": _iso_offset(times[-1] + timedelta(seconds=1)),
                "external_desc": "Multiple Demo Cloud products are experiencing elevated error "
                "rates and VM terminations in us-west1",
                "updates": updates,
                "most_recent_update": updates[0],
                "status_impact": worst,
                "severity": "high" if worst == "SERVICE_OUTAGE" else "medium",
                "service_key": "zall",
                "service_name": "Multiple Products",
                "affected_products": [{"title": t, "id": i} for i, t in products],
                "uri": f"https://status.demo-gcp.example/incidents/{incident_id}",
                "currently_affected_locations": [] if closed else [dict(_GCP_LOCATION)],
                "previously_affected_locations": [dict(_GCP_LOCATION)] if closed else [],
            }
        )
        return incident

    @staticmethod
    def _gcp_update(at: datetime, status: str, text: str) -> dict[str, Any]:
        return {
            "created": _iso_offset(at),
            "modified": _iso_offset(at + timedelta(seconds=1)),
            "when": _iso_offset(at),
            "text": text,
            "status": status,
            "affected_locations": [dict(_GCP_LOCATION)],
        }

    @staticmethod
    def _gcp_text(kind: str, began: datetime, at: datetime, products: list[tuple[str, str]]) -> str:
        names = ", ".join(t for _, t in products[:-1]) + f" and {products[-1][1]}"
        next_update = _hm(at + timedelta(minutes=30))
        if kind == "open":
            return (
                f"Summary: Multiple products impacted in us-west1\n"
                f"Description: We are experiencing an issue with {names} beginning at "
                f"{_long_date(began)} {_hm(began)}.\n"
                "Our engineering team continues to investigate the issue.\n"
                f"We will provide an update by {next_update} with current details.\n"
                "Diagnosis: Customers may see VM terminations, failed disk attachments and "
                "unavailable nodes in zone us-west1-b.\n"
                "Workaround: Fail over workloads to us-west1-a, us-west1-c or another region."
            )
        if kind == "escalate":
            return (
                "Summary: Power event in us-west1-b impacting multiple products\n"
                "Description: The issue is caused by a power event in a facility that hosts "
                f"zone us-west1-b. {names} are affected. Mitigation work is in progress.\n"
                f"We will provide an update by {next_update} with current details.\n"
                "Diagnosis: Instances in us-west1-b were terminated; regional \\#Cloud SQL "
                "instances may fail over.\n"
                "Workaround: Use us-west1-a or us-west1-c for new instances."
            )
        if kind == "mitigated":
            return (
                "Power has been restored in us-west1-b and the majority of affected resources "
                "have recovered. We will continue to monitor until all resources are healthy.\n"
                f"We will provide an update by {next_update} with current details."
            )
        return (
            f"The issue with {names} has been resolved for all affected users as of "
            f"{_long_date(at)} {_hm(at)}.\n"
            "We thank you for your patience while we worked on resolving the issue."
        )

    def _gcp_past(
        self,
        key: str,
        days_ago: float,
        minutes: int,
        product: tuple[str, str],
        location: dict[str, str],
        desc: str,
        first: str,
    ) -> dict[str, Any]:
        incident_id = self._token("demo-gcp", "incident", key, length=20, upper=True)
        began = self.start - timedelta(days=days_ago)
        ended = began + timedelta(minutes=minutes)
        resolved_text = (
            f"The issue with {product[1]} has been resolved for all affected users as of "
            f"{_long_date(ended)} {_hm(ended)}.\n"
            "We thank you for your patience while we worked on resolving the issue."
        )
        first_update = self._gcp_update(began, "SERVICE_INFORMATION", first)
        last_update = self._gcp_update(ended, "AVAILABLE", resolved_text)
        for update in (first_update, last_update):
            update["affected_locations"] = [dict(location)]
        return {
            "id": incident_id,
            "number": str(int(self._token("demo-gcp", "number", key, length=12), 36))[:19],
            "begin": _iso_offset(began),
            "created": _iso_offset(began + timedelta(minutes=4)),
            "end": _iso_offset(ended),
            "modified": _iso_offset(ended + timedelta(seconds=1)),
            "external_desc": desc,
            "updates": [last_update, first_update],
            "most_recent_update": last_update,
            "status_impact": "SERVICE_INFORMATION",
            "severity": "low",
            "service_key": product[0],
            "service_name": product[1],
            "affected_products": [{"title": product[1], "id": product[0]}],
            "uri": f"https://status.demo-gcp.example/incidents/{incident_id}",
            "currently_affected_locations": [],
            "previously_affected_locations": [dict(location)],
        }

    def _gcp_past_storage(self) -> dict[str, Any]:
        return self._gcp_past(
            "ew1-storage",
            3.4,
            47,
            ("demo-storage", "Demo Cloud Storage"),
            {"title": "Belgium (europe-west1)", "id": "europe-west1"},
            "Elevated latency for Demo Cloud Storage requests in europe-west1",
            "Summary: Elevated latency for Demo Cloud Storage requests in europe-west1\n"
            "Description: Mitigation work is currently underway by our engineering team.",
        )

    def _gcp_past_k8s(self) -> dict[str, Any]:
        return self._gcp_past(
            "ae1-k8s",
            11.8,
            130,
            ("demo-k8s", "Demo Kubernetes Engine"),
            {"title": "Taiwan (asia-east1)", "id": "asia-east1"},
            "Demo Kubernetes Engine control plane upgrades failing in asia-east1",
            "Summary: Control plane upgrades failing in asia-east1\n"
            "Description: Clusters continue to serve traffic; upgrades are paused.",
        )

    # --- Azure status RSS -----------------------------------------------------------------------

    def _azure(self, step: int) -> Payload:
        if step >= _AZURE_CLEAR:
            built = self._clock.event(_AZURE_CLEAR, 0.3)
            items = ""
        elif step >= _AZURE_OPEN:
            built = self._clock.event(_AZURE_UPDATE if step >= _AZURE_UPDATE else _AZURE_OPEN, 0.3)
            items = self._azure_item(step)
        else:
            built = self.start - timedelta(hours=2, minutes=6, seconds=13)
            items = ""
        body = (
            '<?xml version="1.0" encoding="utf-8"?>\n'
            '<rss xmlns:a10="http://www.w3.org/2005/Atom"\n  version="2.0">\n'
            '  <channel xmlns:slash="http://purl.org/rss/1.0/modules/slash/" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
            'xmlns:wfw="http://wellformedweb.org/CommentAPI/" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/">\n'
            "    <title>Demo Azure-style Status (demo)</title>\n"
            "    <link>https://status.demo-azure.example/en-us/status/</link>\n"
            "    <description>Demo Azure-style Status (demo)</description>\n"
            "    <language>en-us</language>\n"
            f"    <lastBuildDate>{_rfc822(built, 'Z')}</lastBuildDate>\n"
            f"{items}"
            "  </channel>\n"
            "</rss>"
        )
        return Payload(body.encode("utf-8"), _RSS)

    def _azure_item(self, step: int) -> str:
        opened = self._clock.event(_AZURE_OPEN, 0.3)
        services = ["Demo Virtual Machines", "Demo Storage"]
        paragraphs = [
            f"Starting at {_hm(opened)} on {_long_date(opened)}, a subset of customers "
            "with resources in West US 2 may experience connectivity failures, increased "
            "latency or unavailable virtual machines. We have identified a power event "
            "affecting a single datacenter in one Availability Zone.",
        ]
        if step >= _AZURE_UPDATE:
            services += ["Demo SQL Database", "Demo App Service"]
            paragraphs.append(
                "Power restoration is in progress and we are seeing early signs of recovery. "
                "Customers can fail over to other Availability Zones; see "
                '<a href="https://status.demo-azure.example/en-us/status/">the status page</a>'
                "&nbsp;for updates."
            )
        description = "".join(f"<p>{p}</p>" for p in paragraphs)
        categories = "".join(
            f"      <category>{escape(c)}</category>\n" for c in [*services, "West US 2"]
        )
        return (
            "    <item>\n"
            '      <guid\n        isPermaLink="false">'
            "power-event-impacting-multiple-services-in-west-us-2</guid>\n"
            "      <link>https://status.demo-azure.example/en-us/status/</link>\n"
            f"{categories}"
            # Azure leaves a trailing space in titles and never moves pubDate on updates.
            "      <title>Power event impacting multiple services in West US 2 </title>\n"
            f"      <description>{escape(description)}</description>\n"
            f"      <pubDate>{_rfc822(opened, 'Z')}</pubDate>\n"
            "    </item>\n"
        )

    # --- Slack status API -----------------------------------------------------------------------

    def _slack_current(self) -> Payload:
        created = (self.start - timedelta(days=2, hours=5, minutes=3)).astimezone(_PACIFIC)
        updated = (self.start - timedelta(days=2, hours=3, minutes=48)).astimezone(_PACIFIC)
        body = {
            "status": "ok",
            "date_created": created.isoformat(),
            "date_updated": updated.isoformat(),
            "active_incidents": [],
        }
        return Payload(_json(body), _JSON)

    def _slack_history(self) -> Payload:
        began = (self.start - timedelta(days=2, hours=5, minutes=3)).astimezone(_PACIFIC)
        ended = (self.start - timedelta(days=2, hours=3, minutes=48)).astimezone(_PACIFIC)
        incident_id = int(self._token("demo-chat", "incident", length=4), 36) % 9000 + 1000
        body = [
            {
                "id": incident_id,
                "date_created": began.isoformat(),
                "date_updated": ended.isoformat(),
                "title": "Some users may see delays when loading threads",
                "type": "incident",
                "status": "resolved",
                "url": f"https://status.demo-chat.example/incidents/{incident_id}",
                "services": ["Messaging", "Apps/Integrations/APIs"],
                "notes": [
                    {
                        "date_created": ended.isoformat(),
                        "body": "Threads are loading normally again. Thanks for bearing with us.",
                    },
                    {
                        "date_created": began.isoformat(),
                        "body": "Some users may see delays when opening threads. We're on it.",
                    },
                ],
            }
        ]
        return Payload(_json(body), _JSON)

    # --- Demo Deploy: Statuspage-style history.rss, sometimes broken ----------------------------

    def _deploy(self, step: int) -> Payload:
        fault = _DEPLOY_FAULTS.get(step)
        if fault == "503":
            return Payload(_HTML_503, _HTML, status=503, fault=True)
        if fault == "challenge":
            return Payload(_HTML_CHALLENGE, _HTML, fault=True)
        items = [self._deploy_past_maintenance(), self._deploy_past_incident()]
        posts = [p for p in _DEPLOY_POSTS if p[0] <= step]
        newest = self.start - timedelta(days=4, hours=7)
        if posts:
            times = [self._clock.event(p[0], 0.4) for p in posts]
            newest = times[-1]
            paragraphs = [
                (at, label, text) for (_, label, text), at in zip(posts, times, strict=True)
            ]
            items.insert(0, self._deploy_item("usw-deploys", _DEPLOY_TITLE, paragraphs))
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">\n'
            "  <channel>\n"
            "    <title>Demo Deploy (demo) Status - Incident History</title>\n"
            "    <link>https://status.demo-deploy.example</link>\n"
            "    <description>Statuspage</description>\n"
            f"    <pubDate>{_rfc822(newest, '+0000')}</pubDate>\n"
            f"{''.join(items)}"
            "  </channel>\n"
            "</rss>\n"
        )
        return Payload(body.encode("utf-8"), _RSS)

    def _deploy_item(
        self, key: str, title: str, paragraphs: Iterable[tuple[datetime, str, str]]
    ) -> str:
        ordered = sorted(paragraphs, key=lambda p: p[0], reverse=True)
        html = "".join(
            f"<p><small>{_MONTHS[at.month - 1]} <var data-var='date'>{at.day:>2}</var>, "
            f"<var data-var='time'>{at:%H:%M}</var> UTC</small><br><strong>{label}</strong> - "
            f"{escape(text)}</p>"
            for at, label, text in ordered
        )
        link = f"https://status.demo-deploy.example/incidents/{self._token('demo-deploy', key)}"
        return (
            "    <item>\n"
            f"      <title>{escape(title)}</title>\n"
            f"      <description>\n{escape(html)}      </description>\n"
            f"      <pubDate>{_rfc822(ordered[0][0], '+0000')}</pubDate>\n"
            f"      <link>{link}</link>\n"
            f"      <guid>{link}</guid>\n"
            "    </item>\n"
        )

    def _deploy_past_incident(self) -> str:
        began = self.start - timedelta(days=9, hours=2, minutes=14)
        return self._deploy_item(
            "build-logs",
            "Delayed build logs",
            (
                (began, "Investigating", "Build logs are appearing with a delay of a few minutes."),
                (
                    began + timedelta(minutes=41),
                    "Resolved",
                    "Build logs are streaming in real time again.",
                ),
            ),
        )

    def _deploy_past_maintenance(self) -> str:
        began = self.start - timedelta(days=4, hours=9)
        return self._deploy_item(
            "db-maintenance",
            "Scheduled database maintenance",
            (
                (
                    began - timedelta(days=2),
                    "Scheduled",
                    "We will upgrade the database behind the dashboard. Deploys are unaffected.",
                ),
                (began, "In progress", "Scheduled maintenance is currently in progress."),
                (
                    began + timedelta(hours=2),
                    "Completed",
                    "The scheduled maintenance has been completed.",
                ),
            ),
        )


_DEPLOY_TITLE = "Deploys failing for apps in US West"


def _sp_status(statuses: Iterable[str], impacts: list[str]) -> dict[str, str]:
    level = max(
        [
            0,
            *(_STATUSPAGE_INDICATOR.get(s, 0) for s in statuses),
            *(_IMPACT_LEVEL[i] for i in impacts),
        ]
    )
    indicator, description = _INDICATORS[level]
    return {"indicator": indicator, "description": description}


def _probe_payload(probe: DemoProbe, step: int) -> Payload:
    if step in probe.failing:
        return Payload(_PROBE_ERROR, _TEXT, status=500, fault=True)
    return Payload(_PROBE_OK, _TEXT)


def _probe_toml(probe: DemoProbe, base_url: str) -> list[str]:
    lines = [
        "[[probes]]",
        f"id = {_toml_str(probe.id)}",
        'type = "http"',
        f"target = {_toml_str(base_url.rstrip('/') + probe.path)}",
        f"provider = {_toml_str(probe.provider)}",
    ]
    if probe.service is not None:
        lines.append(f"service = {_toml_str(probe.service)}")
    if probe.region is not None:
        lines.append(f"region = {_toml_str(probe.region)}")
    return [
        *lines,
        f"interval = {_PROBE_INTERVAL}",
        f"timeout = {_PROBE_TIMEOUT}",
        f"down_after = {probe.down_after}",
        f"up_after = {probe.up_after}",
    ]


def _toml_str(value: str) -> str:
    # JSON's escapes (\", \\, \uXXXX, \n …) are all valid in a TOML basic string.
    return json.dumps(value, ensure_ascii=True)
