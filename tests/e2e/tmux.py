"""A real terminal for end-to-end tests: a private tmux server running one command.

Each ``TmuxSession`` starts its own server (``tmux -L <unique socket> -f /dev/null``), so the
tests neither see nor disturb the user's tmux, and ``close`` kills exactly that server.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TypeVar

import pytest

T = TypeVar("T")

# Box-drawing and block characters the app draws around and beside text.
_CHROME = re.compile(r"[\u2500-\u259f\u25b2\u25b6\u25bc\u2800-\u28ff]")


def require_tmux() -> str:
    """The tmux binary; FAILS (never skips) without it: CI must install it (see .ci/run)."""
    found = shutil.which("tmux")
    if found is None:
        pytest.fail(
            "tmux is required for the end-to-end tests but is not installed "
            "(apt-get install -y tmux)",
            pytrace=False,
        )
    return found


def flatten(screen: str) -> str:
    """The screen's words in reading order, borders and scrollbars removed, so text wrapped
    across lines can be searched as one line."""
    return " ".join(_CHROME.sub(" ", screen).split())


class TmuxSession:
    """``command`` in a detached session of ``size``; its exit status lands in ``workdir``.

    The status is written by a wrapping shell rather than read from tmux's ``pane_dead_status``:
    tmux 3.3 can leave a pane whose terminal closed before its process exited unreaped, with no
    status, for good.
    """

    def __init__(
        self,
        command: Sequence[str],
        *,
        size: tuple[int, int],
        env: Mapping[str, str],
        workdir: Path,
    ) -> None:
        self.binary = require_tmux()
        self.socket = f"watchtui-e2e-{uuid.uuid4().hex[:12]}"
        self.target = "e2e"
        self.env = dict(env)
        self.status_file = workdir / f"{self.socket}.status"
        width, height = size
        wrapped = f"{shlex.join(command)}; echo $? > {shlex.quote(str(self.status_file))}"
        self._tmux(
            "new-session",
            "-d",
            "-s",
            self.target,
            "-x",
            str(width),
            "-y",
            str(height),
            wrapped,
        )
        # Keep the pane after the command exits: a crash's traceback stays readable.
        self._tmux("set-option", "-t", self.target, "remain-on-exit", "on")
        self.last_screen = ""

    def _tmux(self, *args: str) -> str:
        done = subprocess.run(
            [self.binary, "-L", self.socket, "-f", "/dev/null", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
        return done.stdout

    def screen(self) -> str:
        self.last_screen = self._tmux("capture-pane", "-p", "-t", self.target)
        return self.last_screen

    def keys(self, *keys: str) -> None:
        for key in keys:
            self._tmux("send-keys", "-t", self.target, key)
            # One key at a time, as a person types: Textual reads each as its own event.
            time.sleep(0.05)

    def wait_for(
        self, found: Callable[[str], T | None], what: str, timeout: float = 30.0
    ) -> tuple[T, str]:
        """Poll the screen until ``found(screen)`` is not None; fail with the screen if never."""
        deadline = time.monotonic() + timeout
        while True:
            if self.dead():
                pytest.fail(f"the app exited while waiting for {what}:\n{self.last_screen}")
            screen = self.screen()
            value = found(screen)
            if value is not None:
                return value, screen
            if time.monotonic() > deadline:
                pytest.fail(f"no {what} on screen after {timeout:g}s; last screen:\n{screen}")
            time.sleep(0.2)

    def wait_for_text(self, text: str, timeout: float = 30.0) -> str:
        _, screen = self.wait_for(
            lambda s: True if text in flatten(s) else None, repr(text), timeout
        )
        return screen

    def dead(self) -> bool:
        """The command has ended."""
        return self.status_file.exists()

    def terminal_closed(self) -> bool:
        return self._tmux("display-message", "-p", "-t", self.target, "#{pane_dead}").strip() == "1"

    def exit_status(self, timeout: float = 10.0) -> int:
        """Wait for the command to end and its terminal to close; its exit status."""
        deadline = time.monotonic() + timeout
        while not (self.dead() and self.terminal_closed()):
            if time.monotonic() > deadline:
                pytest.fail(f"the app did not exit within {timeout:g}s:\n{self.screen()}")
            time.sleep(0.1)
        # The shell writes the file in one go, but it may be caught half written.
        while not (text := self.status_file.read_text().strip()):
            if time.monotonic() > deadline:
                pytest.fail("the exit status was never written")
            time.sleep(0.05)
        return int(text)

    def close(self) -> None:
        subprocess.run(
            [self.binary, "-L", self.socket, "kill-server"],
            env=self.env,
            capture_output=True,
            timeout=10,
            check=False,
        )
