"""The kind names the config, the catalog and the command line accept, and the module under
``watchtui.sources`` that parses each.

Imports nothing: the catalog and the config check kind names at import time and must not pay for
the parsers (pydantic models, XML) to do so.
"""

from __future__ import annotations

__all__ = ["KINDS", "KIND_MODULES"]

# Kind name -> module under watchtui.sources.  Order matters for documentation only.
KIND_MODULES: dict[str, str] = {
    "statuspage": "statuspage",
    "incidentio": "incidentio",
    "gcp": "gcp",
    "aws": "aws",
    "aws-rss": "aws_rss",
    "azure": "azure",
    "slack": "slack",
    "pagerduty": "pagerduty",
    "rss": "rss",
    "heroku": "heroku",
    "statusio": "statusio",
    "instatus": "instatus",
    "betterstack": "betterstack",
    "checkly": "checkly",
}
KINDS: tuple[str, ...] = (*KIND_MODULES, "auto")
