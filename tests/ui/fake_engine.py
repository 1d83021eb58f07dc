"""An in-memory WatchEngine for UI tests: fixture data, no store, no network, frozen time."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

from watchtui.engine import WatchKind
from watchtui.events import ChangeEvent
from watchtui.model import Component, Incident, IncidentUpdate
from watchtui.view import (
    ComponentView,
    IncidentView,
    Overview,
    SourceView,
    StreamItem,
    resolve_region,
)

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


class FakeEngine:
    """Implements watchtui.engine.WatchEngine over fixture data.  Tests mutate ``overview``."""

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
