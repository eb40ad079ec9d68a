"""The CURRENT pointer holds a build name, never a path; pruning spares leased and current builds
and clears what killed builds left behind."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from casebook.errors import IndexCorruptError, IndexMissing
from casebook.index import layout

NAMES = [f"2025010{d}T120000000000Z" for d in range(1, 7)]


def make_builds(index_dir: Path, names: list[str] = NAMES) -> None:
    for name in names:
        (index_dir / layout.BUILDS / name).mkdir(parents=True)
        (index_dir / layout.BUILDS / name / "manifest.json").write_text("{}")


def dead_pid() -> int:
    """The pid of a process that has exited."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


@pytest.mark.parametrize("content", ["../../../../tmp", "builds/../x", "/etc", "a/b", "..",
                                     "20250101T120000000000Z/..", "latest", ""])
def test_current_holds_a_build_name_never_a_path(tmp_path: Path, content: str) -> None:
    (tmp_path / layout.CURRENT).write_text(content + "\n")
    with pytest.raises(IndexCorruptError, match="not a build name") as caught:
        layout.current_build(tmp_path)
    assert "casebook index build" in (caught.value.hint or "")


def test_current_names_a_missing_build(tmp_path: Path) -> None:
    (tmp_path / layout.CURRENT).write_text(NAMES[0])
    with pytest.raises(IndexMissing, match="does not exist"):
        layout.current_build(tmp_path)
    with pytest.raises(IndexMissing, match="No index has been built"):
        layout.current_build(tmp_path / "elsewhere")


def test_no_index_names_the_folder_it_looked_in(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(IndexMissing) as caught:
        layout.current_build(Path("var/index"))  # relative: shown absolute
    assert caught.value.message == f"No index has been built yet at {tmp_path / 'var' / 'index'}."
    assert "casebook index build" in (caught.value.hint or "")


def test_point_to_refuses_what_is_not_a_build(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        layout.point_to(tmp_path, tmp_path / "builds" / "..")
    make_builds(tmp_path, NAMES[:1])
    layout.point_to(tmp_path, tmp_path / layout.BUILDS / NAMES[0])
    assert layout.current_build(tmp_path).name == NAMES[0]
    assert not (tmp_path / f".{layout.CURRENT}.tmp").exists()


def test_prune_keeps_the_newest_the_current_and_the_leased(tmp_path: Path) -> None:
    make_builds(tmp_path)
    layout.point_to(tmp_path, tmp_path / layout.BUILDS / NAMES[1])
    layout.take_lease(tmp_path, NAMES[2])  # this process serves it
    layout.take_lease(tmp_path, NAMES[3], pid=dead_pid())  # a server that has died
    removed = {p.name for p in layout.prune(tmp_path, keep=2)}
    assert removed == {NAMES[0], NAMES[3]}
    left = sorted(p.name for p in (tmp_path / layout.BUILDS).iterdir())
    assert left == [NAMES[1], NAMES[2], NAMES[4], NAMES[5]]
    # the dead server's lease went with it; ours stays until we drop it
    assert layout.leased_builds(tmp_path) == {NAMES[2]}
    layout.drop_lease(tmp_path)
    assert layout.leased_builds(tmp_path) == set()


def test_prune_clears_partial_builds_of_dead_processes_only(tmp_path: Path) -> None:
    builds = tmp_path / layout.BUILDS
    builds.mkdir(parents=True)
    killed = builds / f".{NAMES[0]}.{dead_pid()}.partial"
    running = layout.partial_dir(builds, NAMES[1])  # named after this live process
    old_style = builds / f".{NAMES[2]}.partial"
    fresh_old_style = builds / f".{NAMES[3]}.partial"
    for folder in (killed, running, old_style, fresh_old_style):
        folder.mkdir()
    os.utime(old_style, (1, 1))  # untouched for decades
    removed = set(layout.prune(tmp_path))
    assert removed == {killed, old_style}
    assert running.is_dir() and fresh_old_style.is_dir()


def test_leases_that_are_not_json_are_ignored(tmp_path: Path) -> None:
    (tmp_path / layout.LEASES).mkdir()
    (tmp_path / layout.LEASES / "junk").write_text("not json")
    assert layout.leased_builds(tmp_path) == set()
    assert (tmp_path / layout.LEASES / "junk").exists()
