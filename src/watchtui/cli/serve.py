"""``watchtui serve``: the board in a browser, for wall TVs and NOC screens.

textual-serve runs one watchtui process per browser connection and relays its terminal over a
websocket; the page (``ui/web/app_index.html``) is textual-serve's own, made to work offline.
Each process is this one's command line again — the same config, store and environment — as the
read-only kiosk, or with ``--interactive`` the full watch screen; ``--demo`` serves the scripted
outage of ``watchtui demo``.

Who may connect: the server listens on 127.0.0.1 unless ``--host`` says otherwise.  The
interactive screen can change the config, so it is refused on any other address unless
``--allow-remote-control`` says the operator means it.  Whatever the address, a websocket opened
by a page of another origin is refused (a web page the user visits must not drive or read the
board), and while listening on loopback only loopback host names are answered (DNS rebinding).
Every session is a process: at most ``MAX_SESSIONS`` at once.

Ctrl-C (or SIGTERM) closes every session and ends with 0.
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import logging
import os
import shlex
import signal
import sys
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import urlsplit

import aiohttp_jinja2
import textual_serve
from aiohttp import WSCloseCode, WSMsgType, web
from aiohttp.web_runner import GracefulExit
from textual_serve.app_service import AppService
from textual_serve.server import Server

from watchtui.cli.common import CliError, load, open_store

__all__ = ["BoardServer", "board_command", "cmd_serve", "is_loopback", "remote_control_refusal"]

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
MAX_SESSIONS = 16
# A session's watchtui gets this long to quit once its browser has gone.
REAP_SECONDS = 3.0
# The page asks for this font size with ``?fontsize=``; a wall TV across the room wants more.
FONT_SIZES = range(6, 97)
TEMPLATES = Path(__file__).resolve().parent.parent / "ui" / "web"
STATICS = Path(textual_serve.__file__).resolve().parent / "static"
# Every session's terminal is xterm.js in a browser, whatever terminal the server runs in: a
# server started from the Linux console must not serve its 16 colours and ASCII to the wall.
TERMINAL_ENV = ("TERM=xterm-256color", "COLORTERM=truecolor")

log = logging.getLogger("watchtui.serve")


def is_loopback(host: str) -> bool:
    """127.0.0.0/8, ::1 and localhost; an empty host, 0.0.0.0 or :: listen everywhere."""
    name = host.strip().strip("[]").casefold()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def remote_control_refusal(host: str, *, interactive: bool, allow_remote: bool) -> str | None:
    """Why serving is refused, or None: the interactive screen edits the config, so it is served
    beyond this machine only when asked for twice."""
    if interactive and not is_loopback(host) and not allow_remote:
        return (
            f"--interactive on {host} lets anyone who can reach it control watchtui "
            "(edit sources, probes, the watchlist); add --allow-remote-control if that is meant, "
            "or serve the read-only kiosk"
        )
    return None


def board_command(args: argparse.Namespace) -> str:
    """The shell command each browser session runs: this watchtui, with this command line's
    config and store (the environment is inherited), as the kiosk unless ``--interactive``."""
    argv = [sys.executable, "-m", "watchtui"]
    if args.config:
        argv += ["--config", str(Path(args.config).expanduser().absolute())]
    if args.db:
        argv += ["--db", str(Path(args.db).expanduser().absolute())]
    if args.ascii:
        argv.append("--ascii")
    if not args.interactive:
        argv.append("--kiosk")
    if args.demo:
        argv.append("demo")
    # exec: the session's process is watchtui itself, which ends when its browser leaves.
    return "exec env " + " ".join(TERMINAL_ENV) + " " + shlex.join(argv)


def _size(value: object, default: int) -> int:
    """A terminal dimension from the browser: a sane whole number of cells, else ``default``."""
    try:
        cells = int(str(value))
    except ValueError:
        return default
    return cells if 1 <= cells <= 2000 else default


async def _reap(service: AppService) -> None:
    """Wait for the session's process to end (killing it if it will not), so none outlives the
    server and no exit is reported to an event loop already closed.  textual-serve 1.1.3 keeps
    the process in ``AppService._process`` and never waits for it."""
    process = service._process
    if process is None or process.returncode is not None:
        return
    try:
        await asyncio.wait_for(process.wait(), timeout=REAP_SECONDS)
    except TimeoutError:
        process.kill()
        await process.wait()


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


class BoardServer(Server):
    """textual-serve's server with watchtui's page, origin checks, a session cap, and a stop
    that closes the sessions rather than waiting a minute for them."""

    def __init__(
        self,
        command: str,
        *,
        host: str,
        port: int,
        title: str,
        interactive: bool = False,
        out: TextIO | None = None,
        max_sessions: int = MAX_SESSIONS,
    ) -> None:
        super().__init__(
            command,
            host=host,
            port=port,
            title=title,
            statics_path=STATICS,
            templates_path=TEMPLATES,
        )
        self.interactive = interactive
        self.out = out
        self.max_sessions = max_sessions
        self.sessions: set[web.WebSocketResponse] = set()

    # --- who may connect -------------------------------------------------------------------

    def refusal(self, request: web.Request, *, websocket: bool) -> str | None:
        """Why ``request`` is refused, or None."""
        asked = (request.host or "").casefold()
        if is_loopback(self.host) and not is_loopback(urlsplit(f"//{asked}").hostname or ""):
            return f"this server answers to loopback names only, not {asked!r}"
        origin = request.headers.get("Origin")
        # Browsers always send Origin on a websocket; a page elsewhere must not drive the board.
        if websocket and origin is not None and urlsplit(origin).netloc.casefold() != asked:
            return f"a page from {origin!r} may not open this board"
        return None

    @aiohttp_jinja2.template("app_index.html")
    async def handle_index(self, request: web.Request) -> dict[str, Any]:
        reason = self.refusal(request, websocket=False)
        if reason is not None:
            raise web.HTTPForbidden(text=reason)
        try:
            size = int(request.query.get("fontsize", "16"))
        except ValueError:
            size = 16
        return {
            "font_size": size if size in FONT_SIZES else 16,
            # Relative: the page works under whatever name and port the browser used.
            "config": {"static": {"url": "/static/"}},
            "application": {"name": self.title},
        }

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        """textual-serve's handler (1.1.3), with the checks above, the session cap, and every
        open socket known so that a stop can close it."""
        reason = self.refusal(request, websocket=True)
        if reason is not None:
            raise web.HTTPForbidden(text=reason)
        if len(self.sessions) >= self.max_sessions:
            raise web.HTTPServiceUnavailable(
                text=f"{self.max_sessions} sessions are open already; close one and reload"
            )
        websocket = web.WebSocketResponse(heartbeat=15)
        width = _size(request.query.get("width"), 80)
        height = _size(request.query.get("height"), 24)
        self.sessions.add(websocket)
        service: AppService | None = None

        async def close() -> None:
            await websocket.close()

        try:
            await websocket.prepare(request)
            service = AppService(
                self.command,
                write_bytes=websocket.send_bytes,
                write_str=websocket.send_str,
                close=close,
                download_manager=self.download_manager,
                debug=self.debug,
            )
            await service.start(width, height)
            await self._process_messages(websocket, service)
        except asyncio.CancelledError:
            await websocket.close()
        except Exception:
            log.exception("session failed")
        finally:
            self.sessions.discard(websocket)
            if service is not None:
                await service.stop()
                await _reap(service)
        return websocket

    async def _process_messages(
        self, websocket: web.WebSocketResponse, app_service: AppService
    ) -> None:
        """The read-only kiosk gets no input at all from the browser: no key, no click (not
        even the ctrl+q a terminal kiosk obeys); sizes, pings and focus still pass."""
        if self.interactive:
            await super()._process_messages(websocket, app_service)
            return
        async for message in websocket:
            if message.type != WSMsgType.TEXT:
                continue
            envelope = message.json()
            if not isinstance(envelope, list) or not envelope:
                continue
            kind = envelope[0]
            if kind == "resize" and len(envelope) > 1 and isinstance(envelope[1], dict):
                size = envelope[1]
                await app_service.set_terminal_size(
                    _size(size.get("width"), 80), _size(size.get("height"), 24)
                )
            elif kind == "ping" and len(envelope) > 1:
                await websocket.send_json(["pong", envelope[1]])
            elif kind == "blur":
                await app_service.blur()
            elif kind == "focus":
                await app_service.focus()

    # --- running ---------------------------------------------------------------------------

    async def on_startup(self, app: web.Application) -> None:
        if self.out is not None:
            where = f"http://{_url_host(self.host)}:{self.port}/"
            print(f"watchtui: serving {self.title} on {where} (Ctrl-C stops)", file=self.out)
            self.out.flush()

    async def on_shutdown(self, app: web.Application) -> None:
        """Close every session: each one's handler then stops its watchtui process."""
        for websocket in list(self.sessions):
            if websocket.prepared and not websocket.closed:
                await websocket.close(code=WSCloseCode.GOING_AWAY, message=b"server stopping")

    def serve(self, debug: bool = False) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, self.request_exit)
        try:
            web.run_app(
                self._make_app(),
                host=self.host,
                port=self.port,
                handle_signals=False,
                loop=loop,
                print=None,
                access_log=None,
                shutdown_timeout=5.0,
            )
        finally:
            asyncio.set_event_loop(None)

    def request_exit(self) -> None:
        raise GracefulExit()


def cmd_serve(args: argparse.Namespace, out: TextIO) -> int:
    host: str = args.host
    refusal = remote_control_refusal(
        host, interactive=args.interactive, allow_remote=args.allow_remote_control
    )
    if refusal is not None:
        raise CliError(refusal)
    if not args.demo:
        # Once here rather than in every browser: a bad config or store fails the command.
        load(args)
        open_store(args).close()
    mode = "the interactive watch screen" if args.interactive else "the read-only kiosk"
    title = f"watchtui demo, {mode} (scripted demo data)" if args.demo else f"watchtui, {mode}"
    server = BoardServer(
        board_command(args),
        host=host,
        port=args.port,
        title=title,
        interactive=args.interactive,
        out=out,
    )
    try:
        server.serve()
    except OSError as exc:
        # asyncio words it "error while attempting to bind on address …: …": the cause will do.
        reason = os.strerror(exc.errno) if exc.errno else str(exc)
        raise CliError(f"cannot listen on {_url_host(host)}:{args.port}: {reason}") from exc
    return 0
