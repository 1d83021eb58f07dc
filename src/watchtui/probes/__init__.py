"""The user's own probes: independent evidence beside what providers claim about themselves.

A probe is an HTTP request, a TCP connect or a DNS lookup run every ``interval`` seconds.  One
failure is not an incident: a hysteresis state machine (``advance``) turns a probe DOWN only after
``down_after`` consecutive failures and UP again after ``up_after`` consecutive successes.
``ProbeRunner.run_due`` runs what is due (bounded concurrency, one attempt per interval, never a
retry storm), records every result in the store and emits ``probe_down`` / ``probe_up`` events.

Probe runs are coordinated across processes with store leases keyed ``probe:<id>``, like endpoint
polls, so several watchtui processes sharing one store run each probe once per interval in total.
"""

from __future__ import annotations

import asyncio
import errno
import ipaddress
import json
import os
import re
import socket
import ssl
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Literal
from urllib.parse import urlsplit

import httpx
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from watchtui import catalog
from watchtui.domain.events import ChangeEvent
from watchtui.domain.text import clean_line
from watchtui.store import ProbeResult, ProbeState, Store, probe_lease_key

__all__ = [
    "MAX_BODY_BYTES",
    "MIN_PROBE_INTERVAL",
    "ProbeResult",
    "ProbeRunner",
    "ProbeSpec",
    "ProbeState",
    "advance",
    "format_duration",
    "is_due",
    "link_provider",
    "probe_label",
    "run_probe",
    "split_host_port",
    "target_host",
]

MIN_PROBE_INTERVAL = 15
MAX_TIMEOUT = 60.0
# Body checks (contains / json_path) read at most this much: a probe is not a download.
MAX_BODY_BYTES = 1024 * 1024
DEFAULT_CONCURRENCY = 8
# A lease outlives the probe's own timeout with room to record the result.
LEASE_MARGIN_S = 30
# The runner ticks about once a second; a probe this close to due runs now rather than next tick.
DUE_SLACK = timedelta(seconds=0.5)
_ERROR_LEN = 200

ProbeType = Literal["http", "tcp", "dns"]
JsonScalar = str | int | float | bool

_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"
_HOST_LABEL = re.compile(r"^(?!-)[A-Za-z0-9_-]{1,63}(?<!-)$")
_JSON_PATH = re.compile(r"^[^.\s]+(\.[^.\s]+)*$")


# ---------------------------------------------------------------------------------------------
# Specification


def _valid_hostname(host: str) -> bool:
    name = host[:-1] if host.endswith(".") else host
    if not name or len(name) > 253:
        return False
    return all(_HOST_LABEL.match(label) for label in name.split("."))


