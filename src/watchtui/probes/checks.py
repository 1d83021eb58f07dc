"""Running one probe once: an HTTP request, a TCP connect or a DNS lookup, judged into a result.

Whatever goes wrong inside a check — the network, a hostile body, a bug — becomes a failed
:class:`ProbeResult` with a reason, here and only here, so one bad target can never take a round
of probes (or ``watchtui status``/``collect``) down with it.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import time
from datetime import UTC, datetime

import httpx

from watchtui.config.probe_spec import ProbeSpec, split_host_port
from watchtui.domain.text import clean_line
from watchtui.net import FetchError, Resolver, describe, open_following, read_capped
from watchtui.net.errors import NETWORK_ERRORS, short
from watchtui.probes.content import check_body, needs_body
from watchtui.probes.naming import target_host
from watchtui.store import ProbeResult

__all__ = ["MAX_BODY_BYTES", "run_probe"]

# Body checks (contains / json_path) read at most this much, decoded: a probe is not a download.
MAX_BODY_BYTES = 1024 * 1024
_MAX_BODY_WORDS = "1 MB"
_ERROR_LEN = 200

Outcome = tuple[float | None, str | None]


async def run_probe(
    spec: ProbeSpec,
    client: httpx.AsyncClient,
    *,
    at: datetime | None = None,
    resolver: Resolver | None = None,
) -> ProbeResult:
    """Run ``spec`` once; never raises (short of cancellation).  Failures come back as
    ``ok=False`` with a short, printable reason.  ``at`` stamps the result (default: now);
    ``resolver`` decides where redirect targets lead (default: the system resolver)."""
    stamp = at if at is not None else datetime.now(UTC)
    started = time.monotonic()
    try:
        latency, error = await _check(spec, client, started, resolver)
    except Exception as exc:  # the one place a check's failure becomes a result
        latency, error = None, _reason(exc, spec.timeout)
    return ProbeResult(
        ok=error is None,
        latency_ms=latency,
        error=None if error is None else clean_line(error, _ERROR_LEN),
        at=stamp,
    )


def _reason(exc: Exception, timeout: float) -> str:
    if isinstance(exc, (FetchError, *NETWORK_ERRORS)):
        return describe(exc, timeout)
    # Not a network failure: the target sent something our checks could not digest.
    return f"check failed: {type(exc).__name__}: {short(str(exc)) or 'no detail'}"


async def _check(
    spec: ProbeSpec, client: httpx.AsyncClient, started: float, resolver: Resolver | None
) -> Outcome:
    if _reserved_invalid(target_host(spec)):
        # RFC 6761: .invalid never resolves; no resolver (or network) needs asking.
        return None, "DNS: name does not resolve (.invalid is reserved)"
    if spec.type == "http":
        return await _run_http(spec, client, started, resolver)
    if spec.type == "tcp":
        return await _run_tcp(spec, started)
    return await _run_dns(spec, started)


def _elapsed_ms(started: float) -> float:
    return round((time.monotonic() - started) * 1000, 1)


def _reserved_invalid(host: str) -> bool:
    name = host.rstrip(".").lower()
    return name == "invalid" or name.endswith(".invalid")


def _status_ok(spec: ProbeSpec, status: int) -> bool:
    if spec.expect_status:
        return status in spec.expect_status
    return 200 <= status < 400


async def _run_http(
    spec: ProbeSpec, client: httpx.AsyncClient, started: float, resolver: Resolver | None
) -> Outcome:
    async with (
        asyncio.timeout(spec.timeout),
        open_following(
            client, spec.target, method=spec.method, timeout=spec.timeout, resolver=resolver
        ) as response,
    ):
        # Time to the response head: what a user of the service waits before anything happens.
        latency = _elapsed_ms(started)
        if not _status_ok(spec, response.status_code):
            return latency, f"HTTP {response.status_code}"
        if not needs_body(spec):
            return latency, None
        body = await read_capped(response, MAX_BODY_BYTES)
    return latency, check_body(spec, body.data, body.truncated, _MAX_BODY_WORDS)


async def _run_tcp(spec: ProbeSpec, started: float) -> Outcome:
    host, port = split_host_port(spec.target)
    async with asyncio.timeout(spec.timeout):
        _, writer = await asyncio.open_connection(host, port)
    latency = _elapsed_ms(started)
    writer.close()
    try:
        async with asyncio.timeout(1):
            await writer.wait_closed()
    except (TimeoutError, OSError):
        pass  # the connect succeeded; how the close went says nothing about the service
    return latency, None


async def _run_dns(spec: ProbeSpec, started: float) -> Outcome:
    name = spec.target.rstrip(".")
    loop = asyncio.get_running_loop()
    # The lookup runs in the loop's executor: the timeout frees the probe, not that thread,
    # which ends at the system resolver's own timeout.
    async with asyncio.timeout(spec.timeout):
        infos = await loop.getaddrinfo(name, None, type=socket.SOCK_STREAM)
    latency = _elapsed_ms(started)
    addresses = sorted({str(info[4][0]).split("%")[0] for info in infos})
    if not addresses:
        return latency, "DNS: name does not resolve"
    if spec.expect_address is None:
        return latency, None
    expected = ipaddress.ip_address(spec.expect_address)
    if expected in {ipaddress.ip_address(a) for a in addresses}:
        return latency, None
    shown = ", ".join(addresses[:4]) + (" …" if len(addresses) > 4 else "")
    return latency, f"DNS: {name} resolves to {shown}, expected {spec.expect_address}"
