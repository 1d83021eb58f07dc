"""Shared pieces of the reliability suite: run mode, fake clock, payload builders, process probes.

The suite runs in two forms.  CI (the default) keeps the whole of ``tests/reliability`` within a
few minutes on two cores; ``WATCHTUI_RELIABILITY=full`` (set by ``scripts/reliability.py``) runs
longer soaks, more crash iterations and production timeouts.  Every figure that changes between
the forms goes through :func:`scaled`, so the numbers in RELIABILITY.md say which form made them.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import json
import os
import resource
import select
import sqlite3
import subprocess
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from watchtui.config import Endpoint, SourceSpec

ROOT = Path(__file__).resolve().parents[2]
MODE_ENV = "WATCHTUI_RELIABILITY"
RESULTS_ENV = "WATCHTUI_RELIABILITY_RESULTS"
MODE = "full" if os.environ.get(MODE_ENV, "").strip().lower() == "full" else "ci"

T0 = datetime(2026, 7, 29, 12, 0, tzinfo=UTC)
MIB = 1024 * 1024

_T = TypeVar("_T")

# ``record(section, **fields)``: one row of figures for RELIABILITY.md (the ``record`` fixture).
Record = Callable[..., None]


def scaled(ci: _T, full: _T) -> _T:
    return full if MODE == "full" else ci


def results_path() -> Path:
    override = os.environ.get(RESULTS_ENV)
    if override:
        return Path(override)
    return ROOT / ".reliability" / f"results-{MODE}.json"


class Clock:
    """A settable clock for the poller: scheduling follows it, the network does not."""

    def __init__(self, start: datetime = T0) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


# --- process probes --------------------------------------------------------------------------

_PAGE = os.sysconf("SC_PAGE_SIZE")


def rss_bytes() -> int:
    """Resident set size now (/proc/self/statm: pages)."""
    with open("/proc/self/statm", encoding="ascii") as handle:
        return int(handle.read().split()[1]) * _PAGE


def reset_peak_rss() -> bool:
    """Reset VmHWM so :func:`peak_rss_bytes` reports the peak of what follows (Linux >= 4.0).
    False when the kernel refuses; callers then fall back to the getrusage lifetime peak."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as handle:
            handle.write("5")
    except OSError:
        return False
    return True


def peak_rss_bytes() -> int:
    with open("/proc/self/status", encoding="ascii") as handle:
        for line in handle:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


@functools.cache
def _sqlite_library() -> Any:
    """The SQLite library the sqlite3 module uses (already loaded: CDLL finds the same one), or
    None where it cannot be found (a statically linked SQLite)."""
    name = ctypes.util.find_library("sqlite3")
    try:
        library = ctypes.CDLL(name) if name else None
        if library is not None:
            library.sqlite3_memory_used.restype = ctypes.c_int64
    except (OSError, AttributeError):
        return None
    return library


def sqlite_heap_bytes() -> int | None:
    """What SQLite itself has allocated in this process (page caches, statements, schemas).
    RSS alone cannot tell a leak from page caches filling up as the database grows."""
    library = _sqlite_library()
    return int(library.sqlite3_memory_used()) if library is not None else None


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def mib(value: float) -> float:
    return round(value / MIB, 1)


# --- child processes -------------------------------------------------------------------------


def wait_for_line(proc: subprocess.Popen[str], wanted: str, timeout: float) -> list[str]:
    """Read the child's stdout until it prints the line ``wanted``; returns every line read
    (lines that arrived in the same chunk after it included).  Fails, killing the child, if it
    exits or stays silent before that: a child that crashed on import must not pass for one that
    was killed at work."""
    assert proc.stdout is not None
    # Raw reads on the descriptor: select() cannot see lines already in a text wrapper's buffer.
    fd = proc.stdout.fileno()
    data = b""
    deadline = time.monotonic() + timeout
    while wanted not in data.decode(errors="replace").splitlines():
        left = deadline - time.monotonic()
        ready, _, _ = select.select([fd], [], [], max(left, 0))
        chunk = os.read(fd, 65536) if ready else b""
        if not chunk:
            proc.kill()
            _, err = proc.communicate(timeout=30)
            raise AssertionError(
                f"child never said {wanted!r} (said {data!r}, exit {proc.returncode}): "
                f"{err[-2000:]}"
            )
        data += chunk
    return data.decode(errors="replace").splitlines()


