"""The watchtui Textual app: owns the engine, the polling workers and the notifications.

Data flow: the first board is read before the app starts (``first_board``: no UI yet to block)
and is in the first frame; after that a timer starts an async worker running ``engine.poll()``,
then a thread worker reads ``engine.overview()``; both report back as typed messages
(``EventsArrived``, ``OverviewLoaded``).  The newest overview goes into one app-level reactive,
``board`` (held while paused), which every screen that shows live data watches, as they watch
the display settings ``paused`` and ``local_time`` (``ui.settings``): there is no other way for
state to reach a screen.  Every
worker failure lands in ``on_worker_state_changed`` and is said on the notification line, never
raised: the next cycle simply retries.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import PurePath
from typing import ClassVar

from textual import work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.command import Provider
from textual.keys import KEY_DISPLAY_ALIASES
from textual.notifications import SeverityLevel
from textual.reactive import reactive
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from watchtui.domain.assessment import EXIT_INTERRUPTED, EXIT_UNKNOWN
from watchtui.domain.clock import utcnow
from watchtui.domain.events import ChangeEvent
from watchtui.domain.model import Impact, impact_rank
from watchtui.engine.overview import IncidentView, Overview
from watchtui.engine.protocol import RoundFailed, WatchEngine
from watchtui.ui import format as fmt
from watchtui.ui import terminal
from watchtui.ui.commands import WatchCommands
from watchtui.ui.messages import EventsArrived, OverviewLoaded, RefreshSource, ShowIncidents
from watchtui.ui.screens.main import MainScreen
from watchtui.ui.textual_workarounds import terminal_writer
from watchtui.ui.widgets.stream import StreamPane
from watchtui.viewmodel import notify
from watchtui.viewmodel.notice_log import NoticeLog
from watchtui.viewmodel.watching import WatchTarget


class WatchApp(App[None]):
    """Public API: ``WatchApp(engine, clock=…, ascii_only=…, kiosk=…, keymap=…, …).run()``."""

    # The default screen's CSS_PATH is not loaded by Textual (only pushed screens'), hence here.
    CSS_PATH: ClassVar[list[str | PurePath]] = ["styles/app.tcss", "styles/main.tcss"]
    TITLE = "watchtui"
    COMMANDS: ClassVar[set[type[Provider] | Callable[[], type[Provider]]]] = App.COMMANDS | {
        WatchCommands
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="quit"),
        # Ctrl-C ends a terminal program, and an operator reaches for it: it quits (exit 130, as
        # the README says), where Textual would only say which key quits.  Text selected with
        # the mouse (a browser, through `serve`) is copied instead, as Textual would.
        Binding(
            "ctrl+c",
            "interrupt",
            "Interrupt: quit, exit 130",
            show=False,
            priority=True,
            id="interrupt",
        ),
        Binding("question_mark", "help", "Help", id="help"),
        Binding("h", "history", "History", id="history"),
        Binding("s", "sources", "Sources", id="sources"),
        Binding("n", "notifications", "Notifications", id="notifications"),
        # Footer room at 80 columns goes to where to look next; these live in help (?).
        Binding("r", "refresh", "Refresh", show=False, id="refresh"),
        Binding("p", "pause", "Pause", show=False, id="pause"),
        Binding("t", "toggle_clock", "UTC/local", show=False, id="clock"),
        Binding("m", "mark_all_read", "Mark all read", show=False, id="mark_all_read"),
        Binding(
            "ctrl+p",
            "command_palette",
            "Commands",
            show=False,
            priority=True,
            id="command_palette",
        ),
        # The one key a wall display obeys (see KIOSK_ACTIONS): a chord no passer-by presses.
        Binding("ctrl+q", "leave_kiosk", "Quit", show=False, priority=True, id="kiosk_quit"),
    ]
    # In kiosk mode every key does nothing but this: a stray h or q must not take the wall down.
    KIOSK_ACTIONS: ClassVar[frozenset[str]] = frozenset({"leave_kiosk"})

    # What every live screen shows: the newest overview, held while paused.
    # (No repaint: the app draws nothing itself; the widgets that change repaint themselves,
    # so an unchanged board sends nothing to the terminal.)
    board: reactive[Overview | None] = reactive(None, always_update=True, init=False, repaint=False)
    # Bumped whenever the notice log changes; the notification line watches it.
    notices_changed: reactive[int] = reactive(0, init=False, repaint=False)
    # Held board (``p``) and the zone times are shown in (``t``): app-wide settings that the
    # header and every screen showing times watch, as they watch the board.
    paused: reactive[bool] = reactive(False, init=False, repaint=False)
    local_time: reactive[bool] = reactive(False, init=False, repaint=False)

    def __init__(
        self,
        engine: WatchEngine,
        *,
        clock: Callable[[], datetime] = utcnow,
        ascii_only: bool = False,
        kiosk: bool = False,
        keymap: dict[str, str] | None = None,
        poll_interval: float = 15.0,
        notify_bell: bool = False,
        notify_desktop: bool = False,
        min_impact: Impact = "minor",
        debounce_seconds: float = 30.0,
        notifications: bool = True,
        local_time: bool = False,
        only_watched: bool = False,
        kiosk_cycle_seconds: float = 10.0,
        external_check_seconds: float = 1.0,
        environ: Mapping[str, str] | None = None,
        first_board: Overview | None = None,
        first_notice: str | None = None,
    ) -> None:
        env = os.environ if environ is None else environ
        self.palette = terminal.palette(env)
        # The 16-colour palette is drawn with the terminal's own colours, never RGB matched to
        # the nearest of 16 (see watchtui.ui.terminal).
        super().__init__(ansi_color=self.palette == "ansi")
        fmt.use_palette(self.palette)
        self.engine = engine
        self.clock = clock
        self.ascii_only = ascii_only or terminal.needs_ascii(env)
        self.kiosk = kiosk
        self.poll_interval = poll_interval
        self.notify_bell = notify_bell
        self.notify_desktop = notify_desktop
        self.notifications = notifications
        self.policy = notify.NotifyPolicy(min_impact=min_impact, debounce_seconds=debounce_seconds)
        self.set_reactive(WatchApp.local_time, local_time)
        self.only_watched_at_start = only_watched
        self.kiosk_cycle_seconds = kiosk_cycle_seconds
        self.external_check_seconds = external_check_seconds
        self.latest: Overview | None = None
        self.notices = NoticeLog()
        self._pending_events: list[ChangeEvent] = []
        self._last_sent: dict[notify.DebounceKey, datetime] = {}
        self._poll_worker: Worker[None] | None = None
        self._external_worker: Worker[None] | None = None
        self._force_pending = False
        self._sources_pending: list[RefreshSource] = []
        self._polling_started = False
        self._last_error: str | None = None
        self._first_board = first_board
        self._first_notice = first_notice
        if keymap:
            self.set_keymap(keymap)

    # --- screens ---------------------------------------------------------------------------

    def on_load(self) -> None:
        # App-wide ASCII styling (footer separators) hangs off this class.
        self.set_class(self.ascii_only, "-ascii")
        if self.palette == "ansi":
            self.theme = "ansi-dark"

    def get_key_display(self, binding: Binding) -> str:
        """Textual shows some keys as symbols (⏎, ↑, ⌫); ASCII mode spells them out."""
        display = super().get_key_display(binding)
        if not self.ascii_only or display.isascii():
            return display
        for name, symbol in KEY_DISPLAY_ALIASES.items():
            display = display.replace(symbol, name)
        return display

    def get_default_screen(self) -> Screen[None]:
        # Screens other than the one shown first are imported when first opened: the first
        # frame does not wait for them.
        if self.kiosk:
            from watchtui.ui.screens.kiosk import KioskScreen

            return KioskScreen()
        return MainScreen()

    def on_mount(self) -> None:
        # Paint the cached state first; the first poll starts once it is on screen.  A board read
        # before the app started (``first_board``) is in the very first frame.
        if self._first_notice is not None:
            self.say("watchtui", self._first_notice, "unknown")
        if self._first_board is not None:
            first, self._first_board = self._first_board, None
            self.show_overview(first)
        else:
            self.load_overview()
        self.set_interval(self.external_check_seconds, self.check_external, name="external")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self.kiosk:
            return action in self.KIOSK_ACTIONS
        return action != "leave_kiosk"

    def action_leave_kiosk(self) -> None:
        self.exit()

    @property
    def exit_status(self) -> int:
        """The process's exit status once the app has ended: 0 quit, 130 interrupted; a crash
        (Textual's 1, which would read as WARNING) exits 3, as every error does."""
        code = self.return_code
        if code in (None, 0, EXIT_INTERRUPTED):
            return code or 0
        return EXIT_UNKNOWN

    def action_interrupt(self) -> None:
        selected = self.screen.get_selected_text()
        if selected:
            self.copy_to_clipboard(selected)
            return
        self.exit(return_code=EXIT_INTERRUPTED)

    def to_board(self) -> None:
        """Back to the board: top-level screens never stack on each other."""
        while len(self.screen_stack) > 1:
            self.pop_screen()

    def action_back_to_board(self) -> None:
        self.to_board()

    def _open_top_level(self, screen: Screen[None]) -> None:
        self.to_board()
        self.push_screen(screen)

    # --- workers ---------------------------------------------------------------------------

    def poll_now(self, *, force: bool = False, source: RefreshSource | None = None) -> None:
        if self._poll_worker is not None and self._poll_worker.is_running:
            # A poll in flight is never cancelled (it may be mid-write); a forced one follows it,
            # and so does a one-source refresh asked for meanwhile (that source only).
            if source is None:
                self._force_pending = self._force_pending or force
            elif source.source_id not in {s.source_id for s in self._sources_pending}:
                self._sources_pending.append(source)
            return
        self._poll_worker = self.poll_sources(force, source)

    @work(exclusive=True, group="poll", exit_on_error=False)
    async def poll_sources(self, force: bool = False, source: RefreshSource | None = None) -> None:
        try:
            events = await self.engine.poll(
                force=force or source is not None, source_id=source.source_id if source else None
            )
        except RoundFailed as failed:
            # What the round's other sources found still reaches the board and the bell; the
            # failure itself is reported like any other (``on_worker_state_changed``), in the
            # cause's words.
            if failed.events:
                self.post_message(EventsArrived(failed.events))
            self.load_overview()
            raise
        if events:
            self.post_message(EventsArrived(events))
        if source is not None:
            plural = "s" if len(events) != 1 else ""
            self.say("watchtui", f"Refreshed {source.name}: {len(events)} change{plural}")
        self.load_overview()

    def on_refresh_source(self, message: RefreshSource) -> None:
        self.poll_now(source=message)

    @work(thread=True, exclusive=True, group="overview", exit_on_error=False)
    def load_overview(self) -> None:
        self.post_message(OverviewLoaded(self.engine.overview()))

    def check_external(self) -> None:
        if self._external_worker is not None and self._external_worker.is_running:
            return
        self._external_worker = self._check_external()

    @work(thread=True, group="external", exit_on_error=False)
    def _check_external(self) -> None:
        if self.engine.external_change():
            self.post_message(OverviewLoaded(self.engine.overview()))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if event.state == WorkerState.ERROR:
            self._report_error(worker.name, worker.error)
        if worker is self._poll_worker and event.state in (WorkerState.SUCCESS, WorkerState.ERROR):
            if event.state == WorkerState.SUCCESS:
                self._last_error = None
            if self._force_pending:
                self._force_pending = False
                self.poll_now(force=True)
            elif self._sources_pending:
                self.poll_now(source=self._sources_pending.pop(0))

    def _report_error(self, what: str, error: BaseException | None) -> None:
        message = f"{what.replace('_', ' ')} failed: {error!s}" if error else f"{what} failed"
        # The same failure every cycle is said once; the next cycle retries silently.
        if message == self._last_error:
            return
        self._last_error = message
        self.log.error(message)
        self.say("watchtui", message, "unknown")

    # --- data arriving ---------------------------------------------------------------------

    def on_events_arrived(self, message: EventsArrived) -> None:
        self._pending_events.extend(message.events)

    def on_overview_loaded(self, message: OverviewLoaded) -> None:
        self.show_overview(message.overview)

    def show_overview(self, overview: Overview) -> None:
        self.latest = overview
        self._announce(overview)
        if not self.paused:
            self.board = overview
        if not self._polling_started:
            self._polling_started = True
            # Once the first frame is on screen: the whole-file store check, then polling.
            self.call_after_refresh(self.check_store)

    @work(thread=True, group="check_store", exit_on_error=False)
    def check_store(self) -> None:
        try:
            notice = self.engine.check_store()
        finally:
            self.call_from_thread(self._start_polling)
        if notice is not None:
            self.call_from_thread(self.say, "watchtui", notice, "unknown")
            self.post_message(OverviewLoaded(self.engine.overview()))

    def _start_polling(self) -> None:
        self.poll_now()
        self.set_interval(self.poll_interval, self.poll_now, name="poll")

    def _announce(self, overview: Overview) -> None:
        events, self._pending_events = self._pending_events, []
        if not events or not self.notifications:
            return
        chosen, self._last_sent = notify.select(
            events, overview, self.policy, self._last_sent, self.clock()
        )
        notices = notify.arrange(
            [notify.describe(event, overview, ascii_only=self.ascii_only) for event in chosen]
        )
        if not notices:
            return
        # The line shows the newest: within a round, the user's own signals and then the worst
        # news are added last, so they are what the line shows.
        for notice in sorted(notices, key=lambda n: (n.pinned, impact_rank(n.level))):
            self.notices.add(notice, self.clock())
        self.notices_changed += 1
        if self.kiosk:
            return  # a wall display neither rings nor pops up on someone's desktop
        writer = terminal_writer(self) if self.notify_desktop else None
        notify.emit(
            notices[0],
            bell=self.bell if self.notify_bell else None,
            desktop_writer=writer,
            flavour=notify.desktop_flavour(),
        )

    def say(self, title: str, message: str, level: Impact = "none") -> None:
        """Put one line on the notification line (and in the notifications screen; kiosk keeps
        the log but shows no line)."""
        self.notices.add(notify.Notice(title, message, level), self.clock())
        self.notices_changed += 1

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Textual's toasts cover the data they announce: every notification goes to the one
        notification line instead (its text is always shown as plain text)."""
        levels: dict[str, Impact] = {"warning": "minor", "error": "major"}
        self.say(title or "watchtui", message, levels.get(severity, "none"))

    # --- actions ---------------------------------------------------------------------------

    def action_refresh(self) -> None:
        self.poll_now(force=True)
        self.say("Refreshing", "every source, now")

    def action_pause(self) -> None:
        self.paused = not self.paused

    def watch_paused(self, paused: bool) -> None:
        if not paused and self.latest is not None:
            self.board = self.latest

    def action_toggle_clock(self) -> None:
        self.local_time = not self.local_time

    def action_mark_all_read(self) -> None:
        for screen in self.screen_stack:
            for stream in screen.query(StreamPane):
                stream.mark_all_read()

    def action_notifications(self) -> None:
        entries = self.notices.entries
        self.notices.mark_read()
        self.notices_changed += 1
        from watchtui.ui.screens.notifications import NotificationsScreen

        self._open_top_level(
            NotificationsScreen(entries, clock=self.clock, ascii_only=self.ascii_only)
        )

    def action_help(self) -> None:
        from watchtui.ui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def action_history(self) -> None:
        from watchtui.ui.screens.history import HistoryScreen

        self._open_top_level(
            HistoryScreen(
                self.engine,
                clock=self.clock,
                ascii_only=self.ascii_only,
                on_open_incident=self._open_view,
            )
        )

    def action_sources(self) -> None:
        from watchtui.ui.screens.sources import SourcesScreen

        self._open_top_level(
            SourcesScreen(self.engine, clock=self.clock, ascii_only=self.ascii_only)
        )

    def action_probes(self) -> None:
        self.open_probes(None)

    def open_probes(self, probe_id: str | None) -> None:
        from watchtui.ui.screens.probes import ProbesScreen

        if isinstance(self.screen, ProbesScreen):
            if probe_id is not None:
                self.screen.select(probe_id)
            return
        self._open_top_level(
            ProbesScreen(
                self.engine,
                clock=self.clock,
                ascii_only=self.ascii_only,
                overview=self.board,
                selected=probe_id,
            )
        )

    def open_incident(self, source_id: str, incident_id: str) -> None:
        from watchtui.ui.screens.incident import IncidentScreen

        self.push_screen(IncidentScreen(self.engine, self.clock, source_id, incident_id))

    def _open_view(self, view: IncidentView) -> None:
        self.open_incident(view.source_id, view.incident.id)

    def show_incidents(self, request: ShowIncidents) -> None:
        from watchtui.ui.screens.incident_list import IncidentListScreen

        self.push_screen(
            IncidentListScreen(
                self.engine,
                clock=self.clock,
                title=request.title,
                source_id=request.source_id,
                component=request.component,
                geography=request.geography,
                ascii_only=self.ascii_only,
                on_open_incident=self._open_view,
            )
        )

    def toggle_watch(self, target: WatchTarget) -> None:
        if self.kiosk:
            return
        self._toggle_watch(target)

    @work(thread=True, group="watch", exit_on_error=False)
    def _toggle_watch(self, target: WatchTarget) -> None:
        watched = self.engine.toggle_watch(target.kind, target.value)
        verb = "Watching" if watched else "No longer watching"
        self.post_message(OverviewLoaded(self.engine.overview()))
        self.call_from_thread(self.say, verb, target.label)
