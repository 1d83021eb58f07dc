"""What every end-to-end test needs: the installed console script, tmux, and a user with a fresh
home, so nothing of the real user's config or history leaks in."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from tests.e2e.tmux import require_tmux

WATCHTUI = Path(sys.executable).parent / "watchtui"


@pytest.fixture
def demo_env(tmp_path: Path) -> dict[str, str]:
    """The environment of a user with a fresh home: nothing of the real user's leaks in."""
    if not WATCHTUI.exists():
        pytest.fail(f"the watchtui console script is missing at {WATCHTUI}", pytrace=False)
    require_tmux()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WATCHTUI_", "TMUX"))}
    home = tmp_path / "home"
    for name, sub in (
        ("HOME", ""),
        ("XDG_CONFIG_HOME", ".config"),
        ("XDG_STATE_HOME", ".local/state"),
        ("XDG_DATA_HOME", ".local/share"),
        ("XDG_CACHE_HOME", ".cache"),
    ):
        (home / sub).mkdir(parents=True, exist_ok=True)
        env[name] = str(home / sub)
    env["TMPDIR"] = str(tmp_path)
    return env
