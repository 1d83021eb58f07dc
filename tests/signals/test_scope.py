"""Where a signal is (``signals.scope``): feeds' regions resolved for their kind, a probe's
configured region."""

from __future__ import annotations

from tests.signals.builders import probe
from watchtui.domain.model import Region
from watchtui.signals.scope import probe_region, probe_scope, resolve_region, scope_of


def test_probe_region_may_be_a_provider_code_a_display_name_or_a_geography() -> None:
    by_code = probe_scope(probe(provider="azure", region="westeurope"), "azure")
    by_name = probe_scope(probe(provider="azure", region="West Europe"), "azure")
    by_geo = probe_scope(probe(provider="azure", region="eu-west"), "azure")
    assert by_code is not None and by_name is not None and by_geo is not None
    assert (by_code.label, by_code.geography, by_code.by_geography) == (
        "West Europe",
        "eu-west",
        False,
    )
    assert by_name.matches("azure", "westeurope") and by_code.matches("azure", "West Europe")
    assert not by_code.matches("azure", "North Europe")  # same geography, another region
    assert (by_geo.label, by_geo.by_geography) == ("Western Europe", True)
    assert by_geo.matches("azure", "North Europe") and not by_geo.matches("azure", "East US")
    assert probe_scope(probe(provider="azure"), "azure") is None


def test_a_probe_region_is_shown_as_a_provider_region_or_a_geography() -> None:
    assert probe_region(probe(provider="azure", region="westeurope"), "azure") == Region(
        provider="azure", code="westeurope", name="West Europe", geography="eu-west"
    )
    assert probe_region(probe(region=" EU-West "), "") == Region(
        provider="geography", code="eu-west", name="Western Europe", geography="eu-west"
    )
    assert probe_region(probe(provider="azure"), "azure") is None
    assert scope_of("   ", "azure") is None


def test_unknown_regions_are_kept_verbatim_and_resolution_is_remembered() -> None:
    assert resolve_region("azure", "Atlantis") == Region(
        provider="azure", code="Atlantis", name="Atlantis"
    )
    resolve_region.cache_clear()
    first = resolve_region("aws", "us-west-2")
    again = resolve_region("aws", "us-west-2")
    assert again is first and resolve_region.cache_info().hits == 1
    assert first.geography == "us-west"
