"""The UI is handed the engine through ``engine.protocol``: importing it (or the overview's
dataclasses) must not import the store, the poller or httpx."""

from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = ("httpx", "sqlite3", "watchtui.store", "watchtui.engine.poller", "watchtui.net")


@pytest.mark.parametrize(
    "statement",
    [
        "import watchtui.engine.protocol",
        "from watchtui.engine.overview import Overview, DisagreementView, HintView",
        "from watchtui.engine.protocol import WatchEngine, WatchKind, ProbeHistory",
    ],
)
def test_the_engine_interface_is_light(statement: str) -> None:
    probe = f"import sys; {statement}; print(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
