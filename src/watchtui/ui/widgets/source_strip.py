"""One line of source health, troubled ones first: a silent feed is as visible as an outage."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text

from watchtui.engine.overview import SourceView
from watchtui.ui import format as fmt
from watchtui.ui.widgets.one_line import OneLine

_ORDER = {"failing": 0, "drifted": 1, "stale": 2, "never": 3, "fresh": 4, "disabled": 5}
# With more fresh sources than this, they are summarised instead of listed one by one.
LIST_FRESH_UP_TO = 6


def strip_text(sources: tuple[SourceView, ...], now: datetime, *, ascii_only: bool) -> Text:
    ordered = sorted(sources, key=lambda s: (_ORDER.get(s.health, 9), s.name.casefold()))
    fresh = [s for s in ordered if s.health == "fresh"]
    listed = [s for s in ordered if s.health != "fresh" or len(fresh) <= LIST_FRESH_UP_TO]
    gap = "  " if ascii_only else " · "
    parts: list[Text] = []
    for source in listed:
        cell = fmt.health_cell(source.health, ascii_only=ascii_only)
        part = Text.assemble(
            (source.name, "bold" if source.health in ("failing", "stale", "drifted") else ""),
            " ",
            cell if source.health != "fresh" else Text(cell.plain.split(" ")[0], cell.style),
        )
        if source.health not in ("never", "disabled"):
            part.append(f" {fmt.age(source.last_success_at, now)}", style="dim")
        parts.append(part)
    if len(fresh) > LIST_FRESH_UP_TO:
        newest = max((s.last_success_at for s in fresh if s.last_success_at), default=None)
        parts.append(
            Text.assemble(
                fmt.health_cell("fresh", ascii_only=ascii_only),
                f" {len(fresh)}",
                (f" (newest {fmt.age(newest, now)})", "dim"),
            )
        )
    if not parts:
        return Text("No sources configured", style="dim")
    return Text("Sources: ", style="dim") + Text(gap, style="dim").join(parts)


class SourceStrip(OneLine):
    def show_sources(
        self, sources: tuple[SourceView, ...], now: datetime, *, ascii_only: bool
    ) -> None:
        self.show(strip_text(sources, now, ascii_only=ascii_only), ascii_only=ascii_only)
