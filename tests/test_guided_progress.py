"""The self-guided progress file: where it lives, what it holds, atomic writes (also under kill -9),
and clear errors for files it cannot use."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tui.engine.events import StepStatus
from tui.guided.progress import Progress, ProgressError, state_dir


@pytest.fixture
def deck(tmp_path: Path) -> Path:
    path = tmp_path / "talk.md"
    path.write_text("# One\n")
    return path


def test_it_lives_in_the_xdg_state_directory_keyed_by_the_deck_path(deck: Path, tmp_path: Path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    assert state_dir() == tmp_path / "state" / "flatdeck"
    progress = Progress(deck)
    assert progress.file.parent == tmp_path / "state" / "flatdeck" / "progress"
    assert progress.file.name.startswith("talk-") and progress.file.suffix == ".json"
    other = tmp_path / "elsewhere" / "talk.md"
    assert Progress(other).file != progress.file  # same name, another deck: another file
    assert Progress(tmp_path / "." / "talk.md").file == progress.file  # the resolved path decides
    monkeypatch.delenv("XDG_STATE_HOME")
    assert state_dir() == Path.home() / ".local" / "state" / "flatdeck"


def test_saved_progress_reads_back(deck: Path, tmp_path: Path):
    progress = Progress(deck, tmp_path / "p")
    progress.set_slide(2)
    progress.record("demo", "write", StepStatus.PASSED, False, "ignored for a run step", "")
    progress.record("demo", "check", StepStatus.FAILED, True, "exit 1, expected exit 0", "x" * 5000 + "FAIL: no")
    progress.record("demo", "busy", StepStatus.RUNNING, False)  # not finished: not kept
    again = Progress(deck, tmp_path / "p")
    assert again.load()
    assert again.slide == 3
    assert again.demos["demo"].steps == {"write": "passed", "check": "failed"}
    check = again.demos["demo"].checks["check"]
    assert check.message == "exit 1, expected exit 0" and check.output.endswith("FAIL: no")
    assert len(check.output) == 2000  # the end of a long output: where the verdict is
    assert "write" not in again.demos["demo"].checks
    assert not Progress(deck, tmp_path / "other").load()  # nothing saved there
    assert [p.name for p in (tmp_path / "p").iterdir()] == [progress.file.name]  # no temporary file left


def test_an_unchanged_record_does_not_rewrite_the_file(deck: Path, tmp_path: Path):
    progress = Progress(deck, tmp_path)
    progress.set_slide(0)
    progress.record("demo", "check", StepStatus.PASSED, True, "", "ok\n")
    inode = progress.file.stat().st_ino  # every save is a new file renamed into place
    progress.record("demo", "check", StepStatus.PASSED, True, "", "ok\n")
    progress.set_slide(0)
    assert progress.file.stat().st_ino == inode
    progress.record("demo", "check", StepStatus.FAILED, True, "", "no\n")
    assert progress.file.stat().st_ino != inode


def test_kill_9_while_saving_leaves_a_readable_file(deck: Path, tmp_path: Path):
    """A writer saving as fast as it can is killed at some point of a write, five times over:
    the file on disk is always a whole one (the old or the new), never half of one."""
    writer = (
        "import sys\nfrom pathlib import Path\nfrom tui.engine.events import StepStatus\n"
        "from tui.guided.progress import Progress\n"
        f"p = Progress(Path({str(deck)!r}), Path({str(tmp_path / 'p')!r}))\n"
        "n = 0\n"
        "while True:\n"
        "    n += 1\n"
        "    p.record('demo', f'step-{n % 50}', StepStatus.PASSED if n % 2 else StepStatus.FAILED, True, 'm', 'o' * 1500)\n"
        "    if n == 20: print('saving', flush=True)\n"
    )
    for _ in range(5):
        proc = subprocess.Popen([sys.executable, "-c", writer], stdout=subprocess.PIPE, text=True)
        assert proc.stdout is not None and proc.stdout.readline() == "saving\n"
        time.sleep(0.05)  # let it get somewhere; where it is when killed is left to chance
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        progress = Progress(deck, tmp_path / "p")
        assert progress.load()
        assert progress.demos["demo"].steps
    leftovers = [p.name for p in (tmp_path / "p").iterdir() if p.name != progress.file.name]
    assert all(name.startswith(f".{progress.file.name}-") for name in leftovers)  # a killed write's temp file, at most


@pytest.mark.parametrize("content, expected", [
    (b'{"format": 1,\n "slide": }', ":2:11: Expecting value; expected JSON"),
    (b"\x00\xff", "invalid UTF-8; expected JSON text"),
    (b"42", "expected a JSON object, found int"),
    (b'{"format": 7}', "format 7; expected 1"),
    (b'{"format": 1, "deck": "/some/other/deck"}', "is the progress of '/some/other/deck'"),
])
def test_a_file_it_cannot_use_is_a_located_error(deck: Path, tmp_path: Path, content: bytes, expected: str):
    progress = Progress(deck, tmp_path)
    tmp_path.mkdir(exist_ok=True)
    progress.file.write_bytes(content)
    with pytest.raises(ProgressError) as caught:
        progress.load()
    assert str(caught.value).startswith(str(progress.file))
    assert expected in str(caught.value)


@pytest.mark.parametrize("field, value, expected", [
    ("slide", 0, "slide 0; expected a slide number from 1"),
    ("slide", True, "slide True"),
    ("demos", [], "demos: expected an object"),
    ("demos", {"d": {"steps": {"a": "running"}}}, "demos.d.steps: expected step id → one of"),
    ("demos", {"d": {"steps": {}, "extra": 1}}, "demos.d: expected an object with 'steps' and 'checks'"),
    ("demos", {"d": {"checks": {"c": {"status": "passed", "output": 3}}}}, "demos.d.checks.c: expected"),
])
def test_a_file_of_the_wrong_shape_is_an_error(deck: Path, tmp_path: Path, field: str, value, expected: str):
    progress = Progress(deck, tmp_path)
    data = {"format": 1, "deck": str(deck.resolve()), "slide": 1, "demos": {}, field: value}
    progress.file.write_text(json.dumps(data))
    with pytest.raises(ProgressError) as caught:
        progress.load()
    assert expected in str(caught.value)


def test_forget_removes_the_file(deck: Path, tmp_path: Path):
    progress = Progress(deck, tmp_path)
    assert not progress.forget()
    progress.set_slide(1)
    assert progress.forget() and not progress.file.exists()
    assert progress.slide is None and progress.demos == {}
