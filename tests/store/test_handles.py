"""Closing a store, or replacing a corrupt one, while other threads are querying it.

CPython's sqlite3 crashes the process (SIGSEGV) when one thread closes a connection another is
running a statement on; CI met exactly that in ``check_integrity``.  The races run in a child
interpreter, so a crash fails the test instead of taking pytest down, and repeat enough rounds
to hit the window (the unguarded code crashed within 300 rounds of the close race, every time
it was tried).
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

_READERS = textwrap.dedent(
    """
    import faulthandler, sys, threading, time
    from pathlib import Path
    from watchtui.store import Store, StoreError

    # A deadlock shows where every thread waits, instead of a bare timeout.
    faulthandler.dump_traceback_later(200, exit=True)

    def readers(store, stop):
        def read():
            while not stop.is_set():
                try:
                    store.sources()
                    store.incidents()
                    with store.reading():
                        store.sources()
                except StoreError:
                    # The documented answer while the store closes or is replaced.  Back off as
                    # a real caller would: four threads spinning on it starve the closer of the
                    # GIL.
                    time.sleep(0.001)
        threads = [threading.Thread(target=read, daemon=True) for _ in range(4)]
        for thread in threads:
            thread.start()
        return threads

    def stopped(stop, threads):
        stop.set()
        for thread in threads:
            thread.join()
    """
)

_CLOSE_RACE = _READERS + textwrap.dedent(
    """
    path = Path(sys.argv[1])
    for _ in range(int(sys.argv[2])):
        store = Store.open(path)
        stop = threading.Event()
        threads = readers(store, stop)
        try:
            store.close()
        finally:
            stopped(stop, threads)
        # No reader got a new connection in after the close.
        assert store._connections == {}, store._connections
    print("survived")
    """
)

_RECOVERY_RACE = _READERS + textwrap.dedent(
    """
    path, original = Path(sys.argv[1]), Path(sys.argv[3]).read_bytes()
    moved = 0
    for _ in range(int(sys.argv[2])):
        for old in path.parent.glob(path.name + "*"):
            old.unlink()
        path.write_bytes(original)
        store = Store.open(path, check=False)
        stop = threading.Event()
        threads = readers(store, stop)
        try:
            moved += store.check_integrity() is not None
            # Readers go on querying the fresh store, by their own new connections.
            assert store.sources() == [] and store.incidents() == []
        finally:
            stopped(stop, threads)
        store.close()
    print("survived", moved)
    """
)


def _run(script: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", script, *args],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )


def test_closing_a_store_while_threads_query_it_never_crashes(tmp_path: Path) -> None:
    result = _run(_CLOSE_RACE, str(tmp_path / "history.db"), "400")
    assert result.returncode == 0, (result.returncode, result.stderr[-2000:])
    assert result.stdout.strip() == "survived"


def test_replacing_a_corrupt_store_while_threads_query_it_never_crashes(
    tmp_path: Path,
    damaged: Path,
) -> None:
    rounds = 60
    (tmp_path / "race").mkdir()
    result = _run(_RECOVERY_RACE, str(tmp_path / "race" / "history.db"), str(rounds), str(damaged))
    assert result.returncode == 0, (result.returncode, result.stderr[-2000:])
    # Every round found the damage and started afresh, with readers on the old file throughout.
    assert result.stdout.split() == ["survived", str(rounds)]
