"""``watchtui sources add``: ids are unique, every flag works or is refused, offline is named."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.conftest import one_error_line, run, run_json, serve
from tests.support.feedserver import FeedServer
from tests.support.statuspage_payloads import summary
from watchtui.config import load_config


def ids(capsys: pytest.CaptureFixture[str]) -> list[str]:
    _code, listed = run_json(capsys, "sources", "list", "--json")
    return [row["id"] for row in listed]


def test_catalog_id_and_url_and_remove(
    server: FeedServer, env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    serve(server, "page", summary())
    code, out, _ = run(capsys, "sources", "add", "gitlab")
    assert code == 0 and out.startswith("added gitlab (Gitlab, statusio)")
    assert run(capsys, "sources", "add", server.url("/page"))[0] == 0  # kind detected
    _code, listed = run_json(capsys, "sources", "list", "--json")
    assert {"gitlab", "github", "aws"} <= {row["id"] for row in listed}  # defaults kept
    added = next(s for s in listed if s["url"] == server.url("/page"))
    assert (added["id"], added["kind"]) == ("127-0-0-1", "statuspage")
    assert [e["role"] for e in added["endpoints"]] == ["current", "history"]
    assert run(capsys, "sources", "remove", added["id"])[0] == 0


@pytest.mark.parametrize(
    "argv",
    [
        ["github"],
        ["GH"],
        ["https://www.githubstatus.com"],
        ["https://www.githubstatus.com", "--kind", "statuspage"],
        ["https://githubstatus.com/api/v2/summary.json"],
    ],
)
def test_a_provider_already_watched_is_not_added_twice(
    env: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    env.write_text("# mine\n")
    code, out, _ = run(capsys, "sources", "add", *argv)
    assert code == 0
    assert "already watched" in out and "nothing changed" in out
    assert env.read_text() == "# mine\n"
    assert ids(capsys).count("github") == 1
    assert run(capsys, "config", "check")[0] == 0


def test_a_catalog_page_is_recognised_without_fetching(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Offline (every remote fetch is refused here), adding a page the catalog knows works."""
    code, out, err = run(capsys, "sources", "add", "https://status.gitlab.com/")
    assert (code, err) == (0, "")
    assert out.startswith("https://status.gitlab.com/ is the catalog's gitlab: added gitlab")
    assert load_config(env).watch.extra_providers == ["gitlab"]


def test_a_custom_source_watching_a_catalog_page_counts(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env.write_text(
        "[watch]\nexcluded_providers = ['github']\n"
        "[[sources]]\nid = 'gh-mine'\nkind = 'statuspage'\nurl = 'https://www.githubstatus.com'\n"
    )
    before = env.read_text()
    code, out, _ = run(capsys, "sources", "add", "github")
    assert code == 0 and "already watched as gh-mine; nothing changed" in out
    assert env.read_text() == before


def test_the_same_url_twice_is_one_source(
    server: FeedServer, env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = server.url("/feed.atom")
    assert run(capsys, "sources", "add", url, "--kind", "rss", "--id", "mine")[0] == 0
    before = env.read_text()
    code, out, _ = run(capsys, "sources", "add", url.replace("/feed.atom", "/feed.atom/"))
    assert code == 0 and out == f"{url}/ is already watched as mine; nothing changed\n"
    assert env.read_text() == before
    code, _out, err = run(capsys, "sources", "add", url, "--id", "other")
    assert code == 3 and "already watched as mine" in one_error_line(err)
    code, out, _ = run(capsys, "sources", "add", url, "--interval", "300")
    assert code == 0 and "now interval 300s" in out
    assert load_config(env).sources[0].interval == 300
    assert server.request_count("/feed.atom") == 0  # nothing was detected: it was known


def test_ids_that_are_taken_are_refused(
    server: FeedServer, env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        run(capsys, "sources", "add", server.url("/a.atom"), "--kind", "rss", "--id", "a")[0] == 0
    )
    before = env.read_text()
    for taken, why in (("a", "taken by the source at"), ("github", "the catalog's github")):
        code, _out, err = run(
            capsys, "sources", "add", server.url("/b.atom"), "--kind", "rss", "--id", taken
        )
        assert code == 3
        assert why in one_error_line(err)
    assert env.read_text() == before


def test_a_derived_id_never_collides(
    server: FeedServer, env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for path in ("/a.atom", "/b.atom"):
        assert run(capsys, "sources", "add", server.url(path), "--kind", "rss")[0] == 0
    assert [s.id for s in load_config(env).sources] == ["127-0-0-1", "127-0-0-1-2"]


@pytest.mark.parametrize(
    ("flags", "reason"),
    [
        (["--id", "gl"], "--id does not apply to a catalog provider"),
        (["--name", "X"], "--name does not apply to a catalog provider"),
        (["--kind", "rss"], "--kind rss does not apply"),
        (["--interval", "5"], "--interval: '5': give whole seconds from 15 to 86400"),
    ],
)
def test_flags_a_catalog_provider_cannot_take_are_refused(
    env: Path, capsys: pytest.CaptureFixture[str], flags: list[str], reason: str
) -> None:
    env.write_text("")
    code, out, err = run(capsys, "sources", "add", "gitlab", *flags)
    assert (code, out) == (3, "")
    assert reason in one_error_line(err)
    assert env.read_text() == ""


def test_interval_works_for_a_catalog_provider(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(
        capsys, "sources", "add", "gitlab", "--interval", "120", "--kind", "statusio"
    )
    assert code == 0 and out.endswith(", every 120s\n")
    code, out, _ = run(capsys, "sources", "add", "github", "--interval", "90")
    assert code == 0 and "github is already watched; now interval 90s" in out
    _code, listed = run_json(capsys, "sources", "list", "--json")
    every = {row["id"]: row["interval"] for row in listed}
    assert (every["gitlab"], every["github"]) == (120, 90)


def test_a_bad_id_is_answered_in_words(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = run(
        capsys, "sources", "add", "https://status.example.com", "--kind", "rss", "--id", "bad id!"
    )
    assert code == 3
    line = one_error_line(err)
    assert "an id is 1 to 64 letters, digits, '.', '_' or '-'" in line
    assert "' '" in line and "'!'" in line and "^[" not in line


def test_offline_a_url_is_a_network_failure_not_a_missing_kind(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _out, err = run(capsys, "sources", "add", "https://status.example.com")
    assert code == 3
    line = one_error_line(err)
    assert line.startswith("watchtui: network failure fetching https://status.example.com")
    assert "--kind" not in line
    assert not env.exists()


def test_a_word_that_is_no_catalog_id(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = run(capsys, "sources", "add", "status.example.com")
    assert code == 3
    assert "https://status.example.com" in one_error_line(err)
    code, _out, err = run(capsys, "sources", "add", "gitlb")
    assert "did you mean gitlab?" in one_error_line(err)


def test_a_provider_without_a_feed_is_refused(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _out, err = run(capsys, "sources", "add", "stripe")
    assert code == 3
    assert "has no machine-readable status feed" in one_error_line(err)
