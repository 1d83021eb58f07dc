"""``watchtui parse``: a saved payload read as the poller reads it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.conftest import one_error_line
from watchtui.cli import main

SUMMARY = {
    "page": {
        "id": "abcdefghijkl",
        "name": "Example [bold]Page[/]",
        "url": "https://status.example.com",
        "time_zone": "Etc/UTC",
        "updated_at": "2026-07-29T20:03:43.000Z",
    },
    "status": {"indicator": "none", "description": "All Systems Operational"},
    "components": [
        {
            "id": "c1",
            "name": "API",
            "status": "partial_outage",
            "group": False,
            "group_id": None,
            "only_show_if_degraded": False,
            "created_at": "2020-01-01T00:00:00Z",
            "updated_at": "2026-07-29T20:00:00Z",
            "position": 1,
        }
    ],
    "incidents": [
        {
            "id": "inc1",
            "name": "Elevated \u001b[31merrors\u001b[0m",
            "status": "investigating",
            "impact": "major",
            "created_at": "2026-07-29T19:00:00.000-07:00",
            "updated_at": "2026-07-29T19:30:00.000-07:00",
            "started_at": "2026-07-29T19:00:00.000-07:00",
            "resolved_at": None,
            "shortlink": "https://stspg.io/x",
            "components": [],
            "incident_updates": [
                {
                    "id": "u1",
                    "status": "investigating",
                    "body": "<p>We are <b>looking</b>.</p>",
                    "created_at": "2026-07-29T19:00:00.000-07:00",
                    "display_at": "2026-07-29T19:00:00.000-07:00",
                    "updated_at": "2026-07-29T19:00:00.000-07:00",
                    "affected_components": None,
                }
            ],
        }
    ],
    "scheduled_maintenances": [],
}


@pytest.fixture
def summary_file(tmp_path: Path) -> Path:
    path = tmp_path / "summary.json"
    path.write_text(json.dumps(SUMMARY))
    return path


def test_parse_json_document(summary_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["parse", str(summary_file), "--kind", "statuspage", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["page_status"] == {"indicator": "none", "description": "All Systems Operational"}
    assert doc["derived_impact"] == "major"  # the page claims none, an incident is open
    assert doc["components"] == [
        {"id": "c1", "name": "API", "group": None, "status": "partial_outage", "regions": []}
    ]
    (incident,) = doc["incidents"]
    assert incident["title"] == "Elevated errors"
    assert incident["started_at"] == "2026-07-30T02:00:00Z"
    assert incident["resolved_at"] is None
    assert incident["updates"] == [
        {
            "id": "u1",
            "at": "2026-07-30T02:00:00Z",
            "status": "investigating",
            "text": "We are looking.",
        }
    ]
    assert doc["maintenances"] == []


def test_parse_auto_and_summary_text(
    summary_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["parse", str(summary_file)]) == 0
    out = capsys.readouterr().out
    assert "Example [bold]Page[/] [statuspage]" in out
    assert "page says: none (All Systems Operational)   watchtui derives: major" in out
    assert "OPEN" in out and "Elevated errors" in out
    assert "\x1b" not in out
    assert "2026-07-30T02:00:00Z  Elevated errors  (1 update)\n" in out  # one, not "1 updates"


def test_parse_from_stdin(
    summary_file: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import io
    import sys

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(summary_file.read_bytes())))
    assert main(["parse", "-", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["kind"] == "statuspage"


@pytest.mark.parametrize(
    ("content", "kind"),
    [(b"{not json", "statuspage"), (b"<html>oops</html>", "auto"), (b"[1,2]", "gcp")],
)
def test_bad_file_exits_3_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, kind: str
) -> None:
    path = tmp_path / "bad"
    path.write_bytes(content)
    assert main(["parse", str(path), "--kind", kind]) == 3
    one_error_line(capsys.readouterr().err)


def test_missing_file_exits_3(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["parse", str(tmp_path / "nope.json")]) == 3
    assert "cannot read" in one_error_line(capsys.readouterr().err)


def test_update_counts_are_plural_only_when_plural(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = json.loads(json.dumps(SUMMARY))
    doc["incidents"][0]["incident_updates"] += [
        {**doc["incidents"][0]["incident_updates"][0], "id": "u2"}
    ]
    path = tmp_path / "summary.json"
    path.write_text(json.dumps(doc))
    assert main(["parse", str(path)]) == 0
    assert "2026-07-30T02:00:00Z  Elevated errors  (2 updates)" in capsys.readouterr().out
