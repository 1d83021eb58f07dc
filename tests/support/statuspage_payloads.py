"""Small Statuspage payloads and a settable clock, shared by the poller, engine and CLI tests."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

T0 = datetime(2026, 7, 29, 12, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def incident(
    iid: str, *, resolved_at: str | None = None, status: str = "investigating"
) -> dict[str, Any]:
    return {
        "id": iid,
        "name": f"Incident {iid}",
        "status": status,
        "impact": "major",
        "created_at": "2026-07-29T11:00:00Z",
        "updated_at": "2026-07-29T11:30:00Z",
        "started_at": "2026-07-29T11:00:00Z",
        "resolved_at": resolved_at,
        "shortlink": f"https://stspg.io/{iid}",
        "components": [],
        "incident_updates": [
            {
                "id": f"{iid}-u1",
                "status": status,
                "body": "Looking into it.",
                "created_at": "2026-07-29T11:00:00Z",
                "display_at": "2026-07-29T11:00:00Z",
                "updated_at": "2026-07-29T11:00:00Z",
                "affected_components": None,
            }
        ],
    }


def summary(
    *incidents: dict[str, Any], api_status: str = "operational", indicator: str = "none"
) -> bytes:
    return json.dumps(
        {
            "page": {
                "id": "abcdefghijkl",
                "name": "Test",
                "url": "https://status.test",
                "updated_at": "2026-07-29T11:30:00Z",
            },
            "status": {"indicator": indicator, "description": "As the page says"},
            "components": [
                {
                    "id": "api",
                    "name": "API",
                    "status": api_status,
                    "group": False,
                    "group_id": None,
                    "only_show_if_degraded": False,
                }
            ],
            "incidents": list(incidents),
            "scheduled_maintenances": [],
        }
    ).encode()


def history(*incidents: dict[str, Any]) -> bytes:
    return json.dumps(
        {"page": {"id": "abcdefghijkl", "name": "Test"}, "incidents": list(incidents)}
    ).encode()
