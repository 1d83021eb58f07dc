"""``watchtui config path|check|show``: only the default location may be absent."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.conftest import one_error_line, run


def test_check_names_file_and_key(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    env.write_text("[display]\nclock = 'martian'\n")
    code, _out, err = run(capsys, "config", "check")
    assert code == 3
    line = one_error_line(err)
    assert str(env) in line and "display.clock" in line
    env.write_text("[watch]\nproviders = ['github']\n")
    code, out, _ = run(capsys, "config", "check")
    assert code == 0
    assert out == f"ok: {env}; 1 source, 0 probes\n"


def test_the_default_location_may_be_absent(
    isolated_dirs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "config", "check")
    assert code == 0
    assert "(absent: defaults apply)" in out and " sources, 0 probes" in out


def test_an_explicit_path_that_does_not_exist_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    typo = tmp_path / "typo.toml"
    for action in ("check", "show"):
        code, out, err = run(capsys, "--config", str(typo), "config", action)
        assert (code, out) == (3, "")
        assert f"{typo}: no such config file (named by --config)" in one_error_line(err)
    code, _out, err = run(capsys, "--config", str(typo), "status", "--cached")
    assert code == 3 and "no such config file" in one_error_line(err)


def test_watchtui_config_naming_a_missing_file_is_an_error(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _out, err = run(capsys, "config", "check")
    assert code == 3
    assert "named by WATCHTUI_CONFIG" in one_error_line(err)


def test_path_prints_the_path_even_when_absent(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "config", "path")
    assert (code, out) == (0, f"{env}\n")


def test_a_custom_source_with_a_watched_providers_id_is_rejected(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # github is watched by default; a [[sources]] entry may not take its id.
    env.write_text(
        "[[sources]]\nid = 'github'\nkind = 'statuspage'\nurl = 'https://www.githubstatus.com'\n"
    )
    code, _out, err = run(capsys, "config", "check")
    assert code == 3
    line = one_error_line(err)
    assert "sources[0].id" in line and "'github' is also a watched catalog provider" in line
    code, _out, err = run(capsys, "status", "--cached", "--source", "github")
    assert code == 3 and "sources[0].id" in one_error_line(err)
    # Not watched, the same id is no clash.
    env.write_text(env.read_text() + "[watch]\nexcluded_providers = ['github']\n")
    code, out, _ = run(capsys, "config", "check")
    assert code == 0, out


def test_show_is_json(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    env.write_text("[watch]\nproviders = ['github']\n")
    code, out, _ = run(capsys, "config", "show")
    doc = json.loads(out)
    assert code == 0 and doc["exists"] is True
    assert [s["id"] for s in doc["sources"]] == ["github"]


def test_check_warns_of_entries_that_name_nothing_polled(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env.write_text(
        "[watch]\nproviders = ['github']\n"
        "[watch.intervals]\ngithub = 120\ngitlab = 120\ngh = 90\n"
        "[watchlist]\n"
        "providers = ['github', 'gh', 'gtihub']\n"
        "components = ['github:Actions', 'Actions', 'nosuch:API']\n"
        "regions = ['eu-west', 'aws:us-west-2', 'unmapped', 'us-wset', 'aws:']\n"
    )
    code, out, err = run(capsys, "config", "check")
    assert (code, err) == (1, "")
    *warnings, verdict = out.splitlines()
    assert warnings == [
        "warning: key 'watchlist.providers[1]': 'gh' is an alias; write 'github'",
        "warning: key 'watchlist.providers[2]': 'gtihub' names no source watchtui polls",
        "warning: key 'watchlist.components[1]': 'Actions' is not \"<source id>:<component name>\"",
        "warning: key 'watchlist.components[2]': 'nosuch' names no source watchtui polls",
        "warning: key 'watchlist.regions[3]': 'us-wset' is no geography (one of: africa, "
        "asia-east, asia-south, asia-southeast, canada, china, eu-central, eu-north, eu-south, "
        "eu-west, global, japan, korea, mexico, middle-east, oceania, south-america, uk, "
        "us-central, us-east, us-west)",
        "warning: key 'watchlist.regions[4]': 'aws:' is not \"<provider>:<region code>\"",
        "warning: key 'watch.intervals.gitlab': 'gitlab' is not a watched provider",
        "warning: key 'watch.intervals.gh': 'gh' is an alias; write 'github'",
    ]
    assert verdict == f"holds, with 8 warnings: {env}; 1 source, 0 probes"
