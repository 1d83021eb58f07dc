"""An installation of watchtui that other users can run: this interpreter, its standard library
and watchtui's runtime packages, placed in a world-readable directory.

The test environment's Python may live where only root can reach it (pyenv under ``/root``,
mode 0700), so a test that runs watchtui as real users needs its own installation, as a real
deployment has one (``/opt/watchtui/.venv``).  Nothing is chmod'ed outside ``target``: files are
hard-linked when they are on the same filesystem and already readable by everyone (fast, no
space), copied otherwise.
"""

from __future__ import annotations

import os
import shutil
import stat
import sys
import sysconfig
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

import watchtui

# Standard-library parts a headless watchtui never imports; leaving them out keeps the copy small.
_STDLIB_SKIP = {
    "site-packages",
    "dist-packages",
    "test",
    "idlelib",
    "tkinter",
    "turtledemo",
    "ensurepip",
    "lib2to3",
}


@dataclass(frozen=True)
class Install:
    root: Path
    executable: Path

    def command(self, *argv: str, **env: str) -> list[str]:
        """``watchtui ARGV`` with a clean environment plus ``env``."""
        return self.python(*("-m", "watchtui", *argv), **env)

    def python(self, *argv: str, **env: str) -> list[str]:
        """``env -i`` … ``python -I ARGV``: a clean environment, so the process sees only what a
        service unit or a login would give it, plus ``env``."""
        variables = {
            "PATH": "/usr/bin:/bin",
            "LANG": "C.UTF-8",
            # A shared libpython is found here, not under the original (unreachable) prefix.
            "LD_LIBRARY_PATH": str(self.root / "lib"),
            **env,
        }
        return [
            "env",
            "-i",
            *(f"{key}={value}" for key, value in variables.items()),
            str(self.executable),
            "-I",
            *argv,
        ]


def build(target: Path) -> Install:
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    lib = target / "lib" / version
    site = lib / "site-packages"
    executable = Path(os.path.realpath(sys.executable))
    _place(executable, target / "bin" / executable.name)
    if sysconfig.get_config_var("Py_ENABLE_SHARED"):
        soname = str(sysconfig.get_config_var("INSTSONAME"))
        _place(Path(str(sysconfig.get_config_var("LIBDIR"))) / soname, target / "lib" / soname)
    stdlib = Path(sysconfig.get_path("stdlib"))
    _place_tree(stdlib, lib, skip=_STDLIB_SKIP | {d.name for d in stdlib.glob("config-*")})
    dynload = Path(sysconfig.get_path("platstdlib")) / "lib-dynload"
    if not (lib / "lib-dynload").exists():
        _place_tree(dynload, lib / "lib-dynload", skip=set())
    for dist in _runtime_distributions():
        for relative in dist.files or ():
            source = Path(str(dist.locate_file(relative)))
            if ".." not in relative.parts and source.is_file():
                _place(source, site / Path(*relative.parts))
    # watchtui itself: the code under test, wherever (and however editably) it is installed.
    package = Path(watchtui.__file__).parent
    _place_tree(package, site / "watchtui", skip=set())
    _open_directories(target)
    return Install(root=target, executable=target / "bin" / executable.name)


def _watchtui_requirements() -> list[str]:
    # The checkout's pyproject is the truth for the code under test; an editable install's
    # metadata is only as new as its last `pip install -e`.
    pyproject = Path(watchtui.__file__).parents[2] / "pyproject.toml"
    if pyproject.is_file():
        dependencies: list[str] = tomllib.loads(pyproject.read_text())["project"]["dependencies"]
        return dependencies
    return metadata.distribution("watchtui").requires or []


def _runtime_distributions() -> Iterator[metadata.Distribution]:
    """The distributions watchtui needs at run time (its dependencies' closure), without it."""
    seen = {canonicalize_name("watchtui")}
    pending: list[str | None] = [None]
    while pending:
        name = pending.pop()
        lines = _watchtui_requirements() if name is None else metadata.distribution(name).requires
        for line in lines or []:
            requirement = Requirement(line)
            if requirement.marker and not requirement.marker.evaluate({"extra": ""}):
                continue
            key = canonicalize_name(requirement.name)
            if key not in seen:
                seen.add(key)
                pending.append(requirement.name)
                yield metadata.distribution(requirement.name)


def _place_tree(source: Path, target: Path, *, skip: set[str]) -> None:
    for entry in source.iterdir():
        if entry.name in skip:
            continue
        if entry.is_dir() and not entry.is_symlink():
            _place_tree(entry, target / entry.name, skip=set())
        elif entry.is_file():
            _place(entry, target / entry.name)


def _place(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    mode = source.stat().st_mode
    if mode & stat.S_IROTH:
        try:
            os.link(source, target)
            return
        except OSError:
            pass  # another filesystem, or links refused: copy instead
    shutil.copy2(source, target)
    # Only the copy is made readable (and, when its owner may run it, runnable) by everyone.
    extra = stat.S_IRGRP | stat.S_IROTH
    if mode & stat.S_IXUSR:
        extra |= stat.S_IXGRP | stat.S_IXOTH
    os.chmod(target, stat.S_IMODE(mode) | extra)


def _open_directories(root: Path) -> None:
    # The directories are the test's own (made under whatever umask pytest runs with).
    for directory, _, _ in os.walk(root):
        os.chmod(directory, 0o755)
