"""``?``: the keys that work where help was asked, generated from the bindings themselves.

Grouped by where a key works: the screen help was asked on (the board, or the screen on top of
it), the selected pane or list, and everywhere (the app).  Only keys that reach their action are
listed: a screen's ``p`` hides the app's ``p``, so help on History lists "Provider", not "Pause".
Textual's own widget bindings that watchtui does not document (page left, copy, focus next…)
are left out; the cursor keys are one line.  Each key's binding id is shown: ``[keys]`` in the
config remaps a key by that id.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import ActiveBinding, Binding, BindingType
from textual.containers import VerticalScroll
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, OptionList, Static

from watchtui.ui.widgets.ascii import ascii_scrollbars

# The cursor keys of a list, shown as one line in this order (remapped keys follow).
MOVE_ACTIONS = frozenset({"cursor_down", "cursor_up", "scroll_top", "scroll_bottom"})
_MOVE_ORDER = ("j", "k", "up", "down", "g", "G", "home", "end")
# Textual's own movement bindings that the move line stands for: the arrows.  Its ctrl+home and
# ctrl+end duplicates of g and G are left out like the rest of its bindings.
_TEXTUAL_MOVES = frozenset({"up", "down"})


Origin = tuple[str, int]  # (module declaring a binding, its rank in the help)


@functools.cache
def _declared_by(cls: type[DOMNode]) -> dict[tuple[str, str, str | None], Origin]:
    """(action, description, id) of each binding ``cls`` has -> where it was declared: the most
    derived class wins, as in Textual's own merge, and ranks first, in its declaration order."""
    origin: dict[tuple[str, str, str | None], Origin] = {}
    for base in cls.__mro__:
        declared: list[BindingType] = base.__dict__.get("BINDINGS", [])
        for binding in Binding.make_bindings(declared):
            slot = (binding.action, binding.description, binding.id)
            origin.setdefault(slot, (base.__module__, len(origin)))
    return origin


def _origin(active: ActiveBinding) -> Origin:
    binding = active.binding
    slot = (binding.action, binding.description, binding.id)
    return _declared_by(type(active.node)).get(slot, ("", 0))


def is_textual_own(active: ActiveBinding) -> bool:
    """Declared by Textual itself (DataTable's page keys, Screen's copy), not by watchtui."""
    module = _origin(active)[0]
    return module == "textual" or module.startswith("textual.")


def _handles_row_selected(nodes: Iterable[DOMNode]) -> bool:
    """Does enter on a row do anything here (a pane or screen reacting to a selected row)?"""
    for node in nodes:
        cls = type(node)
        if hasattr(cls, "on_data_table_row_selected"):
            return True
        for klass in cls.__mro__:
            if DataTable.RowSelected in klass.__dict__.get("_decorated_handlers", {}):
                return True
    return False


@dataclass
class Entry:
    """One line of help: the keys (as displayed), what they do, their binding ids."""

    keys: list[str] = field(default_factory=list)
    description: str = ""
    ids: list[str] = field(default_factory=list)
    # Where its first binding was declared: entries keep the order of the BINDINGS lists.
    rank: int = 0

    def add(self, key: str, binding_id: str | None) -> None:
        if key not in self.keys:
            self.keys.append(key)
        if binding_id and binding_id not in self.ids:
            self.ids.append(binding_id)


@dataclass
class Section:
    title: str
    entries: dict[str, Entry] = field(default_factory=dict)

    def add(self, description: str, key: str, binding_id: str | None, rank: int = 0) -> None:
        entry = self.entries.setdefault(description, Entry(description=description, rank=rank))
        entry.rank = min(entry.rank, rank)
        entry.add(key, binding_id)

    def ordered(self) -> list[Entry]:
        return sorted(self.entries.values(), key=lambda entry: entry.rank)


def _move_entry(moves: list[ActiveBinding], screen: Screen[object], follows: bool) -> Entry:
    def rank(active: ActiveBinding) -> int:
        key = active.binding.key
        return _MOVE_ORDER.index(key) if key in _MOVE_ORDER else len(_MOVE_ORDER)

    ordered = sorted(moves, key=rank)  # stable: remapped keys keep their order
    display = screen.app.get_key_display
    top = "/".join(
        display(a.binding) for a in ordered if a.binding.action == "scroll_top" and a.binding.id
    )
    description = "move"
    if top:
        description += f"; {top}: back to the top" + (" and follow" if follows else "")
    entry = Entry(description=description)
    for active in ordered:
        entry.add(display(active.binding), active.binding.id)
    return entry


