"""A poll round's 304s and errors, recorded together.

A fetch that brought nothing to ingest still needs its record: the fetch log, the endpoint's
schedule, its lease given back.  Written one by one while the event loop is busy with the
network, the records of a 500-endpoint round were a thousand small commits, and a SQLite call
that has to win the GIL back from a busy loop costs ten times its own work: half the poller's
CPU.  So a quick round writes them all in one transaction when its fetches are done.

A round held up by a slow or timing-out source must not sit on them: once it has run
``flush_after`` seconds, whatever is waiting is written when the next fetch ends, so no record
waits longer than that plus one fetch's deadline, well inside a lease.  A cancelled round still
writes what finished (``flush``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from watchtui.domain.events import ChangeEvent
from watchtui.store import FetchRecord, StepFailed


@dataclass(eq=False)
class Unrecorded:
    """A fetch that brought nothing to ingest, its record waiting for the round's next write."""

    record: FetchRecord
    error: str | None = None
    # Set once written: what the record changed, or why it could not be written.
    events: list[ChangeEvent] | None = None
    failure: Exception | None = None


Write = Callable[[list[FetchRecord]], Awaitable[list[list[ChangeEvent] | StepFailed]]]


class RoundRecords:
    def __init__(self, write: Write, flush_after: float) -> None:
        self._write = write
        self._waiting: list[Unrecorded] = []
        self._flush_at = asyncio.get_running_loop().time() + flush_after
        # One write at a time, so records reach the store in the order their fetches ended.
        self._lock = asyncio.Lock()
        # Writes the store refused as a whole: kept for the round to report, not raised into
        # whichever fetch happened to end next (its own outcome is fine, and must not be lost).
        self.failures: list[Exception] = []

    async def add(self, item: Unrecorded) -> Unrecorded:
        self._waiting.append(item)
        await self.flush_if_due()
        return item

    async def flush_if_due(self) -> None:
        """A fetch has ended: in a round that has run ``flush_after`` seconds, write what waits."""
        if self._waiting and asyncio.get_running_loop().time() >= self._flush_at:
            await self.flush()

    async def flush(self) -> None:
        """Write every waiting record, in one transaction.  A record the store refused is marked
        (``failure``); the transaction failing marks them all and is kept in ``failures``."""
        async with self._lock:
            batch, self._waiting = self._waiting, []
            if not batch:
                return
            try:
                results = await self._write([item.record for item in batch])
            except Exception as exc:
                for item in batch:
                    item.failure = exc
                self.failures.append(exc)
                return
            except BaseException:
                for item in batch:
                    item.failure = RuntimeError("cancelled")
                raise
            for item, result in zip(batch, results, strict=True):
                if isinstance(result, StepFailed):
                    item.failure = result.error
                else:
                    item.events = result
