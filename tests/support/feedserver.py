"""A tiny HTTP server on 127.0.0.1 that serves canned feeds and misbehaves on request.

It backs the fetch, poller, probe and reliability tests and the benchmarks (``watchtui demo`` has
its own static server, ``watchtui.demo.server``).  It uses the standard library only and must never
outlive its owner: every thread is a daemon, every wait is bounded or interrupted by
:meth:`FeedServer.stop`, and it binds the loopback interface only.

Usage::

    with FeedServer() as server:
        server.set("/api/v2/summary.json", payload)
        server.fault("/slow", Fault.hang())
        url = server.base_url + "/api/v2/summary.json"
"""

from __future__ import annotations

import contextlib
import email.utils
import hashlib
import socket
import socketserver
import ssl
import struct
import threading
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Literal
from urllib.parse import urlsplit

__all__ = ["Fault", "FeedServer", "Payload"]

_CHUNK = 64 * 1024
_ZEROS = bytes(_CHUNK)
# How long a connection may sit idle (or a client may take to send its request) before the server
# gives up on it; keeps keep-alive connections from pinning handler threads forever.
_IDLE_TIMEOUT = 5.0
_STOP_JOIN_TIMEOUT = 2.0

FaultKind = Literal[
    "status",
    "hang",
    "trickle",
    "endless",
    "huge",
    "reset",
    "redirect",
    "gzip_bomb",
    "html_error_page",
    "truncated",
    "wrong_content_type",
]

_DEFAULT_HTML = (
    b"<!DOCTYPE html><html><head><title>Just a moment...</title></head>"
    b"<body><h1>Checking your browser</h1><p>Please enable JavaScript.</p></body></html>"
)


@dataclass(frozen=True, slots=True)
class Payload:
    """A well-behaved response: body plus validators, honouring conditional requests."""

    body: bytes
    status: int = 200
    content_type: str = "application/json"
    headers: Mapping[str, str] = field(default_factory=dict)
    etag: str | None = None
    last_modified: datetime | None = None


@dataclass(frozen=True, slots=True)
class Fault:
    """A misbehaviour; build one with a class method: ``Fault.hang()``, ``Fault.status(503)`` …"""

    kind: FaultKind
    code: int = 200
    body: bytes = b""
    retry_after: str | None = None
    bytes_per_second: float = 1.0
    n_bytes: int = 0
    declare_length: bool = False
    location: str = ""
    content_type: str = "application/json"

    @classmethod
    def status(cls, code: int, body: bytes = b"", retry_after: int | str | None = None) -> Fault:
        """An error status; ``retry_after`` is seconds (int) or a verbatim header value (str)."""
        value = None if retry_after is None else str(retry_after)
        return cls("status", code=code, body=body, retry_after=value, content_type="text/plain")

    @classmethod
    def hang(cls) -> Fault:
        """Accept the request and never answer (until the server stops)."""
        return cls("hang")

    @classmethod
    def trickle(cls, body: bytes, bytes_per_second: float = 1.0, code: int = 200) -> Fault:
        """Send status ``code`` and a correct Content-Length, then the body a byte at a time."""
        return cls("trickle", code=code, body=body, bytes_per_second=bytes_per_second)

    @classmethod
    def endless(cls) -> Fault:
        """A chunked body that never ends."""
        return cls("endless")

    @classmethod
    def huge(cls, n_bytes: int, *, declare_length: bool = False) -> Fault:
        """``n_bytes`` of body, generated on the fly; chunked unless ``declare_length``."""
        return cls("huge", n_bytes=n_bytes, declare_length=declare_length)

    @classmethod
    def reset(cls) -> Fault:
        """Read the request, then abort the TCP connection (RST, not FIN)."""
        return cls("reset")

    @classmethod
    def redirect(cls, location: str, code: int = 302) -> Fault:
        """Redirect to ``location`` verbatim (relative, absolute, looping or ``file://``)."""
        return cls("redirect", code=code, location=location)

    @classmethod
    def gzip_bomb(cls, decoded_size: int) -> Fault:
        """``Content-Encoding: gzip`` of ``decoded_size`` zero bytes (small on the wire)."""
        return cls("gzip_bomb", n_bytes=decoded_size)

    @classmethod
    def html_error_page(cls, body: bytes = _DEFAULT_HTML) -> Fault:
        """A 200 with an HTML page where a feed was expected (captive portal, bot wall)."""
        return cls("html_error_page", body=body, content_type="text/html; charset=utf-8")

    @classmethod
    def truncated(cls, body: bytes) -> Fault:
        """Declare a longer Content-Length than the body sent, then close."""
        return cls("truncated", body=body)

    @classmethod
    def wrong_content_type(cls, body: bytes, content_type: str) -> Fault:
        """A 200 whose body does not match its declared type."""
        return cls("wrong_content_type", body=body, content_type=content_type)


