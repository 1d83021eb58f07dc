from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from watchtui.domain import assessment
from watchtui.domain.assessment import HEALTHS, exit_code, source_impact
from watchtui.domain.model import Impact, Incident, Maintenance

T0 = datetime(2026, 7, 29, 12, 0, tzinfo=UTC)


def incident(status: str = "investigating", resolved: datetime | None = None) -> Incident:
    return Incident(
        id="i",
        title="t",
        status=status,
        impact="major",
        started_at=T0,
        updated_at=T0,
        resolved_at=resolved,
    )


@pytest.mark.parametrize("health", ["never", "stale", "failing", "drifted"])
def test_blindness_is_never_none(health: assessment.Health) -> None:
    assert source_impact(health, [], []) == "unknown"
    assert source_impact(health, ["critical"], ["major_outage"]) == "unknown"


def test_a_seen_source_reads_the_worst_of_what_it_says() -> None:
    assert source_impact("fresh", [], ["operational"]) == "none"
    assert source_impact("fresh", ["minor"], ["partial_outage"]) == "major"
    assert source_impact("fresh", [], ["unknown"]) == "unknown"
    assert source_impact("disabled", ["critical"], []) == "none"


def test_every_health_value_has_an_answer() -> None:
    for health in HEALTHS:
        source_impact(health, [], [])


def test_on_board() -> None:
    assert assessment.on_board(incident(), is_maintenance=False)
    assert not assessment.on_board(incident(resolved=T0), is_maintenance=False)
    scheduled = Maintenance(**{**incident("scheduled").model_dump(), "impact": "maintenance"})
    assert not assessment.on_board(scheduled, is_maintenance=True)
    for status in ("in_progress", "verifying"):
        under_way = scheduled.model_copy(update={"status": status})
        assert assessment.on_board(under_way, is_maintenance=True)
        assert not assessment.counts_as_open_incident(under_way, is_maintenance=True)


def test_durations_are_never_negative() -> None:
    backwards = incident(resolved=T0 - timedelta(hours=57_635))
    assert assessment.duration(backwards, T0) == timedelta(0)
    assert assessment.duration(incident(), T0 + timedelta(minutes=5)) == timedelta(minutes=5)
    assert assessment.duration(incident(), T0 - timedelta(days=1)) == timedelta(0)


@pytest.mark.parametrize(
    ("impacts", "probe_down", "expected"),
    [
        ([], False, 3),
        (["none", "maintenance"], False, 0),
        (["minor"], False, 1),
        (["major"], False, 2),
        (["critical", "unknown"], False, 2),
        (["minor", "unknown"], False, 1),
        (["none", "unknown"], False, 3),
        (["unknown"], True, 2),
        ([], True, 2),
    ],
)
def test_exit_codes_follow_the_monitoring_plugin_convention(
    impacts: list[Impact], probe_down: bool, expected: int
) -> None:
    assert exit_code(impacts, probe_down=probe_down) == expected


def test_a_check_that_read_nothing_is_unknown_and_a_probe_that_answered_is_knowledge() -> None:
    assert exit_code([]) == 3
    assert exit_code([], probe_up=True) == 0
    assert exit_code(["unknown"], probe_up=True) == 3
    assert exit_code(["none"], probe_up=True, probe_down=True) == 2