def _valid_host(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return _valid_hostname(host)
    return True


def split_host_port(target: str) -> tuple[str, int]:
    """``"db.example.com:5432"`` or ``"[2001:db8::1]:443"`` -> (host, port); ValueError when not."""
    text = target.strip()
    if text.startswith("["):
        host, sep, rest = text[1:].partition("]")
        if not sep or not rest.startswith(":"):
            raise ValueError(f"{target!r} is not [ipv6]:port")
        port_text = rest[1:]
    else:
        host, sep, port_text = text.rpartition(":")
        if not sep or ":" in host:
            raise ValueError(f"{target!r} is not host:port (write IPv6 as [addr]:port)")
    if not port_text.isascii() or not port_text.isdigit() or not 1 <= int(port_text) <= 65535:
        raise ValueError(f"port in {target!r} must be a number from 1 to 65535")
    if not _valid_host(host):
        raise ValueError(f"{host!r} is not a valid host name or address")
    return host, int(port_text)


def _check_http_target(value: str) -> None:
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError:
        raise ValueError(f"{value!r} is not a valid URL") from None
    if parts.scheme not in ("http", "https") or not host:
        raise ValueError("an http probe's target must be an http(s) URL such as https://host/path")


class ProbeSpec(BaseModel):
    """One ``[[probes]]`` entry.

    ``target``: a URL (http), ``host:port`` (tcp) or a host name (dns).  ``expect_status`` empty
    means any 2xx or 3xx (redirects are followed, up to the client's limit).  ``contains`` is a
    substring the body must include; ``json_path`` a dotted path (``status.indicator``, list
    indexes as numbers: ``components.0.status``) that must exist and, with ``json_equals``, equal
    that value.  ``provider`` is a catalog id (filled from the target's host by
    ``link_provider``), ``service`` a component name of that provider, ``region`` a provider
    region code (``westeurope``) or a canonical geography (``eu-west``).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=_ID_PATTERN)
    type: ProbeType
    target: str
    method: Literal["GET", "HEAD"] = "GET"
    expect_status: tuple[int, ...] = ()
    contains: str | None = None
    json_path: str | None = None
    json_equals: JsonScalar | None = None
    expect_address: str | None = None
    timeout: float = 5.0
    interval: int = 30
    provider: str | None = None
    service: str | None = None
    region: str | None = None
    down_after: int = 3
    up_after: int = 2

    @field_validator("target")
    @classmethod
    def _clean_target(cls, value: str) -> str:
        value = value.strip()
        if not value or not value.isprintable():
            raise ValueError("must be a non-empty single line")
        return value

    @field_validator("expect_status")
    @classmethod
    def _statuses(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        for code in value:
            if not 100 <= code <= 599:
                raise ValueError(f"{code} is not an HTTP status (100-599)")
        return value

    @field_validator("contains")
    @classmethod
    def _contains(cls, value: str | None) -> str | None:
        if value is not None and not value:
            raise ValueError("must not be empty (omit it to skip the body check)")
        return value

    @field_validator("json_path")
    @classmethod
    def _json_path(cls, value: str | None) -> str | None:
        if value is not None and not _JSON_PATH.match(value):
            raise ValueError(f"{value!r} is not a dotted path such as status.indicator")
        return value

    @field_validator("expect_address")
    @classmethod
    def _address(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            return str(ipaddress.ip_address(value.strip()))
        except ValueError:
            raise ValueError(f"{value!r} is not an IPv4 or IPv6 address") from None

    @field_validator("timeout")
    @classmethod
    def _timeout(cls, value: float) -> float:
        if not 0 < value <= MAX_TIMEOUT:
            raise ValueError(f"must be more than 0 and at most {MAX_TIMEOUT:g} seconds")
        return value

    @field_validator("interval")
    @classmethod
    def _interval(cls, value: int) -> int:
        if value < MIN_PROBE_INTERVAL:
            raise ValueError(f"must be at least {MIN_PROBE_INTERVAL} seconds")
        return value

    @field_validator("down_after", "up_after")
    @classmethod
    def _streak(cls, value: int) -> int:
        if not 1 <= value <= 100:
            raise ValueError("must be between 1 and 100 consecutive results")
        return value

    @field_validator("provider")
    @classmethod
    def _provider(cls, value: str | None) -> str | None:
        if value is not None and not re.match(_ID_PATTERN, value):
            raise ValueError(f"{value!r} is not a provider id (see `watchtui sources`)")
        return value

    @field_validator("service", "region")
    @classmethod
    def _label(cls, value: str | None) -> str | None:
        if value is None:
            return None
        cleaned = clean_line(value, 120)
        if not cleaned:
            raise ValueError("must not be empty (omit it instead)")
        return cleaned

    @model_validator(mode="after")
    def _fits_type(self) -> ProbeSpec:
        self._check_target()
        http_only = {
            "method": self.method != "GET",
            "expect_status": bool(self.expect_status),
            "contains": self.contains is not None,
            "json_path": self.json_path is not None,
        }
        if self.type != "http":
            for key, used in http_only.items():
                if used:
                    raise ValueError(f"'{key}' applies to http probes only")
        if self.type != "dns" and self.expect_address is not None:
            raise ValueError("'expect_address' applies to dns probes only")
        if self.json_equals is not None and self.json_path is None:
            raise ValueError("'json_equals' needs 'json_path'")
        if self.method == "HEAD" and (self.contains is not None or self.json_path is not None):
            raise ValueError("a HEAD request has no body: drop 'contains'/'json_path' or use GET")
        if self.timeout >= self.interval:
            raise ValueError("'timeout' must be shorter than 'interval'")
        return self

    def to_config(self) -> dict[str, Any]:
        """This spec as a ``[[probes]]`` TOML table, defaults left out (``probes add``)."""
        return self.model_dump(mode="json", exclude_defaults=True)

    def _check_target(self) -> None:
        if self.type == "http":
            _check_http_target(self.target)
        elif self.type == "tcp":
            split_host_port(self.target)
        elif not _valid_hostname(self.target):
            raise ValueError(f"a dns probe's target must be a host name, not {self.target!r}")


def target_host(spec: ProbeSpec) -> str:
    """The host a probe talks to (URL host, the host of host:port, or the DNS name)."""
    if spec.type == "http":
        return (urlsplit(spec.target).hostname or "").rstrip(".").lower()
    if spec.type == "tcp":
        return split_host_port(spec.target)[0].rstrip(".").lower()
    return spec.target.rstrip(".").lower()


def link_provider(spec: ProbeSpec) -> ProbeSpec:
    """Tie the probe to a catalog provider: its target's host when none is given
    (``api.github.com`` -> ``github``), else the canonical id of the alias given.
    An unknown provider is kept verbatim (it may be a custom source's id)."""
    if spec.provider is not None:
        entry = catalog.get(spec.provider)
        if entry is None or entry.id == spec.provider:
            return spec
        return spec.model_copy(update={"provider": entry.id})
    entry = catalog.provider_for_url(target_host(spec))
    return spec if entry is None else spec.model_copy(update={"provider": entry.id})


def probe_label(spec: ProbeSpec) -> str:
    """``api-eu (eu-west)``: how titles and messages name a probe."""
    return f"{spec.id} ({spec.region})" if spec.region else spec.id


# ---------------------------------------------------------------------------------------------
# Execution


async def run_probe(
    spec: ProbeSpec, client: httpx.AsyncClient, *, at: datetime | None = None
) -> ProbeResult:
    """Run ``spec`` once.  Never raises for network trouble: failures come back as
    ``ok=False`` with a short, printable reason.  ``at`` stamps the result (default: now)."""
    stamp = at if at is not None else datetime.now(UTC)
    started = time.monotonic()
    latency: float | None = None
    try:
        if _reserved_invalid(target_host(spec)):
            # RFC 6761: .invalid never resolves; no resolver (or network) needs asking.
            error: str | None = "DNS: name does not resolve (.invalid is reserved)"
        elif spec.type == "http":
            latency, error = await _run_http(spec, client, started)
        elif spec.type == "tcp":
            latency, error = await _run_tcp(spec, started)
        else:
            latency, error = await _run_dns(spec, started)
    except TimeoutError:
        latency, error = None, f"timeout after {spec.timeout:g}s"
    except (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError, OSError, ValueError) as exc:
        latency, error = None, _describe(exc, spec.timeout)
    return ProbeResult(
        ok=error is None,
        latency_ms=latency,
        error=None if error is None else clean_line(error, _ERROR_LEN),
        at=stamp,
    )


def _elapsed_ms(started: float) -> float:
    return round((time.monotonic() - started) * 1000, 1)


def _reserved_invalid(host: str) -> bool:
    name = host.rstrip(".").lower()
    return name == "invalid" or name.endswith(".invalid")


def _needs_body(spec: ProbeSpec) -> bool:
    return spec.contains is not None or spec.json_path is not None


def _status_ok(spec: ProbeSpec, status: int) -> bool:
    if spec.expect_status:
        return status in spec.expect_status
    return 200 <= status < 400


async def _run_http(
    spec: ProbeSpec, client: httpx.AsyncClient, started: float
) -> tuple[float | None, str | None]:
    # Asking for identity keeps a compressed body from inflating past the cap in one chunk.
    headers = {"Accept-Encoding": "identity"} if _needs_body(spec) else {}
    async with (
        asyncio.timeout(spec.timeout),
        client.stream(
            spec.method,
            spec.target,
            headers=headers,
            follow_redirects=True,
            timeout=spec.timeout,
        ) as response,
    ):
        # Time to the response head: what a user of the service waits before anything happens.
        latency = _elapsed_ms(started)
        if not _status_ok(spec, response.status_code):
            return latency, f"HTTP {response.status_code}"
        if not _needs_body(spec):
            return latency, None
        body, truncated = await _read_capped(response)
    return latency, _check_body(spec, body, truncated)


async def _read_capped(response: httpx.Response) -> tuple[bytes, bool]:
    chunks: list[bytes] = []
    total = 0
    async for chunk in response.aiter_bytes():
        chunks.append(chunk)
        total += len(chunk)
        if total > MAX_BODY_BYTES:
            return b"".join(chunks)[:MAX_BODY_BYTES], True
    return b"".join(chunks), False


def _check_body(spec: ProbeSpec, body: bytes, truncated: bool) -> str | None:
    if spec.contains is not None and spec.contains.encode("utf-8") not in body:
        suffix = " (in its first 1 MB)" if truncated else ""
        return f"body lacks {spec.contains!r}{suffix}"
    if spec.json_path is None:
        return None
    if truncated:
        return "body larger than 1 MB: json not checked"
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return "body is not JSON"
    return _check_json(spec.json_path, spec.json_equals, document)


_MISSING = object()


def _json_at(document: Any, path: str) -> Any:
    node = document
    for part in path.split("."):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return _MISSING
    return node


def _same_json(found: Any, expected: JsonScalar) -> bool:
    # bool is an int in Python; JSON's true is not 1.
    if isinstance(found, bool) or isinstance(expected, bool):
        return isinstance(found, bool) and isinstance(expected, bool) and found == expected
    if isinstance(found, int | float) and isinstance(expected, int | float):
        return found == expected
    return type(found) is type(expected) and bool(found == expected)


def _show(value: Any) -> str:
    if isinstance(value, str):
        return repr(clean_line(value, 60))
    return clean_line(json.dumps(value, ensure_ascii=False), 60)


def _check_json(path: str, expected: JsonScalar | None, document: Any) -> str | None:
    found = _json_at(document, path)
    if found is _MISSING or found is None:
        return f"json {path} missing"
    if expected is None or _same_json(found, expected):
        return None
    return f"json {path} = {_show(found)}, expected {_show(expected)}"


async def _run_tcp(spec: ProbeSpec, started: float) -> tuple[float | None, str | None]:
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


async def _run_dns(spec: ProbeSpec, started: float) -> tuple[float | None, str | None]:
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


# ---- error wording ---------------------------------------------------------------------------


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


_NO_SUCH_NAME = {
    code
    for code in (getattr(socket, "EAI_NONAME", None), getattr(socket, "EAI_NODATA", None))
    if code is not None
}
_ERRNO_WORDS = {
    errno.ECONNREFUSED: "connection refused",
    errno.ECONNRESET: "connection reset",
    errno.EHOSTUNREACH: "host unreachable",
    errno.ENETUNREACH: "network unreachable",
}


def _describe(exc: BaseException, timeout: float) -> str:
    for cause in _chain(exc):
        known = _describe_one(cause, timeout)
        if known is not None:
            return known
    return _describe_by_text(exc)


def _describe_one(cause: BaseException, timeout: float) -> str | None:
    if isinstance(cause, httpx.TimeoutException | TimeoutError):
        return f"timeout after {timeout:g}s"
    if isinstance(cause, socket.gaierror):
        if cause.errno in _NO_SUCH_NAME:
            return "DNS: name does not resolve"
        return f"DNS: lookup failed ({cause.strerror or cause})"
    if isinstance(cause, ssl.SSLCertVerificationError):
        return f"TLS error: {cause.verify_message or cause.reason}"
    if isinstance(cause, ssl.SSLError):
        return f"TLS error: {cause.reason or cause}"
    if isinstance(cause, httpx.TooManyRedirects):
        return "too many redirects"
    if isinstance(cause, OSError) and cause.errno in _ERRNO_WORDS:
        return _ERRNO_WORDS[cause.errno]
    return None


def _describe_by_text(exc: BaseException) -> str:
    text = str(exc)
    lowered = text.lower()
    # asyncio joins per-address failures into one OSError without an errno.
    if "refused" in lowered or f"[errno {errno.ECONNREFUSED}]" in lowered:
        return "connection refused"
    if "all connection attempts failed" in lowered:
        return "connection refused"
    if "name or service not known" in lowered or "nodename nor servname" in lowered:
        return "DNS: name does not resolve"
    if isinstance(exc, httpx.RemoteProtocolError):
        return "server closed the connection without a complete response"
    if isinstance(exc, httpx.InvalidURL | ValueError) and not isinstance(exc, OSError):
        return f"invalid target: {clean_line(text, 120)}"
    return f"network error: {clean_line(text, 120) or type(exc).__name__}"


# ---------------------------------------------------------------------------------------------
# Hysteresis


def advance(
    state: ProbeState | None, result: ProbeResult, spec: ProbeSpec
) -> tuple[ProbeState, list[ChangeEvent]]:
    """The state after ``result``, and the events it causes.  Pure.

    DOWN after ``down_after`` consecutive failures, UP after ``up_after`` consecutive successes;
    anything shorter only moves the counters.  A new probe starts unknown.  Entering DOWN emits
    ``probe_down`` (from unknown too: a probe failing from the start is news); leaving DOWN emits
    ``probe_up``; unknown -> up is the normal start and emits nothing.
    """
    old = state if state is not None else ProbeState(probe_id=spec.id)
    continuing = old.consecutive_successes > 0 if result.ok else old.consecutive_failures > 0
    streak_start = (
        old.streak_started_at if continuing and old.streak_started_at is not None else result.at
    )
    successes = old.consecutive_successes + 1 if result.ok else 0
    failures = 0 if result.ok else old.consecutive_failures + 1
    target: Literal["up", "down"] = "up" if result.ok else "down"
    reached = successes >= spec.up_after if result.ok else failures >= spec.down_after
    changed = reached and old.state != target
    new = ProbeState(
        probe_id=spec.id,
        state=target if changed else old.state,
        since=streak_start if changed else old.since,
        consecutive_failures=failures,
        consecutive_successes=successes,
        # The latest failure's reason, kept after recovery ("last error: HTTP 500").
        last_error=old.last_error if result.ok else result.error,
        last_result_at=result.at,
        streak_started_at=streak_start,
    )
    if not changed or (target == "up" and old.state != "down"):
        return new, []
    return new, [_transition_event(spec, old, new, result)]


def format_duration(delta: timedelta) -> str:
    """``45 s``, ``6 min``, ``2 h 5 min``, ``3 d 4 h``: a duration as an operator says it."""
    seconds = max(0, int(delta.total_seconds()))
    if seconds < 60:
        return f"{seconds} s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


def _transition_event(
    spec: ProbeSpec, old: ProbeState, new: ProbeState, result: ProbeResult
) -> ChangeEvent:
    assert new.since is not None
    label = probe_label(spec)
    if new.state == "down":
        title = f"Your probe {label} failing for {format_duration(result.at - new.since)}"
        detail = result.error or ""
    else:
        down_for = new.since - old.since if old.since is not None else timedelta(0)
        title = f"Your probe {label} is back up after {format_duration(down_for)} down"
        detail = f"last error: {old.last_error}" if old.last_error else ""
    return ChangeEvent(
        kind="probe_down" if new.state == "down" else "probe_up",
        source_id=probe_lease_key(spec.id),
        at=result.at,
        title=title,
        # A recovery is announced as loudly as the outage it ends (as for components).
        impact="major",
        old_status=old.state,
        new_status=new.state,
        detail=detail,
    )


# ---------------------------------------------------------------------------------------------
# Running


def is_due(spec: ProbeSpec, state: ProbeState | None, now: datetime) -> bool:
    """Never run, or ``interval`` since the last result (the runner ticks, so allow a little)."""
    if state is None or state.last_result_at is None:
        return True
    return now >= state.last_result_at + timedelta(seconds=spec.interval) - DUE_SLACK


def _default_owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:probes:{uuid.uuid4().hex[:8]}"


class ProbeRunner:
    """Runs due probes; call ``run_due`` on every tick (the engine's poll loop).

    Each probe runs at most once per interval across every process sharing the store: a lease
    is taken first and due-ness re-checked under it.  A failing probe is not retried sooner: the
    hysteresis, not retries, absorbs blips.
    """

    def __init__(
        self,
        *,
        owner: str | None = None,
        concurrency: int = DEFAULT_CONCURRENCY,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.owner = owner or _default_owner()
        self._semaphore = asyncio.Semaphore(max(1, concurrency))
        self.clock = clock

    async def run_due(
        self,
        store: Store,
        specs: Sequence[ProbeSpec],
        client: httpx.AsyncClient,
        now: datetime | None = None,
    ) -> list[ChangeEvent]:
        """Run every due probe concurrently; record results; return probe_down/probe_up events
        (oldest first).  ``now`` stamps the results (default: the clock)."""
        when = now if now is not None else self.clock()
        states = await asyncio.to_thread(store.probe_states)
        due = [s for s in specs if is_due(s, states.get(s.id), when)]
        batches = await asyncio.gather(*(self._run_one(store, s, client, when) for s in due))
        return sorted((e for batch in batches for e in batch), key=lambda e: e.at)

    async def _run_one(
        self, store: Store, spec: ProbeSpec, client: httpx.AsyncClient, now: datetime
    ) -> list[ChangeEvent]:
        async with self._semaphore:
            if not await asyncio.to_thread(self._claim_if_due, store, spec, now):
                return []
            try:
                result = await run_probe(spec, client, at=now)
                return await asyncio.to_thread(self._record, store, spec, result)
            finally:
                await asyncio.to_thread(store.release, probe_lease_key(spec.id), self.owner)

    def _claim_if_due(self, store: Store, spec: ProbeSpec, now: datetime) -> bool:
        key = probe_lease_key(spec.id)
        until = now + timedelta(seconds=spec.timeout + LEASE_MARGIN_S)
        if not store.try_claim(key, self.owner, now, until):
            return False  # another process is running it right now
        # Checked under the lease, so a run another process just finished is seen.
        if not is_due(spec, store.probe_state(spec.id), now):
            store.release(key, self.owner)
            return False
        return True

    @staticmethod
    def _record(store: Store, spec: ProbeSpec, result: ProbeResult) -> list[ChangeEvent]:
        new_state, events = advance(store.probe_state(spec.id), result, spec)
        applied = store.record_probe_result(spec.id, result, new_state)
        return events if applied else []
