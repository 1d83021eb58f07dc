"""What the UI test board's providers said, and when: every payload version, in wire format
(the clouds, the blog and the ids and times of everything here; the two Statuspage providers'
payloads in ``board_pages``).

Time is frozen at ``NOW`` (2026-07-29 12:00 UTC).  The providers:

* **Demo AWS** (AWS currentevents): a critical EC2/Lambda event in us-west-2 since 11:10 with
  three log entries (11:10, 11:30, 11:55).  Earlier: "EC2 API errors" and "Lambda cold start
  delays" on Jul 20 (us-west-2, 1 h and 5 h, ended with ``end_time``), "Elevated S3 latency in
  US-EAST-1" on Jul 27 (3 h), which is how Amazon S3 in us-east-1 is known (operational now).
* **Demo GCP** (Google incidents.json): "Compute Engine unavailable in us-west1 [bold]literally
  [/bold]" (a hostile title; a service disruption since 11:20, updates at 11:20 and 11:50); past
  "Cloud SQL connectivity [red]issue[/red]" (Jul 25, 2 h) and "BigQuery slow queries" (Jun 19,
  26 h).
* **Demo Azure** (Azure status RSS): all clear, last read at 11:51: stale (``board.py`` keeps it
  so: another watchtui process holds its endpoint's lease).
* **Demo Git** (Statuspage summary + incidents): "Degraded performance for Actions" (minor, one
  update at 11:35) and "Investigating elevated error rates" (major, opened 11:50, NO update
  published yet); resolved "Webhooks delayed" (Jul 28 06:00-07:00); a completed maintenance
  "Scheduled database upgrade" (Jul 26 11:00-13:00); "Pages builds failing" (Jul 17 11:00),
  deleted from the page while open, so its resolution at 15:00 is inferred.
* **Demo Edge** (Statuspage): Frankfurt (FRA) operational, San Jose (SJC) under maintenance: the
  "Network upgrade in San Jose" maintenance is in progress since 11:30 (announced 11:00).
* **Demo Blog** (Atom): read fine until 09:00, an empty feed; answers 503 now: failing.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from tests.support.board_payloads import (
    atom_feed,
    aws_event,
    aws_feed,
    aws_log,
    azure_feed,
    gcp_feed,
    gcp_incident,
    gcp_location,
    gcp_update,
)

NOW = datetime(2026, 7, 29, 12, 0, tzinfo=UTC)


def ago(*, days: float = 0, hours: float = 0, minutes: float = 0) -> datetime:
    return NOW - timedelta(days=days, hours=hours, minutes=minutes)


def at(day: int, hour: int, minute: int = 0, *, month: int = 7) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


# Source ids: custom sources of the board's config.
AWS = "demo-aws"
GCP = "demo-gcp"
AZURE = "demo-azure"
GIT = "demo-git"
EDGE = "demo-edge"
BLOG = "demo-blog"

# Incident ids, as the parsers name them.
AWS_INCIDENT = "arn:aws:health:us-west-2::event/EC2/1"
AWS_EC2_API = "arn:aws:health:us-west-2::event/EC2/h2"
AWS_LAMBDA = "arn:aws:health:us-west-2::event/LAMBDA/h3"
AWS_S3 = "arn:aws:health:us-east-1::event/S3/h1"
GCP_INCIDENT = "gcp-1"
GCP_CLOUD_SQL = "gcp-h1"
GCP_BIGQUERY = "gcp-h2"
GIT_ACTIONS = "git-1"
GIT_SILENT = "git-2"
GIT_WEBHOOKS = "git-0"
GIT_MAINTENANCE = "git-h1"
GIT_PAGES = "git-h2"
EDGE_MAINTENANCE = "edge-m1"

HOSTILE_TITLE = "Compute Engine unavailable in us-west1 [bold]literally[/bold]"
HOSTILE_HISTORY_TITLE = "Cloud SQL connectivity [red]issue[/red]"

GIT_PAGE_URL = "https://status.demo-git.example"
EDGE_PAGE_URL = "https://status.demo-edge.example"

Versions = list[tuple[datetime, bytes]]


# --- Demo AWS ---------------------------------------------------------------------------------


def _aws_history_events(when: datetime) -> list[dict[str, object]]:
    """The past events as currentevents listed them at ``when``: open, then for a while with
    ``end_time`` (the event keeps its status code; its services are back to 0)."""
    events: list[dict[str, object]] = []
    if at(20, 11) <= when < at(21, 0):
        api_end = at(20, 12) if when >= at(20, 12) else None
        events.append(
            aws_event(
                AWS_EC2_API,
                "EC2 API errors",
                date=at(20, 11),
                status="2",
                service="ec2-us-west-2",
                service_name="Amazon Elastic Compute Cloud",
                region_name="Oregon",
                log=[
                    aws_log(at(20, 11), 2, "We are investigating EC2 API errors.", "API errors"),
                    *(
                        [aws_log(at(20, 12), 0, "The issue has been resolved.", "Resolved")]
                        if api_end
                        else []
                    ),
                ],
                impacted={"ec2-us-west-2": ("Amazon EC2", "0" if api_end else "2")},
                end_time=api_end,
            )
        )
        lambda_end = at(20, 16) if when >= at(20, 16) else None
        events.append(
            aws_event(
                AWS_LAMBDA,
                "Lambda cold start delays",
                date=at(20, 11),
                status="1",
                service="lambda-us-west-2",
                service_name="AWS Lambda",
                region_name="Oregon",
                log=[
                    aws_log(at(20, 11), 1, "Cold starts are slower than usual.", "Delays"),
                    *(
                        [aws_log(at(20, 16), 0, "Cold starts are back to normal.", "Resolved")]
                        if lambda_end
                        else []
                    ),
                ],
                impacted={"lambda-us-west-2": ("AWS Lambda", "0" if lambda_end else "1")},
                end_time=lambda_end,
            )
        )
    if at(27, 11) <= when < at(28, 0):
        s3_end = at(27, 14) if when >= at(27, 14) else None
        events.append(
            aws_event(
                AWS_S3,
                "Elevated S3 latency in US-EAST-1",
                date=at(27, 11),
                status="1",
                service="s3-us-east-1",
                service_name="Amazon Simple Storage Service",
                region_name="N. Virginia",
                log=[
                    aws_log(at(27, 11), 1, "We are seeing elevated S3 latency.", "Latency"),
                    *(
                        [aws_log(at(27, 14), 0, "Latency is back to normal.", "Resolved")]
                        if s3_end
                        else []
                    ),
                ],
                impacted={"s3-us-east-1": ("Amazon S3", "0" if s3_end else "1")},
                end_time=s3_end,
            )
        )
    return events


AWS_LOG = (
    (at(29, 11, 10), "We are investigating increased error rates."),
    (at(29, 11, 30), "We have identified a power event in one zone."),
    (at(29, 11, 55), "We continue to work on recovery of EC2 instances."),
)
AWS_RECOVERY = (NOW + timedelta(minutes=1), "Recovery progressing.")


def aws_current(log: tuple[tuple[datetime, str], ...] = AWS_LOG) -> bytes:
    """Today's open event with ``log`` (oldest first)."""
    return aws_feed(
        [
            aws_event(
                AWS_INCIDENT,
                "Increased error rates in US-WEST-2",
                date=at(29, 11, 10),
                status="3",
                service="ec2-us-west-2",
                service_name="Amazon Elastic Compute Cloud",
                region_name="Oregon",
                log=[aws_log(when, 3, text, "Increased error rates") for when, text in log],
                impacted={
                    "ec2-us-west-2": ("Amazon EC2", "3"),
                    "lambda-us-west-2": ("AWS Lambda", "2"),
                },
            )
        ]
    )


