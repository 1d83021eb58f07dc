"""The demo's configuration: every demo source and probe, pointed at the demo server.

Built as the mapping a ``config.toml`` would parse to and validated by the real config parser, so
the demo exercises the same rules (ids, intervals, probe references) as a user's file.
"""

from __future__ import annotations

from typing import Any

from watchtui.config import MIN_INTERVAL, Config, parse_config
from watchtui.demo.probes import DEMO_PROBES, PROBE_INTERVAL, PROBE_TIMEOUT, DemoProbe
from watchtui.demo.story import DEMO_SOURCES

# The demo's steps are seconds apart: poll as often as any config may.
_SOURCE_INTERVAL = MIN_INTERVAL


def demo_config(base_url: str) -> Config:
    """Only the demo's sources (no catalog providers) and probes, served from ``base_url``."""
    raw: dict[str, Any] = {
        "watch": {"providers": []},
        "sources": [
            {
                "id": source.id,
                "kind": source.kind,
                "url": source.config_url(base_url),
                "name": source.name,
                "interval": _SOURCE_INTERVAL,
            }
            for source in DEMO_SOURCES
        ],
        "probes": [_probe(probe, base_url) for probe in DEMO_PROBES],
    }
    return parse_config(raw)


def _probe(probe: DemoProbe, base_url: str) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "id": probe.id,
        "type": "http",
        "target": base_url.rstrip("/") + probe.path,
        "provider": probe.provider,
        "interval": PROBE_INTERVAL,
        "timeout": PROBE_TIMEOUT,
        "down_after": probe.down_after,
        "up_after": probe.up_after,
    }
    # Left out rather than None: None is not what a TOML file could say.
    if probe.service is not None:
        raw["service"] = probe.service
    if probe.region is not None:
        raw["region"] = probe.region
    return raw
