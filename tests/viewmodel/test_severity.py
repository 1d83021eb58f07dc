"""One scale, one look per level: distinct in every palette, never faint where it matters."""

from __future__ import annotations

import pytest
from rich.style import Style

from watchtui.domain.model import COMPONENT_STATUSES, IMPACTS, impact_rank
from watchtui.viewmodel import severity
from watchtui.viewmodel.severity import LEVELS, LOOKS, STYLES, Palette


def test_the_scale_is_the_impact_vocabulary_in_its_order() -> None:
    assert set(LEVELS) == set(IMPACTS)
    assert list(LEVELS) == sorted(LEVELS, key=impact_rank)


def test_every_level_has_its_own_glyph_and_word() -> None:
    assert len({look.glyph for look in LOOKS.values()}) == len(LEVELS)
    assert len({look.ascii_glyph for look in LOOKS.values()}) == len(LEVELS)
    assert len({look.word.casefold() for look in LOOKS.values()}) == len(LEVELS)
    assert all(look.ascii_glyph.isascii() and look.word.isascii() for look in LOOKS.values())


@pytest.mark.parametrize("palette", ["color", "ansi", "mono"])
def test_every_level_has_a_distinct_style_in_every_palette(palette: Palette) -> None:
    styles = [Style.parse(STYLES[palette][level]) for level in LEVELS]
    assert len(set(styles)) == len(LEVELS)
    for style in styles:
        assert not style.dim, "no level is drawn faint"


def test_without_colour_the_worst_levels_are_bold_and_the_worst_reversed() -> None:
    mono = {level: Style.parse(STYLES["mono"][level]) for level in LEVELS}
    assert all(s.color is None and s.bgcolor is None for s in mono.values())
    assert mono["major"].bold and mono["critical"].bold and mono["critical"].reverse
    assert not mono["none"].bold


def test_sixteen_colours_use_only_the_named_ansi_colours() -> None:
    for text in STYLES["ansi"].values():
        style = Style.parse(text)
        for colour in (style.color, style.bgcolor):
            assert colour is None or (colour.number is not None and colour.number < 16)


def test_components_and_probes_land_on_the_scale() -> None:
    for status in COMPONENT_STATUSES:
        assert severity.level_of_status(status) in LEVELS
    assert severity.level_of_status("major_outage") == "critical"
    assert severity.level_of_status("operational") == "none"
    assert severity.level_of_probe("down") == "critical"
    assert severity.level_of_probe("unknown") == "unknown"
    assert severity.label("major", ascii_only=True) == "X MAJOR"
