"""The shape of ``config.toml``: one pydantic model per table, unknown keys rejected.

Cross-entry rules (catalog references, duplicate ids) need the catalog and live in ``load``.
"""

from __future__ import annotations

from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator

from watchtui.config.probe_spec import ID_PATTERN, ProbeSpec
from watchtui.domain.model import Impact
from watchtui.sources.kinds import KIND_MODULES

__all__ = [
    "DEFAULT_INTERVAL",
    "MIN_INTERVAL",
    "Config",
    "CustomSource",
    "Display",
    "Notifications",
    "StoreSettings",
    "Watch",
    "Watchlist",
]

MIN_INTERVAL = 15
DEFAULT_INTERVAL = 60


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CustomSource(_Section):
    id: str = Field(pattern=ID_PATTERN)
    kind: str
    url: str
    name: str | None = None
    interval: int = Field(default=DEFAULT_INTERVAL, ge=MIN_INTERVAL)
    enabled: bool = True

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, value: str) -> str:
        if value not in KIND_MODULES:
            raise ValueError(f"unknown kind {value!r} (known: {', '.join(KIND_MODULES)})")
        return value

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError("must be an http(s) URL")
        return value


class Watch(_Section):
    """Which catalog providers to poll.

    ``providers`` absent means the built-in default set, which grows with new releases;
    present, it is the exact list.  ``extra_providers`` are watched on top of either, and
    ``excluded_providers`` are dropped from the defaults, so an operator who only adds or
    removes a few never freezes the default set into their file.
    """

    providers: list[str] | None = None
    extra_providers: list[str] = Field(default_factory=list)
    excluded_providers: list[str] = Field(default_factory=list)
    # Watched providers switched off (the Sources screen's ``x``): listed, kept, not polled.
    # (A custom source has its own ``enabled = false``.)
    disabled: list[str] = Field(default_factory=list)
    intervals: dict[str, int] = Field(default_factory=dict)


class Watchlist(_Section):
    """What the user depends on: highlighted, and the scope of notifications when non-empty."""

    providers: list[str] = Field(default_factory=list)
    # "provider:Component name"
    components: list[str] = Field(default_factory=list)
    # Canonical geographies (eu-west) or provider region codes (aws:us-east-1).
    regions: list[str] = Field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.providers or self.components or self.regions)


class Display(_Section):
    clock: Literal["utc", "local"] = "utc"
    ascii: bool = False
    only_watched: bool = False


class Notifications(_Section):
    enabled: bool = True
    bell: bool = False
    desktop: bool = False
    min_impact: Impact = "minor"
    debounce_seconds: int = Field(default=30, ge=0)


class StoreSettings(_Section):
    retention_days: int = Field(default=90, ge=1)


class Config(_Section):
    watch: Watch = Field(default_factory=Watch)
    sources: list[CustomSource] = Field(default_factory=list)
    watchlist: Watchlist = Field(default_factory=Watchlist)
    display: Display = Field(default_factory=Display)
    notifications: Notifications = Field(default_factory=Notifications)
    store: StoreSettings = Field(default_factory=StoreSettings)
    # Action name -> key(s), e.g. refresh = "ctrl+r".
    keys: dict[str, str] = Field(default_factory=dict)
    # The user's own checks, beside the providers' claims.
    probes: list[ProbeSpec] = Field(default_factory=list)
