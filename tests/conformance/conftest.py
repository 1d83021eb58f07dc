from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import shared_feeds_dir


@pytest.fixture
def real_feed() -> Callable[[str], bytes]:
    """Bytes of one real payload under ../shared/feeds; skips loudly when the folder is absent."""
    feeds = shared_feeds_dir()
    if feeds is None:
        pytest.skip("../shared/feeds is absent: real-payload conformance NOT checked")

    def read(relative: str) -> bytes:
        path: Path = feeds / relative
        return path.read_bytes()

    return read
