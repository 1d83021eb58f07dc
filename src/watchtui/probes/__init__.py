"""The user's own probes: independent evidence beside what providers claim about themselves.

A probe is an HTTP request, a TCP connect or a DNS lookup run every ``interval`` seconds.
:mod:`watchtui.config.probe_spec` says what one is, :mod:`.checks` runs it (:mod:`.content`
judges bodies), :mod:`.naming` names it.  One failure is not an incident: :func:`advance`
(:mod:`.hysteresis`) turns a probe DOWN only after ``down_after`` consecutive failures.
:class:`ProbeRunner` (:mod:`.runner`) runs what is due, records every result and emits
``probe_down`` / ``probe_up`` events; :func:`link_provider` (:mod:`.linking`) ties a probe to the
catalog provider it depends on.
"""

from watchtui.config.probe_spec import MIN_PROBE_INTERVAL, ProbeSpec, split_host_port
from watchtui.probes.checks import MAX_BODY_BYTES, run_probe
from watchtui.probes.hysteresis import advance, format_duration
from watchtui.probes.linking import link_provider
from watchtui.probes.naming import probe_label, target_host
from watchtui.probes.runner import ProbeRunner, is_due
from watchtui.store import ProbeResult, ProbeState

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
