"""The test board's two Statuspage providers, Demo Git and Demo Edge (see ``board_story`` for the
whole story): every payload version of their ``summary.json`` and ``incidents.json``, and what
they (and everyone) say next in tests.
"""

from __future__ import annotations

from datetime import timedelta

from tests.support.board_payloads import (
    aws_feed,
    sp_component,
    sp_group,
    sp_incident,
    sp_incidents,
    sp_page,
    sp_summary,
    sp_update,
)
from tests.support.board_story import (
    AWS,
    EDGE,
    EDGE_MAINTENANCE,
    EDGE_PAGE_URL,
    GCP,
    GIT,
    GIT_ACTIONS,
    GIT_MAINTENANCE,
    GIT_PAGE_URL,
    GIT_PAGES,
    GIT_SILENT,
    GIT_WEBHOOKS,
    NOW,
    Versions,
    at,
    gcp_current,
)

# --- Demo Git (Statuspage) -------------------------------------------------------------------

_GIT_PAGE = ("gitpage", "Demo Git", GIT_PAGE_URL)


def _git_components(
    actions: str = "operational", webhooks: str = "operational"
) -> list[dict[str, object]]:
    return [
        sp_component("actions", "Actions", actions, position=1),
        sp_component("api", "API Requests", position=2),
        sp_component("git", "Git Operations", position=3),
        sp_component("webhooks", "Webhooks", webhooks, position=4),
    ]


def _git_pages_incident() -> dict[str, object]:
    return sp_incident(
        GIT_PAGES,
        "Pages builds failing",
        status="investigating",
        impact="major",
        created=at(17, 11),
        updates=[sp_update("p1", at(17, 11), "investigating", "Pages builds are failing.")],
        page_url=GIT_PAGE_URL,
    )


def _git_webhooks(resolved: bool) -> dict[str, object]:
    updates = [sp_update("o1", at(28, 6), "investigating", "Webhook deliveries are delayed.")]
    if resolved:
        updates.insert(
            0, sp_update("o2", at(28, 7), "resolved", "This incident has been resolved.")
        )
    return sp_incident(
        GIT_WEBHOOKS,
        "Webhooks delayed",
        status="resolved" if resolved else "investigating",
        impact="minor",
        created=at(28, 6),
        resolved=at(28, 7) if resolved else None,
        updates=updates,
        components=[sp_component("webhooks", "Webhooks", "degraded_performance")],
        page_url=GIT_PAGE_URL,
    )


def _git_maintenance() -> dict[str, object]:
    return sp_incident(
        GIT_MAINTENANCE,
        "Scheduled database upgrade",
        status="completed",
        impact="maintenance",
        created=at(26, 11),
        resolved=at(26, 13),
        updates=[
            sp_update("m2", at(26, 13), "completed", "The maintenance has been completed."),
            sp_update("m1", at(26, 11), "in_progress", "The maintenance is in progress."),
        ],
        page_url=GIT_PAGE_URL,
        scheduled_for=at(26, 11),
        scheduled_until=at(26, 13),
    )


def git_actions(shortlink: str | None = None) -> dict[str, object]:
    row = sp_incident(
        GIT_ACTIONS,
        "Degraded performance for Actions",
        status="investigating",
        impact="minor",
        created=at(29, 11, 35),
        updates=[
            sp_update(
                "h1",
                at(29, 11, 35),
                "investigating",
                "Actions runs are delayed.",
                affected=[("actions", "Actions", "degraded_performance")],
            )
        ],
        components=[sp_component("actions", "Actions", "degraded_performance")],
        page_url=GIT_PAGE_URL,
    )
    if shortlink is not None:
        row["shortlink"] = shortlink
    return row


def git_silent() -> dict[str, object]:
    """Opened at 11:50; the page has published no update for it yet."""
    return sp_incident(
        GIT_SILENT,
        "Investigating elevated error rates",
        status="investigating",
        impact="major",
        created=at(29, 11, 50),
        updates=[],
        page_url=GIT_PAGE_URL,
    )


def git_summary(incidents: list[dict[str, object]], *, actions: str = "operational") -> bytes:
    page = sp_page(*_GIT_PAGE, updated=at(29, 11, 50))
    worst = max((str(i["impact"]) for i in incidents), default="none", key=_impact_rank)
    return sp_summary(
        page,
        _git_components(actions),
        incidents=incidents,
        indicator=worst,
        description="Partial System Outage" if incidents else "All Systems Operational",
    )


def git_current_summary(shortlink: str | None = None) -> bytes:
    return git_summary([git_silent(), git_actions(shortlink)], actions="degraded_performance")


def _impact_rank(impact: str) -> int:
    return ["none", "minor", "major", "critical"].index(impact)