def aws_versions() -> Versions:
    past = [at(20, 11), at(20, 12), at(20, 16), at(21, 0), at(27, 11), at(27, 14), at(28, 0)]
    versions = [(when, aws_feed(_aws_history_events(when))) for when in past]
    versions += [(when, aws_current(AWS_LOG[: n + 1])) for n, (when, _) in enumerate(AWS_LOG)]
    return versions


# --- Demo GCP ---------------------------------------------------------------------------------

OREGON = gcp_location("us-west1", "Oregon (us-west1)")
BELGIUM = gcp_location("europe-west1", "Belgium (europe-west1)")
GCE = ("gce", "Google Compute Engine")


def _gcp_history() -> list[dict[str, object]]:
    return [
        gcp_incident(
            GCP_CLOUD_SQL,
            HOSTILE_HISTORY_TITLE,
            begin=at(25, 11),
            end=at(25, 13),
            updates=[
                gcp_update(at(25, 13), "AVAILABLE", "The issue is resolved.", [BELGIUM]),
                gcp_update(at(25, 11), "SERVICE_DISRUPTION", "We are investigating.", [BELGIUM]),
            ],
            product=("cloudsql", "Cloud SQL"),
            severity="medium",
            status_impact="SERVICE_DISRUPTION",
            locations=[BELGIUM],
        ),
        gcp_incident(
            GCP_BIGQUERY,
            "BigQuery slow queries",
            begin=at(19, 11, month=6),
            end=at(20, 13, month=6),
            updates=[
                gcp_update(at(20, 13, month=6), "AVAILABLE", "Queries are fast again."),
                gcp_update(at(19, 11, month=6), "SERVICE_INFORMATION", "Queries are slow."),
            ],
            product=("bigquery", "BigQuery"),
            severity="low",
            status_impact="SERVICE_INFORMATION",
        ),
    ]


