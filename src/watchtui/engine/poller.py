"""Polling: fetch every due endpoint politely, parse off the event loop, ingest into the store.

One shared ``httpx.AsyncClient``; bounded concurrency; conditional requests (a 304 costs no
parsing); Retry-After and exponential backoff on failure; a lease in the store so several watchtui
processes sharing one store fetch each endpoint once per interval in total.

The blocking work runs in two threads of the poller's own, not in asyncio's default pool (which
grows to cpu+4 threads, each with its own SQLite connection and malloc arena): one keeps the
books (plans, claims, fetch records), one digests payloads (parse, vet, ingest) one at a time, so
a round's parsed payloads never pile up in memory together.  Both are bound by the GIL and the
store's one writer anyway.

The books are kept in bulk: a round claims every due endpoint in one transaction before it
fetches, and records the fetches that brought nothing to ingest (a 304, an error) together,
when its fetches are done or, in a round held up by a slow source, as they come
(``round_records``).  A round of 500 endpoints answered 304 was a thousand small commits, each
made while the event loop was busy with the network.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import random
import socket
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import ParamSpec, TypeVar

import httpx

from watchtui.config import Endpoint, SourceSpec
from watchtui.domain.clock import Clock, utcnow
from watchtui.domain.errors import FeedError
from watchtui.domain.events import ChangeEvent
from watchtui.domain.model import Snapshot
from watchtui.domain.vetting import vet
from watchtui.engine.protocol import RoundFailed
from watchtui.engine.round_records import RoundRecords, Unrecorded
from watchtui.engine.staleness import StalenessWatch
from watchtui.net.fetch import (
    DEFAULT_MAX_BYTES,
    FetchError,
    FetchResult,
    failure_delay,
    fetch,
    make_client,
    next_interval,
)
from watchtui.sources import parse_payload
from watchtui.sources._common import Headers
from watchtui.store import Claim, EndpointState, FetchRecord, StepFailed, Store

_P = ParamSpec("_P")
_T = TypeVar("_T")

# A lease outlives the longest fetch (total timeout) with room to parse and ingest.
LEASE_SECONDS = 90

DEFAULT_CONCURRENCY = 16
TOTAL_TIMEOUT = 30.0
# A round that has run this long writes its 304s and errors as they come (``round_records``).
ROUND_RECORDS_FLUSH_AFTER = 10.0

# A due endpoint's claim: (claimed, its state) or why claiming failed; None when not due.
_Claimed = tuple[bool, EndpointState | None] | StepFailed | None


def default_owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass(frozen=True)
class EndpointOutcome:
    source_id: str
    url: str
    outcome: str  # ok | not_modified | error | drifted | skipped
    error: str | None = None
    events: tuple[ChangeEvent, ...] = ()
    # What the store refused after the payload was ingested: the round fails with it, and the
    # events, already stored, are kept.
    failure: Exception | None = field(default=None, compare=False)


class EndpointsFailed(RoundFailed):
    """The poller's ``RoundFailed``: with the outcomes of the endpoints that did finish."""

    def __init__(self, cause: Exception, outcomes: list[EndpointOutcome]) -> None:
        super().__init__(cause, [event for outcome in outcomes for event in outcome.events])
        self.outcomes = outcomes


