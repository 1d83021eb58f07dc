"""The loopback feed server, exercised with the standard library client only."""

from __future__ import annotations

import email.utils
import http.client
import socket
import threading
import time
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from tests.support.feedserver import Fault, FeedServer, _gzip_of_zeros


@pytest.fixture(scope="module")
def server() -> Iterator[FeedServer]:
    with FeedServer() as srv:
        yield srv


def _get(
    srv: FeedServer, path: str, headers: dict[str, str] | None = None
) -> tuple[http.client.HTTPResponse, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=5)
    conn.request("GET", path, headers=headers or {})
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response, body


def test_binds_loopback_only_on_an_ephemeral_port(server: FeedServer) -> None:
    assert server.base_url.startswith("http://127.0.0.1:")
    assert server.port != 0
    assert server._server is not None
    assert server._server.socket.getsockname()[0] == "127.0.0.1"


def test_serves_payload_with_strong_etag(server: FeedServer) -> None:
    server.set("/fs/a.json", b'{"x": 1}')
    response, body = _get(server, "/fs/a.json")
    assert response.status == 200
    assert body == b'{"x": 1}'
    assert response.getheader("Content-Type") == "application/json"
    etag = response.getheader("ETag")
    assert etag is not None and etag.startswith('"') and not etag.startswith("W/")


def test_if_none_match_gives_304_and_is_logged(server: FeedServer) -> None:
    server.set("/fs/b.json", b"[1]")
    first, _ = _get(server, "/fs/b.json")
    etag = first.getheader("ETag")
    assert etag is not None
    second, body = _get(server, "/fs/b.json", {"If-None-Match": etag})
    assert second.status == 304
    assert body == b""
    assert server.request_count("/fs/b.json") == 2
    assert server.requests("/fs/b.json")[1]["if-none-match"] == etag


def test_changed_body_changes_etag(server: FeedServer) -> None:
    server.set("/fs/c.json", b"[1]")
    first, _ = _get(server, "/fs/c.json")
    server.set("/fs/c.json", b"[2]")
    second, body = _get(server, "/fs/c.json", {"If-None-Match": first.getheader("ETag") or ""})
    assert second.status == 200
    assert body == b"[2]"


def test_if_modified_since(server: FeedServer) -> None:
    stamp = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)
    server.set("/fs/lm.xml", b"<rss/>", etag=False, last_modified=stamp)
    first, _ = _get(server, "/fs/lm.xml")
    assert first.getheader("ETag") is None
    assert first.getheader("Last-Modified") == "Wed, 01 May 2024 12:00:00 GMT"
    same, _ = _get(server, "/fs/lm.xml", {"If-Modified-Since": "Wed, 01 May 2024 12:00:00 GMT"})
    assert same.status == 304
    older = email.utils.format_datetime(stamp - timedelta(hours=1), usegmt=True)
    stale, _ = _get(server, "/fs/lm.xml", {"If-Modified-Since": older})
    assert stale.status == 200


def test_set_rejects_naive_last_modified(server: FeedServer) -> None:
    with pytest.raises(ValueError):
        server.set("/fs/naive", b"", last_modified=datetime(2024, 1, 1))


def test_unknown_path_is_404_and_clear_forgets(server: FeedServer) -> None:
    server.set("/fs/gone", b"1")
    _get(server, "/fs/gone")
    server.clear("/fs/gone")
    assert server.request_count("/fs/gone") == 0
    response, _ = _get(server, "/fs/gone")
    assert response.status == 404


def test_status_fault_with_retry_after(server: FeedServer) -> None:
    server.fault("/fs/503", Fault.status(503, b"busy", retry_after=30))
    response, body = _get(server, "/fs/503")
    assert (response.status, body) == (503, b"busy")
    assert response.getheader("Retry-After") == "30"


def test_redirect_fault_sends_location_verbatim(server: FeedServer) -> None:
    server.fault("/fs/r", Fault.redirect("file:///etc/passwd", code=301))
    response, _ = _get(server, "/fs/r")
    assert response.status == 301
    assert response.getheader("Location") == "file:///etc/passwd"


