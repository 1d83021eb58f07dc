"""User configuration (TOML) and the list of sources it resolves to.

The file lives in the platformdirs user config dir; ``--config PATH`` or ``WATCHTUI_CONFIG``
override it.  With no file, a default set is watched (the three big clouds plus widely used
services from the built-in catalog).  A bad file raises ``ConfigError`` naming the file, the key and
what is wrong.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from watchtui import catalog
from watchtui.domain.model import Impact
from watchtui.probes import ProbeSpec
from watchtui.sources import KIND_MODULES

APP_NAME = "watchtui"
MIN_INTERVAL = 15
DEFAULT_INTERVAL = 60

# Kinds whose payload lists only what is current: an incident that disappears from it has ended.
_CURRENT_ONLY_KINDS = frozenset(
    {
        "statuspage",
        "incidentio",
        "aws",
        "azure",
        "slack",
        "heroku",
        "instatus",
        "checkly",
        "pagerduty",
        "statusio",
    }
)


class ConfigError(Exception):
    def __init__(self, path: Path | None, message: str) -> None:
        self.path = path
        where = str(path) if path else "config"
        super().__init__(f"{where}: {message}")


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CustomSource(_Section):
    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
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
    # Catalog ids (or aliases) to poll.  None means the built-in default set.
    providers: list[str] | None = None
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


class Endpoint(BaseModel):
    model_config = ConfigDict(frozen=True)

    url: str
    role: Literal["current", "history"]
    interval: int
    lists_only_current: bool


class SourceSpec(BaseModel):
    """One configured source, resolved to the endpoints the poller fetches."""

    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    kind: str
    base_url: str
    interval: int
    endpoints: tuple[Endpoint, ...]
    enabled: bool = True
    from_catalog: bool = False


def config_path(override: str | os.PathLike[str] | None = None) -> Path:
    if override:
        return Path(override).expanduser()
    env = os.environ.get("WATCHTUI_CONFIG")
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml"


def load_config(path: Path) -> Config:
    """The config at ``path``; defaults when the file does not exist."""
    if not path.exists():
        return Config()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(path, f"cannot read: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(path, "not valid UTF-8") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(path, f"invalid TOML: {exc}") from exc
    return parse_config(raw, path)


def parse_config(raw: Mapping[str, Any], path: Path | None = None) -> Config:
    try:
        config = Config.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = _key_path(first["loc"], raw)
        raise ConfigError(path, f"key '{key}': {_message(first)}") from exc
    _check_references(config, path)
    return config


def _key_path(loc: tuple[int | str, ...], raw: Mapping[str, Any]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _message(error: Mapping[str, Any]) -> str:
    if error["type"] == "extra_forbidden":
        return "unknown key"
    if error["type"] == "missing":
        return "is required"
    message = str(error["msg"])
    return re.sub(r"^Value error, ", "", message)


def _check_references(config: Config, path: Path | None) -> None:
    for index, provider in enumerate(config.watch.providers or []):
        if catalog.get(provider) is None:
            raise ConfigError(
                path, f"key 'watch.providers[{index}]': {provider!r} is not in the catalog"
            )
    seen: set[str] = set()
    for index, source in enumerate(config.sources):
        if source.id in seen:
            raise ConfigError(path, f"key 'sources[{index}].id': duplicate id {source.id!r}")
        seen.add(source.id)
    source_ids = {s.id for s in config.sources}
    probe_ids: set[str] = set()
    for index, probe in enumerate(config.probes):
        if probe.id in probe_ids:
            raise ConfigError(path, f"key 'probes[{index}].id': duplicate id {probe.id!r}")
        probe_ids.add(probe.id)
        if (
            probe.provider
            and catalog.get(probe.provider) is None
            and probe.provider not in source_ids
        ):
            raise ConfigError(
                path,
                f"key 'probes[{index}].provider': {probe.provider!r} is neither a catalog "
                "provider nor a custom source id",
            )
    for provider, interval in config.watch.intervals.items():
        if interval < MIN_INTERVAL:
            raise ConfigError(
                path, f"key 'watch.intervals.{provider}': must be at least {MIN_INTERVAL} seconds"
            )


def _is_endpoint_url(url: str) -> bool:
    """A full endpoint or feed URL (used as is) rather than a page's base address."""
    path = urlsplit(url).path.lower()
    return (
        path.endswith((".json", ".rss", ".atom", ".xml", "/feed", "/feed/", "/current-status"))
        or "/api/" in path
        or "/rss/" in path
        or path.endswith("/currentevents")
    )


