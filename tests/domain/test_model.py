from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from watchtui.domain.model import (
    Component,
    Incident,
    PageStatus,
    Snapshot,
    worst_impact,
    worst_status,
)

T0 = datetime(2026, 7, 29, 12, 0, tzinfo=UTC)


def _incident(**overrides: object) -> Incident:
    fields: dict[str, object] = {
        "id": "i1",
        "title": "Errors",
        "status": "investigating",
        "impact": "major",
        "started_at": T0,
        "updated_at": T0,
    }
    fields.update(overrides)
    return Incident.model_validate(fields)


def test_offsets_are_converted_to_utc() -> None:
    local = datetime(2020, 6, 16, 14, 0, tzinfo=timezone(timedelta(hours=-7)))
    incident = _incident(started_at=local)
    assert incident.started_at == datetime(2020, 6, 16, 21, 0, tzinfo=UTC)
    assert incident.started_at.utcoffset() == timedelta(0)


def test_naive_timestamps_are_rejected() -> None:
    with pytest.raises(ValidationError):
        _incident(started_at=datetime(2020, 1, 1))


def test_open_exactly_when_not_resolved() -> None:
    assert _incident().is_open
    assert not _incident(resolved_at=T0).is_open


def test_page_claim_never_hides_an_open_incident() -> None:
    snapshot = Snapshot(
        kind="statuspage",
        page_status=PageStatus(indicator="none", description="All Systems Operational"),
        incidents=(_incident(impact="critical"),),
    )
    assert snapshot.page_status.indicator == "none"  # the claim is kept verbatim
    assert snapshot.derived_impact == "critical"


def test_components_raise_derived_impact() -> None:
    snapshot = Snapshot(
        kind="statuspage",
        components=(Component(id="c", name="API", status="major_outage"),),
    )
    assert snapshot.derived_impact == "critical"


def test_resolved_incidents_do_not_count() -> None:
    snapshot = Snapshot(kind="x", incidents=(_incident(resolved_at=T0),))
    assert snapshot.derived_impact == "none"


def test_worst_orders() -> None:
    assert worst_status(["operational", "maintenance", "degraded"]) == "degraded"
    assert worst_status(["operational", "unknown"]) == "unknown"
    assert worst_status([]) == "operational"
    assert worst_impact(["minor", "maintenance"]) == "minor"
