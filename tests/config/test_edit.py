"""``edit_config``: one locked, validated, atomic read-modify-write that keeps the file's
comments, mode and shape."""

from __future__ import annotations

import multiprocessing
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing.synchronize import Event
from pathlib import Path

import pytest
from tomlkit import TOMLDocument

from watchtui.config import (
    Config,
    ConfigError,
    add_probe,
    apply_edit,
    edit_config,
    load_config,
    lock_path,
    put_source,
    watch_provider,
    write_raw,
)

COMMENTED = """\
# My watchtui config: keep these notes.
[watch]
providers = [
  "github",  # code hosting
  "aws",
]

[display]
clock = "local"  # we are all in one office
"""


@contextmanager
def umask(mask: int) -> Iterator[None]:
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)


def write_config(directory: Path, text: str) -> Path:
    path = directory / "config.toml"
    path.write_text(text)
    return path


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def leftovers(directory: Path) -> list[str]:
    """Anything but the config and its lock: a temp file left behind by a failed write."""
    return sorted(p.name for p in directory.iterdir() if not p.name.startswith("config.toml"))


def test_comments_order_and_layout_survive_an_edit(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(COMMENTED)
    edit = edit_config(path, lambda doc: watch_provider(doc, "gitlab"))
    assert edit.written and edit.result == "added"
    assert path.read_text() == COMMENTED.replace('  "aws",\n', '  "aws",\n  "gitlab",\n')
    assert edit.config == load_config(path)
    assert edit.config.watch.providers == ["github", "aws", "gitlab"]


def test_crlf_line_endings_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b'[watch]\r\nproviders = ["github"]\r\n')
    edit_config(path, lambda doc: watch_provider(doc, "gitlab"))
    assert path.read_bytes() == b'[watch]\r\nproviders = ["github", "gitlab"]\r\n'


@pytest.mark.parametrize("mode", [0o600, 0o644, 0o640])
def test_existing_mode_is_kept(tmp_path: Path, mode: int) -> None:
    path = tmp_path / "config.toml"
    path.write_text(COMMENTED)
    path.chmod(mode)
    with umask(0o022):
        assert edit_config(path, lambda doc: watch_provider(doc, "gitlab")).written
    assert mode_of(path) == mode


@pytest.mark.parametrize("mask", [0o000, 0o022])
def test_new_file_is_private_whatever_the_umask(tmp_path: Path, mask: int) -> None:
    path = tmp_path / "fresh" / "config.toml"
    with umask(mask):
        edit_config(path, lambda doc: watch_provider(doc, "gitlab"))
    assert mode_of(path) == 0o600
    assert mode_of(lock_path(path)) == 0o600
    assert load_config(path).watch.extra_providers == ["gitlab"]


