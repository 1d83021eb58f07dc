"""Sequences of what sources say, generated: a Hypothesis state machine edits a Statuspage page
(full component listing, current-only incidents) and a Google Cloud feed (components derived
from open incidents), serves them on loopback, polls with the real engine, and after every step
checks the engine, ``status --json`` and ``history --json`` against the test's own model of what
the pages said.  At the end of each sequence the real app reads the same on its board.

The model knows only the pages' wire vocabulary and the README's rules (what is open, what a
vanished component means, blindness is unknown): it never calls the product's judgement code.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from tests.support.screen import impact_word, read_board
from tests.support.world import Source, World

T0 = datetime(2026, 7, 29, 12, 0, tzinfo=UTC)
ORDER = ("none", "maintenance", "unknown", "minor", "major", "critical")
# Statuspage's wire words for component statuses, and where each sits on the impact scale.
SP_STATUS = {
    "operational": "none",
    "degraded_performance": "minor",
    "partial_outage": "major",
    "major_outage": "critical",
    "under_maintenance": "maintenance",
}
SP_IMPACTS = ("minor", "major", "critical")
# Google's severities, with the status_impact Google pairs each with in every real capture.
GCP_SEVERITY = {"low": "minor", "medium": "major", "high": "critical"}
GCP_STATUS_IMPACT = {
    "low": "SERVICE_INFORMATION",
    "medium": "SERVICE_DISRUPTION",
    "high": "SERVICE_OUTAGE",
}
EXIT_FOR = {"none": 0, "maintenance": 0, "unknown": 3, "minor": 1, "major": 2, "critical": 2}

COMPONENT_IDS = st.sampled_from(["c1", "c2", "c3", "c4"])
INCIDENT_IDS = st.sampled_from(["i1", "i2", "i3"])
PRODUCTS = st.sampled_from(["Compute", "Storage", "SQL"])


def worst(impacts: list[str]) -> str:
    return max(impacts, key=ORDER.index, default="none")


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


@dataclass
class SpIncident:
    impact: str
    started: datetime
    updates: list[datetime] = field(default_factory=list)


@dataclass
class GcpIncident:
    severity: str
    products: tuple[str, ...]
    started: datetime
    ended: datetime | None = None


@dataclass
class Known:
    """What watchtui last read from a source (kept while the source is unreadable)."""

    open_ids: set[str] = field(default_factory=set)
    resolved_ids: set[str] = field(default_factory=set)
    components: dict[str, str] = field(default_factory=dict)  # id -> impact-scale word
    impact: str = "none"


class Pages(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.directory = Path(tempfile.mkdtemp(prefix="watchtui-agreement-"))
        self.world = World(
            self.directory,
            T0,
            [
                Source("sp", "statuspage", "/sp/api/v2/summary.json"),
                Source("gcp", "gcp", "/gcp/incidents.json"),
            ],
        )
        self.sp_components: dict[str, str] = {"c1": "operational"}
        self.sp_incidents: dict[str, SpIncident] = {}
        self.sp_duplicate: str | None = None
        self.sp_failing = False
        self.gcp_incidents: dict[str, GcpIncident] = {}
        self.gcp_failing = False
        self.known = {"sp": Known(), "gcp": Known()}
        self.steps = 0
        self._serve_and_poll()

    # --- the pages' wire formats --------------------------------------------------------------

    def _sp_summary(self) -> bytes:
        incidents = [self._sp_incident(iid, inc) for iid, inc in self.sp_incidents.items()]
        if self.sp_duplicate is not None and self.sp_duplicate in self.sp_incidents:
            # The same id listed twice, the second copy resolved: the open one must win.
            copy = self._sp_incident(self.sp_duplicate, self.sp_incidents[self.sp_duplicate])
            copy.update(status="resolved", resolved_at=iso(self.world.clock.now))
            incidents.append(copy)
        return json.dumps(
            {
                "page": {"id": "sp", "name": "SP", "url": "https://status.sp.example"},
                "status": {"indicator": "none", "description": "All Systems Operational"},
                "components": [
                    {"id": cid, "name": cid.upper(), "status": status, "group": False}
                    for cid, status in self.sp_components.items()
                ],
                "incidents": incidents,
                "scheduled_maintenances": [],
            }
        ).encode()

    @staticmethod
    def _sp_incident(iid: str, inc: SpIncident) -> dict[str, Any]:
        newest = max(inc.updates, default=inc.started)
        return {
            "id": iid,
            "name": f"Trouble {iid}",
            "status": "investigating",
            "impact": inc.impact,
            "created_at": iso(inc.started),
            "started_at": iso(inc.started),
            "updated_at": iso(newest),
            "resolved_at": None,
            "shortlink": f"https://stspg.io/{iid}",
            "components": [],
            "incident_updates": [
                {
                    "id": f"{iid}-u{n}",
                    "status": "investigating",
                    "body": f"Update {n} on {iid}.",
                    "created_at": iso(at),
                    "display_at": iso(at),
                    "updated_at": iso(at),
                }
                for n, at in reversed(list(enumerate(inc.updates)))
            ],
        }

    def _gcp_feed(self) -> bytes:
        rows = []
        for iid, inc in self.gcp_incidents.items():
            row: dict[str, Any] = {
                "id": iid,
                "number": iid,
                "begin": iso(inc.started),
                "created": iso(inc.started),
                "modified": iso(inc.ended or inc.started),
                "external_desc": f"Outage {iid}",
                "updates": [
                    {
                        "created": iso(inc.started),
                        "modified": iso(inc.started),
                        "when": iso(inc.started),
                        "text": f"Investigating {iid}.",
                        "status": GCP_STATUS_IMPACT[inc.severity],
                    }
                ],
                "status_impact": GCP_STATUS_IMPACT[inc.severity],
                "severity": inc.severity,
                "service_name": inc.products[0],
                "affected_products": [{"title": p, "id": p.lower()} for p in inc.products],
                "uri": f"incidents/{iid}",
            }
            if inc.ended is not None:
                row["end"] = iso(inc.ended)
            rows.append(row)
        return json.dumps(rows).encode()

    # --- one step: serve, poll, record what should now be known -------------------------------

    def _serve_and_poll(self) -> None:
        w = self.world
        if self.sp_failing:
            w.fail("sp", 404)
        else:
            w.serve("sp", self._sp_summary())
        if self.gcp_failing:
            w.fail("gcp", 404)
        else:
            w.serve("gcp", self._gcp_feed())
        w.poll(seconds_later=61)
        self.steps += 1
        if not self.sp_failing:
            sp = self.known["sp"]
            listed = set(self.sp_incidents)
            sp.resolved_ids |= sp.open_ids - listed
            sp.resolved_ids -= listed
            sp.open_ids = listed
            sp.components = {cid: SP_STATUS[s] for cid, s in self.sp_components.items()}
            sp.impact = worst(
                [i.impact for i in self.sp_incidents.values()] + list(sp.components.values())
            )
        if not self.gcp_failing:
            gcp = self.known["gcp"]
            gcp.open_ids = {i for i, inc in self.gcp_incidents.items() if inc.ended is None}
            gcp.resolved_ids = set(self.gcp_incidents) - gcp.open_ids
            products = {p for inc in self.gcp_incidents.values() for p in inc.products}
            gcp.components = {p: "none" for p in products if p in gcp.components or self._named(p)}
            for inc in self.gcp_incidents.values():
                if inc.ended is None:
                    for p in inc.products:
                        gcp.components[p] = worst([gcp.components[p], GCP_SEVERITY[inc.severity]])
            gcp.impact = worst(
                [
                    GCP_SEVERITY[inc.severity]
                    for inc in self.gcp_incidents.values()
                    if inc.ended is None
                ]
                + list(gcp.components.values())
            )

    def _named(self, product: str) -> bool:
        return any(product in inc.products for inc in self.gcp_incidents.values() if not inc.ended)

    # --- rules: what pages do -----------------------------------------------------------------

    @rule(cid=COMPONENT_IDS, status=st.sampled_from(sorted(SP_STATUS)))
    def sp_component_changes(self, cid: str, status: str) -> None:
        self.sp_components[cid] = status
        self._serve_and_poll()

    @rule(cid=COMPONENT_IDS)
    def sp_component_leaves_the_page(self, cid: str) -> None:
        self.sp_components.pop(cid, None)
        self._serve_and_poll()

    @rule(iid=INCIDENT_IDS, impact=st.sampled_from(SP_IMPACTS), updates=st.integers(0, 2))
    def sp_incident_opens(self, iid: str, impact: str, updates: int) -> None:
        now = self.world.clock.now
        self.sp_incidents[iid] = SpIncident(
            impact, now, [now + timedelta(seconds=n) for n in range(updates)]
        )
        self._serve_and_poll()

    @precondition(lambda self: bool(self.sp_incidents))
    @rule(data=st.data())
    def sp_incident_updated(self, data: st.DataObject) -> None:
        iid = data.draw(st.sampled_from(sorted(self.sp_incidents)))
        self.sp_incidents[iid].updates.append(self.world.clock.now)
        self._serve_and_poll()

    @precondition(lambda self: bool(self.sp_incidents))
    @rule(data=st.data())
    def sp_incident_resolves(self, data: st.DataObject) -> None:
        # summary.json lists only unresolved incidents: a resolved one simply leaves it.
        iid = data.draw(st.sampled_from(sorted(self.sp_incidents)))
        del self.sp_incidents[iid]
        self._serve_and_poll()

    @precondition(lambda self: bool(self.sp_incidents))
    @rule(data=st.data())
    def sp_lists_a_resolved_duplicate(self, data: st.DataObject) -> None:
        self.sp_duplicate = data.draw(st.sampled_from(sorted(self.sp_incidents)))
        self._serve_and_poll()

    @rule(failing=st.booleans())
    def sp_answers_404_or_recovers(self, failing: bool) -> None:
        self.sp_failing = failing
        self._serve_and_poll()

    @rule(
        iid=INCIDENT_IDS,
        severity=st.sampled_from(sorted(GCP_SEVERITY)),
        products=st.lists(PRODUCTS, min_size=1, max_size=2, unique=True),
    )
    def gcp_incident_opens(self, iid: str, severity: str, products: list[str]) -> None:
        if iid in self.gcp_incidents:
            return  # Google never reuses an incident id
        self.gcp_incidents[iid] = GcpIncident(severity, tuple(products), self.world.clock.now)
        self._serve_and_poll()

    @precondition(lambda self: any(i.ended is None for i in self.gcp_incidents.values()))
    @rule(data=st.data())
    def gcp_incident_ends(self, data: st.DataObject) -> None:
        open_ids = sorted(i for i, inc in self.gcp_incidents.items() if inc.ended is None)
        iid = data.draw(st.sampled_from(open_ids))
        self.gcp_incidents[iid].ended = self.world.clock.now
        self._serve_and_poll()

    @rule(failing=st.booleans())
    def gcp_answers_404_or_recovers(self, failing: bool) -> None:
        self.gcp_failing = failing
        self._serve_and_poll()

    # --- what the product must say after every step -------------------------------------------

    def _expected_impact(self, source_id: str) -> str:
        failing = self.sp_failing if source_id == "sp" else self.gcp_failing
        return "unknown" if failing else self.known[source_id].impact

    @invariant()
    def engine_and_status_agree_with_the_pages(self) -> None:
        overview = self.world.overview()
        status = self.world.status()
        rows = {row["id"]: row for row in status.document["sources"]}
        for source_id, known in self.known.items():
            source = next(s for s in overview.sources if s.id == source_id)
            expected = self._expected_impact(source_id)
            assert source.impact == expected, (source_id, source.health)
            assert rows[source_id]["impact"] == expected
            on_board = {v.incident.id for v in overview.open_incidents if v.source_id == source_id}
            assert on_board == known.open_ids, source_id
            assert {i["id"] for i in rows[source_id]["incidents"]} == known.open_ids
            streamed = {i.incident_id for i in overview.stream if i.source_id == source_id}
            assert streamed >= known.open_ids
            current = {
                c.id if source_id == "sp" else c.name: c.status
                for c in overview.components
                if c.source_id == source_id
            }
            assert set(current) == set(known.components), source_id
        expected_exit = max(
            (
                EXIT_FOR[self._expected_impact(s)]
                for s in self.known
                if EXIT_FOR[self._expected_impact(s)] != 3
            ),
            default=0,
        )
        if expected_exit == 0 and any(self._expected_impact(s) == "unknown" for s in self.known):
            expected_exit = 3
        assert status.code == expected_exit

    def teardown(self) -> None:
        try:
            if self.steps > 1:
                self._history_agrees()
                asyncio.run(self._board_agrees())
        finally:
            self.world.close()
            shutil.rmtree(self.directory, ignore_errors=True)

    def _history_agrees(self) -> None:
        history = self.world.history().document
        for source_id, known in self.known.items():
            states = {
                r["id"]: r["resolved_at"] is None for r in history if r["source_id"] == source_id
            }
            assert {i for i, is_open in states.items() if is_open} == known.open_ids
            assert {i for i, is_open in states.items() if not is_open} >= known.resolved_ids

    async def _board_agrees(self) -> None:
        board = await read_board(self.world.engine, self.world.clock, keys=("a",))
        total_open = sum(len(k.open_ids) for k in self.known.values())
        assert board.open_count == total_open, board.header
        assert board.stream_incidents >= {(s, i) for s, k in self.known.items() for i in k.open_ids}
        for source_id in self.known:
            expected = self._expected_impact(source_id)
            if source_id in board.providers:
                assert impact_word(board.providers[source_id]) == expected
            else:
                assert expected == "none" and not self.known[source_id].open_ids


Pages.TestCase.settings = settings(
    max_examples=20,
    stateful_step_count=10,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TestPageSequences = Pages.TestCase