def git_versions() -> tuple[Versions, Versions]:
    """(summary.json versions, incidents.json versions)."""
    page = sp_page(*_GIT_PAGE, updated=at(29, 11, 50))
    summary = [
        (at(17, 11), git_summary([_git_pages_incident()])),
        (at(17, 15), git_summary([])),
        (at(28, 6), git_summary([_git_webhooks(resolved=False)])),
        (at(28, 7), git_summary([])),
        (at(29, 11, 35), git_summary([git_actions()], actions="degraded_performance")),
        (at(29, 11, 50), git_current_summary()),
    ]
    history = [
        (at(17, 11), sp_incidents(page, [_git_pages_incident()])),
        # The page deleted the Pages incident while it was open.
        (at(17, 15), sp_incidents(page, [])),
        (at(26, 13), sp_incidents(page, [_git_maintenance()])),
        (at(28, 6), sp_incidents(page, [_git_webhooks(False), _git_maintenance()])),
        (at(28, 7), sp_incidents(page, [_git_webhooks(True), _git_maintenance()])),
        (
            at(29, 11, 35),
            sp_incidents(page, [git_actions(), _git_webhooks(True), _git_maintenance()]),
        ),
        (
            at(29, 11, 50),
            sp_incidents(
                page, [git_silent(), git_actions(), _git_webhooks(True), _git_maintenance()]
            ),
        ),
    ]
    return summary, history


# --- Demo Edge (Statuspage) ------------------------------------------------------------------

_EDGE_PAGE = ("edgepage", "Demo Edge", EDGE_PAGE_URL)
FRA = "Frankfurt, Germany - (FRA)"
SJC = "San Jose, CA, United States - (SJC)"


def _edge_summary(in_progress: bool, *, over: bool = False) -> bytes:
    """The page before (``in_progress`` False), during and, with ``over``, after the work."""
    page = sp_page(*_EDGE_PAGE, updated=at(29, 11, 30) if in_progress else at(29, 11))
    updates = [sp_update("e1", at(29, 11), "scheduled", "We will upgrade network equipment.")]
    if in_progress:
        updates.insert(
            0, sp_update("e2", at(29, 11, 30), "in_progress", "The maintenance is in progress.")
        )
    maintenance = sp_incident(
        EDGE_MAINTENANCE,
        "Network upgrade in San Jose",
        status="in_progress" if in_progress else "scheduled",
        impact="maintenance",
        created=at(29, 11),
        updates=updates,
        components=[sp_component("sjc", SJC, "under_maintenance")],
        page_url=EDGE_PAGE_URL,
        scheduled_for=at(29, 11, 30),
        scheduled_until=at(29, 13, 30),
    )
    under_way = in_progress and not over
    return sp_summary(
        page,
        [
            sp_group("europe", "Europe", ["fra"], position=1),
            sp_component("fra", FRA, group_id="europe", position=2),
            sp_group("america", "North America", ["sjc"], position=3),
            sp_component(
                "sjc",
                SJC,
                "under_maintenance" if under_way else "operational",
                group_id="america",
                position=4,
            ),
        ],
        maintenances=[] if over else [maintenance],
        indicator="maintenance" if under_way else "none",
        description="Service Under Maintenance" if under_way else "All Systems Operational",
    )


def edge_versions() -> tuple[Versions, Versions]:
    page = sp_page(*_EDGE_PAGE, updated=at(29, 11))
    summary = [(at(29, 11), _edge_summary(False)), (at(29, 11, 30), _edge_summary(True))]
    return summary, [(at(29, 11), sp_incidents(page, []))]


# --- what the pages say next (tests serve these) -----------------------------------------


def git_outage_summary(extra_incidents: int = 0) -> bytes:
    """Git Operations in a major outage (the ssh probe stays up), with ``extra_incidents`` new
    incidents opened a minute after ``NOW``."""
    opened = NOW + timedelta(minutes=1)
    incidents = [
        sp_incident(
            f"git-new-{n}",
            f"Git trouble {n}",
            status="investigating",
            impact="major",
            created=opened,
            updates=[sp_update(f"n{n}", opened, "investigating", f"Trouble {n}.")],
            page_url=GIT_PAGE_URL,
        )
        for n in range(extra_incidents)
    ]
    page = sp_page(*_GIT_PAGE, updated=opened)
    components = _git_components("degraded_performance")
    components[2]["status"] = "major_outage"
    return sp_summary(
        page,
        components,
        incidents=[*incidents, git_silent(), git_actions()],
        indicator="major",
        description="Major System Outage",
    )


def git_current_history(shortlink: str | None = None) -> bytes:
    page = sp_page(*_GIT_PAGE, updated=at(29, 11, 50))
    return sp_incidents(
        page, [git_silent(), git_actions(shortlink), _git_webhooks(True), _git_maintenance()]
    )


def all_clear() -> dict[str, bytes]:
    """What AWS, GCP, Git and Edge say once everything is over (by source id; each one's
    current endpoint)."""
    return {
        AWS: aws_feed([]),
        GCP: gcp_current(resolved=True),
        GIT: git_summary([]),
        EDGE: _edge_summary(True, over=True),
    }
