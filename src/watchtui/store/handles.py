"""A thread's SQLite connection with the guard that makes closing it from another thread safe."""

from __future__ import annotations

import contextlib
import sqlite3
import threading


class Handle:
    """One thread's connection and the guard held while it runs a statement or a transaction.

    Closing takes the guard: CPython's sqlite3 crashes the whole process (SIGSEGV) when one
    thread closes a connection while another thread is running a statement on it, which is what
    closing or recovering a store used by worker threads would otherwise do.
    """

    __slots__ = ("closed", "conn", "guard")

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        # Reentrant: a thread inside its own ``reading()`` block may close the store.
        self.guard = threading.RLock()
        self.closed = False

    def close(self, *, optimize: bool = False, wait: bool = True) -> None:
        if not self.guard.acquire(blocking=wait):
            return  # held by a thread that died holding it: leave the handle to the process
        try:
            if self.closed:
                return
            self.closed = True
            if optimize:
                # SQLite's advice: refresh planner statistics when a connection closes.
                with contextlib.suppress(sqlite3.Error):
                    self.conn.execute("PRAGMA optimize")
            self.conn.close()
        finally:
            self.guard.release()
