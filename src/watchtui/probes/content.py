"""Judging a probe's response body: ``contains`` and ``json_path``/``json_equals``.

The body is whatever the target sent (at most the first MB of it), so nothing here may assume
it is well-formed, shallow or small.
"""

from __future__ import annotations

import json
from typing import Any

from watchtui.config.probe_spec import JsonScalar, ProbeSpec
from watchtui.domain.text import clean_line

__all__ = ["check_body", "needs_body"]

_MISSING = object()


def needs_body(spec: ProbeSpec) -> bool:
    return spec.contains is not None or spec.json_path is not None


def check_body(spec: ProbeSpec, body: bytes, truncated: bool, cap_words: str) -> str | None:
    """Why ``body`` fails ``spec``'s checks, or ``None``.  ``truncated``: ``body`` holds only the
    first ``cap_words`` (``1 MB``) of a longer body."""
    if spec.contains is not None and spec.contains.encode("utf-8") not in body:
        suffix = f" (in its first {cap_words})" if truncated else ""
        return f"body lacks {spec.contains!r}{suffix}"
    if spec.json_path is None:
        return None
    if truncated:
        return f"body larger than {cap_words}: json not checked"
    try:
        document = json.loads(body)
    except RecursionError:
        return "body JSON is nested too deeply to check"
    except (ValueError, UnicodeDecodeError):
        return "body is not JSON"
    return _check_json(spec.json_path, spec.json_equals, document)


def _json_at(document: Any, path: str) -> Any:
    node = document
    for part in path.split("."):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return _MISSING
    return node


def _same_json(found: Any, expected: JsonScalar) -> bool:
    # bool is an int in Python; JSON's true is not 1.
    if isinstance(found, bool) or isinstance(expected, bool):
        return isinstance(found, bool) and isinstance(expected, bool) and found == expected
    if isinstance(found, int | float) and isinstance(expected, int | float):
        return found == expected
    return type(found) is type(expected) and bool(found == expected)


def _show(value: Any) -> str:
    if isinstance(value, str):
        return repr(clean_line(value, 60))
    try:
        return clean_line(json.dumps(value, ensure_ascii=False), 60)
    except RecursionError:
        # Parsed just under the recursion limit, it can still be too deep to print from here.
        return f"a deeply nested {'object' if isinstance(value, dict) else 'array'}"


def _check_json(path: str, expected: JsonScalar | None, document: Any) -> str | None:
    found = _json_at(document, path)
    if found is _MISSING or found is None:
        return f"json {path} missing"
    if expected is None or _same_json(found, expected):
        return None
    return f"json {path} = {_show(found)}, expected {_show(expected)}"
