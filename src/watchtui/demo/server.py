"""A static HTTP server on 127.0.0.1 for the demo.

It serves one table of ``{path: (status, content_type, body)}``, replaced whole at each step of
the story.  Every 200 carries a strong ETag derived from the body and a matching
``If-None-Match`` gets a 304, so the real poller's conditional requests behave as against real
status pages.  Standard library only; every thread is a daemon.
"""

from __future__ import annotations

import hashlib
import socketserver
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import urlsplit

# (status, content type, body)
Response = tuple[int, str, bytes]

# An idle keep-alive connection is dropped after this long, so it cannot pin a handler thread.
_IDLE_TIMEOUT = 5.0
_NOT_FOUND: Response = (404, "text/plain; charset=utf-8", b"not found\n")


@dataclass(frozen=True, slots=True)
class _Route:
    status: int
    content_type: str
    body: bytes
    etag: str


class DemoServer:
    """Serves the table last given to :meth:`serve`; ``with DemoServer() as server:`` runs it."""

    def __init__(self) -> None:
        self._routes: Mapping[str, _Route] = {}
        self._server: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> DemoServer:
        if self._server is None:
            self._server = _HTTPServer(self)
            self._thread = threading.Thread(
                target=self._server.serve_forever,
                kwargs={"poll_interval": 0.05},
                name="watchtui-demo-server",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        server.shutdown()
        thread.join()
        server.server_close()
        self._server = self._thread = None

    def __enter__(self) -> DemoServer:
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
            raise RuntimeError("DemoServer is not running")
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def serve(self, table: Mapping[str, Response]) -> None:
        """Serve ``table`` from now on; paths not in it answer 404."""
        routes = {
            path: _Route(status, content_type, body, _strong_etag(body))
            for path, (status, content_type, body) in table.items()
        }
        # One rebinding of a dict never mutated afterwards: a request sees the whole old table or
        # the whole new one, never a mix of two steps.
        self._routes = routes

    def _route(self, path: str) -> _Route | None:
        return self._routes.get(path)


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    # Handler threads end with their connection (or its idle timeout); stop() need not wait.
    block_on_close = False
    # The stdlib default backlog of 5 drops SYNs when the poller opens many connections at once,
    # and each drop costs a 1 s retransmit.
    request_queue_size = 128

    def __init__(self, owner: DemoServer) -> None:
        self.owner = owner
        super().__init__(("127.0.0.1", 0), _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind does a reverse DNS lookup (getfqdn), which can stall for seconds.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = str(host)
        self.server_port = int(port)

    def handle_error(self, request: object, client_address: object) -> None:
        # The stdlib prints a traceback to stderr, over the app's screen; a client hanging up
        # mid-response is the only expected cause.
        return


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = _IDLE_TIMEOUT
    server: _HTTPServer
    server_version = "watchtui-demo"
    sys_version = ""

    def do_GET(self) -> None:
        route = self.server.owner._route(urlsplit(self.path).path)
        if route is None:
            self._send(*_NOT_FOUND, etag=None)
        elif route.status == 200 and _etag_matches(self.headers.get("If-None-Match"), route.etag):
            self.send_response(304)
            self.send_header("ETag", route.etag)
            self.end_headers()
        else:
            etag = route.etag if route.status == 200 else None
            self._send(route.status, route.content_type, route.body, etag=etag)

    def _send(self, status: int, content_type: str, body: bytes, *, etag: str | None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        if etag is not None:
            self.send_header("ETag", etag)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        # The stdlib logs every request to stderr, over the app's screen.
        return


def _strong_etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def _etag_matches(if_none_match: str | None, etag: str) -> bool:
    """Weak comparison, as RFC 9110 prescribes for If-None-Match."""
    if if_none_match is None:
        return False
    if if_none_match.strip() == "*":
        return True
    return any(tag.strip().removeprefix("W/") == etag for tag in if_none_match.split(","))
