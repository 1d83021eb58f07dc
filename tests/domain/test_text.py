from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from watchtui.domain.text import clean_line, clean_text, fold, html_to_text, is_safe, strip_controls


def test_csi_and_osc_sequences_are_removed_whole() -> None:
    hostile = "before\x1b[31mred\x1b[0m\x1b]0;pwned title\x07\x1b]52;c;ZXZpbA==\x1b\\after"
    assert strip_controls(hostile) == "beforeredafter"


def test_c1_csi_and_lone_escape_removed() -> None:
    assert strip_controls("a\x9b2Jb\x1bc") == "ab"


def test_bidi_and_zero_width_removed() -> None:
    assert strip_controls("ad\u202emin\u200b\ufeff") == "admin"


def test_format_private_use_and_tag_characters_removed() -> None:
    # The ones that used to reach the terminal: Arabic letter mark, deprecated format characters,
    # soft hyphen, Mongolian vowel separator, interlinear annotation, language tag and tag
    # characters (hidden "ASCII smuggling" text), private use in the BMP and beyond.
    hostile = (
        "a\u061cd\u206am\u206fi\u00adn\u180e\ufff9x\ufffb\U000e0001\U000e0041\U000e007f"
        "\ue000\U000f0000\U0010fffd!"
    )
    assert clean_line(hostile) == clean_text(hostile) == html_to_text(hostile) == "admin" + "x!"
    assert not is_safe("tag\U000e0041") and not is_safe("pua\ue000")


def test_format_characters_as_html_character_references_removed() -> None:
    assert html_to_text("<p>a&#x61C;d&#xAD;m&#xE0041;i&#x206A;n&#xE000;</p>") == "admin"


def test_unassigned_and_variation_selectors_kept() -> None:
    # U+1FAE8 (shaking face, Unicode 15) is unassigned in older databases and must survive both
    # ways; the variation selectors (Mn) pick emoji or text presentation and must stay.
    kept = "\U0001fae8 \u2764\ufe0f \u2603\ufe0e \u845b\U000e0100"
    assert clean_line(kept) == clean_text(kept) == kept


def test_line_and_paragraph_separators_still_break_lines() -> None:
    assert clean_text("one\u2028two\u2029three\r\nfour\rfive") == "one\ntwo\n\nthree\nfour\nfive"
    assert clean_line("one\u2028two\u2029three") == "one two three"


def test_clean_line_collapses_whitespace_and_newlines() -> None:
    assert clean_line("  Issues  connecting\n to\tWest US ") == "Issues connecting to West US"


def test_clean_text_keeps_paragraphs_and_trims_lines() -> None:
    assert clean_text("line one  \r\n\r\n\r\n\r\n  line two") == "line one\n\nline two"


def test_caps_length_with_ellipsis() -> None:
    capped = clean_line("x" * 1000, limit=10)
    assert len(capped) == 10 and capped.endswith("…")


def test_html_to_text_lists_breaks_and_entities() -> None:
    html = (
        "<p>We&apos;re <strong>on it</strong>&nbsp;now.</p><ul><li>one</li><li>two</li></ul>a<br>b"
    )
    assert html_to_text(html) == "We're on it now.\n\n- one\n- two\n\na\nb"


def test_html_to_text_drops_scripts_and_styles() -> None:
    assert html_to_text("<script>alert(1)</script><style>p{}</style>ok") == "ok"


def test_markup_is_left_literal() -> None:
    # Rich/Textual markup is not interpreted here; the UI must render it as Text, literally.
    assert (
        clean_line("[bold]x[/bold] [@click=app.quit]y[/]") == "[bold]x[/bold] [@click=app.quit]y[/]"
    )


def test_fold_ignores_case_and_accents() -> None:
    assert fold("Montréal") == fold("MONTREAL")


# The oracle: Unicode general categories no reader should receive.  Cc controls (the newline is
# the one kept, in multi-line text), Cf format characters (bidi, zero-width, tags, soft hyphen…),
# Co private use, Cs surrogates, Zl/Zp separators.  Decided here from unicodedata, never from the
# sanitiser's own tables.
_FORBIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cs", "Zl", "Zp"})


