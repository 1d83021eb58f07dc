from __future__ import annotations

from pathlib import Path

import pytest

from watchtui.config import (
    Config,
    ConfigError,
    config_path,
    derive_endpoints,
    load_config,
    resolve_sources,
)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_missing_file_gives_defaults(tmp_path: Path) -> None:
    config = load_config(tmp_path / "absent.toml")
    assert config == Config()
    ids = [s.id for s in resolve_sources(config)]
    assert {"aws", "gcp", "azure"} <= set(ids)
    assert len(ids) >= 12


def test_override_by_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("WATCHTUI_CONFIG", str(tmp_path / "x.toml"))
    assert config_path() == tmp_path / "x.toml"
    assert config_path(tmp_path / "y.toml") == tmp_path / "y.toml"


def test_custom_source_from_base_url(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
[watch]
providers = ["github"]

[[sources]]
id = "internal"
kind = "statuspage"
url = "https://status.example.com/"
interval = 30
""",
    )
    specs = {s.id: s for s in resolve_sources(load_config(path))}
    assert set(specs) == {"github", "internal"}
    internal = specs["internal"]
    assert [(e.url, e.role, e.interval, e.lists_only_current) for e in internal.endpoints] == [
        ("https://status.example.com/api/v2/summary.json", "current", 30, True),
        ("https://status.example.com/api/v2/incidents.json", "history", 600, False),
    ]


def test_full_endpoint_url_is_used_as_is() -> None:
    (endpoint,) = derive_endpoints("rss", "https://example.com/history.atom", 60)
    assert endpoint.url == "https://example.com/history.atom"
    assert not endpoint.lists_only_current
    (gcp,) = derive_endpoints("gcp", "https://status.cloud.google.com", 120)
    assert gcp.url == "https://status.cloud.google.com/incidents.json"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "[[sources]]\nid='a'\nkind='nope'\nurl='https://x'\n",
            "key 'sources[0].kind': unknown kind",
        ),
        (
            "[[sources]]\nid='a'\nkind='rss'\nurl='ftp://x'\n",
            "key 'sources[0].url': must be an http",
        ),
        (
            "[[sources]]\nid='a'\nkind='rss'\nurl='https://x'\ninterval=5\n",
            "key 'sources[0].interval'",
        ),
        ("[[sources]]\nkind='rss'\nurl='https://x'\n", "key 'sources[0].id': is required"),
        ("[display]\ncolour = 'red'\n", "key 'display.colour': unknown key"),
        ("[watch]\nproviders = ['no-such-provider']\n", "key 'watch.providers[0]'"),
        ("[notifications]\nmin_impact = 'huge'\n", "key 'notifications.min_impact'"),
        ("this is = = not toml", "invalid TOML"),
    ],
)
def test_bad_config_names_file_and_key(tmp_path: Path, text: str, expected: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert message.startswith(str(path))
    assert expected in message


def test_duplicate_source_ids_rejected(tmp_path: Path) -> None:
    source = "[[sources]]\nid='a'\nkind='rss'\nurl='https://x/feed.atom'\n"
    with pytest.raises(ConfigError, match="duplicate id"):
        load_config(write(tmp_path, source * 2))


def test_readme_config_examples_are_valid() -> None:
    """Every TOML example in the README must stay loadable as the code changes."""
    import tomllib

    from tests.conftest import ROOT
    from watchtui.config import parse_config

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = [part.split("```", 1)[0] for part in readme.split("```toml")[1:]]
    configs = [parse_config(tomllib.loads(block)) for block in blocks]
    assert len(configs) >= 2
    full = next(c for c in configs if c.watch.providers)
    assert "gitlab" in (full.watch.providers or [])
    assert [s.id for s in resolve_sources(full)][-1] == "internal"
    assert any(c.probes for c in configs)


@pytest.mark.parametrize(
    ("kind", "path", "current_only"),
    [
        ("statuspage", "/api/v2/summary.json", True),
        ("statuspage", "/api/v2/incidents/unresolved.json", True),
        ("statuspage", "/api/v2/incidents.json", False),
        ("statuspage", "/api/v2/incidents/abc123.json", False),
        ("statuspage", "/api/v2/status.json", False),
        ("statuspage", "/api/v2/components.json", False),
        ("incidentio", "/api/v2/summary.json", True),
        ("slack", "/api/v2.0.0/current", True),
        ("slack", "/api/v2.0.0/history", False),
        ("azure", "/en-us/status/feed/", True),
    ],
)
def test_only_endpoints_that_list_every_open_incident_resolve_by_absence(
    kind: str, path: str, current_only: bool
) -> None:
    (endpoint,) = derive_endpoints(kind, "https://status.example.com" + path, 60)
    assert endpoint.lists_only_current is current_only
