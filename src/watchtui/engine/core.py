"""The engine interface the app is handed: everything the UI may ask of the data layer.

The app never touches the store or the network directly; it calls these methods from workers
(blocking ones in thread workers, ``poll`` in an async worker).  Tests hand the app a fake.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Literal, Protocol

from watchtui import catalog
from watchtui.config import (
    Config,
    Mutation,
    apply_edit,
    edit_config,
    resolve_sources,
    set_watchlist_member,
    watch_provider,
)
from watchtui.domain import assessment
from watchtui.domain.assessment import Health
from watchtui.domain.events import ChangeEvent
from watchtui.domain.model import IncidentUpdate, Region
from watchtui.domain.regions import GEOGRAPHIES, geography_name
from watchtui.engine.overview import (
    ComponentView,
    DisagreementView,
    HintView,
    IncidentView,
    Overview,
    ProbeView,
    SourceView,
    StreamItem,
    resolve_region,
)
from watchtui.engine.poller import Poller, utcnow
from watchtui.probes import ProbeRunner, link_provider, probe_label
from watchtui.signals.correlate import (
    CorrelationHint,
    Disagreement,
    correlate,
    correlation_events,
    disagreement_events,
    disagreements,
)
from watchtui.store import (
    ProbePeriod,
    ProbeResult,
    SourceRecord,
    Store,
    StoredComponent,
    StoredIncident,
)

WatchKind = Literal["provider", "component", "region"]


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

    # --- actions ------------------------------------------------------------------------------
    async def poll(self, *, force: bool = False, source_id: str | None = None) -> list[ChangeEvent]:
        """One polling round over the sources that are due (all of them with ``force``)."""
        ...

    def set_source_enabled(self, source_id: str, enabled: bool) -> None: ...

    def add_catalog_source(self, provider_id: str) -> SourceView: ...

    def toggle_watch(self, kind: WatchKind, value: str) -> bool:
        """Add or remove ``value`` from the watchlist (saved to the config); True if now watched."""
        ...


class Engine:
    """The real engine: a ``Store`` for reads, a ``Poller`` for fetching, the config for edits."""

    # How far back the update stream reaches, and how many rows it keeps.
    STREAM_DAYS = 7
    STREAM_LIMIT = 400

    def __init__(
        self,
        store: Store,
        config: Config,
        *,
        config_file: Path | None = None,
        poller: Poller | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.store = store
        self.config = config
        self.config_file = config_file
        self.clock = clock
        self.specs = {spec.id: spec for spec in resolve_sources(config)}
        self.poller = poller or Poller(store, list(self.specs.values()), clock=clock)
        self.probe_specs = [link_provider(p) for p in config.probes]
        self.probe_runner = ProbeRunner(owner=self.poller.owner)
        self._data_version = store.data_version()
        # What the last poll saw, so only changes become events (seeded at start, so a restart
        # does not announce everything again).
        self._previous_disagreements: list[Disagreement] | None = None
        self._previous_hints: list[CorrelationHint] | None = None

    # --- helpers ---------------------------------------------------------------------------

    def _name(self, source_id: str) -> str:
        spec = self.specs.get(source_id)
        return spec.name if spec else source_id

    def _kind(self, source_id: str) -> str:
        spec = self.specs.get(source_id)
        return spec.kind if spec else ""

    def _incident_view(self, stored: StoredIncident) -> IncidentView:
        kind = self._kind(stored.source_id)
        return IncidentView(
            source_id=stored.source_id,
            provider=self._name(stored.source_id),
            incident=stored.incident,
            is_maintenance=stored.is_maintenance,
            resolution_inferred=stored.resolution_inferred,
            regions=tuple(resolve_region(kind, r) for r in stored.incident.regions),
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
        spec = self.specs.get(record.id)
        interval = spec.interval if spec else int(record.interval.total_seconds())
        stats = self.store.fetch_stats(record.id)
        health: Health = (
            "disabled"
            if not record.enabled
            else self.store.health(record.id, now, timedelta(seconds=interval))
        )
        impacts = [v.incident.impact for v in on_board]
        statuses = [c.component.status for c in components]
        return SourceView(
            id=record.id,
            name=spec.name if spec else record.name,
            kind=spec.kind if spec else record.kind,
            url=spec.base_url if spec else record.url,
            interval=interval,
            health=health,
            last_success_at=stats.last_success_at,
            last_attempt_at=stats.last_attempt_at,
            last_error=stats.last_error if health in ("failing", "drifted", "stale") else None,
            latency_ms=stats.mean_latency_ms,
            not_modified_share=stats.not_modified_share,
            enabled=record.enabled,
            impact=assessment.source_impact(health, impacts, statuses, record.page_indicator),
            known_impact=assessment.known_impact(impacts, statuses, record.page_indicator),
            open_incidents=sum(1 for v in on_board if not v.is_maintenance),
            note=stats.last_note,
        )

    def _source_views(
        self,
        now: datetime,
        on_board: Sequence[IncidentView],
        components: Sequence[StoredComponent],
    ) -> list[SourceView]:
        board_by_source: dict[str, list[IncidentView]] = {}
        for view in on_board:
            board_by_source.setdefault(view.source_id, []).append(view)
        components_by_source: dict[str, list[StoredComponent]] = {}
        for component in components:
            components_by_source.setdefault(component.source_id, []).append(component)
        return [
            self._source_view(
                record,
                now,
                board_by_source.get(record.id, []),
                components_by_source.get(record.id, []),
            )
            for record in self.store.sources()
            if record.id in self.specs
        ]

    def _on_board(self) -> tuple[IncidentView, ...]:
        """Open incidents and maintenances under way (``assessment.on_board``)."""
        return tuple(
            self._incident_view(s)
            for s in self.store.incidents(open_only=True)
            if s.source_id in self.specs
            and assessment.on_board(s.incident, is_maintenance=s.is_maintenance)
        )

    def _signals(
        self,
        open_views: Sequence[IncidentView],
        now: datetime,
        sources: Sequence[SourceView] | None = None,
    ) -> tuple[list[Disagreement], list[CorrelationHint]]:
        """Disagreements between probes and providers, and cross-provider hints."""
        if not self.probe_specs and len({v.source_id for v in open_views}) < 2:
            return [], []
        states = self.store.probe_states()
        kinds = {spec_id: spec.kind for spec_id, spec in self.specs.items()}
        unhealthy = {
            source.id
            for source in (self.sources() if sources is None else sources)
            if source.health in ("stale", "failing", "drifted")
        }
        found = disagreements(
            self.probe_specs,
            states,
            self.store.components(),
            self.store.incidents(open_only=True),
            kinds,
            now,
            unhealthy=unhealthy,
            names={spec_id: spec.name for spec_id, spec in self.specs.items()},
        )
        down = [
            (spec, states[spec.id])
            for spec in self.probe_specs
            if spec.id in states and states[spec.id].state == "down"
        ]
        hints = correlate(open_views, down, source_kinds=kinds)
        return found, hints

    def _probe_views(self) -> tuple[ProbeView, ...]:
        states = self.store.probe_states()
        views = []
        for spec in self.probe_specs:
            state = states.get(spec.id)
            results = self.store.probe_results(spec.id, limit=30)
            kind = self._kind(spec.provider) if spec.provider else ""
            views.append(
                ProbeView(
                    id=spec.id,
                    label=probe_label(spec),
                    type=spec.type,
                    target=spec.target,
                    state=state.state if state else "unknown",
                    since=state.since if state else None,
                    provider=spec.provider,
                    provider_name=self._name(spec.provider) if spec.provider else None,
                    service=spec.service,
                    region=self._probe_region(kind, spec.region),
                    last_error=state.last_error if state else None,
                    latency_ms=results[-1].latency_ms if results else None,
                    # A failed run's latency (a fast HTTP 500) is not a healthy data point.
                    latencies=tuple(r.latency_ms if r.ok else None for r in results),
                )
            )
        return tuple(views)

    @staticmethod
    def _probe_region(kind: str, region: str | None) -> Region | None:
        """A probe's region is a provider region code or a canonical geography (``eu-west``)."""
        if not region:
            return None
        if region in GEOGRAPHIES:
            return Region(
                provider="geography", code=region, name=geography_name(region), geography=region
            )
        return resolve_region(kind, region)

    def _disagreement_view(self, found: Disagreement, kind: str) -> DisagreementView:
        return DisagreementView(
            key=found.key,
            probe_id=found.probe_id,
            provider=found.provider,
            kind=found.kind,
            since=found.since,
            message=found.message,
            region=self._probe_region(kind, found.region),
        )

    # --- reads -----------------------------------------------------------------------------

    def sources(self) -> list[SourceView]:
        with self.store.reading():
            return self._source_views(self.clock(), self._on_board(), self.store.components())

    def overview(self) -> Overview:
        now = self.clock()
        self._data_version = self.store.data_version()
        # One read transaction: every pane, count and judgement comes from one moment of the
        # store, even while a collector in another process writes.
        with self.store.reading():
            return self._overview(now)

    def _overview(self, now: datetime) -> Overview:
        stored_components = [c for c in self.store.components() if c.source_id in self.specs]
        components = tuple(
            ComponentView(
                source_id=c.source_id,
                provider=self._name(c.source_id),
                id=c.component.id,
                name=c.component.name,
                group=c.component.group,
                status=c.component.status,
                regions=tuple(
                    resolve_region(self._kind(c.source_id), r) for r in c.component.regions
                ),
                updated_at=c.updated_at,
                only_show_if_degraded=c.component.only_show_if_degraded,
            )
            for c in stored_components
        )
        open_incidents = self._on_board()
        stream = tuple(self._stream(now, open_incidents))
        sources = tuple(self._source_views(now, open_incidents, stored_components))
        # The source list is read once: health takes several queries per source.
        found, hints = self._signals(open_incidents, now, sources)
        return Overview(
            generated_at=now,
            sources=sources,
            components=components,
            open_incidents=open_incidents,
            stream=stream,
            watched=frozenset(self._watched_values()),
            probes=self._probe_views(),
            disagreements=tuple(self._disagreement_view(d, self._kind(d.provider)) for d in found),
            hints=tuple(
                HintView(
                    key=h.key,
                    geography=h.geography,
                    text=h.text,
                    started_at=h.started_at,
                    providers=h.provider_names,
                    incident_keys=h.incident_keys,
                )
                for h in hints
            ),
        )

    def _stream(self, now: datetime, open_incidents: Sequence[IncidentView]) -> list[StreamItem]:
        """The newest updates across sources, plus the latest update of every open incident
        however old (a long-running incident must not vanish from the stream).  Reads only the
        updates shown and their incidents' metadata: first paint must not load a week of full
        timelines."""
        since = now - timedelta(days=self.STREAM_DAYS)
        incidents = {
            (s.source_id, s.incident.id): s
            for s in self.store.incidents(since=since, with_updates=False, maintenance=False)
            if s.source_id in self.specs
        }
        items: list[StreamItem] = []
        for recent in self.store.recent_updates(self.STREAM_LIMIT * 2, since=since):
            stored = incidents.get((recent.source_id, recent.incident_id))
            if stored is None:
                continue  # a maintenance, or a source no longer configured
            incident = stored.incident
            items.append(
                StreamItem(
                    source_id=recent.source_id,
                    provider=self._name(recent.source_id),
                    incident_id=incident.id,
                    incident_title=incident.title,
                    impact=incident.impact,
                    is_open=incident.is_open,
                    update=recent.update,
                    regions=tuple(
                        resolve_region(self._kind(recent.source_id), r) for r in incident.regions
                    ),
                    components=incident.components,
                )
            )
            if len(items) == self.STREAM_LIMIT:
                break
        shown = {item.incident_key for item in items}
        for view in open_incidents:
            if view.is_maintenance or view.key in shown:
                continue
            updates = view.incident.updates
            # An open incident is on the board whether or not its source has said anything
            # since opening it.
            items.append(
                StreamItem(
                    source_id=view.source_id,
                    provider=view.provider,
                    incident_id=view.incident.id,
                    incident_title=view.incident.title,
                    impact=view.incident.impact,
                    is_open=True,
                    update=updates[0] if updates else _no_update_yet(view),
                    regions=view.regions,
                    components=view.incident.components,
                    placeholder=not updates,
                )
            )
        items.sort(key=lambda item: item.update.at, reverse=True)
        return items

    def _watched_values(self) -> list[str]:
        watchlist = self.config.watchlist
        return [*watchlist.providers, *watchlist.components, *watchlist.regions]

    def incident(self, source_id: str, incident_id: str) -> IncidentView | None:
        stored = self.store.incident(source_id, incident_id)
        return None if stored is None else self._incident_view(stored)

    def incidents_for(
        self,
        *,
        source_id: str | None = None,
        component: str | None = None,
        geography: str | None = None,
        limit: int = 200,
    ) -> list[IncidentView]:
        candidates = self.store.incidents(source_id=source_id, limit=None if geography else limit)
        views = [self._incident_view(s) for s in candidates if s.source_id in self.specs]
        if component is not None:
            views = [v for v in views if component in v.incident.components]
        if geography is not None:
            views = [v for v in views if any(r.geography == geography for r in v.regions)]
        views.sort(key=lambda v: (v.incident.is_open, v.incident.started_at), reverse=True)
        return views[:limit]

    def history(
        self,
        since: datetime,
        until: datetime | None = None,
        *,
        source_id: str | None = None,
        text: str | None = None,
    ) -> list[IncidentView]:
        return [
            self._incident_view(s)
            for s in self.store.incidents(since=since, until=until, source_id=source_id, text=text)
        ]

    def daily_counts(self, since: datetime, until: datetime) -> dict[str, list[int]]:
        days = max(1, (until.date() - since.date()).days + 1)
        counts: dict[str, list[int]] = {}
        for stored in self.store.incidents(since=since, until=until, maintenance=False):
            index = (stored.incident.started_at.date() - since.date()).days
            if 0 <= index < days:
                counts.setdefault(self._name(stored.source_id), [0] * days)[index] += 1
        return counts

    def probe_history(self, probe_id: str, since: datetime, *, limit: int = 240) -> ProbeHistory:
        return ProbeHistory(
            probe_id=probe_id,
            since=since,
            results=tuple(self.store.probe_results(probe_id, since, limit)),
            periods=tuple(self.store.probe_periods(probe_id, since)),
        )

    def external_change(self) -> bool:
        version = self.store.data_version()
        changed = version != self._data_version
        self._data_version = version
        return changed

    # --- actions ---------------------------------------------------------------------------

    async def poll(self, *, force: bool = False, source_id: str | None = None) -> list[ChangeEvent]:
        events = await self.poller.poll(force=force, source_id=source_id)
        if source_id is None and self.probe_specs:
            events += await self.probe_runner.run_due(
                self.store, self.probe_specs, self.poller.client, self.clock()
            )
        events += await asyncio.to_thread(self._signal_events)
        return events

    def _signal_events(self) -> list[ChangeEvent]:
        now = self.clock()
        found, hints = self._signals(self._on_board(), now)
        events: list[ChangeEvent] = []
        if self._previous_disagreements is not None:
            events += disagreement_events(self._previous_disagreements, found, now)
        if self._previous_hints is not None:
            events += correlation_events(self._previous_hints, hints)
        self._previous_disagreements, self._previous_hints = found, hints
        return events

    def set_source_enabled(self, source_id: str, enabled: bool) -> None:
        self.store.set_source_enabled(source_id, enabled)

    def _edit_config(self, mutate: Mutation[object]) -> Config:
        """The config after ``mutate``: saved under the file lock, so another watchtui's edit in
        between is kept; an engine without a file (tests, demo) edits a copy in memory."""
        if self.config_file is None:
            return apply_edit(self.config, mutate).config
        return edit_config(self.config_file, mutate).config

    def add_catalog_source(self, provider_id: str) -> SourceView:
        entry = catalog.get(provider_id)
        if entry is None or not entry.pollable:
            raise ValueError(f"{provider_id!r} is not a pollable catalog provider")
        provider_id = entry.id
        saved = self._edit_config(lambda doc: watch_provider(doc, provider_id))
        self.config = self.config.model_copy(update={"watch": saved.watch})
        self.specs = {spec.id: spec for spec in resolve_sources(self.config)}
        self.poller.sources = list(self.specs.values())
        self.poller.reset_registration()
        spec = self.specs[entry.id]
        self.store.upsert_source(
            spec.id,
            kind=spec.kind,
            url=spec.base_url,
            name=spec.name,
            interval=timedelta(seconds=spec.interval),
        )
        return next(s for s in self.sources() if s.id == spec.id)

    def toggle_watch(self, kind: WatchKind, value: str) -> bool:
        """Watch conventions: provider -> source id; component -> "source_id:Component name";
        region -> canonical geography (``eu-west``)."""
        key = {"provider": "providers", "component": "components", "region": "regions"}[kind]
        # The intent comes from what this engine shows; the file may have moved on meanwhile.
        watched = value not in getattr(self.config.watchlist, key)
        saved = self._edit_config(lambda doc: set_watchlist_member(doc, key, value, watched))
        self.config = self.config.model_copy(update={"watchlist": saved.watchlist})
        return watched


def _no_update_yet(view: IncidentView) -> IncidentUpdate:
    """The stand-in stream row of an open incident with no published update: at its start."""
    incident = view.incident
    return IncidentUpdate(id="", at=incident.started_at, status=incident.status, text="")
