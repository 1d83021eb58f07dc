"""Bodies are capped on DECODED bytes while streaming, and decoded only as advertised."""

from __future__ import annotations

import gzip
import time
import tracemalloc
import zlib

import httpx
import pytest

from tests.net.helpers import fails
from tests.support.feedserver import Fault, FeedServer
from watchtui.net.fetch import fetch

MB = 1024 * 1024


# -- size bounds --------------------------------------------------------------------------------


async def test_oversize_content_length_rejected_before_reading(
    server: FeedServer, client: httpx.AsyncClient
) -> None:
    # Streaming this body would take 2000 s; only the Content-Length check can answer at once.
    server.fault("/f/cl", Fault.trickle(b"y" * 2000, bytes_per_second=1))
    started = time.monotonic()
    error = await fails(fetch(client, server.url("/f/cl"), max_bytes=1000, total_timeout=5))
    assert error.reason == "response larger than 1000 bytes"
    assert error.status == 200
    assert time.monotonic() - started < 1


@pytest.mark.parametrize("fault", [Fault.endless(), Fault.huge(64 * MB)], ids=["endless", "huge"])
async def test_streamed_body_stopped_at_cap(
    server: FeedServer, client: httpx.AsyncClient, fault: Fault
) -> None:
    server.fault("/f/big-" + fault.kind, fault)
    error = await fails(fetch(client, server.url("/f/big-" + fault.kind), max_bytes=1 * MB))
    assert error.reason == "response larger than 1 MB"


async def test_body_exactly_at_cap_is_accepted(
    server: FeedServer, client: httpx.AsyncClient
) -> None:
    server.fault("/f/exact", Fault.huge(256 * 1024))
    result = await fetch(client, server.url("/f/exact"), max_bytes=256 * 1024)
    assert result.bytes == 256 * 1024


async def test_gzip_bomb_stopped_on_decoded_size_with_bounded_memory(
    server: FeedServer, client: httpx.AsyncClient
) -> None:
    server.fault("/f/bomb", Fault.gzip_bomb(64 * MB))
    tracemalloc.start()
    try:
        error = await fails(fetch(client, server.url("/f/bomb"), max_bytes=1 * MB))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert error.reason == "response larger than 1 MB"
    # Inflating a whole 64 KiB network chunk at once would allocate ~64 MiB.
    assert peak < 8 * MB


# -- content codings ----------------------------------------------------------------------------


async def test_gzip_body_is_decoded(server: FeedServer, client: httpx.AsyncClient) -> None:
    plain = b'{"status": "ok"}' * 1000
    server.set("/f/gz", gzip.compress(plain), headers={"Content-Encoding": "gzip"})
    result = await fetch(client, server.url("/f/gz"))
    assert result.body == plain
    assert result.bytes == len(plain)
    assert result.wire_bytes < len(plain)


async def test_concatenated_gzip_members(server: FeedServer, client: httpx.AsyncClient) -> None:
    server.set(
        "/f/gz2",
        gzip.compress(b"abc") + gzip.compress(b"def"),
        headers={"Content-Encoding": "gzip"},
    )
    assert (await fetch(client, server.url("/f/gz2"))).body == b"abcdef"


@pytest.mark.parametrize("wbits", [zlib.MAX_WBITS, -zlib.MAX_WBITS], ids=["zlib", "raw"])
async def test_deflate_both_flavours(
    server: FeedServer, client: httpx.AsyncClient, wbits: int
) -> None:
    compressor = zlib.compressobj(6, zlib.DEFLATED, wbits)
    blob = compressor.compress(b"hello deflate " * 100) + compressor.flush()
    server.set(f"/f/deflate{wbits}", blob, headers={"Content-Encoding": "deflate"})
    result = await fetch(client, server.url(f"/f/deflate{wbits}"))
    assert result.body == b"hello deflate " * 100


async def test_truncated_gzip_is_an_error(server: FeedServer, client: httpx.AsyncClient) -> None:
    blob = gzip.compress(b"z" * 5000)
    server.set("/f/gzcut", blob[: len(blob) // 2], headers={"Content-Encoding": "gzip"})
    error = await fails(fetch(client, server.url("/f/gzcut")))
    assert error.reason == "truncated gzip body"


async def test_corrupt_gzip_is_an_error(server: FeedServer, client: httpx.AsyncClient) -> None:
    server.set("/f/gzbad", b"this is not gzip", headers={"Content-Encoding": "gzip"})
    error = await fails(fetch(client, server.url("/f/gzbad")))
    assert error.reason == "corrupt gzip body"


async def test_unrequested_coding_is_refused(server: FeedServer, client: httpx.AsyncClient) -> None:
    server.set("/f/br", b"\x0b\x02\x80", headers={"Content-Encoding": "br"})
    error = await fails(fetch(client, server.url("/f/br")))
    assert error.reason == "unsupported Content-Encoding br"
