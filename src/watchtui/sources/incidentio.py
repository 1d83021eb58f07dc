"""incident.io-hosted status pages through their Statuspage-compatible ``/api/v2/*.json``.

The shape is Statuspage's with gaps (no groups, no ``time_zone``, no ``shortlink``/``started_at``/
``resolved_at``, sometimes no ``scheduled_maintenances`` key, incidents without components), all of
which the Statuspage parser tolerates; only the kind reported on errors differs.  So do its rules:
``summary.json`` lists every component (component listing ``full``), the incident endpoints say
nothing about components (``none``), an unreadable impact is ``unknown``, and an incident or
update whose time cannot be read is left out and recorded in ``Snapshot.dropped``.
"""

from __future__ import annotations

from watchtui.domain.model import Snapshot
from watchtui.sources._common import Headers
from watchtui.sources.statuspage import parse_as

KIND = "incidentio"


def parse(data: bytes, headers: Headers | None = None) -> Snapshot:
    return parse_as(data, headers, kind=KIND)
