"""The app's main actions in Textual's command palette (``ctrl+p``)."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from watchtui.ui.screens.main import MainScreen

__all__ = ["WatchCommands"]

# (title, help, action, main screen only)
_COMMANDS: tuple[tuple[str, str, str, bool], ...] = (
    ("Refresh now", "Poll every source now", "app.refresh", False),
    ("Pause / resume live updates", "Freeze the display; polling goes on", "app.pause", False),
    ("Toggle UTC / local time", "Switch the clock and timestamps", "app.toggle_clock", False),
    ("History", "Past incidents, per day and provider", "app.history", False),
    ("Sources", "Health of every feed; enable, disable, add", "app.sources", False),
    ("Probes", "Your own checks beside the providers' claims", "app.probes", False),
    ("Notifications", "Everything the notification line said", "app.notifications", False),
    ("Mark all read", "Clear the unread marks in the stream", "app.mark_all_read", False),
    ("Key bindings", "Every key of this screen and the app", "app.help", False),
    ("Filter", "Filter panes by provider, title, service or region", "screen.filter", True),
    (
        "Only watched",
        "Show only watched providers, services and regions",
        "screen.only_watched",
        True,
    ),
)


class WatchCommands(Provider):
    """The main actions in Textual's command palette (``ctrl+p``)."""

    def _commands(self) -> Iterable[tuple[str, str, str]]:
        app = self.app
        kiosk = bool(getattr(app, "kiosk", False))
        on_main = isinstance(self.screen, MainScreen)
        for title, help_text, action, main_only in _COMMANDS:
            if (main_only and not on_main) or kiosk:
                continue
            yield title, help_text, action

    async def discover(self) -> Hits:
        for title, help_text, action in self._commands():
            yield DiscoveryHit(title, partial(self.app.run_action, action), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, action in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(title),
                    partial(self.app.run_action, action),
                    help=help_text,
                )
