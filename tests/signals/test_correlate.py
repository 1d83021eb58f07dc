from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from watchtui.domain.model import Component, Incident, Maintenance
from watchtui.engine.overview import IncidentView, resolve_region
from watchtui.probes import ProbeSpec, ProbeState
from watchtui.signals.correlate import (
    CorrelationHint,
    Disagreement,
    correlate,
    correlation_events,
    disagreement_events,
    disagreements,
    probe_scope,
)
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
    return StoredIncident(source, item, False, False, started, NOW)


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


# ---- probe scope --------------------------------------------------------------------------------


def test_probe_region_may_be_a_provider_code_a_display_name_or_a_geography() -> None:
    by_code = probe_scope(probe(provider="azure", region="westeurope"), "azure")
    by_name = probe_scope(probe(provider="azure", region="West Europe"), "azure")
    by_geo = probe_scope(probe(provider="azure", region="eu-west"), "azure")
    assert by_code is not None and by_name is not None and by_geo is not None
    assert (by_code.label, by_code.geography, by_code.by_geography) == (
        "West Europe",
        "eu-west",
        False,
    )
    assert by_name.matches("azure", "westeurope") and by_code.matches("azure", "West Europe")
    assert not by_code.matches("azure", "North Europe")  # same geography, another region
    assert (by_geo.label, by_geo.by_geography) == ("Western Europe", True)
    assert by_geo.matches("azure", "North Europe") and not by_geo.matches("azure", "East US")
    assert probe_scope(probe(provider="azure"), "azure") is None


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


def test_maintenance_under_way_explains_but_a_scheduled_one_does_not() -> None:
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
    (found,) = check([spec], [down()], [], [maintenance("scheduled", NOW + 60 * MIN)])
    assert found.message == (
        "Your probe api-eu failing for 6 min; GitHub reports all systems operational"
    )


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


# ---- correlation --------------------------------------------------------------------------------


def view(
    source: str, iid: str, region: str, started: datetime, *, is_maintenance: bool = False
) -> IncidentView:
    stored = incident(source, iid, regions=(region,), started=started)
    return IncidentView(
        source_id=source,
        provider=NAMES.get(source, source),
        incident=stored.incident,
        is_maintenance=is_maintenance,
        regions=(resolve_region(KINDS.get(source, ""), region),),
    )


def test_three_providers_in_one_geography_within_the_window_make_one_hint() -> None:
    incidents = [
        view("aws", "a1", "us-west-2", T0),
        view("gcp", "g1", "us-west1", T0 + 12 * MIN),
        view("azure", "z1", "West US", T0 + 25 * MIN),
        view("aws", "a2", "us-west-1", T0 + 20 * MIN),  # same provider again: one participant
    ]
    (hint,) = correlate(incidents)
    assert hint.geography == "us-west"
    assert hint.providers == ("aws", "gcp", "azure")
    assert hint.started_at == T0 and hint.latest_start == T0 + 25 * MIN
    assert set(hint.incident_keys) == {"aws\x1fa1", "gcp\x1fg1", "azure\x1fz1", "aws\x1fa2"}
    assert hint.text == (
        "3 providers reporting problems in us-west (US West) since 08:02 UTC: "
        "AWS, Google Cloud, Azure. Possible common cause, not confirmed."
    )


def test_an_incident_outside_the_window_is_not_grouped() -> None:
    incidents = [
        view("aws", "a1", "us-west-2", T0),
        view("gcp", "g1", "us-west1", T0 + 10 * MIN),
        view("azure", "z1", "West US", T0 + 45 * MIN),
    ]
    (hint,) = correlate(incidents, window=timedelta(minutes=30))
    assert hint.providers == ("aws", "gcp")
    assert "azure\x1fz1" not in hint.incident_keys
    assert correlate([incidents[0], incidents[2]]) == []


def test_different_geographies_make_separate_hints() -> None:
    incidents = [
        view("aws", "a1", "us-west-2", T0),
        view("gcp", "g1", "us-west1", T0 + 5 * MIN),
        view("aws", "a2", "eu-west-1", T0 + MIN),
        view("azure", "z1", "West Europe", T0 + 2 * MIN),
        view("gcp", "g2", "asia-east1", T0),  # alone in its geography
    ]
    hints = correlate(incidents)
    assert sorted((h.geography, h.providers) for h in hints) == [
        ("eu-west", ("aws", "azure")),
        ("us-west", ("aws", "gcp")),
    ]


def test_one_provider_alone_maintenance_and_unmapped_regions_make_no_hint() -> None:
    assert correlate([view("aws", "a1", "us-west-2", T0), view("aws", "a2", "us-west-1", T0)]) == []
    maintenance = view("gcp", "g1", "us-west1", T0, is_maintenance=True)
    assert correlate([view("aws", "a1", "us-west-2", T0), maintenance]) == []
    unmapped = [view("aws", "a1", "Atlantis", T0), view("gcp", "g1", "Atlantis", T0)]
    assert correlate(unmapped) == []


def test_a_down_probe_joins_a_provider_in_its_geography() -> None:
    spec = probe("api-w", provider="aws", region="us-west-2")
    hints = correlate(
        [view("gcp", "g1", "us-west1", T0)],
        [(spec, down("api-w", T0 + 3 * MIN)), (probe("idle", region="us-west"), up("idle"))],
    )
    (hint,) = hints
    assert (hint.providers, hint.probe_ids) == (("gcp",), ("api-w",))
    assert hint.text.startswith("1 provider and your probe api-w reporting problems in us-west")
    assert "Possible common cause" in hint.text


def test_correlation_events_for_new_and_growing_hints_only() -> None:
    first = correlate([view("aws", "a1", "us-west-2", T0), view("gcp", "g1", "us-west1", T0)])
    events = correlation_events([], first)
    assert [(e.kind, e.source_id, e.title) for e in events] == [
        ("correlation", "correlation:us-west", first[0].text)
    ]
    assert correlation_events(first, first) == []
    grown = correlate(
        [
            view("aws", "a1", "us-west-2", T0),
            view("gcp", "g1", "us-west1", T0),
            view("azure", "z1", "West US", T0 + 5 * MIN),
        ]
    )
    (event,) = correlation_events(first, grown)
    assert event.at == T0 + 5 * MIN and "3 providers" in event.title
    shrunk: list[CorrelationHint] = []
    assert correlation_events(grown, shrunk) == []
