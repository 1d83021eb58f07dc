"""The scriptable CLI end to end: config, status, history, sources — against loopback servers."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.feedserver import Fault, FeedServer
from tests.support.statuspage_payloads import history, incident, summary
from watchtui.cli import main


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as srv:
        yield srv


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    config = tmp_path / "config.toml"
    monkeypatch.setenv("WATCHTUI_CONFIG", str(config))
    monkeypatch.setenv("WATCHTUI_DB", str(tmp_path / "state" / "history.sqlite3"))
    return config


def configure(config: Path, server: FeedServer, *ids: str) -> None:
    text = "[watch]\nproviders = []\n"
    for source_id in ids:
        text += (
            f"[[sources]]\nid = '{source_id}'\nkind = 'statuspage'\n"
            f"url = '{server.url('/' + source_id)}'\n"
        )
    config.write_text(text)


def serve(server: FeedServer, source_id: str, body: bytes, hist: bytes | None = None) -> None:
    server.set(f"/{source_id}/api/v2/summary.json", body)
    server.set(f"/{source_id}/api/v2/incidents.json", hist or history())


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, Any]:
    code = main(list(argv))
    return code, json.loads(capsys.readouterr().out)


def test_status_exit_codes_follow_worst_state(
    server: FeedServer, env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    configure(env, server, "fine", "broken")
    serve(server, "fine", summary())
    serve(server, "broken", summary(incident("x")))  # impact major
    code, report = run_json(capsys, "status", "--json")
    assert code == 2
    assert [r["id"] for r in report["sources"]] == ["broken", "fine"]
    assert report["sources"][0]["incidents"][0]["title"] == "Incident x"
    assert report["sources"][0]["incidents"][0]["source_id"] == "broken"


def test_status_ok_and_unknown(
    server: FeedServer, env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    configure(env, server, "fine", "gone")
    serve(server, "fine", summary())
    server.fault("/gone/api/v2/summary.json", Fault.status(500))
    server.set("/gone/api/v2/incidents.json", history())
    code, report = run_json(capsys, "status", "--json", "--source", "fine")
    assert code == 0 and [r["id"] for r in report["sources"]] == ["fine"]
    code, report = run_json(capsys, "status", "--json")
    assert code == 3  # nothing worse is known than a source that could not be read
    gone = next(r for r in report["sources"] if r["id"] == "gone")
    assert gone["last_error"] == "HTTP 500"


def test_status_minor_beats_unknown(
    server: FeedServer, env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    configure(env, server, "slow", "gone")
    serve(server, "slow", summary(api_status="degraded_performance"))
    server.fault("/gone/api/v2/summary.json", Fault.status(503))
    server.set("/gone/api/v2/incidents.json", history())
    assert main(["status"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("WARNING: 2 sources")


def test_status_cached_fetches_nothing(
    server: FeedServer, env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    configure(env, server, "a")
    serve(server, "a", summary(incident("x")))
    assert main(["status"]) == 2
    capsys.readouterr()
    count = server.request_count("/a/api/v2/summary.json")
    assert main(["status", "--cached"]) == 2
    assert server.request_count("/a/api/v2/summary.json") == count


def test_history_json_and_csv(
    server: FeedServer, env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    configure(env, server, "a")
    serve(server, "a", summary(incident("x")))
    main(["status"])
    capsys.readouterr()
    code, records = run_json(capsys, "history", "--since", "3650d", "--json")
    assert code == 0
    (record,) = records
    assert record["source_id"] == "a" and record["id"] == "x"
    assert record["resolved_at"] is None and record["resolution_inferred"] is False
    assert record["duration_seconds"] > 0
    assert {"updates", "components", "regions", "impact", "url"} <= set(record)
    assert main(["history", "--since", "3650d", "--csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("source_id,id,title")
    assert lines[1].startswith("a,x,Incident x")


def test_history_bad_since(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["history", "--since", "yesterday"]) == 2
    assert "--since" in capsys.readouterr().err


def test_sources_add_catalog_and_url_and_remove(
    server: FeedServer, env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    serve(server, "page", summary())
    assert main(["sources", "add", "gitlab"]) == 0
    assert main(["sources", "add", server.url("/page")]) == 0  # kind detected by probing
    assert "added gitlab" in capsys.readouterr().out
    _code, listed = run_json(capsys, "sources", "list", "--json")
    by_id = {s["id"]: s for s in listed}
    assert {"gitlab", "github", "aws"} <= set(by_id)  # defaults kept
    added = next(s for s in listed if s["url"] == server.url("/page"))
    assert added["kind"] == "statuspage"
    assert [e["role"] for e in added["endpoints"]] == ["current", "history"]
    assert main(["sources", "remove", added["id"]]) == 0
    assert main(["sources", "remove", "no-such"]) == 2


def test_sources_test_reports_what_it_saw(
    server: FeedServer, env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    serve(server, "page", summary(incident("x")))
    assert main(["sources", "test", server.url("/page/api/v2/summary.json")]) == 0
    out = capsys.readouterr().out
    assert "HTTP 200" in out and "Incident x" in out


def test_config_check_names_file_and_key(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    env.write_text("[display]\nclock = 'martian'\n")
    assert main(["config", "check"]) == 2
    err = capsys.readouterr().err
    assert str(env) in err and "display.clock" in err
    env.write_text("")
    assert main(["config", "check"]) == 0
    assert main(["config", "path"]) == 0
    assert capsys.readouterr().out.strip().endswith(str(env))


def test_corrupt_store_is_moved_aside(
    server: FeedServer, env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    configure(env, server, "a")
    serve(server, "a", summary())
    db = tmp_path / "state" / "history.sqlite3"
    db.parent.mkdir()
    db.write_bytes(b"this is not a database" * 100)
    assert main(["status", "--cached"]) in (0, 3)
    err = capsys.readouterr().err
    assert "moved it to" in err
    assert any(p.name.startswith("history.sqlite3.corrupt-") for p in db.parent.iterdir())


def test_probes_add_list_test_remove(
    server: FeedServer, env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server.set("/health", b"ok", content_type="text/plain")
    assert main(["probes", "add", "https://api.github.com/zen", "--id", "gh-api"]) == 0
    assert "tied to github" in capsys.readouterr().out  # linked through the catalog's domains
    assert main(["probes", "add", server.url("/health"), "--id", "local", "--interval", "5"]) == 2
    assert "interval" in capsys.readouterr().err
    assert main(["probes", "add", server.url("/health"), "--id", "local"]) == 0
    assert main(["probes", "add", server.url("/health"), "--id", "local"]) == 2  # duplicate
    capsys.readouterr()
    code, rows = run_json(capsys, "probes", "list", "--json")
    assert code == 0
    assert [(r["id"], r["state"], r["provider"]) for r in rows] == [
        ("gh-api", "unknown", "github"),
        ("local", "unknown", None),
    ]
    assert main(["probes", "test", "local"]) == 0
    assert "ok" in capsys.readouterr().out
    assert main(["probes", "test", "nothing.invalid"]) == 1
    assert "does not resolve" in capsys.readouterr().out
    assert main(["probes", "remove", "gh-api"]) == 0
    assert main(["probes", "remove", "gh-api"]) == 2


def test_status_reports_probes_and_disagreement(
    server: FeedServer, env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    serve(server, "page", summary())
    server.fault("/probe", Fault.status(503))
    env.write_text(
        "[watch]\nproviders = []\n"
        f"[[sources]]\nid = 'page'\nkind = 'statuspage'\nurl = '{server.url('/page')}'\n"
        f"[[probes]]\nid = 'page-api'\ntype = 'http'\ntarget = '{server.url('/probe')}'\n"
        "provider = 'page'\ndown_after = 1\n"
    )
    code, report = run_json(capsys, "status", "--json")
    assert code == 2  # the provider says operational, but a probe is down: an outage
    (probe,) = report["probes"]
    assert (probe["id"], probe["state"], probe["last_error"]) == ("page-api", "down", "HTTP 503")
    (found,) = report["disagreements"]
    assert found["kind"] == "probe_down_provider_ok" and "page-api" in found["message"]
    assert main(["status", "--cached"]) == 2
    out = capsys.readouterr().out
    assert "probe page-api" in out and "DISAGREEMENT: " in out


def test_collect_runs_sources_and_probes_headless(
    server: FeedServer, env: Path, tmp_path: Path
) -> None:
    import signal
    import subprocess
    import sys
    import time

    from watchtui.store import Store

    serve(server, "page", summary(incident("x")))
    server.set("/probe", b"ok", content_type="text/plain")
    env.write_text(
        "[watch]\nproviders = []\n"
        f"[[sources]]\nid = 'page'\nkind = 'statuspage'\nurl = '{server.url('/page')}'\n"
        f"[[probes]]\nid = 'page-api'\ntype = 'http'\ntarget = '{server.url('/probe')}'\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "watchtui", "collect"], stdout=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not (
            server.request_count("/page/api/v2/summary.json") and server.request_count("/probe")
        ):
            time.sleep(0.1)
        time.sleep(0.5)
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=20)
    assert proc.returncode == 0
    assert "1 sources, 1 probes" in out and "incident_opened" in out
    store = Store.open(tmp_path / "state" / "history.sqlite3")
    assert [i.incident.id for i in store.incidents(open_only=True)] == ["x"]
    assert store.probe_results("page-api")
