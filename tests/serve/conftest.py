"""What the ``watchtui serve`` tests share: the installed console script, a user with a fresh home
(nothing of the real user's config or history leaks in), and free loopback ports."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

WATCHTUI = Path(sys.executable).parent / "watchtui"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def fresh_env(tmp_path: Path) -> dict[str, str]:
    if not WATCHTUI.exists():
        pytest.fail(f"the watchtui console script is missing at {WATCHTUI}", pytrace=False)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WATCHTUI_", "TMUX"))}
    home = tmp_path / "home"
    for name, sub in (
        ("HOME", ""),
        ("XDG_CONFIG_HOME", ".config"),
        ("XDG_STATE_HOME", ".local/state"),
        ("XDG_DATA_HOME", ".local/share"),
        ("XDG_CACHE_HOME", ".cache"),
    ):
        (home / sub).mkdir(parents=True, exist_ok=True)
        env[name] = str(home / sub)
    env["TMPDIR"] = str(tmp_path)
    return env


class Served:
    """``watchtui serve ARGS`` in its own process group, listening on ``port``."""

    def __init__(self, args: list[str], env: dict[str, str], workdir: Path) -> None:
        self.port = free_port()
        self.out = workdir / "serve.out"
        self.err = workdir / "serve.err"
        with self.out.open("wb") as out, self.err.open("wb") as err:
            self.process = subprocess.Popen(
                [str(WATCHTUI), "serve", *args, "--port", str(self.port)],
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
                start_new_session=True,
            )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def wait_listening(self, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"watchtui serve exited {self.process.returncode}: {self.output()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.1)
        pytest.fail(f"watchtui serve did not listen within {timeout:.0f}s: {self.output()}")

    def output(self) -> str:
        return (self.out.read_text(errors="replace") + self.err.read_text(errors="replace"))[-3000:]

    def stop(self) -> int:
        """Ctrl-C, as a person at the terminal would press it (the whole group gets SIGINT)."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)
        try:
            return self.process.wait(timeout=10)
        finally:
            self.kill()

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


@pytest.fixture
def start_serve(
    fresh_env: dict[str, str], tmp_path: Path
) -> Iterator[Callable[[list[str]], Served]]:
    """``start_serve(args)`` starts ``watchtui serve ARGS``; every server started is killed at
    the end of the test, whatever happened."""
    started: list[Served] = []

    def start(args: list[str]) -> Served:
        served = Served(args, fresh_env, tmp_path)
        started.append(served)
        return served

    try:
        yield start
    finally:
        for served in started:
            served.kill()
