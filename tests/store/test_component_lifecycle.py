"""A component exists while its feed lists it; one derived from incidents recovers with them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from watchtui.domain.model import Component, ComponentListing, ComponentStatus, Snapshot
from watchtui.store import Store

T0 = datetime(2026, 7, 29, 12, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store.open(tmp_path / "history.db")
    yield s
    s.close()


def snapshot(listing: ComponentListing, **statuses: ComponentStatus) -> Snapshot:
    return Snapshot(
        kind="test",
        component_listing=listing,
        components=tuple(
            Component(id=cid, name=cid.upper(), status=status) for cid, status in statuses.items()
        ),
    )


def current(store: Store) -> dict[str, str]:
    return {c.component.id: c.component.status for c in store.components("src")}


def test_full_listing_retires_a_component_it_no_longer_names(store: Store) -> None:
    store.ingest(
        "src", snapshot("full", api="major_outage", web="operational"), T0, lists_only_current=True
    )
    store.ingest("src", snapshot("full", web="operational"), T0 + MIN, lists_only_current=True)
    assert current(store) == {"web": "operational"}
    # Its history stays.
    assert [t.new_status for t in store.component_history("src", "api")] == ["major_outage"]
    everything = store.components("src", include_retired=True)
    assert {c.component.id for c in everything} == {"api", "web"}


def test_a_retired_component_that_returns_is_back_on_the_board(store: Store) -> None:
    store.ingest("src", snapshot("full", api="degraded"), T0, lists_only_current=True)
    store.ingest("src", snapshot("full"), T0 + MIN, lists_only_current=True)
    assert current(store) == {}
    store.ingest("src", snapshot("full", api="operational"), T0 + 2 * MIN, lists_only_current=True)
    assert current(store) == {"api": "operational"}


def test_derived_listing_returns_unnamed_components_to_operational(store: Store) -> None:
    store.ingest("src", snapshot("derived", sql="partial_outage"), T0, lists_only_current=False)
    events = store.ingest("src", snapshot("derived"), T0 + MIN, lists_only_current=False)
    assert current(store) == {"sql": "operational"}
    assert [(e.kind, e.old_status, e.new_status) for e in events] == [
        ("component_status_changed", "partial_outage", "operational")
    ]
    history = store.component_history("src", "sql")
    assert [(t.old_status, t.new_status) for t in history] == [
        (None, "partial_outage"),
        ("partial_outage", "operational"),
    ]
    # Recovering is news once.
    assert store.ingest("src", snapshot("derived"), T0 + 2 * MIN, lists_only_current=False) == []


def test_an_endpoint_that_says_nothing_about_components_changes_none(store: Store) -> None:
    store.ingest("src", snapshot("full", api="degraded"), T0, lists_only_current=True)
    store.ingest("src", snapshot("none"), T0 + MIN, lists_only_current=False)
    assert current(store) == {"api": "degraded"}


def test_an_update_keeps_the_impact_it_was_published_with(store: Store) -> None:
    from watchtui.domain.model import Impact, Incident, IncidentUpdate

    def page(impact: Impact, *updates: str) -> Snapshot:
        posts = tuple(
            IncidentUpdate(id=u, at=T0 + n * MIN, status="investigating", text=u)
            for n, u in enumerate(updates)
        )
        incident = Incident(
            id="i",
            title="t",
            status="investigating",
            impact=impact,
            started_at=T0,
            updated_at=T0 + len(updates) * MIN,
            updates=tuple(reversed(posts)),
        )
        return Snapshot(kind="test", incidents=(incident,))

    store.ingest("src", page("minor", "u1"), T0 + MIN, lists_only_current=True)
    store.ingest("src", page("critical", "u1", "u2"), T0 + 3 * MIN, lists_only_current=True)
    impacts = {r.update.id: r.impact for r in store.recent_updates()}
    assert impacts == {"u1": "minor", "u2": "critical"}
