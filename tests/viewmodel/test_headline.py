"""The line read from across the room: worst level first, where, then the counts."""

from __future__ import annotations

from datetime import UTC, datetime

from watchtui.domain.model import Impact
from watchtui.engine.overview import Overview, SourceView
from watchtui.ui.widgets.kiosk_board import build_tiles, calm_tile
from watchtui.viewmodel.headline import headline

NOW = datetime(2026, 7, 29, 12, 0, tzinfo=UTC)


def source(sid: str, health: str, impact: Impact, *, read: bool = True) -> SourceView:
    return SourceView(
        sid,
        sid.upper(),
        "rss",
        f"https://{sid}",
        60,
        health,  # type: ignore[arg-type]
        last_success_at=NOW if read else None,
        impact=impact,
    )


def test_a_calm_board_says_ok_and_counts_nothing_open() -> None:
    line = headline(Overview(NOW, sources=(source("a", "fresh", "none"),)))
    assert line.text(ascii_only=False) == "● OK · 0 open"


def test_blindness_never_reads_calm() -> None:
    board = Overview(NOW, sources=(source("a", "fresh", "none"), source("b", "failing", "unknown")))
    assert (
        headline(board).text(ascii_only=False) == "? UNKNOWN · B · 0 known open · 1 source failing"
    )
    never = Overview(NOW, sources=(source("c", "failing", "unknown", read=False),))
    assert headline(never).text(ascii_only=True) == "? UNKNOWN | C | No data yet | 1 source failing"


def test_the_worst_level_leads_whatever_else_is_blind() -> None:
    board = Overview(
        NOW, sources=(source("a", "fresh", "critical"), source("b", "stale", "unknown"))
    )
    line = headline(board)
    assert line.level == "critical"
    assert line.lead(ascii_only=False) == "■ CRITICAL · A"
    assert line.text(ascii_only=True).startswith("# CRITICAL | A | 0 known open")


def test_the_header_and_the_wall_agree_on_a_board_that_knows_nothing_yet() -> None:
    """One definition of "nothing read yet" (``Overview.nothing_read_yet``): sources that were
    tried and failed, never read, leave the header and the wall saying "No data yet" alike."""
    never_read = Overview(
        NOW,
        sources=(
            source("a", "failing", "unknown", read=False),
            source("b", "never", "unknown", read=False),
        ),
    )
    assert never_read.nothing_read_yet
    assert "No data yet" in headline(never_read).text(ascii_only=True)
    assert [t.name for t in build_tiles(never_read, NOW, ascii_only=True)] == ["A"]
    assert calm_tile(never_read, NOW, ascii_only=True).name == "No data yet"
    sources = (source("a", "failing", "unknown"), source("b", "never", "unknown", read=False))
    one_read = Overview(NOW, sources=sources)
    assert not one_read.nothing_read_yet
    assert "No data yet" not in headline(one_read).text(ascii_only=True)
    assert {t.name for t in build_tiles(one_read, NOW, ascii_only=True)} == {"A", "B"}
