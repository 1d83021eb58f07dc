"""The local history store: one SQLite file shared by every watchtui process of a user.

Synchronous stdlib ``sqlite3``; callers run it in worker threads.  Concurrency model:

* each thread gets its own connection (WAL lets readers proceed while one writer writes);
* every write is one short ``BEGIN IMMEDIATE`` transaction, retried when another process holds the
  write lock, and turned into a ``StoreError`` (never a raw ``sqlite3`` exception) when it still
  cannot proceed;
* every query is one read transaction, so its own results are consistent; ``with
  store.reading():`` extends that to every query the thread makes inside the block (one
  snapshot for a whole screen), and ``read_transactions`` counts the transactions started;
* several processes coordinate polling through leases on ``endpoint_state`` (``try_claim``) and
  notice each other's writes through ``data_version``.

Timestamps are stored as fixed-width ISO-8601 UTC text and always come back as aware UTC
datetimes (``codec``).

Ingest semantics (see ``Store.ingest``): a snapshot is merged, never replayed; updates are never
deleted; incidents vanish from the store only through ``prune``.

The user's own probes (``watchtui.probes``) keep every result, one hysteresis state per probe and
their up/down history as periods (``probes``).

Modules: ``core`` (opening, connections, transactions), ``schema`` (DDL and migrations),
``files`` (file modes, corrupt-file recovery), ``records`` (what queries return), ``steps``
(several changes in one transaction), and one mixin of ``Store`` per concern: ``sources``,
``ingest``, ``fetches``, ``incidents``, ``probes``, ``prune``.
"""

from __future__ import annotations

from watchtui.store.errors import StoreError
from watchtui.store.fetches import (
    STALE_INTERVALS,
    Claim,
    FetchBookkeeping,
    FetchRecord,
)
from watchtui.store.incidents import IncidentQueries
from watchtui.store.ingest import IngestWrites
from watchtui.store.probes import PROBE_LEASE_PREFIX, ProbeHistory, probe_lease_key
from watchtui.store.prune import EPOCH, Retention, days_before
from watchtui.store.records import (
    FETCH_OUTCOMES,
    PROBE_STATES,
    ComponentTransition,
    EndpointState,
    FetchOutcome,
    FetchStats,
    ProbePeriod,
    ProbeResult,
    ProbeState,
    ProbeStateName,
    PruneCounts,
    RecentUpdate,
    SourceRecord,
    StoredComponent,
    StoredIncident,
)
from watchtui.store.schema import APPLICATION_ID, MIGRATIONS, schema_version
from watchtui.store.sources import SourceRegistry
from watchtui.store.steps import StepFailed, WriteStep

__all__ = [
    "APPLICATION_ID",
    "EPOCH",
    "FETCH_OUTCOMES",
    "MIGRATIONS",
    "PROBE_LEASE_PREFIX",
    "PROBE_STATES",
    "STALE_INTERVALS",
    "Claim",
    "ComponentTransition",
    "EndpointState",
    "FetchOutcome",
    "FetchRecord",
    "FetchStats",
    "ProbePeriod",
    "ProbeResult",
    "ProbeState",
    "ProbeStateName",
    "PruneCounts",
    "RecentUpdate",
    "SourceRecord",
    "StepFailed",
    "Store",
    "StoreError",
    "StoredComponent",
    "StoredIncident",
    "WriteStep",
    "days_before",
    "probe_lease_key",
    "schema_version",
]


class Store(
    SourceRegistry, IngestWrites, FetchBookkeeping, IncidentQueries, ProbeHistory, Retention
):
    """The history store.  Create with ``Store.open(path)``; thread-safe; close when done."""
