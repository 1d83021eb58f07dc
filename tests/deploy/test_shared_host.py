"""The README's shared jump host, with real users: one collector writes the store, the members of
its group read it, everyone else is told "permission denied".

As root, the test creates three users (the collector; a viewer in the collector's group; an
outsider), runs the real ``watchtui collect`` as the collector the way systemd would
(``User=``, ``UMask=0027``: ``setpriv`` with the user's groups, under that umask) against a
loopback feed, and runs ``watchtui status`` / ``history`` as the others with ``runuser``.  The
store directory is made as systemd's ``StateDirectory=watchtui`` with ``StateDirectoryMode=0750``
makes it: owned by the collector, mode 0750.  The users are removed afterwards.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.deploy import portable
from tests.support.feedserver import FeedServer
from tests.support.statuspage_payloads import history, incident, summary
from watchtui.cli.common import EXIT_USAGE
from watchtui.store import Store, StoreError

ROUND_TIMEOUT = 20.0
SYSTEM_TOOLS = ("useradd", "userdel", "groupdel", "runuser", "setpriv")

if os.geteuid() != 0:
    # CI runs as root, so there this test always runs (and fails if it cannot).
    message = (
        "SKIPPED tests/deploy/test_shared_host.py: the shared-host test creates real users and "
        "must run as root; it did NOT run"
    )
    print(f"\n*** {message} ***", file=sys.stderr)
    pytest.skip(message, allow_module_level=True)


@dataclass(frozen=True)
class Host:
    root: Path
    install: portable.Install
    collector: str
    viewer: str
    outsider: str


def _run(*argv: str) -> None:
    done = subprocess.run(argv, capture_output=True, text=True)
    assert done.returncode == 0, f"{' '.join(argv)} failed: {done.stderr.strip()}"


@pytest.fixture(scope="module")
def host() -> Iterator[Host]:
    missing = [tool for tool in SYSTEM_TOOLS if shutil.which(tool) is None]
    assert not missing, f"the shared-host test needs {', '.join(missing)} (util-linux, passwd)"
    tag = os.getpid() % 100000
    collector, viewer, outsider = f"wtcollect{tag}", f"wtview{tag}", f"wtother{tag}"
    root = Path(tempfile.mkdtemp(prefix="watchtui-shared-host-"))
    created: list[str] = []
    try:
        os.chmod(root, 0o755)
        install = portable.build(root / "opt")
        for name, groups in ((collector, []), (viewer, [collector]), (outsider, [])):
            home = root / "home" / name
            _run(
                "useradd",
                "--no-create-home",
                "--home-dir",
                str(home),
                "--shell",
                "/usr/sbin/nologin",
                "--user-group",
                *(["--groups", ",".join(groups)] if groups else []),
                name,
            )
            created.append(name)
            home.mkdir(parents=True)
            shutil.chown(home, name, name)
            home.chmod(0o700)
        yield Host(root, install, collector, viewer, outsider)
    finally:
        for name in reversed(created):
            subprocess.run(["userdel", name], capture_output=True)
            subprocess.run(["groupdel", name], capture_output=True)  # if userdel left it
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as srv:
        yield srv


@dataclass
class Site:
    """One deployment: a config everyone may read and the collector's state directory."""

    host: Host
    config: Path
    store: Path

    def env(self, user: str) -> dict[str, str]:
        return {
            "HOME": str(self.host.root / "home" / user),
            "WATCHTUI_CONFIG": str(self.config),
            "WATCHTUI_DB": str(self.store),
        }

    def start_collector(self, umask: str = "0027") -> Collector:
        name = self.host.collector
        command = [
            # What systemd does for User= (and no PAMName=): the user's uid, gid and groups.
            "setpriv",
            f"--reuid={name}",
            f"--regid={name}",
            "--init-groups",
            "--",
            "sh",
            "-c",
            f'umask {umask}; exec "$@"',  # UMask=
            "sh",
            *self.host.install.command("collect", **self.env(name)),
        ]
        return Collector(
            subprocess.Popen(
                command,
                cwd=self.host.root,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        )

    def run_as(self, user: str, *argv: str) -> subprocess.CompletedProcess[str]:
        command = ["runuser", "-u", user, "--", *self.host.install.command(*argv, **self.env(user))]
        return subprocess.run(
            command, cwd=self.host.root, capture_output=True, text=True, timeout=60
        )


class Collector:
    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.proc = proc
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line)

    def wait_for(self, store: Path, *incident_ids: str) -> None:
        """Until the collector has the store open (its -wal exists) and holds these incidents."""
        deadline = time.monotonic() + ROUND_TIMEOUT
        while not _holds(store, incident_ids):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise AssertionError(f"the collector never stored {incident_ids}: {self.output()}")
            time.sleep(0.1)

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.terminate()
        try:
            code = self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait()
        self._reader.join(timeout=5)
        return code

    def output(self) -> str:
        assert self.proc.stderr is not None
        err = self.proc.stderr.read() if self.proc.poll() is not None else ""
        return f"stdout: {''.join(self.lines)!r} stderr: {err!r}"


