"""Tying a probe to the provider it depends on, so its failures can be set beside that
provider's own claims."""

from __future__ import annotations

from watchtui import catalog
from watchtui.config.probe_spec import ProbeSpec
from watchtui.probes.naming import target_host

__all__ = ["link_provider"]


def link_provider(spec: ProbeSpec) -> ProbeSpec:
    """Tie the probe to a catalog provider: its target's host when none is given
    (``api.github.com`` -> ``github``), else the canonical id of the alias given.
    An unknown provider is kept verbatim (it may be a custom source's id)."""
    if spec.provider is not None:
        entry = catalog.get(spec.provider)
        if entry is None or entry.id == spec.provider:
            return spec
        return spec.model_copy(update={"provider": entry.id})
    entry = catalog.provider_for_url(target_host(spec))
    return spec if entry is None else spec.model_copy(update={"provider": entry.id})
