"""The normalised model every source is translated into.

Vocabularies (documented in the README, used everywhere):

* component status: operational | degraded | partial_outage | major_outage | maintenance | unknown
* impact: none | maintenance | unknown | minor | major | critical (``unknown``: the source gave a
  value watchtui cannot read, or, for a whole source, watchtui cannot currently see it)
* an incident is open exactly when ``resolved_at`` is None
* every timestamp is timezone-aware UTC (validators convert; naive datetimes are rejected)

A source's own claims (``Snapshot.page_status``, each component's status) are kept apart from what
watchtui derives (``Snapshot.derived_impact``), so a page that says "All Systems Operational"
while an incident is open still surfaces the incident and never looks better than it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

ComponentStatus = Literal[
    "operational", "degraded", "partial_outage", "major_outage", "maintenance", "unknown"
]
Impact = Literal["none", "minor", "major", "critical", "maintenance", "unknown"]

COMPONENT_STATUSES: tuple[ComponentStatus, ...] = (
    "operational",
    "degraded",
    "partial_outage",
    "major_outage",
    "maintenance",
    "unknown",
)
IMPACTS: tuple[Impact, ...] = ("none", "minor", "major", "critical", "maintenance", "unknown")

# Incident lifecycle words, normalised to lower snake case.  Sources use others too; parsers map
# onto these where the meaning is clear and fall back to "update".
INCIDENT_STATUSES: tuple[str, ...] = (
    "investigating",
    "identified",
    "monitoring",
    "resolved",
    "postmortem",
    "scheduled",
    "in_progress",
    "verifying",
    "completed",
    "update",
)

# Severity order used to pick "the worst" of several statuses.  Maintenance is planned work, so it
# ranks below any unplanned degradation; unknown ranks above operational (we do not know it is fine)
# but below real trouble.
_STATUS_RANK: dict[ComponentStatus, int] = {
    "operational": 0,
    "maintenance": 1,
    "unknown": 2,
    "degraded": 3,
    "partial_outage": 4,
    "major_outage": 5,
}
# The same order for impacts: not knowing is worse than planned work, better than known trouble.
_IMPACT_RANK: dict[Impact, int] = {
    "none": 0,
    "maintenance": 1,
    "unknown": 2,
    "minor": 3,
    "major": 4,
    "critical": 5,
}


def status_rank(status: ComponentStatus) -> int:
    return _STATUS_RANK[status]


def impact_rank(impact: Impact) -> int:
    return _IMPACT_RANK[impact]


def worst_status(statuses: list[ComponentStatus] | tuple[ComponentStatus, ...]) -> ComponentStatus:
    """The worst of ``statuses``; operational when there are none."""
    return max(statuses, key=status_rank, default="operational")


def worst_impact(impacts: list[Impact] | tuple[Impact, ...]) -> Impact:
    return max(impacts, key=impact_rank, default="none")


_IMPACT_FOR_STATUS: dict[ComponentStatus, Impact] = {
    "operational": "none",
    "maintenance": "maintenance",
    "unknown": "unknown",
    "degraded": "minor",
    "partial_outage": "major",
    "major_outage": "critical",
}


def impact_for_status(status: ComponentStatus) -> Impact:
    """The impact a component in ``status`` implies for its page."""
    return _IMPACT_FOR_STATUS[status]


def _aware_utc(value: datetime) -> datetime:
    if value.tzinfo is UTC:  # what the store's reads and most parsers hand over
        return value
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("timestamps must be timezone-aware")
    return value.astimezone(UTC)


def _aware_utc_opt(value: datetime | None) -> datetime | None:
    return None if value is None else _aware_utc(value)


UtcDatetime = Annotated[datetime, AfterValidator(_aware_utc)]
OptionalUtcDatetime = Annotated[datetime | None, AfterValidator(_aware_utc_opt)]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Provider(_Model):
    id: str
    name: str
    home_page: str | None = None


class Region(_Model):
    """A provider region resolved against the built-in taxonomy (``watchtui.domain.regions``)."""

    provider: str
    code: str
    name: str
    # Canonical geography shared across providers (``us-west``, ``eu-central``, …); ``None`` when
    # the region is not in the taxonomy, in which case ``code`` holds the feed's text verbatim.
    geography: str | None = None


class Component(_Model):
    id: str
    name: str
    group: str | None = None
    status: ComponentStatus = "unknown"
    # Region codes or names exactly as the source gives them; resolved by ``domain.regions``.
    regions: tuple[str, ...] = ()
    # Statuspage's ``only_show_if_degraded``: the page hides this component while it is operational.
    only_show_if_degraded: bool = False


class IncidentUpdate(_Model):
    id: str
    at: UtcDatetime
    status: str
    text: str


class Incident(_Model):
    id: str
    title: str
    status: str
    impact: Impact
    started_at: UtcDatetime
    updated_at: UtcDatetime
    resolved_at: OptionalUtcDatetime = None
    url: str | None = None
    # Component names as the source's component list spells them (group prefixes removed).
    components: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    # Newest first, like every status page.
    updates: tuple[IncidentUpdate, ...] = ()
    # Set when watchtui corrected an impossible time the source gave (resolved before it
    # started, updated in the future, …): says what the source said and what is shown instead.
    time_note: str | None = None

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


class Maintenance(Incident):
    scheduled_for: OptionalUtcDatetime = None
    scheduled_until: OptionalUtcDatetime = None


class DroppedItem(_Model):
    """An item a parser could not place and left out, with why (counted, shown per source)."""

    what: Literal["incident", "maintenance", "update", "component"]
    id: str
    reason: str


# How a snapshot's component list relates to the source's components:
# * full: the feed lists every component; one missing from it has left the page.
# * derived: components are read off open incidents (GCP, AWS, Azure, RSS…); one no open incident
#   names is operational again.
# * none: this endpoint says nothing about components (Statuspage incidents.json, …).
ComponentListing = Literal["full", "derived", "none"]


class PageStatus(_Model):
    """What the source says about itself, verbatim in meaning: never improved or worsened."""

    indicator: Impact | None = None
    description: str = ""


class Snapshot(_Model):
    """Everything one fetch of one source says."""

    kind: str
    page_name: str | None = None
    page_url: str | None = None
    # When the source says it last changed, if it says so.
    updated_at: OptionalUtcDatetime = None
    page_status: PageStatus = Field(default_factory=PageStatus)
    components: tuple[Component, ...] = ()
    component_listing: ComponentListing = "none"
    incidents: tuple[Incident, ...] = ()
    maintenances: tuple[Maintenance, ...] = ()
    # Items left out because they could not be placed (an impossible time, …).
    dropped: tuple[DroppedItem, ...] = ()

    @property
    def open_incidents(self) -> tuple[Incident, ...]:
        return tuple(i for i in self.incidents if i.is_open)

    @property
    def derived_impact(self) -> Impact:
        """watchtui's own reading: the worst of the page's claim, its open incidents and its
        components.  Never better than any of them."""
        impacts: list[Impact] = [i.impact for i in self.open_incidents]
        impacts += [impact_for_status(c.status) for c in self.components]
        impacts += [
            "maintenance" for m in self.maintenances if m.is_open and m.status == "in_progress"
        ]
        if self.page_status.indicator is not None:
            impacts.append(self.page_status.indicator)
        return worst_impact(impacts)
