"""``domain.vetting.vet``: duplicate merging and plausibility of times, rule by rule and as
properties over generated snapshots.  Every real payload is vetted at its capture date in
``tests/conformance/test_vetting_feeds.py``."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.statuspage_payloads import incident as sp_incident
from tests.support.statuspage_payloads import summary as sp_summary
from watchtui.domain.model import (
    COMPONENT_STATUSES,
    Component,
    DroppedItem,
    Incident,
    IncidentUpdate,
    Maintenance,
    PageStatus,
    Snapshot,
    status_rank,
)
from watchtui.domain.vetting import vet
from watchtui.sources import statuspage

NOW = datetime(2026, 7, 29, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
Y1990 = datetime(1990, 1, 1, tzinfo=UTC)


def _update(uid: str, at: datetime, text: str = "x") -> IncidentUpdate:
    return IncidentUpdate(id=uid, at=at, status="update", text=text)


def _incident(iid: str = "i", **fields: Any) -> Incident:
    base: dict[str, Any] = {
        "id": iid,
        "title": f"Incident {iid}",
        "status": "investigating",
        "impact": "major",
        "started_at": NOW - 2 * HOUR,
        "updated_at": NOW - HOUR,
    }
    base.update(fields)
    return Incident.model_validate(base)


def _maintenance(mid: str = "m", **fields: Any) -> Maintenance:
    base: dict[str, Any] = {
        "id": mid,
        "title": f"Maintenance {mid}",
        "status": "scheduled",
        "impact": "maintenance",
        "started_at": NOW - HOUR,
        "updated_at": NOW - HOUR,
    }
    base.update(fields)
    return Maintenance.model_validate(base)


def _snap(
    incidents: tuple[Incident, ...] = (),
    maintenances: tuple[Maintenance, ...] = (),
    components: tuple[Component, ...] = (),
) -> Snapshot:
    return Snapshot(
        kind="statuspage",
        page_name="Page",
        page_url="https://status.example.com",
        updated_at=NOW - HOUR,
        page_status=PageStatus(indicator="minor", description="Minor"),
        component_listing="full",
        components=components,
        incidents=incidents,
        maintenances=maintenances,
        dropped=(DroppedItem(what="update", id="from-parser", reason="kept as is"),),
    )


def _new_drops(before: Snapshot, after: Snapshot) -> list[DroppedItem]:
    return list(after.dropped[len(before.dropped) :])


# --- duplicates ------------------------------------------------------------------------------


@pytest.mark.parametrize("open_first", [True, False])
def test_open_duplicate_wins_over_newer_resolved_copy(open_first: bool) -> None:
    open_copy = _incident(updated_at=NOW - 3 * HOUR / 2, updates=(_update("u1", NOW - 2 * HOUR),))
    resolved = _incident(
        status="resolved",
        updated_at=NOW - HOUR,
        resolved_at=NOW - HOUR,
        updates=(_update("u2", NOW - HOUR), _update("u1", NOW - 2 * HOUR, "older text")),
    )
    copies = (open_copy, resolved) if open_first else (resolved, open_copy)
    (merged,) = vet(_snap(copies), NOW).incidents
    assert merged.is_open and merged.status == "investigating"
    assert merged.updated_at == open_copy.updated_at
    # The union of updates, newest first; the winning copy's version of a shared update.
    assert [(u.id, u.text) for u in merged.updates] == [("u2", "x"), ("u1", "x")]


def test_among_resolved_copies_the_newest_update_wins() -> None:
    older = _incident(status="resolved", resolved_at=NOW - HOUR, updated_at=NOW - HOUR)
    newer = _incident(status="postmortem", resolved_at=NOW - HOUR, updated_at=NOW - HOUR / 2)
    for copies in ((older, newer), (newer, older)):
        (merged,) = vet(_snap(copies), NOW).incidents
        assert merged.status == "postmortem"


def test_ties_break_the_same_way_in_any_order() -> None:
    a = _incident(title="Alpha")
    b = _incident(title="Beta")
    assert vet(_snap((a, b)), NOW).incidents == vet(_snap((b, a)), NOW).incidents


def test_duplicate_maintenances_merge_by_the_same_rule() -> None:
    done = _maintenance(status="completed", resolved_at=NOW - HOUR / 2, updated_at=NOW)
    live = _maintenance(status="in_progress", updated_at=NOW - HOUR)
    for copies in ((done, live), (live, done)):
        (merged,) = vet(_snap(maintenances=copies), NOW).maintenances
        assert merged.status == "in_progress"


def test_duplicate_components_keep_the_worst_status() -> None:
    fine = Component(id="c", name="API", status="operational")
    down = Component(id="c", name="API", status="major_outage")
    other = Component(id="d", name="DB", status="degraded")
    for order in ((fine, other, down), (down, other, fine)):
        vetted = vet(_snap(components=order), NOW)
        assert [(c.id, c.status) for c in vetted.components] == [
            (order[0].id, "major_outage"),
            ("d", "degraded"),
        ]


@pytest.mark.parametrize("resolved_first", [True, False])
def test_statuspage_payload_with_a_resolved_duplicate_still_shows_it_open(
    resolved_first: bool,
) -> None:
    # The reported bug: parse showed the open copy, ingest let the last (resolved) one win.
    open_row = sp_incident("dup")
    resolved_row = sp_incident("dup", status="resolved", resolved_at="2026-07-29T11:45:00Z")
    rows = (resolved_row, open_row) if resolved_first else (open_row, resolved_row)
    parsed = statuspage.parse(sp_summary(*rows))
    assert len(parsed.incidents) == 2
    vetted = vet(parsed, NOW)
    assert [(i.id, i.is_open) for i in vetted.incidents] == [("dup", True)]
    assert vetted.open_incidents


# --- plausibility: items -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("started", "reason"),
    [
        (
            datetime(1, 1, 1, 5, tzinfo=UTC),
            "started_at 0001-01-01T05:00:00Z is before 1990",
        ),
        (
            Y1990 - timedelta(seconds=1),
            "started_at 1989-12-31T23:59:59Z is before 1990",
        ),
        (
            NOW + DAY + timedelta(seconds=1),
            "started_at 2026-07-30T12:00:01Z is more than a day after the fetch"
            " (2026-07-29T12:00:00Z)",
        ),
        (
            datetime(9999, 12, 31, 23, tzinfo=UTC),
            "started_at 9999-12-31T23:00:00Z is more than a day after the fetch"
            " (2026-07-29T12:00:00Z)",
        ),
    ],
)
def test_incident_started_implausibly_is_dropped(started: datetime, reason: str) -> None:
    bad = _incident("bad", started_at=started, updated_at=started)
    good = _incident("good")
    before = _snap((bad, good))
    after = vet(before, NOW)
    assert after.incidents == (good,)
    assert _new_drops(before, after) == [DroppedItem(what="incident", id="bad", reason=reason)]
    # What the parser recorded is kept, first.
    assert after.dropped[0] == before.dropped[0]


@pytest.mark.parametrize("started", [Y1990, NOW + DAY])
def test_bounds_themselves_are_plausible(started: datetime) -> None:
    item = _incident(started_at=started, updated_at=started)
    assert vet(_snap((item,)), NOW).incidents == (item,)


def test_maintenance_may_start_up_to_about_400_days_ahead() -> None:
    ahead = _maintenance("ahead", started_at=NOW + 300 * DAY, updated_at=NOW + 300 * DAY)
    too_far = _maintenance("far", started_at=NOW + 401 * DAY, updated_at=NOW)
    window_far = _maintenance("win", scheduled_for=NOW, scheduled_until=NOW + 500 * DAY)
    ancient = _maintenance("old", scheduled_for=datetime(1980, 1, 1, tzinfo=UTC))
    before = _snap(maintenances=(ahead, too_far, window_far, ancient))
    after = vet(before, NOW)
    assert after.maintenances == (ahead,)
    assert [(d.what, d.id, d.reason.split(" ")[0]) for d in _new_drops(before, after)] == [
        ("maintenance", "far", "started_at"),
        ("maintenance", "win", "scheduled_until"),
        ("maintenance", "old", "scheduled_for"),
    ]
    assert "more than 400 days after the fetch" in _new_drops(before, after)[0].reason


# --- plausibility: updates ---------------------------------------------------------------------


def test_implausible_updates_are_dropped_and_counted() -> None:
    keep = _update("ok", NOW - HOUR)
    future = _update("future", NOW + 2 * DAY)
    ancient = _update("ancient", datetime(1970, 1, 1, tzinfo=UTC))
    item = _incident(updates=(future, keep, ancient))
    before = _snap((item,))
    after = vet(before, NOW)
    assert [u.id for u in after.incidents[0].updates] == ["ok"]
    assert [(d.what, d.id) for d in _new_drops(before, after)] == [
        ("update", "future"),
        ("update", "ancient"),
    ]
    assert _new_drops(before, after)[1].reason == (
        "update time 1970-01-01T00:00:00Z is before 1990 (in incident i)"
    )


def test_maintenance_posts_dated_inside_its_window_are_kept() -> None:
    # Better Stack dates an upcoming maintenance's announcement at its planned start.
    start = NOW + 3 * DAY
    post = _update("announce", start)
    late = _update("late", start + 2 * HOUR)
    item = _maintenance(
        started_at=start, scheduled_for=start, scheduled_until=start + HOUR, updated_at=start,
        updates=(late, post),
    )  # fmt: skip
    after = vet(_snap(maintenances=(item,)), NOW)
    assert [u.id for u in after.maintenances[0].updates] == ["announce"]
    assert after.maintenances[0].updated_at == start
    assert after.maintenances[0].time_note is None


# --- plausibility: corrections -----------------------------------------------------------------


def test_resolved_before_started_is_clamped_with_a_note() -> None:
    item = _incident(status="resolved", resolved_at=NOW - 5 * HOUR, updated_at=NOW - HOUR)
    (fixed,) = vet(_snap((item,)), NOW).incidents
    assert fixed.resolved_at == fixed.started_at == item.started_at
    assert fixed.time_note == (
        "resolved_at 2026-07-29T07:00:00Z was before started_at; shown as 2026-07-29T10:00:00Z"
    )
    assert fixed.updated_at == item.updated_at


def test_future_resolved_and_updated_become_the_fetch_time() -> None:
    item = _incident(status="resolved", updated_at=NOW + 3 * DAY, resolved_at=NOW + 400 * DAY)
    (fixed,) = vet(_snap((item,)), NOW).incidents
    assert (fixed.updated_at, fixed.resolved_at) == (NOW, NOW)
    assert fixed.time_note is not None
    assert fixed.time_note.count("was in the future; shown as 2026-07-29T12:00:00Z") == 2


def test_updated_before_started_becomes_started() -> None:
    item = _incident(updated_at=NOW - 10 * DAY)
    (fixed,) = vet(_snap((item,)), NOW).incidents
    assert fixed.updated_at == item.started_at
    assert fixed.time_note is not None and fixed.time_note.startswith("updated_at 2026-07-19")


def test_future_correction_never_lands_before_the_start() -> None:
    # Started 20 h ahead (plausible), resolved 3 days ahead: the fetch time would precede the
    # start, so the start is shown.
    start = NOW + 20 * HOUR
    item = _incident(started_at=start, updated_at=start, resolved_at=NOW + 3 * DAY)
    (fixed,) = vet(_snap((item,)), NOW).incidents
    assert fixed.resolved_at == start


def test_window_ending_before_it_starts_ends_at_its_start() -> None:
    item = _maintenance(scheduled_for=NOW + DAY, scheduled_until=NOW)
    (fixed,) = vet(_snap(maintenances=(item,)), NOW).maintenances
    assert fixed.scheduled_until == fixed.scheduled_for == NOW + DAY
    assert fixed.time_note is not None and "scheduled_until" in fixed.time_note


def test_existing_note_is_kept_and_extended() -> None:
    item = _incident(updated_at=NOW - 10 * DAY, time_note="parser note")
    (fixed,) = vet(_snap((item,)), NOW).incidents
    assert fixed.time_note is not None and fixed.time_note.startswith("parser note; updated_at")


# --- what is not touched -----------------------------------------------------------------------


def test_a_believable_snapshot_comes_back_unchanged() -> None:
    snap = _snap(
        (_incident("a", updates=(_update("u", NOW - HOUR),)), _incident("b")),
        (_maintenance(scheduled_for=NOW + 30 * DAY, scheduled_until=NOW + 31 * DAY),),
        (Component(id="c", name="API", status="degraded"),),
    )
    assert vet(snap, NOW) is snap


def test_only_items_and_dropped_change() -> None:
    snap = _snap((_incident(started_at=datetime(1, 1, 1, tzinfo=UTC)),))
    vetted = vet(snap, NOW)
    keep = set(Snapshot.model_fields) - {"incidents", "maintenances", "components", "dropped"}
    assert {f: getattr(vetted, f) for f in keep} == {f: getattr(snap, f) for f in keep}


def test_fetch_time_must_be_aware() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        vet(_snap(), datetime(2026, 7, 29, 12, 0))


# --- properties over generated snapshots ---------------------------------------------------------

_SPECIAL_TIMES = [
    NOW,
    NOW - HOUR,
    NOW + DAY,
    NOW + DAY + timedelta(seconds=1),
    NOW + 399 * DAY,
    NOW + 401 * DAY,
    Y1990,
    Y1990 - timedelta(seconds=1),
    datetime(1, 1, 1, tzinfo=UTC),
    datetime(9999, 12, 31, 23, 59, tzinfo=UTC),
]
TIMES = st.one_of(
    st.sampled_from(_SPECIAL_TIMES),
    st.datetimes(
        min_value=datetime(2026, 6, 1), max_value=datetime(2026, 8, 5), timezones=st.just(UTC)
    ),
    st.datetimes(timezones=st.just(UTC)),
)
UPDATES = st.lists(
    st.builds(
        IncidentUpdate,
        id=st.sampled_from(["u1", "u2", "u3", "u4"]),
        at=TIMES,
        status=st.just("update"),
        text=st.sampled_from(["a", "b"]),
    ),
    max_size=3,
    unique_by=lambda u: u.id,
)
ITEM_FIELDS: dict[str, Any] = {
    "id": st.sampled_from(["a", "b", "c"]),
    "title": st.sampled_from(["one", "two"]),
    "status": st.sampled_from(["investigating", "resolved"]),
    "impact": st.sampled_from(["minor", "major"]),
    "started_at": TIMES,
    "updated_at": TIMES,
    "resolved_at": st.none() | TIMES,
    "updates": UPDATES.map(tuple),
}
INCIDENTS = st.lists(st.builds(Incident, **ITEM_FIELDS), max_size=6)
MAINTENANCES = st.lists(
    st.builds(
        Maintenance,
        **ITEM_FIELDS,
        scheduled_for=st.none() | TIMES,
        scheduled_until=st.none() | TIMES,
    ),
    max_size=4,
)
COMPONENTS = st.lists(
    st.builds(
        Component,
        id=st.sampled_from(["c1", "c2", "c3"]),
        name=st.sampled_from(["API", "Web"]),
        status=st.sampled_from(COMPONENT_STATUSES),
    ),
    max_size=5,
)
SNAPSHOTS = st.builds(
    _snap,
    incidents=INCIDENTS.map(tuple),
    maintenances=MAINTENANCES.map(tuple),
    components=COMPONENTS.map(tuple),
)
PROPERTY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(SNAPSHOTS)
def test_vet_is_idempotent(snap: Snapshot) -> None:
    once = vet(snap, NOW)
    assert vet(once, NOW) == once


def _by_id(items: tuple[Any, ...]) -> dict[str, Any]:
    assert len({i.id for i in items}) == len(items), "duplicates survived"
    return {i.id: i for i in items}


def _drops(snapshot: Snapshot) -> Counter[DroppedItem]:
    return Counter(snapshot.dropped)


@PROPERTY
@given(SNAPSHOTS, st.randoms(use_true_random=False))
def test_duplicates_merge_the_same_in_any_order(snap: Snapshot, rng: Any) -> None:
    shuffled = snap.model_copy(
        update={
            name: tuple(rng.sample(getattr(snap, name), len(getattr(snap, name))))
            for name in ("incidents", "maintenances", "components")
        }
    )
    a, b = vet(snap, NOW), vet(shuffled, NOW)
    for name in ("incidents", "maintenances", "components"):
        assert _by_id(getattr(a, name)) == _by_id(getattr(b, name))
    assert _drops(a) == _drops(b)


@PROPERTY
@given(SNAPSHOTS)
def test_an_open_copy_always_survives_open_or_is_reported(snap: Snapshot) -> None:
    vetted = vet(snap, NOW)
    new_drops = {(d.what, d.id) for d in vetted.dropped[len(snap.dropped) :]}
    for name, what in (("incidents", "incident"), ("maintenances", "maintenance")):
        out = _by_id(getattr(vetted, name))
        for item_id in {i.id for i in getattr(snap, name) if i.is_open}:
            if item_id in out:
                assert out[item_id].is_open, f"a resolved copy hid open {what} {item_id}"
            else:
                assert (what, item_id) in new_drops


@PROPERTY
@given(SNAPSHOTS)
def test_no_negative_durations_and_nothing_from_the_future(snap: Snapshot) -> None:
    vetted = vet(snap, NOW)
    horizon = NOW + DAY
    for item in (*vetted.incidents, *vetted.maintenances):
        assert item.started_at >= Y1990
        assert item.updated_at >= item.started_at
        assert item.resolved_at is None or item.resolved_at >= item.started_at
        limit = horizon
        if isinstance(item, Maintenance):
            window = [t for t in (item.started_at, item.scheduled_for, item.scheduled_until) if t]
            assert all(Y1990 <= t <= NOW + timedelta(days=400) for t in window)
            if item.scheduled_for and item.scheduled_until:
                assert item.scheduled_until >= item.scheduled_for
            limit = max(horizon, *window)
        else:
            assert item.started_at <= horizon
        assert item.updated_at <= limit
        assert item.resolved_at is None or item.resolved_at <= limit
        assert all(Y1990 <= u.at <= limit for u in item.updates)


@PROPERTY
@given(SNAPSHOTS)
def test_components_keep_their_worst_copy(snap: Snapshot) -> None:
    vetted = _by_id(vet(snap, NOW).components)
    for component_id in {c.id for c in snap.components}:
        worst = max(status_rank(c.status) for c in snap.components if c.id == component_id)
        assert status_rank(vetted[component_id].status) == worst
