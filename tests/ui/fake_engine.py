"""An in-memory WatchEngine for UI tests: fixture data, no store, no network, frozen time."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

from watchtui.domain.events import ChangeEvent
from watchtui.domain.model import Component, Incident, IncidentUpdate
from watchtui.engine.core import ProbeHistory, WatchKind
from watchtui.engine.overview import (
    ComponentView,
    DisagreementView,
    HintView,
    IncidentView,
    Overview,
    ProbeView,
    SourceView,
    StreamItem,
    resolve_region,
)
from watchtui.store import ProbePeriod, ProbeResult

NOW = datetime(2026, 7, 29, 12, 0, tzinfo=UTC)


def _update(uid: str, minutes_ago: int, status: str, text: str) -> IncidentUpdate:
    return IncidentUpdate(id=uid, at=NOW - timedelta(minutes=minutes_ago), status=status, text=text)


def _incident(
    iid: str,
    title: str,
    impact: str,
    started_ago: int,
    updates: list[IncidentUpdate],
    *,
    components: tuple[str, ...] = (),
    regions: tuple[str, ...] = (),
    resolved_ago: int | None = None,
) -> Incident:
    return Incident.model_validate(
        {
            "id": iid,
            "title": title,
            "status": updates[0].status,
            "impact": impact,
            "started_at": NOW - timedelta(minutes=started_ago),
            "updated_at": updates[0].at,
            "resolved_at": None if resolved_ago is None else NOW - timedelta(minutes=resolved_ago),
            "url": f"https://status.example.com/incidents/{iid}",
            "components": components,
            "regions": regions,
            "updates": tuple(updates),
        }
    )


SOURCES = (
    ("demo-aws", "Demo AWS", "aws"),
    ("demo-gcp", "Demo GCP", "gcp"),
    ("demo-git", "Demo Git", "statuspage"),
    ("demo-edge", "Demo Edge", "statuspage"),
    ("demo-blog", "Demo Blog", "rss"),
)


def sample_overview() -> tuple[Overview, list[IncidentView]]:
    """A regional outage in us-west plus healthy and failing sources; returns (overview, all)."""
    aws = _incident(
        "arn:aws:health:us-west-2::event/EC2/1",
        "Increased error rates in US-WEST-2",
        "critical",
        50,
        [
            _update("a3", 5, "update", "We continue to work on recovery of EC2 instances."),
            _update("a2", 30, "update", "We have identified a power event in one zone."),
            _update("a1", 50, "update", "We are investigating increased error rates."),
        ],
        components=("Amazon EC2", "AWS Lambda"),
        regions=("us-west-2",),
    )
    gcp = _incident(
        "gcp-1",
        "Compute Engine unavailable in us-west1 [bold]literally[/bold]",
        "major",
        40,
        [
            _update("g2", 10, "identified", "Mitigation in progress.\nMore detail here."),
            _update("g1", 40, "investigating", "We are investigating."),
        ],
        components=("Google Compute Engine",),
        regions=("us-west1",),
    )
    git = _incident(
        "git-1",
        "Degraded performance for Actions",
        "minor",
        25,
        [_update("h1", 25, "investigating", "Actions runs are delayed.")],
        components=("Actions",),
    )
    old = _incident(
        "git-0",
        "Webhooks delayed",
        "minor",
        60 * 30,
        [
            _update("o2", 60 * 29, "resolved", "This incident has been resolved."),
            _update("o1", 60 * 30, "investigating", "Webhook deliveries are delayed."),
        ],
        components=("Webhooks",),
        resolved_ago=60 * 29,
    )
    by_source = {"demo-aws": "Demo AWS", "demo-gcp": "Demo GCP", "demo-git": "Demo Git"}
    kinds = {s[0]: s[2] for s in SOURCES}
    views = [
        IncidentView(
            source_id=sid,
            provider=by_source[sid],
            incident=inc,
            regions=tuple(resolve_region(kinds[sid], r) for r in inc.regions),
        )
        for sid, inc in (("demo-aws", aws), ("demo-gcp", gcp), ("demo-git", git), ("demo-git", old))
    ]
    components = [
        (
            "demo-aws",
            Component(id="ec2", name="Amazon EC2", status="major_outage", regions=("us-west-2",)),
        ),
        (
            "demo-aws",
            Component(id="s3", name="Amazon S3", status="operational", regions=("us-east-1",)),
        ),
        (
            "demo-gcp",
            Component(
                id="gce",
                name="Google Compute Engine",
                status="partial_outage",
                regions=("us-west1",),
            ),
        ),
        ("demo-git", Component(id="actions", name="Actions", group=None, status="degraded")),
        ("demo-git", Component(id="api", name="API Requests", status="operational")),
        (
            "demo-edge",
            Component(
                id="fra",
                name="Frankfurt, Germany - (FRA)",
                group="Europe",
                status="operational",
                regions=("FRA",),
            ),
        ),
        (
            "demo-edge",
            Component(
                id="sjc",
                name="San Jose, CA, United States - (SJC)",
                group="North America",
                status="maintenance",
                regions=("SJC",),
            ),
        ),
    ]
    component_views = tuple(
        ComponentView(
            source_id=sid,
            provider=dict((s[0], s[1]) for s in SOURCES)[sid],
            id=c.id,
            name=c.name,
            group=c.group,
            status=c.status,
            regions=tuple(resolve_region(kinds[sid], r) for r in c.regions),
            updated_at=NOW - timedelta(minutes=2),
        )
        for sid, c in components
    )
    sources = (
        SourceView(
            "demo-aws",
            "Demo AWS",
            "aws",
            "http://127.0.0.1/aws",
            60,
            "fresh",
            last_success_at=NOW - timedelta(seconds=40),
            latency_ms=120.0,
            not_modified_share=0.9,
        ),
        SourceView(
            "demo-gcp",
            "Demo GCP",
            "gcp",
            "http://127.0.0.1/gcp",
            120,
            "fresh",
            last_success_at=NOW - timedelta(seconds=70),
            latency_ms=340.0,
            not_modified_share=0.97,
        ),
        SourceView(
            "demo-git",
            "Demo Git",
            "statuspage",
            "http://127.0.0.1/git",
            60,
            "fresh",
            last_success_at=NOW - timedelta(seconds=20),
            latency_ms=80.0,
            not_modified_share=0.99,
        ),
        SourceView(
            "demo-edge",
            "Demo Edge",
            "statuspage",
            "http://127.0.0.1/edge",
            60,
            "stale",
            last_success_at=NOW - timedelta(minutes=9),
            latency_ms=95.0,
            not_modified_share=0.5,
        ),
        SourceView(
            "demo-blog",
            "Demo Blog",
            "rss",
            "http://127.0.0.1/blog",
            60,
            "failing",
            last_success_at=NOW - timedelta(hours=3),
            last_error="HTTP 503",
        ),
    )
    stream = tuple(
        StreamItem(
            source_id=v.source_id,
            provider=v.provider,
            incident_id=v.incident.id,
            incident_title=v.incident.title,
            impact=v.incident.impact,
            is_open=v.incident.is_open,
            update=u,
            regions=v.regions,
        )
        for v in views
        for u in v.incident.updates
    )
    overview = Overview(
        generated_at=NOW,
        sources=sources,
        components=component_views,
        open_incidents=tuple(v for v in views if v.incident.is_open),
        stream=stream,
    )
    return overview, views


def sample_history() -> list[IncidentView]:
    """Resolved incidents over the past weeks, for the history screen and its sparklines.

    Not part of ``all_incidents`` (the main screen's fixtures stay as they are): tests opt in with
    ``engine.history_extra = sample_history()``.  Days ago, per provider: AWS 2, 9, 9; GCP 4, 40;
    Git 3 (maintenance, not counted in sparklines), 12 (resolution inferred).
    """
    day = 60 * 24

    def past(
        sid: str,
        iid: str,
        title: str,
        impact: str,
        days_ago: int,
        hours: int,
        *,
        maintenance: bool = False,
        inferred: bool = False,
    ) -> IncidentView:
        start = days_ago * day + 60
        incident = _incident(
            iid,
            title,
            impact,
            start,
            [
                _update(f"{iid}-r", start - hours * 60, "resolved", "Resolved."),
                _update(f"{iid}-i", start, "investigating", "Investigating."),
            ],
            resolved_ago=start - hours * 60,
        )
        return IncidentView(
            source_id=sid,
            provider=dict((s[0], s[1]) for s in SOURCES)[sid],
            incident=incident,
            is_maintenance=maintenance,
            resolution_inferred=inferred,
        )

    return [
        past("demo-aws", "aws-h1", "Elevated S3 latency in eu-west-1", "minor", 2, 3),
        past("demo-aws", "aws-h2", "EC2 API errors", "major", 9, 1),
        past("demo-aws", "aws-h3", "Lambda cold start delays", "minor", 9, 5),
        past("demo-gcp", "gcp-h1", "Cloud SQL connectivity [red]issue[/red]", "major", 4, 2),
        past("demo-gcp", "gcp-h2", "BigQuery slow queries", "minor", 40, 26),
        past(
            "demo-git",
            "git-h1",
            "Scheduled database upgrade",
            "maintenance",
            3,
            2,
            maintenance=True,
        ),
        past("demo-git", "git-h2", "Pages builds failing", "major", 12, 4, inferred=True),
    ]


# --- the user's own signals (opt in: ``engine.add_signals()``) ----------------------------------

AWS_KEY = "demo-aws\x1farn:aws:health:us-west-2::event/EC2/1"
GCP_KEY = "demo-gcp\x1fgcp-1"


def _latency(index: int) -> float:
    """Deterministic, gently wobbling latencies with the odd spike."""
    return 80.0 + (index * 37) % 60 + (240.0 if index % 17 == 5 else 0.0)


def _results(count: int, failing: int, *, error: str) -> tuple[ProbeResult, ...]:
    """``count`` runs a minute apart ending at NOW, the last ``failing`` of them failed."""
    out = []
    for index in range(count):
        at = NOW - timedelta(minutes=count - 1 - index)
        failed = index >= count - failing
        out.append(
            ProbeResult(
                ok=not failed,
                latency_ms=None if failed else _latency(index),
                error=error if failed else None,
                at=at,
            )
        )
    return tuple(out)


def sample_signals() -> tuple[
    tuple[ProbeView, ...],
    tuple[DisagreementView, ...],
    tuple[HintView, ...],
    dict[str, ProbeHistory],
]:
    """Four probes (down, up, up, never run), a disagreement each way, one hint; 7-day histories.

    * api-eu: https to Frankfurt behind Demo Edge, DOWN since 11:54 (6 runs timed out) while
      Demo Edge reports FRA operational: ``probe_down_provider_ok``.  Down once before, on
      Jul 27 08:02-08:14.
    * api-us: behind Demo AWS in us-west-2, up for 3 days while AWS reports a critical outage
      there: ``provider_outage_probe_up``.
    * git-ssh: tcp to Demo Git, no region, up.  dns-edge: no provider, never run (unknown).
    * hint: Demo AWS and Demo GCP both in trouble in us-west since 11:10.
    """
    edge_fra = resolve_region("statuspage", "FRA")
    aws_usw2 = resolve_region("aws", "us-west-2")
    eu_results = _results(120, 6, error="timeout after 5.0s")
    us_results = _results(120, 0, error="")
    git_results = _results(30, 0, error="")
    probes = (
        ProbeView(
            id="api-eu",
            label="api-eu (FRA)",
            type="http",
            target="https://api.example.eu/health",
            state="down",
            since=NOW - timedelta(minutes=6),
            provider="demo-edge",
            provider_name="Demo Edge",
            region=edge_fra,
            last_error="timeout after 5.0s",
            latency_ms=None,
            latencies=tuple(r.latency_ms for r in eu_results[-30:]),
        ),
        ProbeView(
            id="api-us",
            label="api-us (us-west-2)",
            type="http",
            target="https://api.example.com/health",
            state="up",
            since=NOW - timedelta(days=3),
            provider="demo-aws",
            provider_name="Demo AWS",
            region=aws_usw2,
            latency_ms=us_results[-1].latency_ms,
            latencies=tuple(r.latency_ms for r in us_results[-30:]),
        ),
        ProbeView(
            id="git-ssh",
            label="git-ssh",
            type="tcp",
            target="git.example.com:22",
            state="up",
            since=NOW - timedelta(hours=20),
            provider="demo-git",
            provider_name="Demo Git",
            service="Git Operations",
            latency_ms=git_results[-1].latency_ms,
            latencies=tuple(r.latency_ms for r in git_results),
        ),
        ProbeView(
            id="dns-edge",
            label="dns-edge",
            type="dns",
            target="edge.example.net",
            state="unknown",
            since=None,
        ),
    )
    disagreements = (
        DisagreementView(
            key="api-eu\x1fprobe_down_provider_ok",
            probe_id="api-eu",
            provider="demo-edge",
            kind="probe_down_provider_ok",
            since=NOW - timedelta(minutes=6),
            message=(
                "Your probe api-eu (FRA) failing for 6 min; "
                "Demo Edge reports Frankfurt, Germany operational"
            ),
            region=edge_fra,
        ),
        DisagreementView(
            key="api-us\x1fprovider_outage_probe_up",
            probe_id="api-us",
            provider="demo-aws",
            kind="provider_outage_probe_up",
            since=NOW - timedelta(minutes=50),
            message="Demo AWS reports an outage in Oregon but your probe api-us is up",
            region=aws_usw2,
        ),
    )
    hints = (
        HintView(
            key="us-west@2026-07-29T11:10:00+00:00",
            geography="us-west",
            text=(
                "2 providers reporting problems in us-west (US West) since 11:10 UTC: "
                "Demo AWS, Demo GCP. Possible common cause, not confirmed."
            ),
            started_at=NOW - timedelta(minutes=50),
            providers=("Demo AWS", "Demo GCP"),
            incident_keys=(AWS_KEY, GCP_KEY),
        ),
    )
    day = timedelta(days=1)
    eu_down_before = datetime(2026, 7, 27, 8, 2, tzinfo=UTC)
    histories = {
        "api-eu": ProbeHistory(
            "api-eu",
            NOW - 7 * day,
            eu_results,
            (
                ProbePeriod("api-eu", "up", NOW - 9 * day, eu_down_before),
                ProbePeriod(
                    "api-eu", "down", eu_down_before, eu_down_before + timedelta(minutes=12)
                ),
                ProbePeriod(
                    "api-eu",
                    "up",
                    eu_down_before + timedelta(minutes=12),
                    NOW - timedelta(minutes=6),
                ),
                ProbePeriod("api-eu", "down", NOW - timedelta(minutes=6), None),
            ),
        ),
        "api-us": ProbeHistory(
            "api-us",
            NOW - 7 * day,
            us_results,
            (ProbePeriod("api-us", "up", NOW - 3 * day, None),),
        ),
        "git-ssh": ProbeHistory(
            "git-ssh",
            NOW - 7 * day,
            git_results,
            (ProbePeriod("git-ssh", "up", NOW - 20 * timedelta(hours=1), None),),
        ),
    }
    return probes, disagreements, hints, histories


class FakeEngine:
    """Implements watchtui.engine.core.WatchEngine over fixture data.  Tests mutate ``overview``."""

    def __init__(self) -> None:
        self.overview_value, self.all_incidents = sample_overview()
        self.polls = 0
        self.watched: set[tuple[str, str]] = set()
        self.disabled: set[str] = set()
        self.added: list[str] = []
        self.changed_externally = False
        # Opt-in extras (see sample_history) and a record of poll calls, for screen tests.
        self.history_extra: list[IncidentView] = []
        self.poll_calls: list[tuple[bool, str | None]] = []
        # Probe histories by id (see add_signals) and a record of what was asked.
        self.probe_histories: dict[str, ProbeHistory] = {}
        self.history_calls: list[str] = []

    def add_signals(self) -> FakeEngine:
        """Opt in to the probes, disagreements and hint of ``sample_signals``."""
        probes, disagreements, hints, histories = sample_signals()
        self.overview_value = dataclasses.replace(
            self.overview_value, probes=probes, disagreements=disagreements, hints=hints
        )
        self.probe_histories = histories
        return self

    # reads
    def overview(self) -> Overview:
        return dataclasses.replace(
            self.overview_value, watched=frozenset(v for _, v in self.watched)
        )

    def incident(self, source_id: str, incident_id: str) -> IncidentView | None:
        for view in [*self.all_incidents, *self.history_extra]:
            if view.source_id == source_id and view.incident.id == incident_id:
                return view
        return None

    def incidents_for(
        self,
        *,
        source_id: str | None = None,
        component: str | None = None,
        geography: str | None = None,
        limit: int = 200,
    ) -> list[IncidentView]:
        out = [
            v
            for v in [*self.all_incidents, *self.history_extra]
            if (source_id is None or v.source_id == source_id)
            and (component is None or component in v.incident.components)
            and (geography is None or any(r.geography == geography for r in v.regions))
        ]
        return out[:limit]

    def history(
        self,
        since: datetime,
        until: datetime | None = None,
        *,
        source_id: str | None = None,
        text: str | None = None,
    ) -> list[IncidentView]:
        return [
            v
            for v in [*self.all_incidents, *self.history_extra]
            if v.incident.started_at >= since
            and (until is None or v.incident.started_at <= until)
            and (source_id is None or v.source_id == source_id)
            and (text is None or text.lower() in v.incident.title.lower())
        ]

    def daily_counts(self, since: datetime, until: datetime) -> dict[str, list[int]]:
        # Same day arithmetic as the real engine: UTC dates from since's to until's, inclusive.
        days = max(1, (until.date() - since.date()).days + 1)
        counts: dict[str, list[int]] = {}
        for view in [*self.all_incidents, *self.history_extra]:
            started = view.incident.started_at
            index = (started.date() - since.date()).days
            if since <= started <= until and 0 <= index < days and not view.is_maintenance:
                counts.setdefault(view.provider, [0] * days)[index] += 1
        return counts

    def sources(self) -> list[SourceView]:
        listed = [
            dataclasses.replace(s, enabled=False, health="disabled") if s.id in self.disabled else s
            for s in self.overview_value.sources
        ]
        known = {s.id for s in listed}
        listed += [
            SourceView(pid, pid, "statuspage", "https://x", 60, "never")
            for pid in self.added
            if pid not in known
        ]
        return listed

    def probe_history(self, probe_id: str, since: datetime, *, limit: int = 240) -> ProbeHistory:
        self.history_calls.append(probe_id)
        known = self.probe_histories.get(probe_id)
        if known is None:
            return ProbeHistory(probe_id, since)
        return dataclasses.replace(known, since=since, results=known.results[-limit:])

    def external_change(self) -> bool:
        changed, self.changed_externally = self.changed_externally, False
        return changed

    # actions
    async def poll(self, *, force: bool = False, source_id: str | None = None) -> list[ChangeEvent]:
        self.polls += 1
        self.poll_calls.append((force, source_id))
        return []

    def set_source_enabled(self, source_id: str, enabled: bool) -> None:
        if enabled:
            self.disabled.discard(source_id)
        else:
            self.disabled.add(source_id)

    def add_catalog_source(self, provider_id: str) -> SourceView:
        self.added.append(provider_id)
        return SourceView(provider_id, provider_id, "statuspage", "https://x", 60, "never")

    def toggle_watch(self, kind: WatchKind, value: str) -> bool:
        key = (kind, value)
        if key in self.watched:
            self.watched.discard(key)
            return False
        self.watched.add(key)
        return True
