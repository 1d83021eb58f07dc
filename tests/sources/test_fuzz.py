"""Property tests: every parser, fed mutated real and fixture payloads, returns a Snapshot or
raises FeedError — nothing else — and no text it returns can act on a terminal."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import FIXTURES, shared_feeds_dir
from watchtui.domain.errors import FeedError
from watchtui.domain.model import Snapshot
from watchtui.domain.text import is_safe
from watchtui.sources import KIND_MODULES, parser_for

HOSTILE = [
    "[bold red]markup[/] [@click=app.quit]quit[/] [link=file:///etc/passwd]x[/link]",
    "\x1b[2J\x1b]0;owned\x07\x1b]52;c;ZXZpbA==\x07\x1b]8;;https://evil\x1b\\link\x1b]8;;\x1b\\",
    "\u202eevil\u202c\u200b\u2066x\u2069\ufeff",
    "<script>alert(1)</script><b>bold</b>&amp;&#27;[31m",
    "\x00\x07\x08\x7f\x9b31m",
    "javascript:alert(1)",
    "x" * 100_000,
]

# Real payload folders per kind (relative to ../shared/feeds); small ones only, so each example
# stays fast — the big ones are covered unmutated by the conformance suite.
REAL_DIRS = {
    "statuspage": ["statuspage"],
    "incidentio": ["incidentio"],
    "gcp": ["gcp"],
    "aws": ["aws"],
    "azure": ["azure"],
    "rss": ["rss-atom"],
    "slack": ["slack"],
}
REAL_OTHER = {
    "betterstack": "betterstack_",
    "checkly": "checkly_",
    "heroku": "heroku_",
    "instatus": "instatus_",
    "statusio": "statusio_",
}
MAX_SEED_BYTES = 80_000


def _seeds(kind: str) -> list[Path]:
    paths = sorted(p for p in (FIXTURES / kind).glob("*") if p.is_file())
    feeds = shared_feeds_dir()
    if feeds is not None:
        for folder in REAL_DIRS.get(kind, []):
            paths += sorted(p for p in (feeds / folder).rglob("*") if p.is_file())
        if kind in REAL_OTHER:
            paths += sorted((feeds / "other").glob(REAL_OTHER[kind] + "*"))
    return [p for p in paths if p.stat().st_size <= MAX_SEED_BYTES]


SEEDS = {kind: _seeds(kind) for kind in KIND_MODULES}


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def _check(kind: str, data: bytes) -> None:
    try:
        snapshot = parser_for(kind)(data)
    except FeedError as exc:
        assert exc.kind == kind or exc.kind == "auto"
        return
    assert isinstance(snapshot, Snapshot)
    for text in _strings(snapshot.model_dump(mode="json")):
        assert is_safe(text), f"{kind}: unsafe text {text[:80]!r}"
        assert len(text) <= 25_000


def _mutate_json(doc: Any, data: st.DataObject) -> Any:
    """Replace one node deep in the document with a wrong type, a hostile string, or delete it."""
    path: list[Any] = []
    node = doc
    for _ in range(data.draw(st.integers(0, 6))):
        if isinstance(node, dict) and node:
            key = data.draw(st.sampled_from(sorted(node)))
        elif isinstance(node, list) and node:
            key = data.draw(st.integers(0, len(node) - 1))
        else:
            break
        path.append(key)
        node = node[key]
    replacement = data.draw(
        st.one_of(
            st.sampled_from(HOSTILE),
            st.none(),
            st.integers(),
            st.floats(allow_nan=True),
            st.booleans(),
            st.just([]),
            st.just({}),
            st.text(max_size=20),
            st.just("DELETE"),
        )
    )
    if not path:
        return replacement
    parent = doc
    for key in path[:-1]:
        parent = parent[key]
    if replacement == "DELETE" and isinstance(parent, dict):
        del parent[path[-1]]
    else:
        parent[path[-1]] = replacement
    return doc


def _inject_hostile_text(raw: bytes, hostile: str) -> bytes:
    """Put hostile text into every string of a JSON document, or into XML character data."""
    try:
        doc = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        escaped = hostile.replace("&", "&amp;").replace("<", "&lt;")
        # Control characters are not allowed in XML 1.0; the XML parser must reject them
        # (FeedError) — or the text must come out clean.
        return raw.replace(b"</title>", escaped.encode("utf-8") + b"</title>")

    def walk(value: Any) -> Any:
        if isinstance(value, str):
            return value + hostile
        if isinstance(value, dict):
            return {k: walk(v) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v) for v in value]
        return value

    return json.dumps(walk(doc)).encode()


FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
KINDS_WITH_SEEDS = [k for k in KIND_MODULES if SEEDS[k]]


def test_every_kind_has_fuzz_seeds() -> None:
    missing = [k for k in KIND_MODULES if not SEEDS[k]]
    assert not missing, f"no fixture to fuzz for: {missing}"


@pytest.mark.parametrize("kind", KINDS_WITH_SEEDS)
@FUZZ
@given(data=st.data())
def test_truncated_and_flipped_bytes(kind: str, data: st.DataObject) -> None:
    raw = data.draw(st.sampled_from(SEEDS[kind])).read_bytes()
    cut = data.draw(st.integers(0, len(raw)))
    mutated = bytearray(raw[:cut] if data.draw(st.booleans()) else raw)
    for _ in range(data.draw(st.integers(0, 8))):
        if mutated:
            mutated[data.draw(st.integers(0, len(mutated) - 1))] = data.draw(st.integers(0, 255))
    _check(kind, bytes(mutated))


@pytest.mark.parametrize("kind", list(KIND_MODULES))
@FUZZ
@given(raw=st.binary(max_size=2000))
def test_random_bytes(kind: str, raw: bytes) -> None:
    _check(kind, raw)


@pytest.mark.parametrize("kind", KINDS_WITH_SEEDS)
@FUZZ
@given(data=st.data())
def test_structural_mutations(kind: str, data: st.DataObject) -> None:
    raw = data.draw(st.sampled_from(SEEDS[kind])).read_bytes()
    try:
        doc = json.loads(
            raw.decode("utf-8-sig")
            if raw[:2] not in (b"\xfe\xff", b"\xff\xfe")
            else raw.decode("utf-16")
        )
    except ValueError:
        _check(kind, raw)  # XML seeds: structural JSON mutation does not apply
        return
    for _ in range(data.draw(st.integers(1, 4))):
        doc = _mutate_json(doc, data)
    _check(kind, json.dumps(doc).encode())


@pytest.mark.parametrize("kind", KINDS_WITH_SEEDS)
@FUZZ
@given(data=st.data())
def test_hostile_text_and_encodings(kind: str, data: st.DataObject) -> None:
    raw = data.draw(st.sampled_from(SEEDS[kind])).read_bytes()
    hostile = data.draw(st.sampled_from(HOSTILE))
    mutated = _inject_hostile_text(raw, hostile)
    encoding = data.draw(st.sampled_from(["keep", "utf-16-le", "utf-16-be", "latin-1"]))
    if encoding != "keep":
        with contextlib.suppress(UnicodeDecodeError):
            mutated = mutated.decode("utf-8").encode(encoding, "replace")
    _check(kind, mutated)