class Poller:
    def __init__(
        self,
        store: Store,
        sources: Sequence[SourceSpec],
        *,
        client: httpx.AsyncClient | None = None,
        owner: str | None = None,
        concurrency: int = DEFAULT_CONCURRENCY,
        max_bytes: int = DEFAULT_MAX_BYTES,
        total_timeout: float = TOTAL_TIMEOUT,
        clock: Clock = utcnow,
        rng: random.Random | None = None,
        records_flush_after: float = ROUND_RECORDS_FLUSH_AFTER,
    ) -> None:
        self.store = store
        self.sources = list(sources)
        self._client = client
        self._client_loop: asyncio.AbstractEventLoop | None = None
        self._owns_client = client is None
        self.owner = owner or default_owner()
        self._concurrency = max(1, concurrency)
        self._slots_of_loop: tuple[asyncio.AbstractEventLoop, asyncio.Semaphore] | None = None
        self.max_bytes = max_bytes
        self.total_timeout = total_timeout
        self.clock = clock
        self.rng = rng or random.Random()
        self.records_flush_after = records_flush_after
        self._registered = False
        self.staleness = StalenessWatch()
        # Threads start on first use and end with the poller (see the module's docstring).
        self._books = ThreadPoolExecutor(1, thread_name_prefix="watchtui-books")
        self._digest = ThreadPoolExecutor(1, thread_name_prefix="watchtui-digest")

    async def _in(
        self, pool: ThreadPoolExecutor, fn: Callable[_P, _T], *args: _P.args, **kwargs: _P.kwargs
    ) -> _T:
        """``fn(*args, **kwargs)`` in one of the poller's threads."""
        call = functools.partial(fn, *args, **kwargs)
        return await asyncio.get_running_loop().run_in_executor(pool, call)

    @property
    def client(self) -> httpx.AsyncClient:
        """The shared client, bound to the running event loop (an httpx client cannot outlive
        the loop it was used on, so a new loop gets a new client)."""
        loop = asyncio.get_running_loop()
        if self._client is None or (self._owns_client and self._client_loop is not loop):
            self._client = make_client()
            self._client_loop = loop
        return self._client

    def _slots(self) -> asyncio.Semaphore:
        """The fetch slots of the running loop: a semaphore that ever made a fetch wait is bound
        to its loop, and a poller outlives an ``asyncio.run`` (the CLI's rounds, tests)."""
        loop = asyncio.get_running_loop()
        if self._slots_of_loop is None or self._slots_of_loop[0] is not loop:
            self._slots_of_loop = (loop, asyncio.Semaphore(self._concurrency))
        return self._slots_of_loop[1]

    async def aclose(self) -> None:
        if self._client is not None and self._owns_client:
            await self._client.aclose()
            self._client = None

    def reset_registration(self) -> None:
        """Sources changed: register them again on the next round."""
        self._registered = False

    async def _register(self) -> None:
        if self._registered:
            return

        def register() -> None:
            for spec in self.sources:
                self.store.upsert_source(
                    spec.id,
                    kind=spec.kind,
                    url=spec.base_url,
                    name=spec.name,
                    interval=timedelta(seconds=spec.interval),
                    enabled=spec.enabled,
                )

        await self._in(self._books, register)
        self._registered = True

    async def poll(self, *, force: bool = False, source_id: str | None = None) -> list[ChangeEvent]:
        """One round: every due endpoint (every endpoint with ``force``), concurrently.  A round
        that fails raises what failed (``RoundFailed.cause``)."""
        try:
            outcomes = await self.poll_detailed(force=force, source_id=source_id)
        except RoundFailed as failed:
            failed.raise_cause()
        events = [event for outcome in outcomes for event in outcome.events]
        events += await self._in(self._books, self._staleness_events)
        return events

    async def poll_detailed(
        self, *, force: bool = False, source_id: str | None = None
    ) -> list[EndpointOutcome]:
        """One round's outcomes, in source and endpoint order.  Endpoints not due are skipped
        without a write: an idle round leaves the store as it was.  ``RoundFailed`` when one
        failed beyond its own outcome (``EndpointsFailed``, holding the others')."""
        await self._register()
        now = self.clock()
        wanted = [
            (spec, endpoint)
            for spec in self.sources
            if source_id is None or spec.id == source_id
            for endpoint in spec.endpoints
        ]
        claiming = self._in(self._books, self._claim_due, wanted, now, force)
        try:
            planned = await claiming
        except asyncio.CancelledError:
            # The claims may have been written all the same: given back, not left to lapse.
            with contextlib.suppress(Exception):
                await self._in(self._books, self._release, [e.url for _, e in wanted])
            raise
        records = RoundRecords(self._write_records, self.records_flush_after)
        try:
            results = await asyncio.gather(
                *(
                    self._poll_endpoint(spec, endpoint, claim, now, force, records)
                    for spec, endpoint, claim in planned
                ),
                return_exceptions=True,
            )
        except BaseException:
            with contextlib.suppress(Exception):
                await records.flush()  # what finished before the round was cancelled
            raise
        # What did finish is recorded even when something else in the round failed.  A record
        # the store refused says so in its outcome; a write refused as a whole (the file
        # locked, the disk full) also fails the round, as an ingest's refused record does.
        await records.flush()
        outcomes = [
            _outcome(r) if isinstance(r, Unrecorded) else r
            for r in results
            if not isinstance(r, BaseException)
        ]
        failures = [r for r in results if isinstance(r, BaseException)] + records.failures
        failures += [o.failure for o in outcomes if o.failure is not None]
        errors = [failure for failure in failures if isinstance(failure, Exception)]
        if len(errors) < len(failures):
            raise next(f for f in failures if not isinstance(f, Exception))  # a cancellation
        if errors:
            raise EndpointsFailed(errors[0], outcomes) from errors[0]
        return outcomes

    async def _write_records(
        self, records: list[FetchRecord]
    ) -> list[list[ChangeEvent] | StepFailed]:
        return await self._in(self._books, self.store.write_steps, records)

    def _release(self, urls: list[str]) -> None:
        for url in urls:
            self.store.release(url, self.owner)

    def _claim_due(
        self, wanted: list[tuple[SourceSpec, Endpoint]], now: datetime, force: bool
    ) -> list[tuple[SourceSpec, Endpoint, _Claimed]]:
        """The round's enabled endpoints, each with its claim: every due one claimed at once, in
        one transaction (a claim per fetch was a commit per fetch), the others None."""
        with self.store.reading():
            enabled = {record.id for record in self.store.sources() if record.enabled}
            states = {state.url: state for state in self.store.endpoint_states()}
        wanted = [(spec, endpoint) for spec, endpoint in wanted if spec.id in enabled]
        due = [
            index
            for index, (_, endpoint) in enumerate(wanted)
            if force or _may_be_due(states.get(endpoint.url), now)
        ]
        until = now + timedelta(seconds=LEASE_SECONDS)
        claims = self.store.write_steps(
            [Claim(wanted[index][1].url, self.owner, now, until, force) for index in due]
        )
        claimed: dict[int, _Claimed] = dict(zip(due, claims, strict=True))
        return [
            (spec, endpoint, claimed.get(index)) for index, (spec, endpoint) in enumerate(wanted)
        ]

    async def _poll_endpoint(
        self,
        spec: SourceSpec,
        endpoint: Endpoint,
        claim: _Claimed,
        claimed_at: datetime,
        force: bool,
        records: RoundRecords,
    ) -> EndpointOutcome | Unrecorded:
        if claim is None:
            return EndpointOutcome(spec.id, endpoint.url, "skipped")
        if isinstance(claim, StepFailed):
            raise claim.error
        # Unclaimed while another process fetches it; released at once when one fetched it a
        # moment ago (its next_due_at is read in the claim's own write).
        claimed, state = claim
        if not claimed:
            return EndpointOutcome(spec.id, endpoint.url, "skipped")
        try:
            async with self._slots():
                now = self.clock()
                if now > claimed_at + timedelta(seconds=LEASE_SECONDS - self.total_timeout - 30):
                    # A long round: the lease would lapse during this fetch; take it anew.
                    until = now + timedelta(seconds=LEASE_SECONDS)
                    # Not forced past the due check: another process that fetched it meanwhile
                    # has it done.
                    renewal = Claim(endpoint.url, self.owner, now, until, force)
                    claimed, state = await self._in(self._books, self.store.write_step, renewal)
                    if not claimed:
                        return EndpointOutcome(spec.id, endpoint.url, "skipped")
                # The lease is given up by the bookkeeping transaction that ends the fetch.
                result = await self._fetch_and_ingest(spec, endpoint, state)
            if isinstance(result, Unrecorded):
                return await records.add(result)
            await records.flush_if_due()
            return result
        except BaseException:
            # What failed is what the round reports; a lease that cannot be given back now (the
            # store refusing writes, say) lapses on its own.
            with contextlib.suppress(Exception):
                await self._in(self._books, self.store.release, endpoint.url, self.owner)
            raise

    async def _fetch_and_ingest(
        self, spec: SourceSpec, endpoint: Endpoint, state: EndpointState | None
    ) -> EndpointOutcome | Unrecorded:
        started = self.clock()
        try:
            result = await fetch(
                self.client,
                endpoint.url,
                etag=state.etag if state else None,
                last_modified=state.last_modified if state else None,
                max_bytes=self.max_bytes,
                total_timeout=self.total_timeout,
            )
        except FetchError as exc:
            failures = (state.consecutive_failures if state else 0) + 1
            delay = failure_delay(failures, endpoint.interval, exc.retry_after, jitter=self.rng)
            failure = self._failure_record(spec, endpoint, started, exc, delay)
            return Unrecorded(failure, exc.reason)
        if result.not_modified:
            return Unrecorded(self._ok_record(spec, endpoint, started, result, None))
        # Big payloads (GCP's 1.35 MB) parse in a thread so a UI on this loop stays responsive.
        return await self._in(self._digest, self._digest_payload, spec, endpoint, started, result)

    # --- blocking bookkeeping, run in threads ---------------------------------------------------

    def _digest_payload(
        self, spec: SourceSpec, endpoint: Endpoint, at: datetime, result: FetchResult
    ) -> EndpointOutcome:
        """Parse, vet and ingest a downloaded payload, or record why it was not understood."""
        assert result.body is not None
        try:
            snapshot = _parse_and_vet(spec.kind, result.body, result.headers, at)
        except FeedError as exc:
            events = self._record_drift(spec, endpoint, at, result, exc)
            return EndpointOutcome(spec.id, endpoint.url, "drifted", exc.reason, tuple(events))
        events = self.store.ingest(
            spec.id, snapshot, at, lists_only_current=endpoint.lists_only_current
        )
        # The record follows the ingest in a transaction of its own: a crash in between costs a
        # refetch, never a payload marked as read that was not stored.
        try:
            events += self.store.write_step(self._ok_record(spec, endpoint, at, result, snapshot))
        except Exception as exc:
            # Stored, but not marked as read: the news is kept, and the round says what failed.
            reason = f"ingested, but not recorded: {exc}"
            return EndpointOutcome(spec.id, endpoint.url, "error", reason, tuple(events), exc)
        return EndpointOutcome(spec.id, endpoint.url, "ok", events=tuple(events))

    def _next_due(self, endpoint: Endpoint, now: datetime) -> datetime:
        return now + timedelta(seconds=next_interval(endpoint.interval, jitter=self.rng))

    def _ok_record(
        self,
        spec: SourceSpec,
        endpoint: Endpoint,
        at: datetime,
        result: FetchResult,
        snapshot: Snapshot | None,
    ) -> FetchRecord:
        return FetchRecord(
            spec.id,
            endpoint.url,
            at,
            "not_modified" if snapshot is None else "ok",
            http_status=result.status,
            latency_ms=result.latency_ms,
            bytes=result.bytes,
            etag=result.etag,
            last_modified=result.last_modified,
            error=None,
            next_due_at=self._next_due(endpoint, at),
            release_owner=self.owner,
            note=None if snapshot is None else dropped_note(snapshot),
        )

    def _record_drift(
        self,
        spec: SourceSpec,
        endpoint: Endpoint,
        at: datetime,
        result: FetchResult,
        exc: FeedError,
    ) -> list[ChangeEvent]:
        record = FetchRecord(
            spec.id,
            endpoint.url,
            at,
            "drifted",
            http_status=result.status,
            latency_ms=result.latency_ms,
            bytes=result.bytes,
            etag=None,
            last_modified=None,
            error=f"payload not understood: {exc.reason}",
            next_due_at=self._next_due(endpoint, at),
            release_owner=self.owner,
        )
        return self.store.write_step(record)

    def _failure_record(
        self, spec: SourceSpec, endpoint: Endpoint, at: datetime, exc: FetchError, delay: float
    ) -> FetchRecord:
        return FetchRecord(
            spec.id,
            endpoint.url,
            at,
            "error",
            http_status=exc.status,
            latency_ms=None,
            bytes=None,
            etag=None,
            last_modified=None,
            error=exc.reason,
            next_due_at=at + timedelta(seconds=delay),
            release_owner=self.owner,
        )

    def _staleness_events(self) -> list[ChangeEvent]:
        now = self.clock()
        with self.store.reading():
            healths = {
                spec.id: self.store.health(spec.id, now, timedelta(seconds=spec.interval))
                for spec in self.sources
            }
        return self.staleness.events(self.sources, healths, now)

    async def run(
        self,
        stop: asyncio.Event,
        on_events: Callable[[list[ChangeEvent]], None] | None = None,
        *,
        tick: float = 1.0,
    ) -> None:
        """Poll until ``stop`` is set: every ``tick`` seconds, whatever has come due."""
        while not stop.is_set():
            events = await self.poll()
            if events and on_events is not None:
                on_events(events)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=tick)


