"""Probes against their providers' claims (``signals.disagreements``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import pytest

from tests.signals.builders import (
    KINDS,
    MIN,
    NAMES,
    NOW,
    T0,
    component,
    down,
    incident,
    probe,
    up,
)
from watchtui.domain.model import Maintenance
from watchtui.probes import ProbeSpec, ProbeState
from watchtui.signals.disagreements import (
    disagreement_events,
    disagreements,
    fresh_until,
    message_changes_at,
)
from watchtui.signals.findings import Disagreement
from watchtui.store import StoredComponent, StoredIncident


def check(
    specs: list[ProbeSpec],
    states: list[ProbeState],
    components: Sequence[StoredComponent] = (),
    incidents: Sequence[StoredIncident] = (),
    **kw: Any,
) -> list[Disagreement]:
    return disagreements(
        specs,
        {s.probe_id: s for s in states},
        list(components),
        list(incidents),
        kw.pop("source_kinds", KINDS),
        kw.pop("now", NOW),
        names=NAMES,
        **kw,
    )


# ---- probe down, provider says operational ------------------------------------------------------


def test_probe_down_while_the_provider_reports_the_region_operational() -> None:
    spec = probe(provider="azure", region="westeurope")
    comps = [component("azure", "Virtual Machines", regions=("West Europe",))]
    elsewhere = incident("azure", "i-us", regions=("East US",))
    (found,) = check([spec], [down()], comps, [elsewhere])
    assert found.kind == "probe_down_provider_ok"
    assert found.message == (
        "Your probe api-eu (westeurope) failing for 6 min; Azure reports West Europe operational"
    )
    assert (found.since, found.detail, found.provider) == (T0, "HTTP 500", "azure")
    assert found.region is not None
    assert (found.region.provider, found.region.code, found.region.geography) == (
        "azure",
        "westeurope",
        "eu-west",
    )


@pytest.mark.parametrize(
    "explanation",
    [
        incident("azure", "i-we", impact="minor", regions=("West Europe",)),
        # No region named: it may be anywhere, so it may explain the failure.
        incident("azure", "i-any", impact="minor"),
    ],
    ids=["incident-in-region", "incident-without-regions"],
)
def test_an_open_incident_that_may_touch_the_probe_explains_its_failure(
    explanation: StoredIncident,
) -> None:
    spec = probe(provider="azure", region="westeurope")
    assert check([spec], [down()], [], [explanation]) == []


def test_a_degraded_component_in_scope_explains_the_failure() -> None:
    spec = probe(provider="azure", region="westeurope", service="Virtual Machines")
    degraded = component("azure", "Virtual Machines", "degraded", ("westeurope",))
    other_service = component("azure", "Storage", "major_outage", ("westeurope",))
    assert check([spec], [down()], [degraded]) == []
    (found,) = check([spec], [down()], [other_service])
    assert found.message.endswith("Azure reports Virtual Machines in West Europe operational")


def test_maintenance_explains_while_the_board_shows_it_under_way() -> None:
    """The board's judgement (``assessment.on_board``): under way is what the page says, not
    what its schedule promised."""
    spec = probe(provider="github")

    def maintenance(status: str, scheduled_for: datetime) -> StoredIncident:
        item = Maintenance(
            id="m1",
            title="Database upgrade",
            status=status,
            impact="maintenance",
            started_at=scheduled_for,
            updated_at=T0,
            scheduled_for=scheduled_for,
        )
        return StoredIncident("github", item, True, False, T0, NOW)

    assert check([spec], [down()], [], [maintenance("in_progress", T0)]) == []
    assert check([spec], [down()], [], [maintenance("verifying", T0)]) == []
    (found,) = check([spec], [down()], [], [maintenance("scheduled", NOW + 60 * MIN)])
    assert found.message == (
        "Your probe api-eu failing for 6 min; GitHub reports all systems operational"
    )
    # Its start time passed, but the page still says "scheduled": not on the board, no excuse.
    assert len(check([spec], [down()], [], [maintenance("scheduled", T0)])) == 1


def test_no_claim_without_data_a_provider_or_a_fresh_state() -> None:
    spec = probe(provider="azure")
    assert check([probe()], [down()]) == []  # not tied to any provider
    assert check([spec], [down()], source_kinds={"github": "statuspage"}) == []  # not watched
    assert check([spec], [down()], unhealthy={"azure"}) == []  # azure's data is stale
    assert check([spec], [ProbeState("api-eu")]) == []  # never ran
    stale = ProbeState("api-eu", "down", T0, 3, 0, "x", NOW - 30 * MIN, T0)
    assert check([spec], [stale]) == []
    assert len(check([spec], [down()])) == 1


# ---- provider reports an outage, probe up -------------------------------------------------------


def test_provider_outage_in_the_probe_scope_while_the_probe_is_up() -> None:
    spec = probe(
        "vm-eu",
        provider="azure",
        region="eu-west",
        service="Virtual Machines",
        type="tcp",
        target="vm.example.com:22",
    )
    outage = incident(
        "azure",
        "i1",
        regions=("West Europe",),
        components=("Virtual Machines",),
        started=T0,
        title="VM start failures",
    )
    (found,) = check([spec], [up()], [], [outage])
    assert found.kind == "provider_outage_probe_up"
    assert found.message == (
        "Azure reports an outage in Western Europe (Virtual Machines) but your probe vm-eu is up"
    )
    assert (found.since, found.evidence, found.detail) == (
        T0,
        ("azure\x1fi1",),
        "VM start failures",
    )


def test_outage_claims_must_name_the_scope_and_be_serious() -> None:
    spec = probe("vm-eu", provider="azure", region="westeurope", service="Virtual Machines")
    region, service = ("westeurope",), ("Virtual Machines",)
    minor = incident("azure", "a", impact="minor", regions=region, components=service)
    assert check([spec], [up()], [], [minor]) == []
    assert check([spec], [up()], [], [incident("azure", "b", regions=region)]) == []
    assert check([spec], [up()], [], [incident("azure", "c", components=service)]) == []
    other_region = incident("azure", "d", regions=("northeurope",), components=service)
    assert check([spec], [up()], [], [other_region]) == []
    named = incident("azure", "e", regions=region, components=service)
    assert len(check([spec], [up()], [], [named])) == 1


def test_component_outage_counts_as_an_outage_claim() -> None:
    spec = probe("vm-eu", provider="azure", region="westeurope")
    broken = component("azure", "Virtual Machines", "partial_outage", ("West Europe",))
    (found,) = check([spec], [up()], [broken])
    assert found.message == "Azure reports an outage in West Europe but your probe vm-eu is up"
    assert found.since == T0 - 5 * MIN  # the component's status_since, after the probe came up
    assert found.detail == "Virtual Machines: partial outage"


def test_an_unscoped_probe_is_contradicted_only_by_a_critical_outage() -> None:
    spec = probe("gh-api", provider="github")
    major = incident("github", "m", impact="major", title="Actions delayed")
    critical = incident("github", "c", impact="critical", title="All services down")
    assert check([spec], [up("gh-api")], [], [major]) == []
    (found,) = check([spec], [up("gh-api")], [], [major, critical])
    assert found.message == (
        "GitHub reports an outage (All services down) but your probe gh-api is up"
    )


# ---- events -----------------------------------------------------------------------------------


def test_disagreement_events_start_and_end() -> None:
    spec = probe(provider="azure", region="westeurope")
    before = check([spec], [down()])
    started = disagreement_events([], before, NOW)
    assert [(e.kind, e.at, e.source_id) for e in started] == [
        ("disagreement_started", T0, "probe:api-eu")
    ]
    assert started[0].title == before[0].message
    # Still disagreeing a minute later (message text changes): no new event.
    later = check([spec], [down()], now=NOW + MIN)
    assert disagreement_events(before, later, NOW + MIN) == []
    # Azure opens an incident in West Europe: the disagreement ends.
    explained = check(
        [spec], [down()], [], [incident("azure", "i", regions=("westeurope",))], now=NOW + 2 * MIN
    )
    assert explained == []
    ended = disagreement_events(later, explained, NOW + 2 * MIN)
    assert [(e.kind, e.at) for e in ended] == [("disagreement_ended", NOW + 2 * MIN)]
    assert ended[0].title.startswith("No longer: Your probe api-eu")


# ---- when the clock alone changes a finding ------------------------------------------------------


def test_a_probe_state_counts_for_a_few_intervals_after_its_last_result() -> None:
    spec = probe(provider="azure", interval=30, timeout=5)
    until = fresh_until(spec, down())
    assert until == NOW + timedelta(seconds=3 * 30 + 5)
    assert len(check([spec], [down()], now=until)) == 1
    assert check([spec], [down()], now=until + timedelta(microseconds=1)) == []
    assert fresh_until(spec, ProbeState("api-eu")) is None


def test_a_failing_probe_s_message_changes_with_its_duration() -> None:
    spec = probe(provider="azure")
    (found,) = check([spec], [down()])  # failing for 6 min at NOW
    changes = message_changes_at(found, NOW)
    assert changes == T0 + 7 * MIN
    (later,) = check([spec], [down()], now=changes)
    assert later.message != found.message
    (early,) = check([spec], [down(since=NOW - timedelta(seconds=20))])
    assert message_changes_at(early, NOW) == NOW + timedelta(seconds=1)
    outage = Disagreement("p", "azure", "provider_outage_probe_up", T0, "no duration in it")
    assert message_changes_at(outage, NOW) is None
