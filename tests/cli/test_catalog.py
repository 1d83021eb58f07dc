"""``watchtui catalog [QUERY]``: the built-in providers, searched as the UI's picker searches."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from tests.cli.conftest import run, run_json
from watchtui import catalog
from watchtui.ui.catalog_search import search_catalog


def test_no_query_lists_everything_under_a_header(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env.write_text("[watch]\nextra_providers = ['gitlab']\n")
    code, out, _ = run(capsys, "catalog")
    header, *rows = out.splitlines()
    assert code == 0
    assert header.split() == ["ID", "NAME", "KIND", "FEED", "DEFAULT", "WATCHED", "CATEGORY"]
    assert len(rows) == len(catalog.load_catalog())
    cells = {row.split()[0]: re.split(r"\s{2,}", row) for row in rows}
    assert cells["github"][1:6] == ["GitHub", "statuspage", "yes", "yes", "yes"]
    assert cells["gitlab"][1:6] == ["Gitlab", "statusio", "yes", "-", "yes"]  # not a default
    assert cells["stripe"][2:6] == ["link", "-", "-", "-"]  # no feed to poll


def test_a_query_ranks_the_best_match_first(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    env.write_text("")
    code, rows = run_json(capsys, "catalog", "githb", "--json")
    assert code == 0
    assert rows[0] == {
        "id": "github",
        "name": "GitHub",
        "kind": "statuspage",
        "category": rows[0]["category"],
        "pollable": True,
        "default": True,
        "watched": True,
        "url": "https://www.githubstatus.com/",
        "aliases": ["gh"],
    }
    assert len(rows) <= 20
    assert [r["id"] for r in rows] == [e.id for e in search_catalog("githb", limit=20)]


def test_limit_and_no_match(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    env.write_text("")
    _code, rows = run_json(capsys, "catalog", "a", "--json", "--limit", "3")
    assert len(rows) == 3
    code, out, _ = run(capsys, "catalog", "qqqqzzzz")
    assert (code, out) == (0, "no catalog entry matches 'qqqqzzzz'\n")
    assert run_json(capsys, "catalog", "qqqqzzzz", "--json") == (0, [])


def test_the_search_is_quick_over_the_whole_catalog() -> None:
    search_catalog("warmup")
    start = time.perf_counter()
    for query in ("g", "gi", "git", "gith", "githb", "datadog eu", "pagrduty", "rere"):
        search_catalog(query, limit=len(catalog.load_catalog()))
    assert (time.perf_counter() - start) / 8 < 0.05
