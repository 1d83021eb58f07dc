"""How the runner and its messages name a probe's host and the probe itself.

The ``[[probes]]`` model lives in :mod:`watchtui.config.probe_spec`, so loading a config never
pulls in httpx or the store.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from watchtui.config.probe_spec import ProbeSpec, split_host_port

__all__ = ["probe_label", "target_host"]


def target_host(spec: ProbeSpec) -> str:
    """The host a probe talks to (URL host, the host of host:port, or the DNS name)."""
    if spec.type == "http":
        return (urlsplit(spec.target).hostname or "").rstrip(".").lower()
    if spec.type == "tcp":
        return split_host_port(spec.target)[0].rstrip(".").lower()
    return spec.target.rstrip(".").lower()


def probe_label(spec: ProbeSpec) -> str:
    """``api-eu (eu-west)``: how titles and messages name a probe."""
    return f"{spec.id} ({spec.region})" if spec.region else spec.id
