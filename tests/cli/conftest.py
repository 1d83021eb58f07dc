"""The CLI against loopback servers only: a config and a store per test, the internet out of reach.

Every request that is not for 127.0.0.1 goes to a proxy that refuses connections, so a command
that would touch the internet fails at once (and its test with it) instead of depending on it.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.feedserver import FeedServer
from tests.support.statuspage_payloads import history
from watchtui.cli import main

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def refused_port() -> Iterator[int]:
    """A loopback port bound but never listening: connecting to it is refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield int(sock.getsockname()[1])


@pytest.fixture(autouse=True)
def offline(monkeypatch: pytest.MonkeyPatch, refused_port: int) -> str:
    proxy = f"http://127.0.0.1:{refused_port}"
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.setenv(name, proxy)
        monkeypatch.delenv(name.lower(), raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.delenv("WATCHTUI_DEBUG", raising=False)
    return proxy


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as srv:
        yield srv


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """WATCHTUI_CONFIG and WATCHTUI_DB in the test's directory; the config file is not created,
    the store's directory is (a named store's directory must exist)."""
    config = tmp_path / "config.toml"
    (tmp_path / "state").mkdir()
    monkeypatch.setenv("WATCHTUI_CONFIG", str(config))
    monkeypatch.setenv("WATCHTUI_DB", str(tmp_path / "state" / "history.sqlite3"))
    return config


def configure(config: Path, server: FeedServer, *ids: str, extra: str = "") -> None:
    """Only custom Statuspage sources on ``server`` (no catalog provider, nothing remote)."""
    text = "[watch]\nproviders = []\n"
    for source_id in ids:
        text += (
            f"[[sources]]\nid = '{source_id}'\nkind = 'statuspage'\n"
            f"url = '{server.url('/' + source_id)}'\n"
        )
    config.write_text(text + extra)


def serve(server: FeedServer, source_id: str, body: bytes, hist: bytes | None = None) -> None:
    server.set(f"/{source_id}/api/v2/summary.json", body)
    server.set(f"/{source_id}/api/v2/incidents.json", hist or history())


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, Any]:
    code, out, err = run(capsys, *argv)
    assert out, err
    return code, json.loads(out)


def one_error_line(err: str) -> str:
    """The single ``watchtui: …`` line every failure prints."""
    assert err.count("\n") == 1 and err.startswith("watchtui: "), err
    assert "Traceback" not in err
    return err.strip()


def spawn(*argv: str, **kwargs: Any) -> subprocess.Popen[bytes]:
    """``python -m watchtui ARGV`` as a real process, with this checkout on the path."""
    return subprocess.Popen([sys.executable, "-m", "watchtui", *argv], cwd=ROOT, **kwargs)
