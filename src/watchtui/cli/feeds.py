"""The network side of ``sources add`` and ``sources test``: detect a feed's kind, fetch a
source once.  A network failure is said to be one, in net's words, never "pass --kind"."""

from __future__ import annotations

from typing import TextIO
from urllib.parse import urlsplit

from watchtui.cli.common import EXIT_OK, EXIT_UNKNOWN, CliError
from watchtui.cli.parse import format_snapshot
from watchtui.config import SourceSpec
from watchtui.domain.errors import FeedError
from watchtui.sources import KIND_MODULES, parse_payload

__all__ = ["DETECT_TIMEOUT", "detect_kind", "looks_like_endpoint", "test_spec"]

DETECT_TIMEOUT = 15.0


def looks_like_endpoint(url: str) -> bool:
    lowered = url.lower().split("?")[0]
    return lowered.endswith((".json", ".rss", ".atom", ".xml")) or "/api/" in lowered


async def detect_kind(url: str) -> tuple[str, str]:
    """Fetch ``url`` (and the usual feed paths under it) and sniff what answers: (kind, URL to
    poll).  Stops at the first network failure: every candidate is on the same host."""
    from watchtui.net.fetch import FetchError, fetch, make_client
    from watchtui.sources.sniff import sniff_kind

    base = url.rstrip("/")
    candidates = (
        [url]
        if looks_like_endpoint(url)
        else [f"{base}/api/v2/summary.json", url, f"{base}/history.atom", f"{base}/incidents.json"]
    )
    reasons: list[str] = []
    async with make_client() as client:
        for candidate in candidates:
            where = urlsplit(candidate).path or "/"
            try:
                result = await fetch(client, candidate, total_timeout=DETECT_TIMEOUT)
            except FetchError as exc:
                if exc.status is None:
                    raise CliError(f"network failure fetching {candidate}: {exc.reason}") from exc
                reasons.append(f"{where}: {exc.reason}")
                continue
            if result.body is None:
                continue
            try:
                kind = sniff_kind(result.body)
            except FeedError as exc:
                reasons.append(f"{where}: {exc.reason.removesuffix('; pass --kind')}")
                continue
            if candidate.endswith("/api/v2/summary.json") and candidate != url:
                return kind, base  # keep the base: the history endpoint derives from it
            return kind, candidate
    raise CliError(
        f"{url} answers, but not with a feed watchtui recognises ({'; '.join(reasons)[:300]}); "
        f"give the feed's own URL, or --kind ({', '.join(sorted(KIND_MODULES))})"
    )


async def test_spec(spec: SourceSpec, out: TextIO) -> int:
    """Fetch every endpoint of ``spec`` once and say what each one says: 0, or 3 when any could
    not be fetched or understood."""
    from watchtui.net.fetch import FetchError, fetch, make_client

    worst = EXIT_OK
    async with make_client() as client:
        for endpoint in spec.endpoints:
            out.write(f"== {endpoint.url} ({spec.kind}, {endpoint.role})\n")
            try:
                result = await fetch(client, endpoint.url)
            except FetchError as exc:
                failure = "network failure" if exc.status is None else "fetch failed"
                out.write(f"{failure}: {exc.reason}\n")
                worst = EXIT_UNKNOWN
                continue
            try:
                snapshot = parse_payload(spec.kind, result.body or b"", result.headers)
            except FeedError as exc:
                out.write(f"HTTP {result.status}, {result.bytes} bytes, not understood: {exc}\n")
                worst = EXIT_UNKNOWN
                continue
            out.write(
                f"HTTP {result.status}, {result.bytes} bytes in {result.latency_ms:.0f} ms, "
                f"etag {'yes' if result.etag else 'no'}, "
                f"last-modified {'yes' if result.last_modified else 'no'}\n"
            )
            out.write(format_snapshot(snapshot))
    return worst
