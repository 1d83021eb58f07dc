"""The main watch screen: regions, services and the incident stream, plus header and source strip.

Wide terminals show all three panes (regions | services over the stream from 100 columns, three
columns from 170); narrower ones show one pane at a time under a tab bar, switched with ``1``-``3``
and ``tab``.  The panes are the same widgets in every layout (only CSS classes change), so a
resize never loses a cursor.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, cast

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Container, Vertical
from textual.events import DescendantFocus
from textual.screen import Screen
from textual.widgets import Footer, Input, Tab, Tabs

from watchtui.domain import regions
from watchtui.engine.overview import Overview
from watchtui.ui.messages import OpenIncident, OpenProbe, RegionFilterToggled, ShowIncidents
from watchtui.ui.settings import follow
from watchtui.ui.widgets.ascii import ascii_scrollbars
from watchtui.ui.widgets.keyed_table import KeyedTable
from watchtui.ui.widgets.notification_line import NotificationLine
from watchtui.ui.widgets.regions_pane import RegionsPane
from watchtui.ui.widgets.services_pane import ServicesPane
from watchtui.ui.widgets.source_strip import SourceStrip
from watchtui.ui.widgets.state import PaneState
from watchtui.ui.widgets.status_header import StatusHeader
from watchtui.ui.widgets.stream import StreamPane
from watchtui.viewmodel.severity import separator

if TYPE_CHECKING:
    from watchtui.ui.app import WatchApp

PANES = ("regions", "services", "stream")
TITLES = {"regions": "1 Regions", "services": "2 Services", "stream": "3 Stream"}


class MainScreen(Screen[None]):
    CSS_PATH = "../styles/main.tcss"
    AUTO_FOCUS = "#stream"
    HORIZONTAL_BREAKPOINTS = [  # noqa: RUF012 (Textual's own declaration is not a ClassVar)
        (0, "-narrow"),
        (100, "-wide"),
        (170, "-huge"),
    ]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "filter", "Filter", id="filter"),
        Binding("w", "watch", "Watch", id="watch"),
        Binding("P", "probes", "Probes", id="probes"),
        Binding("W", "only_watched", "Only watched", show=False, id="only_watched"),
        Binding("a", "toggle_all", "Show all / fold", show=False, id="all_services"),
        Binding("escape", "clear_filters", "Clear filters", show=False, id="clear_filters"),
        Binding("1", "focus_pane('regions')", "Regions pane", show=False, id="focus_regions"),
        Binding("2", "focus_pane('services')", "Services pane", show=False, id="focus_services"),
        Binding("3", "focus_pane('stream')", "Stream pane", show=False, id="focus_stream"),
        Binding("tab", "cycle_pane(1)", "Next pane", show=False, id="next_pane"),
        Binding("shift+tab", "cycle_pane(-1)", "Previous pane", show=False, id="previous_pane"),
    ]

    def __init__(self) -> None:
        super().__init__()
        # Overviews can arrive before the panes exist; they are drawn once mounted.
        self._ready = False
        self.overview: Overview | None = None
        self.geography: str | None = None
        self.text_filter = ""
        self.only_watched = False
        self.show_all_services = False

    @property
    def watch_app(self) -> WatchApp:
        return cast("WatchApp", self.app)

    # --- layout ----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield StatusHeader(self.watch_app.clock, id="header")
        yield SourceStrip(id="strip")
        yield Tabs(
            *(Tab(TITLES[p], id=f"tab-{p}") for p in PANES), active="tab-stream", id="pane-tabs"
        )
        with Container(id="panes"):
            with Vertical(id="left"):
                yield RegionsPane(id="regions")
                yield ServicesPane(id="services")
            yield StreamPane(id="stream")
        yield Input(placeholder="filter: provider, title, service, region", id="filter")
        yield NotificationLine(id="notices")
        yield Footer()

    def on_mount(self) -> None:
        app = self.watch_app
        self.set_class(app.ascii_only, "-ascii")
        if app.ascii_only:
            ascii_scrollbars(self)
        self.only_watched = app.only_watched_at_start
        tabs = self.query_one(Tabs)
        tabs.can_focus = False
        for pane in PANES:
            self.pane(pane).border_title = TITLES[pane]
        self.query_one("#filter", Input).cursor_blink = False
        self.query_one(StatusHeader).show("Loading cached state...", ascii_only=app.ascii_only)
        self._ready = True
        # Stream first: "what is happening" is the question an operator opens this with.
        self.call_after_refresh(self.action_focus_pane, "stream")
        self.watch(app, "board", self._board_changed, init=True)
        self.watch(app, "notices_changed", self._show_notices, init=True)
        follow(self, "local_time", self._local_time_changed)

    def _local_time_changed(self) -> None:
        self.refresh_view()
        self._show_notices()

    def _board_changed(self, overview: Overview | None) -> None:
        if overview is not None:
            self.show_overview(overview)

    def _show_notices(self) -> None:
        app = self.watch_app
        self.query_one(NotificationLine).show_entry(
            app.notices.latest,
            unread=app.notices.unread,
            now=app.clock(),
            local=app.local_time,
            ascii_only=app.ascii_only,
        )

    def pane(self, name: str) -> KeyedTable:
        return self.query_one(f"#{name}", KeyedTable)

    @property
    def active_pane(self) -> str:
        for name in PANES:
            if self.has_class(f"-show-{name}"):
                return name
        return "stream"

    def _activate(self, name: str) -> None:
        for other in PANES:
            self.set_class(other == name, f"-show-{other}")
        tabs = self.query_one(Tabs)
        if tabs.active != f"tab-{name}":
            tabs.active = f"tab-{name}"

    def on_descendant_focus(self, event: DescendantFocus) -> None:
        widget_id = event.widget.id
        if widget_id in PANES:
            self._activate(widget_id)

    @on(Tabs.TabActivated, "#pane-tabs")
    def _tab_activated(self, event: Tabs.TabActivated) -> None:
        name = (event.tab.id or "tab-stream").removeprefix("tab-")
        if name in PANES and self.focused is not self.pane(name):
            self.action_focus_pane(name)

    def action_focus_pane(self, name: str) -> None:
        self._activate(name)
        self.pane(name).focus()

    def action_cycle_pane(self, step: int) -> None:
        index = PANES.index(self.active_pane)
        self.action_focus_pane(PANES[(index + step) % len(PANES)])

    # --- data ------------------------------------------------------------------------------

    def show_overview(self, overview: Overview) -> None:
        """Apply a new overview (the app does not call this while paused)."""
        self.overview = overview
        self.refresh_view()

    def state(self, overview: Overview) -> PaneState:
        app = self.watch_app
        return PaneState(
            overview=overview,
            now=app.clock(),
            geography=self.geography,
            text=self.text_filter,
            only_watched=self.only_watched,
            ascii_only=app.ascii_only,
            local_time=app.local_time,
            show_all_services=self.show_all_services,
        )

    def refresh_view(self) -> None:
        overview = self.overview
        if overview is None or not self._ready:
            return
        state = self.state(overview)
        with self.app.batch_update():
            header = self.query_one(StatusHeader)
            header.show_overview(overview, ascii_only=state.ascii_only)
            header.show_scope(self._scope_parts())
            self.query_one(SourceStrip).show_sources(
                overview.sources, state.now, ascii_only=state.ascii_only
            )
            self.query_one(RegionsPane).show(state)
            self.query_one(ServicesPane).show(state)
            stream = self.query_one(StreamPane)
            stream.show(state)
            self._title_stream(stream)

    def _title_stream(self, stream: StreamPane) -> None:
        unread = len(stream.unread)
        ascii_only = self.watch_app.ascii_only
        parts = [TITLES["stream"]]
        if unread:
            parts.append(f"{unread} new (m: mark read)")
        if above := stream.above_label(ascii_only=ascii_only):
            parts.append(f"{above} (g: follow)")
        title = separator(ascii_only=ascii_only).join(parts)
        # Setting a border title repaints the whole widget even when the text is the same: on an
        # idle screen that would resend the stream to the terminal on every poll.
        if stream.border_title != title:
            stream.border_title = title
        tab = self.query_one("#tab-stream", Tab)
        if str(tab.label) != title:
            tab.label = title

    def on_data_table_row_highlighted(self) -> None:
        # Reading rows changes the unread count in the title.
        self._title_stream(self.query_one(StreamPane))

    def _scope_parts(self) -> list[str]:
        parts = []
        if self.geography is not None:
            parts.append(f"region: {regions.geography_name(self.geography)}")
        if self.text_filter:
            parts.append(f"filter: {self.text_filter}")
        if self.only_watched:
            parts.append("watched only")
        return parts

    # --- narrowing -------------------------------------------------------------------------

    @on(RegionFilterToggled)
    def _region_filter(self, event: RegionFilterToggled) -> None:
        self.geography = None if self.geography == event.geography else event.geography
        self.refresh_view()

    def action_toggle_all(self) -> None:
        """Unfold everything: operational services, healthy locations, folded providers."""
        self.show_all_services = not self.show_all_services
        self.refresh_view()

    def action_filter(self) -> None:
        field = self.query_one("#filter", Input)
        field.display = True
        field.focus()

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.text_filter = event.value
        self.refresh_view()

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self) -> None:
        # Focus moves before the field hides, or Textual would drop focus with it.
        self.action_focus_pane("stream")
        stream = self.pane("stream")
        if stream.row_count:
            stream.move_cursor(row=0)
        self.query_one("#filter", Input).display = False

    def action_clear_filters(self) -> None:
        field = self.query_one("#filter", Input)
        if self.text_filter or field.display:
            self.text_filter = ""
            field.value = ""
            self.action_focus_pane(self.active_pane)
            field.display = False
        elif self.geography is not None:
            self.geography = None
        elif self.only_watched:
            self.only_watched = False
        self.refresh_view()

    def action_only_watched(self) -> None:
        if not self.only_watched and self.overview is not None and not self.overview.watched:
            self.notify("Nothing is watched yet: press w on a provider, service or region.")
            return
        self.only_watched = not self.only_watched
        self.refresh_view()

    def action_watch(self) -> None:
        pane = self.pane(self.active_pane)
        target = cast("RegionsPane | ServicesPane | StreamPane", pane).watch_target()
        if target is None:
            self.notify("Nothing selected to watch.", severity="warning")
            return
        self.watch_app.toggle_watch(target)

    # --- drill-down ------------------------------------------------------------------------

    @on(OpenIncident)
    def _open_incident(self, event: OpenIncident) -> None:
        self.watch_app.open_incident(event.source_id, event.incident_id)

    @on(ShowIncidents)
    def _show_incidents(self, event: ShowIncidents) -> None:
        self.watch_app.show_incidents(event)

    @on(OpenProbe)
    def _open_probe(self, event: OpenProbe) -> None:
        self.watch_app.open_probes(event.probe_id)

    def action_probes(self) -> None:
        """The probes screen, on the probe under the cursor if there is one."""
        self.watch_app.open_probes(self._selected_probe())

    def _selected_probe(self) -> str | None:
        pane = self.active_pane
        if pane == "stream":
            pinned = self.query_one(StreamPane).current_pinned()
            return getattr(pinned, "probe_id", None)
        if pane == "regions":
            region_info = self.query_one(RegionsPane).current()
            return None if region_info is None else region_info.probe
        service_info = self.query_one(ServicesPane).current()
        return None if service_info is None else service_info.probe
