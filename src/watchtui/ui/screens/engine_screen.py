"""What the secondary screens share: the engine, the clock, opening an incident, and the one
place worker failures are reported."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from textual.reactive import reactive
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from watchtui.domain.clock import Clock, utcnow
from watchtui.engine.overview import IncidentView
from watchtui.engine.protocol import WatchEngine
from watchtui.ui.widgets.ascii import ascii_scrollbars

if TYPE_CHECKING:
    from watchtui.ui.screens.incident_list import IncidentTable

OpenIncident = Callable[[IncidentView], None]


class EngineScreen(Screen[None]):
    """A screen over the engine: opens incidents, reports worker failures in one place."""

    failure: reactive[str | None] = reactive(None)

    def __init__(
        self,
        engine: WatchEngine,
        *,
        clock: Clock = utcnow,
        ascii_only: bool = False,
        on_open_incident: OpenIncident | None = None,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.engine = engine
        self.clock = clock
        self.ascii_only = ascii_only
        self._on_open_incident = on_open_incident

    def on_mount(self) -> None:
        # Runs after the subclass's own on_mount (Textual calls every class's handler).
        if self.ascii_only:
            ascii_scrollbars(self)

    def open_incident(self, view: IncidentView) -> None:
        if self._on_open_incident is not None:
            self._on_open_incident(view)
            return
        from watchtui.ui.screens.incident import IncidentScreen  # the app shell's screen

        self.app.push_screen(
            IncidentScreen(
                self.engine,
                self.clock,
                view.source_id,
                view.incident.id,
                ascii_only=self.ascii_only,
            )
        )

    def on_incident_table_open_requested(self, event: IncidentTable.OpenRequested) -> None:
        event.stop()
        self.open_incident(event.view)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:
            what = event.worker.name or "background task"
            self.failure = f"{what} failed: {event.worker.error}"
            self.notify(self.failure, severity="error", markup=False)

    def action_back(self) -> None:
        self.dismiss()
