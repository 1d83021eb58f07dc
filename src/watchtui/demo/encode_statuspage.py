"""The Statuspage encoder: a demo page at one step as ``summary.json`` and ``incidents.json``,
shaped like the real API (component groups, affected_components, reminder_intervals, …)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from watchtui.demo.clock import StoryClock
from watchtui.demo.story_pages import Page, PastIncident, Post, Story
from watchtui.demo.wire import JSON, Payload, iso_ms, json_bytes

_STATUSPAGE_INDICATOR = {
    "operational": 0,
    "under_maintenance": 0,
    "degraded_performance": 1,
    "partial_outage": 2,
    "major_outage": 2,
}
_IMPACT_LEVEL = {"none": 0, "minor": 1, "major": 2, "critical": 3}
_INDICATORS = (
    ("none", "All Systems Operational"),
    ("minor", "Minor Service Outage"),
    ("major", "Partial System Outage"),
    ("critical", "Major System Outage"),
)


def statuspage_payloads(clock: StoryClock, page: Page, step: int) -> tuple[Payload, Payload]:
    """``(summary.json, incidents.json)`` of ``page`` at ``step``."""
    return _PageEncoder(clock, page).payloads(step)


@dataclass(frozen=True, slots=True)
class _Applied:
    """A post placed on the page's timeline, with the transitions it caused."""

    story: Story
    post: Post
    at: datetime
    transitions: tuple[tuple[str, str, str], ...]