def integrity(db: Path) -> str:
    """``PRAGMA integrity_check`` on a fresh connection: "ok" or what is wrong."""
    conn = sqlite3.connect(db)
    try:
        return "; ".join(row[0] for row in conn.execute("PRAGMA integrity_check"))
    finally:
        conn.close()


# --- payloads --------------------------------------------------------------------------------

UPDATES_PER_INCIDENT = 3


def sp_incident(iid: str, n_updates: int = UPDATES_PER_INCIDENT) -> dict[str, Any]:
    """A Statuspage incident with ``n_updates`` updates, 10 minutes apart, newest first."""
    updates = [
        {
            "id": f"{iid}-u{k}",
            "status": "investigating" if k == 0 else "identified",
            "body": f"Update {k} on {iid}.",
            "created_at": f"2026-07-29T11:{k * 10 % 60:02d}:00Z",
            "display_at": f"2026-07-29T11:{k * 10 % 60:02d}:00Z",
            "updated_at": f"2026-07-29T11:{k * 10 % 60:02d}:00Z",
            "affected_components": None,
        }
        for k in reversed(range(n_updates))
    ]
    return {
        "id": iid,
        "name": f"Incident {iid}",
        "status": updates[0]["status"],
        "impact": "major",
        "created_at": "2026-07-29T11:00:00Z",
        "updated_at": updates[0]["updated_at"],
        "started_at": "2026-07-29T11:00:00Z",
        "resolved_at": None,
        "shortlink": f"https://stspg.example/{iid}",
        "components": [],
        "incident_updates": updates,
    }


def sp_summary(
    incidents: list[dict[str, Any]], *, api_status: str = "degraded_performance"
) -> bytes:
    return json.dumps(
        {
            "page": {
                "id": "reliability01",
                "name": "Reliability",
                "url": "https://status.reliability.example",
                "updated_at": "2026-07-29T11:30:00Z",
            },
            "status": {"indicator": "minor", "description": "Minor Service Outage"},
            "components": [
                {
                    "id": "api",
                    "name": "API",
                    "status": api_status,
                    "group": False,
                    "group_id": None,
                    "only_show_if_degraded": False,
                },
                {
                    "id": "web",
                    "name": "Web",
                    "status": "operational",
                    "group": False,
                    "group_id": None,
                    "only_show_if_degraded": False,
                },
            ],
            "incidents": incidents,
            "scheduled_maintenances": [],
        }
    ).encode()


def single_endpoint_spec(source_id: str, kind: str, url: str, interval: int = 60) -> SourceSpec:
    """A source polled through exactly the one URL given (current-only, like a summary)."""
    return SourceSpec(
        id=source_id,
        name=source_id,
        kind=kind,
        base_url=url,
        interval=interval,
        endpoints=(Endpoint(url=url, role="current", interval=interval, lists_only_current=True),),
    )


class Spy:
    """Every call of one method of one object, recorded on its way through to the method."""

    def __init__(self, target: object, name: str) -> None:
        self.calls: list[tuple[tuple[Any, ...], dict[str, Any]]] = []
        original = getattr(target, name)

        def spy(*args: Any, **kwargs: Any) -> Any:
            self.calls.append((args, kwargs))
            return original(*args, **kwargs)

        setattr(target, name, spy)


# --- the app under Pilot ----------------------------------------------------------------------


async def until(pilot: Any, ready: Callable[[], bool], what: str, bound: float) -> float:
    """Seconds until ``ready()`` holds, pausing the app's ``pilot`` in between; fails after
    ``bound`` seconds."""
    started = time.monotonic()
    while not ready():
        if time.monotonic() - started > bound:
            raise AssertionError(f"not within {bound} s: {what}")
        await pilot.pause(0.05)
    return time.monotonic() - started
