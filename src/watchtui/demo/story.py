"""The demo's cast and script: its sources (all fictional, on reserved ``.example`` names), how
many steps the story has, and what happens at each one."""

from __future__ import annotations

from dataclasses import dataclass

STEPS = 16
# The step with the most open incidents; the screenshots are taken here.
PEAK_STEP = 5


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

SOURCE_BY_ID = {s.id: s for s in DEMO_SOURCES}


# One line per step: what the story is doing, for whoever narrates the demo.
CAPTIONS: tuple[str, ...] = (
    "All quiet: every demo source reports normal operation; your three probes are up.",
    "Demo AWS-style Cloud: error rates rise in us-west-2 (Oregon).  Your probe of Demo Pay's card "
    "payments in US West starts failing while Demo Pay still reports operational.",
    "Power loss confirmed in one us-west-2 zone; the GCP-style cloud opens an incident for "
    "us-west1; Demo Edge's Portland colo degrades, yet your probe through PDX stays up.",
    "The Azure-style feed lists West US 2; Demo Git's Actions slow down; Demo Deploy's status "
    "feed answers 503.",
    "Demo Pay sees card declines and now agrees with your probe; Demo Edge reroutes PDX; "
    "Demo Deploy's feed is back with an incident.",
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