def test_html_and_wrong_content_type(server: FeedServer) -> None:
    server.fault("/fs/html", Fault.html_error_page())
    response, body = _get(server, "/fs/html")
    assert response.status == 200
    assert (response.getheader("Content-Type") or "").startswith("text/html")
    assert body.startswith(b"<!DOCTYPE html>")
    server.fault("/fs/ct", Fault.wrong_content_type(b"{}", "text/plain"))
    response, body = _get(server, "/fs/ct")
    assert (response.getheader("Content-Type"), body) == ("text/plain", b"{}")


def test_huge_streams_exact_size_both_framings(server: FeedServer) -> None:
    n = 3 * 1024 * 1024 + 17
    server.fault("/fs/huge-cl", Fault.huge(n, declare_length=True))
    server.fault("/fs/huge-chunked", Fault.huge(n))
    response, body = _get(server, "/fs/huge-cl")
    assert response.getheader("Content-Length") == str(n)
    assert len(body) == n
    response, body = _get(server, "/fs/huge-chunked")
    assert response.getheader("Transfer-Encoding") == "chunked"
    assert len(body) == n


def test_endless_keeps_going(server: FeedServer) -> None:
    server.fault("/fs/endless", Fault.endless())
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    conn.request("GET", "/fs/endless")
    response = conn.getresponse()
    received = 0
    while received < 4 * 1024 * 1024:
        received += len(response.read(256 * 1024))
    conn.close()
    assert received >= 4 * 1024 * 1024


def test_gzip_bomb_is_small_on_the_wire_and_cached(server: FeedServer) -> None:
    decoded = 8 * 1024 * 1024
    server.fault("/fs/bomb", Fault.gzip_bomb(decoded))
    response, wire = _get(server, "/fs/bomb")
    assert response.getheader("Content-Encoding") == "gzip"
    assert len(wire) < decoded // 100
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    total = len(inflater.decompress(wire)) + len(inflater.flush())
    assert total == decoded
    assert _gzip_of_zeros(decoded) is _gzip_of_zeros(decoded)


def test_truncated_declares_more_than_it_sends(server: FeedServer) -> None:
    server.fault("/fs/trunc", Fault.truncated(b"abcdef"))
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    conn.request("GET", "/fs/trunc")
    response = conn.getresponse()
    assert int(response.getheader("Content-Length") or 0) > 6
    with pytest.raises(http.client.IncompleteRead) as info:
        response.read()
    assert info.value.partial == b"abcdef"
    conn.close()


def test_reset_is_an_rst_not_a_fin(server: FeedServer) -> None:
    server.fault("/fs/reset", Fault.reset())
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    conn.request("GET", "/fs/reset")
    with pytest.raises(ConnectionResetError):
        conn.getresponse()
    conn.close()


def test_trickle_is_slow(server: FeedServer) -> None:
    server.fault("/fs/trickle", Fault.trickle(b"abcd", bytes_per_second=20))
    started = time.monotonic()
    _, body = _get(server, "/fs/trickle")
    assert body == b"abcd"
    assert time.monotonic() - started >= 0.15


def test_concurrent_requests_are_all_counted(server: FeedServer) -> None:
    server.set("/fs/many", b"ok")
    statuses: list[int] = []
    lock = threading.Lock()

    def worker() -> None:
        response, _ = _get(server, "/fs/many")
        with lock:
            statuses.append(response.status)

    threads = [threading.Thread(target=worker) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(5)
    assert statuses == [200] * 16
    assert server.request_count("/fs/many") == 16


def test_stop_is_bounded_with_hanging_and_idle_clients() -> None:
    srv = FeedServer().start()
    srv.fault("/hang", Fault.hang())
    srv.fault("/slow", Fault.trickle(b"x" * 1000, bytes_per_second=1))
    port = srv.port
    sockets = []
    for request in (b"GET /hang HTTP/1.1\r\nHost: x\r\n\r\n", b"GET /slow HTTP/1.1\r\n\r\n", b""):
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        sock.sendall(request)
        sockets.append(sock)
    deadline = time.monotonic() + 2
    while srv.request_count("/hang") + srv.request_count("/slow") < 2:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    started = time.monotonic()
    srv.stop()
    assert time.monotonic() - started < 3
    for sock in sockets:
        sock.close()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1)
    srv.stop()  # idempotent
