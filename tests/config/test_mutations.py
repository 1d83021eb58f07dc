"""Document operations: what adding and removing providers, sources, probes and watchlist entries
does to the file, and that the default provider set is never frozen into it."""

from __future__ import annotations

import pytest
import tomlkit
from tomlkit import TOMLDocument

from watchtui import catalog
from watchtui.config import (
    ConfigError,
    add_probe,
    canonical_watchlist,
    parse_text,
    put_source,
    remove_probe,
    remove_source,
    resolve_sources,
    set_source_enabled,
    set_watchlist_member,
    unwatch_provider,
    watch_provider,
    watched_providers,
)

DEFAULTS = list(catalog.default_ids())


def doc(text: str = "") -> TOMLDocument:
    return tomlkit.parse(text)


def watched(document: TOMLDocument) -> list[str]:
    return watched_providers(parse_text(document.as_string()).watch)


def test_adding_to_the_defaults_records_only_the_addition() -> None:
    document = doc()
    assert watch_provider(document, "gitlab") == "extra"
    assert document.as_string() == '[watch]\nextra_providers = ["gitlab"]\n'
    assert watched(document) == [*DEFAULTS, "gitlab"]
    assert watch_provider(document, "gitlab") == "unchanged"
    assert watch_provider(document, DEFAULTS[0]) == "unchanged"


def test_removing_a_default_excludes_it_and_adding_it_back_restores_it() -> None:
    document = doc()
    assert unwatch_provider(document, "pypi") is True
    assert document.unwrap() == {"watch": {"excluded_providers": ["pypi"]}}
    assert "pypi" not in watched(document)
    assert [s.id for s in resolve_sources(parse_text(document.as_string()))] == [
        p for p in DEFAULTS if p != "pypi"
    ]
    assert unwatch_provider(document, "pypi") is False
    assert watch_provider(document, "pypi") == "restored"
    assert document.unwrap() == {"watch": {}}
    assert watched(document) == DEFAULTS


def test_removing_an_addition_takes_it_out_again() -> None:
    document = doc()
    watch_provider(document, "gitlab")
    assert unwatch_provider(document, "gitlab") is True
    assert watched(document) == DEFAULTS
    assert "extra_providers" not in document.as_string()


def test_an_explicit_list_stays_explicit() -> None:
    document = doc('[watch]\nproviders = ["github"]\n')
    assert watch_provider(document, "gitlab") == "added"
    assert unwatch_provider(document, "github") is True
    assert document.unwrap() == {"watch": {"providers": ["gitlab"]}}
    assert unwatch_provider(document, "gitlab") is True
    assert watched(document) == []  # an empty list means none, not the defaults
    assert watch_provider(document, "aws") == "added"
    assert watched(document) == ["aws"]


def test_aliases_are_one_provider() -> None:
    document = doc('[watch]\nproviders = ["onepassword"]\n')
    assert watch_provider(document, "1password") == "unchanged"
    assert watched(document) == ["1password"]
    assert unwatch_provider(document, "1password") is True
    assert watched(document) == []


def test_unknown_providers() -> None:
    with pytest.raises(ConfigError, match="not in the catalog"):
        watch_provider(doc(), "no-such-provider")
    assert unwatch_provider(doc(), "no-such-provider") is False


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "[watch]\nextra_providers = ['nope']\n",
            "key 'watch.extra_providers[0]': 'nope' is not in the catalog",
        ),
        (
            "[watch]\nexcluded_providers = ['aws', 'nope']\n",
            "key 'watch.excluded_providers[1]'",
        ),
        (
            "[watch]\nextra_providers = ['gitlab']\nexcluded_providers = ['gitlab']\n",
            "key 'watch.excluded_providers[0]': 'gitlab' is also in watch.extra_providers",
        ),
        (
            "[watch]\nproviders = ['github']\nexcluded_providers = ['github']\n",
            "is also in watch.providers",
        ),
    ],
)
def test_contradictory_provider_lists_are_rejected(text: str, expected: str) -> None:
    with pytest.raises(ConfigError, match=expected.replace("[", r"\[").replace("]", r"\]")):
        parse_text(text)


def test_put_source_replaces_in_place_and_keeps_neighbours() -> None:
    document = doc(
        "[[sources]]\nid = 'a'  # first\nkind = 'rss'\nurl = 'https://a/feed.atom'\n\n"
        "[[sources]]\nid = 'b'\nkind = 'rss'\nurl = 'https://b/feed.atom'\n"
    )
    replaced = put_source(document, {"id": "a", "kind": "rss", "url": "https://a2/feed.atom"})
    assert replaced is True
    config = parse_text(document.as_string())
    assert [(s.id, s.url) for s in config.sources] == [
        ("a", "https://a2/feed.atom"),
        ("b", "https://b/feed.atom"),
    ]
    assert put_source(document, {"id": "c", "kind": "rss", "url": "https://c/x.atom"}) is False
    assert [s.id for s in parse_text(document.as_string()).sources] == ["a", "b", "c"]


