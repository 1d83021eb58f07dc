"""``watchtui history``: past incidents from the store, offline, on the test's clock."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.cli.conftest import one_error_line
from tests.support.statuspage_payloads import incident, summary
from watchtui.cli import main
from watchtui.sources import parse_payload
from watchtui.store import Store

# Clocks carry microseconds; nothing the CLI prints should.
FIRST = datetime(2026, 7, 29, 12, 0, 0, 123456, tzinfo=UTC)
LATER = FIRST + timedelta(hours=2, minutes=5, microseconds=7)
NOW = FIRST + timedelta(days=1, microseconds=999)
WHOLE_SECOND = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


def now() -> datetime:
    return NOW


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Path]:
    """Source ``a`` saw incident x open, then stopped listing it (resolution inferred), and y."""
    path = tmp_path / "history.sqlite3"
    with Store.open(path) as db:
        for at, body in ((FIRST, summary(incident("x"))), (LATER, summary(incident("y")))):
            db.ingest("a", parse_payload("statuspage", body), at, lists_only_current=True)
    yield path


def history(
    capsys: pytest.CaptureFixture[str], db: Path, *argv: str, config: Path | None = None
) -> tuple[int, str, str]:
    first = ["--config", str(config)] if config else []
    code = main([*first, "--db", str(db), "history", *argv], clock=now)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_text_has_a_header_row_and_whole_seconds(
    store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = history(capsys, store, "--since", "30d")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "2 incidents since 2026-06-30T12:00:00Z"
    assert lines[1].split() == ["STARTED", "LASTED", "STATE", "IMPACT", "SOURCE", "TITLE"]
    assert lines[2].split()[:5] == ["2026-07-29T11:00:00Z", "3h05m", "~resolved", "major", "a"]
    assert lines[3].split()[:5] == ["2026-07-29T11:00:00Z", "1d01h", "open", "major", "a"]
    assert lines[-1].startswith("~resolved: ")
    assert not re.search(r":\d\d\.\d", out)  # no fractions of a second anywhere


def test_one_incident_is_singular(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = history(capsys, store, "--since", "30d", "--source", "a")
    assert code == 0 and out.startswith("2 incidents")
    with Store.open(store) as db:
        db.prune(FIRST + timedelta(hours=3))  # x ended before: only y is left
    code, out, _ = history(capsys, store, "--since", "30d")
    assert out.startswith("1 incident since")


def test_json_and_csv_times_are_whole_seconds(
    store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = history(capsys, store, "--since", "30d", "--json")
    records = {r["id"]: r for r in json.loads(out)}
    assert code == 0
    assert records["x"]["resolved_at"] == "2026-07-29T14:05:00Z"  # inferred at LATER
    assert records["x"]["resolution_inferred"] is True
    assert records["y"]["resolved_at"] is None
    code, out, _ = history(capsys, store, "--since", "30d", "--csv")
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(out))}
    assert rows["x"]["resolved_at"] == "2026-07-29T14:05:00Z"
    assert all(WHOLE_SECOND.fullmatch(row["started_at"]) for row in rows.values())


@pytest.mark.parametrize("span", ["99999999d", "99999999999999999999999999w", "9" * 5000 + "m"])
def test_a_span_past_the_epoch_means_everything(
    store: Path, capsys: pytest.CaptureFixture[str], span: str
) -> None:
    code, out, err = history(capsys, store, "--since", span)
    assert (code, err) == (0, "")
    assert out.startswith("2 incidents since 1970-01-01T00:00:00Z\n")


@pytest.mark.parametrize("span", ["yesterday", "7", "-1d", "1.5h", ""])
def test_a_bad_span_is_one_line(store: Path, capsys: pytest.CaptureFixture[str], span: str) -> None:
    code, _out, err = history(capsys, store, "--since", span)
    assert code == 3
    assert "--since" in one_error_line(err)


def test_an_unknown_source_is_an_error_not_zero_incidents(
    store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = history(capsys, store, "--source", "nosuch")
    assert (code, out) == (3, "")
    assert "unknown source 'nosuch'" in one_error_line(err)


def test_a_removed_source_keeps_its_history(
    store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[watch]\nproviders = []\n")  # `a` is no longer configured
    code, out, _ = history(capsys, store, "--since", "30d", "--source", "a", config=config)
    assert code == 0 and out.startswith("2 incidents")


def test_prune_refuses_options_it_would_ignore(
    store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _out, err = history(capsys, store, "--prune", "--since", "1d")
    assert code == 3
    assert "--prune" in one_error_line(err)
    code, out, _ = history(capsys, store, "--prune")
    assert code == 0
    assert out.startswith("pruned 0 incidents, 0 updates, ")
    assert "older than 90 days" in out
