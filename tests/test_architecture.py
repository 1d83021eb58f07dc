"""The package's shape, read from the source with ``ast``: imports flow one way, modules stay small.

Layers, lowest first; a module may import its own package and any lower layer, never a higher
one.  Every import counts: module level, inside functions, and under ``if TYPE_CHECKING:`` (a
type-only import upwards is still coupling).  The root package (``watchtui/__init__.py``: the
version) may be imported from anywhere.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "watchtui"

LAYERS = (
    "domain",
    "sources",
    "catalog",
    "config",
    "net",
    "store",
    "probes",
    "signals",
    "engine",
    "viewmodel",
    # The front ends: the UI imports neither of the others; the demo runs the UI; the CLI starts
    # either.
    "ui",
    "demo",
    "cli",
    "__main__",
)
# Third-party packages only the UI (and what runs it) may import.
UI_ONLY = ("textual",)
UI_RANK = LAYERS.index("ui")
MAX_LINES = 500
MAX_LOOSE_MODULES = 6

# Known violations in files this test's author does not own, each (importer, imported): why.
# The list can only shrink: an entry that matches nothing any more fails the test.
ALLOWED: dict[tuple[str, str], str] = {}


@dataclass(frozen=True)
class Import:
    importer: str
    imported: str
    path: Path
    line: int

    @property
    def where(self) -> str:
        return f"{self.path.relative_to(SRC.parents[1])}:{self.line}"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(SRC.rglob("*.py"))}


def imports_of(name: str, path: Path, known: set[str]) -> list[Import]:
    found: list[Import] = []
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [Import(name, alias.name, path, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                # ``from watchtui import catalog`` imports the submodule, not the root.
                target = f"{base}.{alias.name}"
                found.append(Import(name, target if target in known else base, path, node.lineno))
    return found


def layer(module: str) -> str | None:
    """The layer of a ``watchtui`` module; None for the root package."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def violations() -> list[tuple[Import, str]]:
    known = set(modules())
    found: list[tuple[Import, str]] = []
    for name, path in modules().items():
        own = layer(name)
        if own is None:
            continue
        rank = LAYERS.index(own)
        for imp in imports_of(name, path, known):
            top = imp.imported.split(".")[0]
            if top in UI_ONLY and rank < UI_RANK:
                found.append((imp, f"{top} below the UI"))
            if top != "watchtui":
                continue
            target = layer(imp.imported)
            if target is None or target == own:
                continue
            if LAYERS.index(target) > rank:
                found.append((imp, f"{own} imports {target}, a higher layer"))
    return found


def test_every_package_has_a_layer() -> None:
    packages = {p.name for p in SRC.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    loose = {p.stem for p in SRC.glob("*.py")} - {"__init__"}
    assert packages | loose <= set(LAYERS), "give the new package a place in LAYERS"


def test_imports_flow_one_way() -> None:
    unexplained = [
        f"{imp.where}: {why} ({imp.imported})"
        for imp, why in violations()
        if (imp.importer, imp.imported) not in ALLOWED
    ]
    assert unexplained == []


def test_the_allowed_exceptions_still_exist() -> None:
    seen = {(imp.importer, imp.imported) for imp, _ in violations()}
    assert [pair for pair in ALLOWED if pair not in seen] == [], "fixed: remove it from ALLOWED"


def test_the_domain_imports_nothing_of_watchtui_but_itself() -> None:
    known = set(modules())
    outside = [
        f"{imp.where}: {imp.imported}"
        for name, path in modules().items()
        if layer(name) == "domain"
        for imp in imports_of(name, path, known)
        if imp.imported.split(".")[0] == "watchtui" and layer(imp.imported) != "domain"
    ]
    assert outside == []


@pytest.mark.parametrize("name", sorted(modules()))
def test_modules_stay_small(name: str) -> None:
    lines = len(modules()[name].read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{name}: {lines} lines; split it by what it holds"


def test_few_modules_loose_at_the_top() -> None:
    loose = sorted(p.name for p in SRC.glob("*.py"))
    assert len(loose) <= MAX_LOOSE_MODULES, loose


def test_the_checker_sees_every_kind_of_import(tmp_path: Path) -> None:
    source = tmp_path / "watchtui" / "store" / "sample.py"
    source.parent.mkdir(parents=True)
    source.write_text(
        "from typing import TYPE_CHECKING\n"
        "from watchtui import catalog\n"
        "from ..engine import overview\n"
        "if TYPE_CHECKING:\n"
        "    from watchtui.ui.app import WatchApp\n"
        "def later():\n"
        "    import textual.app\n"
    )
    known = {"watchtui.catalog", "watchtui.engine.overview"}
    found = [(i.imported, i.line) for i in imports_of("watchtui.store.sample", source, known)]
    assert sorted(found) == [
        ("textual.app", 7),
        ("typing", 1),
        ("watchtui.catalog", 2),
        ("watchtui.engine.overview", 3),
        ("watchtui.ui.app", 5),
    ]