def test_sources_written_as_an_inline_array_stay_inline() -> None:
    document = doc("sources = [{id = 'a', kind = 'rss', url = 'https://a/feed.atom'}]\n")
    put_source(document, {"id": "b", "kind": "rss", "url": "https://b/feed.atom"})
    assert "[[sources]]" not in document.as_string()
    assert [s.id for s in parse_text(document.as_string()).sources] == ["a", "b"]


def test_remove_source_and_probe() -> None:
    document = doc(
        "[[sources]]\nid = 'a'\nkind = 'rss'\nurl = 'https://a/feed.atom'\n\n"
        "[[probes]]\nid = 'p'\ntype = 'dns'\ntarget = 'example.com'\n\n"
        "[display]\nclock = 'local'\n"
    )
    assert remove_source(document, "zzz") is False
    assert remove_source(document, "a") is True
    assert remove_probe(document, "p") is True
    assert remove_probe(document, "p") is False
    # An emptied array of tables goes away instead of turning into `sources = []`.
    assert document.as_string() == "[display]\nclock = 'local'\n"


def test_add_probe_refuses_a_duplicate_id() -> None:
    document = doc("[[probes]]\nid = 'p'\ntype = 'dns'\ntarget = 'example.com'\n")
    before = document.as_string()
    assert add_probe(document, {"id": "p", "type": "dns", "target": "other.com"}) is False
    assert document.as_string() == before
    assert add_probe(document, {"id": "q", "type": "dns", "target": "other.com"}) is True
    assert [p.target for p in parse_text(document.as_string()).probes] == [
        "example.com",
        "other.com",
    ]


def test_watchlist_membership_is_set_not_flipped() -> None:
    document = doc("[watchlist]\nregions = ['eu-west']  # ours\n")
    assert set_watchlist_member(document, "regions", "eu-west", True) is False
    assert set_watchlist_member(document, "components", "github:Actions", True) is True
    assert set_watchlist_member(document, "regions", "eu-west", False) is True
    assert set_watchlist_member(document, "regions", "eu-west", False) is False
    watchlist = parse_text(document.as_string()).watchlist
    assert watchlist.regions == [] and watchlist.components == ["github:Actions"]
    assert "# ours" in document.as_string()
    with pytest.raises(ValueError):
        set_watchlist_member(document, "colours", "red", True)


def test_a_malformed_section_is_reported_by_key() -> None:
    with pytest.raises(ConfigError, match="key 'watch'"):
        watch_provider(doc("watch = 3\n"), "gitlab")


def enabled(document: TOMLDocument) -> dict[str, bool]:
    return {s.id: s.enabled for s in resolve_sources(parse_text(document.as_string()))}


def test_switching_a_source_off_lasts_in_the_file_and_on_again_leaves_no_trace() -> None:
    document = doc(
        "[watch]\nproviders = ['github', 'gitlab']\n"
        "[[sources]]\nid = 'mine'\nkind = 'rss'\nurl = 'https://status.mine.example/feed'\n"
    )
    before = document.as_string()
    assert set_source_enabled(document, "gh", False) is True  # an alias is the provider
    assert set_source_enabled(document, "mine", False) is True
    assert enabled(document) == {"github": False, "gitlab": True, "mine": False}
    assert document.unwrap()["watch"]["disabled"] == ["github"]
    assert set_source_enabled(document, "github", False) is False  # make it so, never flip
    assert set_source_enabled(document, "github", True) is True
    assert set_source_enabled(document, "mine", True) is True
    assert document.as_string() == before
    with pytest.raises(ConfigError, match="not a source watchtui polls"):
        set_source_enabled(document, "pypi", False)


def test_the_watchlist_names_sources_by_id_whatever_alias_the_file_uses() -> None:
    listed = parse_text(
        "[watchlist]\nproviders = ['gh', 'mine', 'nosuch']\n"
        "components = ['gh:Actions', 'mine:API']\nregions = ['eu-west']\n"
    ).watchlist
    canonical = canonical_watchlist(listed, {"github", "mine"})
    assert canonical.providers == ["github", "mine", "nosuch"]
    assert canonical.components == ["github:Actions", "mine:API"]
    assert canonical.regions == ["eu-west"]
