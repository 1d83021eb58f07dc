"""Notification policy (pure) and emission, judged against the test board's real overview."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest

from tests.support.board import Board
from tests.support.board_story import (
    AWS,
    AWS_INCIDENT,
    GCP,
    GCP_INCIDENT,
    GIT,
    GIT_ACTIONS,
    GIT_WEBHOOKS,
    NOW,
)
from watchtui.domain.events import ChangeEvent
from watchtui.domain.model import impact_rank
from watchtui.engine.overview import Overview
from watchtui.viewmodel import notify
from watchtui.viewmodel.notify import NotifyPolicy, select

# The board's overview with the given watchlist values.
Watching = Callable[..., Overview]


@pytest.fixture
def board_overview(board: Board) -> Overview:
    return board.engine().overview()


@pytest.fixture
def overview(board_overview: Overview) -> Watching:

    def watching(*watched: str) -> Overview:
        return dataclasses.replace(board_overview, watched=frozenset(watched))

    return watching


def opened(
    source_id: str, incident_id: str, impact: str = "major", title: str = "t"
) -> ChangeEvent:
    return ChangeEvent.model_validate(
        {
            "kind": "incident_opened",
            "source_id": source_id,
            "at": NOW,
            "incident_id": incident_id,
            "title": title,
            "impact": impact,
            "new_status": "investigating",
        }
    )


def component_changed(
    source_id: str, component_id: str, old: str, new: str, title: str = ""
) -> ChangeEvent:
    return ChangeEvent(
        kind="component_status_changed",
        source_id=source_id,
        at=NOW,
        component_id=component_id,
        title=title or component_id.upper(),
        old_status=old,
        new_status=new,
    )


def chosen(
    events: list[ChangeEvent],
    ov: Overview,
    policy: NotifyPolicy | None = None,
    last: dict[notify.DebounceKey, datetime] | None = None,
    now: datetime = NOW,
) -> list[ChangeEvent]:
    return select(events, ov, policy or NotifyPolicy(), last or {}, now)[0]


AWS_OPENED = opened(AWS, AWS_INCIDENT, "critical")
GCP_OPENED = opened(GCP, GCP_INCIDENT, "major")
GIT_OPENED = opened(GIT, GIT_ACTIONS, "minor")
# The board's component ids, as the AWS parser names them.
EC2 = "ec2-us-west-2"
S3 = "s3-us-east-1"


def test_empty_watchlist_notifies_everything(overview: Watching) -> None:
    assert chosen([AWS_OPENED, GCP_OPENED, GIT_OPENED], overview()) == [
        AWS_OPENED,
        GCP_OPENED,
        GIT_OPENED,
    ]


def test_watched_provider_only(overview: Watching) -> None:
    assert chosen([AWS_OPENED, GCP_OPENED, GIT_OPENED], overview("demo-gcp")) == [GCP_OPENED]


def test_watched_component_matches_incident_components(overview: Watching) -> None:
    assert chosen([AWS_OPENED, GCP_OPENED, GIT_OPENED], overview("demo-aws:AWS Lambda")) == [
        AWS_OPENED
    ]


def test_watched_geography_and_provider_region(overview: Watching) -> None:
    assert chosen([AWS_OPENED, GCP_OPENED, GIT_OPENED], overview("us-west")) == [
        AWS_OPENED,
        GCP_OPENED,
    ]
    assert chosen([AWS_OPENED, GCP_OPENED, GIT_OPENED], overview("gcp:us-west1")) == [GCP_OPENED]


def test_watched_component_status_change(overview: Watching) -> None:
    ec2 = component_changed(AWS, EC2, "operational", "major_outage")
    s3 = component_changed(AWS, S3, "operational", "degraded")
    assert chosen([ec2, s3], overview("demo-aws:Amazon EC2")) == [ec2]
    # Region watch reaches components in that geography.
    assert chosen([ec2, s3], overview("us-east")) == [s3]


def test_resolved_incident_matched_through_the_stream(overview: Watching) -> None:
    resolved = ChangeEvent(
        kind="incident_resolved",
        source_id=GIT,
        at=NOW,
        incident_id=GIT_WEBHOOKS,
        title="Webhooks delayed",
        impact="minor",
    )
    assert chosen([resolved], overview("demo-git")) == [resolved]
    assert chosen([resolved], overview("demo-aws")) == []


def test_minimum_impact(overview: Watching) -> None:
    policy = NotifyPolicy(min_impact="major")
    assert chosen([AWS_OPENED, GCP_OPENED, GIT_OPENED], overview(), policy) == [
        AWS_OPENED,
        GCP_OPENED,
    ]
    policy = NotifyPolicy(min_impact="critical")
    assert chosen([AWS_OPENED, GCP_OPENED, GIT_OPENED], overview(), policy) == [AWS_OPENED]


def test_recovery_counts_with_the_impact_it_recovers_from(
    overview: Callable[..., Overview],
) -> None:
    recovery = component_changed(AWS, EC2, "major_outage", "operational")
    blip = component_changed(AWS, S3, "operational", "unknown")
    policy = NotifyPolicy(min_impact="major")
    assert chosen([recovery, blip], overview(), policy) == [recovery]


def test_update_and_source_events_do_not_notify(overview: Watching) -> None:
    update = AWS_OPENED.model_copy(update={"kind": "update_added"})
    stale = ChangeEvent(kind="source_stale", source_id="demo-aws", at=NOW)
    assert chosen([update, stale], overview()) == []


def test_debounce_same_source_and_incident(overview: Watching) -> None:
    policy = NotifyPolicy(debounce_seconds=60)
    first, state = select([AWS_OPENED], overview(), policy, {}, NOW)
    assert first == [AWS_OPENED]
    flap = AWS_OPENED.model_copy(update={"kind": "incident_updated", "new_status": "monitoring"})
    again, state = select(
        [flap, GCP_OPENED], overview(), policy, state, NOW + timedelta(seconds=30)
    )
    assert again == [GCP_OPENED]
    later, _ = select([flap], overview(), policy, state, NOW + timedelta(seconds=61))
    assert later == [flap]


def test_debounce_within_one_batch(overview: Watching) -> None:
    flap = AWS_OPENED.model_copy(update={"kind": "incident_updated"})
    assert chosen([AWS_OPENED, flap], overview(), NotifyPolicy(debounce_seconds=10)) == [AWS_OPENED]
    assert chosen([AWS_OPENED, flap], overview(), NotifyPolicy(debounce_seconds=0)) == [
        AWS_OPENED,
        flap,
    ]


def test_debounce_state_forgets_old_entries(overview: Watching) -> None:
    _, state = select([AWS_OPENED], overview(), NotifyPolicy(debounce_seconds=10), {}, NOW)
    _, state = select([], overview(), NotifyPolicy(debounce_seconds=10), state, NOW + timedelta(1))
    assert state == {}


def test_describe_uses_provider_names_and_stays_plain(overview: Watching) -> None:
    hostile = opened(GCP, GCP_INCIDENT, title="[bold]x[/bold]")
    notice = notify.describe(hostile, overview())
    assert notice.title == "New incident · Demo GCP"
    assert notice.message == "[bold]x[/bold]"
    assert notice.level == hostile.impact
    change = notify.describe(
        component_changed(AWS, EC2, "degraded", "operational", "Amazon EC2"),
        overview(),
        ascii_only=True,
    )
    # In the board's words, not the feed's: degraded reads minor, operational ok.
    assert change.message == "Amazon EC2: minor -> ok"
    assert change.level == "none"


def test_summary_of_many(overview: Watching) -> None:
    notices = [
        notify.describe(e, overview())
        for e in (AWS_OPENED, GCP_OPENED, GIT_OPENED, AWS_OPENED, GCP_OPENED)
    ]
    summary = notify.summarise(notices)
    assert summary.title == "5 changes"
    assert summary.level == max((n.level for n in notices), key=impact_rank)
    assert "and 2 more" in summary.message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a;b", "a b"),
        # Controls go, and an escape sequence goes whole (the one sanitiser, domain.text).
        ("bell\x07here", "bellhere"),
        ("esc\x1b]0;pwned\x07", "esc"),
        ("c1\x9cend", "c1end"),
        ("new\nline", "new line"),
    ],
)
def test_sanitise(text: str, expected: str) -> None:
    assert notify.sanitise(text) == expected


def test_desktop_sequences(overview: Watching) -> None:
    # ESC c (a terminal reset) is dropped whole.
    assert notify.desktop_sequence("T;x", "b\x1bc", "osc9") == "\x1b]9;T x: b\x07"
    assert (
        notify.desktop_sequence("New", "Down; really", "osc777")
        == "\x1b]777;notify;New;Down  really\x07"
    )
    assert notify.desktop_flavour({"TERM": "foot"}) == "osc777"
    assert notify.desktop_flavour({"TERM_PROGRAM": "ghostty"}) == "osc777"
    assert notify.desktop_flavour({"TERM_PROGRAM": "iTerm.app"}) == "osc9"


class Recorder:
    def __init__(self) -> None:
        self.bells = 0
        self.written: list[str] = []

    def bell(self) -> None:
        self.bells += 1

    def write(self, data: str) -> None:
        self.written.append(data)


def test_emit_rings_and_writes_only_when_asked(overview: Watching) -> None:
    terminal = Recorder()
    notice = notify.Notice("New incident · X", "[b]title[/b]", "major")
    notify.emit(notice, bell=None, desktop_writer=None)
    assert terminal.bells == 0 and terminal.written == []
    notify.emit(notice, bell=terminal.bell, desktop_writer=terminal, flavour="osc777")
    assert terminal.bells == 1
    assert terminal.written == ["\x1b]777;notify;New incident · X;[b]title[/b]\x07"]


# --- the user's own signals ------------------------------------------------------------------


def signal(kind: str, source_id: str, title: str, **fields: Any) -> ChangeEvent:
    return ChangeEvent.model_validate(
        {"kind": kind, "source_id": source_id, "at": NOW, "title": title, **fields}
    )


PROBE_DOWN = signal(
    "probe_down", "probe:api-eu", "Your probe api-eu (FRA) failing for 1 min", impact="major"
)
PROBE_UP = signal("probe_up", "probe:api-eu", "Your probe api-eu (FRA) is back up after 9 min down")
DISAGREE = signal(
    "disagreement_started",
    "probe:api-eu",
    "Your probe api-eu (FRA) failing for 1 min; Demo Edge reports Frankfurt operational",
    impact="minor",
    new_status="probe_down_provider_ok",
)
DISAGREE_ENDED = DISAGREE.model_copy(update={"kind": "disagreement_ended"})
HINT = signal(
    "correlation",
    "correlation:us-west",
    "2 providers reporting problems in us-west (US West) since 11:10 UTC: Demo AWS, Demo GCP. "
    "Possible common cause, not confirmed.",
    impact="minor",
)


def test_signals_notify_whatever_the_watchlist(overview: Watching) -> None:
    watched = overview("demo-git")  # none of these is about Demo Git
    assert chosen([PROBE_UP, DISAGREE, HINT], watched) == [PROBE_UP, DISAGREE, HINT]
    assert chosen([PROBE_DOWN], watched) == [PROBE_DOWN]


def test_a_disagreement_replaces_the_probe_down_of_the_same_round(
    overview: Callable[..., Overview],
) -> None:
    other = PROBE_DOWN.model_copy(update={"source_id": "probe:api-us"})
    assert chosen([PROBE_DOWN, other, DISAGREE], overview()) == [other, DISAGREE]


def test_disagreement_ended_does_not_notify(overview: Watching) -> None:
    assert chosen([DISAGREE_ENDED], overview()) == []


def test_signals_and_the_minimum_impact(overview: Watching) -> None:
    # A disagreement is about the user's own service: as loud as a major incident.  A hint is a
    # guess: it goes quiet first.
    major = NotifyPolicy(min_impact="major")
    assert chosen([PROBE_DOWN, DISAGREE, HINT], overview(), major) == [DISAGREE]
    assert chosen([PROBE_UP, HINT], overview(), major) == [PROBE_UP]
    critical = NotifyPolicy(min_impact="critical")
    assert chosen([PROBE_UP, DISAGREE, HINT], overview(), critical) == []


def test_signal_debounce_is_per_probe_and_kind(overview: Watching) -> None:
    policy = NotifyPolicy(debounce_seconds=60)
    first, state = select([PROBE_DOWN], overview(), policy, {}, NOW)
    assert first == [PROBE_DOWN]
    # Its recovery is news even inside the window; a repeated "down" is not.
    soon = NOW + timedelta(seconds=30)
    again, state = select([PROBE_UP, PROBE_DOWN], overview(), policy, state, soon)
    assert again == [PROBE_UP]
    twice, _ = select([HINT, HINT], overview(), policy, state, soon)
    assert twice == [HINT]


def test_describe_signals(overview: Watching) -> None:
    notice = notify.describe(DISAGREE, overview())
    assert (notice.title, notice.level, notice.pinned) == ("≠ Disagreement", "critical", True)
    assert notice.message == DISAGREE.title
    outage_up = DISAGREE.model_copy(update={"new_status": "provider_outage_probe_up"})
    assert notify.describe(outage_up, overview()).level == "major"
    assert notify.describe(DISAGREE, overview(), ascii_only=True).title == "!= Disagreement"
    down = notify.describe(PROBE_DOWN, overview())
    assert (down.title, down.level, down.pinned) == ("Probe down", "critical", True)
    up = notify.describe(PROBE_UP, overview())
    assert (up.title, up.level) == ("Probe up", "none")
    hint = notify.describe(HINT, overview())
    assert hint.title == "Possible common cause (a hint)" and not hint.pinned
    assert hint.message.endswith("not confirmed.")


def test_arrange_never_folds_disagreements_into_the_summary(
    overview: Callable[..., Overview],
) -> None:
    incidents = [
        notify.describe(e, overview())
        for e in (AWS_OPENED, GCP_OPENED, GIT_OPENED, AWS_OPENED, GCP_OPENED)
    ]
    disagreement = notify.describe(DISAGREE, overview())
    arranged = notify.arrange([*incidents, disagreement])
    assert arranged[0] == disagreement
    assert [n.title for n in arranged[1:]] == ["5 changes"]
    assert notify.arrange(incidents[:2]) == incidents[:2]
