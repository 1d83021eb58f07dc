"""The ``[[probes]]`` entries of the config: what a probe checks, validated on load.

Running probes lives in ``watchtui.probes``, which imports this model; config never imports the
runner (it would pull httpx and the store into every config load).
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from watchtui.domain.text import clean_line

__all__ = [
    "ID_PATTERN",
    "MAX_TIMEOUT",
    "MIN_PROBE_INTERVAL",
    "JsonScalar",
    "ProbeSpec",
    "ProbeType",
    "split_host_port",
]

MIN_PROBE_INTERVAL = 15
MAX_TIMEOUT = 60.0
# Probe ids, custom source ids and provider references share one shape: safe in TOML keys,
# store lease keys and terminal output.
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"

ProbeType = Literal["http", "tcp", "dns"]
JsonScalar = str | int | float | bool

_HOST_LABEL = re.compile(r"^(?!-)[A-Za-z0-9_-]{1,63}(?<!-)$")
_JSON_PATH = re.compile(r"^[^.\s]+(\.[^.\s]+)*$")


def _valid_hostname(host: str) -> bool:
    name = host[:-1] if host.endswith(".") else host
    if not name or len(name) > 253:
        return False
    return all(_HOST_LABEL.match(label) for label in name.split("."))


def _valid_host(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return _valid_hostname(host)
    return True


def split_host_port(target: str) -> tuple[str, int]:
    """``"db.example.com:5432"`` or ``"[2001:db8::1]:443"`` -> (host, port); ValueError when not."""
    text = target.strip()
    if text.startswith("["):
        host, sep, rest = text[1:].partition("]")
        if not sep or not rest.startswith(":"):
            raise ValueError(f"{target!r} is not [ipv6]:port")
        port_text = rest[1:]
    else:
        host, sep, port_text = text.rpartition(":")
        if not sep or ":" in host:
            raise ValueError(f"{target!r} is not host:port (write IPv6 as [addr]:port)")
    if not port_text.isascii() or not port_text.isdigit() or not 1 <= int(port_text) <= 65535:
        raise ValueError(f"port in {target!r} must be a number from 1 to 65535")
    if not _valid_host(host):
        raise ValueError(f"{host!r} is not a valid host name or address")
    return host, int(port_text)


def _check_http_target(value: str) -> None:
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError:
        raise ValueError(f"{value!r} is not a valid URL") from None
    if parts.scheme not in ("http", "https") or not host:
        raise ValueError("an http probe's target must be an http(s) URL such as https://host/path")


class ProbeSpec(BaseModel):
    """One ``[[probes]]`` entry.

    ``target``: a URL (http), ``host:port`` (tcp) or a host name (dns).  ``expect_status`` empty
    means any 2xx or 3xx (redirects are followed, up to the client's limit).  ``contains`` is a
    substring the body must include; ``json_path`` a dotted path (``status.indicator``, list
    indexes as numbers: ``components.0.status``) that must exist and, with ``json_equals``, equal
    that value.  ``provider`` is a catalog id (filled from the target's host by
    ``link_provider``), ``service`` a component name of that provider, ``region`` a provider
    region code (``westeurope``) or a canonical geography (``eu-west``).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=ID_PATTERN)
    type: ProbeType
    target: str
    method: Literal["GET", "HEAD"] = "GET"
    expect_status: tuple[int, ...] = ()
    contains: str | None = None
    json_path: str | None = None
    json_equals: JsonScalar | None = None
    expect_address: str | None = None
    timeout: float = 5.0
    interval: int = 30
    provider: str | None = None
    service: str | None = None
    region: str | None = None
    down_after: int = 3
    up_after: int = 2

    @field_validator("target")
    @classmethod
    def _clean_target(cls, value: str) -> str:
        value = value.strip()
        if not value or not value.isprintable():
            raise ValueError("must be a non-empty single line")
        return value

    @field_validator("expect_status")
    @classmethod
    def _statuses(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        for code in value:
            if not 100 <= code <= 599:
                raise ValueError(f"{code} is not an HTTP status (100-599)")
        return value

    @field_validator("contains")
    @classmethod
    def _contains(cls, value: str | None) -> str | None:
        if value is not None and not value:
            raise ValueError("must not be empty (omit it to skip the body check)")
        return value

    @field_validator("json_path")
    @classmethod
    def _json_path(cls, value: str | None) -> str | None:
        if value is not None and not _JSON_PATH.match(value):
            raise ValueError(f"{value!r} is not a dotted path such as status.indicator")
        return value

    @field_validator("expect_address")
    @classmethod
    def _address(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            return str(ipaddress.ip_address(value.strip()))
        except ValueError:
            raise ValueError(f"{value!r} is not an IPv4 or IPv6 address") from None

    @field_validator("timeout")
    @classmethod
    def _timeout(cls, value: float) -> float:
        if not 0 < value <= MAX_TIMEOUT:
            raise ValueError(f"must be more than 0 and at most {MAX_TIMEOUT:g} seconds")
        return value

    @field_validator("interval")
    @classmethod
    def _interval(cls, value: int) -> int:
        if value < MIN_PROBE_INTERVAL:
            raise ValueError(f"must be at least {MIN_PROBE_INTERVAL} seconds")
        return value

    @field_validator("down_after", "up_after")
    @classmethod
    def _streak(cls, value: int) -> int:
        if not 1 <= value <= 100:
            raise ValueError("must be between 1 and 100 consecutive results")
        return value

    @field_validator("provider")
    @classmethod
    def _provider(cls, value: str | None) -> str | None:
        if value is not None and not re.match(ID_PATTERN, value):
            raise ValueError(f"{value!r} is not a provider id (see `watchtui sources`)")
        return value

    @field_validator("service", "region")
    @classmethod
    def _label(cls, value: str | None) -> str | None:
        if value is None:
            return None
        cleaned = clean_line(value, 120)
        if not cleaned:
            raise ValueError("must not be empty (omit it instead)")
        return cleaned

    @model_validator(mode="after")
    def _fits_type(self) -> ProbeSpec:
        self._check_target()
        http_only = {
            "method": self.method != "GET",
            "expect_status": bool(self.expect_status),
            "contains": self.contains is not None,
            "json_path": self.json_path is not None,
        }
        if self.type != "http":
            for key, used in http_only.items():
                if used:
                    raise ValueError(f"'{key}' applies to http probes only")
        if self.type != "dns" and self.expect_address is not None:
            raise ValueError("'expect_address' applies to dns probes only")
        if self.json_equals is not None and self.json_path is None:
            raise ValueError("'json_equals' needs 'json_path'")
        if self.method == "HEAD" and (self.contains is not None or self.json_path is not None):
            raise ValueError("a HEAD request has no body: drop 'contains'/'json_path' or use GET")
        if self.timeout >= self.interval:
            raise ValueError("'timeout' must be shorter than 'interval'")
        return self

    def to_config(self) -> dict[str, Any]:
        """This spec as a ``[[probes]]`` TOML table, defaults left out (``probes add``)."""
        return self.model_dump(mode="json", exclude_defaults=True)

    def _check_target(self) -> None:
        if self.type == "http":
            _check_http_target(self.target)
        elif self.type == "tcp":
            split_host_port(self.target)
        elif not _valid_hostname(self.target):
            raise ValueError(f"a dns probe's target must be a host name, not {self.target!r}")
