"""Providers against each other (``signals.hints``): problems in one geography at about the same
time are a hint, never a claim."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from tests.signals.builders import KINDS, MIN, NAMES, T0, down, incident, probe, up
from watchtui.probes import ProbeSpec, ProbeState
from watchtui.signals.findings import CorrelationHint
from watchtui.signals.hints import correlate, correlation_events
from watchtui.store import StoredIncident


def at(
    source: str, iid: str, region: str, started: datetime, *, is_maintenance: bool = False
) -> StoredIncident:
    return incident(source, iid, regions=(region,), started=started, is_maintenance=is_maintenance)


def hints(
    incidents: Sequence[StoredIncident],
    probes: Sequence[tuple[ProbeSpec, ProbeState]] = (),
    **kw: Any,
) -> list[CorrelationHint]:
    return correlate(incidents, probes, source_kinds=KINDS, names=NAMES, **kw)


def test_three_providers_in_one_geography_within_the_window_make_one_hint() -> None:
    incidents = [
        at("aws", "a1", "us-west-2", T0),
        at("gcp", "g1", "us-west1", T0 + 12 * MIN),
        at("azure", "z1", "West US", T0 + 25 * MIN),
        at("aws", "a2", "us-west-1", T0 + 20 * MIN),  # same provider again: one participant
    ]
    (hint,) = hints(incidents)
    assert hint.geography == "us-west"
    assert hint.source_ids == ("aws", "gcp", "azure")
    assert hint.providers == ("AWS", "Google Cloud", "Azure")
    assert hint.started_at == T0 and hint.latest_start == T0 + 25 * MIN
    assert set(hint.incident_keys) == {"aws\x1fa1", "gcp\x1fg1", "azure\x1fz1", "aws\x1fa2"}
    assert hint.text == (
        "3 providers reporting problems in us-west (US West) since 08:02 UTC: "
        "AWS, Google Cloud, Azure. Possible common cause, not confirmed."
    )


def test_an_incident_outside_the_window_is_not_grouped() -> None:
    incidents = [
        at("aws", "a1", "us-west-2", T0),
        at("gcp", "g1", "us-west1", T0 + 10 * MIN),
        at("azure", "z1", "West US", T0 + 45 * MIN),
    ]
    (hint,) = hints(incidents, window=timedelta(minutes=30))
    assert hint.source_ids == ("aws", "gcp")
    assert "azure\x1fz1" not in hint.incident_keys
    assert hints([incidents[0], incidents[2]]) == []


def test_different_geographies_make_separate_hints() -> None:
    incidents = [
        at("aws", "a1", "us-west-2", T0),
        at("gcp", "g1", "us-west1", T0 + 5 * MIN),
        at("aws", "a2", "eu-west-1", T0 + MIN),
        at("azure", "z1", "West Europe", T0 + 2 * MIN),
        at("gcp", "g2", "asia-east1", T0),  # alone in its geography
    ]
    assert sorted((h.geography, h.source_ids) for h in hints(incidents)) == [
        ("eu-west", ("aws", "azure")),
        ("us-west", ("aws", "gcp")),
    ]


def test_one_provider_alone_maintenance_resolved_and_unmapped_regions_make_no_hint() -> None:
    assert hints([at("aws", "a1", "us-west-2", T0), at("aws", "a2", "us-west-1", T0)]) == []
    maintenance = at("gcp", "g1", "us-west1", T0, is_maintenance=True)
    assert hints([at("aws", "a1", "us-west-2", T0), maintenance]) == []
    gone = at("gcp", "g1", "us-west1", T0)
    resolved = StoredIncident(
        "gcp", gone.incident.model_copy(update={"resolved_at": T0 + MIN}), False, False, T0, T0
    )
    assert hints([at("aws", "a1", "us-west-2", T0), resolved]) == []
    unmapped = [at("aws", "a1", "Atlantis", T0), at("gcp", "g1", "Atlantis", T0)]
    assert hints(unmapped) == []


def test_a_source_outside_the_catalog_is_named_by_the_caller_or_by_its_id() -> None:
    incidents = [at("mycloud", "m1", "westus", T0), at("gcp", "g1", "us-west1", T0)]
    (hint,) = correlate(incidents, source_kinds={"mycloud": "azure"}, names={"mycloud": "Mine"})
    assert hint.providers == ("Google Cloud", "Mine")
    (hint,) = correlate(incidents)
    assert hint.providers == ("Google Cloud", "mycloud")


def test_names_and_kinds_default_to_the_catalog() -> None:
    (hint,) = correlate([at("aws", "a1", "us-west-2", T0), at("gcp", "g1", "us-west1", T0)])
    assert hint.source_ids == ("aws", "gcp") and len(hint.providers) == 2


def test_a_down_probe_joins_a_provider_in_its_geography() -> None:
    spec = probe("api-w", provider="aws", region="us-west-2")
    (hint,) = hints(
        [at("gcp", "g1", "us-west1", T0)],
        [(spec, down("api-w", T0 + 3 * MIN)), (probe("idle", region="us-west"), up("idle"))],
    )
    assert (hint.source_ids, hint.probe_ids) == (("gcp",), ("api-w",))
    assert hint.text.startswith("1 provider and your probe api-w reporting problems in us-west")
    assert "Possible common cause" in hint.text


def test_correlation_events_for_new_and_growing_hints_only() -> None:
    first = hints([at("aws", "a1", "us-west-2", T0), at("gcp", "g1", "us-west1", T0)])
    events = correlation_events([], first)
    assert [(e.kind, e.source_id, e.title) for e in events] == [
        ("correlation", "correlation:us-west", first[0].text)
    ]
    assert correlation_events(first, first) == []
    grown = hints(
        [
            at("aws", "a1", "us-west-2", T0),
            at("gcp", "g1", "us-west1", T0),
            at("azure", "z1", "West US", T0 + 5 * MIN),
        ]
    )
    (event,) = correlation_events(first, grown)
    assert event.at == T0 + 5 * MIN and "3 providers" in event.title
    shrunk: list[CorrelationHint] = []
    assert correlation_events(grown, shrunk) == []
