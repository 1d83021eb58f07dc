"""``watchtui collect``: the engine's polling rounds, headless, for a shared host.

It logs for a journal: one flushed ``key=value`` line per round that did something (what was
fetched, unchanged (304), failing or not understood, and how many changes it found) on standard
output, errors on standard error; ``--quiet`` keeps only the errors, ``--verbose`` adds one line
per change and per failure.  A bad round is logged and the next one comes (after a growing pause
while rounds keep failing); only SIGTERM or SIGINT end it, with exit 0.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import re
import signal
import sys
from collections import Counter
from collections.abc import Coroutine, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, TextIO, TypeVar

from watchtui.cli.common import load, open_store
from watchtui.config import SourceSpec, resolve_sources
from watchtui.domain.clock import Clock
from watchtui.domain.document import iso
from watchtui.domain.events import ChangeEvent
from watchtui.engine.poller import EndpointOutcome, EndpointsFailed, Poller
from watchtui.engine.protocol import RoundFailed

if TYPE_CHECKING:
    from watchtui.engine.engine import Engine
    from watchtui.store import Store

__all__ = ["Journal", "RoundPoller", "cmd_collect", "round_line"]

TICK_SECONDS = 1.0
# After a failed round the next waits 2, 4, 8 … seconds, up to this: a broken store must not
# write a line a second into the journal.
MAX_ERROR_PAUSE = 60.0
T = TypeVar("T")
_BARE = re.compile(r'[^\s"=\\]+')


class RoundPoller(Poller):
    """The engine's poller, keeping each round's endpoint outcomes for the round's log line."""

    def __init__(self, store: Store, sources: Sequence[SourceSpec], clock: Clock) -> None:
        super().__init__(store, sources, clock=clock)
        self.outcomes: list[EndpointOutcome] = []

    async def poll_detailed(
        self, *, force: bool = False, source_id: str | None = None
    ) -> list[EndpointOutcome]:
        try:
            outcomes = await super().poll_detailed(force=force, source_id=source_id)
        except EndpointsFailed as failed:
            self.outcomes.extend(failed.outcomes)
            raise
        self.outcomes.extend(outcomes)
        return outcomes

    def take(self) -> list[EndpointOutcome]:
        taken, self.outcomes = self.outcomes, []
        return taken


class Journal:
    """Lines for a log: no colour, ``key=value``, one line each, flushed at once."""

    def __init__(self, out: TextIO, err: TextIO, *, quiet: bool, verbose: bool) -> None:
        self.out, self.err = out, err
        self.quiet, self.verbose = quiet, verbose

    def info(self, line: str) -> None:
        if not self.quiet:
            self._write(self.out, line)

    def detail(self, line: str) -> None:
        if self.verbose:
            self._write(self.out, line)

    def error(self, line: str) -> None:
        self._write(self.err, line)

    @staticmethod
    def _write(stream: TextIO, line: str) -> None:
        stream.write(line + "\n")
        stream.flush()


def value(text: object) -> str:
    """A logfmt value: bare when it can be, else quoted with JSON escapes."""
    shown = str(text)
    return shown if _BARE.fullmatch(shown) else json.dumps(shown, ensure_ascii=False)


def round_line(number: int, at: datetime, outcomes: Sequence[EndpointOutcome], events: int) -> str:
    tally = Counter(outcome.outcome for outcome in outcomes)
    failing = sorted({o.source_id for o in outcomes if o.outcome in ("error", "drifted")})
    line = (
        f"round={number} at={iso(at)} fetched={tally['ok']} not_modified="
        f"{tally['not_modified']} failed={tally['error']} drifted={tally['drifted']} "
        f"events={events}"
    )
    return line + (f" failing={','.join(failing)}" if failing else "")


def event_line(event: ChangeEvent) -> str:
    subject = event.title or event.component_id or event.incident_id or ""
    return (
        f"event kind={event.kind} source={value(event.source_id)} at={iso(event.at)} "
        f"subject={value(subject)}"
    )


def cmd_collect(args: argparse.Namespace, out: TextIO) -> int:
    from watchtui.engine.engine import Engine

    _, config = load(args)
    store = open_store(args, write=True)
    poller = RoundPoller(store, resolve_sources(config), args.clock)
    engine = Engine(store, config, poller=poller, clock=args.clock)
    journal = Journal(out, sys.stderr, quiet=args.quiet, verbose=args.verbose)
    journal.info(
        f"start sources={len(engine.specs)} probes={len(engine.probe_specs)} "
        f"store={value(store.path)}"
    )
    return asyncio.run(_collect(engine, poller, journal))


async def _collect(engine: Engine, poller: RoundPoller, journal: Journal) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    rounds = failures = 0
    try:
        while not stop.is_set():
            try:
                now = engine.clock()
                # The engine's round prunes the history once a day (``Engine.prune_if_due``).
                events = await _until_stopped(engine.poll(), stop)
            except Exception as exc:  # any bad round: say so, and carry on
                failures += 1
                if isinstance(exc, RoundFailed):
                    # What the round's other sources did and found is logged all the same.
                    rounds += _report(journal, rounds + 1, now, poller.take(), exc.events)
                    exc = exc.cause
                poller.take()
                journal.error(f"error message={value(_describe(exc))}")
            else:
                failures = 0
                if events is not None:
                    rounds += _report(journal, rounds + 1, now, poller.take(), events)
            pause = min(2.0**failures, MAX_ERROR_PAUSE) if failures else TICK_SECONDS
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=pause)
    finally:
        await poller.aclose()
    journal.info(f"stop rounds={rounds}")
    return 0


async def _until_stopped(work: Coroutine[Any, Any, T], stop: asyncio.Event) -> T | None:
    """``work``'s result, or None when a signal came first (the work is cancelled): a fetch
    may take 30 s, and a supervisor stopping the collector should not wait for it."""
    task = asyncio.ensure_future(work)
    stopping = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({task, stopping}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopping.cancel()
    if task.done():
        return task.result()
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    return None


def _report(
    journal: Journal,
    number: int,
    at: datetime,
    outcomes: list[EndpointOutcome],
    events: list[ChangeEvent],
) -> int:
    """Log a round that did something; 1 when it was logged."""
    if not events and all(outcome.outcome == "skipped" for outcome in outcomes):
        return 0
    journal.info(round_line(number, at, outcomes, len(events)))
    for outcome in outcomes:
        if outcome.outcome in ("error", "drifted"):
            journal.detail(
                f"failure source={value(outcome.source_id)} url={value(outcome.url)} "
                f"outcome={outcome.outcome} reason={value(outcome.error or '')}"
            )
    for event in events:
        journal.detail(event_line(event))
    return 1


def _describe(exc: Exception) -> str:
    from watchtui.store import StoreError

    # A full disk or a locked store is a reason to say so and retry, not to stop collecting.
    if isinstance(exc, StoreError):
        return str(exc)
    return f"unexpected {type(exc).__name__}: {exc}"
