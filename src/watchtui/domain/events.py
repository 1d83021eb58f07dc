"""Change events: what became different in the world since the store last looked.

The store emits them from ``Store.ingest`` (incidents, updates, components) and
``Store.record_fetch`` (source health transitions); ``watchtui.probes`` emits ``probe_down`` /
``probe_up`` (the user's own checks) and ``watchtui.signals`` emits ``disagreement_started`` /
``disagreement_ended`` and ``correlation``; the UI, the CLI and notifications consume them.
Probe, disagreement and correlation events carry ``source_id="probe:<probe id>"`` (or
``"correlation:<geography>"``), which can never collide with a source id (no colon allowed there).
They carry only text that already went through ``watchtui.domain.text`` (model titles, component
names, update bodies), so they are safe to print.
"""

from __future__ import annotations

from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict

from watchtui.domain.model import Impact, UtcDatetime

EventKind = Literal[
    "incident_opened",
    "incident_updated",
    "update_added",
    "incident_resolved",
    "component_status_changed",
    "source_stale",
    "source_failing",
    "source_drifted",
    "source_recovered",
    "probe_down",
    "probe_up",
    "disagreement_started",
    "disagreement_ended",
    "correlation",
]

EVENT_KINDS: tuple[EventKind, ...] = get_args(EventKind)


class ChangeEvent(BaseModel):
    """One change.

    ``at`` is when it happened according to the source where the source says so (an update's
    time, an incident's start or resolution), else when watchtui observed it (component status
    changes, inferred resolutions, fetch outcomes).  ``inferred`` marks a resolution watchtui
    deduced because the incident vanished from a feed that lists only current incidents.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: EventKind
    source_id: str
    at: UtcDatetime
    incident_id: str | None = None
    component_id: str | None = None
    title: str = ""
    impact: Impact | None = None
    old_status: str | None = None
    new_status: str | None = None
    inferred: bool = False
    detail: str = ""
