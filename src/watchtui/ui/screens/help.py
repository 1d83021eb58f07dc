"""``?``: every binding active where help was asked, generated from the bindings themselves."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import ActiveBinding, Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from watchtui.ui.widgets.ascii import ascii_scrollbars


def _scope(active: ActiveBinding, screen: Screen[object]) -> str:
    node = active.node
    if node is screen.app:
        return "Everywhere"
    if node is screen:
        return "This screen"
    return node.__class__.__name__


def bindings_table(screen: Screen[object]) -> Table:
    """A table of the bindings active on ``screen``: its focused widget's, its own, the app's."""
    table = Table(box=None, expand=True, show_edge=False, pad_edge=False)
    table.add_column("Key", style="bold", no_wrap=True)
    table.add_column("Action")
    table.add_column("Where", style="dim", no_wrap=True)
    table.add_column("Keymap id", style="dim", no_wrap=True)
    entries: dict[tuple[str, str], tuple[list[str], str]] = {}
    for active in screen.active_bindings.values():
        binding = active.binding
        if not binding.description:
            continue
        slot = (_scope(active, screen), binding.description)
        keys, _ = entries.setdefault(slot, ([], binding.id or ""))
        keys.append(screen.app.get_key_display(binding))
    order = {"This screen": 1, "Everywhere": 2}
    for (scope, description), (keys, binding_id) in sorted(
        entries.items(), key=lambda item: order.get(item[0][0], 0)
    ):
        table.add_row(
            Text(" ".join(dict.fromkeys(keys))), Text(description), Text(scope), Text(binding_id)
        )
    return table


class HelpScreen(ModalScreen[None]):
    """Styled in app.tcss."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,q", "dismiss", "Close help", id="close_help"),
    ]

    def __init__(self, target: Screen[object]) -> None:
        super().__init__()
        self.target = target

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body") as body:
            body.border_title = "Keys"
            yield Static(bindings_table(self.target), markup=False)

    def on_mount(self) -> None:
        ascii_only = bool(getattr(self.app, "ascii_only", False))
        self.set_class(ascii_only, "-ascii")
        if ascii_only:
            ascii_scrollbars(self)
        self.query_one("#help-body").focus()
