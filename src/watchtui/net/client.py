"""The one HTTP client every source and probe shares: pool limits, timeouts, proxies, certificates.

Redirects are never followed by httpx: :mod:`watchtui.net.redirects` follows them itself so that
each hop can be checked (scheme, loops, private addresses) before it is contacted.
"""

from __future__ import annotations

import os
import ssl
from collections.abc import Mapping

import certifi
import httpx

from watchtui import __version__

__all__ = [
    "ACCEPT_ENCODING",
    "MAX_CONNECTIONS",
    "USER_AGENT",
    "make_client",
    "ssl_context_from_env",
]

# The poller bounds concurrency with a semaphore; keep the pool comfortably above any sane limit so
# it never becomes the hidden bottleneck (or a pool timeout masquerading as a slow source).
MAX_CONNECTIONS = 256
MAX_KEEPALIVE = 64
KEEPALIVE_EXPIRY = 30.0
USER_AGENT = f"watchtui/{__version__}"
# Only what watchtui.net.body can inflate within a size limit; httpx would add br/zstd when their
# packages happen to be installed, and those would then be inflated unbounded.
ACCEPT_ENCODING = "gzip, deflate"


def ssl_context_from_env(environ: Mapping[str, str] | None = None) -> ssl.SSLContext:
    """The verifying TLS context: SSL_CERT_FILE and/or SSL_CERT_DIR when set, else certifi.

    httpx 0.28 reads these too, but uses only one of them (FILE wins) and fails with a bare
    FileNotFoundError on a stale path; here both are honoured, as OpenSSL does, and a bad value
    raises ValueError naming the variable.
    """
    env = os.environ if environ is None else environ
    cafile = env.get("SSL_CERT_FILE") or None
    capath = env.get("SSL_CERT_DIR") or None
    if cafile is not None and not os.path.isfile(cafile):
        raise ValueError(f"SSL_CERT_FILE={cafile} is not a readable file")
    if capath is not None and not os.path.isdir(capath):
        raise ValueError(f"SSL_CERT_DIR={capath} is not a directory")
    if cafile is None and capath is None:
        return ssl.create_default_context(cafile=certifi.where())
    try:
        return ssl.create_default_context(cafile=cafile, capath=capath)
    except ssl.SSLError as exc:
        raise ValueError(f"SSL_CERT_FILE={cafile} holds no usable certificates: {exc}") from None


def make_client(
    *,
    connect_timeout: float = 5,
    read_timeout: float = 15,
    max_redirects: int = 5,
) -> httpx.AsyncClient:
    """The one client shared by every source and probe.

    ``trust_env`` keeps HTTP(S)_PROXY/ALL_PROXY/NO_PROXY working; certificates come from
    :func:`ssl_context_from_env`, read once here (set the variables before calling).  Redirects are
    followed by :func:`watchtui.net.redirects.open_following`, which reads ``client.max_redirects``.
    """
    return httpx.AsyncClient(
        headers={"User-Agent": USER_AGENT, "Accept-Encoding": ACCEPT_ENCODING},
        timeout=httpx.Timeout(
            connect=connect_timeout,
            read=read_timeout,
            write=read_timeout,
            pool=connect_timeout,
        ),
        limits=httpx.Limits(
            max_connections=MAX_CONNECTIONS,
            max_keepalive_connections=MAX_KEEPALIVE,
            keepalive_expiry=KEEPALIVE_EXPIRY,
        ),
        follow_redirects=False,
        max_redirects=max_redirects,
        trust_env=True,
        verify=ssl_context_from_env(),
    )