def _holds(store: Path, incident_ids: tuple[str, ...]) -> bool:
    if not store.with_name(store.name + "-wal").exists():
        return False
    try:
        # Read-only, as root: nothing to create (the collector's -wal and -shm exist).
        with Store.open(store, readonly=True) as reader:
            return set(incident_ids) <= {s.incident.id for s in reader.incidents()}
    except StoreError:
        return False  # not set up yet


def make_site(host: Host, server: FeedServer, name: str, *source_ids: str) -> Site:
    site_dir = host.root / name
    (site_dir / "etc").mkdir(parents=True)
    state = site_dir / "var-lib-watchtui"
    state.mkdir()
    shutil.chown(state, host.collector, host.collector)
    state.chmod(0o750)
    site = Site(host, site_dir / "etc" / "config.toml", state / "history.sqlite3")
    configure(site, server, *source_ids)
    _open_tree(site_dir)
    return site


def configure(site: Site, server: FeedServer, *source_ids: str) -> None:
    text = "[watch]\nproviders = []\n"
    for source_id in source_ids:
        text += (
            f"[[sources]]\nid = '{source_id}'\nkind = 'statuspage'\n"
            f"url = '{server.url('/' + source_id)}'\n"
        )
    site.config.write_text(text)
    site.config.chmod(0o644)


def _open_tree(site_dir: Path) -> None:
    for directory in (site_dir, site_dir / "etc"):
        directory.chmod(0o755)


def serve_outage(server: FeedServer, source_id: str, incident_id: str) -> None:
    """A major incident that started an hour ago (inside `history`'s default week)."""
    started = (datetime.now(UTC) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    body = incident(incident_id)
    for key in ("created_at", "updated_at", "started_at"):
        body[key] = started
    for update in body["incident_updates"]:
        for key in ("created_at", "display_at", "updated_at"):
            update[key] = started
    server.set(f"/{source_id}/api/v2/summary.json", summary(body))
    server.set(f"/{source_id}/api/v2/incidents.json", history(body))


Entry = tuple[int, int, int, int]


def entries(directory: Path) -> dict[str, Entry]:
    """Inode, mode, owner and group of the directory and of everything in it."""
    found = {".": directory.stat()} | {p.name: p.stat() for p in directory.iterdir()}
    return {
        name: (info.st_ino, stat.S_IMODE(info.st_mode), info.st_uid, info.st_gid)
        for name, info in found.items()
    }


def contents(store: Path) -> dict[str, int]:
    """Modification times of the files that hold data (-shm is shared memory: readers' locks
    live there, so it is left out)."""
    return {
        p.name: p.stat().st_mtime_ns
        for p in (store, store.with_name(store.name + "-wal"))
        if p.exists()
    }


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_group_members_read_the_collectors_store_and_others_are_refused(
    host: Host, server: FeedServer
) -> None:
    serve_outage(server, "page", "x")
    site = make_site(host, server, "readers", "page")
    store = site.store
    wal, shm = (store.with_name(store.name + suffix) for suffix in ("-wal", "-shm"))
    collector = site.start_collector()
    try:
        collector.wait_for(store, "x")
        owner = (store.parent.stat().st_uid, store.parent.stat().st_gid)
        for made in (store, wal, shm):
            assert (made.stat().st_uid, made.stat().st_gid) == owner, made
        # UMask=0027 gives a store the group can read; SQLite gives -wal/-shm the same mode.
        modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in (store.parent, store, wal, shm)}
        assert modes == {
            store.parent.name: 0o750,
            store.name: 0o640,
            wal.name: 0o640,
            shm.name: 0o640,
        }
        before, written = entries(store.parent), contents(store)

        status = site.run_as(host.viewer, "status", "--json", "--cached")
        assert status.returncode == 2, status.stderr  # a major incident is open
        [page] = json.loads(status.stdout)["sources"]
        assert (page["id"], page["impact"], page["health"]) == ("page", "major", "fresh")
        assert [i["id"] for i in page["incidents"]] == ["x"]

        past = site.run_as(host.viewer, "history", "--json")
        assert past.returncode == 0, past.stderr
        assert [(r["source_id"], r["id"]) for r in json.loads(past.stdout)] == [("page", "x")]

        refused = site.run_as(host.outsider, "status", "--json", "--cached")
        assert refused.returncode == EXIT_USAGE
        assert "permission denied" in one_line_error(refused)

        # The viewers created, replaced, chmod'ed and wrote nothing.
        assert entries(store.parent) == before
        assert contents(store) == written
    finally:
        stopped = collector.stop()
    assert stopped == 0, collector.output()

    # The collector's clean exit checkpointed and removed -wal/-shm; a viewer cannot create them
    # in the 0750 directory, yet still reads the history (the main file holds all of it).
    assert sorted(p.name for p in store.parent.iterdir()) == [store.name]
    offline = site.run_as(host.viewer, "history", "--json")
    assert offline.returncode == 0, offline.stderr
    assert [r["id"] for r in json.loads(offline.stdout)] == ["x"]
    assert sorted(p.name for p in store.parent.iterdir()) == [store.name]

    # A restarted collector reopens its store without tightening it back to 0600.
    collector = site.start_collector()
    try:
        collector.wait_for(store, "x")
        assert stat.S_IMODE(store.stat().st_mode) == 0o640
        again = site.run_as(host.viewer, "status", "--json", "--cached")
        assert again.returncode == 2, again.stderr
    finally:
        stopped = collector.stop()
    assert stopped == 0, collector.output()


