"""End to end: the installed `flatdeck present --guided` in tmux, twice (progress resumed), and
with a corrupt progress file (a message on screen, a fresh start)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from conftest import FIXTURES
from test_e2e_tmux import FLATDECK, tmux  # noqa: F401 - tmux is the fixture
from test_guided import _lab
from tmux import Tmux
from tui.guided.progress import Progress

pytestmark = pytest.mark.e2e
DECK = FIXTURES / "guided-deck.md"


def _env() -> dict[str, str]:
    return {name: os.environ[name] for name in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME")} | \
        {"TERM": "xterm-256color"}


def test_guided_progress_is_resumed_by_the_next_run(tmux, tmp_path: Path):
    command = f"{FLATDECK} present {DECK} --guided --lab {_lab(tmp_path)} --typing-speed 0"
    tmux.start(f"{command} --slide 3", _env())
    tmux.wait_for("GUIDED")
    tmux.wait_for("demo:~$")
    tmux.keys("Enter")  # setup and the narration
    tmux.wait_for("» Two files, two checks")  # the narration: the setup is done
    tmux.keys("Enter")  # write greeting.txt
    tmux.wait_for("✓ Write the greeting")
    tmux.keys("Enter")  # its check
    tmux.wait_for("check passed: greeting.txt says hello")
    tmux.keys("q")
    tmux.wait_for("[exited] 0")
    tmux.close()

    again = Tmux(120, 40)
    try:
        again.start(command, _env())
        again.wait_for("Welcome back")  # the toast
        screen = again.wait_for("Resumed:")  # the demo's own notice
        assert "3 / 4" in screen
        again.keys("Enter")  # setup again, then the next check: flag.txt is not there
        screen = again.wait_for("check failed: flag.txt says ready")
        assert "FAIL: lab/flag.txt does not say ready yet" in screen
        again.keys("q")
        again.wait_for("[exited] 0")
    finally:
        again.close()
    saved = json.loads(Progress(DECK).file.read_text())
    assert saved["slide"] == 3 and saved["demos"]["guided-lab"]["steps"]["flag-ready"] == "failed"


def test_a_corrupt_progress_file_is_reported_on_screen_and_replaced(tmux, tmp_path: Path):
    progress = Progress(DECK)
    progress.file.parent.mkdir(parents=True, exist_ok=True)
    progress.file.write_text('{"format": 1, "slide": 3,')
    tmux.start(f"{FLATDECK} present {DECK} --guided --lab {_lab(tmp_path)}", _env())
    screen = tmux.wait_for("could not be used")
    assert "Starting from the beginning" in screen.replace("\n", " ") and "1 / 4" in screen
    assert "Traceback" not in screen
    tmux.keys("Right")
    tmux.wait_for("2 / 4")
    tmux.keys("q")
    tmux.wait_for("[exited] 0")
    assert json.loads(progress.file.read_text())["slide"] == 2
