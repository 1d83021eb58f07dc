"""The real engine over a real store and loopback servers: what the UI is handed."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.support.feedserver import Fault, FeedServer
from tests.support.rounds import poll_round
from tests.support.statuspage_payloads import history, incident, summary
from watchtui.config import load_config, parse_config
from watchtui.engine.engine import Engine
from watchtui.engine.poller import Poller
from watchtui.store import Store
from watchtui.viewmodel.headline import headline


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC).replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.now


def make_engine(
    server: FeedServer, tmp_path: Path, raw: dict[str, Any], clock: Clock | None = None
) -> Engine:
    config = parse_config(raw)
    return Engine(Store.open(tmp_path / "db.sqlite3"), config, clock=clock or Clock())


def page(server: FeedServer, name: str) -> dict[str, Any]:
    return {"id": name, "kind": "statuspage", "url": server.url(f"/{name}"), "name": name.title()}


def serve(server: FeedServer, name: str, body: bytes) -> None:
    server.set(f"/{name}/api/v2/summary.json", body)
    server.set(f"/{name}/api/v2/incidents.json", history())


def test_overview_stream_newest_first_with_provider_names(
    server: FeedServer, tmp_path: Path
) -> None:
    serve(server, "alpha", summary(incident("a1"), api_status="major_outage"))
    serve(server, "beta", summary())
    engine = make_engine(
        server,
        tmp_path,
        {"watch": {"providers": []}, "sources": [page(server, "alpha"), page(server, "beta")]},
    )
    cached = engine.overview()  # before any fetch: empty, but works offline
    assert cached.stream == () and cached.open_incidents == ()
    asyncio.run(engine.poll(force=True))
    overview = engine.overview()
    assert [v.incident.id for v in overview.open_incidents] == ["a1"]
    assert overview.open_incidents[0].provider == "Alpha"  # the configured name
    (item,) = overview.stream
    assert (item.provider, item.incident_title, item.is_open) == ("Alpha", "Incident a1", True)
    assert {s.id: s.health for s in overview.sources} == {"alpha": "fresh", "beta": "fresh"}
    assert [c.status for c in overview.components if c.source_id == "alpha"] == ["major_outage"]
    assert "1 open" in headline(overview).facts


def test_failing_source_shows_in_overview(server: FeedServer, tmp_path: Path) -> None:
    server.fault("/gone/api/v2/summary.json", Fault.status(502))
    server.set("/gone/api/v2/incidents.json", history())
    engine = make_engine(
        server, tmp_path, {"watch": {"providers": []}, "sources": [page(server, "gone")]}
    )
    asyncio.run(engine.poll(force=True))
    (source,) = engine.overview().sources
    assert source.health == "failing" and source.last_error == "HTTP 502"
    # Its history endpoint answered, its current state did not: not "no incidents".
    assert headline(engine.overview()).facts == ("0 known open", "1 source failing")


def test_external_change_seen_by_another_engine(server: FeedServer, tmp_path: Path) -> None:
    serve(server, "alpha", summary(incident("a1")))
    raw = {"watch": {"providers": []}, "sources": [page(server, "alpha")]}
    writer = make_engine(server, tmp_path, raw)
    viewer = make_engine(server, tmp_path, raw)
    viewer.overview()
    assert not viewer.external_change()
    asyncio.run(writer.poll(force=True))
    assert viewer.external_change()
    assert [v.incident.id for v in viewer.overview().open_incidents] == ["a1"]
    assert not viewer.external_change()


def test_toggle_watch_and_add_source_are_saved(server: FeedServer, tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[watch]\nproviders = ['github']\n")
    engine = Engine(Store.open(tmp_path / "db.sqlite3"), load_config(path), config_file=path)
    assert engine.toggle_watch("component", "github:Actions") is True
    assert engine.toggle_watch("region", "eu-west") is True
    assert engine.toggle_watch("region", "eu-west") is False
    saved = load_config(path)
    assert saved.watchlist.components == ["github:Actions"] and saved.watchlist.regions == []
    view = engine.add_catalog_source("gitlab")
    assert view.id == "gitlab" and view.health == "never"
    assert load_config(path).watch.providers == ["github", "gitlab"]
    assert "gitlab" in {s.id for s in engine.sources()}
    with pytest.raises(ValueError):
        engine.add_catalog_source("no-such-provider")


def test_a_source_switched_off_stays_off_after_a_restart(
    server: FeedServer, tmp_path: Path
) -> None:
    """The Sources screen's x: saved in the config, so the next start registers it off."""
    for name in ("alpha", "beta"):
        serve(server, name, summary())
    path = tmp_path / "config.toml"
    path.write_text(
        "[watch]\nproviders = []\n"
        + "".join(
            f"[[sources]]\nid = '{n}'\nkind = 'statuspage'\nurl = '{server.url('/' + n)}'\n"
            for n in ("alpha", "beta")
        )
    )
    store = Store.open(tmp_path / "db.sqlite3")
    engine = Engine(store, load_config(path), config_file=path)
    poll_round(engine, force=True)
    engine.set_source_enabled("alpha", False)
    assert {s.id: s.enabled for s in engine.sources()} == {"alpha": False, "beta": True}
    # Started again: a new engine on the same file and store, whose first round registers the
    # sources as the config says.
    again = Engine(store, load_config(path), config_file=path)
    poll_round(again, force=True)
    assert {s.id: s.enabled for s in again.sources()} == {"alpha": False, "beta": True}
    requests = server.request_count("/alpha/api/v2/summary.json")
    poll_round(again, force=True)
    assert server.request_count("/alpha/api/v2/summary.json") == requests
    again.set_source_enabled("alpha", True)
    assert "enabled" not in path.read_text()
    store.close()


