"""Built-in provider catalogue: integrity, coverage, lookups, URL tracing and fuzzy search."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
import time
from importlib.resources import files
from pathlib import Path
from types import ModuleType
from urllib.parse import urlsplit

import pytest
from pydantic import ValidationError

from watchtui.catalog import (
    CatalogEntry,
    Endpoint,
    default_ids,
    get,
    load_catalog,
    provider_for_url,
)
from watchtui.sources import KIND_MODULES
from watchtui.ui.catalog_search import search_catalog

ROOT = Path(__file__).resolve().parents[2]
REFS = ROOT.parent / "shared" / "catalog-refs" / "providers.tsv"
CATALOG = load_catalog()
POLLABLE = [e for e in CATALOG if e.pollable]


def _entry(pid: str) -> CatalogEntry:
    entry = get(pid)
    assert entry is not None, pid
    return entry


# --- integrity ------------------------------------------------------------------------------------


def test_size() -> None:
    assert len(CATALOG) >= 150
    assert len(POLLABLE) >= 150


def test_ids_are_unique_slugs() -> None:
    ids = [e.id for e in CATALOG]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", pid) for pid in ids)
    assert ids == sorted(ids)


def test_aliases_are_unique_and_never_shadow_an_id() -> None:
    owner: dict[str, str] = {e.id: e.id for e in CATALOG}
    for entry in CATALOG:
        for alias in entry.aliases:
            key = alias.casefold()
            assert owner.get(key, entry.id) == entry.id, f"{alias!r}: {owner.get(key)} {entry.id}"
            owner[key] = entry.id


def test_domains_belong_to_one_provider() -> None:
    seen: dict[str, str] = {}
    for entry in CATALOG:
        for domain in entry.domains:
            assert domain == domain.lower().strip()
            assert re.fullmatch(r"(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)+", domain), domain
            assert seen.setdefault(domain, entry.id) == entry.id, domain


@pytest.mark.parametrize("entry", POLLABLE, ids=[e.id for e in POLLABLE])
def test_pollable_entry_endpoints(entry: CatalogEntry) -> None:
    assert entry.kind in KIND_MODULES
    assert [e.role for e in entry.endpoints].count("current") == 1
    for endpoint in entry.endpoints:
        parts = urlsplit(endpoint.url)
        assert parts.scheme == "https"
        assert parts.hostname
    assert entry.base_url.startswith(("https://", "http://"))
    assert 60 <= entry.interval <= 300
    assert entry.interval_for(entry.endpoints[0]) == entry.interval


def test_statuspage_entries_poll_summary_and_history() -> None:
    statuspage = [e for e in CATALOG if e.kind == "statuspage"]
    assert len(statuspage) >= 150
    for entry in statuspage:
        (current,) = entry.endpoints_for("current")
        (history,) = entry.endpoints_for("history")
        assert current.url.endswith("/api/v2/summary.json")
        assert history.url == current.url.replace("summary.json", "incidents.json")
        assert entry.interval_for(history) >= 10 * entry.interval


def test_other_kinds_have_no_invented_history() -> None:
    for entry in CATALOG:
        if entry.kind != "statuspage":
            assert not entry.endpoints_for("history"), entry.id


def test_link_entries_are_kept_but_not_polled() -> None:
    links = [e for e in CATALOG if e.kind == "link"]
    assert len(links) >= 50
    for entry in links:
        assert not entry.pollable
        assert entry.endpoints == ()
    # Pages whose feed we cannot parse or could not confirm stay links, not guesses.
    for pid in ("stripe", "okta", "fastly", "salesforce", "codeberg", "groq", "fivetran"):
        assert _entry(pid).kind == "link"


def test_every_category_is_named() -> None:
    assert all(e.category for e in CATALOG)
    assert all(e.name for e in CATALOG)


def test_model_rejects_unknown_kind_and_non_http_endpoints() -> None:
    with pytest.raises(ValidationError):
        CatalogEntry(
            id="x", name="X", category="Other", kind="carrier-pigeon", base_url="https://x"
        )
    with pytest.raises(ValidationError):
        Endpoint(url="file:///etc/passwd")
    with pytest.raises(ValidationError):
        _entry("github").model_copy(update={"id": "y"}).__setattr__("id", "z")


# --- coverage -------------------------------------------------------------------------------------


def test_big_clouds() -> None:
    aws, gcp, azure = _entry("aws"), _entry("gcp"), _entry("azure")
    assert aws.kind == "aws"
    assert [e.url for e in aws.endpoints] == ["https://health.aws.amazon.com/public/currentevents"]
    assert gcp.kind == "gcp"
    assert [e.url for e in gcp.endpoints] == ["https://status.cloud.google.com/incidents.json"]
    assert 120 <= gcp.interval <= 300
    assert azure.kind == "azure"
    assert [e.url for e in azure.endpoints] == [
        "https://rssfeed.azure.status.microsoft/en-us/status/feed/"
    ]
    assert _entry("aws-rss").kind == "aws-rss"


@pytest.mark.parametrize(
    ("area", "ids"),
    [
        ("code hosting", ["github", "gitlab", "bitbucket"]),
        ("CDN/DNS", ["cloudflare", "bunny-net", "dnsimple", "netlify", "vercel"]),
        ("identity", ["auth0", "1password", "duo", "onelogin-us", "letsencrypt"]),
        ("payments", ["square", "chargebee", "gocardless", "zuora"]),
        ("messaging", ["twilio", "sendgrid", "mailgun", "slack", "discord"]),
        ("observability", ["datadog-us1", "new-relic", "sentry", "grafana-cloud", "pagerduty"]),
        ("AI APIs", ["openai", "anthropic", "cohere", "xai", "mistral", "huggingface"]),
        ("registries", ["npm", "pypi", "docker", "rubygems", "crates-io", "maven-central"]),
        ("databases", ["mongodb-cloud", "planetscale", "supabase", "aiven", "upstash"]),
        ("collaboration", ["jira", "confluence", "notion", "zoom", "figma", "linear"]),
        ("clouds", ["aws", "gcp", "azure", "digitalocean", "heroku", "fly", "render"]),
    ],
)
def test_operator_dependencies_are_pollable(area: str, ids: list[str]) -> None:
    for pid in ids:
        assert _entry(pid).pollable, f"{area}: {pid}"


def test_kinds_backed_by_captures() -> None:
    assert _entry("openai").kind == "incidentio"
    assert _entry("heroku").kind == "heroku"
    assert _entry("perplexity").kind == "instatus"
    assert _entry("huggingface").kind == "betterstack"
    assert _entry("mistral").kind == "checkly"
    assert _entry("docker").kind == "statusio"
    assert _entry("slack").endpoints[0].url == "https://slack-status.com/api/v2.0.0/current"


# --- lookups --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "pid"),
    [
        ("github", "github"),
        ("GitHub", "github"),
        ("GH", "github"),
        ("docker-hub", "docker"),
        ("DockerHub", "docker"),
        ("Docker Hub", "docker"),
        ("claude", "anthropic"),
        ("google-cloud", "gcp"),
        ("Google Cloud", "gcp"),
        ("datadog", "datadog-us1"),
        ("monday.com", "monday"),
        ("victorops", "splunk-on-call"),
        ("Amazon Web Services", "aws"),
        ("hex", "hex"),  # the id wins over the other "Hex" (hex-pm)
        (" npm ", "npm"),
    ],
)
def test_get(key: str, pid: str) -> None:
    assert _entry(key).id == pid


def test_get_unknown() -> None:
    assert get("no-such-provider") is None
    assert get("") is None


@pytest.mark.parametrize(
    ("url", "pid"),
    [
        ("https://api.github.com/x", "github"),
        ("https://github.com/", "github"),
        ("https://objects.githubusercontent.com/a/b", "github"),
        ("https://pipelines.actions.githubusercontent.com/x", "github"),
        ("api.github.com", "github"),
        ("HTTPS://API.GitHub.COM:443/repos?x=1", "github"),
        ("https://user@api.github.com./x", "github"),
        ("https://www.githubstatus.com/api/v2/summary.json", "github"),
        ("https://eu.githubstatus.com/", "github-enterprise-cloud-eu"),
        ("https://bitbucket.org/team/repo", "bitbucket"),
        ("https://acme.atlassian.net/browse/X-1", "atlassian"),
        ("https://foo.statuspage.io/", "atlassian"),
        ("https://dagstercloud.statuspage.io/", "dagster-cloud"),  # exact page host beats *.
        ("https://my-bucket.s3.eu-west-1.amazonaws.com/k", "aws"),
        ("https://status.aws.amazon.com/rss/all.rss", "aws"),
        ("https://health.aws.amazon.com/health/status", "aws"),
        ("https://storage.googleapis.com/b/o", "gcp"),
        ("https://acct.blob.core.windows.net/c", "azure"),
        ("https://api.openai.com/v1/chat/completions", "openai"),
        ("https://api.anthropic.com/v1/messages", "anthropic"),
        ("https://registry.npmjs.org/left-pad", "npm"),
        ("https://files.pythonhosted.org/packages/x", "pypi"),
        ("https://registry-1.docker.io/v2/", "docker"),
        ("https://hooks.slack.com/services/x", "slack"),
        ("https://api.stripe.com/v1/charges", "stripe"),
        ("https://acme.okta.com/", "okta"),
        ("https://x.workers.dev/", "cloudflare"),
        ("https://status.perplexity.com/api/v2/summary.json", "perplexity"),
        ("https://acme.sumsub.com/", "sumsub"),  # Sentry's "*.sumbsub.com" typo corrected
    ],
)
def test_provider_for_url(url: str, pid: str) -> None:
    entry = provider_for_url(url)
    assert entry is not None, url
    assert entry.id == pid


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/",
        "https://api.status.io/1.0/status/x",  # shared by many status.io pages
        "https://apple.com/",  # only *.apple.com is listed: the wildcard excludes the apex
        "https://notgithub.com/",
        "https://contextstack.com/",  # Sentry typo dropped
        "",
        "https://",
        "not a url at all",
        "http://[::1",
    ],
)
def test_provider_for_url_unknown(url: str) -> None:
    assert provider_for_url(url) is None


# --- search ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("gh", "github"),
        ("githb", "github"),
        ("GitHub", "github"),
        ("git hub", "github"),
        ("docker hub", "docker"),
        ("datadog eu", "datadog-eu"),
        ("dd eu", "datadog-eu"),
        ("aws", "aws"),
        ("amzn", "aws"),
        ("azur", "azure"),
        ("claude", "anthropic"),
        ("crates.io", "crates-io"),
        ("lets encrypt", "letsencrypt"),
        ("pypi", "pypi"),
        ("pagrduty", "pagerduty"),
        ("cloudflar", "cloudflare"),
    ],
)
def test_search_ranks_first(query: str, first: str) -> None:
    results = search_catalog(query)
    assert results, query
    assert results[0].id == first, [e.id for e in results[:5]]


def test_search_category_and_limits() -> None:
    registries = search_catalog("package registries", limit=50)
    assert {"npm", "pypi", "rubygems"} <= {e.id for e in registries}
    assert len(search_catalog("a", limit=3)) == 3
    assert search_catalog("a", limit=0) == []
    assert search_catalog("qqqqzzzz") == []
    assert [e.id for e in search_catalog("", limit=5)] == [e.id for e in CATALOG[:5]]


def test_search_is_fast_enough_per_keystroke() -> None:
    start = time.perf_counter()
    typed = "github enterprise"
    for end in range(1, len(typed) + 1):
        search_catalog(typed[:end])
    per_keystroke = (time.perf_counter() - start) / len(typed)
    assert per_keystroke < 0.05, per_keystroke


# --- default set ----------------------------------------------------------------------------------


def test_default_ids() -> None:
    ids = default_ids()
    assert ids[:3] == ("aws", "gcp", "azure")
    assert 12 <= len(ids) <= 20
    assert len(set(ids)) == len(ids)
    for pid in ids:
        assert _entry(pid).pollable
    assert {"github", "cloudflare", "openai", "anthropic", "slack", "npm", "docker"} <= set(ids)
    # Candidates without a pollable feed are left out rather than watched as dead links.
    assert "stripe" not in ids
    assert "okta" not in ids


# --- the data file matches its generator ----------------------------------------------------------


def _build_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "build_catalog", ROOT / "scripts" / "build_catalog.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # dataclasses resolve string annotations through sys.modules.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_packaged_catalog_is_regenerated_from_the_script() -> None:
    if not REFS.is_file():
        pytest.skip("../shared/catalog-refs is absent: catalog regeneration NOT checked")
    script = _build_script()
    expected = script.render(script.build(REFS))
    packaged = files("watchtui").joinpath("data/catalog.json").read_text(encoding="utf-8")
    assert packaged == expected, "run scripts/build_catalog.py"


def test_every_reference_row_is_in_the_catalog() -> None:
    if not REFS.is_file():
        pytest.skip("../shared/catalog-refs is absent")
    lines = REFS.read_text(encoding="utf-8").splitlines()[1:]
    ref_ids = {line.split("\t")[0] for line in lines}
    assert len(ref_ids) == 312
    assert ref_ids <= {e.id for e in CATALOG}


def test_catalog_json_is_plain_data() -> None:
    document = json.loads(files("watchtui").joinpath("data/catalog.json").read_text("utf-8"))
    assert document["format"] == 1
    assert len(document["providers"]) == len(CATALOG)
