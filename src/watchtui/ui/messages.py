"""Typed messages between the app's workers, its screens and its panes.

Data flows down (the app hands overviews to screens), intent flows up as these messages, so panes
never reach into the app or the engine themselves.
"""

from __future__ import annotations

from textual.message import Message

from watchtui.domain.events import ChangeEvent
from watchtui.engine.overview import Overview


class OverviewLoaded(Message):
    """A fresh ``Overview`` was read from the engine (in a thread worker)."""

    def __init__(self, overview: Overview) -> None:
        super().__init__()
        self.overview = overview


class EventsArrived(Message):
    """A polling round produced change events (notifications are decided from them)."""

    def __init__(self, events: list[ChangeEvent]) -> None:
        super().__init__()
        self.events = events


class OpenIncident(Message):
    """Drill down into one incident."""

    def __init__(self, source_id: str, incident_id: str) -> None:
        super().__init__()
        self.source_id = source_id
        self.incident_id = incident_id


class ShowIncidents(Message):
    """List the incidents of a provider, one of its services, or a geography."""

    def __init__(
        self,
        title: str,
        *,
        source_id: str | None = None,
        component: str | None = None,
        geography: str | None = None,
    ) -> None:
        super().__init__()
        self.title = title
        self.source_id = source_id
        self.component = component
        self.geography = geography


class RegionFilterToggled(Message):
    """The regions pane asks to narrow the other panes to a geography (again: clear)."""

    def __init__(self, geography: str) -> None:
        super().__init__()
        self.geography = geography


class OpenProbe(Message):
    """Show the probes screen with this probe selected."""

    def __init__(self, probe_id: str) -> None:
        super().__init__()
        self.probe_id = probe_id


class RefreshSource(Message):
    """Poll one source now, through the app's own polling (so its news is announced and the
    board follows, as for any round)."""

    def __init__(self, source_id: str, name: str) -> None:
        super().__init__()
        self.source_id = source_id
        self.name = name
