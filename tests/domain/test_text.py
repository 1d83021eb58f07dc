from __future__ import annotations

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


@given(st.text())
def test_every_output_is_terminal_safe(value: str) -> None:
    for out in (clean_line(value), clean_text(value), html_to_text(value)):
        assert is_safe(out)
        out.encode("utf-8")


@given(st.text(alphabet=st.sampled_from(["\x1b", "[", "]", "0", ";", "\x07", "a", "\\", "\x9b"])))
def test_escape_soup_never_leaves_escape_bytes(value: str) -> None:
    assert is_safe(clean_text(value))


# --- the fast path (already-clean text is returned as is) agrees with the full rewrite -------

import sys  # noqa: E402

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
