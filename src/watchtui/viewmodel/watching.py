"""The watchlist convention, in one place.

``Overview.watched`` (and ``WatchEngine.toggle_watch(kind, value)``) hold plain strings:

* ``kind="provider"``:  the source id, e.g. ``"aws"``;
* ``kind="component"``: ``"<source id>:<component name>"``, e.g. ``"github:Actions"``;
* ``kind="region"``:    a canonical geography (``"us-west"``) or a provider region as
  ``"<taxonomy provider>:<region code>"`` (``"aws:us-west-2"``), as in the config's watchlist.

A thing is watched when it, its provider, or one of its regions is.  Incidents inherit from their
source, their affected component names and their regions.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from watchtui.domain.model import Region
from watchtui.engine.overview import ComponentView, IncidentView, Overview, RegionRow, StreamItem
from watchtui.engine.protocol import WatchKind


@dataclass(frozen=True)
class WatchTarget:
    """What ``w`` (un)watches for the row under the cursor."""

    kind: WatchKind
    value: str
    label: str


def component_value(source_id: str, name: str) -> str:
    return f"{source_id}:{name}"


def region_value(region: Region) -> str:
    return f"{region.provider}:{region.code}"


def _regions_watched(regions: Iterable[Region], watched: frozenset[str]) -> bool:
    return any(
        (r.geography or "unmapped") in watched or region_value(r) in watched for r in regions
    )


def component_watched(component: ComponentView, watched: frozenset[str]) -> bool:
    return (
        component.source_id in watched
        or component_value(component.source_id, component.name) in watched
        or _regions_watched(component.regions, watched)
    )


def incident_watched(view: IncidentView, watched: frozenset[str]) -> bool:
    return (
        view.source_id in watched
        or any(component_value(view.source_id, c) in watched for c in view.incident.components)
        or _regions_watched(view.regions, watched)
    )


def incident_components(overview: Overview) -> dict[str, tuple[str, ...]]:
    """incident key -> affected component names (stream items do not carry them)."""
    return {v.key: v.incident.components for v in overview.open_incidents}


def stream_item_watched(
    item: StreamItem, watched: frozenset[str], components: dict[str, tuple[str, ...]]
) -> bool:
    return (
        item.source_id in watched
        or any(
            component_value(item.source_id, c) in watched
            for c in components.get(item.incident_key, ())
        )
        or _regions_watched(item.regions, watched)
    )


def region_row_watched(row: RegionRow, watched: frozenset[str], overview: Overview) -> bool:
    if row.geography in watched:
        return True
    if any(region_value(region) in watched for _, region, _ in row.provider_regions):
        return True
    # A geography is interesting when something watched lives in it.
    return any(
        component_watched(c, watched)
        and any((r.geography or "unmapped") == row.geography for r in c.regions)
        for c in overview.components
    )
