"""The overview's own judgements and pane helpers, on hand-built views (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from watchtui.domain.model import IMPACTS, Impact, Incident, Maintenance, Region
from watchtui.engine.overview import (
    ComponentView,
    IncidentView,
    Overview,
    SourceView,
    open_first,
    region_rows,
)
from watchtui.viewmodel.headline import headline

NOW = datetime(2026, 7, 29, 12, 0, tzinfo=UTC)
WEST = Region(provider="aws", code="eu-west-1", name="Ireland", geography="eu-west")


def view(
    iid: str, *, started: datetime = NOW, resolved: bool = False, impact: Impact = "major"
) -> IncidentView:
    incident = Incident(
        id=iid,
        title=f"Incident {iid}",
        status="resolved" if resolved else "investigating",
        impact=impact,
        started_at=started,
        updated_at=started,
        resolved_at=started + timedelta(minutes=5) if resolved else None,
        regions=("eu-west-1",),
    )
    return IncidentView("aws", "AWS", incident, regions=(WEST,))


def under_way() -> IncidentView:
    work = Maintenance(
        id="m1",
        title="Network work",
        status="in_progress",
        impact="maintenance",
        started_at=NOW,
        updated_at=NOW,
        regions=("eu-west-1",),
    )
    return IncidentView("aws", "AWS", work, is_maintenance=True, regions=(WEST,))


def test_maintenance_under_way_is_on_the_board_but_not_an_open_incident() -> None:
    ok = SourceView(
        "aws", "AWS", "aws", "https://aws", 60, "fresh", last_success_at=NOW, impact="major"
    )
    overview = Overview(NOW, sources=(ok,), open_incidents=(view("i1"), under_way()))
    assert headline(overview).facts == ("1 open",)
    (row,) = region_rows(overview)
    assert (row.geography, row.open_incidents) == ("eu-west", 1)
    alone = region_rows(Overview(NOW, sources=(ok,), open_incidents=(under_way(),)))
    assert [(r.status, r.open_incidents) for r in alone] == [("maintenance", 0)]


def test_an_incident_of_any_impact_places_its_region() -> None:
    for impact in IMPACTS:
        (row,) = region_rows(Overview(NOW, open_incidents=(view("i", impact=impact),)))
        assert row.geography == "eu-west"


def test_a_region_never_reads_calmer_than_an_open_incident_placed_in_it() -> None:
    # The provider's component there still says operational (as pages do while an incident is
    # being written up); the header names the region at the incident's level, so must the pane.
    calm = ComponentView("aws", "AWS", "ec2", "EC2", None, "operational", (WEST,), NOW)
    for impact in IMPACTS:
        incidents = (view("i", impact=impact),)
        (row,) = region_rows(Overview(NOW, components=(calm,), open_incidents=incidents))
        (reported,) = region_rows(Overview(NOW, open_incidents=incidents))
        assert row.status == reported.status, impact
    # Once resolved, the components speak again.
    done = (view("i", impact="critical", resolved=True),)
    (row,) = region_rows(Overview(NOW, components=(calm,), open_incidents=done))
    assert row.status == "operational"


def test_incident_lists_show_open_ones_first_then_the_newest() -> None:
    old_open = view("old", started=NOW - timedelta(days=2))
    new_resolved = view("new", started=NOW, resolved=True)
    older_resolved = view("older", started=NOW - timedelta(days=5), resolved=True)
    ordered = open_first([new_resolved, older_resolved, old_open])
    assert [v.incident.id for v in ordered] == ["old", "new", "older"]