class _PageEncoder:
    def __init__(self, clock: StoryClock, page: Page) -> None:
        self.clock = clock
        self.page = page
        self._page_id = clock.token(page.source_id, "page")

    def payloads(self, step: int) -> tuple[Payload, Payload]:
        applied = [a for a in self._timeline() if a.post.step <= step]
        statuses = {key: "operational" for key, _ in self.page.components}
        changed: dict[str, datetime] = {}
        for item in applied:
            for key, _old, new in item.transitions:
                statuses[key] = new
                changed[key] = item.at
        page_obj = self._page_object(applied)
        stories = self._incidents(applied, statuses)
        open_incidents = [i for i in stories if i["status"] != "resolved"]
        summary = {
            "page": page_obj,
            "components": self._components(statuses, changed),
            "incidents": open_incidents,
            "scheduled_maintenances": self._maintenances(),
            "status": _page_status(statuses.values(), [str(i["impact"]) for i in open_incidents]),
        }
        past = [self._past_incident(p) for p in self.page.past]
        history = {"page": page_obj, "incidents": stories + past}
        return Payload(json_bytes(summary), JSON), Payload(json_bytes(history), JSON)

    def _timeline(self) -> list[_Applied]:
        posts = sorted(
            ((story, post) for story in self.page.stories for post in story.posts),
            key=lambda sp: sp[1].step,
        )
        statuses = {key: "operational" for key, _ in self.page.components}
        timeline: list[_Applied] = []
        for story, post in posts:
            transitions = tuple((key, statuses[key], new) for key, new in post.changes)
            for key, new in post.changes:
                statuses[key] = new
            at = self.clock.event(post.step, self.page.lag)
            timeline.append(_Applied(story, post, at, transitions))
        return timeline

    def _page_object(self, applied: list[_Applied]) -> dict[str, Any]:
        baseline = self.clock.start - timedelta(hours=3, minutes=17, seconds=42)
        updated = max([baseline, *(a.at for a in applied)])
        return {
            "id": self._page_id,
            "name": self.page.name,
            "url": f"https://{self.page.host}",
            "time_zone": "Etc/UTC",
            "updated_at": iso_ms(updated),
        }

    def _component_id(self, key: str) -> str:
        return self.clock.token(self.page.source_id, "component", key)

    def _group_of(self, key: str) -> tuple[str, str] | None:
        for group_key, name, children in self.page.groups:
            if key in children:
                return group_key, name
        return None

    def _component(
        self, key: str, name: str, status: str, updated: datetime | None
    ) -> dict[str, Any]:
        group = self._group_of(key)
        keys = [k for k, _ in self.page.components]
        created = self.clock.start - timedelta(days=731)
        return {
            "id": self._component_id(key),
            "name": name,
            "status": status,
            "created_at": iso_ms(created),
            "updated_at": iso_ms(updated or created + timedelta(days=30)),
            "position": keys.index(key) + 1 if key in keys else 0,
            "description": None,
            "showcase": group is None,
            "start_date": None,
            "group_id": self._component_id(group[0]) if group else None,
            "page_id": self._page_id,
            "group": False,
            "only_show_if_degraded": False,
        }

    def _components(
        self, statuses: dict[str, str], changed: dict[str, datetime]
    ) -> list[dict[str, Any]]:
        names = dict(self.page.components)
        rows: list[dict[str, Any]] = []
        grouped = {k for _, _, children in self.page.groups for k in children}
        for key, name in self.page.components:
            if key not in grouped:
                rows.append(self._component(key, name, statuses[key], changed.get(key)))
        for position, (group_key, group_name, children) in enumerate(self.page.groups, 1):
            child_rows = [
                self._component(k, names[k], statuses[k], changed.get(k)) for k in children
            ]
            worst = max((r["status"] for r in child_rows), key=_STATUSPAGE_INDICATOR.__getitem__)
            touched = [changed[k] for k in children if k in changed]
            group_row = self._component(group_key, group_name, worst, max(touched, default=None))
            group_row.update(
                position=100 + position,
                showcase=False,
                group_id=None,
                group=True,
                components=[self._component_id(k) for k in children],
            )
            rows.append(group_row)
            rows += child_rows
        return rows

    def _prefixed_name(self, key: str) -> str:
        """How affected_components spell a grouped component: "<group> - <name>"."""
        name = dict(self.page.components)[key]
        group = self._group_of(key)
        return f"{group[1]} - {name}" if group else name

    def _incidents(self, applied: list[_Applied], statuses: dict[str, str]) -> list[dict[str, Any]]:
        incidents = []
        for story in self.page.stories:
            mine = [a for a in applied if a.story is story]
            if mine:
                incidents.append(self._incident(story, mine, statuses))
        incidents.sort(key=lambda i: str(i["created_at"]), reverse=True)
        return incidents

    def _incident(
        self, story: Story, mine: list[_Applied], statuses: dict[str, str]
    ) -> dict[str, Any]:
        incident_id = self.clock.token(self.page.source_id, "incident", story.key)
        impact = next(a.post.impact for a in reversed(mine) if a.post.impact is not None)
        status = mine[-1].post.status
        touched = list(dict.fromkeys(k for a in mine for k, _ in a.post.changes))
        names = dict(self.page.components)
        monitoring = next((a.at for a in mine if a.post.status == "monitoring"), None)
        resolved = next((a.at for a in mine if a.post.status == "resolved"), None)
        return {
            "id": incident_id,
            "name": story.name,
            "status": status,
            "created_at": iso_ms(mine[0].at),
            "updated_at": iso_ms(mine[-1].at),
            "monitoring_at": iso_ms(monitoring) if monitoring else None,
            "resolved_at": iso_ms(resolved) if resolved else None,
            "impact": impact,
            "shortlink": f"https://{self.page.host}/incidents/{incident_id}",
            "started_at": iso_ms(mine[0].at),
            "page_id": self._page_id,
            "incident_updates": [
                self._update(incident_id, index, a) for index, a in reversed(list(enumerate(mine)))
            ],
            "components": [self._component(k, names[k], statuses[k], None) for k in touched],
            "reminder_intervals": None,
        }

    def _update(self, incident_id: str, index: int, applied: _Applied) -> dict[str, Any]:
        affected = [
            {
                "code": self._component_id(key),
                "name": self._prefixed_name(key),
                "old_status": old,
                "new_status": new,
            }
            for key, old, new in applied.transitions
        ]
        stamp = iso_ms(applied.at)
        return {
            "id": self.clock.token(incident_id, "update", str(index)),
            "status": applied.post.status,
            "body": applied.post.body,
            "incident_id": incident_id,
            "created_at": stamp,
            "updated_at": stamp,
            "display_at": stamp,
            "affected_components": affected or None,
            "deliver_notifications": True,
            "custom_tweet": None,
            "tweet_id": None,
        }

    def _past_incident(self, past: PastIncident) -> dict[str, Any]:
        incident_id = self.clock.token(self.page.source_id, "incident", past.key)
        began = self.clock.start - timedelta(days=past.days_ago)
        ended = began + timedelta(minutes=past.minutes)
        code = self._component_id(past.component)
        name = self._prefixed_name(past.component)
        updates = []
        for index, (status, body, at, old, new) in enumerate(
            (
                ("investigating", past.first, began, "operational", "degraded_performance"),
                ("resolved", past.last, ended, "degraded_performance", "operational"),
            )
        ):
            updates.append(
                {
                    "id": self.clock.token(incident_id, "update", str(index)),
                    "status": status,
                    "body": body,
                    "incident_id": incident_id,
                    "created_at": iso_ms(at),
                    "updated_at": iso_ms(at),
                    "display_at": iso_ms(at),
                    "affected_components": [
                        {"code": code, "name": name, "old_status": old, "new_status": new}
                    ],
                    "deliver_notifications": True,
                    "custom_tweet": None,
                    "tweet_id": None,
                }
            )
        component = self._component(
            past.component, dict(self.page.components)[past.component], "operational", None
        )
        return {
            "id": incident_id,
            "name": past.name,
            "status": "resolved",
            "created_at": iso_ms(began),
            "updated_at": iso_ms(ended),
            "monitoring_at": None,
            "resolved_at": iso_ms(ended),
            "impact": past.impact,
            "shortlink": f"https://{self.page.host}/incidents/{incident_id}",
            "started_at": iso_ms(began),
            "page_id": self._page_id,
            "incident_updates": list(reversed(updates)),
            "components": [component],
            "reminder_intervals": None,
        }

    def _maintenances(self) -> list[dict[str, Any]]:
        plan = self.page.maintenance
        if plan is None:
            return []
        maintenance_id = self.clock.token(self.page.source_id, "maintenance", plan.key)
        day = (self.clock.start + timedelta(days=plan.days_ahead)).date()
        begins = datetime(day.year, day.month, day.day, 2, tzinfo=UTC)
        created = self.clock.start - timedelta(days=5, hours=2, minutes=11)
        stamp = iso_ms(created)
        name = dict(self.page.components)[plan.component]
        return [
            {
                "id": maintenance_id,
                "name": plan.name,
                "status": "scheduled",
                "created_at": stamp,
                "updated_at": stamp,
                "monitoring_at": None,
                "resolved_at": None,
                "impact": "maintenance",
                "shortlink": f"https://{self.page.host}/incidents/{maintenance_id}",
                "started_at": stamp,
                "page_id": self._page_id,
                "incident_updates": [
                    {
                        "id": self.clock.token(maintenance_id, "update", "0"),
                        "status": "scheduled",
                        "body": plan.body,
                        "incident_id": maintenance_id,
                        "created_at": stamp,
                        "updated_at": stamp,
                        "display_at": stamp,
                        "affected_components": [
                            {
                                "code": self._component_id(plan.component),
                                "name": self._prefixed_name(plan.component),
                                "old_status": "operational",
                                "new_status": "operational",
                            }
                        ],
                        "deliver_notifications": True,
                        "custom_tweet": None,
                        "tweet_id": None,
                    }
                ],
                "components": [self._component(plan.component, name, "operational", None)],
                "scheduled_for": iso_ms(begins),
                "scheduled_until": iso_ms(begins + timedelta(hours=plan.hours)),
            }
        ]


def _page_status(statuses: Iterable[str], impacts: list[str]) -> dict[str, str]:
    level = max(
        [
            0,
            *(_STATUSPAGE_INDICATOR.get(s, 0) for s in statuses),
            *(_IMPACT_LEVEL[i] for i in impacts),
        ]
    )
    indicator, description = _INDICATORS[level]
    return {"indicator": indicator, "description": description}
