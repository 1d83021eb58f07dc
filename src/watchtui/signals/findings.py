"""What the signals conclude, as plain values: the one definition of a disagreement and of a
correlation hint.  Screens show them as they are (``engine.overview`` names them
``DisagreementView`` and ``HintView``).

Imports nothing of watchtui but the domain: the UI imports these types with the overview and must
not pay for the store or the network to do so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from watchtui.domain.model import Region

__all__ = ["CorrelationHint", "Disagreement", "DisagreementKind", "item_key"]

DisagreementKind = Literal["probe_down_provider_ok", "provider_outage_probe_up"]


def item_key(source_id: str, item_id: str) -> str:
    """``source\\x1fitem``: how an incident or a component of a source is named across panes
    (a source id never contains the separator)."""
    return f"{source_id}\x1f{item_id}"


@dataclass(frozen=True)
class Disagreement:
    """A probe and its provider tell different stories: the headline of the stream.

    ``message`` is the operator's line.  ``region`` is the probe's region as configured, resolved
    (a provider region, or a canonical geography with ``provider="geography"``).  ``evidence``
    holds the ``item_key`` of each incident or component behind an outage claim.
    """

    probe_id: str
    provider: str  # the source id the probe depends on
    kind: DisagreementKind
    since: datetime
    message: str
    detail: str = ""
    region: Region | None = None
    service: str | None = None
    evidence: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return f"{self.probe_id}\x1f{self.kind}"


@dataclass(frozen=True)
class CorrelationHint:
    """Problems from several providers (and/or the user's probes) in one geography, starting
    close together.  A hint, never a claim: ``text`` says so."""

    geography: str
    source_ids: tuple[str, ...]
    providers: tuple[str, ...]  # display names, in ``source_ids`` order
    probe_ids: tuple[str, ...]
    started_at: datetime
    latest_start: datetime
    incident_keys: tuple[str, ...]
    text: str

    @property
    def key(self) -> str:
        return f"{self.geography}@{self.started_at.isoformat()}"
