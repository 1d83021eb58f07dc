from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.feedserver import FeedServer


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as srv:
        yield srv
