"""Generic RSS/Atom parser on hand-written fixtures (tests/fixtures/rss)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.conftest import FIXTURES
from watchtui.domain.errors import FeedError
from watchtui.domain.model import Incident, Maintenance, Snapshot
from watchtui.domain.text import is_safe
from watchtui.sources import rss

DIR = FIXTURES / "rss"


def _parse(name: str) -> Snapshot:
    return rss.parse((DIR / name).read_bytes())


def _utc(
    year: int,
    month: int,
    day: int,
    hour: int = 0,
    minute: int = 0,
    second: int = 0,
    microsecond: int = 0,
) -> datetime:
    return datetime(year, month, day, hour, minute, second, microsecond, tzinfo=UTC)


def _by_id(snapshot: Snapshot, suffix: str) -> Incident:
    found = [i for i in (*snapshot.incidents, *snapshot.maintenances) if i.id.endswith(suffix)]
    assert len(found) == 1, [i.id for i in found]
    return found[0]


# --- Statuspage history.atom -------------------------------------------------------------------


def test_atom_page_fields() -> None:
    snap = _parse("statuspage_history.atom")
    assert snap.kind == "rss"
    assert snap.page_name == "Example Status - Incident History"
    assert snap.page_url == "https://status.example.com"  # rel=alternate, not rel=self
    assert snap.updated_at == _utc(2020, 1, 2, 8, 0, 0)
    assert snap.page_status.indicator is None  # a history feed claims nothing about "now"
    assert len(snap.incidents) == 2
    assert len(snap.maintenances) == 2


def test_updates_split_newest_first_with_year_rollover() -> None:
    incident = _by_id(_parse("statuspage_history.atom"), "Incident/8")
    assert [u.status for u in incident.updates] == ["resolved", "update", "investigating"]
    # Published 2020-01-01: the December updates belong to 2019.
    assert [u.at for u in incident.updates] == [
        _utc(2020, 1, 1, 1, 0),
        _utc(2019, 12, 31, 23, 30),
        _utc(2019, 12, 31, 22, 0),
    ]
    assert incident.started_at == _utc(2019, 12, 31, 22, 0)
    assert incident.resolved_at == _utc(2020, 1, 1, 1, 0)
    assert incident.status == "resolved"
    assert incident.impact == "minor"
    assert incident.url == "https://status.example.com/incidents/roll"
    assert [u.id for u in incident.updates] == [
        "tag:status.example.com,2005:Incident/8#3",
        "tag:status.example.com,2005:Incident/8#2",
        "tag:status.example.com,2005:Incident/8#1",
    ]


def test_non_status_strong_label_is_not_an_update_boundary() -> None:
    incident = _by_id(_parse("statuspage_history.atom"), "Incident/8")
    assert len(incident.updates) == 3
    assert incident.updates[1].text == "Still looking. Impact is limited to the API."
    maintenance = _by_id(_parse("statuspage_history.atom"), "Incident/9")
    assert len(maintenance.updates) == 2
    assert maintenance.updates[0].text == "The window moved.\n\nImpact\nBrief packet loss."
    assert maintenance.updates[1].text == "Routers will be upgraded.\n\nRequired Action\nNone."


def test_future_maintenance_uses_schedule_header_and_stays_open() -> None:
    maintenance = _by_id(_parse("statuspage_history.atom"), "Incident/9")
    assert isinstance(maintenance, Maintenance)
    assert maintenance.impact == "maintenance"
    # Newest label is "Update": the real state is the Scheduled one below it.
    assert maintenance.status == "scheduled"
    assert maintenance.is_open
    # Published (2020-01-05) lies after updated (2019-12-20): updates are placed around updated.
    assert [u.at for u in maintenance.updates] == [
        _utc(2019, 12, 20, 10, 15),
        _utc(2019, 12, 18, 9, 0),
    ]
    assert maintenance.scheduled_for == _utc(2020, 1, 5, 22, 0)
    assert maintenance.scheduled_until == _utc(2020, 1, 6, 2, 0)
    assert maintenance.updated_at == _utc(2019, 12, 20, 10, 15, 2)


def test_completed_maintenance_is_closed_at_completion() -> None:
    maintenance = _by_id(_parse("statuspage_history.atom"), "Incident/6")
    assert isinstance(maintenance, Maintenance)
    assert [u.status for u in maintenance.updates] == [
        "completed",
        "verifying",
        "in_progress",
        "scheduled",
    ]
    assert maintenance.status == "completed"
    assert maintenance.resolved_at == _utc(2019, 12, 8, 4, 0)
    assert maintenance.started_at == _utc(2019, 12, 1, 17, 0)
    assert maintenance.scheduled_for is None  # no schedule header once it has run


def test_postmortem_keeps_the_resolution_time() -> None:
    incident = _by_id(_parse("statuspage_history.atom"), "Incident/7")
    assert incident.status == "postmortem"
    assert incident.resolved_at == _utc(2019, 12, 10, 12, 0)
    assert incident.updates[0].at == _utc(2019, 12, 12, 9, 0)
    assert incident.updated_at == _utc(2019, 12, 12, 9, 0)


# --- local offsets ----------------------------------------------------------------------------


def test_pst_and_pdt_labels_convert_to_utc() -> None:
    snap = _parse("local_offsets.atom")
    assert snap.updated_at == _utc(2019, 11, 23, 8, 0, 2)
    pst = _by_id(snap, "Incident/5")
    assert [u.at for u in pst.updates] == [
        _utc(2019, 11, 21, 2, 5),
        _utc(2019, 11, 21, 1, 47),
        _utc(2019, 11, 21, 1, 0),
    ]
    pdt = _by_id(snap, "Incident/4")
    assert pdt.resolved_at == _utc(2019, 10, 29, 22, 1)
    assert pdt.started_at == _utc(2019, 10, 29, 21, 6)
    assert pdt.updated_at == _utc(2019, 10, 29, 22, 1, 45)


def test_update_after_monitoring_keeps_incident_open() -> None:
    incident = _by_id(_parse("local_offsets.atom"), "Incident/5")
    assert incident.status == "monitoring"
    assert incident.resolved_at is None
    assert incident.impact == "minor"


def test_unknown_zone_falls_back_to_the_entry_offset() -> None:
    incident = _by_id(_parse("local_offsets.atom"), "Incident/3")
    # "XYZT" is unknown; the entry's timestamps are -07:00.
    assert incident.updates[0].at == _utc(2019, 10, 2, 16, 30)


# --- Statuspage history.rss -------------------------------------------------------------------


def test_rss_flavour_entity_escaped_description() -> None:
    snap = _parse("statuspage_history.rss")
    assert snap.page_name == "Example Status - Incident History"
    assert snap.page_url == "http://status.example.com"
    assert snap.updated_at == _utc(2020, 1, 11, 11, 57, 20)  # channel pubDate, no lastBuildDate
    incident = snap.incidents[0]
    assert incident.id == "https://status.example.com/incidents/nyc3"
    assert incident.url == "https://status.example.com/incidents/nyc3"
    assert incident.status == "identified"
    assert incident.is_open
    assert [u.text for u in incident.updates] == [
        "We've found the cause & are fixing it.",
        "We're investigating Spaces errors.",
    ]
    assert incident.updates[1].at == _utc(2020, 1, 8, 4, 6)


def test_rss_in_progress_maintenance_is_open() -> None:
    snap = _parse("statuspage_history.rss")
    [maintenance] = snap.maintenances
    assert maintenance.status == "in_progress"
    assert maintenance.is_open
    assert maintenance.started_at == _utc(2020, 1, 7, 23, 59)
    assert snap.derived_impact == "minor"  # the open incident outranks the maintenance


# --- generic feeds ----------------------------------------------------------------------------


def test_generic_rss_openness_rules() -> None:
    snap = _parse("generic.rss")
    assert snap.page_name == "Acme Cloud status"
    assert snap.updated_at == _utc(2026, 6, 2, 8, 5)  # +02:00 converted
    ids = [i.id for i in snap.incidents]
    # The undated item is left out (and recorded); the duplicate guid merges: the newer copy wins.
    assert ids == ["acme-42", "acme-41", "acme-40", "https://status.acme.example/posts/39"]
    assert [(d.what, d.id) for d in snap.dropped] == [("incident", "acme-undated")]
    newest, login, dashboard, webhooks = snap.incidents
    assert newest.is_open and newest.status == "update" and newest.impact == "minor"
    assert newest.started_at == _utc(2026, 6, 2, 7, 30)
    assert login.resolved_at == _utc(2026, 6, 1, 18, 0) and login.status == "resolved"
    assert dashboard.resolved_at == _utc(2026, 5, 31, 12, 0) and dashboard.status == "resolved"
    # Superseded by newer posts: closed at its own date, status left as "update".
    assert webhooks.resolved_at == _utc(2026, 5, 30, 12, 0) and webhooks.status == "update"
    assert webhooks.title == "Webhook delays"
    assert [i.title for i in snap.open_incidents] == ["Elevated API error rates"]


def test_generic_rss_body_and_links() -> None:
    snap = _parse("generic.rss")
    newest, login, _, webhooks = snap.incidents
    # content:encoded wins over description.
    assert newest.updates[0].text == (
        "We are investigating elevated error rates.\n\nNext update in 30 minutes."
    )
    assert login.url is None  # javascript: link refused
    assert webhooks.url == "https://status.acme.example/posts/39"  # permalink guid


def test_generic_atom_content_kinds() -> None:
    snap = _parse("generic.atom")
    assert snap.page_url == "https://status.widget.example/"
    assert snap.updated_at == _utc(2026, 3, 4, 11, 0)
    paused, completed, search = snap.incidents
    assert paused.updates[0].text == "Jobs are paused.\n\nData is safe & queued."
    assert paused.is_open
    assert paused.started_at == _utc(2026, 3, 4, 10, 45)  # no <published>: <updated>
    assert completed.status == "resolved"
    assert completed.resolved_at == _utc(2026, 3, 1, 8, 0)
    assert completed.updated_at == _utc(2026, 3, 1, 9, 0)
    assert completed.updates[0].text == "Upgrade finished <b>as text</b>."  # type=text is literal
    assert search.resolved_at == _utc(2026, 2, 20, 8, 0)
    assert search.url is None


def test_empty_channel_is_a_snapshot_without_incidents() -> None:
    snap = _parse("empty.rss")
    assert snap.page_name == "Quiet Status - Incident History"
    assert snap.incidents == () and snap.maintenances == ()
    assert snap.updated_at == _utc(2026, 6, 3)
    assert snap.derived_impact == "none"


# --- hostile input ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "error_page.html",
        "error_page_wellformed.html",
        "truncated.atom",
        "billion_laughs.xml",
        "external_entity.xml",
        "not_a_feed.xml",
        "random.bin",
    ],
)
def test_refuses_non_feeds(name: str) -> None:
    with pytest.raises(FeedError) as caught:
        _parse(name)
    assert caught.value.kind == "rss"


def test_empty_body_and_json_are_errors() -> None:
    for data in (b"", b'{"status": "ok"}', b"<rss version='2.0'/>"):
        with pytest.raises(FeedError):
            rss.parse(data)


def test_malformed_date_loses_only_that_entry() -> None:
    raw = (DIR / "generic.rss").read_bytes()
    whole = rss.parse(raw)
    snap = rss.parse(raw.replace(b"Tue, 02 Jun 2026 09:30:00 +0200", b"not a date"))
    assert [i.id for i in snap.incidents] == [i.id for i in whole.incidents if i.id != "acme-42"]
    [dropped] = [d for d in snap.dropped if d not in whole.dropped]
    assert (dropped.what, dropped.id) == ("incident", "acme-42")
    assert dropped.reason == "pubDate 'not a date' is not a usable time"


def _history_entry(*paragraphs: tuple[str, str, str]) -> bytes:
    """An Atom history entry whose update paragraphs are (month day, time, label), newest first."""
    body = "".join(
        f"&lt;p&gt;&lt;small&gt;{day.split()[0]} &lt;var data-var='date'&gt;{day.split()[1]}"
        f"&lt;/var&gt;, &lt;var data-var='time'&gt;{at}&lt;/var&gt; UTC&lt;/small&gt;&lt;br&gt;"
        f"&lt;strong&gt;{label}&lt;/strong&gt; - {label} text.&lt;/p&gt;"
        for day, at, label in paragraphs
    )
    return f"""<?xml version="1.0"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>x</title>
