"""Reading and validating the config.  A bad file raises ``ConfigError`` naming the file, the key
and what is wrong; loading and editing share ``parse_text`` so an edit can never write a file
that the next load would reject."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from watchtui.config.schema import MIN_INTERVAL, Config
from watchtui.config.sources import watched_providers

__all__ = ["ConfigError", "load_config", "parse_config", "parse_text", "read_raw", "read_text"]


class ConfigError(Exception):
    def __init__(self, path: Path | None, message: str) -> None:
        self.path = path
        where = str(path) if path else "config"
        super().__init__(f"{where}: {message}")


def load_config(path: Path) -> Config:
    """The config at ``path``; defaults when the file does not exist."""
    text = read_text(path)
    return Config() if text is None else parse_text(text, path)


def read_text(path: Path) -> str | None:
    """The file's text, None when it does not exist.  Line endings are kept as written so an
    edit of a CRLF file stays CRLF."""
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            return handle.read()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ConfigError(path, f"cannot read: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(path, "not valid UTF-8") from exc


def parse_text(text: str, path: Path | None = None) -> Config:
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(path, f"invalid TOML: {exc}") from exc
    return parse_config(raw, path)


def parse_config(raw: Mapping[str, Any], path: Path | None = None) -> Config:
    try:
        config = Config.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ConfigError(path, f"key '{_key_path(first['loc'])}': {_message(first)}") from exc
    _check_references(config, path)
    return config


def read_raw(path: Path) -> dict[str, Any]:
    """The file as plain data, ``{}`` when absent.  Prefer ``edit_config`` for changes: a
    ``read_raw``/``write_raw`` pair is not one locked step and loses concurrent edits."""
    text = read_text(path)
    try:
        return {} if text is None else tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(path, f"cannot update: {exc}") from exc


def _key_path(loc: tuple[int | str, ...]) -> str:
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
    # Imported here, like everywhere in the config: the models load without the catalog, and
    # its data is read only when a provider is named or the default set applies.
    from watchtui import catalog

    _check_providers(config, path)
    seen: set[str] = set()
    watched = set(watched_providers(config.watch))
    for index, source in enumerate(config.sources):
        if source.id in seen:
            raise ConfigError(path, f"key 'sources[{index}].id': duplicate id {source.id!r}")
        if source.id in watched:
            # Two sources with one id would show as two rows of "github" everywhere.
            raise ConfigError(
                path,
                f"key 'sources[{index}].id': {source.id!r} is also a watched catalog provider;"
                f" keep one (`watchtui sources remove {source.id}` removes both)",
            )
        seen.add(source.id)
    probe_ids: set[str] = set()
    for index, probe in enumerate(config.probes):
        if probe.id in probe_ids:
            raise ConfigError(path, f"key 'probes[{index}].id': duplicate id {probe.id!r}")
        probe_ids.add(probe.id)
        if probe.provider and catalog.get(probe.provider) is None and probe.provider not in seen:
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


def _check_providers(config: Config, path: Path | None) -> None:
    from watchtui import catalog

    watch = config.watch
    listed: dict[str, str] = {}  # canonical id -> the key that asks for it
    for key, providers in (
        ("providers", watch.providers or []),
        ("extra_providers", watch.extra_providers),
        ("excluded_providers", watch.excluded_providers),
    ):
        for index, provider in enumerate(providers):
            entry = catalog.get(provider)
            if entry is None:
                raise ConfigError(
                    path, f"key 'watch.{key}[{index}]': {provider!r} is not in the catalog"
                )
            if key != "excluded_providers":
                listed.setdefault(entry.id, key)
            elif entry.id in listed:
                # Both asked for and excluded: which one the operator meant is a guess.
                raise ConfigError(
                    path,
                    f"key 'watch.excluded_providers[{index}]': {provider!r} is also in "
                    f"watch.{listed[entry.id]}",
                )
