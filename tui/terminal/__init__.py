"""Display model of a terminal pane (no Textual): raw output in, rows of rich Segments out.

`TerminalModel` is the facade a widget uses; `LineBuffer` (command output) and `ScreenBuffer`
(full-screen programs, pyte) are its two modes; `ansi_line` interprets one raw line.
"""

from .ansi_line import render_line
from .lines import LineBuffer
from .screen import ScreenBuffer, pyte_color
from .terminal import TerminalModel

__all__ = ["LineBuffer", "ScreenBuffer", "TerminalModel", "pyte_color", "render_line"]
