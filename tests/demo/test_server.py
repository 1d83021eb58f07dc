"""The demo's static loopback server: a table swapped whole per step, ETags and 304s."""

from __future__ import annotations

import http.client
import socket
import subprocess
import sys
from collections.abc import Iterator

import pytest

from watchtui.demo.server import DemoServer
from watchtui.net.fetch import fetch, make_client

JSON = "application/json; charset=utf-8"


@pytest.fixture
def server() -> Iterator[DemoServer]:
    with DemoServer() as srv:
        yield srv


def get(
    srv: DemoServer, path: str, headers: dict[str, str] | None = None
) -> tuple[http.client.HTTPResponse, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=5)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response, response.read()
    finally:
        conn.close()


def test_binds_loopback_on_an_ephemeral_port(server: DemoServer) -> None:
    assert server.port != 0
    assert server.base_url == f"http://127.0.0.1:{server.port}"


def test_serves_the_table(server: DemoServer) -> None:
    server.serve({"/a.json": (200, JSON, b'{"a":1}'), "/down": (503, "text/html", b"<html>")})
    response, body = get(server, "/a.json")
    assert (response.status, body) == (200, b'{"a":1}')
    assert response.getheader("Content-Type") == JSON
    assert response.getheader("Content-Length") == "7"
    etag = response.getheader("ETag")
    assert etag is not None and etag.startswith('"') and etag.endswith('"')
    response, body = get(server, "/down")
    assert (response.status, body) == (503, b"<html>")
    assert response.getheader("ETag") is None
    response, _ = get(server, "/elsewhere")
    assert response.status == 404


@pytest.mark.parametrize("form", ["{}", "W/{}", '"other", {}', "*"])
def test_matching_if_none_match_gets_304(server: DemoServer, form: str) -> None:
    server.serve({"/a.json": (200, JSON, b"[1]")})
    first, _ = get(server, "/a.json")
    etag = first.getheader("ETag")
    assert etag is not None
    second, body = get(server, "/a.json", {"If-None-Match": form.format(etag)})
    assert (second.status, body) == (304, b"")
    assert second.getheader("ETag") == etag


def test_stale_etag_gets_the_new_body(server: DemoServer) -> None:
    server.serve({"/a.json": (200, JSON, b"[1]")})
    etag = get(server, "/a.json")[0].getheader("ETag")
    assert etag is not None
    server.serve({"/a.json": (200, JSON, b"[2]")})
    response, body = get(server, "/a.json", {"If-None-Match": etag})
    assert (response.status, body) == (200, b"[2]")
    assert response.getheader("ETag") not in (None, etag)


def test_error_responses_are_never_304(server: DemoServer) -> None:
    server.serve({"/down": (503, "text/html", b"busy")})
    response, body = get(server, "/down", {"If-None-Match": "*"})
    assert (response.status, body) == (503, b"busy")


def test_serve_replaces_the_whole_table(server: DemoServer) -> None:
    table = {"/a": (200, JSON, b"a"), "/b": (200, JSON, b"b")}
    server.serve(table)
    # The server keeps its own copy: the caller's dict is not what it serves.
    table["/a"] = (200, JSON, b"changed")
    assert get(server, "/a")[1] == b"a"
    server.serve({"/b": (200, JSON, b"b2")})
    assert get(server, "/a")[0].status == 404
    assert get(server, "/b")[1] == b"b2"


def test_keep_alive_serves_several_requests_on_one_connection(server: DemoServer) -> None:
    server.serve({"/a": (200, JSON, b"a"), "/b": (200, JSON, b"bb")})
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    try:
        for path, expected in (("/a", b"a"), ("/b", b"bb"), ("/a", b"a")):
            conn.request("GET", path)
            assert conn.getresponse().read() == expected
    finally:
        conn.close()


async def test_the_real_fetch_layer_sees_304s(server: DemoServer) -> None:
    server.serve({"/api/v2/summary.json": (200, JSON, b'{"page":{}}')})
    url = server.base_url + "/api/v2/summary.json"
    async with make_client() as client:
        first = await fetch(client, url)
        again = await fetch(client, url, etag=first.etag)
        server.serve({"/api/v2/summary.json": (200, JSON, b'{"page":{"x":1}}')})
        moved = await fetch(client, url, etag=first.etag)
    assert (first.status, first.body, first.not_modified) == (200, b'{"page":{}}', False)
    assert again.not_modified and again.body is None
    assert (moved.body, moved.not_modified) == (b'{"page":{"x":1}}', False)


def test_stop_closes_the_port() -> None:
    server = DemoServer().start()
    port = server.port
    server.stop()
    server.stop()
    with pytest.raises(RuntimeError):
        _ = server.port
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
        pass


def test_the_demo_does_not_load_the_fault_server() -> None:
    code = (
        "import sys, watchtui.demo.app, watchtui.cli\n"
        "bad = sorted(m for m in sys.modules if 'feedserver' in m or m.startswith('tests'))\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