VIEWER = """
import sys
import time
from watchtui.store import Store

store = Store.open(sys.argv[1])
seen = store.data_version()
print(store.readonly, sorted(s.incident.id for s in store.incidents()), flush=True)
sys.stdin.readline()
deadline = time.monotonic() + 10
while store.data_version() == seen and time.monotonic() < deadline:
    time.sleep(0.05)
print(sorted(s.incident.id for s in store.incidents()), flush=True)
"""


def test_a_viewer_started_while_the_collector_is_down_follows_it_when_it_starts(
    host: Host, server: FeedServer
) -> None:
    serve_outage(server, "first", "a")
    serve_outage(server, "second", "b")
    site = make_site(host, server, "follow", "first")
    collector = site.start_collector()
    try:
        collector.wait_for(site.store, "a")
    finally:
        stopped = collector.stop()
    assert stopped == 0, collector.output()
    assert not site.store.with_name(site.store.name + "-wal").exists()

    script = host.root / "follow" / "viewer.py"
    script.write_text(VIEWER)
    script.chmod(0o644)
    command = host.install.python(str(script), str(site.store), **site.env(host.viewer))
    viewer = subprocess.Popen(
        ["runuser", "-u", host.viewer, "--", *command],
        cwd=host.root,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert viewer.stdin is not None and viewer.stdout is not None
    try:
        # Read-only, and reading although the -wal/-shm it cannot create do not exist.
        assert viewer.stdout.readline().strip() == "True ['a']", viewer.communicate()
        # The collector comes back with a source it has never fetched (due at once); the
        # running viewer sees the new data without being restarted.
        configure(site, server, "first", "second")
        collector = site.start_collector()
        try:
            collector.wait_for(site.store, "b")
            viewer.stdin.write("go\n")
            viewer.stdin.flush()
            assert viewer.stdout.readline().strip() == "['a', 'b']", viewer.communicate()
        finally:
            stopped = collector.stop()
        assert stopped == 0, collector.output()
    finally:
        viewer.kill()
        viewer.communicate(timeout=10)


def test_a_private_store_from_an_older_collector_opens_up_after_chmod_and_a_restart(
    host: Host, server: FeedServer
) -> None:
    """The upgrade path the README gives: older watchtui made the store 0600 (and its -wal and
    -shm take that mode while the collector runs)."""
    serve_outage(server, "page", "x")
    site = make_site(host, server, "upgrade", "page")
    store = site.store
    collector = site.start_collector(umask="0077")
    try:
        collector.wait_for(store, "x")
        store.chmod(0o640)
        early = site.run_as(host.viewer, "history", "--json")
        assert early.returncode == EXIT_USAGE
        message = one_line_error(early)
        assert "permission denied" in message and "restart the store's writer" in message
    finally:
        stopped = collector.stop()
    assert stopped == 0, collector.output()

    collector = site.start_collector()
    try:
        collector.wait_for(store, "x")
        after = site.run_as(host.viewer, "history", "--json")
        assert after.returncode == 0, after.stderr
        assert [r["id"] for r in json.loads(after.stdout)] == ["x"]
    finally:
        stopped = collector.stop()
    assert stopped == 0, collector.output()
