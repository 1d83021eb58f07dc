"""One polling round of an engine, as a test runs it: in its own event loop, the engine's HTTP
client closed in that loop (an httpx client cannot outlive the loop it was used on)."""

from __future__ import annotations

import asyncio
from typing import Any

from watchtui.domain.events import ChangeEvent
from watchtui.engine.engine import Engine


def poll_round(engine: Engine, **kwargs: Any) -> list[ChangeEvent]:
    async def round_() -> list[ChangeEvent]:
        try:
            return await engine.poll(**kwargs)
        finally:
            await engine.poller.aclose()

    return asyncio.run(round_())
