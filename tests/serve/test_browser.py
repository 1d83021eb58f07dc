"""The board in a real browser: the installed ``watchtui serve --demo`` opened in headless
Chromium, read from the terminal output that reaches the page, and photographed.

Chromium is driven over the DevTools protocol (``devtools.py``).  Before the page loads, a script
wraps ``WebSocket`` so that every binary frame the page receives — the terminal output of the
session's watchtui — is decoded and kept in ``window.__watchtuiText``; the test waits until that
text, stripped of escape sequences, shows the demo's outage on the board, then takes a
screenshot: into the test's temporary directory, or where ``WATCHTUI_BROWSER_SCREENSHOT`` says
(``WATCHTUI_BROWSER_SCREENSHOT=screenshots/board-browser.png pytest tests/serve/test_browser.py``
refreshes the README's picture; a plain test run leaves the checkout untouched).  Offline: every
request the page makes goes to the server (the font included), none to the internet.
"""

from __future__ import annotations

import asyncio
import base64
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp

from tests.serve.conftest import Served
from tests.serve.devtools import Chromium, DevTools, require_chromium

# Wider than a laptop: the wall size the page is photographed at.
VIEWPORT = {"width": 1600, "height": 900, "deviceScaleFactor": 1, "mobile": False}
WAIT_SECONDS = 45.0

RECORD_TERMINAL = """
(() => {
  window.__watchtuiText = "";
  const Native = window.WebSocket;
  const decoder = new TextDecoder();
  class Recorded extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", (event) => {
        if (event.data instanceof ArrayBuffer) {
          window.__watchtuiText += decoder.decode(new Uint8Array(event.data), {stream: true});
        }
      });
    }
  }
  window.WebSocket = Recorded;
})();
"""

# What the page has shown so far, as plain text, and the state of its dialogs.
READ_BOARD = r"""
(() => {
  const escapes = /\x1b\[[0-?]*[ -\/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g;
  const plain = (window.__watchtuiText || "").replace(escapes, "");
  return {
    tile: /[━─] Demo AWS-style Cloud [━─]/.test(plain),
    level: /CRITICAL|MAJOR/.test(plain),
    kiosk: plain.includes("Incident 1 of "),
    tail: plain.slice(-600),
    drawn: Boolean(document.body?.classList.contains("-first-byte")),
    closed: Boolean(document.body?.classList.contains("-closed")),
    font: [...document.fonts].some(
      (face) => face.family.includes("Roboto Mono") && face.status === "loaded"),
  };
})()
"""


async def photograph_board(address: str, url: str, screenshot: Path) -> dict[str, Any]:
    async with (
        aiohttp.ClientSession() as http,
        http.ws_connect(address, max_msg_size=0) as socket,
    ):
        tools = DevTools(socket)
        await tools.attach_to_page()
        await tools.call("Network.enable")
        await tools.call("Page.enable")
        await tools.call("Page.addScriptToEvaluateOnNewDocument", {"source": RECORD_TERMINAL})
        await tools.call("Emulation.setDeviceMetricsOverride", VIEWPORT)
        await tools.call("Page.navigate", {"url": url})
        deadline = time.monotonic() + WAIT_SECONDS
        seen: dict[str, Any] = {}
        while time.monotonic() < deadline:
            seen = await tools.evaluate(READ_BOARD) or {}
            if seen.get("tile") and seen.get("level") and seen.get("drawn"):
                break
            await asyncio.sleep(0.5)
        else:
            raise AssertionError(f"the board never showed the outage: {seen}")
        # The terminal has the bytes; give xterm.js a moment to paint them.
        await asyncio.sleep(1.5)
        shot = await tools.call("Page.captureScreenshot", {"format": "png"})
        screenshot.parent.mkdir(parents=True, exist_ok=True)
        screenshot.write_bytes(base64.b64decode(shot["data"]))
        seen = await tools.evaluate(READ_BOARD)
        seen["requests"] = tools.requested_urls()
        return seen


def test_the_board_is_served_to_a_browser(
    start_serve: Callable[[list[str]], Served], tmp_path: Path
) -> None:
    require_chromium()
    screenshot = Path(
        os.environ.get("WATCHTUI_BROWSER_SCREENSHOT") or tmp_path / "board-browser.png"
    ).resolve()
    started = time.monotonic()
    served = start_serve(["--demo"])
    served.wait_listening()
    browser = Chromium(tmp_path / "chromium-profile")
    try:
        seen = asyncio.run(photograph_board(browser.devtools_address(), served.url, screenshot))
    finally:
        browser.stop()
    # The board, not a connect or "session ended" dialog: the read-only kiosk, live.
    assert seen["drawn"] and not seen["closed"], seen
    assert seen["kiosk"], seen["tail"]
    # Offline: the page asked nothing of anyone but the server, and its font came from there.
    requests = seen["requests"]
    assert requests and all(u.startswith(served.url) for u in requests), requests
    assert any(u.endswith("/fonts/RobotoMono-VariableFont_wght.ttf") for u in requests)
    assert seen["font"]
    assert screenshot.stat().st_size > 10_000
    # Ctrl-C with a browser still connected: the server closes the session and ends with 0.
    assert served.stop() == 0, served.output()
    assert "Traceback" not in served.output()
    assert time.monotonic() - started < 60
