"""``source_stale`` events: the store reports a source failing or drifting as it records the
fetch, but staleness comes from the clock (no success for a few intervals), so it is noticed by
whoever looks at the sources' health each round."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from watchtui.config import SourceSpec
from watchtui.domain.assessment import Health
from watchtui.domain.events import ChangeEvent
from watchtui.store import STALE_INTERVALS

__all__ = ["StalenessWatch"]


class StalenessWatch:
    """Says ``source_stale`` once per spell of staleness."""

    def __init__(self) -> None:
        self._reported: set[str] = set()

    def events(
        self, sources: Iterable[SourceSpec], healths: Mapping[str, Health], now: datetime
    ) -> list[ChangeEvent]:
        """From the ``healths`` of this round (source id -> health), for ``sources``."""
        events = []
        for spec in sources:
            if healths.get(spec.id) != "stale":
                self._reported.discard(spec.id)
            elif spec.id not in self._reported:
                self._reported.add(spec.id)
                events.append(
                    ChangeEvent(
                        kind="source_stale",
                        source_id=spec.id,
                        at=now,
                        title=spec.name,
                        detail=f"no successful fetch for {STALE_INTERVALS} intervals",
                    )
                )
        return events
