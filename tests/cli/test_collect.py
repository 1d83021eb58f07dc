"""``watchtui collect``: a journal line per round, errors logged and survived, signals end it."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.cli.conftest import serve, spawn
from tests.support.feedserver import FeedServer
from tests.support.statuspage_payloads import incident, summary
from watchtui.cli import main
from watchtui.store import Store

ROUND = re.compile(
    r"round=(\d+) at=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ fetched=(\d+) not_modified=(\d+) "
    r"failed=(\d+) drifted=(\d+) events=(\d+)( failing=\S+)?"
)


def write_config(config: Path, server: FeedServer, *, down_port: int | None = None) -> None:
    text = (
        "[watch]\nproviders = []\n"
        f"[[sources]]\nid = 'page'\nkind = 'statuspage'\nurl = '{server.url('/page')}'\n"
        f"[[probes]]\nid = 'page-api'\ntype = 'http'\ntarget = '{server.url('/probe')}'\n"
    )
    if down_port is not None:
        text += (
            f"[[sources]]\nid = 'down'\nkind = 'statuspage'\n"
            f"url = 'http://127.0.0.1:{down_port}/page'\n"
        )
    config.write_text(text)


def collect_until(
    server: FeedServer, sig: int, *flags: str, seen: Callable[[], bool] | None = None
) -> tuple[int, list[str], str]:
    """Run a real collector until it has fetched (and ``seen``), then send ``sig``."""
    proc = spawn("collect", *flags, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not (
            server.request_count("/page/api/v2/summary.json")
            and server.request_count("/probe")
            and (seen is None or seen())
        ):
            time.sleep(0.05)
        time.sleep(0.5)  # let the round that fetched finish and log
    finally:
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=30)
    return proc.returncode, out.decode().splitlines(), err.decode()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_one_line_per_round_and_a_clean_stop(
    server: FeedServer, env: Path, tmp_path: Path, sig: int
) -> None:
    serve(server, "page", summary(incident("x")))
    server.set("/probe", b"ok", content_type="text/plain")
    write_config(env, server)
    code, lines, err = collect_until(server, sig)
    assert (code, err) == (0, "")
    assert lines[0] == f"start sources=1 probes=1 store={tmp_path / 'state' / 'history.sqlite3'}"
    first = ROUND.fullmatch(lines[1])
    assert first is not None, lines
    assert first.group(1, 2, 4) == ("1", "2", "0")  # summary and history fetched, none failed
    assert int(first.group(6)) >= 1  # incident x opened
    assert lines[-1].startswith("stop rounds=")
    assert all(ROUND.fullmatch(line) for line in lines[1:-1]), lines
    assert not any("\x1b" in line for line in lines)  # no colours in a journal
    with Store.open(tmp_path / "state" / "history.sqlite3") as store:
        assert [i.incident.id for i in store.incidents(open_only=True)] == ["x"]
        assert store.probe_results("page-api")


def test_verbose_logs_each_change_and_failure(
    server: FeedServer, env: Path, refused_port: int
) -> None:
    serve(server, "page", summary(incident("x")))
    server.set("/probe", b"ok", content_type="text/plain")
    write_config(env, server, down_port=refused_port)
    code, lines, err = collect_until(server, signal.SIGTERM, "--verbose")
    assert (code, err) == (0, "")
    rounds = [m for m in map(ROUND.fullmatch, lines) if m]
    assert rounds[0].group(4) == "2" and rounds[0].group(7) == " failing=down"
    assert any(
        line.startswith("failure source=down url=http://127.0.0.1:")
        and line.endswith('outcome=error reason="connection refused"')
        for line in lines
    ), lines
    assert any(
        line.startswith("event kind=incident_opened source=page at=2026-07-29T11:00:00Z")
        and line.endswith('subject="Incident x"')
        for line in lines
    ), lines


def test_quiet_logs_nothing_while_all_is_well(server: FeedServer, env: Path) -> None:
    serve(server, "page", summary())
    server.set("/probe", b"ok", content_type="text/plain")
    write_config(env, server)
    code, lines, err = collect_until(server, signal.SIGTERM, "--quiet")
    assert (code, lines, err) == (0, [], "")


class FailingOnceClock:
    """The clock is the one thing faked: it fails once, just after the first round fetched,
    then tells the time; once it is asked again after the pause that follows a bad round (the
    collector went on to another round), it interrupts the process the way Ctrl-C would."""

    def __init__(self, server: FeedServer) -> None:
        self.server = server
        self.fetched_at: float | None = None
        self.failed_at: float | None = None
        self.interrupted = False

    def __call__(self) -> datetime:
        tick = time.monotonic()
        if self.fetched_at is None and self.server.request_count("/page/api/v2/summary.json"):
            self.fetched_at = tick
        if self.fetched_at is not None and self.failed_at is None and tick > self.fetched_at + 0.5:
            self.failed_at = tick
            raise RuntimeError("clock fell over")
        if self.failed_at is not None and tick > self.failed_at + 1.5 and not self.interrupted:
            self.interrupted = True
            os.kill(os.getpid(), signal.SIGINT)
        return datetime.now(UTC)


def test_a_bad_round_is_logged_and_the_next_one_comes(
    server: FeedServer, env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    serve(server, "page", summary(incident("x")))
    server.set("/probe", b"ok", content_type="text/plain")
    write_config(env, server)
    clock = FailingOnceClock(server)
    assert main(["collect"], clock=clock) == 0
    captured = capsys.readouterr()
    assert captured.err == 'error message="unexpected RuntimeError: clock fell over"\n'
    assert clock.interrupted  # asked for the time again after the bad round: it carried on
    lines = captured.out.splitlines()
    assert ROUND.fullmatch(lines[1]) and lines[-1] == "stop rounds=1"
