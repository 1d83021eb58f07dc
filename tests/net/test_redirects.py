"""Redirects are followed by us, one checked hop at a time; nothing but 127.0.0.1 is contacted.

To test "a public host redirects into private space" the test server (really on 127.0.0.1) is
declared public through an injected resolver; the refused targets are never connected to.
"""

from __future__ import annotations

import httpx
import pytest

from tests.net.helpers import PUBLIC, FakeDNS, fails, public_loopback
from tests.support.feedserver import Fault, FeedServer
from watchtui.net.fetch import fetch, make_client

# -- redirects ----------------------------------------------------------------------------------


async def test_redirect_relative_and_absolute(
    server: FeedServer, client: httpx.AsyncClient
) -> None:
    server.set("/f/final", b"done")
    server.fault("/f/r-abs", Fault.redirect(server.url("/f/final"), code=301))
    server.fault("/f/r-rel", Fault.redirect("/f/r-abs", code=308))
    result = await fetch(client, server.url("/f/r-rel"))
    assert result.body == b"done"
    assert result.url == server.url("/f/r-rel")
    assert result.final_url == server.url("/f/final")


async def test_redirect_keeps_conditional_headers(
    server: FeedServer, client: httpx.AsyncClient
) -> None:
    server.set("/f/moved-target", b"same")
    server.fault("/f/moved", Fault.redirect("/f/moved-target", code=301))
    first = await fetch(client, server.url("/f/moved"))
    second = await fetch(client, server.url("/f/moved"), etag=first.etag)
    assert second.not_modified


async def test_redirect_hops_are_counted(server: FeedServer) -> None:
    for i in range(3):
        server.fault(f"/f/hop{i}", Fault.redirect(f"/f/hop{i + 1}"))
    server.set("/f/hop3", b"end")
    async with make_client(max_redirects=3) as exact:
        assert (await fetch(exact, server.url("/f/hop0"))).body == b"end"
    async with make_client(max_redirects=2) as short:
        error = await fails(fetch(short, server.url("/f/hop0")))
    assert error.reason == "too many redirects"
    assert error.status == 302


async def test_redirect_loop(server: FeedServer, client: httpx.AsyncClient) -> None:
    server.fault("/f/loop-a", Fault.redirect("/f/loop-b"))
    server.fault("/f/loop-b", Fault.redirect("/f/loop-a"))
    error = await fails(fetch(client, server.url("/f/loop-a")))
    assert error.reason == f"redirect loop at {server.url('/f/loop-a')}"
    assert server.request_count("/f/loop-a") == 1


async def test_redirect_to_file_url_refused(server: FeedServer, client: httpx.AsyncClient) -> None:
    server.fault("/f/evil", Fault.redirect("file:///etc/passwd"))
    error = await fails(fetch(client, server.url("/f/evil")))
    assert error.reason == "redirect to non-HTTP URL file:///etc/passwd"


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/x", "not a url", ""])
async def test_non_http_urls_refused_without_network(client: httpx.AsyncClient, url: str) -> None:
    error = await fails(fetch(client, url))
    assert error.reason == f"unsupported URL {url}".strip()


async def test_malformed_url_is_a_fetch_error(client: httpx.AsyncClient) -> None:
    error = await fails(fetch(client, "https://[::1"))
    assert error.reason == "invalid URL https://[::1"


# -- redirects into private address space --------------------------------------------------------


_PRIVATE_TARGETS = [
    pytest.param(
        "http://localhost:{port}/admin",
        {"localhost": ["127.0.0.1"]},
        "resolves to 127.0.0.1, loopback",
        id="localhost",
    ),
    pytest.param(
        "http://169.254.169.254/latest/meta-data/",
        {},
        "169.254.169.254 is link-local",
        id="metadata",
    ),
    pytest.param("http://10.0.0.5/", {}, "10.0.0.5 is private", id="rfc1918-10"),
    pytest.param("http://192.168.1.1:8080/", {}, "192.168.1.1 is private", id="rfc1918-192"),
    pytest.param("http://[fd00::1]/", {}, "fd00::1 is private", id="ula"),
    pytest.param("http://[fe80::1]/", {}, "fe80::1 is link-local", id="ipv6-link-local"),
    pytest.param("http://0.0.0.0:{port}/", {}, "0.0.0.0 is unspecified", id="unspecified"),
    pytest.param(
        "http://[::ffff:127.0.0.1]:{port}/",
        {},
        "::ffff:127.0.0.1 is loopback",
        id="mapped-loopback",
    ),
    pytest.param("http://100.64.0.1/", {}, "100.64.0.1 is non-global", id="shared-cgnat"),
    pytest.param(
        "http://intranet.example/",
        {"intranet.example": ["10.1.2.3"]},
        "resolves to 10.1.2.3, private",
        id="name-to-private",
    ),
    # One private answer among public ones is enough: the connection may pick it.
    pytest.param(
        "http://mixed.example/",
        {"mixed.example": [PUBLIC, "172.16.0.9"]},
        "resolves to 172.16.0.9, private",
        id="mixed-answers",
    ),
]


