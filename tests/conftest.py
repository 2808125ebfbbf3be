"""Shared test set-up: no source of variation reaches a snapshot (theme, colour, clock, animation)."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

for _name in ("TEXTUAL_THEME", "NO_COLOR", "TEXTUAL_ANIMATIONS", "TEXTUAL_FPS", "FORCE_COLOR", "TEXTUAL"):
    os.environ.pop(_name, None)
os.environ["TEXTUAL_ANIMATIONS"] = "none"

# started as a background job, pytest has SIGINT ignored, and every child would inherit that:
# the tests that press Ctrl+C (in a shell, at `lab serve`) need it to mean what it means
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

FIXTURES = Path(__file__).parent / "fixtures"
FEATURE_DECK = FIXTURES / "feature-deck.md"


def frozen_clock() -> float:
    """The footer clock always reads 00:00 in tests."""
    return 1000.0


@pytest.fixture(autouse=True)
def _isolated_config(tmp_path_factory, monkeypatch):
    """Never read the developer's own keymap or state."""
    home = tmp_path_factory.mktemp("xdg")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / "state"))
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(home / "run"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))


def make_app(deck_path: Path = FEATURE_DECK, start: int = 0, **kwargs):
    from tui.app import FlatdeckApp
    from tui.deck.parse import load_deck

    kwargs.setdefault("watch", False)
    return FlatdeckApp(load_deck(deck_path), start, clock=frozen_clock, **kwargs)


async def until(pilot, condition, timeout: float = 10.0) -> None:
    """Let the app run until `condition()` holds (engine work happens in tasks, not instantly)."""
    for _ in range(int(timeout / 0.05)):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError("condition not met in time")


@pytest.fixture(scope="session")
def fixture_demo_recordings(tmp_path_factory) -> Path:
    """A real recording of tests/scenarios/fixture-demo.yaml, made by `flatdeck record` in /tmp so
    prompts are stable."""
    import subprocess
    import sys

    root = tmp_path_factory.mktemp("recordings")
    lab = root / "lab.yaml"
    lab.write_text("targets:\n  local: {kind: local, cwd: /tmp}\n")
    scenario = Path(__file__).parent / "scenarios" / "fixture-demo.yaml"
    result = subprocess.run([sys.executable, "-m", "tui", "record", str(scenario), "--recordings", str(root),
                             "--lab", str(lab), "--typing-speed", "0"],
                            cwd=Path(__file__).parent.parent, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    return root
