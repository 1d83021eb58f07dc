"""The engine interface the app is handed: everything the UI may ask of the data layer.

The app never touches the store or the network directly; it calls these methods from workers
(blocking ones in thread workers, ``poll`` in an async worker).  Tests hand the app a fake.

Importing this module imports the domain and the overview's plain dataclasses, nothing more: no
store, no poller, no httpx.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Literal, NoReturn, Protocol

from watchtui.domain.events import ChangeEvent
from watchtui.engine.overview import IncidentView, Overview, SourceView

if TYPE_CHECKING:
    # Only named in annotations: importing the store package would open its whole machinery.
    from watchtui.store import ProbePeriod, ProbeResult

__all__ = ["ProbeHistory", "RoundFailed", "WatchEngine", "WatchKind"]

WatchKind = Literal["provider", "component", "region"]


class RoundFailed(Exception):
    """``poll`` when something in the round failed beyond one source's own outcome (the store
    refused a write, a bug) after the round's other fetches were done and recorded: ``events``
    is what those found, so their news is not lost with the round; ``cause`` is what failed,
    and what the round's failure says."""

    def __init__(self, cause: Exception, events: list[ChangeEvent]) -> None:
        super().__init__(str(cause))
        self.cause = cause
        self.events = events

    def raise_cause(self) -> NoReturn:
        """Raise what failed, as it was raised: raised while this is handled, it would take
        this as its context; its own context and cause are kept for the traceback."""
        cause = self.cause
        context, suppress = cause.__context__, cause.__suppress_context__
        try:
            raise cause
        finally:
            cause.__context__, cause.__suppress_context__ = context, suppress


@dataclass(frozen=True)
class ProbeHistory:
    """One probe's recent past, for the probes screen.

    ``results``: the newest runs at or after ``since``, oldest first (sparkline order; a failed
    run that got no answer has ``latency_ms=None``).  ``periods``: the up/down periods overlapping
    ``since`` .. now, oldest first (the last one has ``ended_at=None`` while it lasts).
    """

    probe_id: str
    since: datetime
    results: tuple[ProbeResult, ...] = ()
    periods: tuple[ProbePeriod, ...] = ()


class WatchEngine(Protocol):
    # --- reads (blocking: call from a thread worker) ---------------------------------------
    def overview(self) -> Overview:
        """Current state of everything, from the store (works offline, on cached data)."""
        ...

    def incident(self, source_id: str, incident_id: str) -> IncidentView | None: ...

    def incidents_for(
        self,
        *,
        source_id: str | None = None,
        component: str | None = None,
        geography: str | None = None,
        limit: int = 200,
    ) -> list[IncidentView]:
        """Current and past incidents of a provider, one of its components, or a geography."""
        ...

    def history(
        self,
        since: datetime,
        until: datetime | None = None,
        *,
        source_id: str | None = None,
        text: str | None = None,
    ) -> list[IncidentView]: ...

    def daily_counts(self, since: datetime, until: datetime) -> dict[str, list[int]]:
        """Incidents started per UTC day per provider name, for sparklines (oldest day first)."""
        ...

    def sources(self) -> list[SourceView]: ...

    def probe_history(self, probe_id: str, since: datetime, *, limit: int = 240) -> ProbeHistory:
        """A probe's last ``limit`` results since ``since`` and its up/down periods since then."""
        ...

    def external_change(self) -> bool:
        """True when another process wrote to the store since the last call (cheap)."""
        ...

    def check_store(self) -> str | None:
        """The whole-file store check a fast start leaves for after the first frame (blocking;
        once): None when sound, else what to say (a corrupt store was moved aside)."""
        ...

    # --- actions ------------------------------------------------------------------------------
    async def poll(self, *, force: bool = False, source_id: str | None = None) -> list[ChangeEvent]:
        """One polling round over the sources that are due (all of them with ``force``);
        ``RoundFailed`` when part of it failed."""
        ...

    def set_source_enabled(self, source_id: str, enabled: bool) -> None: ...

    def add_catalog_source(self, provider_id: str) -> SourceView: ...

    def toggle_watch(self, kind: WatchKind, value: str) -> bool:
        """Add or remove ``value`` from the watchlist (saved to the config); True if now watched."""
        ...
