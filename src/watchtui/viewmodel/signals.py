"""The user's own signals (probes, disagreements, correlation hints) as the panes place them.

Pure helpers over ``Overview``: where a probe lives (geography, provider), how much it weighs
when ranking rows worst first, and in which order disagreements lead the stream.
"""

from __future__ import annotations

from collections.abc import Iterable

from watchtui.domain import regions
from watchtui.domain.model import Region, status_rank
from watchtui.engine.overview import DisagreementView, HintView, Overview, ProbeView
from watchtui.viewmodel import watching

# A probe that cannot reach its target weighs as much as a major outage: for the operator it is
# one, whatever the provider says.
_PROBE_RANK = {
    "down": status_rank("major_outage"),
    "unknown": status_rank("unknown"),
    "up": status_rank("operational"),
}


def geography_of(region: Region | None) -> str | None:
    """The canonical geography of a probe's region; a probe may name one directly (``eu-west``)."""
    if region is None:
        return None
    if region.geography:
        return region.geography
    code = region.code.strip().casefold()
    return code if code in regions.GEOGRAPHIES else "unmapped"


def probe_geography(probe: ProbeView) -> str | None:
    return geography_of(probe.region)


def probe_rank(probe: ProbeView) -> int:
    return _PROBE_RANK.get(probe.state, 0)


def where(probe: ProbeView) -> str:
    """'westeurope', 'eu-west' or '' — the probe's region as its config names it."""
    return probe.region.code if probe.region is not None else ""


def probe_fields(probe: ProbeView) -> list[str | None]:
    """What the text filter matches a probe against."""
    region = probe.region
    return [
        "probe",
        probe.id,
        probe.label,
        probe.target,
        probe.provider_name,
        probe.service,
        region.code if region else None,
        region.name if region else None,
    ]


def probe_watched(probe: ProbeView, watched: frozenset[str]) -> bool:
    """A probe is as watched as what it depends on: its provider or its region."""
    if probe.provider is not None and probe.provider in watched:
        return True
    region = probe.region
    if region is None:
        return False
    geography = geography_of(region)
    return (geography is not None and geography in watched) or watching.region_value(
        region
    ) in watched


def probe_by_id(overview: Overview, probe_id: str) -> ProbeView | None:
    return next((p for p in overview.probes if p.id == probe_id), None)


def provider_name(overview: Overview, source_id: str | None) -> str:
    if source_id is None:
        return ""
    for source in overview.sources:
        if source.id == source_id:
            return source.name
    for probe in overview.probes:
        if probe.provider == source_id and probe.provider_name:
            return probe.provider_name
    return source_id


def ordered_disagreements(
    overview: Overview, geography: str | None = None
) -> list[DisagreementView]:
    """ "It's probably you" (probe down, provider fine) first, then the newest."""
    chosen: Iterable[DisagreementView] = overview.disagreements
    if geography is not None:
        chosen = (d for d in chosen if geography_of(d.region) == geography)
    return sorted(
        chosen,
        key=lambda d: (d.kind != "probe_down_provider_ok", -d.since.timestamp(), d.key),
    )


def ordered_hints(overview: Overview, geography: str | None = None) -> list[HintView]:
    chosen: Iterable[HintView] = overview.hints
    if geography is not None:
        chosen = (h for h in chosen if h.geography == geography)
    return sorted(chosen, key=lambda h: (-h.started_at.timestamp(), h.key))


def hint_sources(hint: HintView) -> set[str]:
    """The source ids behind a hint (its incident keys are ``source\\x1fincident``)."""
    return {key.split("\x1f", 1)[0] for key in hint.incident_keys}


def hint_watched(hint: HintView, watched: frozenset[str]) -> bool:
    return hint.geography in watched or bool(hint_sources(hint) & watched)