def _outcome(item: Unrecorded) -> EndpointOutcome:
    record = item.record
    if item.failure is not None:
        reason = f"fetched, but not recorded: {item.failure}"
        return EndpointOutcome(record.source_id, record.url, "error", reason)
    events = tuple(item.events or ())
    return EndpointOutcome(record.source_id, record.url, record.outcome, item.error, events)


def _may_be_due(state: EndpointState | None, now: datetime) -> bool:
    """Worth claiming: never fetched, or due by what the store said before the claim."""
    return state is None or state.next_due_at is None or state.next_due_at <= now


def _parse_and_vet(kind: str, body: bytes, headers: Headers, fetched_at: datetime) -> Snapshot:
    """Parse, then keep only what is believable relative to the fetch (``domain.vetting``)."""
    return vet(parse_payload(kind, body, headers), fetched_at)


def dropped_note(snapshot: Snapshot) -> str | None:
    """'2 items left out: incident abc: started_at … is not a usable time; …' or None."""
    if not snapshot.dropped:
        return None
    reasons = [f"{d.what} {d.id}: {d.reason}" for d in snapshot.dropped[:3]]
    more = len(snapshot.dropped) - len(reasons)
    count = len(snapshot.dropped)
    head = f"{count} item{'s' if count != 1 else ''} left out: "
    return head + "; ".join(reasons) + (f"; and {more} more" if more else "")
