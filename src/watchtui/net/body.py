"""Reading a response body within a limit on DECODED bytes, whatever the server sends.

Bodies are decoded here rather than by httpx: httpx inflates each network chunk in one go, so a
64 KiB chunk of a gzip bomb could balloon to ~64 MiB before any size check runs.  Decoding with an
output limit keeps memory at ``max_bytes`` plus one chunk.  Only gzip and deflate are advertised
(:data:`watchtui.net.client.ACCEPT_ENCODING`); a server that answers with another coding (br, zstd)
unasked gets a :class:`FetchError` rather than a silently undecoded body.
"""

from __future__ import annotations

import asyncio
import contextlib
import zlib
from dataclasses import dataclass

import httpx

from watchtui.net.errors import FetchError, short

__all__ = ["CappedBody", "drain", "read_capped"]


@dataclass(frozen=True, slots=True)
class CappedBody:
    """``data`` is the decoded body, or its first ``max_bytes`` when ``truncated``."""

    data: bytes
    truncated: bool


async def read_capped(response: httpx.Response, max_bytes: int) -> CappedBody:
    """Stream ``response``'s body, decoding as it comes, and stop once past ``max_bytes``.

    Wire bytes are capped too: junk after the end of a gzip stream decodes to nothing, and an
    endless stream of it must not be read forever.
    """
    decoder = _decoder_for(response.headers.get("content-encoding", ""), response.status_code)
    chunks: list[bytes] = []
    total = 0
    async for raw in response.aiter_raw():
        piece = decoder.feed(raw, max_bytes - total + 1)
        chunks.append(piece)
        total += len(piece)
        if total > max_bytes or response.num_bytes_downloaded > max_bytes:
            return CappedBody(b"".join(chunks)[:max_bytes], truncated=True)
    decoder.finish(response.status_code)
    return CappedBody(b"".join(chunks), truncated=False)


# Enough for any error page or redirect notice; a longer or slower body costs the connection
# instead (it is closed with the response), never the caller's time.
DRAIN_LIMIT = 64 * 1024
DRAIN_SECONDS = 1.0


async def drain(
    response: httpx.Response, limit: int = DRAIN_LIMIT, seconds: float = DRAIN_SECONDS
) -> None:
    """Read what is left of a body nobody needs (a 304's, a redirect's, an error page's), so the
    connection goes back to the pool: httpcore closes a connection whose response was not read
    to its end, and every steady-state poll (all 304s) then paid a new TCP and TLS handshake."""
    if response.is_stream_consumed:
        return  # read by the caller (wholly, or as far as a cap allowed)
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return  # too long to be worth it: known without reading a byte
    with contextlib.suppress(TimeoutError, httpx.HTTPError):
        async with asyncio.timeout(seconds):
            async for _ in response.aiter_raw():
                if response.num_bytes_downloaded > limit:
                    return


class _Identity:
    def feed(self, data: bytes, limit: int) -> bytes:
        return data

    def finish(self, status: int) -> None:
        return None


class _Inflate:
    """gzip (incl. concatenated members) or deflate (zlib-wrapped or raw), output-limited."""

    def __init__(self, coding: str) -> None:
        self._gzip = coding != "deflate"
        self._coding = coding
        self._obj = self._new(zlib.MAX_WBITS | 16 if self._gzip else zlib.MAX_WBITS)
        # Raw-deflate fallback: kept until the first output proves the zlib wrapper right.
        self._undecided: bytes | None = None if self._gzip else b""
        self._fed = False

    @staticmethod
    def _new(wbits: int) -> zlib._Decompress:
        return zlib.decompressobj(wbits)

    def feed(self, data: bytes, limit: int) -> bytes:
        if not data:
            return b""
        self._fed = True
        if self._undecided is not None:
            self._undecided += data
        out: list[bytes] = []
        produced = 0
        while data and produced < limit:
            try:
                piece = self._obj.decompress(data, limit - produced)
            except zlib.error:
                data = self._fall_back_to_raw()
                continue
            if piece:
                self._undecided = None
            out.append(piece)
            produced += len(piece)
            data = self._next_input()
        return b"".join(out)

    def _fall_back_to_raw(self) -> bytes:
        if self._undecided is None:
            raise FetchError(f"corrupt {self._coding} body")
        pending, self._undecided = self._undecided, None
        self._obj = self._new(-zlib.MAX_WBITS)
        return pending

    def _next_input(self) -> bytes:
        if self._obj.unconsumed_tail:
            return self._obj.unconsumed_tail
        if self._obj.eof and self._gzip and self._obj.unused_data.startswith(b"\x1f\x8b"):
            rest = self._obj.unused_data
            self._obj = self._new(zlib.MAX_WBITS | 16)
            return rest
        # Anything after the end of the stream is junk some servers append; browsers ignore it.
        return b""

    def finish(self, status: int) -> None:
        if self._fed and not self._obj.eof:
            raise FetchError(f"truncated {self._coding} body", status=status)


def _decoder_for(content_encoding: str, status: int) -> _Identity | _Inflate:
    codings = [c.strip().lower() for c in content_encoding.split(",")]
    codings = [c for c in codings if c and c != "identity"]
    if not codings:
        return _Identity()
    if len(codings) == 1 and codings[0] in ("gzip", "x-gzip", "deflate"):
        return _Inflate("gzip" if codings[0] == "x-gzip" else codings[0])
    raise FetchError(f"unsupported Content-Encoding {short(content_encoding)}", status=status)