def _forbidden(ch: str) -> bool:
    return unicodedata.category(ch) in _FORBIDDEN_CATEGORIES


def _unsafe_chars(out: str, *, multiline: bool) -> list[str]:
    return [c for c in out if _forbidden(c) and not (multiline and c == "\n")]


@given(st.text())
def test_every_output_is_terminal_safe(value: str) -> None:
    assert not _unsafe_chars(clean_line(value), multiline=False)
    for out in (clean_line(value), clean_text(value), html_to_text(value)):
        assert is_safe(out)
        assert not _unsafe_chars(out, multiline=True)
        out.encode("utf-8")


@given(st.text(alphabet=st.sampled_from(["\x1b", "[", "]", "0", ";", "\x07", "a", "\\", "\x9b"])))
def test_escape_soup_never_leaves_escape_bytes(value: str) -> None:
    assert is_safe(clean_text(value))


# --- the fast path (already-clean text is returned as is) agrees with the full rewrite -------

import sys  # noqa: E402
from collections.abc import Callable  # noqa: E402

import pytest  # noqa: E402

from watchtui.domain import text as text_module  # noqa: E402
from watchtui.domain.text import BODY_MAX, NAME_MAX, TITLE_MAX  # noqa: E402

_TRICKY = (
    " \n\t\r\x0b\x0c\x1b\x07\x85\x9b\x9d\xa0\u1680\u180e\u2000\u200a\u200b\u200d\u200e\u2028"
    "\u2029\u202a\u202e\u202f\u205f\u2060\u2066\u3000\ufeff\ufff9\ud800\udfff"
)
_texts = st.text(
    alphabet=st.one_of(st.sampled_from(list(_TRICKY) + list("ab1.#\\`*-é€")), st.characters()),
    max_size=60,
)
# Mostly spaces and newlines: where the whitespace rules bite.
_layouts = st.text(
    alphabet=st.sampled_from([" ", "\n", "a", "\t", "\\", "#", "1", "."]), max_size=30
)
_WHITESPACE_CASES = [
    "a  b",
    "a \nb",
    "a\n b",
    "a\n\n\nb",
    "a\n\nb",
    " a",
    "a ",
    "\na",
    "a\n",
    "a\tb",
    "",
    "a\r\nb",
    "a\u2028b",
    "a\u00a0b",
    "a\n \nb",
]


@given(st.one_of(_texts, _layouts))
@pytest.mark.parametrize("case", _WHITESPACE_CASES)
def test_fast_path_equals_full_rewrite(case: str, value: str) -> None:
    from unittest import mock

    for sample in (case, value, case + value):
        fast_text, fast_line = clean_text(sample), clean_line(sample, NAME_MAX)
        with (
            mock.patch.object(text_module, "_body_is_clean", lambda _t, _l: False),
            mock.patch.object(text_module, "_line_is_clean", lambda _t, _l: False),
        ):
            assert fast_text == clean_text(sample)
            assert fast_line == clean_line(sample, NAME_MAX)


