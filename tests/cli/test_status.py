"""``watchtui status``: the board's judgement as a report and a monitoring-plugin exit code."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.cli.conftest import configure, one_error_line, run, run_json, serve
from tests.support.feedserver import Fault, FeedServer
from tests.support.statuspage_payloads import history, incident, summary
from watchtui.cli import main


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


def test_status_minor_beats_unknown_and_has_a_header(
    server: FeedServer, env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    configure(env, server, "slow", "gone")
    serve(server, "slow", summary(api_status="degraded_performance"))
    server.fault("/gone/api/v2/summary.json", Fault.status(503))
    server.set("/gone/api/v2/incidents.json", history())
    code, out, _ = run(capsys, "status")
    assert code == 1
    first, header, *_ = out.splitlines()
    assert re.fullmatch(r"WARNING: 2 sources at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", first)
    assert header.split() == ["SOURCE", "IMPACT", "HEALTH", "OPEN", "DETAIL"]


def test_one_source_is_singular(
    server: FeedServer, env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    configure(env, server, "a")
    serve(server, "a", summary())
    code, out, _ = run(capsys, "status")
    assert code == 0 and out.startswith("OK: 1 source at ")


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


def test_times_in_the_report_are_whole_seconds(
    server: FeedServer, env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    configure(env, server, "a")
    serve(server, "a", summary())
    _code, report = run_json(capsys, "status", "--json")
    row = report["sources"][0]
    for value in (report["generated_at"], row["last_success_at"], row["last_attempt_at"]):
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", value), value


@pytest.mark.parametrize("argv", [["--source", "nosuch"], ["--source", "a", "--source", "nosuch"]])
def test_unknown_source_is_unknown_not_critical(
    server: FeedServer, env: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    configure(env, server, "a")
    code, out, err = run(capsys, "status", *argv)
    assert code == 3 and out == ""
    assert "unknown source 'nosuch'" in one_error_line(err)
    assert server.request_count("/a/api/v2/summary.json") == 0


def test_a_catalog_alias_selects_its_provider(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env.write_text("[watch]\nproviders = ['github', 'gitlab']\n")
    code, report = run_json(capsys, "status", "--cached", "--json", "--source", "gh")
    assert code == 3  # never read: blind, so unknown
    assert [r["id"] for r in report["sources"]] == ["github"]


def test_a_config_error_is_unknown(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    env.write_text("[display]\nclock = 'martian'\n")
    code, _out, err = run(capsys, "status", "--cached")
    assert code == 3
    assert "display.clock" in one_error_line(err)


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


def test_a_store_that_cannot_be_used_is_one_line(
    server: FeedServer, env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    configure(env, server, "a")
    (tmp_path / "state" / "history.sqlite3").write_bytes(b"this is not a database" * 100)
    code, out, err = run(capsys, "status", "--cached")
    assert (code, out) == (3, "")
    assert "history" in one_error_line(err)


def test_a_fresh_store_is_blind_not_ok(
    server: FeedServer, env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    configure(env, server, "a")
    code, report = run_json(capsys, "status", "--cached", "--json")
    assert code == 3
    (row,) = report["sources"]
    assert (row["id"], row["health"], row["impact"]) == ("a", "never", "unknown")
    assert server.request_count("/a/api/v2/summary.json") == 0


def _edge_summary(status: str) -> bytes:
    """A page whose one component sits in Paris (CDG: geography eu-west)."""
    page = json.loads(summary())
    page["components"][0].update(name="Paris, France - (CDG)", status=status)
    return json.dumps(page).encode()


def test_a_check_of_no_source_is_unknown_never_ok(
    server: FeedServer, env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A probe of the user's own, up, beside no source: still a check of no source.
    server.set("/health", b"ok")
    env.write_text(
        "[watch]\nproviders = []\n"
        f"[[probes]]\nid = 'app'\ntype = 'http'\ntarget = '{server.url('/health')}'\n"
    )
    code, report = run_json(capsys, "status", "--json")
    assert [p["state"] for p in report["probes"]] == ["up"]
    assert code == 3 and report["sources"] == [] and report["exit_code"] == 3
    assert report["note"] == "no enabled source is configured"
    code, out, _ = run(capsys, "status")
    assert code == 3 and out.startswith("UNKNOWN: 0 sources at ")
    assert out.splitlines()[1] == "note: no enabled source is configured"


def test_asking_for_a_disabled_source_is_an_error_not_ok(
    server: FeedServer, env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    configure(env, server, "a", "off")
    env.write_text(env.read_text().replace("id = 'off'", "id = 'off'\nenabled = false"))
    serve(server, "a", summary())
    code, _, err = run(capsys, "status", "--source", "off")
    assert code == 3
    assert one_error_line(err).startswith("watchtui: source off is disabled")


def test_only_watched_reaches_sources_through_watched_regions(
    server: FeedServer, env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    configure(env, server, "edge", "other", extra="[watchlist]\nregions = ['eu-west']\n")
    serve(server, "edge", _edge_summary("major_outage"))
    serve(server, "other", summary(incident("x")))
    code, report = run_json(capsys, "status", "--json", "--only-watched")
    # Only the page with a component in eu-west is reported, and its outage sets the code.
    assert [r["id"] for r in report["sources"]] == ["edge"] and code == 2
    assert "note" not in report


def test_only_watched_that_reaches_nothing_is_unknown_and_says_why(
    server: FeedServer, env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    configure(env, server, "a", extra="[watchlist]\nregions = ['asia-southeast']\n")
    serve(server, "a", summary(incident("x")))
    code, report = run_json(capsys, "status", "--json", "--only-watched")
    assert code == 3 and report["sources"] == []
    assert report["note"].startswith("the watchlist reaches no enabled source")


def test_only_watched_keeps_a_named_source_never_read_and_fetches_only_what_it_reaches(
    server: FeedServer, env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    configure(env, server, "mine", "other", extra="[watchlist]\nproviders = ['mine']\n")
    server.fault("/mine/api/v2/summary.json", Fault.status(500))
    server.set("/mine/api/v2/incidents.json", history())
    serve(server, "other", summary())
    code, report = run_json(capsys, "status", "--json", "--only-watched")
    # Never read, yet watched: reported blind (unknown), never left out for a calm exit 0.
    assert [(r["id"], r["impact"]) for r in report["sources"]] == [("mine", "unknown")]
    assert code == 3 and "note" not in report
    assert server.request_count("/other/api/v2/summary.json") == 0