def test_write_raw_keeps_the_mode_too(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(COMMENTED)
    path.chmod(0o600)
    with umask(0o022):
        config = write_raw(path, {"display": {"clock": "utc"}})
    assert mode_of(path) == 0o600
    assert config == load_config(path) and config.display.clock == "utc"


def test_invalid_result_raises_and_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(COMMENTED)
    before = path.stat()

    def break_it(doc: TOMLDocument) -> None:
        doc["display"]["clock"] = "martian"

    with pytest.raises(ConfigError) as caught:
        edit_config(path, break_it)
    assert str(caught.value).startswith(f"{path}: key 'display.clock'")
    assert path.read_text() == COMMENTED
    assert path.stat().st_ino == before.st_ino
    assert leftovers(tmp_path) == []


def test_a_failing_mutation_writes_nothing_and_releases_the_lock(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(COMMENTED)

    def fail(doc: TOMLDocument) -> None:
        watch_provider(doc, "gitlab")
        raise RuntimeError("changed my mind")

    with pytest.raises(RuntimeError):
        edit_config(path, fail)
    assert path.read_text() == COMMENTED
    # The lock is free again: a second edit does not wait for the timeout.
    assert edit_config(path, lambda doc: watch_provider(doc, "gitlab"), timeout=0.5).written


def test_an_edit_that_changes_nothing_leaves_the_file_alone(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(COMMENTED)
    inode = path.stat().st_ino
    edit = edit_config(path, lambda doc: watch_provider(doc, "github"))
    assert edit.result == "unchanged" and not edit.written
    assert path.stat().st_ino == inode
    absent = tmp_path / "absent.toml"
    nothing = edit_config(absent, lambda doc: None)
    assert nothing.config == Config() and not nothing.written and not absent.exists()


def test_an_unreadable_existing_file_is_reported_not_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("this is = = not toml")
    with pytest.raises(ConfigError, match="invalid TOML"):
        edit_config(path, lambda doc: watch_provider(doc, "gitlab"))
    assert path.read_text() == "this is = = not toml"


def test_an_invalid_file_can_be_repaired_by_an_edit(tmp_path: Path) -> None:
    """Validation applies to the result, so `sources remove` can take out the bad entry."""
    path = tmp_path / "config.toml"
    path.write_text("[[sources]]\nid = 'bad'\nkind = 'nope'\nurl = 'https://x'\n")
    with pytest.raises(ConfigError):
        load_config(path)

    def drop(doc: TOMLDocument) -> None:
        del doc["sources"]

    assert edit_config(path, drop).config == Config()


def test_a_symlinked_config_is_written_through(tmp_path: Path) -> None:
    real = tmp_path / "dotfiles" / "watchtui.toml"
    real.parent.mkdir()
    real.write_text(COMMENTED)
    link = tmp_path / "config.toml"
    link.symlink_to(real)
    edit_config(link, lambda doc: watch_provider(doc, "gitlab"))
    assert link.is_symlink()
    assert "gitlab" in real.read_text()
    assert lock_path(link) == real.with_name("watchtui.toml.lock")


def test_new_entries_are_appended_as_tables(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(COMMENTED)
    source = {"id": "internal", "kind": "rss", "url": "https://status.example.com/feed.atom"}
    edit_config(path, lambda doc: put_source(doc, source))
    probe = {"id": "api", "type": "http", "target": "https://api.example.com/health"}
    edit_config(path, lambda doc: add_probe(doc, probe))
    text = path.read_text()
    assert text.startswith(COMMENTED + "\n[[sources]]\n")
    assert "\n[[probes]]\n" in text
    config = load_config(path)
    assert [s.id for s in config.sources] == ["internal"]
    assert [p.id for p in config.probes] == ["api"]


def test_apply_edit_edits_a_config_in_memory(tmp_path: Path) -> None:
    config = load_config(
        write_config(
            tmp_path,
            COMMENTED + "[watch.intervals]\ngithub = 30\n\n[keys]\nrefresh = 'ctrl+r'\n\n"
            "[[sources]]\nid = 'internal'\nkind = 'statuspage'\nurl = 'https://s.example.com'\n\n"
            "[[probes]]\nid = 'api'\ntype = 'http'\ntarget = 'https://api.example.com/h'\n"
            "expect_status = [200]\njson_path = 'status'\njson_equals = 'ok'\n",
        )
    )
    edit = apply_edit(config, lambda doc: watch_provider(doc, "gitlab"))
    assert edit.result == "added" and not edit.written
    assert edit.config == config.model_copy(
        update={"watch": config.watch.model_copy(update={"providers": ["github", "aws", "gitlab"]})}
    )
    with pytest.raises(ConfigError):
        apply_edit(config, lambda doc: watch_provider(doc, "no-such-provider"))


def _hold_lock(path: str, held: Event, release: float) -> None:
    import time

    from watchtui.config.edit import _locked

    with _locked(Path(path), timeout=5):
        held.set()
        time.sleep(release)


def test_a_stuck_writer_makes_others_fail_after_the_timeout(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(COMMENTED)
    context = multiprocessing.get_context("spawn")
    held = context.Event()
    holder = context.Process(target=_hold_lock, args=(str(path), held, 3.0))
    holder.start()
    try:
        assert held.wait(30)
        with pytest.raises(ConfigError, match="another watchtui"):
            edit_config(path, lambda doc: watch_provider(doc, "gitlab"), timeout=0.3)
        assert path.read_text() == COMMENTED
    finally:
        holder.join(30)
    assert holder.exitcode == 0


def test_loading_the_config_does_not_import_the_runtime() -> None:
    """config is imported by everything; probes, the store and the network import it, not the
    other way round (and every `watchtui config check` would pay for httpx and sqlite3)."""
    code = (
        "import sys, watchtui.config\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('httpx', 'sqlite3')\n"
        "       or m.startswith(('watchtui.probes', 'watchtui.store', 'watchtui.net'))]\n"
        "print(' '.join(sorted(bad)))\n"
    )
    found = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert found.stdout.strip() == ""


def test_every_cli_edit_keeps_comments_and_mode(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from watchtui.cli import main

    path = tmp_path / "config.toml"
    path.write_text("# operator notes\n[display]\nclock = 'local'  # office time\n")
    path.chmod(0o600)
    config = ["--config", str(path)]
    assert main([*config, "sources", "add", "gitlab"]) == 0
    assert "beside the default providers" in capsys.readouterr().out
    assert main([*config, "sources", "remove", "pypi"]) == 0
    assert main([*config, "sources", "add", "pypi"]) == 0
    assert "taken out of watch.excluded_providers" in capsys.readouterr().out
    assert main([*config, "sources", "remove", "npm"]) == 0
    assert main([*config, "probes", "add", "example.com", "--id", "dns"]) == 0
    assert main([*config, "probes", "add", "example.org", "--id", "dns"]) == 3
    url = "https://status.example.com/feed.atom"
    assert main([*config, "sources", "add", url, "--kind", "rss", "--id", "mine"]) == 0
    assert main([*config, "sources", "remove", "mine"]) == 0
    assert main([*config, "probes", "remove", "dns"]) == 0
    assert main([*config, "probes", "remove", "dns"]) == 3
    text = path.read_text()
    assert text.startswith("# operator notes\n[display]\nclock = 'local'  # office time\n")
    assert mode_of(path) == 0o600
    watch = load_config(path).watch
    assert (watch.providers, watch.extra_providers, watch.excluded_providers) == (
        None,
        ["gitlab"],
        ["npm"],
    )
    assert "[[sources]]" not in text and "[[probes]]" not in text


def test_an_unwritable_location_is_a_config_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    with pytest.raises(ConfigError, match="cannot lock"):
        edit_config(blocker / "config.toml", lambda doc: watch_provider(doc, "gitlab"))


def test_a_failed_rename_leaves_the_old_file_and_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "config.toml"
    path.write_text(COMMENTED)

    def full_disk(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    with pytest.raises(ConfigError, match="cannot write: No space left on device"):
        edit_config(path, lambda doc: watch_provider(doc, "gitlab"))
    assert path.read_text() == COMMENTED
    assert leftovers(tmp_path) == []
