"""The user's own probes in the demo config, and what the demo server answers them."""

from __future__ import annotations

from dataclasses import dataclass

from watchtui.demo.wire import TEXT, Payload


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
PROBE_INTERVAL = 15
PROBE_TIMEOUT = 3
_PROBE_OK = b"ok\n"
_PROBE_ERROR = b"upstream connect error or disconnect/reset before headers\n"


def probe_payload(probe: DemoProbe, step: int) -> Payload:
    if step in probe.failing:
        return Payload(_PROBE_ERROR, TEXT, status=500, fault=True)
    return Payload(_PROBE_OK, TEXT)