<entry><id>e1</id><title>T</title><updated>2024-03-05T00:00:00Z</updated>
<content type="html">{body}</content></entry></feed>""".encode()


def test_impossible_update_paragraph_loses_only_itself() -> None:
    data = _history_entry(
        ("Mar 4", "12:00", "Resolved"),
        ("Feb 30", "10:00", "Monitoring"),
        ("Mar 4", "09:00", "Investigating"),
        ("Mar 4", "08:00", "Investigating"),
    )
    [incident] = rss.parse(data).incidents
    # Ids count from the oldest paragraph, so the survivors keep theirs.
    assert [u.id for u in incident.updates] == ["e1#4", "e1#2", "e1#1"]
    assert incident.started_at == _utc(2024, 3, 4, 8, 0)
    assert incident.resolved_at == _utc(2024, 3, 4, 12, 0)
    [dropped] = rss.parse(data).dropped
    assert (dropped.what, dropped.id) == ("update", "e1#3")
    assert dropped.reason == "date 2/30 10:00 is impossible (in entry e1)"


def test_entry_with_no_placeable_paragraph_is_dropped() -> None:
    snap = rss.parse(_history_entry(("Foo 4", "12:00", "Resolved"), ("Feb 31", "10:00", "Update")))
    assert snap.incidents == ()
    # The entry is recorded once, not also each of its paragraphs.
    assert [(d.what, d.id, d.reason) for d in snap.dropped] == [
        ("incident", "e1", "no update date could be placed")
    ]


def test_escape_in_xml_is_refused() -> None:
    # XML 1.0 forbids ESC even as a character reference, so it never reaches the model.
    for evil in ("\x1b[31m", "&#x1b;[31m"):
        data = f"<rss version='2.0'><channel><title>{evil}</title></channel></rss>".encode()
        with pytest.raises(FeedError):
            rss.parse(data)


def test_hostile_text_is_cleaned() -> None:
    # C1 controls (CSI/OSC) are legal XML 1.0 characters; bidi and zero-width marks too.
    evil = "\u202eTitle\u200b\u2066x\u2069\x9b31m\x9d0;owned\x9c"
    data = f"""<?xml version="1.0"?>