GCP_UPDATES = (
    (at(29, 11, 20), "We are investigating."),
    (at(29, 11, 50), "Mitigation in progress.\nMore detail here."),
)
GCP_RESOLUTION = (NOW + timedelta(minutes=2), "The issue with Compute Engine has been resolved.")


def gcp_current(
    updates: tuple[tuple[datetime, str], ...] = GCP_UPDATES,
    *,
    outage: bool = False,
    resolved: bool = False,
) -> bytes:
    """Today's incident with ``updates`` (oldest first); ``outage`` escalates it to a service
    outage; ``resolved`` closes it with a final AVAILABLE update (``GCP_RESOLUTION``)."""
    rows = [
        gcp_update(when, "SERVICE_OUTAGE" if outage else "SERVICE_DISRUPTION", text, [OREGON])
        for when, text in updates
    ]
    end = None
    if resolved:
        end, text = GCP_RESOLUTION
        rows.append(gcp_update(end, "AVAILABLE", text, [OREGON]))
    incident = gcp_incident(
        GCP_INCIDENT,
        HOSTILE_TITLE,
        begin=updates[0][0],
        end=end,
        updates=list(reversed(rows)),
        product=GCE,
        severity="high" if outage else "medium",
        status_impact="SERVICE_OUTAGE" if outage else "SERVICE_DISRUPTION",
        locations=[OREGON],
    )
    return gcp_feed([incident, *_gcp_history()])


def gcp_versions() -> Versions:
    return [
        (at(29, 11), gcp_feed(_gcp_history())),
        (GCP_UPDATES[0][0], gcp_current(GCP_UPDATES[:1])),
        (GCP_UPDATES[1][0], gcp_current()),
    ]


# --- Demo Azure and Demo Blog -------------------------------------------------------------------


def azure_versions() -> Versions:
    return [(at(29, 11), azure_feed([], at(29, 11)))]


def blog_versions() -> Versions:
    return [(at(29, 8), atom_feed("Demo Blog", "https://blog.demo.example/", at(29, 8), []))]


# --- what the providers say next (tests serve these) -----------------------------------------

GCP_FIX = (NOW + timedelta(minutes=1), "A fix is rolling out.")
GCP_NEW_TITLE = "Cloud Run deployments failing [bold]literally[/bold]"


def gcp_with_new_incident() -> bytes:
    """Today's feed plus a new incident (a hostile title) opened a minute after ``NOW``."""
    opened = NOW + timedelta(minutes=1)
    central = gcp_location("us-central1", "Iowa (us-central1)")
    new = gcp_incident(
        "gcp-2",
        GCP_NEW_TITLE,
        begin=opened,
        updates=[gcp_update(opened, "SERVICE_DISRUPTION", "We are investigating.", [central])],
        product=("cloudrun", "Cloud Run"),
        severity="medium",
        status_impact="SERVICE_DISRUPTION",
        locations=[central],
    )
    return gcp_feed([new, *_feed_rows(gcp_current())])


def _feed_rows(feed: bytes) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = json.loads(feed)
    return rows