@pytest.mark.parametrize(("location", "answers", "where"), _PRIVATE_TARGETS)
async def test_public_origin_may_not_redirect_into_private_space(
    server: FeedServer,
    client: httpx.AsyncClient,
    location: str,
    answers: dict[str, list[str]],
    where: str,
) -> None:
    dns = FakeDNS({"127.0.0.1": [PUBLIC], **answers})
    target = location.format(port=server.port)
    server.fault("/p/jump", Fault.redirect(target))
    before = server.request_count("/p/jump")
    error = await fails(fetch(client, server.url("/p/jump"), resolver=dns))
    shown = str(httpx.URL(target))
    assert error.reason == f"redirect to a private address refused: {shown} ({where})"
    assert error.status == 302
    assert server.request_count("/p/jump") == before + 1


async def test_refused_hop_is_never_contacted(
    server: FeedServer, client: httpx.AsyncClient
) -> None:
    # The "private" target is the test server itself: had the hop been followed, it would count.
    dns = FakeDNS({"127.0.0.1": [PUBLIC], "localhost": ["127.0.0.1"]})
    server.set("/p/secret", b"internal")
    server.fault("/p/to-secret", Fault.redirect(f"http://localhost:{server.port}/p/secret"))
    error = await fails(fetch(client, server.url("/p/to-secret"), resolver=dns))
    assert error.reason.startswith("redirect to a private address refused: ")
    assert server.request_count("/p/secret") == 0


async def test_public_to_public_redirect_is_followed(
    server: FeedServer, client: httpx.AsyncClient
) -> None:
    dns = public_loopback()
    server.set("/p/new", b"moved")
    server.fault("/p/old", Fault.redirect(server.url("/p/new"), code=301))
    result = await fetch(client, server.url("/p/old"), resolver=dns)
    assert result.body == b"moved"
    # Judging the origin and the target, both on one host, took one question.
    assert dns.asked == ["127.0.0.1"]


async def test_a_later_hop_into_private_space_is_refused_too(
    server: FeedServer, client: httpx.AsyncClient
) -> None:
    dns = FakeDNS({"127.0.0.1": [PUBLIC], "internal.example": ["192.168.0.2"]})
    server.fault("/p/hop1", Fault.redirect("/p/hop2"))
    server.fault("/p/hop2", Fault.redirect("http://internal.example/x"))
    error = await fails(fetch(client, server.url("/p/hop1"), resolver=dns))
    assert error.reason == (
        "redirect to a private address refused: http://internal.example/x "
        "(resolves to 192.168.0.2, private)"
    )
    assert (server.request_count("/p/hop1"), server.request_count("/p/hop2")) == (1, 1)


async def test_internal_origin_may_redirect_to_internal_addresses(
    server: FeedServer, client: httpx.AsyncClient
) -> None:
    # The operator configured an internal URL (the real 127.0.0.1): internal hops are expected.
    server.set("/p/in-final", b"inside")
    server.fault("/p/in-start", Fault.redirect(server.url("/p/in-final")))
    result = await fetch(client, server.url("/p/in-start"))
    assert result.body == b"inside"
    dns = FakeDNS({"127.0.0.1": ["10.20.30.40"]})
    assert (await fetch(client, server.url("/p/in-start"), resolver=dns)).body == b"inside"


async def test_no_redirect_no_lookup(server: FeedServer, client: httpx.AsyncClient) -> None:
    dns = public_loopback()
    server.set("/p/plain", b"{}")
    await fetch(client, server.url("/p/plain"), resolver=dns)
    assert dns.asked == []
