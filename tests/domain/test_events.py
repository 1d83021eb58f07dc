from __future__ import annotations

import typing
from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from watchtui.domain.events import EVENT_KINDS, ChangeEvent, EventKind


def test_event_time_is_normalised_to_utc() -> None:
    local = datetime(2024, 5, 1, 14, 0, tzinfo=timezone(timedelta(hours=2)))
    event = ChangeEvent(kind="incident_opened", source_id="gh", at=local, title="Down")
    assert event.at == datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    assert event.at.utcoffset() == timedelta(0)
    assert (event.inferred, event.detail, event.incident_id) == (False, "", None)


def test_event_rejects_naive_times_unknown_kinds_and_extra_fields() -> None:
    now = datetime(2024, 5, 1, tzinfo=UTC)
    with pytest.raises(ValidationError):
        ChangeEvent(kind="incident_opened", source_id="gh", at=datetime(2024, 5, 1))
    with pytest.raises(ValidationError):
        ChangeEvent(kind="exploded", source_id="gh", at=now)
    with pytest.raises(ValidationError):
        ChangeEvent(kind="incident_opened", source_id="gh", at=now, colour="red")  # type: ignore[call-arg]
    with pytest.raises(ValidationError):
        ChangeEvent(kind="incident_opened", source_id="gh", at=now, impact="apocalyptic")


def test_event_is_frozen_and_hashable() -> None:
    event = ChangeEvent(kind="source_failing", source_id="gh", at=datetime(2024, 1, 1, tzinfo=UTC))
    with pytest.raises(ValidationError):
        event.detail = "changed"  # type: ignore[misc]
    assert hash(event) == hash(event.model_copy())


def test_event_kinds_match_the_literal() -> None:
    assert set(EVENT_KINDS) == set(typing.get_args(EventKind))
    for kind in EVENT_KINDS:
        ChangeEvent(kind=kind, source_id="s", at=datetime(2024, 1, 1, tzinfo=UTC))
