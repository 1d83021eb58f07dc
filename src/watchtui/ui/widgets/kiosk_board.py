"""What the kiosk puts on the wall, computed from an ``Overview`` without Textual.

* **Tiles**: one per geography with trouble (its open incidents, impaired components and the
  user's probes down there) and one per provider with trouble (``SourceView.impact`` — the one
  judgement — above ``none``, so a blind source is an ``unknown`` tile), worst first.  Probes down
  with no geography share one tile, so the header can never name a place no tile shows.
* **The calm panel**, when no tile is due: all clear, or no data yet.
* **The cycle**: open incidents worst first, then the newest, and the text of one of them.

Every level is drawn from the one scale (``ui.format``); remote text (titles, update texts,
names, errors) only ever goes into ``Text`` as plain strings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from rich.text import Text

from watchtui.domain import regions
from watchtui.domain.model import Region, impact_rank, status_rank
from watchtui.engine.overview import (
    ComponentView,
    IncidentView,
    Overview,
    ProbeView,
    SourceView,
    count_open,
)
from watchtui.ui import format as fmt
from watchtui.viewmodel import severity, signals
from watchtui.viewmodel.headline import headline
from watchtui.viewmodel.severity import Level, separator

TileKind = Literal["geography", "probes", "provider", "more", "calm"]
# Geographies first at the same level and count: "where" reads before "who".
_KIND_ORDER: dict[TileKind, int] = {"geography": 0, "probes": 1, "provider": 2}


@dataclass(frozen=True)
class Tile:
    key: str
    kind: TileKind
    name: str
    level: Level
    # The number shown large (open incidents; probes down); None when there is nothing to count
    # (a blind source: what it says now is unknown).
    count: int | None
    unit: str
    lines: tuple[Text, ...] = ()
    # The same with each incident's latest update under its title, for a tile with the room.
    details: tuple[Text, ...] = ()


NO_UPDATES = "no updates published yet"


def _mark(level: Level, *, ascii_only: bool) -> Text:
    # A span, not the Text's base style: what is appended after it must not inherit it.
    return Text.assemble((severity.glyph(level, ascii_only=ascii_only), fmt.level_style(level)))


def _incident_line(view: IncidentView, *, provider: bool, ascii_only: bool) -> Text:
    line = _mark(view.incident.impact, ascii_only=ascii_only)
    line.append(" ")
    if provider:
        line.append(view.provider, style="bold")
        line.append(": ")
    line.append(view.incident.title)
    return line


def _latest_line(view: IncidentView) -> Text:
    updates = sorted(view.incident.updates, key=lambda u: u.at, reverse=True)
    first = updates[0].text.strip().split("\n", 1)[0] if updates else NO_UPDATES
    return Text(f"  {first}", style="dim")


def _with_latest(
    views: list[IncidentView], rest: list[Text], *, provider: bool, ascii_only: bool
) -> tuple[tuple[Text, ...], tuple[Text, ...]]:
    """(lines, details): the incidents' titles then ``rest``; the details add, under each
    title, the first line of its latest update."""
    titles = [_incident_line(v, provider=provider, ascii_only=ascii_only) for v in views]
    details: list[Text] = []
    for view, title in zip(views, titles, strict=True):
        details += [title, _latest_line(view)]
    return tuple(titles + rest), tuple(details + rest)


def _component_line(component: ComponentView, *, provider: bool, ascii_only: bool) -> Text:
    level = severity.level_of_status(component.status)
    line = _mark(level, ascii_only=ascii_only)
    line.append(" ")
    if provider:
        line.append(component.provider, style="bold")
        line.append(": ")
    line.append(component.name)
    line.append(f" {severity.LOOKS[level].word}", style="dim")
    return line


def _probe_line(probe: ProbeView, *, ascii_only: bool) -> Text:
    where = probe.region.code if probe.region is not None else ""
    # Assembled: the cell's style stays on the cell (``fmt`` cells carry it as a base style).
    cell = Text.assemble(
        fmt.probe_cell(probe.state, ascii_only=ascii_only, subject=f"probe {probe.id}")
    )
    return cell + Text(f" {where}", style="dim") if where else cell


def worst_first(views: list[IncidentView]) -> list[IncidentView]:
    """Worst first, then the most recently started: the order of tiles' lines and the cycle."""
    return sorted(
        views,
        key=lambda v: (-impact_rank(v.incident.impact), -v.incident.started_at.timestamp()),
    )