def test_probe_down_while_provider_operational_is_a_disagreement(
    server: FeedServer, tmp_path: Path
) -> None:
    serve(server, "alpha", summary())
    server.fault("/probe", Fault.status(500))
    clock = Clock()
    raw = {
        "watch": {"providers": []},
        "sources": [page(server, "alpha")],
        "probes": [
            {
                "id": "alpha-api",
                "type": "http",
                "target": server.url("/probe"),
                "provider": "alpha",
                "down_after": 2,
                "up_after": 1,
                "interval": 15,
            }
        ],
    }
    engine = make_engine(server, tmp_path, raw, clock)
    events = []
    for _ in range(2):
        events += asyncio.run(engine.poll(force=True))
        clock.now += timedelta(seconds=16)
    kinds = [e.kind for e in events]
    assert "probe_down" in kinds and "disagreement_started" in kinds
    overview = engine.overview()
    (probe,) = overview.probes
    assert probe.state == "down" and probe.last_error == "HTTP 500"
    assert probe.provider_name == "Alpha"
    (found,) = overview.disagreements
    assert found.probe_id == "alpha-api" and "Alpha" in found.message
    assert {"1 probe down", "1 disagreement"} <= set(headline(overview).facts)
    server.clear("/probe")
    server.set("/probe", b"ok", content_type="text/plain")
    clock.now += timedelta(seconds=16)
    later = asyncio.run(engine.poll(force=True))
    assert {"probe_up", "disagreement_ended"} <= {e.kind for e in later}
    assert engine.overview().disagreements == ()


def test_the_board_is_never_calmer_than_the_page_says(server: FeedServer, tmp_path: Path) -> None:
    # A page whose headline says "major" while it lists no incident and no broken component.
    serve(server, "a", summary(indicator="major"))
    raw = {"watch": {"providers": []}, "sources": [page(server, "a")]}
    clock = Clock()
    engine = make_engine(server, tmp_path, raw, clock)
    asyncio.run(engine.poll(force=True))
    (source,) = engine.overview().sources
    assert (source.impact, source.known_impact) == ("major", "major")
    # The page calms down: so does the board.
    serve(server, "a", summary(indicator="none"))
    clock.now += timedelta(minutes=2)
    asyncio.run(engine.poll(force=True))
    (source,) = engine.overview().sources
    assert source.impact == "none"


def test_a_provider_never_read_makes_no_claim_against_a_probe(
    server: FeedServer, tmp_path: Path
) -> None:
    server.fault("/probe", Fault.status(500))
    raw = {
        "watch": {"providers": []},
        "sources": [page(server, "alpha")],
        "probes": [
            {
                "id": "alpha-api",
                "type": "http",
                "target": server.url("/probe"),
                "provider": "alpha",
                "down_after": 1,
                "interval": 15,
            }
        ],
    }
    clock = Clock()
    store = Store.open(tmp_path / "db.sqlite3")
    # The probes run; alpha's page is never fetched.
    engine = Engine(store, parse_config(raw), poller=Poller(store, [], clock=clock), clock=clock)
    asyncio.run(engine.poll(force=True))
    overview = engine.overview()
    assert [p.state for p in overview.probes] == ["down"]
    assert overview.sources == () and overview.disagreements == ()
    # Registered, never read: still no claim.
    url, interval = server.url("/alpha"), timedelta(minutes=1)
    store.upsert_source("alpha", kind="statuspage", url=url, name="Alpha", interval=interval)
    overview = engine.overview()
    assert [s.health for s in overview.sources] == ["never"]
    assert overview.disagreements == ()
