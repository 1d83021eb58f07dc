"""The kiosk's detail area: the incident of the moment in full (it cycles), and beside it on
wide screens the list of every open incident with a pointer at that one.

The most important first, since a small screen shows only the top of it: the level and title,
who and since when, the latest update (or "no updates published yet"), then where, what, and the
earlier updates as room allows.  Remote text goes into ``Text`` as it is, never as markup.
"""

from __future__ import annotations

from datetime import datetime

from rich.text import Text

from watchtui.engine.overview import IncidentView
from watchtui.ui import format as fmt
from watchtui.ui.widgets.kiosk_board import NO_UPDATES
from watchtui.viewmodel import severity


def detail_text(
    view: IncidentView, now: datetime, *, local: bool, ascii_only: bool, roomy: bool
) -> Text:
    incident = view.incident
    sep = severity.separator(ascii_only=ascii_only)
    gap = "\n\n" if roomy else "\n"
    # Assembled: the cell's style (its base style) must not run on into the title.
    text = Text.assemble(fmt.level_cell(incident.impact, ascii_only=ascii_only))
    text.append("  ")
    text.append(incident.title, style="bold")
    text.append("\n")
    text.append(view.provider, style="bold")
    state = "maintenance" if view.is_maintenance else "incident"
    text.append(f"{sep}{state} {incident.status}{sep}")
    text.append(f"started {fmt.when(incident.started_at, now, local=local, zone=True)}")
    text.append(f" ({fmt.age(incident.started_at, now)} ago)", style="dim")
    updates = sorted(incident.updates, key=lambda u: u.at, reverse=True)
    text.append(gap)
    if updates:
        latest = updates[0]
        text.append(f"Latest, {fmt.when(latest.at, now, local=local, zone=True)}: ", style="bold")
        text.append(latest.text.strip())
    else:
        text.append(NO_UPDATES.capitalize(), style="italic")
    where = _where(view)
    if where.plain:
        text.append(gap)
        text.append_text(where)
    for earlier in updates[1:]:
        text.append(gap)
        text.append(f"{fmt.when(earlier.at, now, local=local, zone=True)}: ", style="dim bold")
        text.append(earlier.text.strip(), style="dim")
    return text


def _where(view: IncidentView) -> Text:
    parts: list[Text] = []
    if view.regions:
        names = []
        for region in view.regions:
            name = (
                region.code if region.name in ("", region.code) else f"{region.code} {region.name}"
            )
            names.append(name)
        parts.append(Text.assemble(("Regions ", "dim"), ", ".join(names)))
    if view.incident.components:
        parts.append(Text.assemble(("Services ", "dim"), ", ".join(view.incident.components)))
    return Text("   ").join(parts)


def list_lines(
    incidents: list[IncidentView], index: int, height: int, *, ascii_only: bool
) -> list[Text]:
    """One line per open incident, the current one pointed at; with room for two, each gets the
    first line of its latest update under it.  The window scrolls to keep the pointer shown."""
    pointer = ">" if ascii_only else "▶"
    two = height >= 2 * len(incidents)
    lines: list[Text] = []
    for position, view in enumerate(incidents):
        mark = pointer if position == index else " "
        line = Text(f"{mark} ")
        impact = view.incident.impact
        line.append(severity.glyph(impact, ascii_only=ascii_only), style=fmt.level_style(impact))
        line.append(" ")
        line.append(view.provider, style="bold")
        line.append(": ")
        line.append(view.incident.title, style="reverse" if position == index else "")
        lines.append(line)
        if two:
            updates = sorted(view.incident.updates, key=lambda u: u.at, reverse=True)
            first = updates[0].text.strip().split("\n", 1)[0] if updates else NO_UPDATES
            lines.append(Text(f"    {first}", style="dim"))
    per = 2 if two else 1
    if len(lines) > height > 0:
        # Keep the current incident in view: start the window a little above it.
        start = max(0, min(index * per - 1, len(lines) - height))
        return lines[start : start + height]
    return lines
