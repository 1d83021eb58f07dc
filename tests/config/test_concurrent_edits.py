"""Concurrent writers, as real processes: no edit is lost, and the file keeps its comments and mode.

Each worker finishes its imports and waits for a common start signal before editing, so the edits
really overlap (importing takes far longer than an edit and would otherwise serialise them).
"""

from __future__ import annotations

import functools
import multiprocessing
import os
import stat
import subprocess
import sys
import time
from multiprocessing.synchronize import Barrier
from pathlib import Path

from tests.conftest import ROOT
from watchtui import catalog
from watchtui.config import add_probe, edit_config, load_config, watch_provider

WORKERS = 6
EDITS_EACH = 8
HEADER = "# fleet config: do not drop this line\n[display]\nclock = 'local'\n"

# Runs `python -m watchtui ARGS...` once GO exists.
_CLI_WHEN_GO = """
import os, runpy, sys, time
import watchtui.cli  # the slow part, done before the start signal
go, argv = sys.argv[1], sys.argv[2:]
while not os.path.exists(go):
    time.sleep(0.001)
sys.argv = ["watchtui", *argv]
runpy.run_module("watchtui", run_name="__main__")
"""


def extra_providers(count: int) -> list[str]:
    defaults = set(catalog.default_ids())
    pollable = [e.id for e in catalog.load_catalog() if e.pollable and e.id not in defaults]
    assert len(pollable) >= count
    return pollable[:count]


def _edit_many(path: str, providers: list[str], worker: int, start: Barrier) -> None:
    start.wait()
    for provider in providers:
        edit_config(Path(path), functools.partial(watch_provider, provider_id=provider))
    probe = {"id": f"probe-{worker}", "type": "dns", "target": f"w{worker}.example.com"}
    edit_config(Path(path), lambda doc: add_probe(doc, probe))


def test_parallel_edit_config_calls_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(HEADER)
    path.chmod(0o600)
    wanted = extra_providers(WORKERS * EDITS_EACH)
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(WORKERS)
    workers = [
        context.Process(
            target=_edit_many,
            args=(str(path), wanted[i * EDITS_EACH : (i + 1) * EDITS_EACH], i, start),
        )
        for i in range(WORKERS)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
    assert [w.exitcode for w in workers] == [0] * WORKERS
    config = load_config(path)
    assert sorted(config.watch.extra_providers) == sorted(wanted)
    assert sorted(p.id for p in config.probes) == [f"probe-{i}" for i in range(WORKERS)]
    assert path.read_text().startswith(HEADER)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_six_parallel_sources_add_commands_all_land(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(HEADER)
    path.chmod(0o600)
    go = tmp_path / "go"
    wanted = extra_providers(WORKERS)
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    commands = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                _CLI_WHEN_GO,
                str(go),
                "--config",
                str(path),
                "sources",
                "add",
                p,
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for p in wanted
    ]
    time.sleep(1.0)  # let every process finish importing
    go.touch()
    results = [c.communicate(timeout=120) for c in commands]
    assert [c.returncode for c in commands] == [0] * WORKERS, results
    assert all("beside the default providers" in out for out, _err in results)
    config = load_config(path)
    assert sorted(config.watch.extra_providers) == sorted(wanted)
    assert config.watch.providers is None  # the default set was not frozen into the file
    assert path.read_text().startswith(HEADER)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
