"""``domain.vetting.vet`` over every real payload (../shared/feeds) at its capture date: a real
payload must lose nothing and need no correction when vetted as of the moment it was captured."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.conftest import shared_feeds_dir
from watchtui.domain.vetting import vet
from watchtui.sources import parse_payload
from watchtui.sources.sniff import sniff_kind

DAY = timedelta(days=1)

# Where the date in the file name is the incident's, not the capture's: the capturing commit's date
# (SOURCES.md).
_COMMIT_DATES = {
    "incident_8n38wzt8fvj8_2010-09-27_legacy.json": "2022-08-10",
    "incident_gqx5l06jjxhp_2023-06-29_critical.json": "2023-09-21",
    "incident_t2xwk9mz56f4_2023-02-18_major_29updates.json": "2023-02-18",
}
_NAME_DATE = re.compile(r"_(\d{4}-\d{2}-\d{2})(?:T(\d{2})-(\d{2}))?")


def _real_payloads() -> list[Path]:
    feeds = shared_feeds_dir()
    if feeds is None:
        return []
    return sorted(p for p in feeds.rglob("*") if p.is_file() and p.suffix != ".md")


def _captured(path: Path) -> datetime:
    if path.name in _COMMIT_DATES:
        return datetime.fromisoformat(_COMMIT_DATES[path.name]).replace(tzinfo=UTC)
    found = _NAME_DATE.search(path.name)
    assert found is not None, path.name
    day = datetime.fromisoformat(found[1]).replace(tzinfo=UTC)
    # Midnight of the capture day unless the name gives the time: the strictest reading.
    return day.replace(hour=int(found[2] or 0), minute=int(found[3] or 0))


def test_real_payloads_are_present() -> None:
    if shared_feeds_dir() is None:
        pytest.skip("../shared/feeds is absent: real payloads NOT vetted")
    assert len(_real_payloads()) == 33


@pytest.mark.parametrize("path", _real_payloads(), ids=lambda p: p.name)
def test_real_payload_loses_nothing_at_its_capture_date(path: Path) -> None:
    data = path.read_bytes()
    snap = parse_payload(sniff_kind(data), data)
    assert snap.dropped == ()
    # Nothing dropped, merged or corrected: every real item is believable when it was captured.
    assert vet(snap, _captured(path)) is snap


def test_betterstack_announcement_dated_at_the_planned_start_is_real() -> None:
    # The one real post dated days after its capture (kept: inside its maintenance's window).
    feeds = shared_feeds_dir()
    if feeds is None:
        pytest.skip("../shared/feeds is absent")
    path = feeds / "other" / "betterstack_huggingface_index_2026-07-19_major.json"
    raw = json.loads(path.read_bytes())
    ahead = [
        e["id"]
        for e in raw["included"]
        if e["type"] == "status_update"
        and datetime.fromisoformat(e["attributes"]["published_at"]) > _captured(path) + DAY
    ]
    assert len(ahead) == 1
    vetted = vet(parse_payload("betterstack", path.read_bytes()), _captured(path))
    assert ahead[0] in {u.id for m in vetted.maintenances for u in m.updates}
