"""The shared client: proxies and certificates from the environment."""

from __future__ import annotations

import shutil
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.net.helpers import fails, free_port
from tests.support.feedserver import FeedServer
from watchtui.net.client import make_client, ssl_context_from_env
from watchtui.net.fetch import fetch

# -- environment: proxies and certificates ------------------------------------------------------


async def test_proxy_env_is_honoured_and_no_proxy_bypasses(
    server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.set("/f/proxied", b"direct")
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{free_port()}")
    async with make_client(connect_timeout=1) as via_proxy:
        error = await fails(fetch(via_proxy, server.url("/f/proxied")))
    assert error.reason == "connection refused"
    assert server.request_count("/f/proxied") == 0
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    async with make_client(connect_timeout=1) as bypass:
        assert (await fetch(bypass, server.url("/f/proxied"))).body == b"direct"


@pytest.fixture(scope="module")
def tls_cert(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    if shutil.which("openssl") is None:
        pytest.skip("openssl CLI not available to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "ec",
            "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", str(key), "-out", str(cert), "-days", "2",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
        timeout=30,
    )  # fmt: skip
    return cert, key


@pytest.fixture(scope="module")
def tls_server(tls_cert: tuple[Path, Path]) -> Iterator[FeedServer]:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*tls_cert)
    with FeedServer(ssl_context=context) as srv:
        srv.set("/secure.json", b'{"tls": true}')
        yield srv


async def test_ssl_cert_file_is_trusted(
    tls_server: FeedServer, tls_cert: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(tls_cert[0]))
    async with make_client() as trusting:
        result = await fetch(trusting, tls_server.url("/secure.json"))
    assert result.body == b'{"tls": true}'
    assert result.final_url.startswith("https://")


async def test_ssl_cert_dir_is_trusted(
    tls_server: FeedServer,
    tls_cert: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    subject_hash = subprocess.run(
        ["openssl", "x509", "-hash", "-noout", "-in", str(tls_cert[0])],
        check=True,
        capture_output=True,
        text=True,
        timeout=30,
    ).stdout.strip()
    shutil.copy(tls_cert[0], tmp_path / f"{subject_hash}.0")
    monkeypatch.setenv("SSL_CERT_DIR", str(tmp_path))
    async with make_client() as trusting:
        result = await fetch(trusting, tls_server.url("/secure.json"))
    assert result.status == 200


async def test_untrusted_certificate_is_a_tls_error(tls_server: FeedServer) -> None:
    async with make_client() as default_trust:
        error = await fails(fetch(default_trust, tls_server.url("/secure.json")))
    assert error.reason.startswith("TLS error: ")
    assert "certificate" in error.reason


def test_bad_ssl_cert_file_named_in_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    missing = tmp_path / "nope.pem"
    monkeypatch.setenv("SSL_CERT_FILE", str(missing))
    with pytest.raises(ValueError, match="SSL_CERT_FILE"):
        make_client()
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("not a certificate")
    with pytest.raises(ValueError, match="SSL_CERT_FILE"):
        ssl_context_from_env({"SSL_CERT_FILE": str(garbage)})


def test_ssl_context_defaults_to_certifi(monkeypatch: pytest.MonkeyPatch) -> None:
    loaded: list[str | None] = []
    real = ssl.create_default_context

    def spy(*args: object, cafile: str | None = None, capath: str | None = None) -> ssl.SSLContext:
        loaded.append(cafile)
        return real(cafile=cafile, capath=capath)

    monkeypatch.setattr(ssl, "create_default_context", spy)
    ssl_context_from_env({})
    import certifi

    assert loaded == [certifi.where()]
