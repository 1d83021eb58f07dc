"""Which change events deserve a notification, and how to raise one.

The policy is a pure function (``select``) so it is tested without a terminal:

* only incidents opening, changing status or resolving, and components changing status notify
  (new updates already show as unread rows in the stream; source health has its own strip);
* so do the user's own signals: a probe going down or up, a disagreement starting between a probe
  and its provider, a correlation hint.  They are always relevant, whatever the watchlist (the
  user configured the probes; ``probe:x`` / ``correlation:geo`` are never watchlist entries);
  a disagreement counts as a major event for ``min_impact`` (it is about the user's own service),
  a hint as minor (it is a guess); a disagreement says all a ``probe_down`` of the same round
  says and more, so it replaces it;
* with a non-empty watchlist, only events touching it (see ``watchtui.viewmodel.watching``);
* nothing below the minimum impact (a component recovering counts with the impact it recovers
  from, so "back to operational" is announced as loudly as the outage was);
* debounce: one notification per source + incident/component (per probe and kind for signals)
  within ``debounce_seconds``, so a flapping source does not spam.

Disagreements and probe notices are never folded into the "N changes" summary.

Notices go to the board's one notification line (never a pile of toasts), an optional bell
and an optional desktop notification via OSC 9 (iTerm2, WezTerm, Windows Terminal, kitty, …) or
OSC 777 (foot, urxvt, Ghostty, …) written raw to the terminal.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, Protocol

from watchtui.domain.events import ChangeEvent, EventKind
from watchtui.domain.model import (
    COMPONENT_STATUSES,
    ComponentStatus,
    Impact,
    impact_for_status,
    impact_rank,
    worst_impact,
)
from watchtui.domain.text import clean_line
from watchtui.engine.overview import Overview
from watchtui.viewmodel import severity, watching

DebounceKey = tuple[str, str, str]

NOTIFYING_KINDS: frozenset[EventKind] = frozenset(
    {
        "incident_opened",
        "incident_updated",
        "incident_resolved",
        "component_status_changed",
        "probe_down",
        "probe_up",
        "disagreement_started",
        "correlation",
    }
)
# Events about the user's own signals carry these source ids (see watchtui.domain.events).
SIGNAL_PREFIXES = ("probe:", "correlation:")
_SIGNAL_IMPACT: dict[str, Impact] = {
    "probe_down": "major",
    "probe_up": "major",
    "disagreement_started": "major",
    "correlation": "minor",
}
# More than this many notices in one round become a single summary notice.
SUMMARY_THRESHOLD = 4


@dataclass(frozen=True)
class NotifyPolicy:
    min_impact: Impact = "minor"
    debounce_seconds: float = 30.0


@dataclass(frozen=True)
class Notice:
    title: str
    message: str
    # On the board's one severity scale (``viewmodel.severity``): what the line's glyph shows.
    level: Impact
    # Shown on its own even in a busy round (disagreements and probes: the user's own service).
    pinned: bool = False


def is_signal(event: ChangeEvent) -> bool:
    return event.source_id.startswith(SIGNAL_PREFIXES)


def _as_status(value: str | None) -> ComponentStatus | None:
    for status in COMPONENT_STATUSES:
        if status == value:
            return status
    return None


def event_impact(event: ChangeEvent) -> Impact:
    if event.kind in _SIGNAL_IMPACT:
        # The data layer's impact for these is a placeholder ("minor" on a disagreement).
        return _SIGNAL_IMPACT[event.kind]
    if event.kind == "component_status_changed":
        statuses = [s for s in (_as_status(event.old_status), _as_status(event.new_status)) if s]
        return worst_impact([impact_for_status(s) for s in statuses])
    # An incident whose impact the source did not give is still worth a word.
    return event.impact or "minor"


def touches_watchlist(event: ChangeEvent, overview: Overview) -> bool:
    watched = overview.watched
    if not watched or event.source_id in watched or is_signal(event):
        return True
    if event.component_id is not None:
        return any(
            watching.component_watched(c, watched)
            for c in overview.components
            if c.source_id == event.source_id and c.id == event.component_id
        )
    if event.incident_id is not None:
        for view in overview.open_incidents:
            if view.source_id == event.source_id and view.incident.id == event.incident_id:
                return watching.incident_watched(view, watched)
        # Resolved incidents left the open list; the stream still knows their regions.
        components = watching.incident_components(overview)
        return any(
            watching.stream_item_watched(item, watched, components)
            for item in overview.stream
            if item.source_id == event.source_id and item.incident_id == event.incident_id
        )
    return False


def debounce_key(event: ChangeEvent) -> DebounceKey:
    if is_signal(event):
        # A probe's "down" must not swallow its "up" (hysteresis already stops flapping).
        return (event.source_id, event.kind, "")
    return (event.source_id, event.incident_id or "", event.component_id or "")


def _superseded(events: list[ChangeEvent]) -> set[str]:
    """Probes whose ``probe_down`` a disagreement of the same round already tells."""
    return {e.source_id for e in events if e.kind == "disagreement_started"}


def select(
    events: Iterable[ChangeEvent],
    overview: Overview,
    policy: NotifyPolicy,
    last_sent: Mapping[DebounceKey, datetime],
    now: datetime,
) -> tuple[list[ChangeEvent], dict[DebounceKey, datetime]]:
    """The events to notify about, and the debounce state to keep for next time."""
    sent = dict(last_sent)
    window = timedelta(seconds=policy.debounce_seconds)
    chosen: list[ChangeEvent] = []
    events = list(events)
    superseded = _superseded(events)
    for event in events:
        if event.kind not in NOTIFYING_KINDS:
            continue
        if event.kind == "probe_down" and event.source_id in superseded:
            continue
        if impact_rank(event_impact(event)) < impact_rank(policy.min_impact):
            continue
        if not touches_watchlist(event, overview):
            continue
        key = debounce_key(event)
        previous = sent.get(key)
        if previous is not None and now - previous < window:
            continue
        sent[key] = now
        chosen.append(event)
    # Forget what can no longer suppress anything, so the map does not grow forever.
    return chosen, {k: v for k, v in sent.items() if now - v < window}


def _provider_name(event: ChangeEvent, overview: Overview) -> str:
    for source in overview.sources:
        if source.id == event.source_id:
            return source.name
    return event.source_id


def describe(event: ChangeEvent, overview: Overview, *, ascii_only: bool = False) -> Notice:
    notice = _describe(event, overview)
    if not ascii_only:
        return notice
    return Notice(
        notice.title.replace(" · ", " - ").replace("≠", "!="),
        notice.message.replace(" → ", " -> "),
        notice.level,
        notice.pinned,
    )


def _describe_signal(event: ChangeEvent) -> Notice:
    if event.kind == "disagreement_started":
        # "It's probably you" is the urgent direction; "the outage may not reach you" is news.
        urgent = event.new_status == "probe_down_provider_ok"
        return Notice("≠ Disagreement", event.title, "critical" if urgent else "major", True)
    if event.kind == "probe_down":
        return Notice("Probe down", event.title, "critical", True)
    if event.kind == "probe_up":
        return Notice("Probe up", event.title, "none", True)
    return Notice("Possible common cause (a hint)", event.title, "minor")


def _word(status: str | None) -> str:
    """A component status in the board's words ('partial_outage' reads 'MAJOR')."""
    if status is None:
        return "new"  # first seen, already unwell
    found = _as_status(status)
    return "?" if found is None else severity.LOOKS[severity.level_of_status(found)].word


