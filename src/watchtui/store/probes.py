"""The user's own probes: every result (for latency sparklines), one hysteresis state per probe,
and up/down history summarised as periods, so "how long was it down last week" never scans raw
results.  Probe runs are coordinated with the same leases as endpoints, keyed ``probe:<id>``."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from watchtui.store.codec import dt, dt_opt, ts, ts_opt
from watchtui.store.core import StoreCore
from watchtui.store.records import ProbePeriod, ProbeResult, ProbeState

# Lease keys for probes live beside endpoint URLs in endpoint_state; no URL starts with it.
PROBE_LEASE_PREFIX = "probe:"


def probe_lease_key(probe_id: str) -> str:
    """The ``try_claim``/``release`` key that lets one process at a time run a probe."""
    return PROBE_LEASE_PREFIX + probe_id


_PROBE_STATE_COLUMNS = (
    "probe_id, state, since, consecutive_failures, consecutive_successes, last_error, "
    "last_result_at, streak_started_at"
)


def _probe_state_from_row(r: Sequence[Any]) -> ProbeState:
    return ProbeState(
        probe_id=r[0],
        state=r[1],
        since=dt_opt(r[2]),
        consecutive_failures=int(r[3]),
        consecutive_successes=int(r[4]),
        last_error=r[5],
        last_result_at=dt_opt(r[6]),
        streak_started_at=dt_opt(r[7]),
    )


@dataclass(frozen=True, slots=True)
class _ProbeWrite:
    """One probe run and the state it led to, applied inside the caller's write transaction."""

    probe_id: str
    result: ProbeResult
    state: ProbeState

    def apply(self, c: sqlite3.Connection) -> bool:
        at = ts(self.result.at)
        c.execute(
            """INSERT INTO probe_results (probe_id, at, ok, latency_ms, error)
               VALUES (?, ?, ?, ?, ?)""",
            (self.probe_id, at, int(self.result.ok), self.result.latency_ms, self.result.error),
        )
        old = c.execute(
            "SELECT state, last_result_at FROM probe_state WHERE probe_id = ?", (self.probe_id,)
        ).fetchone()
        if old is not None and old[1] is not None and old[1] > at:
            return False
        self._write_state(c)
        if self.state.state != "unknown" and (old is None or old[0] != self.state.state):
            self._switch_period(c, at)
        return True

    def _write_state(self, c: sqlite3.Connection) -> None:
        s = self.state
        c.execute(
            f"""INSERT OR REPLACE INTO probe_state ({_PROBE_STATE_COLUMNS})
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
            (
                self.probe_id,
                s.state,
                ts_opt(s.since),
                s.consecutive_failures,
                s.consecutive_successes,
                s.last_error,
                ts_opt(s.last_result_at),
                ts_opt(s.streak_started_at),
            ),
        )

    def _switch_period(self, c: sqlite3.Connection, at: str) -> None:
        started = ts_opt(self.state.since) or at
        # Never end a period before it began, whatever the clocks say.
        c.execute(
            """UPDATE probe_periods SET ended_at = max(started_at, ?)
               WHERE probe_id = ? AND ended_at IS NULL""",
            (started, self.probe_id),
        )
        c.execute(
            "INSERT INTO probe_periods (probe_id, state, started_at) VALUES (?, ?, ?)",
            (self.probe_id, self.state.state, started),
        )


class ProbeHistory(StoreCore):
    """``Store`` mixin: probe results, states and periods."""

    def record_probe_result(
        self, probe_id: str, result: ProbeResult, new_state: ProbeState
    ) -> bool:
        """Log one probe run and store the state ``advance`` computed from it, atomically; open
        and close up/down periods when the state changes.

        Returns False (result logged, state untouched) when the store already holds a state from a
        later result: a slow run never overwrites newer knowledge.
        """
        if new_state.probe_id != probe_id:
            raise ValueError(f"state of probe {new_state.probe_id!r} given for {probe_id!r}")
        ts(result.at)  # reject naive datetimes before opening a transaction
        return self._write(lambda c: _ProbeWrite(probe_id, result, new_state).apply(c))

    def probe_state(self, probe_id: str) -> ProbeState | None:
        row = self._read(
            lambda c: c.execute(
                f"SELECT {_PROBE_STATE_COLUMNS} FROM probe_state WHERE probe_id = ?", (probe_id,)
            ).fetchone()
        )
        return None if row is None else _probe_state_from_row(row)

    def probe_states(self) -> dict[str, ProbeState]:
        """Every probe's state by id (probes never run have none: treat them as unknown)."""
        rows = self._read(
            lambda c: c.execute(
                f"SELECT {_PROBE_STATE_COLUMNS} FROM probe_state ORDER BY probe_id"
            ).fetchall()
        )
        return {r[0]: _probe_state_from_row(r) for r in rows}

    def probe_results(
        self, probe_id: str, since: datetime | None = None, limit: int | None = None
    ) -> list[ProbeResult]:
        """The newest ``limit`` results at or after ``since``, oldest first (sparkline order)."""
        clauses = ["probe_id = ?"]
        params: list[Any] = [probe_id]
        if since is not None:
            clauses.append("at >= ?")
            params.append(ts(since))
        limit_sql = "" if limit is None else f" LIMIT {max(0, int(limit))}"
        rows = self._read(
            lambda c: c.execute(
                f"""SELECT at, ok, latency_ms, error FROM probe_results
                    WHERE {" AND ".join(clauses)} ORDER BY at DESC, id DESC{limit_sql}""",
                params,
            ).fetchall()
        )
        return [
            ProbeResult(ok=bool(r[1]), latency_ms=r[2], error=r[3], at=dt(r[0]))
            for r in reversed(rows)
        ]

    def probe_periods(
        self, probe_id: str | None = None, since: datetime | None = None
    ) -> list[ProbePeriod]:
        """Up/down periods overlapping [since, now], oldest first (all probes when no id)."""
        clauses: list[str] = []
        params: list[Any] = []
        if probe_id is not None:
            clauses.append("probe_id = ?")
            params.append(probe_id)
        if since is not None:
            clauses.append("(ended_at IS NULL OR ended_at >= ?)")
            params.append(ts(since))
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        rows = self._read(
            lambda c: c.execute(
                f"""SELECT probe_id, state, started_at, ended_at FROM probe_periods{where}
                    ORDER BY started_at, id""",
                params,
            ).fetchall()
        )
        return [ProbePeriod(r[0], r[1], dt(r[2]), dt_opt(r[3])) for r in rows]

    def remove_probe(self, probe_id: str) -> None:
        """Forget a probe and all its history (explicit user action only)."""

        def remove(c: sqlite3.Connection) -> None:
            for table in ("probe_results", "probe_state", "probe_periods"):
                c.execute(f"DELETE FROM {table} WHERE probe_id = ?", (probe_id,))
            c.execute("DELETE FROM endpoint_state WHERE url = ?", (probe_lease_key(probe_id),))

        self._write(remove)
