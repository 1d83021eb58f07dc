"""``watchtui probes list|add|remove|test``."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.conftest import one_error_line, run, run_json
from tests.support.feedserver import FeedServer


def test_add_list_test_remove(
    server: FeedServer, env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server.set("/health", b"ok", content_type="text/plain")
    code, out, _ = run(capsys, "probes", "add", "https://api.github.com/zen", "--id", "gh-api")
    assert code == 0 and "tied to github" in out  # linked through the catalog's domains
    assert run(capsys, "probes", "add", server.url("/health"), "--id", "local")[0] == 0
    code, _out, err = run(capsys, "probes", "add", server.url("/health"), "--id", "local")
    assert code == 3 and "already exists" in one_error_line(err)
    code, rows = run_json(capsys, "probes", "list", "--json")
    assert code == 0
    assert [(r["id"], r["state"], r["provider"]) for r in rows] == [
        ("gh-api", "unknown", "github"),
        ("local", "unknown", None),
    ]
    code, out, _ = run(capsys, "probes", "list")
    header, *lines = out.splitlines()
    assert header.split() == ["ID", "STATE", "TYPE", "DOWN", "7D", "PROVIDER", "TARGET"]
    assert [line.split()[:5] for line in lines] == [
        ["gh-api", "unknown", "http", "0m", "github"],
        ["local", "unknown", "http", "0m", "-"],
    ]
    code, out, _ = run(capsys, "probes", "test", "local")
    assert code == 0 and ": ok, " in out
    assert run(capsys, "probes", "remove", "gh-api")[0] == 0
    code, _out, err = run(capsys, "probes", "remove", "gh-api")
    assert code == 3 and "no probe 'gh-api'" in one_error_line(err)


def test_a_failing_probe_is_critical(
    env: Path, capsys: pytest.CaptureFixture[str], refused_port: int
) -> None:
    env.write_text("")
    code, out, _ = run(capsys, "probes", "test", f"127.0.0.1:{refused_port}")
    assert code == 2  # as `status` reads a probe down
    assert f"tcp 127.0.0.1:{refused_port}: FAILED: connection refused" in out


@pytest.mark.parametrize("word", ["nosuch", "local-api"])
def test_a_bare_word_is_an_unknown_probe_not_a_dns_lookup(
    env: Path, capsys: pytest.CaptureFixture[str], word: str
) -> None:
    env.write_text("")
    code, out, err = run(capsys, "probes", "test", word)
    assert (code, out) == (3, "")
    line = one_error_line(err)
    assert f"no probe {word!r} is configured" in line and "--type dns" in line


@pytest.mark.parametrize(
    ("argv", "reason"),
    [
        (["--id", "bad id!"], "an id is 1 to 64 letters"),
        (["--id", "ok", "--interval", "5"], "give whole seconds from 15"),
        (["--id", "ok", "--expect-status", "999"], "not an HTTP status"),
        (["example.com", "--id", "ok", "--contains", "x"], "applies to http probes only"),
    ],
)
def test_add_refuses_in_words(
    env: Path, capsys: pytest.CaptureFixture[str], argv: list[str], reason: str
) -> None:
    target = [] if argv[0] == "example.com" else ["https://example.com/"]
    code, _out, err = run(capsys, "probes", "add", *target, *argv)
    assert code == 3
    assert reason in one_error_line(err)
    assert not env.exists()


def test_remove_forget_deletes_its_history(
    server: FeedServer, env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from watchtui.store import Store

    server.set("/health", b"ok", content_type="text/plain")
    env.write_text("[watch]\nproviders = []\n")
    assert run(capsys, "probes", "add", server.url("/health"), "--id", "local")[0] == 0
    # Runs the probe once, into the store (no source is configured: a check of nothing, 3).
    assert run(capsys, "status")[0] == 3
    db = tmp_path / "state" / "history.sqlite3"
    with Store.open(db) as store:
        assert store.probe_results("local")
    assert run(capsys, "probes", "remove", "local", "--forget")[0] == 0
    with Store.open(db) as store:
        assert store.probe_results("local") == []
