"""Polling: fetch every due endpoint politely, parse off the event loop, ingest into the store.

One shared ``httpx.AsyncClient``; bounded concurrency; conditional requests (a 304 costs no
parsing); Retry-After and exponential backoff on failure; a lease in the store so several watchtui
processes sharing one store fetch each endpoint once per interval in total.

The blocking work runs in two threads of the poller's own, not in asyncio's default pool (which
grows to cpu+4 threads, each with its own SQLite connection and malloc arena): one keeps the
books (plans, claims, fetch records), one digests payloads (parse, vet, ingest) one at a time, so
a round's parsed payloads never pile up in memory together.  Both are bound by the GIL and the
store's one writer anyway.
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
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import ParamSpec, TypeVar

import httpx

from watchtui.config import Endpoint, SourceSpec
from watchtui.domain.clock import Clock, utcnow
from watchtui.domain.errors import FeedError
from watchtui.domain.events import ChangeEvent
from watchtui.domain.model import Snapshot
from watchtui.domain.vetting import vet
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
from watchtui.store import EndpointState, Store

_P = ParamSpec("_P")
_T = TypeVar("_T")

# A lease outlives the longest fetch (total timeout) with room to parse and ingest.
LEASE_SECONDS = 90
DEFAULT_CONCURRENCY = 16
TOTAL_TIMEOUT = 30.0


def default_owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass(frozen=True)
class EndpointOutcome:
    source_id: str
    url: str
    outcome: str  # ok | not_modified | error | drifted | skipped
    error: str | None = None
    events: tuple[ChangeEvent, ...] = ()


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
    ) -> None:
        self.store = store
        self.sources = list(sources)
        self._client = client
        self._client_loop: asyncio.AbstractEventLoop | None = None
        self._owns_client = client is None
        self.owner = owner or default_owner()
        self._semaphore = asyncio.Semaphore(max(1, concurrency))
        self.max_bytes = max_bytes
        self.total_timeout = total_timeout
        self.clock = clock
        self.rng = rng or random.Random()
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
        """One round: every due endpoint (every endpoint with ``force``), concurrently."""
        outcomes = await self.poll_detailed(force=force, source_id=source_id)
        events = [event for outcome in outcomes for event in outcome.events]
        events += await self._in(self._books, self._staleness_events)
        return events

    async def poll_detailed(
        self, *, force: bool = False, source_id: str | None = None
    ) -> list[EndpointOutcome]:
        """One round's outcomes, in source and endpoint order.  Endpoints not due are skipped
        without a write: an idle round leaves the store as it was."""
        await self._register()
        enabled, states = await self._in(self._books, self._plan)
        now = self.clock()
        jobs = [
            self._poll_endpoint(spec, endpoint, force=force)
            if force or _may_be_due(states.get(endpoint.url), now)
            else _skipped(spec, endpoint)
            for spec in self.sources
            if (source_id is None or spec.id == source_id) and spec.id in enabled
            for endpoint in spec.endpoints
        ]
        return list(await asyncio.gather(*jobs))

    def _plan(self) -> tuple[set[str], dict[str, EndpointState]]:
        """The enabled sources and every endpoint's bookkeeping, in one read."""
        with self.store.reading():
            enabled = {record.id for record in self.store.sources() if record.enabled}
            states = {state.url: state for state in self.store.endpoint_states()}
        return enabled, states

    async def _poll_endpoint(
        self, spec: SourceSpec, endpoint: Endpoint, *, force: bool
    ) -> EndpointOutcome:
        async with self._semaphore:
            now = self.clock()
            # Unclaimed while another process fetches it; released at once when one fetched it
            # a moment ago (its next_due_at is read after claiming, in the same write).
            claimed, state = await self._in(
                self._books,
                self.store.claim_if_due,
                endpoint.url,
                self.owner,
                now,
                now + timedelta(seconds=LEASE_SECONDS),
                force=force,
            )
            if not claimed:
                return EndpointOutcome(spec.id, endpoint.url, "skipped")
            try:
                # The lease is given up by the bookkeeping transaction that ends the fetch.
                return await self._fetch_and_ingest(spec, endpoint, state)
            except BaseException:
                await self._in(self._books, self.store.release, endpoint.url, self.owner)
                raise

    async def _fetch_and_ingest(
        self, spec: SourceSpec, endpoint: Endpoint, state: EndpointState | None
    ) -> EndpointOutcome:
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
            events = await self._in(
                self._books, self._record_failure, spec, endpoint, started, exc, delay
            )
            return EndpointOutcome(spec.id, endpoint.url, "error", exc.reason, tuple(events))
        if result.not_modified:
            events = await self._in(
                self._books, self._record_ok, spec, endpoint, started, result, None
            )
            return EndpointOutcome(spec.id, endpoint.url, "not_modified", events=tuple(events))
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
        events = self._record_ok(spec, endpoint, at, result, snapshot)
        return EndpointOutcome(spec.id, endpoint.url, "ok", events=tuple(events))

    def _next_due(self, endpoint: Endpoint, now: datetime) -> datetime:
        return now + timedelta(seconds=next_interval(endpoint.interval, jitter=self.rng))

    def _record_ok(
        self,
        spec: SourceSpec,
        endpoint: Endpoint,
        at: datetime,
        result: FetchResult,
        snapshot: Snapshot | None,
    ) -> list[ChangeEvent]:
        events: list[ChangeEvent] = []
        if snapshot is not None:
            events += self.store.ingest(
                spec.id, snapshot, at, lists_only_current=endpoint.lists_only_current
            )
        events += self.store.record_fetch(
            spec.id,
            endpoint.url,
            at,
            "not_modified" if snapshot is None else "ok",
            http_status=result.status,
            latency_ms=result.latency_ms,
            bytes=result.bytes,
            etag=result.etag,
            last_modified=result.last_modified,
            next_due_at=self._next_due(endpoint, at),
            release_owner=self.owner,
            note=None if snapshot is None else dropped_note(snapshot),
        )
        return events

    def _record_drift(
        self,
        spec: SourceSpec,
        endpoint: Endpoint,
        at: datetime,
        result: FetchResult,
        exc: FeedError,
    ) -> list[ChangeEvent]:
        events = self.store.record_fetch(
            spec.id,
            endpoint.url,
            at,
            "drifted",
            http_status=result.status,
            latency_ms=result.latency_ms,
            bytes=result.bytes,
            error=f"payload not understood: {exc.reason}",
            next_due_at=self._next_due(endpoint, at),
            release_owner=self.owner,
        )
        return events

    def _record_failure(
        self, spec: SourceSpec, endpoint: Endpoint, at: datetime, exc: FetchError, delay: float
    ) -> list[ChangeEvent]:
        return self.store.record_fetch(
            spec.id,
            endpoint.url,
            at,
            "error",
            http_status=exc.status,
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


def _may_be_due(state: EndpointState | None, now: datetime) -> bool:
    """Worth claiming: never fetched, or due by what the store said before the claim."""
    return state is None or state.next_due_at is None or state.next_due_at <= now


async def _skipped(spec: SourceSpec, endpoint: Endpoint) -> EndpointOutcome:
    return EndpointOutcome(spec.id, endpoint.url, "skipped")


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
