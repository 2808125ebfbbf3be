"""A second start floor for run.py: the least any Textual app does before a slide is on screen.

The first slide's text (the file named on the command line) in one Static, nothing else: the
import of Textual, its driver, one screen and one frame. flatdeck's start minus this is what
flatdeck itself adds; the plain-shell floor below both is what tmux and the polling cost.
"""

from __future__ import annotations

import sys
from pathlib import Path

from textual.app import App, ComposeResult
from textual.widgets import Static


class TextualFloor(App[None]):
    def compose(self) -> ComposeResult:
        yield Static(Path(sys.argv[1]).read_text(encoding="utf-8"), markup=False)


if __name__ == "__main__":
    TextualFloor().run()