<rss version="2.0"><channel><title>{evil}</title>
<item><title>{evil}</title><guid isPermaLink="false">a\u200bb</guid>
<pubDate>Mon, 01 Jun 2026 18:00:00 +0000</pubDate>
<description>&lt;script&gt;alert(1)&lt;/script&gt;&lt;p&gt;{evil}&lt;/p&gt;</description>
</item></channel></rss>""".encode()
    snap = rss.parse(data)
    incident = snap.incidents[0]
    for text in (snap.page_name or "", incident.title, incident.id, incident.updates[0].text):
        assert is_safe(text)
    assert snap.page_name == "Titlex"
    assert incident.title == "Titlex"
    assert incident.id == "ab"
    assert incident.updates[0].text == "Titlex"


def test_february_29_update_finds_a_leap_year() -> None:
    html = (
        "&lt;p&gt;&lt;small&gt;Feb &lt;var data-var='date'&gt;29&lt;/var&gt;, "
        "&lt;var data-var='time'&gt;10:00&lt;/var&gt; UTC&lt;/small&gt;&lt;br&gt;"
        "&lt;strong&gt;Resolved&lt;/strong&gt; - Fine.&lt;/p&gt;"
    )
    data = f"""<?xml version="1.0"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>x</title>
<entry><id>leap</id><title>Leap</title><updated>2024-03-01T00:00:00Z</updated>
<content type="html">{html}</content></entry></feed>""".encode()
    [incident] = rss.parse(data).incidents
    assert incident.resolved_at == _utc(2024, 2, 29, 10, 0)