def _describe(event: ChangeEvent, overview: Overview) -> Notice:
    if event.kind in _SIGNAL_IMPACT:
        return _describe_signal(event)
    provider = _provider_name(event, overview)
    impact = event_impact(event)
    if event.kind == "incident_opened":
        return Notice(f"New incident · {provider}", event.title, impact)
    if event.kind == "incident_resolved":
        how = " (no longer listed)" if event.inferred else ""
        return Notice(f"Resolved{how} · {provider}", event.title, "none")
    if event.kind == "component_status_changed":
        change = f"{_word(event.old_status)} → {_word(event.new_status)}"
        new = _as_status(event.new_status)
        level = severity.level_of_status(new) if new is not None else "unknown"
        return Notice(provider, f"{event.title}: {change}", level)
    change = f"now {event.new_status.replace('_', ' ')}" if event.new_status else "updated"
    return Notice(f"Incident {change} · {provider}", event.title, impact)


def arrange(notices: list[Notice]) -> list[Notice]:
    """Pinned notices one by one, first; the rest as they are, or summarised when too many."""
    pinned = [n for n in notices if n.pinned]
    rest = [n for n in notices if not n.pinned]
    if len(rest) > SUMMARY_THRESHOLD:
        rest = [summarise(rest)]
    return pinned + rest


def summarise(notices: list[Notice]) -> Notice:
    titles = "; ".join(n.message for n in notices[:3])
    more = f"; and {len(notices) - 3} more" if len(notices) > 3 else ""
    level = severity.worst([n.level for n in notices])
    return Notice(f"{len(notices)} changes", titles + more, level)


# --- desktop notifications ---------------------------------------------------------------------

DesktopFlavour = Literal["osc9", "osc777"]


def sanitise(text: str, limit: int = 200) -> str:
    """Make text safe inside an OSC string: the one sanitiser's single line (no control, format
    or escape character: defence in depth, since model text is already clean), and no ';' (the
    OSC separator)."""
    return clean_line(text, limit).replace(";", " ").strip()


def desktop_flavour(environ: Mapping[str, str] | None = None) -> DesktopFlavour:
    env = os.environ if environ is None else environ
    program = env.get("TERM_PROGRAM", "").lower()
    term = env.get("TERM", "").lower()
    if program == "ghostty" or term.startswith(("foot", "rxvt", "xterm-ghostty")):
        return "osc777"
    return "osc9"


def desktop_sequence(title: str, body: str, flavour: DesktopFlavour) -> str:
    if flavour == "osc777":
        return f"\x1b]777;notify;{sanitise(title)};{sanitise(body)}\x07"
    return f"\x1b]9;{sanitise(f'{title}: {body}')}\x07"


class _Writer(Protocol):
    def write(self, data: str) -> None: ...


def emit(
    notice: Notice,
    *,
    bell: Callable[[], None] | None,
    desktop_writer: _Writer | None,
    flavour: DesktopFlavour = "osc9",
) -> None:
    """Beyond the notification line: the terminal bell and a desktop notification (OSC 9/777,
    which reach the user's own terminal across SSH), when the user asked for them."""
    if bell is not None:
        bell()
    if desktop_writer is not None:
        desktop_writer.write(desktop_sequence(notice.title, notice.message, flavour))
