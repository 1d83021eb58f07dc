from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def shared_feeds_dir() -> Path | None:
    """The real captured payloads (``../shared/feeds`` beside the checkout), if present."""
    override = os.environ.get("WATCHTUI_SHARED_FEEDS")
    candidate = Path(override) if override else ROOT.parent / "shared" / "feeds"
    return candidate if (candidate / "SOURCES.md").is_file() else None


def pytest_report_header(config: pytest.Config) -> str:
    feeds = shared_feeds_dir()
    if feeds is None:
        return (
            "watchtui: REAL FEEDS NOT FOUND (../shared/feeds) - the conformance suite is SKIPPED; "
            "set WATCHTUI_SHARED_FEEDS to run it"
        )
    return f"watchtui: conformance suite reads real feeds from {feeds}"


@pytest.fixture
def fixture_bytes() -> object:
    def read(relative: str) -> bytes:
        return (FIXTURES / relative).read_bytes()

    return read


@pytest.fixture(autouse=True)
def isolated_dirs(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """No test reads or writes the real user's config or history."""
    home = tmp_path_factory.mktemp("home")
    for var in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(var, str(home / var.lower()))
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("WATCHTUI_CONFIG", raising=False)
    monkeypatch.delenv("WATCHTUI_DB", raising=False)
    return home