def _impaired(components: list[ComponentView]) -> list[ComponentView]:
    shown = [c for c in components if c.status != "operational"]
    return sorted(shown, key=lambda c: (-status_rank(c.status), c.provider, c.name))


def _geographies(places: tuple[Region, ...]) -> set[str]:
    # Regions no table maps ("unmapped") are left to the provider's tile: "Unmapped" names no
    # place a reader can act on.
    return {r.geography for r in places if r.geography}


def geography_tiles(overview: Overview, *, ascii_only: bool) -> list[Tile]:
    incidents: dict[str, list[IncidentView]] = {}
    components: dict[str, list[ComponentView]] = {}
    probes: dict[str, list[ProbeView]] = {}
    for view in overview.open_incidents:
        for geo in _geographies(view.regions):
            incidents.setdefault(geo, []).append(view)
    for component in overview.components:
        for geo in _geographies(component.regions):
            components.setdefault(geo, []).append(component)
    for probe in overview.probes:
        where = signals.probe_geography(probe)
        if probe.state == "down" and where is not None and where != "unmapped":
            probes.setdefault(where, []).append(probe)
    tiles: list[Tile] = []
    for geo in set(incidents) | set(components) | set(probes):
        views = worst_first(incidents.get(geo, []))
        impaired = _impaired(components.get(geo, []))
        down = probes.get(geo, [])
        levels: list[Level] = [v.incident.impact for v in views]
        levels += [severity.level_of_status(c.status) for c in impaired]
        levels += [severity.level_of_probe(p.state) for p in down]
        level = severity.worst(levels)
        if level == "none":
            continue
        rest = [_probe_line(p, ascii_only=ascii_only) for p in down]
        rest += [_component_line(c, provider=True, ascii_only=ascii_only) for c in impaired]
        lines, details = _with_latest(views, rest, provider=True, ascii_only=ascii_only)
        count = count_open(views)
        # Where only the user's probes fail, what counts is how many: a large "0 open" beside
        # CRITICAL would read as a contradiction.
        count, unit = (len(down), "down") if down and not count else (count, "open")
        tiles.append(
            Tile(
                key=f"geo:{geo}",
                kind="geography",
                name=regions.geography_name(geo),
                level=level,
                count=count,
                unit=unit,
                lines=lines,
                details=details,
            )
        )
    return tiles


def _placeless_probes_tile(overview: Overview, *, ascii_only: bool) -> Tile | None:
    down = [
        p
        for p in overview.probes
        if p.state == "down" and signals.probe_geography(p) in (None, "unmapped")
    ]
    if not down:
        return None
    return Tile(
        key="probes",
        kind="probes",
        name="Your probes",
        level=severity.worst([severity.level_of_probe(p.state) for p in down]),
        count=len(down),
        unit="down",
        lines=tuple(_probe_line(p, ascii_only=ascii_only) for p in down),
    )


def _blind_line(source: SourceView, now: datetime, *, ascii_only: bool) -> Text:
    line = Text.assemble(fmt.health_cell(source.health, ascii_only=ascii_only))
    if source.last_success_at is None:
        line.append(" never read", style="dim")
    else:
        line.append(f" last read {fmt.age(source.last_success_at, now)} ago", style="dim")
    return line


def provider_tile(
    source: SourceView, overview: Overview, now: datetime, *, ascii_only: bool
) -> Tile:
    views = worst_first([v for v in overview.open_incidents if v.source_id == source.id])
    impaired = _impaired([c for c in overview.components if c.source_id == source.id])
    blind: list[Text] = []
    if source.blind:
        blind.append(_blind_line(source, now, ascii_only=ascii_only))
        if source.last_error:
            blind.append(Text(source.last_error, style="dim"))
        if views:
            blind.append(Text(f"last known: {source.open_incidents} open", style="dim"))
    rest = [_component_line(c, provider=False, ascii_only=ascii_only) for c in impaired]
    lines, details = _with_latest(views, rest, provider=False, ascii_only=ascii_only)
    return Tile(
        key=f"src:{source.id}",
        kind="provider",
        name=source.name,
        level=source.impact,
        count=None if source.blind else source.open_incidents,
        unit="open",
        lines=(*blind, *lines),
        details=(*blind, *details),
    )


