"""Shared by the probe tests: a time origin and a quick way to write an http probe."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from watchtui.probes import ProbeSpec

T0 = datetime(2024, 5, 1, 8, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)


def http(url: str, **kw: Any) -> ProbeSpec:
    return ProbeSpec(id=kw.pop("id", "api"), type="http", target=url, **kw)
