"""Recognising a catalog provider by its status page URL, without fetching anything."""

from __future__ import annotations

import pytest

from watchtui.cli.common import CliError
from watchtui.cli.targets import catalog_entry_for_url, resolve_target, same_url


@pytest.mark.parametrize(
    ("url", "provider"),
    [
        ("https://www.githubstatus.com", "github"),
        ("https://githubstatus.com/", "github"),
        ("HTTPS://WWW.GITHUBSTATUS.COM/api/v2/summary.json", "github"),
        ("https://eu.githubstatus.com", "github-enterprise-cloud-eu"),
        ("https://status.gitlab.com/", "gitlab"),
        # api.status.io serves many pages: only the full feed URL says whose.
        ("https://api.status.io/1.0/status/5b36dc6502d06804c08349f7", "gitlab"),
        ("https://health.aws.amazon.com/public/currentevents", "aws"),
        ("https://github.com/", "github"),  # an exact product domain
    ],
)
def test_known_pages(url: str, provider: str) -> None:
    entry = catalog_entry_for_url(url)
    assert entry is not None and entry.id == provider


@pytest.mark.parametrize(
    "url",
    [
        "https://foo.statuspage.io/",  # someone's page on Atlassian's servers, not Atlassian's
        "https://api.status.io/1.0/status/unknown",
        "https://health.aws.amazon.com/",  # shared by aws and aws-rss
        "https://status.example.com/",
        "ftp://www.githubstatus.com/",
        "https://[::1",
    ],
)
def test_unknown_pages(url: str) -> None:
    assert catalog_entry_for_url(url) is None


def test_resolve_target() -> None:
    assert resolve_target("GH").entry is not None
    assert resolve_target("https://status.example.com").url == "https://status.example.com"
    with pytest.raises(CliError, match="did you mean gitlab"):
        resolve_target("gitlb")


def test_same_url() -> None:
    assert same_url("https://www.Example.com/feed/", "http://example.com/feed")
    assert not same_url("https://example.com/feed?a=1", "https://example.com/feed?a=2")
    assert not same_url("https://example.com/a", "https://example.com/b")
    assert not same_url("not a url", "not a url")