def help_sections(screen: Screen[object]) -> list[Section]:
    """The keys that work on ``screen`` now, grouped by where they work."""
    app = screen.app
    board = bool(app.screen_stack) and screen is app.screen_stack[0]
    focused = screen.focused
    widgets = [] if focused is None else list(focused.ancestors_with_self)
    widgets = [node for node in widgets if node is not screen and node is not app]
    here = Section(
        "On the board" if board else getattr(screen, "HELP_TITLE", "On this screen"),
    )
    in_pane = Section(
        getattr(focused, "HELP_TITLE", "") or ("In the selected pane" if board else "In the list")
    )
    everywhere = Section("Everywhere")
    moves: list[ActiveBinding] = []
    enter_opens = _handles_row_selected([*widgets, screen])
    display = app.get_key_display
    for active in screen.active_bindings.values():
        binding = active.binding
        node = active.node
        own = not is_textual_own(active)
        if node is app:
            section = everywhere
        elif node is screen:
            section = here
        else:
            section = in_pane
            if binding.action in MOVE_ACTIONS and (own or binding.key in _TEXTUAL_MOVES):
                moves.append(active)
                continue
            if not own and binding.action == "select_cursor" and enter_opens:
                section.add("Open the selected row", display(binding), binding.id, -1)
                continue
        if own and binding.description:
            # The tooltip, where a screen gives one, says more than the footer's word.
            what = binding.tooltip or binding.description
            section.add(what, display(binding), binding.id, _origin(active)[1])
    if moves and isinstance(focused, DataTable | OptionList):
        # Live panes follow the newest row until the user moves (KeyedTable.FOLLOWS_TOP).
        follows = bool(getattr(type(focused), "FOLLOWS_TOP", False))
        move = _move_entry(moves, screen, follows)
        move.rank = -2
        in_pane.entries[move.description] = move
    return [section for section in (here, in_pane, everywhere) if section.entries]


def help_table(screen: Screen[object]) -> Table:
    """The help as one table: a heading row per section, then key, what it does, binding id."""
    table = Table(box=None, expand=True, show_edge=False, pad_edge=False)
    table.add_column(Text("Key"), style="bold", no_wrap=True)
    table.add_column(Text("What it does"), ratio=1)
    # An id is typed into the config: never cut, one per line.
    table.add_column(Text("Id for [keys]"), style="dim", no_wrap=True)
    for section in help_sections(screen):
        table.add_row("")
        table.add_row(Text(section.title, style="bold underline"))
        for entry in section.ordered():
            table.add_row(
                Text(" ".join(entry.keys)), Text(entry.description), Text("\n".join(entry.ids))
            )
    return table


class HelpScreen(ModalScreen[None]):
    """Styled in app.tcss.  Scrolls with the keys of a list; ``escape`` or ``?`` closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,q", "dismiss", "Close help", id="close_help"),
        Binding("j,down", "scroll_help('down')", "Scroll down", show=False, id="help.down"),
        Binding("k,up", "scroll_help('up')", "Scroll up", show=False, id="help.up"),
        Binding(
            "pagedown,space",
            "scroll_help('page_down')",
            "Page down",
            show=False,
            id="help.page_down",
        ),
        Binding("pageup", "scroll_help('page_up')", "Page up", show=False, id="help.page_up"),
        Binding("g,home", "scroll_help('home')", "Top", show=False, id="help.top"),
        Binding("G,end", "scroll_help('end')", "Bottom", show=False, id="help.bottom"),
    ]

    def __init__(self, target: Screen[object]) -> None:
        super().__init__()
        self.target = target

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body") as body:
            body.border_title = "Keys"
            body.border_subtitle = "escape or ? closes"
            yield Static(help_table(self.target), markup=False)

    def on_mount(self) -> None:
        ascii_only = bool(getattr(self.app, "ascii_only", False))
        self.set_class(ascii_only, "-ascii")
        if ascii_only:
            ascii_scrollbars(self)
        self.query_one("#help-body").focus()

    def action_scroll_help(self, where: str) -> None:
        body = self.query_one("#help-body", VerticalScroll)
        {
            "down": body.scroll_down,
            "up": body.scroll_up,
            "page_down": body.scroll_page_down,
            "page_up": body.scroll_page_up,
            "home": body.scroll_home,
            "end": body.scroll_end,
        }[where](animate=False)
