"""A probe's latency over its recent runs: a bar chart, failed runs marked, scaled to the peak."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widget import Widget

from watchtui.ui import format as fmt


class LatencyChart(Widget):
    """The selected probe's latency, one column per run, newest on the right, as tall as the
    widget (less the title line)."""

    DEFAULT_CSS = """
    LatencyChart {
        height: 5;
    }
    """
    AXIS = 8

    def __init__(self, *, ascii_only: bool = False, id: str | None = None) -> None:
        super().__init__(id=id)
        self.ascii_only = ascii_only
        self.values: tuple[float | None, ...] = ()

    def show(self, values: Sequence[float | None]) -> None:
        values = tuple(values)
        if values != self.values:
            self.values = values
            # Without results there is no chart to give the lines to.
            self.set_class(not values, "-empty")
            self.refresh()

    def render(self) -> Text:
        width = max(1, self.size.width - self.AXIS)
        shown = self.values[-width:]
        if not shown:
            return Text.assemble(("Latency", "bold"), ("  no results yet", "dim"))
        arrow = "->" if self.ascii_only else "→"
        title = Text.assemble(
            ("Latency", "bold"),
            f"  last {len(shown)} runs, oldest {arrow} newest",
            no_wrap=True,
            overflow="crop",
        )
        height = max(1, self.size.height - 1)
        rows = fmt.latency_chart(shown, height, ascii_only=self.ascii_only)
        peak = max((v for v in shown if v is not None), default=None)
        failed = sum(1 for v in shown if v is None)
        if failed:
            cross = "x" if self.ascii_only else "✗"
            title.append(f"  {cross} failed run ({failed})", style="red")
        out = title
        for index, row in enumerate(rows):
            label = ""
            if index == 0 and peak is not None:
                label = fmt.latency(peak, ascii_only=self.ascii_only)
            elif index == len(rows) - 1:
                label = "0ms"
            out.append("\n")
            out.append(f"{label:>{self.AXIS - 2}} ", style="dim")
            out.append("|" if self.ascii_only else "│", style="dim")
            out.append_text(row)
        return out