def test_fast_path_respects_length_caps() -> None:
    long_body = "word " * (BODY_MAX // 4)
    assert len(clean_text(long_body)) == BODY_MAX
    assert len(clean_line("x" * (TITLE_MAX + 1))) == TITLE_MAX


def test_every_code_point_the_fast_path_trusts_survives_cleaning(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Exhaustive over Unicode: whatever the fast path lets through, the full rewrite keeps
    unchanged, and it is never whitespace other than space and newline."""
    monkeypatch.setattr(text_module, "_body_is_clean", lambda _t, _l: False)
    monkeypatch.setattr(text_module, "_line_is_clean", lambda _t, _l: False)
    trusted = [
        chr(cp)
        for cp in range(sys.maxunicode + 1)
        if chr(cp) not in " \n" and text_module._only_safe_chars(chr(cp))
    ]
    assert all(not c.isspace() for c in trusted)
    for start in range(0, len(trusted), 4000):
        chunk = "x".join(trusted[start : start + 4000])
        assert clean_text(chunk, limit=len(chunk)) == chunk
        assert clean_line(chunk, limit=len(chunk)) == chunk


def test_fast_path_trusts_exactly_what_the_categories_allow() -> None:
    """Not laxer than the slow path (nothing it would remove or rewrite is trusted), and not
    stricter either (an unassigned code point, which the slow path keeps, is trusted too)."""
    wrong = [
        f"U+{cp:04X} {unicodedata.category(chr(cp))}"
        for cp in range(sys.maxunicode + 1)
        if text_module._only_safe_chars(chr(cp))
        != (chr(cp) in " \n" or unicodedata.category(chr(cp)) not in _FORBIDDEN_CATEGORIES | {"Zs"})
    ]
    assert not wrong, wrong[:20]


# --- the tables in text.py are unicodedata's, whichever Python runs this ----------------------


def _ranges(predicate: Callable[[str], bool]) -> list[tuple[int, int]]:
    ranges: list[tuple[int, int]] = []
    for cp in range(sys.maxunicode + 1):
        if predicate(chr(cp)):
            if ranges and ranges[-1][1] == cp - 1:
                ranges[-1] = (ranges[-1][0], cp)
            else:
                ranges.append((cp, cp))
    return ranges


def test_forbidden_table_is_the_unicode_database() -> None:
    expected = _ranges(_forbidden)
    assert list(text_module._FORBIDDEN_RANGES) == expected, (
        f"Unicode {unicodedata.unidata_version} moved Cc/Cf/Co/Cs/Zl/Zp: regenerate "
        f"_FORBIDDEN_RANGES in text.py as {[(hex(a), hex(b)) for a, b in expected]}"
    )


def test_space_separator_table_is_the_unicode_database() -> None:
    expected = _ranges(lambda c: unicodedata.category(c) == "Zs" and c != " ")
    assert list(text_module._SPACE_SEPARATORS) == expected, (
        f"Unicode {unicodedata.unidata_version} moved Zs: regenerate _SPACE_SEPARATORS in "
        f"text.py as {[(hex(a), hex(b)) for a, b in expected]}"
    )


# --- every code point, end to end: kept or removed as its category says -----------------------


def _outcomes(ch: str, *, multiline: bool) -> tuple[str, ...]:
    """What the probe ``"a" + ch + "b"`` may become, from the character's category alone."""
    if not _forbidden(ch):
        # Space separators (Zs) are shown, possibly as a plain space.
        return (f"a{ch}b", "a b") if ch.isspace() else (f"a{ch}b",)
    outcomes = ["ab"]
    if ch.isspace():
        # A forbidden whitespace (tab, newline, CR, Zl, Zp, vertical tab…) may leave a space, or
        # a line/paragraph break in multi-line text, where it stood.
        outcomes += ["a b", "a\nb", "a\n\nb"] if multiline else ["a b"]
    if unicodedata.category(ch) == "Cc":
        # A control may open an escape sequence (ESC b, CSI b) that takes the "b" with it.
        outcomes.append("a")
    return tuple(outcomes)


def _loose(ch: str) -> bool:
    return ch.isspace() or unicodedata.category(ch) == "Cc"


_CHUNK = 0x10000


@pytest.mark.parametrize("multiline", [False, True], ids=["clean_line", "clean_text"])
def test_every_code_point_is_kept_or_removed_as_its_category_says(multiline: bool) -> None:
    def clean(value: str) -> str:
        return (clean_text if multiline else clean_line)(value, limit=len(value))

    # Characters with exactly one right outcome: one big probe string per chunk, compared whole.
    # Chunks of kept characters only are clean text, so they also go through the fast path.
    exact = [chr(cp) for cp in range(sys.maxunicode + 1) if not _loose(chr(cp))]
    assert len(exact) > 1_000_000
    for start in range(0, len(exact), _CHUNK):
        chars = exact[start : start + _CHUNK]
        pieces = [f"a{c}b" if not _forbidden(c) else "ab" for c in chars]
        got = clean("".join(f"a{c}b" for c in chars))
        if got != "".join(pieces):
            at = 0
            for c, piece in zip(chars, pieces, strict=True):
                assert got[at : at + len(piece)] == piece, (
                    f"U+{ord(c):04X} {unicodedata.category(c)} became {got[at : at + 6]!r}"
                )
                at += len(piece)
            raise AssertionError(f"trailing output {got[at : at + 20]!r}")

    # Controls and whitespace, with their allowed alternatives.  BEL after each control probe
    # ends any control string (OSC, DCS…) it opened, and "|" marks where each probe ends.
    loose = [chr(cp) for cp in range(sys.maxunicode + 1) if _loose(chr(cp))]
    assert 60 < len(loose) < 200
    got = clean(
        "".join(f"a{c}b" + ("\x07" if unicodedata.category(c) == "Cc" else "") + "|" for c in loose)
    )
    at = 0
    for c in loose:
        match = next(
            (o for o in _outcomes(c, multiline=multiline) if got.startswith(o + "|", at)), None
        )
        assert match is not None, f"U+{ord(c):04X} {unicodedata.category(c)}: {got[at : at + 8]!r}"
        at += len(match) + 1
    assert at == len(got), got[at:]


def test_html_path_never_shows_a_forbidden_character() -> None:
    forbidden = [chr(cp) for cp in range(sys.maxunicode + 1) if _forbidden(chr(cp))]
    # BEL after each ends any control string (OSC, DCS…) one of them opens, so every "a" stays.
    literal = "<p>" + "".join(f"a{c}\x07" for c in forbidden) + "</p>"
    out = html_to_text(literal, limit=len(literal))
    assert set(out) <= set("a \n"), sorted({f"U+{ord(c):04X}" for c in out if c not in "a \n"})
    assert out.count("a") == len(forbidden)
    # As character references, HTML itself maps some (&#x80;-&#x9f; to windows-1252 letters,
    # surrogates to U+FFFD): what comes out must still hold no forbidden character.
    # (&#x90; is DCS itself: BEL again.)
    as_refs = "".join(f"a&#x{ord(c):x};\x07" for c in forbidden)
    out = html_to_text(as_refs, limit=len(as_refs))
    assert not _unsafe_chars(out, multiline=True)
    assert out.count("a") == len(forbidden)


_values = st.one_of(_texts, _layouts, st.none(), st.integers())


@given(
    st.lists(_values, max_size=80),
    st.lists(st.sampled_from(["Paris, France - (CDG)", "API", "a b", "é"]), max_size=80),
    st.integers(min_value=0, max_value=80),
)
def test_clean_lines_equals_the_full_rewrite_of_each(
    values: list[object], clean: list[object], at: int
) -> None:
    from unittest import mock

    from watchtui.domain.text import clean_lines

    # Mostly clean lines with the others mixed in, as pages have them: batches pass and fail.
    mixed = clean[:at] + values + clean[at:]
    for sample in (values, clean, mixed):
        batched = clean_lines(sample, NAME_MAX)
        text_module._clean_short_line.cache_clear()
        with mock.patch.object(text_module, "_line_is_clean", lambda _t, _l: False):
            assert batched == [clean_line(value, NAME_MAX) for value in sample]
        text_module._clean_short_line.cache_clear()


def test_clean_lines_respects_the_length_cap() -> None:
    from watchtui.domain.text import clean_lines

    lines = ["ok"] * 40 + ["x" * (NAME_MAX + 1)]
    assert clean_lines(lines, NAME_MAX)[-1] == "x" * (NAME_MAX - 1) + "…"


@pytest.mark.parametrize("case", [*_WHITESPACE_CASES, *_TRICKY, "a\nb", "x" * (NAME_MAX + 1)])
@pytest.mark.parametrize("at", [0, 1, 31, 32, 39])
def test_one_unclean_line_among_clean_ones_is_cleaned(case: str, at: int) -> None:
    from unittest import mock

    from watchtui.domain.text import clean_lines

    lines = [f"Service {n}, City - (ABC)" for n in range(40)]
    lines.insert(at, case)
    batched = clean_lines(lines, NAME_MAX)
    with mock.patch.object(text_module, "_line_is_clean", lambda _t, _l: False):
        assert batched == [clean_line(line, NAME_MAX) for line in lines]
