"""Pick a provider from the built-in catalogue by fuzzy search; dismisses with its id (or None).

``search_catalog`` takes about a millisecond, so it runs on every keystroke in the UI thread.
Entries without a machine-readable feed (kind ``link``) and those already watched are listed,
dimmed, but cannot be picked.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from watchtui import catalog
from watchtui.catalog import CatalogEntry
from watchtui.ui.catalog_search import search_catalog
from watchtui.viewmodel.severity import separator

RESULTS = 50
_NAME_WIDTH = 30
_KIND_WIDTH = 12


def entry_prompt(entry: CatalogEntry, *, added: bool) -> Text:
    """'GitHub                         statuspage    Developer Tools' as plain Text."""
    name = Text(entry.name, no_wrap=True, overflow="ellipsis")
    name.truncate(_NAME_WIDTH, overflow="ellipsis", pad=True)
    kind = Text(entry.kind)
    kind.truncate(_KIND_WIDTH, overflow="ellipsis", pad=True)
    prompt = Text.assemble(name, " ", kind, " ", entry.category, no_wrap=True, overflow="ellipsis")
    if added:
        prompt.append("  (watched)")
    elif not entry.pollable:
        prompt.append("  (no feed)")
    return prompt


class CatalogPicker(ModalScreen[str | None]):
    """A search box over the catalogue and the best matches under it."""

    CSS_PATH = "../styles/catalog_picker.tcss"
    HELP_TITLE: ClassVar[str] = "In the catalogue picker"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="catalog_picker.cancel"),
        Binding("down", "move(1)", "Next", show=False, id="catalog_picker.next"),
        Binding("up", "move(-1)", "Previous", show=False, id="catalog_picker.previous"),
        Binding("enter", "pick", "Add", id="catalog_picker.add"),
    ]

    def __init__(self, watched: Collection[str] = (), *, ascii_only: bool = False) -> None:
        super().__init__()
        self.watched = frozenset(watched)
        self.ascii_only = ascii_only

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(Text("Add a source from the catalogue", style="bold"), id="title")
            search = Input(placeholder="Search by name, alias or category", id="search")
            search.cursor_blink = False
            yield search
            yield OptionList(id="matches")
            yield Static(self._hint(), id="hint")

    def on_mount(self) -> None:
        self._show("")
        self.query_one("#search", Input).focus()

    def _hint(self) -> Text:
        entries = catalog.load_catalog()
        links = sum(1 for e in entries if not e.pollable)
        dot = separator(ascii_only=self.ascii_only)
        return Text(
            f"{len(entries)} providers, {links} without a feed (dimmed)"
            f"{dot}enter add{dot}esc cancel",
            style="bright_black",
        )

    @on(Input.Changed, "#search")
    def _search(self, event: Input.Changed) -> None:
        self._show(event.value)

    @on(Input.Submitted, "#search")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_pick()

    @on(OptionList.OptionSelected, "#matches")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.dismiss(event.option.id)

    def _show(self, query: str) -> None:
        matches = self.query_one("#matches", OptionList)
        matches.set_options(
            Option(
                entry_prompt(entry, added=entry.id in self.watched),
                id=entry.id,
                disabled=not entry.pollable or entry.id in self.watched,
            )
            for entry in search_catalog(query, limit=RESULTS)
        )
        # The best match is highlighted so typing then enter adds it.
        matches.action_first()

    def action_move(self, step: int) -> None:
        matches = self.query_one("#matches", OptionList)
        if step > 0:
            matches.action_cursor_down()
        else:
            matches.action_cursor_up()

    def action_pick(self) -> None:
        option = self.query_one("#matches", OptionList).highlighted_option
        if option is None or option.id is None:
            self.app.bell()
            return
        if option.disabled:
            # Navigation skips these, but a search whose only match is one lands here.
            entry = catalog.get(option.id)
            name = entry.name if entry is not None else option.id
            reason = "is already watched" if option.id in self.watched else "has no feed to poll"
            # markup=False: catalogue names are data, not markup.
            warning = f"{name} {reason}"
            self.notify(warning, severity="warning", markup=False)
            return
        self.dismiss(option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
