from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from watchtui.text import clean_line, clean_text, fold, html_to_text, is_safe, strip_controls


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
