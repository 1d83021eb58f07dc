"""``Scenario``: the demo story played from a start time, as every response at every step."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime

from watchtui.demo.clock import StoryClock
from watchtui.demo.encode_clouds import aws_payload, azure_payload, gcp_payload
from watchtui.demo.encode_feeds import deploy_payload, slack_current_payload, slack_history_payload
from watchtui.demo.encode_statuspage import statuspage_payloads
from watchtui.demo.probes import DEMO_PROBES, probe_payload
from watchtui.demo.story import CAPTIONS, SOURCE_BY_ID, STEPS
from watchtui.demo.story_pages import PAGES
from watchtui.demo.wire import Payload


@dataclass
class Scenario:
    """The demo timeline.  ``payloads(step)`` is every path the demo server serves at ``step``:
    a function of ``start``, ``step_seconds`` and ``step`` only."""

    start: datetime
    # Seconds of scenario time per step; a float so a fast demo can use sub-minute steps.
    step_seconds: float = 60
    steps: int = field(default=STEPS, init=False)
    _clock: StoryClock = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.start.utcoffset() is None:
            raise ValueError("start must be timezone-aware")
        if not (math.isfinite(self.step_seconds) and self.step_seconds > 0):
            raise ValueError("step_seconds must be a positive number")
        self.start = self.start.astimezone(UTC).replace(microsecond=0)
        self._clock = StoryClock(self.start, self.step_seconds)

    def at(self, step: int) -> datetime:
        """The wall-clock moment of ``step`` in the scenario."""
        self._check(step)
        return self._clock.at(step)

    def caption(self, step: int) -> str:
        self._check(step)
        return CAPTIONS[step]

    def payloads(self, step: int) -> dict[str, Payload]:
        self._check(step)
        clock = self._clock
        out: dict[str, Payload] = {
            SOURCE_BY_ID["demo-aws"].path: aws_payload(clock, step),
            SOURCE_BY_ID["demo-gcp"].path: gcp_payload(clock, step),
            SOURCE_BY_ID["demo-azure"].path: azure_payload(clock, step),
        }
        for page in PAGES.values():
            source = SOURCE_BY_ID[page.source_id]
            summary, history = statuspage_payloads(clock, page, step)
            out[source.path] = summary
            if source.history_path is not None:
                out[source.history_path] = history
        chat = SOURCE_BY_ID["demo-chat"]
        out[chat.path] = slack_current_payload(clock)
        if chat.history_path is not None:
            out[chat.history_path] = slack_history_payload(clock)
        out[SOURCE_BY_ID["demo-deploy"].path] = deploy_payload(clock, step)
        for probe in DEMO_PROBES:
            out[probe.path] = probe_payload(probe, step)
        return out

    def _check(self, step: int) -> None:
        if not 0 <= step < self.steps:
            raise ValueError(f"step must be in 0..{self.steps - 1}, got {step}")
