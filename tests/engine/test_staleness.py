from __future__ import annotations

from datetime import UTC, datetime

from watchtui.config import SourceSpec
from watchtui.engine.staleness import StalenessWatch

NOW = datetime(2026, 7, 29, 12, 0, tzinfo=UTC)
SPEC = SourceSpec(
    id="test", name="Test", kind="rss", base_url="https://t", interval=60, endpoints=()
)


def test_staleness_is_said_once_per_spell() -> None:
    watch = StalenessWatch()
    (event,) = watch.events([SPEC], {"test": "stale"}, NOW)
    assert (event.kind, event.source_id, event.title) == ("source_stale", "test", "Test")
    assert event.detail == "no successful fetch for 3 intervals"
    assert watch.events([SPEC], {"test": "stale"}, NOW) == []
    assert watch.events([SPEC], {"test": "fresh"}, NOW) == []
    assert len(watch.events([SPEC], {"test": "stale"}, NOW)) == 1
    # A source no longer watched, or not read this round, is not stale.
    assert watch.events([SPEC], {}, NOW) == []
