"""The one line read from across the room: the worst level on the board, where, and the counts.

``■ CRITICAL · US West +1 · 7 open · 1 probe down · 2 sources failing``

The level is the worst of every source's judged impact (``SourceView.impact``: blindness counts as
unknown) and of the user's probes (one down is an outage).  *Where* names the places at that
level: the geographies of the incidents and components there, else the providers; a probe down
names its region.  The counts never read calm while blind: "No data yet" before anything was read.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from watchtui.domain import regions
from watchtui.domain.assessment import Health
from watchtui.engine.overview import Overview
from watchtui.viewmodel.severity import (
    LOOKS,
    Level,
    glyph,
    level_of_probe,
    level_of_status,
    separator,
    worst,
)

_BLIND_WORDS: tuple[tuple[Health, str], ...] = (
    ("failing", "failing"),
    ("stale", "stale"),
    ("drifted", "drifted"),
    ("never", "not read yet"),
)


@dataclass(frozen=True)
class Headline:
    level: Level
    places: tuple[str, ...]
    facts: tuple[str, ...]

    @property
    def word(self) -> str:
        return LOOKS[self.level].word.upper()

    @property
    def where(self) -> str:
        if not self.places:
            return ""
        more = len(self.places) - 1
        return self.places[0] + (f" +{more}" if more else "")

    def lead(self, *, ascii_only: bool) -> str:
        """'■ CRITICAL · US West +1' — the part that must survive the narrowest screen."""
        sep = separator(ascii_only=ascii_only)
        head = f"{glyph(self.level, ascii_only=ascii_only)} {self.word}"
        return head + (sep + self.where if self.where else "")

    def text(self, *, ascii_only: bool) -> str:
        sep = separator(ascii_only=ascii_only)
        return sep.join([self.lead(ascii_only=ascii_only), *self.facts])


def _plural(count: int, word: str, plural: str | None = None) -> str:
    return f"{count} {word if count == 1 else (plural or word + 's')}"


def headline(overview: Overview) -> Headline:
    enabled = [s for s in overview.sources if s.enabled]
    levels: list[Level] = [s.impact for s in enabled]
    levels += [level_of_probe(p.state) for p in overview.probes if p.state == "down"]
    level = worst(levels)
    return Headline(level=level, places=_places(overview, level), facts=_facts(overview))


def _places(overview: Overview, level: Level) -> tuple[str, ...]:
    if level == "none":
        return ()
    places: list[str] = []

    def add(name: str) -> None:
        if name and name not in places:
            places.append(name)

    for view in overview.open_incidents:
        if view.incident.impact == level:
            named = [r.geography for r in view.regions if r.geography]
            for geography in named:
                add(regions.geography_name(geography))
            if not named:
                add(view.provider)
    for component in overview.components:
        if level_of_status(component.status) == level:
            named = [r.geography for r in component.regions if r.geography]
            for geography in named:
                add(regions.geography_name(geography))
            if not named:
                add(component.provider)
    for probe in overview.probes:
        if level_of_probe(probe.state) == level:
            where = probe.region.geography if probe.region else None
            add(regions.geography_name(where) if where else f"probe {probe.id}")
    for source in overview.sources:
        if source.enabled and source.impact == level and source.id not in _named(overview):
            add(source.name)
    return tuple(places)


def _named(overview: Overview) -> set[str]:
    """Sources already placed through one of their incidents or components."""
    return {v.source_id for v in overview.open_incidents} | {
        c.source_id for c in overview.components if c.status != "operational"
    }


def _facts(overview: Overview) -> tuple[str, ...]:
    enabled = [s for s in overview.sources if s.enabled]
    blind_start = overview.nothing_read_yet
    facts: list[str] = []
    if overview.disagreements:
        facts.append(_plural(len(overview.disagreements), "disagreement"))
    open_count = overview.open_count
    # While any source is blind, the count is of what is known, and says so.
    known = "known open" if any(s.blind for s in enabled) else "open"
    facts.append("No data yet" if blind_start and not open_count else f"{open_count} {known}")
    down = sum(1 for p in overview.probes if p.state == "down")
    if down:
        facts.append(_plural(down, "probe") + " down")
    by_health = Counter(s.health for s in enabled)
    for health, words in _BLIND_WORDS:
        if by_health[health] and not (health == "never" and blind_start):
            facts.append(f"{_plural(by_health[health], 'source')} {words}")
    return tuple(facts)
