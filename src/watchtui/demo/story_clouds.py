"""The demo's clouds and feeds: what the AWS-, GCP- and Azure-style clouds, the Slack-style chat
service and Demo Deploy's ``history.rss`` say, step by step.

Texts are ``str.format`` templates where they quote times or names known only when a scenario is
played (``{began}``, ``{at}``, ``{names}``, …); the encoders fill them in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

# --- AWS Health ---------------------------------------------------------------------------------

AWS_REGION = "us-west-2"
AWS_REGION_NAME = "Oregon"
AWS_EVENT_SUMMARY = "Increased Error Rates and Latencies"
AWS_SERVICES: dict[str, str] = {
    "compute": "Demo Compute",
    "blockstorage": "Demo Block Storage",
    "loadbalancing": "Demo Load Balancing",
    "databases": "Demo Managed Databases",
    "functions": "Demo Functions",
}
# AWS drops an ended event from ``currentevents`` a while after resolving it.
AWS_DROPPED_AT = 12
_AWS_ZONE = "a single Availability Zone (usw2-az2) in the US-WEST-2 Region"


@dataclass(frozen=True, slots=True)
class AwsPost:
    """One entry of the event log; ``services`` are (slug, new status "0".."3")."""

    step: int
    status: int
    summary: str
    # Template: ``{began}`` and ``{at}`` are the event's first and this post's times.
    message: str
    services: tuple[tuple[str, str], ...] = ()


AWS_POSTS: tuple[AwsPost, ...] = (
    AwsPost(
        1,
        2,
        "Increased Error Rates",
        "We are investigating increased error rates and latencies for instances and volumes in "
        f"{_AWS_ZONE}.",
        (("compute", "2"), ("blockstorage", "2")),
    ),
    AwsPost(
        2,
        3,
        "Power loss in a single Availability Zone",
        f"We can confirm a loss of power within a single data center within {_AWS_ZONE}. "
        "This is affecting availability and connectivity to instances and volumes in the "
        "affected data center. Other Availability Zones in the US-WEST-2 Region are not "
        "affected. Load balancers, managed databases and functions in the Region may see "
        "elevated error rates while we shift traffic away from the affected zone.",
        (
            ("compute", "3"),
            ("blockstorage", "3"),
            ("loadbalancing", "2"),
            ("databases", "2"),
            ("functions", "1"),
        ),
    ),
    AwsPost(
        4,
        3,
        "Power restoration in progress",
        "Utility power has been partially restored to the affected data center and we "
        "are bringing the remaining power distribution back online. Customers can launch "
        "replacement instances in unaffected Availability Zones.",
    ),
    AwsPost(
        6,
        2,
        "Instances recovering",
        "Power has been restored to the affected data center. Instances and volumes are "
        "recovering; load balancers and functions are operating normally.",
        (("compute", "2"), ("blockstorage", "2"), ("loadbalancing", "0"), ("functions", "0")),
    ),
    AwsPost(
        8,
        1,
        "Most resources recovered",
        "The vast majority of affected instances and volumes have recovered. We are "
        "working to recover a small number of volumes that remain degraded.",
        (("compute", "0"), ("blockstorage", "1"), ("databases", "0")),
    ),
    AwsPost(
        10,
        0,
        "Resolved",
        "Between {began} and {at}, we experienced increased error rates and "
        f"latencies for instances and volumes in {_AWS_ZONE}, caused by a loss of power in a "
        "single data center. The issue has been resolved and the services are operating "
        "normally.",
        (("blockstorage", "0"),),
    ),
)

# --- Google Cloud ---------------------------------------------------------------------------------

GCP_INCIDENT_KEY = "usw1-power"
GCP_DESCRIPTION = (
    "Multiple Demo Cloud products are experiencing elevated error rates and VM terminations in "
    "us-west1"
)
# (id, title)
GCP_PRODUCTS: tuple[tuple[str, str], ...] = (
    ("demo-vm", "Demo Compute Engine"),
    ("demo-disk", "Demo Persistent Disk"),
    ("demo-k8s", "Demo Kubernetes Engine"),
)
GCP_LOCATION = {"title": "Oregon (us-west1)", "id": "us-west1"}
# Template: ``{names}`` lists the affected products, ``{date} {time}`` is when it was resolved.
GCP_RESOLVED = (
    "The issue with {names} has been resolved for all affected users as of {date} {time}.\n"
    "We thank you for your patience while we worked on resolving the issue."
)


@dataclass(frozen=True, slots=True)
class GcpPost:
    """One update.  Its text is a template: ``{names}`` (every product affected so far, so
    earlier updates name later additions too), ``{began_date} {began}`` (when the incident
    began), ``{next_update}``, and ``{date} {time}`` (this update's time)."""

    step: int
    status: str
    text: str
    adds_products: tuple[tuple[str, str], ...] = ()
    # The incident ends with this update.
    closes: bool = False


GCP_POSTS: tuple[GcpPost, ...] = (
    GcpPost(
        2,
        "SERVICE_DISRUPTION",
        "Summary: Multiple products impacted in us-west1\n"
        "Description: We are experiencing an issue with {names} beginning at "
        "{began_date} {began}.\n"
        "Our engineering team continues to investigate the issue.\n"
        "We will provide an update by {next_update} with current details.\n"
        "Diagnosis: Customers may see VM terminations, failed disk attachments and "
        "unavailable nodes in zone us-west1-b.\n"
        "Workaround: Fail over workloads to us-west1-a, us-west1-c or another region.",
    ),
    GcpPost(
        5,
        "SERVICE_OUTAGE",
        "Summary: Power event in us-west1-b impacting multiple products\n"
        "Description: The issue is caused by a power event in a facility that hosts "
        "zone us-west1-b. {names} are affected. Mitigation work is in progress.\n"
        "We will provide an update by {next_update} with current details.\n"
        "Diagnosis: Instances in us-west1-b were terminated; regional \\#Cloud SQL "
        "instances may fail over.\n"
        "Workaround: Use us-west1-a or us-west1-c for new instances.",
        adds_products=(("demo-sql", "Demo Cloud SQL"),),
    ),
    GcpPost(
        7,
        "AVAILABLE",
        "Power has been restored in us-west1-b and the majority of affected resources "
        "have recovered. We will continue to monitor until all resources are healthy.\n"
        "We will provide an update by {next_update} with current details.",
    ),
    GcpPost(10, "AVAILABLE", GCP_RESOLVED, closes=True),
)


@dataclass(frozen=True, slots=True)
class GcpPast:
    """An incident closed before the demo starts: one opening update, then resolved."""

    key: str
    days_ago: float
    minutes: int
    product: tuple[str, str]
    location: dict[str, str]
    description: str
    first: str


GCP_PAST: tuple[GcpPast, ...] = (
    GcpPast(
        "ew1-storage",
        3.4,
        47,
        ("demo-storage", "Demo Cloud Storage"),
        {"title": "Belgium (europe-west1)", "id": "europe-west1"},
        "Elevated latency for Demo Cloud Storage requests in europe-west1",
        "Summary: Elevated latency for Demo Cloud Storage requests in europe-west1\n"
        "Description: Mitigation work is currently underway by our engineering team.",
    ),
    GcpPast(
        "ae1-k8s",
        11.8,
        130,
        ("demo-k8s", "Demo Kubernetes Engine"),
        {"title": "Taiwan (asia-east1)", "id": "asia-east1"},
        "Demo Kubernetes Engine control plane upgrades failing in asia-east1",
        "Summary: Control plane upgrades failing in asia-east1\n"
        "Description: Clusters continue to serve traffic; upgrades are paused.",
    ),
)

# --- Azure status RSS -----------------------------------------------------------------------------

AZURE_FEED_TITLE = "Demo Azure-style Status (demo)"
AZURE_OPEN, AZURE_UPDATE, AZURE_CLEAR = 3, 5, 8
AZURE_GUID = "power-event-impacting-multiple-services-in-west-us-2"
# Azure leaves a trailing space in titles.
AZURE_TITLE = "Power event impacting multiple services in West US 2 "
AZURE_REGION = "West US 2"
AZURE_SERVICES_OPEN = ("Demo Virtual Machines", "Demo Storage")
AZURE_SERVICES_UPDATE = ("Demo SQL Database", "Demo App Service")
# Template: ``{time}`` on ``{date}`` is when the item was opened.
AZURE_OPEN_TEXT = (
    "Starting at {time} on {date}, a subset of customers "
    "with resources in West US 2 may experience connectivity failures, increased "
    "latency or unavailable virtual machines. We have identified a power event "
    "affecting a single datacenter in one Availability Zone."
)
AZURE_UPDATE_TEXT = (
    "Power restoration is in progress and we are seeing early signs of recovery. "
    "Customers can fail over to other Availability Zones; see "
    '<a href="https://status.demo-azure.example/en-us/status/">the status page</a>'
    "&nbsp;for updates."
)

# --- Slack-style chat: green throughout, one incident in its history ---------------------------

SLACK_INCIDENT_TITLE = "Some users may see delays when loading threads"
SLACK_SERVICES = ("Messaging", "Apps/Integrations/APIs")
SLACK_BEGAN_AGO = timedelta(days=2, hours=5, minutes=3)
SLACK_ENDED_AGO = timedelta(days=2, hours=3, minutes=48)
SLACK_FIRST_NOTE = "Some users may see delays when opening threads. We're on it."
SLACK_LAST_NOTE = "Threads are loading normally again. Thanks for bearing with us."

# --- Demo Deploy: a Statuspage history.rss, broken at two steps ---------------------------------

DEPLOY_FEED_TITLE = "Demo Deploy (demo) Status - Incident History"
DEPLOY_TITLE = "Deploys failing for apps in US West"
# step -> which broken response the feed serves instead.
DEPLOY_FAULTS: dict[int, str] = {3: "503", 7: "challenge"}
# (step, label, text)
DEPLOY_POSTS: tuple[tuple[int, str, str], ...] = (
    (
        4,
        "Investigating",
        "Deploys and builds for apps in the US West region are failing or timing out. Running "
        "apps in other regions are not affected.",
    ),
    (
        8,
        "Identified",
        "The failures are caused by an outage at our upstream cloud provider in US West. We "
        "have paused deploys to the region and are moving build capacity to US East.",
    ),
    (
        11,
        "Monitoring",
        "Our provider has restored service. Deploys to US West have been re-enabled and the "
        "backlog is draining.",
    ),
    (13, "Resolved", "All queued deploys have completed. This incident has been resolved."),
)
# The feed's pubDate before the story's incident is posted.
DEPLOY_QUIET_SINCE = timedelta(days=4, hours=7)


@dataclass(frozen=True, slots=True)
class DeployPast:
    """An item finished before the demo starts; its updates are (offset from ``began``,
    label, text)."""

    key: str
    title: str
    began_ago: timedelta
    updates: tuple[tuple[timedelta, str, str], ...]


# In feed order, after the story's incident.
DEPLOY_PAST: tuple[DeployPast, ...] = (
    DeployPast(
        "db-maintenance",
        "Scheduled database maintenance",
        timedelta(days=4, hours=9),
        (
            (
                timedelta(days=-2),
                "Scheduled",
                "We will upgrade the database behind the dashboard. Deploys are unaffected.",
            ),
            (timedelta(), "In progress", "Scheduled maintenance is currently in progress."),
            (timedelta(hours=2), "Completed", "The scheduled maintenance has been completed."),
        ),
    ),
    DeployPast(
        "build-logs",
        "Delayed build logs",
        timedelta(days=9, hours=2, minutes=14),
        (
            (
                timedelta(),
                "Investigating",
                "Build logs are appearing with a delay of a few minutes.",
            ),
            (timedelta(minutes=41), "Resolved", "Build logs are streaming in real time again."),
        ),
    ),
)

HTML_503 = (
    b"<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n<body>\r\n"
    b"<center><h1>503 Service Temporarily Unavailable</h1></center>\r\n"
    b"<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)
HTML_CHALLENGE = (
    b'<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title>'
    b'<meta name="robots" content="noindex,nofollow"></head><body>'
    b"<h1>status.demo-deploy.example</h1><p>Checking your browser before accessing "
    b"status.demo-deploy.example.</p><noscript>Enable JavaScript and cookies to continue"
    b"</noscript></body></html>"
)
