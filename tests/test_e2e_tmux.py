"""End to end: the installed `flatdeck` in a real terminal (tmux 120×40), read back from the screen."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from conftest import FEATURE_DECK
from tmux import Tmux

pytestmark = pytest.mark.e2e
FLATDECK = Path(sys.executable).parent / "flatdeck"
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def tmux():
    term = Tmux(120, 40)
    yield term
    term.close()


def _env() -> dict[str, str]:
    return {"XDG_CONFIG_HOME": os.environ["XDG_CONFIG_HOME"], "XDG_CACHE_HOME": os.environ["XDG_CACHE_HOME"],
            "TERM": "xterm-256color"}


def test_present_single_file_deck_navigates_and_quits(tmux):
    assert FLATDECK.exists(), "the package must be installed into the venv (make test does it)"
    tmux.start(f"{FLATDECK} present {FEATURE_DECK}", _env())
    screen = tmux.wait_for("1 / 11")
    assert "The flatdeck feature tour" in screen and "Every deck feature on one deck" in screen
    tmux.keys("Right")
    screen = tmux.wait_for("2 / 11")
    assert "Headings and text" in screen and "A third-level heading" in screen
    tmux.keys("g")
    tmux.wait_for("Go to slide")
    tmux.keys("5", "Enter")
    screen = tmux.wait_for("5 / 11")
    assert "Immutable infrastructure: replace, do not repair." in screen
    tmux.keys("q")
    tmux.wait_for("[exited] 0")


def test_present_talk_deck_directory(tmux):
    tmux.start(f"{FLATDECK} present", _env(), cwd=str(REPO))
    screen = tmux.wait_for("1 / ")
    assert "Shell on Faster Wheels" in screen
    tmux.keys("Right")
    tmux.wait_for("2 / ")
    tmux.keys("q")
    tmux.wait_for("[exited] 0")


def test_present_broken_deck_exits_with_located_error(tmux, tmp_path):
    broken = tmp_path / "broken.md"
    broken.write_text("# Hi\n\n<!-- colum: 1 -->\n")
    tmux.start(f"{FLATDECK} present {broken}", _env())
    screen = tmux.wait_for("[exited] 1")
    assert f"{broken}:3:6: unknown directive 'colum'" in screen.replace("\n", "")
    assert "Traceback" not in screen


def test_python_dash_m_is_the_same_program(tmux):
    tmux.start(f"{sys.executable} -m tui check {FEATURE_DECK}", _env())
    screen = tmux.wait_for("[exited] 0")
    assert "11 slides" in screen


def test_present_live_runs_a_demo_step_in_a_real_shell(tmux):
    tmux.start(f"{FLATDECK} present {FEATURE_DECK} --slide 8 --live --typing-speed 0", _env(), cwd=str(REPO))
    tmux.wait_for("LIVE")
    tmux.wait_for("demo:")  # the pane's shell is up: its prompt shows
    tmux.keys("Enter", "Enter")  # the narration, then the first command
    screen = tmux.wait_for("hello from the main pane")
    assert "✓" in screen
    tmux.keys("q")
    tmux.wait_for("[exited] 0")


def test_present_without_live_runs_nothing(tmux):
    tmux.start(f"{FLATDECK} present {FEATURE_DECK} --slide 8", _env(), cwd=str(REPO))
    tmux.wait_for("REPLAY")
    tmux.keys("Enter", "Enter")
    screen = tmux.wait_for("not recorded yet")
    assert "hello from the main pane\n" not in screen.replace("/hello from the main pane/", "")
    tmux.keys("q")
    tmux.wait_for("[exited] 0")
