"""Fetch bookkeeping: the fetch log, each endpoint's state (validators, failures, schedule,
lease), and what they say about a source (health, fetch statistics)."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from watchtui.domain.assessment import Health
from watchtui.domain.events import ChangeEvent
from watchtui.store.codec import dt, dt_opt, ts
from watchtui.store.probes import PROBE_LEASE_PREFIX
from watchtui.store.records import (
    FETCH_OUTCOMES,
    EndpointState,
    FetchOutcome,
    FetchStats,
)
from watchtui.store.sources import ensure_source
from watchtui.store.steps import StepWrites

# A stale view stays stale for three polling intervals before the source counts as stale.
STALE_INTERVALS = 3

_ENDPOINT_COLUMNS = (
    "url, source_id, etag, last_modified, last_success_at, last_attempt_at, last_outcome, "
    "last_error, consecutive_failures, next_due_at, lease_owner, lease_until"
)


def _endpoint_from_row(r: Sequence[Any]) -> EndpointState:
    return EndpointState(
        url=r[0],
        source_id=r[1],
        etag=r[2],
        last_modified=r[3],
        last_success_at=dt_opt(r[4]),
        last_attempt_at=dt_opt(r[5]),
        last_outcome=r[6],
        last_error=r[7],
        consecutive_failures=int(r[8]),
        next_due_at=dt_opt(r[9]),
        lease_owner=r[10],
        lease_until=dt_opt(r[11]),
    )


_NOT_PROBE_LEASE = f"url NOT LIKE '{PROBE_LEASE_PREFIX}%'"


def _fetch_stats(
    source_id: str,
    recent: list[tuple[str, float | None]],
    error: tuple[str, str | None] | None,
    state: tuple[str | None, str | None, int, str | None],
) -> FetchStats:
    latencies = [lat for _, lat in recent if lat is not None]
    successes = [o for o, _ in recent if o in ("ok", "not_modified")]
    return FetchStats(
        source_id=source_id,
        last_success_at=dt_opt(state[0]),
        last_attempt_at=dt_opt(state[1]),
        window=len(recent),
        mean_latency_ms=sum(latencies) / len(latencies) if latencies else None,
        not_modified_share=(
            successes.count("not_modified") / len(successes) if successes else None
        ),
        last_error=None if error is None else error[1],
        last_error_at=None if error is None else dt(error[0]),
        consecutive_failures=int(state[2]),
        last_note=state[3] or None,
    )


@dataclass(frozen=True, slots=True)
class FetchRecord:
    """One fetch attempt, as ``record_fetch`` logs it (a ``WriteStep``; see there)."""

    source_id: str
    url: str
    at: datetime
    outcome: FetchOutcome
    http_status: int | None
    latency_ms: float | None
    bytes: int | None
    etag: str | None
    last_modified: str | None
    error: str | None
    # The poller's bookkeeping after a fetch, folded into the same transaction: one write per
    # fetch instead of three is what keeps a 500-source round cheap.
    next_due_at: datetime | None = None
    release_owner: str | None = None
    note: str | None = None

    def __post_init__(self) -> None:
        if self.outcome not in FETCH_OUTCOMES:
            raise ValueError(f"unknown fetch outcome {self.outcome!r}")

    def apply(self, c: sqlite3.Connection) -> list[ChangeEvent]:
        at = ts(self.at)
        ensure_source(c, self.source_id, kind="unknown", url=self.url, name=self.source_id, at=at)
        c.execute(
            """INSERT INTO fetch_log (source_id, url, at, outcome, http_status, latency_ms,
                                      bytes, etag, last_modified, error, note)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (
                self.source_id,
                self.url,
                at,
                self.outcome,
                self.http_status,
                self.latency_ms,
                self.bytes,
                self.etag,
                self.last_modified,
                self.error,
                self.note,
            ),
        )
        row = c.execute("SELECT last_outcome FROM endpoint_state WHERE url = ?", (self.url,))
        found = row.fetchone()
        if found is None:
            c.execute("INSERT INTO endpoint_state (url) VALUES (?)", (self.url,))
        self._update_state(c, at)
        return self._events(c, None if found is None else found[0])

    def _update_state(self, c: sqlite3.Connection, at: str) -> None:
        """The endpoint's state after this attempt, its schedule and its lease, in one UPDATE
        (a 500-endpoint round makes 500 of them)."""
        common = "source_id = :source_id, last_attempt_at = :at, last_outcome = :outcome"
        params = {
            "source_id": self.source_id,
            "at": at,
            "outcome": self.outcome,
            "url": self.url,
            "etag": self.etag,
            "last_modified": self.last_modified,
            "error": self.error,
            "note": self.note,
            "next_due_at": None if self.next_due_at is None else ts(self.next_due_at),
            "release_owner": self.release_owner,
        }
        if self.outcome == "ok":
            # A 200 replaces the validators, even with none: the server may have dropped them.
            sets = f"""{common}, last_success_at = :at, etag = :etag,
                       last_modified = :last_modified, last_error = NULL,
                       consecutive_failures = 0, last_note = :note"""
        elif self.outcome == "not_modified":
            # A 304 may refresh the validators; without them the old ones still hold.
            sets = f"""{common}, last_success_at = :at, etag = coalesce(:etag, etag),
                       last_modified = coalesce(:last_modified, last_modified),
                       last_error = NULL, consecutive_failures = 0"""
        else:
            sets = f"""{common}, last_error = :error,
                       consecutive_failures = consecutive_failures + 1"""
        # Scheduled when asked; the lease given up only by the owner that holds it.
        sets += """, next_due_at = coalesce(:next_due_at, next_due_at),
                   lease_until = CASE WHEN lease_owner = :release_owner THEN NULL
                                      ELSE lease_until END,
                   lease_owner = CASE WHEN lease_owner = :release_owner THEN NULL
                                      ELSE lease_owner END"""
        c.execute(f"UPDATE endpoint_state SET {sets} WHERE url = :url", params)

    def _events(self, c: sqlite3.Connection, previous: str | None) -> list[ChangeEvent]:
        kind: Literal["source_failing", "source_drifted", "source_recovered"] | None = None
        if self.outcome == "error" and previous != "error":
            kind = "source_failing"
        elif self.outcome == "drifted" and previous != "drifted":
            kind = "source_drifted"
        elif self.outcome in ("ok", "not_modified") and previous in ("error", "drifted"):
            kind = "source_recovered"
        if kind is None:
            return []
        name = c.execute("SELECT name FROM sources WHERE id = ?", (self.source_id,)).fetchone()
        return [
            ChangeEvent(
                kind=kind,
                source_id=self.source_id,
                at=self.at,
                title=name[0] if name else self.source_id,
                old_status=previous,
                new_status=self.outcome,
                detail=self.url if kind == "source_recovered" else (self.error or ""),
            )
        ]


