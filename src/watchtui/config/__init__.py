"""User configuration (TOML) and the list of sources it resolves to.

The file lives in the platformdirs user config dir; ``--config PATH`` or ``WATCHTUI_CONFIG``
override it.  With no file, a default set is watched (the three big clouds plus widely used
services from the built-in catalog).  A bad file raises ``ConfigError`` naming the file, the key and
what is wrong.  Changes go through ``edit_config`` (one locked, validated, atomic
read-modify-write that keeps comments) with the document operations in ``mutations``.

Loading is what every start needs; editing (``edit``, ``mutations``: tomlkit) is imported on first
use of one of its names, so reading the config never pays for the editor.

Modules: ``schema`` (the models), ``probe_spec`` (``[[probes]]``), ``load`` (reading and
validation), ``sources`` (what the config resolves to), ``paths``, ``edit`` and ``mutations``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from watchtui.config.load import ConfigError, load_config, parse_config, parse_text, read_raw
from watchtui.config.paths import APP_NAME, config_path, db_path, lock_path
from watchtui.config.probe_spec import MIN_PROBE_INTERVAL, ProbeSpec, split_host_port
from watchtui.config.schema import (
    DEFAULT_INTERVAL,
    MIN_INTERVAL,
    Config,
    CustomSource,
    Display,
    Notifications,
    StoreSettings,
    Watch,
    Watchlist,
)
from watchtui.config.sources import (
    Endpoint,
    SourceSpec,
    canonical_watchlist,
    derive_endpoints,
    history_interval_for,
    resolve_sources,
    watched_providers,
)

if TYPE_CHECKING:
    from watchtui.config.edit import (
        LOCK_TIMEOUT,
        Edit,
        Mutation,
        apply_edit,
        edit_config,
        write_raw,
    )
    from watchtui.config.mutations import (
        WatchChange,
        add_probe,
        put_source,
        remove_probe,
        remove_source,
        set_source_enabled,
        set_watchlist_member,
        unwatch_provider,
        watch_provider,
    )

# Name -> the submodule defining it, imported when the name is first asked for.
_LAZY: dict[str, str] = {
    **dict.fromkeys(
        ("LOCK_TIMEOUT", "Edit", "Mutation", "apply_edit", "edit_config", "write_raw"), "edit"
    ),
    **dict.fromkeys(
        (
            "WatchChange",
            "add_probe",
            "put_source",
            "remove_probe",
            "remove_source",
            "set_source_enabled",
            "set_watchlist_member",
            "unwatch_provider",
            "watch_provider",
        ),
        "mutations",
    ),
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value: object = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


__all__ = [
    "APP_NAME",
    "DEFAULT_INTERVAL",
    "LOCK_TIMEOUT",
    "MIN_INTERVAL",
    "MIN_PROBE_INTERVAL",
    "Config",
    "ConfigError",
    "CustomSource",
    "Display",
    "Edit",
    "Endpoint",
    "Mutation",
    "Notifications",
    "ProbeSpec",
    "SourceSpec",
    "StoreSettings",
    "Watch",
    "WatchChange",
    "Watchlist",
    "add_probe",
    "apply_edit",
    "canonical_watchlist",
    "config_path",
    "db_path",
    "derive_endpoints",
    "edit_config",
    "history_interval_for",
    "load_config",
    "lock_path",
    "parse_config",
    "parse_text",
    "put_source",
    "read_raw",
    "remove_probe",
    "remove_source",
    "resolve_sources",
    "set_source_enabled",
    "set_watchlist_member",
    "split_host_port",
    "unwatch_provider",
    "watch_provider",
    "watched_providers",
    "write_raw",
]