_Route = Payload | Fault

_bomb_cache: dict[int, bytes] = {}
_bomb_lock = threading.Lock()


def _gzip_of_zeros(decoded_size: int) -> bytes:
    """Gzip of ``decoded_size`` zeros, built in chunks (never all decoded at once), cached."""
    with _bomb_lock:
        cached = _bomb_cache.get(decoded_size)
        if cached is not None:
            return cached
        compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
        parts: list[bytes] = []
        remaining = decoded_size
        while remaining > 0:
            step = min(remaining, 1024 * 1024)
            parts.append(compressor.compress(bytes(step)))
            remaining -= step
        parts.append(compressor.flush())
        blob = b"".join(parts)
        _bomb_cache[decoded_size] = blob
        return blob


def _strong_etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def _etag_matches(if_none_match: str, etag: str) -> bool:
    """Weak comparison, as RFC 9110 prescribes for If-None-Match."""
    if if_none_match.strip() == "*":
        return True
    wanted = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == wanted for tag in if_none_match.split(","))


def _not_modified_since(if_modified_since: str, last_modified: datetime) -> bool:
    try:
        since = email.utils.parsedate_to_datetime(if_modified_since)
    except (TypeError, ValueError, IndexError):
        return False
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    return last_modified.replace(microsecond=0) <= since


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # The stdlib would join every handler thread without a timeout; FeedServer.stop joins instead.
    block_on_close = False
    # The stdlib default backlog of 5 drops SYNs under a poller's burst (1 s retransmit stalls).
    request_queue_size = 128

    def __init__(self, owner: FeedServer, port: int) -> None:
        self.owner = owner
        super().__init__(("127.0.0.1", port), _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind does a reverse DNS lookup (getfqdn), which can stall for seconds.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = str(host)
        self.server_port = int(port)

    def handle_error(self, request: object, client_address: object) -> None:
        # Clients hanging up mid-body is the normal case here; stay quiet.
        return


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = _IDLE_TIMEOUT
    server: _Server
    server_version = "watchtui-feedserver"
    sys_version = ""

    # -- plumbing -------------------------------------------------------------------------------

    def setup(self) -> None:
        super().setup()
        self.server.owner._register(self.connection)
        if isinstance(self.connection, ssl.SSLSocket):
            try:
                self.connection.do_handshake()
            except (OSError, ssl.SSLError):
                self.close_connection = True
                self._dead = True

    def finish(self) -> None:
        try:
            super().finish()
        except OSError:
            pass
        finally:
            self.server.owner._unregister(self.connection)

    def handle(self) -> None:
        if getattr(self, "_dead", False):
            return
        try:
            super().handle()
        except OSError:
            # The client went away (or the server is stopping and shut the socket down).
            self.close_connection = True

    def log_message(self, format: str, *args: object) -> None:
        return

    @property
    def _stopping(self) -> threading.Event:
        return self.server.owner._stopping

    # -- dispatch -------------------------------------------------------------------------------

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        headers = {key.lower(): value for key, value in self.headers.items()}
        route = self.server.owner._record(path, headers)
        if route is None:
            self._send_simple(404, b"not found", "text/plain")
        elif isinstance(route, Payload):
            self._serve_payload(route, headers)
        else:
            self._serve_fault(route)

    def _send_simple(
        self,
        code: int,
        body: bytes,
        content_type: str,
        extra: Mapping[str, str] | None = None,
    ) -> None:
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _serve_payload(self, payload: Payload, request_headers: Mapping[str, str]) -> None:
        validators: dict[str, str] = {}
        if payload.etag is not None:
            validators["ETag"] = payload.etag
        if payload.last_modified is not None:
            validators["Last-Modified"] = email.utils.format_datetime(
                payload.last_modified.astimezone(UTC), usegmt=True
            )
        if self._is_not_modified(payload, request_headers):
            self.send_response(304)
            for name, value in validators.items():
                self.send_header(name, value)
            self.end_headers()
            return
        extra = {**validators, **payload.headers}
        self._send_simple(payload.status, payload.body, payload.content_type, extra)

    @staticmethod
    def _is_not_modified(payload: Payload, request_headers: Mapping[str, str]) -> bool:
        if payload.status != 200:
            return False
        inm = request_headers.get("if-none-match")
        if inm is not None:
            # RFC 9110: If-None-Match wins; If-Modified-Since is then ignored.
            return payload.etag is not None and _etag_matches(inm, payload.etag)
        ims = request_headers.get("if-modified-since")
        if ims is not None and payload.last_modified is not None:
            return _not_modified_since(ims, payload.last_modified)
        return False

    def _serve_fault(self, fault: Fault) -> None:
        handler = getattr(self, "_fault_" + fault.kind)
        handler(fault)

    # -- faults ---------------------------------------------------------------------------------

    def _fault_status(self, fault: Fault) -> None:
        extra = {} if fault.retry_after is None else {"Retry-After": fault.retry_after}
        self._send_simple(fault.code, fault.body, fault.content_type, extra)

    def _fault_hang(self, fault: Fault) -> None:
        self._stopping.wait()
        self.close_connection = True

    def _fault_trickle(self, fault: Fault) -> None:
        self.send_response(fault.code)
        self.send_header("Content-Type", fault.content_type)
        self.send_header("Content-Length", str(len(fault.body)))
        self.end_headers()
        self.wfile.flush()
        delay = 1.0 / max(fault.bytes_per_second, 1e-3)
        for index in range(len(fault.body)):
            if self._stopping.wait(delay):
                break
            self.wfile.write(fault.body[index : index + 1])
        self.close_connection = True

    def _fault_endless(self, fault: Fault) -> None:
        self._start_chunked(fault.content_type)
        while not self._stopping.is_set():
            self._write_chunk(_ZEROS)
        self.close_connection = True

    def _fault_huge(self, fault: Fault) -> None:
        self.send_response(200)
        self.send_header("Content-Type", fault.content_type)
        if fault.declare_length:
            self.send_header("Content-Length", str(fault.n_bytes))
        else:
            self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        remaining = fault.n_bytes
        while remaining > 0 and not self._stopping.is_set():
            piece = _ZEROS[: min(remaining, _CHUNK)]
            if fault.declare_length:
                self.wfile.write(piece)
            else:
                self._write_chunk(piece)
            remaining -= len(piece)
        if not fault.declare_length:
            self.wfile.write(b"0\r\n\r\n")

    def _fault_reset(self, fault: Fault) -> None:
        # Linger 0 turns close() into an RST; the stdlib's later shutdown(SHUT_WR) then fails
        # harmlessly on the closed socket instead of sending a polite FIN first.
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True

    def _fault_redirect(self, fault: Fault) -> None:
        self._send_simple(fault.code, b"", "text/plain", {"Location": fault.location})

    def _fault_gzip_bomb(self, fault: Fault) -> None:
        blob = _gzip_of_zeros(fault.n_bytes)
        self._send_simple(200, blob, fault.content_type, {"Content-Encoding": "gzip"})

    def _fault_html_error_page(self, fault: Fault) -> None:
        self._send_simple(200, fault.body, fault.content_type)

    def _fault_truncated(self, fault: Fault) -> None:
        self.send_response(200)
        self.send_header("Content-Type", fault.content_type)
        self.send_header("Content-Length", str(len(fault.body) * 2 + 100))
        self.end_headers()
        self.wfile.write(fault.body)
        self.close_connection = True

    def _fault_wrong_content_type(self, fault: Fault) -> None:
        self._send_simple(200, fault.body, fault.content_type)

    def _start_chunked(self, content_type: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

    def _write_chunk(self, data: bytes) -> None:
        self.wfile.write(b"%x\r\n%b\r\n" % (len(data), data))


class FeedServer:
    """Loopback HTTP server with per-path payloads and faults.  Thread-safe.

    ``ssl_context`` (a server-side context with a certificate loaded) makes it serve HTTPS; the
    handshake runs in the handler thread so a silent client cannot block the accept loop.
    """

    def __init__(self, port: int = 0, *, ssl_context: ssl.SSLContext | None = None) -> None:
        self._port = port
        self._ssl_context = ssl_context
        self._lock = threading.Lock()
        self._routes: dict[str, _Route] = {}
        self._log: dict[str, list[dict[str, str]]] = {}
        self._connections: set[socket.socket] = set()
        self._accepted = 0
        self._handler_threads: set[threading.Thread] = set()
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ------------------------------------------------------------------------------

    def start(self) -> FeedServer:
        if self._server is not None:
            return self
        self._stopping.clear()
        server = _Server(self, self._port)
        if self._ssl_context is not None:
            server.socket = self._ssl_context.wrap_socket(
                server.socket, server_side=True, do_handshake_on_connect=False
            )
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="watchtui-feedserver",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        self._stopping.set()
        server.shutdown()
        thread.join(_STOP_JOIN_TIMEOUT)
        with self._lock:
            connections = list(self._connections)
            handlers = list(self._handler_threads)
        for conn in connections:
            # Unblocks handlers stuck in recv/send on slow or idle clients.
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        for handler in handlers:
            handler.join(_STOP_JOIN_TIMEOUT / max(len(handlers), 1))
        server.server_close()
        self._server = None
        self._thread = None

    def __enter__(self) -> FeedServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("FeedServer is not running")
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        scheme = "https" if self._ssl_context is not None else "http"
        return f"{scheme}://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    # -- routes ---------------------------------------------------------------------------------

    def set(
        self,
        path: str,
        body: bytes,
        *,
        status: int = 200,
        content_type: str = "application/json",
        headers: Mapping[str, str] | None = None,
        etag: bool | str = True,
        last_modified: datetime | None = None,
    ) -> None:
        """Serve ``body`` at ``path``; ``etag=True`` derives a strong ETag from the body."""
        if etag is True:
            tag: str | None = _strong_etag(body)
        elif etag is False:
            tag = None
        else:
            tag = etag
        if last_modified is not None and last_modified.tzinfo is None:
            raise ValueError("last_modified must be timezone-aware")
        payload = Payload(
            body=body,
            status=status,
            content_type=content_type,
            headers=dict(headers or {}),
            etag=tag,
            last_modified=last_modified,
        )
        with self._lock:
            self._routes[path] = payload

    def fault(self, path: str, fault: Fault) -> None:
        with self._lock:
            self._routes[path] = fault

    def clear(self, path: str) -> None:
        """Forget the route and its request log."""
        with self._lock:
            self._routes.pop(path, None)
            self._log.pop(path, None)

    def request_count(self, path: str) -> int:
        with self._lock:
            return len(self._log.get(path, ()))

    def requests(self, path: str) -> list[dict[str, str]]:
        """Headers (lower-case names) of every request to ``path``, oldest first."""
        with self._lock:
            return [dict(headers) for headers in self._log.get(path, ())]

    # -- called from handler threads ------------------------------------------------------------

    def _record(self, path: str, headers: dict[str, str]) -> _Route | None:
        with self._lock:
            self._log.setdefault(path, []).append(headers)
            return self._routes.get(path)

    @property
    def connections_accepted(self) -> int:
        """TCP connections accepted so far: requests over kept-alive connections add none."""
        with self._lock:
            return self._accepted

    def _register(self, conn: socket.socket) -> None:
        with self._lock:
            self._accepted += 1
            self._connections.add(conn)
            self._handler_threads.add(threading.current_thread())

    def _unregister(self, conn: socket.socket) -> None:
        with self._lock:
            self._connections.discard(conn)
            self._handler_threads.discard(threading.current_thread())