class FetchBookkeeping(StepWrites):
    """``Store`` mixin: logging fetches, endpoint state and leases, and source health."""

    def record_fetch(
        self,
        source_id: str,
        url: str,
        at: datetime,
        outcome: FetchOutcome,
        *,
        http_status: int | None = None,
        latency_ms: float | None = None,
        bytes: int | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
        error: str | None = None,
        next_due_at: datetime | None = None,
        release_owner: str | None = None,
        note: str | None = None,
    ) -> list[ChangeEvent]:
        """Log one fetch attempt and update the endpoint's state.

        Call it after ``ingest`` succeeded (outcome ``ok``): a crash in between then only costs a
        refetch, because the validators (etag / last_modified) are stored here.  ``drifted`` means
        the payload arrived but could not be understood; its validators are not kept, so the next
        fetch downloads it again.  ``next_due_at`` and ``release_owner`` schedule the next fetch
        and give up the lease in the same transaction.  Returns source_failing / source_drifted /
        source_recovered events when the endpoint's state changes kind.  ``note`` says what a
        successful parse left out (kept until the next successful parse of the endpoint).
        """
        record = FetchRecord(
            source_id,
            url,
            at,
            outcome,
            http_status,
            latency_ms,
            bytes,
            etag,
            last_modified,
            error,
            next_due_at,
            release_owner,
            note,
        )
        return self.write_step(record)

    def endpoint_state(self, url: str) -> EndpointState | None:
        row = self._read(
            lambda c: c.execute(
                f"SELECT {_ENDPOINT_COLUMNS} FROM endpoint_state WHERE url = ?", (url,)
            ).fetchone()
        )
        return None if row is None else _endpoint_from_row(row)

    def endpoint_states(self, source_id: str | None = None) -> list[EndpointState]:
        # Probe leases share the table; they are not endpoints.
        sql = f"SELECT {_ENDPOINT_COLUMNS} FROM endpoint_state WHERE {_NOT_PROBE_LEASE}"
        params: tuple[Any, ...] = ()
        if source_id is not None:
            sql += " AND source_id = ?"
            params = (source_id,)
        rows = self._read(lambda c: c.execute(sql + " ORDER BY url", params).fetchall())
        return [_endpoint_from_row(r) for r in rows]

    def health(self, source_id: str, now: datetime, interval: timedelta) -> Health:
        """failing (an endpoint's last attempt errored) > drifted (an endpoint's last payload was
        not understood) > stale (no success for ``STALE_INTERVALS`` intervals) > fresh; never
        when no fetch was ever recorded."""
        states = self.endpoint_states(source_id)
        attempted = [s for s in states if s.last_attempt_at is not None]
        if not attempted:
            return "never"
        outcomes = {s.last_outcome for s in attempted}
        if "error" in outcomes:
            return "failing"
        if "drifted" in outcomes:
            return "drifted"
        successes = [s.last_success_at for s in attempted if s.last_success_at is not None]
        if not successes or max(successes) < now - STALE_INTERVALS * interval:
            return "stale"
        return "fresh"

    def fetch_stats(self, source_id: str, window: int = 20) -> FetchStats:
        def query(c: sqlite3.Connection) -> FetchStats:
            recent = c.execute(
                """SELECT outcome, latency_ms FROM fetch_log WHERE source_id = ?
                   ORDER BY at DESC, id DESC LIMIT ?""",
                (source_id, window),
            ).fetchall()
            error = c.execute(
                """SELECT at, error FROM fetch_log WHERE source_id = ?
                   AND outcome IN ('error', 'drifted') ORDER BY at DESC, id DESC LIMIT 1""",
                (source_id,),
            ).fetchone()
            state = c.execute(
                """SELECT max(last_success_at), max(last_attempt_at),
                          coalesce(max(consecutive_failures), 0),
                          group_concat(last_note, '; ')
                   FROM endpoint_state WHERE source_id = ?""",
                (source_id,),
            ).fetchone()
            return _fetch_stats(source_id, recent, error, state)

        return self._read(query)

    # ---- scheduling and leases ----------------------------------------------------------

    def try_claim(self, url: str, owner: str, now: datetime, until: datetime) -> bool:
        """Take (or renew) the lease on ``url`` until ``until``; False when another owner holds
        an unexpired lease.  Atomic across processes."""
        now_s, until_s = ts(now), ts(until)

        return self._write(lambda c: _take_lease(c, url, owner, now_s, until_s))

    def claim_if_due(
        self, url: str, owner: str, now: datetime, until: datetime, *, force: bool = False
    ) -> tuple[bool, EndpointState | None]:
        """``try_claim`` and, once claimed, the endpoint's state, in one transaction: an endpoint
        another process fetched a moment ago (``next_due_at`` still ahead) is released again
        and reported unclaimed, unless ``force``.  Returns (claimed, state)."""
        return self.write_step(Claim(url, owner, now, until, force=force))

    def release(self, url: str, owner: str) -> None:
        """Give up ``owner``'s lease on ``url`` (no-op when someone else holds it)."""
        self._write(lambda c: _give_up_lease(c, url, owner))

    def set_next_due(self, url: str, when: datetime, *, source_id: str | None = None) -> None:
        when_s = ts(when)

        def schedule(c: sqlite3.Connection) -> None:
            c.execute(
                """INSERT INTO endpoint_state (url, next_due_at) VALUES (?, ?)
                   ON CONFLICT(url) DO UPDATE SET next_due_at = excluded.next_due_at""",
                (url, when_s),
            )
            if source_id is not None:
                ensure_source(c, source_id, kind="unknown", url=url, name=source_id, at=when_s)
                c.execute("UPDATE endpoint_state SET source_id = ? WHERE url = ?", (source_id, url))

        self._write(schedule)

    def due_endpoints(self, now: datetime) -> list[str]:
        """URLs whose next_due_at has come (or was never set), most overdue first."""
        rows = self._read(
            lambda c: c.execute(
                f"""SELECT url FROM endpoint_state
                   WHERE (next_due_at IS NULL OR next_due_at <= ?) AND {_NOT_PROBE_LEASE}
                   ORDER BY next_due_at IS NOT NULL, next_due_at, url""",
                (ts(now),),
            ).fetchall()
        )
        return [r[0] for r in rows]


