"""``main``: one line per error and exit 3, never a traceback; a reader closing early is fine."""

from __future__ import annotations

import argparse
import os
import subprocess
from datetime import datetime
from pathlib import Path

import pytest

from tests.cli.conftest import one_error_line, run, spawn
from watchtui.cli import main
from watchtui.cli.parser import EPILOG, build_parser


def _closed_pipe() -> int:
    """The write end of a pipe whose reader — a real process — has already exited."""
    read, write = os.pipe()
    reader = subprocess.run(["python3", "-c", "pass"], stdin=read, check=True)
    assert reader.returncode == 0
    os.close(read)
    return write


@pytest.mark.parametrize(
    "argv",
    [
        ["sources", "list"],
        ["sources", "list", "--json"],
        ["config", "show"],
        ["status", "--json", "--cached"],
        ["catalog"],
    ],
)
def test_a_reader_that_closes_early_ends_it_quietly(tmp_path: Path, argv: list[str]) -> None:
    write = _closed_pipe()
    proc = spawn("--db", str(tmp_path / "h.sqlite3"), *argv, stdout=write, stderr=subprocess.PIPE)
    os.close(write)
    _, err = proc.communicate(timeout=60)
    assert err.decode() == ""  # no BrokenPipeError, no "Exception ignored"
    assert proc.returncode == 0


@pytest.mark.parametrize(
    "argv",
    [
        ["nosuch"],
        ["status", "--bogus"],
        ["sources"],
        ["history", "--json", "--csv"],
        ["sources", "add", "x", "--kind", "carrier-pigeon"],
        ["probes", "add", "example.com"],
    ],
)
def test_a_wrong_command_line_is_one_line_and_unknown(
    capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    code, out, err = run(capsys, *argv)
    assert (code, out) == (3, "")
    assert "--help" in one_error_line(err)


def test_help_and_version_exit_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--help")
    assert code == 0
    assert "exit codes: 0 ok, 1 warning" in " ".join(out.split())
    assert "3 unknown" in out
    code, out, _ = run(capsys, "--version")
    assert code == 0 and out.startswith("watchtui ")


def _parsers(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    found = [parser]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                found += _parsers(sub)
    return found


def test_every_flag_and_argument_has_help() -> None:
    missing = [
        f"{parser.prog} {action.option_strings or action.dest}"
        for parser in _parsers(build_parser())
        for action in parser._actions
        if not isinstance(action, argparse._SubParsersAction | argparse._HelpAction)
        and not action.help
    ]
    assert missing == []


def test_the_exit_codes_are_in_every_commands_help() -> None:
    status = next(p for p in _parsers(build_parser()) if p.prog == "watchtui status")
    assert EPILOG in " ".join(status.format_help().split())


def _naive_clock() -> datetime:
    return datetime(2026, 7, 29, 12, 0)  # no timezone: the store refuses it, a bug to report


def test_an_unexpected_error_is_one_line_asking_for_a_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["--db", str(tmp_path / "h.sqlite3"), "history"], clock=_naive_clock)
    assert code == 3
    line = one_error_line(capsys.readouterr().err)
    assert "unexpected error" in line and "report" in line and "WATCHTUI_DEBUG=1" in line


def test_watchtui_debug_shows_the_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WATCHTUI_DEBUG", "1")
    with pytest.raises(TypeError):
        main(["--db", str(tmp_path / "h.sqlite3"), "history"], clock=_naive_clock)


def test_error_lines_carry_no_control_characters(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    hostile = tmp_path / "evil\x1b]0;owned\x07\nname.json"
    code, _out, err = run(capsys, "parse", str(hostile))
    assert code == 3
    assert "\x1b" not in one_error_line(err) and "\x07" not in err