def _order(tile: Tile) -> tuple[int, int, int, str]:
    return (
        -impact_rank(tile.level),
        -(tile.count or 0),
        _KIND_ORDER.get(tile.kind, 9),
        tile.name.casefold(),
    )


def build_tiles(overview: Overview, now: datetime, *, ascii_only: bool) -> list[Tile]:
    """Every tile due on the wall, worst first; empty when nothing is in trouble."""
    tiles = geography_tiles(overview, ascii_only=ascii_only)
    probes = _placeless_probes_tile(overview, ascii_only=ascii_only)
    if probes is not None:
        tiles.append(probes)
    blind_start = overview.nothing_read_yet
    for source in overview.sources:
        if not source.enabled or source.impact == "none":
            continue
        if blind_start and source.health == "never":
            continue  # the calm panel says "no data yet" once, not once per source
        tiles.append(provider_tile(source, overview, now, ascii_only=ascii_only))
    return sorted(tiles, key=_order)


def more_tile(hidden: list[Tile], *, ascii_only: bool) -> Tile:
    """The last slot when the wall is full: how many more, their level and names."""
    lines = []
    for tile in hidden:
        line = _mark(tile.level, ascii_only=ascii_only)
        line.append(f" {tile.name}", style="bold")
        if tile.count:
            line.append(f" {tile.count} {tile.unit}", style="dim")
        lines.append(line)
    return Tile(
        key="more",
        kind="more",
        name=f"+{len(hidden)} more",
        level=severity.worst([t.level for t in hidden]),
        count=None,
        unit="",
        lines=tuple(lines),
    )


def calm_tile(overview: Overview, now: datetime, *, ascii_only: bool) -> Tile:
    """The whole wall when no tile is due: all clear — said large — or, before anything was
    read, no data yet (unknown, naming the sources)."""
    enabled = [s for s in overview.sources if s.enabled]
    level = headline(overview).level
    if not enabled:
        # Before the first poll has registered any source, as much as when none is configured.
        lines: tuple[Text, ...] = (Text("no source has been read yet"),)
        return Tile("calm", "calm", "No data yet", "unknown", None, "", lines)
    if overview.nothing_read_yet:
        names = ", ".join(s.name for s in enabled)
        lines = (Text(f"{len(enabled)} sources, not read yet:"), Text(names, style="dim"))
        return Tile("calm", "calm", "No data yet", "unknown", None, "", lines)
    newest = max((s.last_success_at for s in enabled if s.last_success_at), default=None)
    fresh = Text.assemble(
        fmt.health_cell("fresh", ascii_only=ascii_only),
        f" all {len(enabled)} sources ",
        (f"(newest {fmt.age(newest, now)})", "dim"),
    )
    # A probe disagreeing with its provider is not all clear, even with no incident open.
    word = "All clear" if not overview.disagreements else "No open incidents from the providers"
    return Tile("calm", "calm", word, level, 0, "open", (fresh,))


def calm_head(tile: Tile, *, ascii_only: bool, count: bool = True) -> Text:
    """'● OK · 0 open · All clear': the level in its word, upper case as in the header; without
    the count when large digits say it."""
    sep = separator(ascii_only=ascii_only)
    word = severity.LOOKS[tile.level].word.upper()
    head = Text(f"{severity.glyph(tile.level, ascii_only=ascii_only)} {word}")
    head.stylize(fmt.level_style(tile.level))
    if count and tile.count is not None:
        head.append(f"{sep}{tile.count} {tile.unit}", style="bold")
    head.append(f"{sep}{tile.name}", style="bold")
    return head


def signal_texts(overview: Overview, *, ascii_only: bool) -> list[Text]:
    """Disagreements (the user's probes against their providers) first, then hints."""
    found: list[Text] = []
    for disagreement in signals.ordered_disagreements(overview):
        found.append(
            Text.assemble(
                (f"{fmt.disagree_mark(ascii_only=ascii_only)} ", fmt.disagree_style()),
                (disagreement.message, "bold"),
            )
        )
    for hint in signals.ordered_hints(overview):
        found.append(
            Text.assemble(
                ("? possible common cause: ", f"italic {fmt.hint_style()}"),
                (hint.text, "italic"),
            )
        )
    return found
