"""Several changes in one write transaction: ``WriteStep`` and ``Store.write_steps``.

A poll round's bookkeeping comes many changes at a time (a claim per due endpoint before the
fetches, a record per 304 after), and a commit costs more than the statements it commits.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from watchtui.store.core import StoreCore
from watchtui.store.errors import is_busy

_T = TypeVar("_T")
_T_co = TypeVar("_T_co", covariant=True)


class WriteStep(Protocol[_T_co]):
    """One self-contained change, applied inside a write transaction someone else runs."""

    def apply(self, conn: sqlite3.Connection, /) -> _T_co: ...


class _StepRaised(Exception):
    def __init__(self, index: int, error: Exception) -> None:
        super().__init__(index, error)
        self.index = index
        self.error = error


@dataclass(frozen=True, slots=True)
class StepFailed:
    """In ``write_steps``' results: this step was undone, for this reason; the others stand."""

    error: Exception


class StepWrites(StoreCore):
    """``Store`` mixin: applying ``WriteStep``s, one or many to a transaction."""

    def write_step(self, step: WriteStep[_T]) -> _T:
        """``step`` in a write transaction of its own."""
        return self._write(step.apply)

    def write_steps(self, steps: Sequence[WriteStep[_T]]) -> list[_T | StepFailed]:
        """Every step in one write transaction, in order: one commit for what would be as many
        (a poll round's claims and 304s come many at a time, and each commit costs more than its
        statements).  A step that raises takes the transaction with it; the others are then
        applied again without it, and a ``StepFailed`` takes its place in the results.  The
        transaction failing by itself (the file busy for too long, the disk full, an I/O error)
        raises ``StoreError`` for all of them."""
        failed: dict[int, StepFailed] = {}
        while True:
            remaining = [index for index in range(len(steps)) if index not in failed]

            def run(conn: sqlite3.Connection, remaining: list[int] = remaining) -> list[_T]:
                results: list[_T] = []
                for index in remaining:
                    try:
                        results.append(steps[index].apply(conn))
                    except sqlite3.Error as exc:
                        if is_busy(exc) or not conn.in_transaction:
                            raise  # the file's trouble, not the step's: every step fails with it
                        raise _StepRaised(index, exc) from exc
                    except Exception as exc:
                        raise _StepRaised(index, exc) from exc
                return results

            try:
                written = iter(self._write(run) if remaining else [])
            except _StepRaised as raised:
                error = raised.error
                if isinstance(error, sqlite3.Error):
                    error = self._error(error)
                failed[raised.index] = StepFailed(error)
                continue
            return [
                failed[index] if index in failed else next(written) for index in range(len(steps))
            ]
