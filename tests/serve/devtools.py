"""A headless Chromium driven over the Chrome DevTools Protocol, with aiohttp's websocket client
(no browser-automation dependency).

``Chromium.start(user_data_dir)`` launches ``/usr/bin/chromium`` in its own process group and
reads the DevTools address from its stderr; ``DevTools`` sends commands to one page and keeps
the events it receives on the way.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import aiohttp
import pytest

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--remote-debugging-port=0",
)
_LISTENING = re.compile(r"DevTools listening on (ws://\S+)")


def require_chromium() -> Path:
    """Chromium; FAILS without it (CI installs it, see .ci/run), except for a user who could not
    install it (not root): then the test is skipped, loudly."""
    if CHROMIUM.exists():
        return CHROMIUM
    if os.geteuid() != 0:
        pytest.skip(
            "BROWSER TEST NOT RUN: /usr/bin/chromium is missing and this user is not root, so "
            "it cannot be installed here (apt-get install -y chromium)"
        )
    found = shutil.which("chromium")
    pytest.fail(
        f"the browser test needs Debian's chromium at {CHROMIUM} (found: {found}); "
        "install it with `apt-get install -y chromium` (.ci/run does)",
        pytrace=False,
    )


class Chromium:
    def __init__(self, user_data_dir: Path) -> None:
        self.stderr: list[str] = []
        self.process = subprocess.Popen(
            [str(require_chromium()), *FLAGS, f"--user-data-dir={user_data_dir}", "about:blank"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        self._found = threading.Event()
        self.address: str | None = None
        # Drained for as long as Chromium runs: a full pipe would stall it.
        threading.Thread(target=self._read, name="chromium-stderr", daemon=True).start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for raw in self.process.stderr:
            line = raw.decode(errors="replace").rstrip()
            self.stderr.append(line)
            found = _LISTENING.search(line)
            if found and self.address is None:
                self.address = found.group(1)
                self._found.set()
        self._found.set()

    def devtools_address(self, timeout: float = 30.0) -> str:
        self._found.wait(timeout)
        if self.address is None:
            tail = "\n".join(self.stderr[-20:])
            pytest.fail(f"chromium gave no DevTools address within {timeout:.0f}s:\n{tail}")
        return self.address

    def stop(self) -> None:
        """Chromium and every process it started (its own group)."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
        deadline = time.monotonic() + 5
        # Renderers may outlive the browser process by a moment; they share its group.
        while time.monotonic() < deadline:
            try:
                os.killpg(self.process.pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.1)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)


class DevToolsError(Exception):
    pass


class DevTools:
    """Commands to one page target (flat sessions); events are kept in ``events``."""

    def __init__(self, socket: aiohttp.ClientWebSocketResponse) -> None:
        self.socket = socket
        self.session: str | None = None
        self.events: list[dict[str, Any]] = []
        self._next = 0

    async def call(
        self, method: str, params: dict[str, Any] | None = None, *, timeout: float = 20.0
    ) -> dict[str, Any]:
        self._next += 1
        message: dict[str, Any] = {"id": self._next, "method": method, "params": params or {}}
        if self.session is not None:
            message["sessionId"] = self.session
        await self.socket.send_json(message)
        while True:
            reply = await asyncio.wait_for(self.socket.receive_json(), timeout)
            if reply.get("id") == self._next:
                if "error" in reply:
                    raise DevToolsError(f"{method}: {reply['error']}")
                result: dict[str, Any] = reply.get("result", {})
                return result
            self.events.append(reply)

    async def attach_to_page(self) -> None:
        targets = await self.call("Target.getTargets")
        page = next(t for t in targets["targetInfos"] if t["type"] == "page")
        attached = await self.call(
            "Target.attachToTarget", {"targetId": page["targetId"], "flatten": True}
        )
        self.session = attached["sessionId"]

    async def evaluate(self, expression: str) -> Any:
        result = await self.call(
            "Runtime.evaluate", {"expression": expression, "returnByValue": True}
        )
        if "exceptionDetails" in result:
            raise DevToolsError(f"{expression[:60]}…: {result['exceptionDetails']}")
        return result["result"].get("value")

    def requested_urls(self) -> list[str]:
        return [
            e["params"]["request"]["url"]
            for e in self.events
            if e.get("method") == "Network.requestWillBeSent"
        ]
