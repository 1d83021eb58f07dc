"""The user's own probes: independent evidence beside what providers claim about themselves.

A probe is an HTTP request, a TCP connect or a DNS lookup run every ``interval`` seconds.
:mod:`watchtui.config.probe_spec` says what one is, :mod:`.checks` runs it (:mod:`.content`
judges bodies), :mod:`.naming` names it.  One failure is not an incident: :func:`advance`
(:mod:`.hysteresis`) turns a probe DOWN only after ``down_after`` consecutive failures.
:class:`ProbeRunner` (:mod:`.runner`) runs what is due, records every result and emits
``probe_down`` / ``probe_up`` events; :func:`link_provider` (:mod:`.linking`) ties a probe to the
catalog provider it depends on.

Running probes (:mod:`.checks`, :mod:`.runner`) needs httpx: those names are imported on first
use, so the signals and the board, which only name and judge probes, never load the network stack.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from watchtui.config.probe_spec import MIN_PROBE_INTERVAL, ProbeSpec, split_host_port
from watchtui.probes.hysteresis import advance, format_duration
from watchtui.probes.linking import link_provider
from watchtui.probes.naming import probe_label, target_host
from watchtui.store import ProbeResult, ProbeState

if TYPE_CHECKING:
    from watchtui.probes.checks import MAX_BODY_BYTES, run_probe
    from watchtui.probes.runner import ProbeRunner, is_due

# Name -> the submodule defining it (both import httpx), imported when first asked for.
_LAZY: dict[str, str] = {
    "MAX_BODY_BYTES": "checks",
    "run_probe": "checks",
    "ProbeRunner": "runner",
    "is_due": "runner",
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value: object = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


__all__ = [
    "MAX_BODY_BYTES",
    "MIN_PROBE_INTERVAL",
    "ProbeResult",
    "ProbeRunner",
    "ProbeSpec",
    "ProbeState",
    "advance",
    "format_duration",
    "is_due",
    "link_provider",
    "probe_label",
    "run_probe",
    "split_host_port",
    "target_host",
]
