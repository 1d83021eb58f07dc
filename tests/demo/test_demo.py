"""The demo scenario: real wire formats, a coherent story, stable bytes, demo-only names."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from watchtui import config
from watchtui.demo import (
    DEMO_PROBES,
    DEMO_SOURCES,
    PEAK_STEP,
    STEPS,
    DemoSource,
    Payload,
    Scenario,
)
from watchtui.demo.app import DemoFeed, SteppedClock, replay
from watchtui.demo.config import demo_config
from watchtui.demo.server import DemoServer
from watchtui.domain import regions
from watchtui.domain.errors import FeedError
from watchtui.domain.model import Incident, Snapshot
from watchtui.engine.engine import Engine
from watchtui.sources import parse_payload
from watchtui.store import Store

START = datetime(2026, 3, 10, 17, 0, tzinfo=UTC)
BY_PATH: dict[str, DemoSource] = {p: s for s in DEMO_SOURCES for p in s.paths}
# Which region taxonomy each source's codes belong to (the CDN names Cloudflare-style colos).
TAXONOMY = {"aws": "aws", "gcp": "gcp", "azure": "azure", "statuspage": "cloudflare"}

# The story, written down independently of the module: the steps at which each path's bytes
# change.  Every other step must serve byte-identical payloads so ETag/304 can be seen working.
CHANGES: dict[str, set[int]] = {
    "/demo-aws/public/currentevents": {1, 2, 4, 6, 8, 10, 12},
    "/demo-gcp/incidents.json": {2, 5, 7, 10},
    "/demo-azure/en-us/status/feed/": {3, 5, 8},
    "/demo-git/api/v2/summary.json": {3, 5, 8, 11},
    "/demo-git/api/v2/incidents.json": {3, 5, 8, 11},
    "/demo-edge/api/v2/summary.json": {2, 4, 7, 10},
    "/demo-edge/api/v2/incidents.json": {2, 4, 7, 10},
    "/demo-pay/api/v2/summary.json": {4, 6, 9, 12},
    "/demo-pay/api/v2/incidents.json": {4, 6, 9, 12},
    "/demo-chat/api/v2.0.0/current": set(),
    "/demo-chat/api/v2.0.0/history": set(),
    "/demo-deploy/history.rss": {3, 4, 7, 8, 11, 13},
    "/probe/demo-pay-cards": {1, 9},
    "/probe/demo-edge-pdx": set(),
    "/probe/demo-git-api": {12, 13},
}
FAULTS = {("/demo-deploy/history.rss", 3), ("/demo-deploy/history.rss", 7)}
# The probes' targets, written down from the story: the steps at which each answers 500.
PROBE_FAILS: dict[str, set[int]] = {
    "/probe/demo-pay-cards": {1, 2, 3, 4, 5, 6, 7, 8},
    "/probe/demo-edge-pdx": set(),
    "/probe/demo-git-api": {12},
}


def feed_payloads(scenario: Scenario, step: int) -> dict[str, Payload]:
    """The status-feed payloads of ``step`` (the probes' targets left out)."""
    return {p: v for p, v in scenario.payloads(step).items() if p in BY_PATH}


def parse(path: str, payload: Payload) -> Snapshot:
    return parse_payload(BY_PATH[path].kind, payload.body, {"Content-Type": payload.content_type})


def snapshots(scenario: Scenario, step: int) -> Iterator[tuple[DemoSource, Snapshot]]:
    for path, payload in feed_payloads(scenario, step).items():
        if not payload.fault:
            yield BY_PATH[path], parse(path, payload)


def open_incidents(scenario: Scenario, step: int) -> dict[tuple[str, str], tuple[str, Incident]]:
    """Open incidents keyed by (source, id): summary and history list the same ones."""
    found: dict[tuple[str, str], tuple[str, Incident]] = {}
    for source, snap in snapshots(scenario, step):
        for incident in snap.open_incidents:
            found[(source.id, incident.id)] = (source.kind, incident)
    return found


def geography(kind: str, code: str) -> str | None:
    region = regions.lookup(TAXONOMY[kind], code) if kind in TAXONOMY else None
    return region.geography if region else None


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return Scenario(START)


# --- wire formats ------------------------------------------------------------------------------


def test_every_step_serves_every_path(scenario: Scenario) -> None:
    for step in range(scenario.steps):
        assert set(scenario.payloads(step)) == set(BY_PATH) | set(PROBE_FAILS) == set(CHANGES)


def test_every_payload_parses_with_its_kind(scenario: Scenario) -> None:
    parsed = 0
    for step in range(scenario.steps):
        for path, payload in feed_payloads(scenario, step).items():
            if (path, step) in FAULTS:
                continue
            assert payload.status == 200
            assert not payload.fault
            snap = parse(path, payload)
            assert snap.kind == BY_PATH[path].kind
            parsed += 1
    assert parsed == STEPS * len(BY_PATH) - len(FAULTS)


def test_fault_steps_are_flagged_and_unparseable(scenario: Scenario) -> None:
    seen = set()
    for step in range(scenario.steps):
        for path, payload in feed_payloads(scenario, step).items():
            if payload.fault:
                seen.add((path, step))
                assert payload.content_type.startswith("text/html")
                assert payload.body.lstrip().lower().startswith((b"<html", b"<!doctype html"))
                with pytest.raises(FeedError):
                    parse(path, payload)
    assert seen == FAULTS
    assert scenario.payloads(3)["/demo-deploy/history.rss"].status == 503
    assert scenario.payloads(7)["/demo-deploy/history.rss"].status == 200


def test_probe_targets_follow_their_schedule(scenario: Scenario) -> None:
    for step in range(scenario.steps):
        payloads = scenario.payloads(step)
        for path, failing in PROBE_FAILS.items():
            payload = payloads[path]
            assert payload.content_type.startswith("text/plain"), (path, step)
            if step in failing:
                assert (payload.status, payload.fault) == (500, True), (path, step)
                assert payload.body != b"ok\n"
            else:
                assert (payload.status, payload.fault, payload.body) == (200, False, b"ok\n")


def test_card_probe_fails_before_demo_pay_admits_it(scenario: Scenario) -> None:
    """The disagreement the demo shows: the probe fails while Demo Pay reports Card Payments
    operational (steps 1-3), then both agree, then both recover at step 9."""
    path = "/demo-pay/api/v2/summary.json"
    for step in range(scenario.steps):
        snap = parse(path, scenario.payloads(step)[path])
        cards = next(c for c in snap.components if c.name == "Card Payments")
        probe_down = scenario.payloads(step)["/probe/demo-pay-cards"].status == 500
        provider_down = cards.status != "operational"
        if step in (1, 2, 3):
            assert probe_down and not provider_down, step
        else:
            assert probe_down == provider_down, step


def test_edge_reports_pdx_out_while_its_probe_is_up(scenario: Scenario) -> None:
    path = "/demo-edge/api/v2/summary.json"
    outage_steps = []
    for step in range(scenario.steps):
        snap = parse(path, scenario.payloads(step)[path])
        pdx = next(c for c in snap.components if "(PDX)" in c.name)
        if pdx.status in ("partial_outage", "major_outage"):
            outage_steps.append(step)
        assert scenario.payloads(step)["/probe/demo-edge-pdx"].status == 200
    assert outage_steps == [2, 3, 4, 5, 6]


def test_aws_is_utf16be_with_bom(scenario: Scenario) -> None:
    body = scenario.payloads(2)["/demo-aws/public/currentevents"].body
    assert body[:2] == b"\xfe\xff"
    assert body[2:].decode("utf-16-be").startswith('[{"date":')
    assert scenario.payloads(0)["/demo-aws/public/currentevents"].body == b"\xfe\xff\x00[\x00]"


def test_statuspage_bodies_carry_html(scenario: Scenario) -> None:
    raw = scenario.payloads(PEAK_STEP)["/demo-git/api/v2/summary.json"].body
    assert b"<strong>" in raw
    snap = parse(
        "/demo-git/api/v2/summary.json",
        scenario.payloads(PEAK_STEP)["/demo-git/api/v2/summary.json"],
    )
    texts = [u.text for i in snap.incidents for u in i.updates]
    assert any("Linux runners in US West" in t for t in texts)
    assert not any("<strong>" in t for t in texts)


def test_grouped_page_names_components_without_group_prefix(scenario: Scenario) -> None:
    path = "/demo-edge/api/v2/summary.json"
    snap = parse(path, scenario.payloads(4)[path])
    assert b"North America - Portland, OR, United States - (PDX)" in scenario.payloads(4)[path].body
    by_name = {c.name: c for c in snap.components}
    assert by_name["Portland, OR, United States - (PDX)"].group == "North America"
    assert by_name["Portland, OR, United States - (PDX)"].status == "major_outage"
    assert by_name["Seattle, WA, United States - (SEA)"].status == "degraded"
    (incident,) = snap.incidents
    assert "Portland, OR, United States - (PDX)" in incident.components
    assert len(snap.maintenances) == 1 and snap.maintenances[0].status == "scheduled"


# --- the story ---------------------------------------------------------------------------------


def test_quiet_start(scenario: Scenario) -> None:
    assert open_incidents(scenario, 0) == {}
    for _source, snap in snapshots(scenario, 0):
        assert all(c.status == "operational" for c in snap.components)


def test_peak_is_a_us_west_outage_across_providers(scenario: Scenario) -> None:
    found = open_incidents(scenario, PEAK_STEP)
    us_west = {
        key
        for key, (kind, incident) in found.items()
        if any(geography(kind, code) == "us-west" for code in incident.regions)
    }
    assert len(us_west) >= 4
    assert len({source for source, _ in us_west}) >= 3
    # Every region code the scenario emits must resolve in the taxonomy, not fall to "Unmapped".
    for kind, incident in found.values():
        for code in incident.regions:
            assert geography(kind, code) is not None, (kind, code)
    # It is the peak: no other step has more open incidents.
    counts = [len(open_incidents(scenario, s)) for s in range(scenario.steps)]
    assert counts[PEAK_STEP] == max(counts)


def test_peak_regions_per_cloud(scenario: Scenario) -> None:
    regions_by_source = {
        source: set(incident.regions)
        for (source, _), (_, incident) in open_incidents(scenario, PEAK_STEP).items()
    }
    assert regions_by_source["demo-aws"] == {"us-west-2"}
    assert regions_by_source["demo-gcp"] == {"us-west1"}
    assert regions_by_source["demo-azure"] == {"West US 2"}
    assert "PDX" in regions_by_source["demo-edge"]


def test_last_step_everything_resolved(scenario: Scenario) -> None:
    last = scenario.steps - 1
    assert open_incidents(scenario, last) == {}
    for source, snap in snapshots(scenario, last):
        assert all(c.status == "operational" for c in snap.components), source.id
        assert not any(m.is_open and m.status == "in_progress" for m in snap.maintenances)
        assert snap.page_status.indicator in (None, "none"), source.id
    # Something did happen: every history endpoint still lists the scenario's incident, resolved.
    for source in DEMO_SOURCES:
        if source.kind == "statuspage" and source.history_path is not None:
            history = parse(source.history_path, scenario.payloads(last)[source.history_path])
            live = [i for i in history.incidents if i.started_at > START]
            assert len(live) == 1 and live[0].resolved_at is not None, source.id


@pytest.mark.parametrize("source_id", ["demo-git", "demo-edge", "demo-pay"])
def test_statuspage_incidents_walk_the_lifecycle(scenario: Scenario, source_id: str) -> None:
    path = next(s.history_path for s in DEMO_SOURCES if s.id == source_id)
    assert path is not None
    statuses: list[str] = []
    for step in range(scenario.steps):
        snap = parse(path, scenario.payloads(step)[path])
        live = [i for i in snap.incidents if i.started_at > START]
        if live:
            (incident,) = live
            if not statuses or statuses[-1] != incident.status:
                statuses.append(incident.status)
    assert statuses == ["investigating", "identified", "monitoring", "resolved"]
    last = parse(path, scenario.payloads(scenario.steps - 1)[path])
    (incident,) = [i for i in last.incidents if i.started_at > START]
    assert [u.status for u in incident.updates] == [
        "resolved",
        "monitoring",
        "identified",
        "investigating",
    ]


def test_clouds_open_and_close(scenario: Scenario) -> None:
    def open_in(source_id: str, step: int) -> int:
        return sum(1 for (s, _) in open_incidents(scenario, step) if s == source_id)

    assert [open_in("demo-aws", s) for s in range(12)] == [0] + [1] * 9 + [0, 0]
    assert [open_in("demo-gcp", s) for s in range(12)] == [0, 0] + [1] * 8 + [0, 0]
    assert [open_in("demo-azure", s) for s in range(10)] == [0, 0, 0] + [1] * 5 + [0, 0]
    azure_clear = parse(
        "/demo-azure/en-us/status/feed/",
        scenario.payloads(8)["/demo-azure/en-us/status/feed/"],
    )
    assert azure_clear.incidents == () and azure_clear.page_status.indicator == "none"
    aws_resolved = parse(
        "/demo-aws/public/currentevents", scenario.payloads(10)["/demo-aws/public/currentevents"]
    )
    (event,) = aws_resolved.incidents
    assert event.resolved_at is not None
    aws_gone = parse(
        "/demo-aws/public/currentevents", scenario.payloads(12)["/demo-aws/public/currentevents"]
    )
    assert aws_gone.incidents == ()


def test_gcp_incident_escalates_then_recovers(scenario: Scenario) -> None:
    path = "/demo-gcp/incidents.json"
    impacts = []
    for step in (2, 5, 7, 10):
        snap = parse(path, scenario.payloads(step)[path])
        live = [i for i in snap.incidents if i.started_at > START]
        (incident,) = live
        impacts.append((incident.impact, incident.status))
    assert impacts == [
        ("major", "investigating"),
        ("critical", "investigating"),
        ("critical", "monitoring"),
        ("critical", "resolved"),
    ]


def test_chat_stays_fine(scenario: Scenario) -> None:
    for step in range(scenario.steps):
        snap = parse(
            "/demo-chat/api/v2.0.0/current",
            scenario.payloads(step)["/demo-chat/api/v2.0.0/current"],
        )
        assert snap.page_status.indicator == "none" and snap.incidents == ()


def test_titles_read_as_plain_text(scenario: Scenario) -> None:
    """Newcomers read the demo's face: markup-like brackets or escape sequences would look like a
    rendering bug there.  Hostile text is tests/reliability/test_hostile_text.py's job."""
    titles = {
        incident.title
        for step in range(scenario.steps)
        for _source, snap in snapshots(scenario, step)
        for incident in (*snap.incidents, *snap.maintenances)
    }
    assert "Elevated card declines for merchants in US West" in titles
    for title in titles:
        assert not set(title) & set("[]<>"), title
    # The parsers strip escapes, so look for them in the bytes served.
    for step in range(scenario.steps):
        for path, payload in scenario.payloads(step).items():
            body = payload.body
            text = body[2:].decode("utf-16-be") if body[:2] == b"\xfe\xff" else body.decode()
            assert "\\u001b" not in text, (path, step)
            assert all(c in "\r\n\t" or unicodedata.category(c) != "Cc" for c in text), path


# --- stable bytes and determinism --------------------------------------------------------------


@pytest.mark.parametrize("step_seconds", [60, 8.0])
def test_bytes_change_only_when_the_story_moves(step_seconds: float) -> None:
    scenario = Scenario(START, step_seconds=step_seconds)
    previous = scenario.payloads(0)
    for step in range(1, scenario.steps):
        current = scenario.payloads(step)
        changed = {p for p in current if current[p] != previous[p]}
        expected = {p for p, steps in CHANGES.items() if step in steps}
        assert changed == expected, step
        previous = current


def test_same_start_same_bytes() -> None:
    a, b = Scenario(START), Scenario(START)
    for step in range(STEPS):
        assert a.payloads(step) == b.payloads(step)


def test_other_start_other_bytes() -> None:
    a, b = Scenario(START), Scenario(START + timedelta(hours=1))
    assert a.payloads(PEAK_STEP) != b.payloads(PEAK_STEP)


def test_start_is_normalised_to_utc() -> None:
    local = START.astimezone(timezone(timedelta(hours=-7)))
    assert Scenario(local).payloads(PEAK_STEP) == Scenario(START).payloads(PEAK_STEP)


def test_bad_arguments_are_rejected() -> None:
    with pytest.raises(ValueError):
        Scenario(datetime(2026, 3, 10, 17, 0))
    with pytest.raises(ValueError):
        Scenario(START, step_seconds=0)
    with pytest.raises(ValueError):
        Scenario(START, step_seconds=float("nan"))
    with pytest.raises(ValueError):
        Scenario(START).payloads(STEPS)
    with pytest.raises(ValueError):
        Scenario(START).payloads(-1)


# --- time consistency --------------------------------------------------------------------------


def _stamps(snap: Snapshot) -> Iterator[datetime]:
    if snap.updated_at is not None:
        yield snap.updated_at
    for incident in (*snap.incidents, *snap.maintenances):
        yield incident.started_at
        yield incident.updated_at
        if incident.resolved_at is not None:
            yield incident.resolved_at
        yield from (u.at for u in incident.updates)


@pytest.mark.parametrize("step_seconds", [60, 8.0, 2.5, 600])
def test_nothing_is_dated_in_the_future(step_seconds: float) -> None:
    scenario = Scenario(START, step_seconds=step_seconds)
    for step in range(scenario.steps):
        now = scenario.at(step)
        for source, snap in snapshots(scenario, step):
            for stamp in _stamps(snap):
                assert stamp <= now, (source.id, step, stamp, now)


@pytest.mark.parametrize("step_seconds", [60, 8.0, 2.5, 600])
def test_new_updates_are_dated_within_their_step(step_seconds: float) -> None:
    scenario = Scenario(START, step_seconds=step_seconds)
    # history.rss prints minutes only, so its updates may read up to a minute early.
    slack = timedelta(minutes=1)
    seen: set[tuple[str, str]] = set()
    fresh = 0
    for step in range(scenario.steps):
        for source, snap in snapshots(scenario, step):
            for incident in snap.incidents:
                for update in incident.updates:
                    key = (source.id, update.id)
                    if key in seen:
                        continue
                    seen.add(key)
                    if step == 0:
                        assert update.at <= scenario.at(0)
                        continue
                    fresh += 1
                    assert scenario.at(step - 1) - slack < update.at <= scenario.at(step), key
    assert fresh >= 25


def test_at_is_start_plus_steps() -> None:
    scenario = Scenario(START, step_seconds=30)
    assert scenario.at(0) == START
    assert scenario.at(4) == START + timedelta(minutes=2)
    assert len({scenario.caption(s) for s in range(scenario.steps)}) >= scenario.steps - 1


# --- clearly demo data -------------------------------------------------------------------------

_NAMESPACE_HOSTS = {"www.w3.org", "purl.org", "wellformedweb.org"}


def test_names_say_demo(scenario: Scenario) -> None:
    assert all(s.id.startswith("demo-") and s.name.startswith("Demo ") for s in DEMO_SOURCES)
    for source, snap in snapshots(scenario, PEAK_STEP):
        if source.kind in ("statuspage", "azure", "rss"):
            assert snap.page_name is not None and "(demo)" in snap.page_name, source.id


def test_every_link_is_on_a_reserved_domain(scenario: Scenario) -> None:
    for step in (0, PEAK_STEP, scenario.steps - 1):
        for payload in scenario.payloads(step).values():
            body = payload.body
            text = body[2:].decode("utf-16-be") if body[:2] == b"\xfe\xff" else body.decode()
            hosts = {urlsplit(u).hostname for u in re.findall(r"https?://[^\s\"'<>&]+", text)}
            hosts -= _NAMESPACE_HOSTS
            assert all(h is not None and h.endswith(".example") for h in hosts), hosts


# --- configuration -------------------------------------------------------------------------------


def test_config_declares_every_served_path() -> None:
    parsed = demo_config("http://127.0.0.1:8765/")
    # Only the demo's sources: no catalog provider is polled.
    assert parsed.watch.providers == []
    specs = config.resolve_sources(parsed)
    assert [s.id for s in specs] == [s.id for s in DEMO_SOURCES]
    assert all(s.interval == 15 and not s.from_catalog for s in specs)
    polled = {urlsplit(e.url).path for s in specs for e in s.endpoints}
    assert polled == set(BY_PATH)
    assert all(e.url.startswith("http://127.0.0.1:8765/demo-") for s in specs for e in s.endpoints)
    by_id = {s.id: s for s in specs}
    for source in DEMO_SOURCES:
        assert by_id[source.id].kind == source.kind
        assert by_id[source.id].name == source.name


def test_config_declares_the_probes() -> None:
    parsed = demo_config("http://127.0.0.1:8765/")
    probes = {p.id: p for p in parsed.probes}
    assert set(probes) == {"demo-pay-cards", "demo-edge-pdx", "demo-git-api"}
    assert len(DEMO_PROBES) == len(probes)
    for probe in probes.values():
        assert probe.type == "http"
        assert probe.target == f"http://127.0.0.1:8765/probe/{probe.id}"
        assert urlsplit(probe.target).path in PROBE_FAILS
        assert probe.interval == 15 and probe.timeout < probe.interval
    pay, edge, git = probes["demo-pay-cards"], probes["demo-edge-pdx"], probes["demo-git-api"]
    assert (pay.provider, pay.service, pay.region) == ("demo-pay", "Card Payments", "us-west")
    assert (pay.down_after, pay.up_after) == (1, 1)
    assert (edge.provider, edge.service, edge.region) == ("demo-edge", None, "PDX")
    assert (git.provider, git.service, git.region) == ("demo-git", "API Requests", None)
    # One failure in a row must not be enough: the step-12 blip is absorbed.
    assert git.down_after == 2 and len(PROBE_FAILS["/probe/demo-git-api"]) == 1
    # Every probe is tied to a demo source (parse_config rejects unknown providers).
    assert {p.provider for p in probes.values()} <= {s.id for s in DEMO_SOURCES}


# --- the probes through the real engine ----------------------------------------------------------


async def test_engine_shows_the_scripted_disagreements(tmp_path: Path) -> None:
    """Replayed through the real poller, probe runner and engine, the demo shows both kinds of
    disagreement where the story puts them, and the Git API blip never turns the probe down."""
    seen: dict[int, set[tuple[str, str]]] = {}
    states: dict[int, dict[str, str]] = {}
    with DemoServer() as server:
        feed = DemoFeed(server, 60, clock=lambda: START, loop=False)
        clock = SteppedClock(START)
        engine = Engine(Store.open(tmp_path / "demo.sqlite3"), feed.config(), clock=clock)
        try:
            for step in range(13):
                await replay_step(feed, engine, clock, step)
                overview = engine.overview()
                seen[step] = {(d.probe_id, d.kind) for d in overview.disagreements}
                states[step] = {p.id: p.state for p in overview.probes}
        finally:
            await engine.poller.aclose()
    pay_down = ("demo-pay-cards", "probe_down_provider_ok")
    edge_up = ("demo-edge-pdx", "provider_outage_probe_up")
    assert seen[0] == set()
    assert seen[1] == {pay_down}
    assert seen[2] == seen[3] == {pay_down, edge_up}
    assert all(seen[s] == {edge_up} for s in range(4, 10)), seen
    assert seen[10] == seen[11] == seen[12] == set()
    assert [states[s]["demo-pay-cards"] for s in range(11)] == ["up"] + ["down"] * 8 + ["up"] * 2
    assert all(states[s]["demo-git-api"] == "up" for s in range(13))


async def replay_step(feed: DemoFeed, engine: Engine, clock: SteppedClock, step: int) -> None:
    clock.now = feed.scenario.at(step)
    feed.show(step)
    await engine.poll(force=True)


async def test_replay_plays_every_step_up_to_the_one_asked(tmp_path: Path) -> None:
    with DemoServer() as server:
        feed = DemoFeed(server, 60, clock=lambda: START, loop=False)
        clock = SteppedClock(START)
        engine = Engine(Store.open(tmp_path / "demo.sqlite3"), feed.config(), clock=clock)
        try:
            events = await replay(feed, engine, clock, PEAK_STEP)
        finally:
            await engine.poller.aclose()
    assert feed.step == PEAK_STEP and clock.now == feed.scenario.at(PEAK_STEP)
    kinds = {e.kind for e in events}
    assert {"probe_down", "disagreement_started", "correlation"} <= kinds
    overview = engine.overview()
    assert len(overview.open_incidents) == len(open_incidents(feed.scenario, PEAK_STEP))


async def test_replay_polls_several_times_per_step(tmp_path: Path) -> None:
    with DemoServer() as server:
        feed = DemoFeed(server, 60, clock=lambda: START, loop=False)
        clock = SteppedClock(START)
        engine = Engine(Store.open(tmp_path / "demo.sqlite3"), feed.config(), clock=clock)
        try:
            await replay(feed, engine, clock, 1, polls_per_step=4)
            runs = engine.store.probe_results("demo-pay-cards", START - timedelta(1), 100)
        finally:
            await engine.poller.aclose()
    # Step 0 at 0, 15, 30, 45 s; step 1 at 60, 75, 90, 105 s: the probe (every 15 s) ran each time.
    assert clock.now == START + timedelta(seconds=105)
    assert [r.ok for r in runs] == [True] * 4 + [False] * 4
    assert [r.at - START for r in runs] == [timedelta(seconds=15 * n) for n in range(8)]
    with pytest.raises(ValueError):
        await replay(feed, engine, clock, 0, polls_per_step=0)
