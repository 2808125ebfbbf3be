"""flatdeck: terminal slides with live infrastructure demos."""

import os

__version__ = "0.1.0"

# Textual draws on a 1/TEXTUAL_FPS grid, and a frame that follows another after a quiet moment
# waits one to two grid steps (its timer's catch-up rule): at the default 60 that adds 17-33 ms
# to the frame answering a key while a demo pane keeps the screen busy. 120 halves it. Panes cap
# their own repaint rates (tui/widgets/terminal_pane.py), so this draws no more frames. Set here,
# before Textual is imported; a value the user set wins.
os.environ.setdefault("TEXTUAL_FPS", "120")
