"""Building an ``Overview``: stored records made into views and judged by ``domain.assessment``.

The reads (``read_board``, ``source_views``, ``probe_views``) are meant to run inside one
``store.reading()`` held by the caller (``engine.rounds``), so every pane comes from one moment
of the store; the signals are then computed from what was read, without reading again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from watchtui.domain import assessment
from watchtui.domain.assessment import Health
from watchtui.domain.model import Impact, IncidentUpdate
from watchtui.engine.overview import (
    ComponentView,
    IncidentView,
    Overview,
    ProbeView,
    SourceView,
    StreamItem,
    count_open,
)
from watchtui.signals.disagreements import disagreements
from watchtui.signals.findings import CorrelationHint, Disagreement
from watchtui.signals.hints import correlate
from watchtui.signals.scope import probe_region, resolve_region

if TYPE_CHECKING:
    from watchtui.config import ProbeSpec, SourceSpec
    from watchtui.store import ProbeState, SourceRecord, Store, StoredComponent, StoredIncident

__all__ = ["Board", "OverviewBuilder"]


@dataclass(frozen=True)
class Board:
    """What only an ingest changes: the components, what is on the board (``on_board``, as
    stored, and as views) and the update stream."""

    read_at: datetime
    stored_components: tuple[StoredComponent, ...]
    on_board: tuple[StoredIncident, ...]
    components: tuple[ComponentView, ...]
    open_incidents: tuple[IncidentView, ...]
    stream: tuple[StreamItem, ...]


class OverviewBuilder:
    """Views of what the store holds about the configured sources and probes."""

    # How far back the update stream reaches, and how many rows it keeps.
    STREAM_DAYS = 7
    STREAM_LIMIT = 400

    def __init__(
        self,
        store: Store,
        specs: Mapping[str, SourceSpec],
        probe_specs: Sequence[ProbeSpec],
        watched: frozenset[str],
    ) -> None:
        self.store = store
        self.specs = dict(specs)
        self.probe_specs = tuple(probe_specs)
        self.watched = watched
        self.names = {spec_id: spec.name for spec_id, spec in self.specs.items()}
        self.kinds = {spec_id: spec.kind for spec_id, spec in self.specs.items()}

    def name(self, source_id: str) -> str:
        return self.names.get(source_id, source_id)

    def kind(self, source_id: str) -> str:
        return self.kinds.get(source_id, "")

    # --- one record, one view ----------------------------------------------------------------

    def incident_view(self, stored: StoredIncident) -> IncidentView:
        kind = self.kind(stored.source_id)
        return IncidentView(
            source_id=stored.source_id,
            provider=self.name(stored.source_id),
            incident=stored.incident,
            is_maintenance=stored.is_maintenance,
            resolution_inferred=stored.resolution_inferred,
            regions=tuple(resolve_region(kind, r) for r in stored.incident.regions),
        )

    def component_view(self, stored: StoredComponent) -> ComponentView:
        component, kind = stored.component, self.kind(stored.source_id)
        return ComponentView(
            source_id=stored.source_id,
            provider=self.name(stored.source_id),
            id=component.id,
            name=component.name,
            group=component.group,
            status=component.status,
            regions=tuple(resolve_region(kind, r) for r in component.regions),
            updated_at=stored.updated_at,
            only_show_if_degraded=component.only_show_if_degraded,
        )

    # --- reads (inside the caller's ``store.reading()``) ------------------------------------

    def read_board(self, now: datetime) -> Board:
        components = tuple(c for c in self.store.components() if c.source_id in self.specs)
        on_board = tuple(
            s
            for s in self.store.incidents(open_only=True)
            if s.source_id in self.specs
            and assessment.on_board(s.incident, is_maintenance=s.is_maintenance)
        )
        open_incidents = tuple(self.incident_view(s) for s in on_board)
        return Board(
            read_at=now,
            stored_components=components,
            on_board=on_board,
            components=tuple(self.component_view(c) for c in components),
            open_incidents=open_incidents,
            stream=tuple(self._stream(now, open_incidents)),
        )

    def _stream(self, now: datetime, open_incidents: Sequence[IncidentView]) -> list[StreamItem]:
        """The newest updates across sources, plus the latest update of every open incident
        however old (a long-running incident must not vanish from the stream).  Reads only the
        updates shown and their incidents' metadata: first paint must not load a week of full
        timelines."""
        since = now - timedelta(days=self.STREAM_DAYS)
        # The newest STREAM_LIMIT updates usually fill the stream; else up to twice as many are
        # read, of which the first STREAM_LIMIT that belong in it are shown.
        items, read = self._newest_updates(since, self.STREAM_LIMIT)
        if len(items) < self.STREAM_LIMIT and read == self.STREAM_LIMIT:
            items, _ = self._newest_updates(since, self.STREAM_LIMIT * 2)
        shown = {item.incident_key for item in items}
        for view in open_incidents:
            if view.is_maintenance or view.key in shown:
                continue
            updates = view.incident.updates
            # An open incident is on the board whether or not its source has said anything
            # since opening it.
            items.append(_stream_item(view, updates[0] if updates else None))
        items.sort(key=lambda item: item.update.at, reverse=True)
        return items

    def _newest_updates(self, since: datetime, limit: int) -> tuple[list[StreamItem], int]:
        """Stream items of the newest ``limit`` updates since ``since`` whose incident is shown:
        not a maintenance, of a configured source, and active since ``since``; and how many
        updates were read."""
        updates = self.store.recent_updates(limit, since=since)
        if not updates:
            return [], 0
        # Their incidents: those active since the oldest update read (a few dozen) hold nearly
        # all; the whole window is read only when one is missing (an update published after
        # its incident was resolved, such as a postmortem).
        incidents = self._incidents_active_since(updates[-1].update.at)
        wanted = [
            (r.source_id, r.incident_id)
            for r in updates
            if r.source_id in self.specs and not r.is_maintenance
        ]
        if any(key not in incidents for key in wanted):
            incidents = self._incidents_active_since(since)
        items: list[StreamItem] = []
        for recent in updates:
            stored = incidents.get((recent.source_id, recent.incident_id))
            if stored is None:
                continue  # a maintenance, or a source no longer configured
            view = self.incident_view(stored)
            items.append(_stream_item(view, recent.update, recent.impact))
            if len(items) == self.STREAM_LIMIT:
                break
        return items, len(updates)

    def _incidents_active_since(self, since: datetime) -> dict[tuple[str, str], StoredIncident]:
        """The configured sources' incidents (no maintenances) active at or after ``since``,
        without their updates."""
        return {
            (s.source_id, s.incident.id): s
            for s in self.store.incidents(since=since, with_updates=False, maintenance=False)
            if s.source_id in self.specs
        }

    def source_views(
        self, now: datetime, board: Board, records: Sequence[SourceRecord]
    ) -> tuple[SourceView, ...]:
        by_source: dict[str, list[IncidentView]] = {}
        for view in board.open_incidents:
            by_source.setdefault(view.source_id, []).append(view)
        components: dict[str, list[StoredComponent]] = {}
        for component in board.stored_components:
            components.setdefault(component.source_id, []).append(component)
        return tuple(
            self._source_view(
                record, now, by_source.get(record.id, []), components.get(record.id, [])
            )
            for record in records
            if record.id in self.specs
        )

    def _source_view(
        self,
        record: SourceRecord,
        now: datetime,
        on_board: Sequence[IncidentView],
        components: Sequence[StoredComponent],
    ) -> SourceView:
        """A source's health and impact, judged by ``domain.assessment`` from its incidents on
        the board and its current components."""
        spec = self.specs[record.id]
        stats = self.store.fetch_stats(record.id)
        health: Health = (
            "disabled"
            if not record.enabled
            else self.store.health(record.id, now, timedelta(seconds=spec.interval))
        )
        impacts = [v.incident.impact for v in on_board]
        statuses = [c.component.status for c in components]
        return SourceView(
            id=record.id,
            name=spec.name,
            kind=spec.kind,
            url=spec.base_url,
            interval=spec.interval,
            health=health,
            last_success_at=stats.last_success_at,
            last_attempt_at=stats.last_attempt_at,
            last_error=stats.last_error if health in ("failing", "drifted", "stale") else None,
            latency_ms=stats.mean_latency_ms,
            not_modified_share=stats.not_modified_share,
            enabled=record.enabled,
            impact=assessment.source_impact(health, impacts, statuses, record.page_indicator),
            known_impact=assessment.known_impact(impacts, statuses, record.page_indicator),
            open_incidents=count_open(on_board),
            note=stats.last_note,
        )

    def probe_views(self, states: Mapping[str, ProbeState]) -> tuple[ProbeView, ...]:
        if not self.probe_specs:
            return ()
        from watchtui.probes import probe_label

        views = []
        for spec in self.probe_specs:
            state = states.get(spec.id)
            results = self.store.probe_results(spec.id, limit=30)
            views.append(
                ProbeView(
                    id=spec.id,
                    label=probe_label(spec),
                    type=spec.type,
                    target=spec.target,
                    state=state.state if state else "unknown",
                    since=state.since if state else None,
                    provider=spec.provider,
                    provider_name=self.name(spec.provider) if spec.provider else None,
                    service=spec.service,
                    region=probe_region(spec, self.kind(spec.provider or "")),
                    last_error=state.last_error if state else None,
                    latency_ms=results[-1].latency_ms if results else None,
                    # A failed run's latency (a fast HTTP 500) is not a healthy data point.
                    latencies=tuple(r.latency_ms if r.ok else None for r in results),
                )
            )
        return tuple(views)

    # --- no reads ----------------------------------------------------------------------------

    def signals(
        self,
        now: datetime,
        board: Board,
        sources: Sequence[SourceView],
        states: Mapping[str, ProbeState],
    ) -> tuple[tuple[Disagreement, ...], tuple[CorrelationHint, ...]]:
        """Disagreements between probes and providers, and cross-provider hints."""
        if not self.probe_specs and len({s.source_id for s in board.on_board}) < 2:
            return (), ()
        # What watchtui cannot see now makes no claim (a source not even registered yet has
        # never been read).
        seen = {source.id for source in sources if not source.blind}
        found = disagreements(
            self.probe_specs,
            states,
            board.stored_components,
            board.on_board,
            self.kinds,
            now,
            unhealthy=self.specs.keys() - seen,
            names=self.names,
        )
        down = [
            (spec, states[spec.id])
            for spec in self.probe_specs
            if spec.id in states and states[spec.id].state == "down"
        ]
        hints = correlate(board.on_board, down, source_kinds=self.kinds, names=self.names)
        return tuple(found), tuple(hints)

    def overview(
        self,
        now: datetime,
        board: Board,
        sources: tuple[SourceView, ...],
        probes: tuple[ProbeView, ...],
        found: tuple[Disagreement, ...],
        hints: tuple[CorrelationHint, ...],
    ) -> Overview:
        return Overview(
            generated_at=now,
            sources=sources,
            components=board.components,
            open_incidents=board.open_incidents,
            stream=board.stream,
            watched=self.watched,
            probes=probes,
            disagreements=found,
            hints=hints,
        )


def _stream_item(
    view: IncidentView, update: IncidentUpdate | None, impact: Impact | None = None
) -> StreamItem:
    """``update`` of the incident ``view``; None: an open incident with no update published yet,
    shown by a stand-in at its start.  ``impact``: the one the update was published under (the
    incident's now when unknown)."""
    incident = view.incident
    return StreamItem(
        source_id=view.source_id,
        provider=view.provider,
        incident_id=incident.id,
        incident_title=incident.title,
        impact=impact or incident.impact,
        is_open=incident.is_open,
        update=update
        or IncidentUpdate(id="", at=incident.started_at, status=incident.status, text=""),
        regions=view.regions,
        components=incident.components,
        placeholder=update is None,
    )
