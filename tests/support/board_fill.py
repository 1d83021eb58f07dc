"""Filling the test board's store: what watchtui would have stored had it polled the board's
sources over the past weeks (``board_story``, ``board_pages``) and run its probes.

Every payload goes through ``watchtui.sources.parse_payload`` and ``Store.ingest``; every fetch
is logged by ``Store.record_fetch`` with the source's fixed latency (a real fetch's would make the
sources screen and the snapshots differ run to run) and the server's ETag; probe runs go through
``probes.advance`` and ``Store.record_probe_result``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from tests.support import board_pages as pages
from tests.support import board_story as story
from tests.support.board_payloads import ATOM, JSON, RSS
from tests.support.board_story import AWS, AZURE, BLOG, EDGE, GCP, GIT, NOW
from watchtui.config import Endpoint, SourceSpec
from watchtui.probes import ProbeResult, ProbeSpec, ProbeState, advance
from watchtui.sources import parse_payload
from watchtui.store import Store


@dataclass(frozen=True)
class SourceDef:
    """One of the board's sources: config fields and the fixed latency its fetches log."""

    id: str
    name: str
    kind: str
    slug: str
    interval: int
    latency_ms: float


SOURCES = (
    SourceDef(AWS, "Demo AWS", "aws", "aws", 60, 120.0),
    SourceDef(GCP, "Demo GCP", "gcp", "gcp", 120, 340.0),
    SourceDef(AZURE, "Demo Azure", "azure", "azure/en-us/status/feed/", 60, 210.0),
    SourceDef(GIT, "Demo Git", "statuspage", "git", 60, 80.0),
    SourceDef(EDGE, "Demo Edge", "statuspage", "edge", 60, 95.0),
    SourceDef(BLOG, "Demo Blog", "rss", "blog", 60, 450.0),
)
CONTENT_TYPES = {"aws": JSON, "gcp": JSON, "azure": RSS, "statuspage": JSON, "rss": ATOM}


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:20] + '"'


@dataclass
class Feed:
    """One endpoint's payload versions (time, body) and the times watchtui fetched it."""

    versions: Sequence[tuple[datetime, bytes]]
    fetches: Sequence[datetime]

    def body_at(self, when: datetime) -> bytes:
        return [body for start, body in self.versions if start <= when][-1]


def _fetch_times(
    versions: Sequence[tuple[datetime, bytes]], interval: int, last: datetime
) -> list[datetime]:
    """At every version change, and every ``interval`` for the 20 fetches up to ``last``."""
    first = versions[0][0]
    regular = [last - timedelta(seconds=interval * k) for k in range(20)]
    return sorted(
        {when for when, _ in versions if when <= last} | {t for t in regular if t >= first}
    )


def board_feeds(specs: dict[str, SourceSpec]) -> dict[str, Feed]:
    """Every endpoint's feed by URL."""
    git_summary, git_history = pages.git_versions()
    edge_summary, edge_history = pages.edge_versions()
    versions = {
        (AWS, "current"): story.aws_versions(),
        (GCP, "current"): story.gcp_versions(),
        (AZURE, "current"): story.azure_versions(),
        (GIT, "current"): git_summary,
        (GIT, "history"): git_history,
        (EDGE, "current"): edge_summary,
        (EDGE, "history"): edge_history,
        (BLOG, "current"): story.blog_versions(),
    }
    # Azure was last read 9 minutes ago (stale); the blog at 09:00 (it fails now).
    last_read = {AZURE: story.ago(minutes=9), BLOG: story.at(29, 9)}
    feeds = {}
    for (source_id, role), known in versions.items():
        endpoint = endpoint_of(specs[source_id], role)
        last = last_read.get(source_id, NOW)
        feeds[endpoint.url] = Feed(known, _fetch_times(known, endpoint.interval, last))
    return feeds


def endpoint_of(spec: SourceSpec, role: str) -> Endpoint:
    return next(e for e in spec.endpoints if e.role == role)


def record_fetches(store: Store, specs: dict[str, SourceSpec], feeds: dict[str, Feed]) -> None:
    """What the poller would have stored: parse, ingest and log every fetch, oldest first (a
    history endpoint before its page's current one at the same moment)."""
    latency = {s.id: s.latency_ms for s in SOURCES}
    rounds: list[tuple[datetime, int, SourceSpec, Endpoint]] = []
    for spec in specs.values():
        for endpoint in spec.endpoints:
            order = 0 if endpoint.role == "history" else 1
            rounds += [(when, order, spec, endpoint) for when in feeds[endpoint.url].fetches]
    rounds.sort(key=lambda r: (r[0], r[1], r[2].id))
    served: dict[str, bytes] = {}
    for when, _, spec, endpoint in rounds:
        body = feeds[endpoint.url].body_at(when)
        changed = served.get(endpoint.url) != body
        served[endpoint.url] = body
        if changed:
            headers = {"content-type": CONTENT_TYPES[spec.kind]}
            snapshot = parse_payload(spec.kind, body, headers)
            store.ingest(spec.id, snapshot, when, lists_only_current=endpoint.lists_only_current)
        store.record_fetch(
            spec.id,
            endpoint.url,
            when,
            "ok" if changed else "not_modified",
            http_status=200 if changed else 304,
            latency_ms=latency[spec.id],
            bytes=len(body) if changed else 0,
            etag=etag_of(body),
            next_due_at=when + timedelta(seconds=endpoint.interval),
        )


# --- probes -----------------------------------------------------------------------------------


def _latency(index: int) -> float:
    """Deterministic, gently wobbling latencies with the odd spike."""
    return 80.0 + (index * 37) % 60 + (240.0 if index % 17 == 5 else 0.0)


def _minutes(start: datetime, count: int) -> list[datetime]:
    return [start + timedelta(minutes=k) for k in range(count)]


def probe_runs() -> dict[str, list[tuple[datetime, bool]]]:
    """(time, ok) of every probe run, oldest first; ``dns-edge`` never ran."""
    last_two_hours = _minutes(NOW - timedelta(minutes=119), 120)
    eu = [(t, True) for t in _minutes(story.at(20, 9), 2)]
    eu += [(story.at(27, 8), True)]
    eu += [(t, False) for t in _minutes(story.at(27, 8, 2), 3)]
    eu += [(t, True) for t in _minutes(story.at(27, 8, 14), 2)]
    eu += [(t, t < NOW - timedelta(minutes=5)) for t in last_two_hours]
    us = [(t, True) for t in _minutes(story.at(26, 12), 2)]
    us += [(t, True) for t in last_two_hours]
    ssh = [(t, True) for t in _minutes(NOW - timedelta(hours=20), 2)]
    ssh += [(t, True) for t in _minutes(NOW - timedelta(minutes=29), 30)]
    return {"api-eu": eu, "api-us": us, "git-ssh": ssh}


def record_probes(store: Store, specs: Sequence[ProbeSpec]) -> None:
    by_id = {spec.id: spec for spec in specs}
    for probe_id, runs in probe_runs().items():
        spec = by_id[probe_id]
        state: ProbeState | None = None
        for index, (when, ok) in enumerate(runs):
            # What run_probe reports for the server's answers: the 503 comes back fast.
            result = (
                ProbeResult(True, _latency(index), None, when)
                if ok
                else ProbeResult(False, 12.0, "HTTP 503", when)
            )
            state, _ = advance(state, result, spec)
            store.record_probe_result(probe_id, result, state)
