"""Which change events deserve a notification, and how to raise one.

The policy is a pure function (``select``) so it is tested without a terminal:

* only incidents opening, changing status or resolving, and components changing status notify
  (new updates already show as unread rows in the stream; source health has its own strip);
* with a non-empty watchlist, only events touching it (see ``watchtui.ui.watching``);
* nothing below the minimum impact (a component recovering counts with the impact it recovers
  from, so "back to operational" is announced as loudly as the outage was);
* debounce: one notification per source + incident/component within ``debounce_seconds``, so a
  flapping source does not spam.

Emission goes through Textual's toast (``markup=False``: titles are remote text), an optional bell
and an optional desktop notification via OSC 9 (iTerm2, WezTerm, Windows Terminal, kitty, …) or
OSC 777 (foot, urxvt, Ghostty, …) written raw to the terminal.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, Protocol

from watchtui.events import ChangeEvent, EventKind
from watchtui.model import (
    COMPONENT_STATUSES,
    ComponentStatus,
    Impact,
    impact_for_status,
    impact_rank,
    worst_impact,
)
from watchtui.ui import watching
from watchtui.view import Overview

Severity = Literal["information", "warning", "error"]
DebounceKey = tuple[str, str, str]

NOTIFYING_KINDS: frozenset[EventKind] = frozenset(
    {"incident_opened", "incident_updated", "incident_resolved", "component_status_changed"}
)
# More than this many notices in one round become a single summary toast.
SUMMARY_THRESHOLD = 4


@dataclass(frozen=True)
class NotifyPolicy:
    min_impact: Impact = "minor"
    debounce_seconds: float = 30.0


@dataclass(frozen=True)
class Notice:
    title: str
    message: str
    severity: Severity


def _as_status(value: str | None) -> ComponentStatus | None:
    for status in COMPONENT_STATUSES:
        if status == value:
            return status
    return None


def event_impact(event: ChangeEvent) -> Impact:
    if event.kind == "component_status_changed":
        statuses = [s for s in (_as_status(event.old_status), _as_status(event.new_status)) if s]
        return worst_impact([impact_for_status(s) for s in statuses])
    # An incident whose impact the source did not give is still worth a word.
    return event.impact or "minor"


def touches_watchlist(event: ChangeEvent, overview: Overview) -> bool:
    watched = overview.watched
    if not watched or event.source_id in watched:
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
    return (event.source_id, event.incident_id or "", event.component_id or "")


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
    for event in events:
        if event.kind not in NOTIFYING_KINDS:
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
        notice.title.replace(" · ", " - "), notice.message.replace(" → ", " -> "), notice.severity
    )


def _describe(event: ChangeEvent, overview: Overview) -> Notice:
    provider = _provider_name(event, overview)
    impact = event_impact(event)
    severity: Severity = "error" if impact_rank(impact) >= impact_rank("major") else "warning"
    if event.kind == "incident_opened":
        return Notice(f"New incident · {provider}", event.title, severity)
    if event.kind == "incident_resolved":
        how = " (no longer listed)" if event.inferred else ""
        return Notice(f"Resolved{how} · {provider}", event.title, "information")
    if event.kind == "component_status_changed":
        change = f"{event.old_status or '?'} → {event.new_status or '?'}"
        recovered = event.new_status == "operational"
        return Notice(
            provider, f"{event.title}: {change}", "information" if recovered else severity
        )
    change = f"now {event.new_status}" if event.new_status else "updated"
    return Notice(f"Incident {change} · {provider}", event.title, severity)


def summarise(notices: list[Notice]) -> Notice:
    severity: Severity = "information"
    for notice in notices:
        if notice.severity == "error" or (notice.severity == "warning" and severity != "error"):
            severity = notice.severity
    titles = "\n".join(n.message for n in notices[:3])
    more = f"\n... and {len(notices) - 3} more" if len(notices) > 3 else ""
    return Notice(f"{len(notices)} changes", titles + more, severity)


# --- desktop notifications ---------------------------------------------------------------------

_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f;]")
DesktopFlavour = Literal["osc9", "osc777"]


def sanitise(text: str, limit: int = 200) -> str:
    """Make text safe inside an OSC string: no ESC/BEL/C0/C1 (terminators) and no ';'."""
    return _UNSAFE.sub(" ", text)[:limit].strip()


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


class _Notifier(Protocol):
    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: Severity = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None: ...

    def bell(self) -> None: ...


def emit(
    app: _Notifier,
    notice: Notice,
    *,
    bell: bool,
    desktop_writer: _Writer | None,
    flavour: DesktopFlavour = "osc9",
) -> None:
    app.notify(notice.message, title=notice.title, severity=notice.severity, markup=False)
    if bell:
        app.bell()
    if desktop_writer is not None:
        desktop_writer.write(desktop_sequence(notice.title, notice.message, flavour))
