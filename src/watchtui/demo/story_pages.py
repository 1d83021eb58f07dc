"""The Statuspage-style pages of the demo (Demo Git, Demo Edge, Demo Pay): their components and
the incidents they post, step by step, plus a little resolved history and a planned maintenance."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Post:
    """One incident update: posted at ``step``, moving the listed components."""

    step: int
    status: str
    body: str
    changes: tuple[tuple[str, str], ...] = ()
    impact: str | None = None


@dataclass(frozen=True, slots=True)
class Story:
    key: str
    name: str
    posts: tuple[Post, ...]


@dataclass(frozen=True, slots=True)
class PastIncident:
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
class Maintenance:
    """A maintenance planned for after the demo: listed, never started."""

    key: str
    name: str
    component: str
    days_ahead: int
    hours: int
    body: str


@dataclass(frozen=True, slots=True)
class Page:
    source_id: str
    name: str
    host: str
    # How far before its step a post is dated, as a share of a step: pages differ, so their
    # updates do not all land on the same second.
    lag: float
    # (key, name); keys are what posts and groups refer to.
    components: tuple[tuple[str, str], ...]
    # (key, name, member keys): a Statuspage component group.
    groups: tuple[tuple[str, str, tuple[str, ...]], ...] = ()
    stories: tuple[Story, ...] = ()
    past: tuple[PastIncident, ...] = ()
    maintenance: Maintenance | None = None


GIT = Page(
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
        Story(
            "actions-usw",
            "Degraded performance for Actions and Git Operations",
            (
                Post(
                    3,
                    "investigating",
                    "We are investigating reports of degraded performance for Actions and "
                    "Git Operations.",
                    (("actions", "degraded_performance"), ("git", "degraded_performance")),
                    impact="minor",
                ),
                Post(
                    5,
                    "identified",
                    "<p>We have identified the cause as a power event at one of our upstream "
                    "cloud providers in the US West region. Jobs queued for <strong>Linux "
                    "runners in US West</strong> are delayed while we drain traffic to other "
                    "regions.</p><p>Git pushes may fail intermittently; retrying succeeds.</p>",
                    (("actions", "partial_outage"), ("codespaces", "degraded_performance")),
                    impact="major",
                ),
                Post(
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
                Post(
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
        PastIncident(
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
EDGE = Page(
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
        Story(
            "pdx-power",
            "Elevated errors and latency in Portland (PDX)",
            (
                Post(
                    2,
                    "investigating",
                    "We are investigating elevated 5xx errors and connection timeouts for "
                    "requests served from our Portland (PDX) data center.",
                    (("pdx", "partial_outage"),),
                    impact="minor",
                ),
                Post(
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
                Post(
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
                Post(
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
        PastIncident(
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
    maintenance=Maintenance(
        "fra-upgrade",
        "FRA (Frankfurt) datacenter network upgrade",
        "fra",
        days_ahead=2,
        hours=3,
        body="We will upgrade network hardware in our Frankfurt (FRA) data center. Traffic will "
        "be re-routed to nearby data centers during the window; no impact is expected.",
    ),
)

PAY = Page(
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
        Story(
            "card-declines",
            "Elevated card declines for merchants in US West",
            (
                Post(
                    4,
                    "investigating",
                    "We are seeing an elevated rate of card authorisation failures for merchants "
                    "processed through our US West data centre. Other regions are unaffected.",
                    (("cards", "partial_outage"), ("checkout", "degraded_performance")),
                    impact="major",
                ),
                Post(
                    6,
                    "identified",
                    "The failures are caused by lost connectivity between our US West processing "
                    "cluster and a database replica hosted with an upstream cloud provider that "
                    "is having a regional outage. We are failing over to US East.<br><br>"
                    "Retried payments are <em>not</em> charged twice.",
                    (("webhooks", "degraded_performance"),),
                ),
                Post(
                    9,
                    "monitoring",
                    "Failover to US East is complete and authorisation rates are back to normal. "
                    "Webhook deliveries delayed during the incident are being retried.",
                    (("cards", "operational"), ("checkout", "operational")),
                ),
                Post(
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
        PastIncident(
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

PAGES: dict[str, Page] = {p.source_id: p for p in (GIT, EDGE, PAY)}
