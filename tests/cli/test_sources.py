"""``watchtui sources list|remove|test``."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.conftest import configure, one_error_line, run, run_json, serve
from tests.support.feedserver import FeedServer
from tests.support.statuspage_payloads import incident, summary


def test_list_has_a_header_row(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    env.write_text("[watch]\nproviders = ['github', 'gitlab']\n")
    code, out, _ = run(capsys, "sources", "list")
    header, *rows = out.splitlines()
    assert code == 0
    assert header.split() == ["ID", "KIND", "EVERY", "HEALTH", "FROM", "URL"]
    assert [row.split()[0] for row in rows] == ["github", "gitlab"]
    assert rows[0].split()[2:5] == ["60s", "never", "catalog"]


def test_list_json(server: FeedServer, env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    configure(env, server, "a")
    code, listed = run_json(capsys, "sources", "list", "--json")
    assert code == 0
    (row,) = listed
    assert (row["id"], row["kind"], row["health"], row["from_catalog"]) == (
        "a",
        "statuspage",
        "never",
        False,
    )


def test_remove_an_unknown_id_is_unknown(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    env.write_text("")
    code, _out, err = run(capsys, "sources", "remove", "no-such")
    assert code == 3
    assert "no source 'no-such'" in one_error_line(err)


def test_remove_repairs_a_config_with_a_clash(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env.write_text(
        "[[sources]]\nid = 'github'\nkind = 'statuspage'\nurl = 'https://www.githubstatus.com'\n"
    )
    assert run(capsys, "config", "check")[0] == 3
    code, out, _ = run(capsys, "sources", "remove", "github")
    assert code == 0 and out.startswith("removed github")
    assert run(capsys, "config", "check")[0] == 0


def test_test_reports_what_it_saw(
    server: FeedServer, env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env.write_text("")
    serve(server, "page", summary(incident("x")))
    code, out, _ = run(capsys, "sources", "test", server.url("/page/api/v2/summary.json"))
    assert code == 0
    assert "HTTP 200" in out and "Incident x" in out and "(1 update)" in out


def test_test_detects_the_kind_of_a_page(
    server: FeedServer, env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env.write_text("")
    serve(server, "page", summary())
    code, out, _ = run(capsys, "sources", "test", server.url("/page"))
    assert code == 0
    assert f"== {server.url('/page/api/v2/summary.json')} (statuspage, current)" in out


def test_a_catalog_page_is_known_without_detection(
    env: Path, capsys: pytest.CaptureFixture[str], offline: str
) -> None:
    """The README's `sources test https://www.githubstatus.com`, offline: the catalog knows the
    page, so the failure is the network's, not a missing --kind."""
    env.write_text("")
    code, out, err = run(capsys, "sources", "test", "https://www.githubstatus.com")
    assert code == 3 and err == ""
    assert "== https://www.githubstatus.com/api/v2/summary.json (statuspage, current)" in out
    assert "network failure: " in out and "--kind" not in out


def test_an_unreachable_url_is_a_network_failure(
    env: Path, capsys: pytest.CaptureFixture[str], refused_port: int
) -> None:
    env.write_text("")
    url = f"http://127.0.0.1:{refused_port}/status"
    code, out, err = run(capsys, "sources", "test", url)
    assert (code, out) == (3, "")
    line = one_error_line(err)
    assert "network failure" in line and "connection refused" in line and "--kind" not in line


def test_a_page_that_is_no_feed_asks_for_kind(
    server: FeedServer, env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env.write_text("")
    server.set("/home", b"<html><body>hello</body></html>", content_type="text/html")
    code, _out, err = run(capsys, "sources", "test", server.url("/home"))
    assert code == 3
    line = one_error_line(err)
    assert "answers, but not with a feed" in line and "--kind" in line


@pytest.mark.parametrize("target", ["github", "https://www.githubstatus.com"])
def test_test_refuses_a_kind_that_contradicts_the_catalog(
    env: Path, capsys: pytest.CaptureFixture[str], target: str
) -> None:
    env.write_text("")
    code, _out, err = run(capsys, "sources", "test", target, "--kind", "rss")
    assert code == 3
    assert "--kind rss does not apply" in one_error_line(err)


def test_test_an_unknown_word_suggests_the_catalog(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env.write_text("")
    code, _out, err = run(capsys, "sources", "test", "githb")
    assert code == 3
    assert "did you mean github?" in one_error_line(err)
