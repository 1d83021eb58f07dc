"""``watchtui serve``: who may connect and control, what each session runs, and how it stops.

The command's rules run in-process (``watchtui.cli.main``); the server's checks run against a real
``BoardServer`` on loopback, whose sessions run small shell commands instead of watchtui (what a
session runs is the one thing these tests choose); Ctrl-C runs the installed command.
"""

from __future__ import annotations

import asyncio
import shlex
import socket
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Protocol

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from tests.serve.conftest import Served, free_port
from watchtui.cli import main
from watchtui.cli.parser import build_parser
from watchtui.cli.serve import BoardServer, board_command, is_loopback, remote_control_refusal

LOOPBACK = ["127.0.0.1", "127.3.2.1", "::1", "[::1]", "localhost", "LOCALHOST"]
ELSEWHERE = ["0.0.0.0", "", "::", "192.168.1.20", "10.0.0.1", "wall.example.org"]


# --- the command line ---------------------------------------------------------------------


@pytest.mark.parametrize("host", LOOPBACK)
def test_loopback_hosts_may_serve_the_interactive_screen(host: str) -> None:
    assert is_loopback(host)
    assert remote_control_refusal(host, interactive=True, allow_remote=False) is None


@pytest.mark.parametrize("host", ELSEWHERE)
def test_other_hosts_get_the_interactive_screen_only_when_asked_twice(host: str) -> None:
    assert not is_loopback(host)
    refusal = remote_control_refusal(host, interactive=True, allow_remote=False)
    assert refusal is not None and "--allow-remote-control" in refusal
    assert remote_control_refusal(host, interactive=True, allow_remote=True) is None
    # The read-only kiosk may be served anywhere.
    assert remote_control_refusal(host, interactive=False, allow_remote=False) is None


def test_interactive_on_every_interface_is_refused_in_one_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(["serve", "--host", "0.0.0.0", "--interactive", "--demo"])
    assert code == 3
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("watchtui: --interactive on 0.0.0.0 lets anyone")
    assert "--allow-remote-control" in lines[0]


