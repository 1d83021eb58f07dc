"""What a probe is: validation, naming, and linking to a catalog provider."""

from __future__ import annotations

import re
from typing import Any

import pytest
from pydantic import ValidationError

from tests.probes.helpers import http
from watchtui.probes import ProbeSpec, link_provider, split_host_port

# ---- specification ----------------------------------------------------------------------------


def test_spec_defaults() -> None:
    spec = http("https://api.example.com/health")
    assert (spec.method, spec.expect_status, spec.timeout, spec.interval) == ("GET", (), 5.0, 30)
    assert (spec.down_after, spec.up_after, spec.provider) == (3, 2, None)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"type": "http", "target": "ftp://x/"}, "http(s) URL"),
        ({"type": "http", "target": "https://x/", "interval": 10}, "at least 15 seconds"),
        ({"type": "http", "target": "https://x/", "timeout": 0}, "more than 0"),
        ({"type": "http", "target": "https://x/", "timeout": 20, "interval": 15}, "shorter"),
        ({"type": "http", "target": "https://x/", "expect_status": [99]}, "not an HTTP status"),
        ({"type": "http", "target": "https://x/", "json_equals": "none"}, "needs 'json_path'"),
        ({"type": "http", "target": "https://x/", "json_path": "a..b"}, "dotted path"),
        ({"type": "http", "target": "https://x/", "method": "HEAD", "contains": "ok"}, "HEAD"),
        ({"type": "http", "target": "https://x/", "down_after": 0}, "between 1 and 100"),
        ({"type": "http", "target": "https://x/", "colour": "red"}, "Extra inputs"),
        ({"type": "tcp", "target": "db.example.com"}, "host:port"),
        ({"type": "tcp", "target": "db.example.com:99999"}, "1 to 65535"),
        ({"type": "tcp", "target": "db:5432", "contains": "x"}, "http probes only"),
        ({"type": "dns", "target": "https://example.com/"}, "host name"),
        ({"type": "dns", "target": "example.com", "expect_address": "10.0.0.300"}, "IPv4 or IPv6"),
        ({"type": "http", "target": "https://x/", "expect_address": "10.0.0.1"}, "dns probes"),
        ({"type": "smtp", "target": "x"}, "'http', 'tcp' or 'dns'"),
    ],
)
def test_spec_rejects_bad_entries_with_clear_messages(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=re.escape(message)):
        ProbeSpec(id="p", **fields)


def test_spec_round_trips_through_its_config_table() -> None:
    spec = http("https://x.example/s", expect_status=[200, 204], json_path="a.b", json_equals=1)
    table = spec.to_config()
    assert table == {
        "id": "api",
        "type": "http",
        "target": "https://x.example/s",
        "expect_status": [200, 204],
        "json_path": "a.b",
        "json_equals": 1,
    }
    assert ProbeSpec.model_validate(table) == spec


def test_spec_id_must_be_a_plain_name() -> None:
    with pytest.raises(ValidationError):
        ProbeSpec(id="bad id:1", type="dns", target="example.com")


def test_tcp_targets_accept_names_ipv4_and_bracketed_ipv6() -> None:
    assert split_host_port("db.example.com:5432") == ("db.example.com", 5432)
    assert split_host_port("10.0.0.1:22") == ("10.0.0.1", 22)
    assert split_host_port("[2001:db8::1]:443") == ("2001:db8::1", 443)
    with pytest.raises(ValueError, match="IPv6"):
        split_host_port("2001:db8::1:443")


def test_link_provider_matches_the_target_host_against_the_catalog() -> None:
    assert link_provider(http("https://api.github.com/zen")).provider == "github"
    tcp = ProbeSpec(id="db", type="tcp", target="db.abc.us-east-1.rds.amazonaws.com:5432")
    assert link_provider(tcp).provider == "aws"
    assert link_provider(http("https://intranet.example.internal/")).provider is None
    # An alias becomes the catalog id; an unknown id (a custom source) stays as given.
    assert link_provider(http("https://x.example/", provider="gh")).provider == "github"
    assert link_provider(http("https://x.example/", provider="my-src")).provider == "my-src"
