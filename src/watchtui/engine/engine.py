"""The real engine: a ``Store`` for reads, a ``Poller`` for fetching, the config for edits.

Each polling round reads the store once (``engine.rounds``): the overview of that round, its
sources' health and its signals come from that one read, are turned into the round's events, and
are what ``overview()`` hands out until the store or the clock changes them.

The first overview needs the store and the config only: the poller (httpx, TLS), the probe runner,
the catalog and the config editor are imported when first used, so a screen's first frame does
not wait for the network stack.  ``check_store`` runs the store's whole-file integrity check that a
fast start leaves for later (``Store.open(check=False)``).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from watchtui.config import Config, ProbeSpec, canonical_watchlist, resolve_sources
from watchtui.domain.clock import utcnow
from watchtui.domain.events import ChangeEvent
from watchtui.engine.overview import IncidentView, Overview, SourceView, open_first
from watchtui.engine.overview_builder import OverviewBuilder
from watchtui.engine.protocol import ProbeHistory, RoundFailed, WatchKind
from watchtui.engine.rounds import NO_INGEST, Quiet, Round, refresh
from watchtui.engine.staleness import StalenessWatch
from watchtui.signals.disagreements import disagreement_events
from watchtui.signals.findings import CorrelationHint, Disagreement
from watchtui.signals.hints import correlation_events
from watchtui.store import PruneCounts, Store, StoreError, days_before

# History older than ``store.retention_days`` is deleted at the first poll and then once a day,
# by whichever process polls (the watch screen as much as ``collect``); a failed prune fails its
# round and is tried again an hour later, the rounds in between polling as usual.
PRUNE_EVERY = timedelta(days=1)
PRUNE_RETRY = timedelta(hours=1)

if TYPE_CHECKING:
    from watchtui.config import Mutation
    from watchtui.engine.poller import EndpointOutcome, Poller
    from watchtui.probes import ProbeRunner

__all__ = ["Engine"]


class Engine:
    """Implements ``engine.protocol.WatchEngine`` over a store, a poller and a config file."""

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
        self._poller = poller
        self._probe_runner: ProbeRunner | None = None
        # Creating the poller or the probe runner imports the network stack: done on first use.
        self._parts_lock = threading.Lock()
        self.probe_specs = _linked(config.probes)
        self._data_version = store.data_version()
        self._polls = 0  # polling rounds in flight
        # Rounds are refreshed from the UI's overview worker and from polls at once.
        self._lock = threading.Lock()
        self._builder = self._make_builder()
        self._round: Round | None = None
        self._staleness = StalenessWatch()
        # What the last poll saw, so only changes become events (seeded at start, so a restart
        # does not announce everything again).
        self._previous_disagreements: Sequence[Disagreement] | None = None
        self._previous_hints: Sequence[CorrelationHint] | None = None
        self._next_prune: datetime | None = None

    @property
    def poller(self) -> Poller:
        with self._parts_lock:
            if self._poller is None:
                from watchtui.engine.poller import Poller

                self._poller = Poller(self.store, list(self.specs.values()), clock=self.clock)
            return self._poller

    @poller.setter
    def poller(self, poller: Poller) -> None:
        self._poller = poller

    @property
    def probe_runner(self) -> ProbeRunner:
        owner = self.poller.owner
        with self._parts_lock:
            if self._probe_runner is None:
                from watchtui.probes import ProbeRunner

                self._probe_runner = ProbeRunner(owner=owner)
            return self._probe_runner

    def _make_builder(self) -> OverviewBuilder:
        watchlist = canonical_watchlist(self.config.watchlist, self.specs)
        watched = frozenset([*watchlist.providers, *watchlist.components, *watchlist.regions])
        return OverviewBuilder(self.store, self.specs, self.probe_specs, watched)

    def _reconfigured(self) -> None:
        """The config changed what is shown: the next read builds everything anew."""
        with self._lock:
            self._builder = self._make_builder()
            self._round = None

    def _refresh(self, quiet: Quiet | None = None) -> Round:
        with self._lock:
            self._round = refresh(self._builder, self._round, self.clock(), quiet)
            return self._round

    # --- reads -----------------------------------------------------------------------------

    def overview(self) -> Overview:
        # One read transaction at most: every pane, count and judgement comes from one moment of
        # the store, even while a collector in another process writes.
        current = self._refresh()
        self._data_version = current.version
        return current.overview

    def sources(self) -> list[SourceView]:
        return list(self._refresh().overview.sources)

    def incident(self, source_id: str, incident_id: str) -> IncidentView | None:
        stored = self.store.incident(source_id, incident_id)
        return None if stored is None else self._builder.incident_view(stored)

    def incidents_for(
        self,
        *,
        source_id: str | None = None,
        component: str | None = None,
        geography: str | None = None,
        limit: int = 200,
    ) -> list[IncidentView]:
        candidates = self.store.incidents(source_id=source_id, limit=None if geography else limit)
        views = [self._builder.incident_view(s) for s in candidates if s.source_id in self.specs]
        if component is not None:
            views = [v for v in views if component in v.incident.components]
        if geography is not None:
            views = [v for v in views if any(r.geography == geography for r in v.regions)]
        return open_first(views)[:limit]

    def history(
        self,
        since: datetime,
        until: datetime | None = None,
        *,
        source_id: str | None = None,
        text: str | None = None,
    ) -> list[IncidentView]:
        return [
            self._builder.incident_view(s)
            for s in self.store.incidents(since=since, until=until, source_id=source_id, text=text)
        ]

    def daily_counts(self, since: datetime, until: datetime) -> dict[str, list[int]]:
        days = max(1, (until.date() - since.date()).days + 1)
        counts: dict[str, list[int]] = {}
        for stored in self.store.incidents(since=since, until=until, maintenance=False):
            index = (stored.incident.started_at.date() - since.date()).days
            if 0 <= index < days:
                counts.setdefault(self._builder.name(stored.source_id), [0] * days)[index] += 1
        return counts

    def probe_history(self, probe_id: str, since: datetime, *, limit: int = 240) -> ProbeHistory:
        return ProbeHistory(
            probe_id=probe_id,
            since=since,
            results=tuple(self.store.probe_results(probe_id, since, limit)),
            periods=tuple(self.store.probe_periods(probe_id, since)),
        )

    def external_change(self) -> bool:
        if self._polls:
            return False  # this engine is writing; the round's overview follows
        version = self.store.data_version()
        changed = version != self._data_version
        self._data_version = version
        return changed

    # --- actions ---------------------------------------------------------------------------

    def check_store(self) -> str | None:
        """The store's whole-file integrity check, when ``Store.open(check=False)`` left it for
        later (blocking: run it in a thread once the first frame is up; the first ``poll`` runs it
        otherwise).  None when the store is sound or was checked already; else what to tell the
        user: a corrupt store was moved aside and this engine goes on with a fresh one.  Raises
        ``StoreError`` when it may not be moved (a read-only viewer's, a file named by ``--db``
        that watchtui did not make)."""
        aside = self.store.check_integrity()
        if aside is None:
            return None
        # The fresh store knows no source and holds no history: start over on it.
        if self._poller is not None:
            self._poller.reset_registration()
        self._reconfigured()
        return f"the history store was unreadable; moved it to {aside} and started a new one"

    async def poll(self, *, force: bool = False, source_id: str | None = None) -> list[ChangeEvent]:
        if not self.store.integrity_checked:
            # Nobody ran the check the fast start left out: do it before the first fetch, and say
            # what became of a corrupt store through the round's failure.
            notice = await asyncio.to_thread(self.check_store)
            if notice is not None:
                raise StoreError(notice, self.store.path)
        if self.store.readonly:
            # A viewer of another user's store: every write would fail.  The collector fetches;
            # this process picks its commits up through ``external_change``.
            return []
        from watchtui.engine.poller import EndpointsFailed

        self._polls += 1
        failed: EndpointsFailed | None = None
        outcomes: list[EndpointOutcome] = []
        try:
            if source_id is None:  # a one-source refresh is quick, and only that
                await asyncio.to_thread(self.prune_if_due)
            before = self._round
            started = await asyncio.to_thread(self.store.data_version)
            try:
                outcomes = await self.poller.poll_detailed(force=force, source_id=source_id)
            except EndpointsFailed as partly:
                # The rest of the round (probes, staleness, signals) still runs; the failure
                # then comes with everything the round found.
                failed, outcomes = partly, partly.outcomes
            probe_events: list[ChangeEvent] = []
            if source_id is None and self.probe_specs:
                probe_events = await self.probe_runner.run_due(
                    self.store, self.probe_specs, self.poller.client, self.clock()
                )
            # A partly failed round may have stored what its outcomes do not show: read afresh.
            serial = -1 if before is None else before.serial
            quiet = None if failed is not None else _quiet(started, serial, outcomes)
            stale, signals = await asyncio.to_thread(self._round_events, quiet, source_id)
        except Exception as also:
            if failed is None:
                raise
            failed.cause.add_note(f"and then the rest of the round failed: {also!r}")
            raise RoundFailed(failed.cause, failed.events) from failed.cause
        finally:
            self._polls -= 1
        fetched = [event for outcome in outcomes for event in outcome.events]
        events = fetched + stale + probe_events + signals
        if failed is not None:
            raise RoundFailed(failed.cause, events) from failed.cause
        return events

    def prune_if_due(self) -> PruneCounts | None:
        """Delete what is older than ``store.retention_days`` when a day has passed since the last
        prune (blocking; ``poll`` runs it in a thread).  None when not due."""
        now = self.clock()
        if self._next_prune is not None and now < self._next_prune:
            return None
        self._next_prune = now + PRUNE_RETRY
        counts = self.store.prune(days_before(now, self.config.store.retention_days))
        self._next_prune = now + PRUNE_EVERY
        return counts

    def _round_events(
        self, quiet: Quiet | None, source_id: str | None = None
    ) -> tuple[list[ChangeEvent], list[ChangeEvent]]:
        """The round's staleness and signal events, from the round's one read of the store.
        Refreshing one source reports only that source's staleness (the others wait for their
        own round)."""
        current = self._refresh(quiet)
        # The round's own writes are in what it read: not news for ``external_change``.
        self._data_version = current.version
        overview = current.overview
        now = self.clock()
        healths = {source.id: source.health for source in overview.sources}
        specs = [self.specs[source_id]] if source_id in self.specs else self.specs.values()
        stale = self._staleness.events(specs, healths, now)
        found, hints = overview.disagreements, overview.hints
        events: list[ChangeEvent] = []
        if self._previous_disagreements is not None:
            events += disagreement_events(self._previous_disagreements, found, now)
        if self._previous_hints is not None:
            events += correlation_events(self._previous_hints, hints)
        self._previous_disagreements, self._previous_hints = found, hints
        return stale, events

    def set_source_enabled(self, source_id: str, enabled: bool) -> None:
        """Switch a source on or off in the config (it lasts: the next start registers it as the
        config says) and in the store (this poller's next round already sees it)."""
        from watchtui.config import set_source_enabled

        saved = self._edit_config(lambda doc: set_source_enabled(doc, source_id, enabled))
        self.config = self.config.model_copy(
            update={"watch": saved.watch, "sources": saved.sources}
        )
        self.specs = {spec.id: spec for spec in resolve_sources(self.config)}
        if self._poller is not None:
            self._poller.sources = list(self.specs.values())
        self.store.set_source_enabled(source_id, enabled)
        self._reconfigured()

    def _edit_config(self, mutate: Mutation[object]) -> Config:
        """The config after ``mutate``: saved under the file lock, so another watchtui's edit in
        between is kept; an engine without a file (tests, demo) edits a copy in memory."""
        from watchtui.config import apply_edit, edit_config

        if self.config_file is None:
            return apply_edit(self.config, mutate).config
        return edit_config(self.config_file, mutate).config

    def add_catalog_source(self, provider_id: str) -> SourceView:
        from watchtui import catalog
        from watchtui.config import watch_provider

        entry = catalog.get(provider_id)
        if entry is None or not entry.pollable:
            raise ValueError(f"{provider_id!r} is not a pollable catalog provider")
        provider_id = entry.id
        saved = self._edit_config(lambda doc: watch_provider(doc, provider_id))
        self.config = self.config.model_copy(update={"watch": saved.watch})
        self.specs = {spec.id: spec for spec in resolve_sources(self.config)}
        if self._poller is not None:  # else it starts with these
            self._poller.sources = list(self.specs.values())
            self._poller.reset_registration()
        spec = self.specs[entry.id]
        self.store.upsert_source(
            spec.id,
            kind=spec.kind,
            url=spec.base_url,
            name=spec.name,
            interval=timedelta(seconds=spec.interval),
        )
        self._reconfigured()
        return next(s for s in self.sources() if s.id == spec.id)

    def toggle_watch(self, kind: WatchKind, value: str) -> bool:
        """Watch conventions: provider -> source id; component -> "source_id:Component name";
        region -> canonical geography (``eu-west``)."""
        from watchtui.config import set_watchlist_member

        key = {"provider": "providers", "component": "components", "region": "regions"}[kind]
        # The intent comes from what this engine shows; the file may have moved on meanwhile.
        watched = value not in getattr(self.config.watchlist, key)
        saved = self._edit_config(lambda doc: set_watchlist_member(doc, key, value, watched))
        self.config = self.config.model_copy(update={"watchlist": saved.watchlist})
        self._reconfigured()
        return watched


def _linked(probes: Sequence[ProbeSpec]) -> list[ProbeSpec]:
    """The probes, each tied to the provider it depends on (``probes.link_provider``)."""
    if not probes:
        return []  # nothing to import the probes package for
    from watchtui.probes import link_provider

    return [link_provider(p) for p in probes]


def _quiet(started: int, after: int, outcomes: Sequence[EndpointOutcome]) -> Quiet | None:
    """What the round says about the board: None when one of its fetches ingested something."""
    if any(outcome.outcome not in NO_INGEST for outcome in outcomes):
        return None
    fetched = frozenset(o.url for o in outcomes if o.outcome != "skipped")
    return Quiet(started, after, fetched)
