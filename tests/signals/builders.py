"""Probes, their states and stored provider records, as the signals tests build them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from watchtui.domain.model import Component, Incident
from watchtui.probes import ProbeSpec, ProbeState
from watchtui.store import StoredComponent, StoredIncident

T0 = datetime(2024, 5, 1, 8, 2, tzinfo=UTC)
MIN = timedelta(minutes=1)
NOW = T0 + 6 * MIN
KINDS = {"azure": "azure", "github": "statuspage", "aws": "aws", "gcp": "gcp"}
NAMES = {"azure": "Azure", "github": "GitHub", "aws": "AWS", "gcp": "Google Cloud"}


def probe(pid: str = "api-eu", **kw: Any) -> ProbeSpec:
    fields: dict[str, Any] = {"type": "http", "target": "https://app.example.com/health"}
    fields.update(kw)
    return ProbeSpec(id=pid, **fields)


def down(pid: str = "api-eu", since: datetime = T0) -> ProbeState:
    return ProbeState(pid, "down", since, 3, 0, "HTTP 500", NOW, since)


def up(pid: str = "vm-eu", since: datetime = T0 - 60 * MIN) -> ProbeState:
    return ProbeState(pid, "up", since, 0, 5, None, NOW, since)


def component(
    source: str, name: str, status: Any = "operational", regions: tuple[str, ...] = ()
) -> StoredComponent:
    c = Component(id=name.lower().replace(" ", "-"), name=name, status=status, regions=regions)
    return StoredComponent(source, c, T0 - 5 * MIN, NOW, T0 - 60 * MIN)


def incident(
    source: str,
    iid: str,
    *,
    impact: Any = "major",
    regions: tuple[str, ...] = (),
    components: tuple[str, ...] = (),
    started: datetime = T0 - 10 * MIN,
    title: str = "Degraded service",
    is_maintenance: bool = False,
) -> StoredIncident:
    item = Incident(
        id=iid,
        title=title,
        status="investigating",
        impact=impact,
        started_at=started,
        updated_at=started,
        regions=regions,
        components=components,
    )
    return StoredIncident(source, item, is_maintenance, False, started, NOW)
