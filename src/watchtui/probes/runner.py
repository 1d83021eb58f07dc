"""Running what is due, once per interval across every process that shares the store.

Probe runs are coordinated with store leases keyed ``probe:<id>``, like endpoint polls, so
several watchtui processes sharing one store run each probe once per interval in total.
"""

from __future__ import annotations

import asyncio
import os
import socket
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

import httpx

from watchtui.config.probe_spec import ProbeSpec
from watchtui.domain.clock import utcnow
from watchtui.domain.events import ChangeEvent
from watchtui.net import Resolver
from watchtui.probes.checks import run_probe
from watchtui.probes.hysteresis import advance
from watchtui.store import ProbeResult, ProbeState, Store, probe_lease_key

__all__ = ["DEFAULT_CONCURRENCY", "ProbeRunner", "is_due"]

DEFAULT_CONCURRENCY = 8
# A lease outlives the probe's own timeout with room to record the result.
LEASE_MARGIN_S = 30
# The runner ticks about once a second; a probe this close to due runs now rather than next tick.
DUE_SLACK = timedelta(seconds=0.5)


def is_due(spec: ProbeSpec, state: ProbeState | None, now: datetime) -> bool:
    """Never run, or ``interval`` since the last result (the runner ticks, so allow a little)."""
    if state is None or state.last_result_at is None:
        return True
    return now >= state.last_result_at + timedelta(seconds=spec.interval) - DUE_SLACK


def _default_owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:probes:{uuid.uuid4().hex[:8]}"


class ProbeRunner:
    """Runs due probes; call ``run_due`` on every tick (the engine's poll loop).

    Each probe runs at most once per interval across every process sharing the store: a lease
    is taken first and due-ness re-checked under it.  A failing probe is not retried sooner: the
    hysteresis, not retries, absorbs blips.  ``resolver`` decides where redirect targets lead
    (default: the system resolver).
    """

    def __init__(
        self,
        *,
        owner: str | None = None,
        concurrency: int = DEFAULT_CONCURRENCY,
        clock: Callable[[], datetime] = utcnow,
        resolver: Resolver | None = None,
    ) -> None:
        self.owner = owner or _default_owner()
        self._semaphore = asyncio.Semaphore(max(1, concurrency))
        self.clock = clock
        self._resolver = resolver

    async def run_due(
        self,
        store: Store,
        specs: Sequence[ProbeSpec],
        client: httpx.AsyncClient,
        now: datetime | None = None,
    ) -> list[ChangeEvent]:
        """Run every due probe concurrently; record results; return probe_down/probe_up events
        (oldest first).  ``now`` stamps the results (default: the clock)."""
        when = now if now is not None else self.clock()
        states = await asyncio.to_thread(store.probe_states)
        due = [s for s in specs if is_due(s, states.get(s.id), when)]
        batches = await asyncio.gather(*(self._run_one(store, s, client, when) for s in due))
        return sorted((e for batch in batches for e in batch), key=lambda e: e.at)

    async def _run_one(
        self, store: Store, spec: ProbeSpec, client: httpx.AsyncClient, now: datetime
    ) -> list[ChangeEvent]:
        async with self._semaphore:
            if not await asyncio.to_thread(self._claim_if_due, store, spec, now):
                return []
            try:
                result = await run_probe(spec, client, at=now, resolver=self._resolver)
                return await asyncio.to_thread(self._record, store, spec, result)
            finally:
                await asyncio.to_thread(store.release, probe_lease_key(spec.id), self.owner)

    def _claim_if_due(self, store: Store, spec: ProbeSpec, now: datetime) -> bool:
        key = probe_lease_key(spec.id)
        until = now + timedelta(seconds=spec.timeout + LEASE_MARGIN_S)
        if not store.try_claim(key, self.owner, now, until):
            return False  # another process is running it right now
        # Checked under the lease, so a run another process just finished is seen.
        if not is_due(spec, store.probe_state(spec.id), now):
            store.release(key, self.owner)
            return False
        return True

    @staticmethod
    def _record(store: Store, spec: ProbeSpec, result: ProbeResult) -> list[ChangeEvent]:
        new_state, events = advance(store.probe_state(spec.id), result, spec)
        applied = store.record_probe_result(spec.id, result, new_state)
        return events if applied else []
