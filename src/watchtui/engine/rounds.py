"""One picture of the store per round, and when it may be handed out again instead of read anew.

An ``Overview`` depends on the store and on the clock.  A ``Round`` remembers the store's
``data_version`` it was read at and the first moment the clock alone changes it
(``changes_at``: a source turning stale, a probe's last result ceasing to count, a disagreement's
wording saying "for 7 min" instead of "for 6 min", the stream's window moving on), so asking
again while the store is unchanged costs no read at all and returns the same object.

A polling round whose own fetches ingested nothing (answered 304, failed, or skipped) changes only
fetch bookkeeping.  When nothing else wrote between the last read and the round (or the last read
came while the round ran), no source's ingest mark moved and no endpoint the round did not fetch
moved either (another process fetching meanwhile), the board (components, incidents, stream) read
last time still holds: only the sources' bookkeeping and the probes are read again, and the
signals recomputed from memory.  The store has no counter of ingests to ask instead; these marks
are what it records of every fetch.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from watchtui.domain.model import Impact
from watchtui.engine.overview import Overview
from watchtui.engine.overview_builder import Board, OverviewBuilder
from watchtui.signals.disagreements import fresh_until, message_changes_at
from watchtui.store import STALE_INTERVALS, EndpointState, ProbeState

__all__ = ["BOARD_MAX_AGE", "NO_INGEST", "Quiet", "Round", "refresh"]

# A board is read again at least this often, whatever the store says: the stream's seven-day
# window moves with the clock, and a prune elsewhere is not announced.
BOARD_MAX_AGE = timedelta(minutes=5)
# Fetch outcomes (``engine.poller.EndpointOutcome``) after which nothing was ingested.
NO_INGEST = frozenset({"not_modified", "error", "drifted", "skipped"})

# An endpoint's fetch bookkeeping as far as content goes (its lease comes and goes without any).
_EndpointMark = tuple[str | None, str | None, datetime | None, datetime | None, str | None]
_IngestMark = tuple[datetime | None, Impact | None]


@dataclass(frozen=True)
class Quiet:
    """A polling round in which none of this engine's fetches ingested anything: the store's
    version when it started, the serial of the engine's round then (-1: none yet), and the
    endpoint URLs it fetched."""

    version: int
    after: int
    fetched: frozenset[str]


@dataclass(frozen=True)
class Round:
    serial: int  # counts an engine's reads of the store
    version: int  # the store's data_version, taken before reading
    read_at: datetime
    changes_at: datetime
    overview: Overview
    board: Board
    probe_states: Mapping[str, ProbeState]
    endpoints: Mapping[str, _EndpointMark]
    ingests: Mapping[str, _IngestMark]

    def still_true(self, version: int, now: datetime) -> bool:
        return version == self.version and self.read_at <= now < self.changes_at

    def board_holds(
        self,
        quiet: Quiet,
        endpoints: Mapping[str, _EndpointMark],
        ingests: Mapping[str, _IngestMark],
        now: datetime,
    ) -> bool:
        """Whether this round's board is still the store's, after a quiet polling round: read
        while it ran, or before it with nothing written in between."""
        if quiet.version != self.version and self.serial <= quiet.after:
            return False  # someone wrote between this read and the polling round
        if not self.board.read_at <= now < self.board.read_at + BOARD_MAX_AGE:
            return False
        if ingests != self.ingests:
            return False
        others = endpoints.keys() - quiet.fetched
        if others != self.endpoints.keys() - quiet.fetched:
            return False
        # Another process may have fetched (and ingested) while this round ran.
        return all(endpoints[url] == self.endpoints[url] for url in others)


def _mark(state: EndpointState) -> _EndpointMark:
    return (
        state.etag,
        state.last_modified,
        state.last_success_at,
        state.last_attempt_at,
        state.last_outcome,
    )


def refresh(
    builder: OverviewBuilder, previous: Round | None, now: datetime, quiet: Quiet | None = None
) -> Round:
    """The round as of ``now``: ``previous`` itself while nothing it shows has changed, else read
    in one read transaction (keeping ``previous``'s board after a ``quiet`` polling round)."""
    store = builder.store
    # Taken before reading: a write meanwhile makes the next call read again, never the reverse.
    version = store.data_version()
    if previous is not None and previous.still_true(version, now):
        return previous
    with store.reading():
        records = store.sources()
        endpoints = {state.url: _mark(state) for state in store.endpoint_states()}
        ingests = {r.id: (r.last_ingest_at, r.page_indicator) for r in records}
        board = (
            previous.board
            if previous is not None
            and quiet is not None
            and previous.board_holds(quiet, endpoints, ingests, now)
            else builder.read_board(now)
        )
        states = store.probe_states()
        probes = (
            previous.overview.probes
            if previous is not None and previous.probe_states == states
            else builder.probe_views(states)
        )
        sources = builder.source_views(now, board, records)
    found, hints = builder.signals(now, board, sources, states)
    overview = builder.overview(now, board, sources, probes, found, hints)
    if previous is not None and _same(overview, previous.overview):
        overview = previous.overview
    changes_at = _changes_at(builder, now, board, overview, states)
    serial = 0 if previous is None else previous.serial + 1
    return Round(serial, version, now, changes_at, overview, board, states, endpoints, ingests)


def _same(new: Overview, old: Overview) -> bool:
    return replace(new, generated_at=old.generated_at) == old


def _changes_at(
    builder: OverviewBuilder,
    now: datetime,
    board: Board,
    overview: Overview,
    states: Mapping[str, ProbeState],
) -> datetime:
    """The first moment the clock alone may change what ``overview`` shows."""
    # Health and probe freshness flip just after their boundary instant.
    after = timedelta.resolution
    moments = [board.read_at + BOARD_MAX_AGE]
    for source in overview.sources:
        if source.health == "fresh" and source.last_success_at is not None:
            interval = timedelta(seconds=source.interval)
            moments.append(source.last_success_at + STALE_INTERVALS * interval + after)
    for spec in builder.probe_specs:
        state = states.get(spec.id)
        until = None if state is None or spec.provider is None else fresh_until(spec, state)
        if until is not None:
            moments.append(until + after)
    for found in overview.disagreements:
        changes = message_changes_at(found, now)
        if changes is not None:
            moments.append(changes)
    return min((moment for moment in moments if moment > now), default=now + BOARD_MAX_AGE)