def history_interval_for(interval: int) -> int:
    """History endpoints (Statuspage incidents.json, Slack history) change rarely and are bigger:
    the catalog's rule applies to custom sources and interval overrides too."""
    return max(interval * catalog.HISTORY_INTERVAL_FACTOR, catalog.MIN_HISTORY_INTERVAL)


def derive_endpoints(kind: str, url: str, interval: int) -> tuple[Endpoint, ...]:
    """Endpoints to poll for a custom source given either a base address or a full URL."""
    current_only = kind in _CURRENT_ONLY_KINDS
    history_interval = history_interval_for(interval)
    if _is_endpoint_url(url):
        # A full Statuspage history URL lists resolved incidents too.
        role: Literal["current", "history"] = "current"
        if kind in ("statuspage", "incidentio") and url.rstrip("/").endswith("incidents.json"):
            role = "history"
        return (
            Endpoint(
                url=url,
                role=role,
                interval=interval,
                lists_only_current=current_only and role == "current",
            ),
        )
    base = url.rstrip("/")
    if kind in ("statuspage", "incidentio"):
        return (
            Endpoint(
                url=f"{base}/api/v2/summary.json",
                role="current",
                interval=interval,
                lists_only_current=True,
            ),
            Endpoint(
                url=f"{base}/api/v2/incidents.json",
                role="history",
                interval=history_interval,
                lists_only_current=False,
            ),
        )
    if kind == "slack":
        return (
            Endpoint(
                url=f"{base}/api/v2.0.0/current",
                role="current",
                interval=interval,
                lists_only_current=True,
            ),
            Endpoint(
                url=f"{base}/api/v2.0.0/history",
                role="history",
                interval=history_interval,
                lists_only_current=False,
            ),
        )
    suffix = {
        "gcp": "/incidents.json",
        "aws": "/public/currentevents",
        "pagerduty": "/api/data",
        "heroku": "/api/v4/current-status",
        "instatus": "/summary.json",
        "betterstack": "/index.json",
        "rss": "/history.atom",
    }.get(kind, "")
    return (
        Endpoint(
            url=base + suffix, role="current", interval=interval, lists_only_current=current_only
        ),
    )


def resolve_sources(config: Config) -> list[SourceSpec]:
    """Every source the config asks for: catalog providers first, then custom sources."""
    specs: list[SourceSpec] = []
    ids = config.watch.providers if config.watch.providers is not None else catalog.default_ids()
    for provider_id in ids:
        entry = catalog.get(provider_id)
        if entry is None or not entry.pollable:
            continue
        interval = max(MIN_INTERVAL, config.watch.intervals.get(entry.id, entry.interval))
        endpoints = tuple(
            Endpoint(
                url=e.url,
                role=e.role,
                interval=interval if e.role == "current" else history_interval_for(interval),
                lists_only_current=e.role == "current" and entry.kind in _CURRENT_ONLY_KINDS,
            )
            for e in entry.endpoints
        )
        specs.append(
            SourceSpec(
                id=entry.id,
                name=entry.name,
                kind=entry.kind,
                base_url=entry.base_url,
                interval=interval,
                endpoints=endpoints,
                from_catalog=True,
            )
        )
    for custom in config.sources:
        specs.append(
            SourceSpec(
                id=custom.id,
                name=custom.name or custom.id,
                kind=custom.kind,
                base_url=custom.url,
                interval=custom.interval,
                endpoints=derive_endpoints(custom.kind, custom.url, custom.interval),
                enabled=custom.enabled,
            )
        )
    return specs


def db_path(override: str | os.PathLike[str] | None = None) -> Path:
    """The history store: ``--db`` / ``WATCHTUI_DB``, else the platformdirs user state dir."""
    if override:
        return Path(override).expanduser()
    env = os.environ.get("WATCHTUI_DB")
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_state_dir(APP_NAME)) / "history.sqlite3"


def read_raw(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(path, f"cannot update: {exc}") from exc


def write_raw(path: Path, raw: Mapping[str, Any]) -> Config:
    """Validate then write ``raw`` (atomically: a crash never leaves half a config)."""
    import tomli_w

    config = parse_config(raw, path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(tomli_w.dumps(dict(raw)), encoding="utf-8")
    tmp.replace(path)
    return config