@dataclass(frozen=True, slots=True)
class Claim:
    """``claim_if_due`` as a ``WriteStep``."""

    url: str
    owner: str
    now: datetime
    until: datetime
    force: bool = False

    def apply(self, c: sqlite3.Connection) -> tuple[bool, EndpointState | None]:
        if not _take_lease(c, self.url, self.owner, ts(self.now), ts(self.until)):
            return False, None
        row = c.execute(
            f"SELECT {_ENDPOINT_COLUMNS} FROM endpoint_state WHERE url = ?", (self.url,)
        ).fetchone()
        state = _endpoint_from_row(row)
        if not self.force and state.next_due_at is not None and state.next_due_at > self.now:
            _give_up_lease(c, self.url, self.owner)
            return False, state
        return True, state


def _take_lease(c: sqlite3.Connection, url: str, owner: str, now_s: str, until_s: str) -> bool:
    """Take (or renew) the lease unless another owner holds it unexpired, in one statement.
    (``rowcount``, not ``RETURNING``: that needs SQLite 3.35, newer than some long-term-support
    systems ship.)"""
    taken = c.execute(
        """INSERT INTO endpoint_state (url, lease_owner, lease_until) VALUES (?, ?, ?)
           ON CONFLICT(url) DO UPDATE SET lease_owner = excluded.lease_owner,
                                          lease_until = excluded.lease_until
           WHERE lease_until IS NULL OR lease_until < ? OR lease_owner = ?""",
        (url, owner, until_s, now_s, owner),
    ).rowcount
    return bool(taken == 1)


def _give_up_lease(c: sqlite3.Connection, url: str, owner: str) -> None:
    c.execute(
        """UPDATE endpoint_state SET lease_owner = NULL, lease_until = NULL
           WHERE url = ? AND lease_owner = ?""",
        (url, owner),
    )
