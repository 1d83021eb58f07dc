"""HTTP for feeds and probes: one shared client, bounded fetches, checked redirects, one error
wording.  The names below are the package's public surface."""

from watchtui.net.addresses import Resolver, non_global_kind, resolve_host
from watchtui.net.backoff import (
    BACKOFF_CAP,
    DEFAULT_INTERVAL,
    MAX_INTERVAL,
    MIN_INTERVAL,
    RETRY_AFTER_CAP,
    backoff_delay,
    clamp_interval,
    failure_delay,
    next_interval,
    parse_retry_after,
)
from watchtui.net.body import CappedBody, read_capped
from watchtui.net.client import ACCEPT_ENCODING, USER_AGENT, make_client, ssl_context_from_env
from watchtui.net.errors import FetchError, describe
from watchtui.net.fetch import DEFAULT_MAX_BYTES, FetchResult, fetch
from watchtui.net.redirects import open_following

__all__ = [
    "ACCEPT_ENCODING",
    "BACKOFF_CAP",
    "DEFAULT_INTERVAL",
    "DEFAULT_MAX_BYTES",
    "MAX_INTERVAL",
    "MIN_INTERVAL",
    "RETRY_AFTER_CAP",
    "USER_AGENT",
    "CappedBody",
    "FetchError",
    "FetchResult",
    "Resolver",
    "backoff_delay",
    "clamp_interval",
    "describe",
    "failure_delay",
    "fetch",
    "make_client",
    "next_interval",
    "non_global_kind",
    "open_following",
    "parse_retry_after",
    "read_capped",
    "resolve_host",
    "ssl_context_from_env",
]