@pytest.mark.parametrize("port", ["0", "65536", "http", "-1"])
def test_a_wrong_port_is_a_usage_error(port: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--port", port]) == 3
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("watchtui: argument --port:") and "1 to 65535" in line


def test_allowed_remote_control_gets_as_far_as_listening(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # The port is taken, so the server cannot start: the refusal did not stop it first.
    with socket.socket() as taken:
        taken.bind(("0.0.0.0", 0))
        taken.listen()
        port = taken.getsockname()[1]
        args = ["serve", "--demo", "--host", "0.0.0.0", "--port", str(port)]
        code = main([*args, "--interactive", "--allow-remote-control"])
    assert code == 3
    (line,) = capsys.readouterr().err.splitlines()
    assert line == f"watchtui: cannot listen on 0.0.0.0:{port}: Address already in use"


def test_a_bad_config_fails_the_command_not_each_browser(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[watch\n", encoding="utf-8")
    assert main(["--config", str(config), "serve", "--port", str(free_port())]) == 3
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("watchtui: ") and str(config) in line


def _command(*argv: str) -> list[str]:
    command = board_command(build_parser().parse_args(list(argv)))
    assert command.startswith("exec env TERM=xterm-256color COLORTERM=truecolor ")
    return shlex.split(command)[4:]


def test_each_session_runs_this_watchtui_as_the_kiosk(tmp_path: Path) -> None:
    python = [sys.executable, "-m", "watchtui"]
    assert _command("serve") == [*python, "--kiosk"]
    assert _command("serve", "--demo") == [*python, "--kiosk", "demo"]
    assert _command("serve", "--interactive") == python
    assert _command("serve", "--interactive", "--demo") == [*python, "demo"]
    config, db = tmp_path / "my config.toml", tmp_path / "h.db"
    assert _command("--config", str(config), "--db", str(db), "--ascii", "serve") == [
        *python,
        "--config",
        str(config),
        "--db",
        str(db),
        "--ascii",
        "--kiosk",
    ]


# --- the server ---------------------------------------------------------------------------


Client = TestClient[web.Request, web.Application]


class StartBoard(Protocol):
    def __call__(
        self, command: str, *, interactive: bool = False, max_sessions: int = 4
    ) -> Awaitable[Client]: ...


@pytest.fixture
async def board_server() -> AsyncIterator[StartBoard]:
    """``await board_server(command, interactive=…, max_sessions=…)``: a ``BoardServer`` on
    127.0.0.1 whose sessions run ``command``."""
    clients: list[Client] = []
    servers: list[BoardServer] = []

    async def start(command: str, *, interactive: bool = False, max_sessions: int = 4) -> Client:
        port = free_port()
        server = BoardServer(
            command,
            host="127.0.0.1",
            port=port,
            title="watchtui test",
            interactive=interactive,
            max_sessions=max_sessions,
        )
        client = TestClient(TestServer(await server._make_app(), host="127.0.0.1", port=port))
        await client.start_server()
        clients.append(client)
        servers.append(server)
        return client

    yield start
    # Sessions end (and their processes are reaped) before the loop that started them closes.
    for _ in range(100):
        if not any(server.sessions for server in servers):
            break
        await asyncio.sleep(0.05)
    for client in clients:
        await client.close()


async def test_the_page_needs_nothing_from_the_internet(board_server: StartBoard) -> None:
    client = await board_server("exit 0")
    response = await client.get("/", params={"fontsize": "28"})
    assert response.status == 200
    page = await response.text()
    assert "googleapis" not in page and "https://" not in page.split("-->", 1)[1]
    assert 'href="/static/css/xterm.css"' in page
    assert "/static/fonts/RobotoMono-VariableFont_wght.ttf" in page
    assert 'data-font-size="28"' in page
    assert "Copyright (c) 2024 Textualize" in page  # textual-serve's MIT notice
    font = await client.get("/static/fonts/RobotoMono-VariableFont_wght.ttf")
    assert font.status == 200 and len(await font.read()) > 10_000
    silly = await client.get("/", params={"fontsize": "9999"})
    assert 'data-font-size="16"' in await silly.text()


async def test_a_loopback_server_answers_loopback_names_only(
    board_server: StartBoard,
) -> None:
    client = await board_server("exit 0")
    # A page on a rebound name (DNS rebinding) reaches 127.0.0.1 with its own Host header.
    response = await client.get("/", headers={"Host": f"attacker.example:{client.port}"})
    assert response.status == 403
    assert (await client.get("/", headers={"Host": f"localhost:{client.port}"})).status == 200


async def test_a_page_from_another_origin_may_not_open_the_board(
    board_server: StartBoard,
) -> None:
    client = await board_server("exit 0")
    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
        await client.ws_connect("/ws", origin="http://attacker.example")
    assert refused.value.status == 403
    socket_ = await client.ws_connect("/ws", origin=f"http://127.0.0.1:{client.port}")
    await socket_.close()


async def test_sessions_are_capped(board_server: StartBoard) -> None:
    client = await board_server("exit 0", max_sessions=1)
    first = await client.ws_connect("/ws")
    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
        await client.ws_connect("/ws")
    assert refused.value.status == 503
    await first.close()
    for _ in range(50):  # the first session's handler ends once its socket has closed
        try:
            again = await client.ws_connect("/ws")
        except aiohttp.WSServerHandshakeError:
            await asyncio.sleep(0.05)
            continue
        await again.close()
        break
    else:
        pytest.fail("a closed session still counted")


@pytest.mark.parametrize("interactive", [False, True], ids=["kiosk", "interactive"])
async def test_the_kiosk_takes_no_input_from_the_browser(
    board_server: StartBoard, tmp_path: Path, interactive: bool
) -> None:
    received = tmp_path / "stdin"
    # The session's process records what reaches its standard input, then ends.
    command = f"timeout 2 cat > {shlex.quote(str(received))}"
    client = await board_server(command, interactive=interactive)
    socket_ = await client.ws_connect("/ws?width=100&height=30")
    await socket_.send_json(["resize", {"width": 120, "height": 40}])
    await socket_.send_json(["stdin", "q"])
    await socket_.send_json(["ping", "now"])
    assert await socket_.receive_json(timeout=5) == ["pong", "now"]
    await socket_.close()
    # textual-serve tells the session to quit once its socket has closed.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if received.exists() and b'"type": "quit"' in received.read_bytes():
            break
        await asyncio.sleep(0.1)
    data = received.read_bytes()
    assert b'"type": "resize", "width": 120, "height": 40' in data
    key = b"D\x00\x00\x00\x01q"  # textual-serve's packet for one byte of input
    assert (key in data) == interactive


# --- stopping -------------------------------------------------------------------------------


def test_ctrl_c_stops_the_server_with_0(start_serve: Callable[[list[str]], Served]) -> None:
    served = start_serve(["--demo"])
    served.wait_listening()
    assert served.stop() == 0
    output = served.output()
    assert f"on http://127.0.0.1:{served.port}/ (Ctrl-C stops)" in output
    assert "Traceback" not in output
