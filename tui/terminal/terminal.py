"""The display model a terminal-pane widget draws from: line mode, or screen mode while a
full-screen program has the alternate screen.

Only the switch is looked for at ingest, behind one substring test, so line mode keeps its speed.
"""

from __future__ import annotations

import codecs
import re
from typing import Literal

from rich.segment import Segment
from rich.style import Style
from rich.text import Text

from .escapes import split_incomplete
from .lines import LineBuffer
from .screen import ScreenBuffer

# Private modes; the alternate screen is 1049 (xterm), 1047 or 47 (older).
_PRIVATE_MODE = re.compile(r"\x1b\[\?([0-9;]*)([hl])")
_ALT_SCREEN = {"1049", "1047", "47"}
_CURSOR = Style(reverse=True)


def _reverse_cell(row: list[Segment], x: int) -> list[Segment]:
    """`row` with cell x in reverse video (the cursor), padded with blanks to reach it."""
    width = Segment.get_line_length(row)
    if width <= x:
        row = [*row, Segment(" " * (x + 1 - width))]
    before, cell, after = (list(Segment.divide(row, [x, x + 1, max(width, x + 1)])) + [[], [], []])[:3]
    cell = [Segment(s.text, s.style + _CURSOR if s.style else _CURSOR) for s in cell]
    return [*before, *cell, *after]


class TerminalModel:
    """Feed it a pane's output; ask it for rows to draw."""

    def __init__(self, width: int, height: int, max_lines: int = 10000) -> None:
        self.width, self.height = max(1, width), max(1, height)
        self.lines = LineBuffer(self.width, max_lines, height=self.height)
        self.screen: ScreenBuffer | None = None  # set while a program uses the alternate screen
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self._carry = ""
        self._version = 0
        self._cursor_visible = True

    @property
    def mode(self) -> Literal["line", "screen"]:
        return "line" if self.screen is None else "screen"

    @property
    def version(self) -> int:
        """Changes whenever what `render_row` returns may have changed."""
        return self._version

    def feed(self, data: str | bytes) -> None:
        """Take output: text, or raw bytes (decoded here; a character may span two feeds)."""
        text = self._decoder.decode(data) if isinstance(data, (bytes, bytearray)) else data
        text, self._carry = split_incomplete(self._carry + text)
        if not text:
            return
        self._version += 1
        if "\x1b[?" in text:  # cheap test first: the regex runs only when a private mode is set
            pos = 0
            for match in _PRIVATE_MODE.finditer(text):
                modes = match.group(1).split(";")
                if "25" in modes:  # cursor shown/hidden (pyte sees it too: it stays in the text)
                    self._cursor_visible = match.group(2) == "h"
                if _ALT_SCREEN.isdisjoint(modes):
                    continue
                self._route(text[pos:match.start()])
                pos = match.end()
                self._switch(on=match.group(2) == "h")
            text = text[pos:]
        self._route(text)

    def _route(self, text: str) -> None:
        if text:
            (self.lines if self.screen is None else self.screen).feed(text)

    def _switch(self, on: bool) -> None:
        if on and self.screen is None:
            self.screen = ScreenBuffer(self.width, self.height)
        elif not on:
            self.screen = None  # the alternate screen's content is gone, as in a terminal

    def resize(self, width: int, height: int) -> None:
        self.width, self.height = max(1, width), max(1, height)
        self.lines.resize(self.width, self.height)
        if self.screen is not None:
            self.screen.resize(self.width, self.height)
        self._version += 1

    @property
    def row_count(self) -> int:
        """Rows to draw: every wrapped line in line mode, the screen height in screen mode."""
        return self.lines.visual_row_count if self.screen is None else self.screen.height

    def estimated_row_count(self) -> int:
        """`row_count`, or close to it while a flood of new lines is not counted yet."""
        return self.lines.estimated_row_count() if self.screen is None else self.screen.height

    def render_row(self, y: int, show_cursor: bool = False) -> list[Segment]:
        """Segments of row y (0 = oldest line kept, or top of the screen), at most `width` cells."""
        if self.screen is not None:
            return self.screen.render_row(y, show_cursor)
        row = self.lines.render_row(y)
        cursor = self.cursor if show_cursor else None
        if cursor is not None and cursor[1] == y:
            row = _reverse_cell(row, cursor[0])
        return row

    def render_tail_row(self, y: int, height: int, show_cursor: bool = False) -> list[Segment]:
        """Row y of a view `height` rows high that ends at the newest row (a pane following the
        output); blank below the last row while there are fewer rows than that.

        The same picture as `render_row(max(0, row_count - height) + y)`, but line mode looks only
        at the last lines: counting every wrapped row of a flood is left to who needs the total."""
        if self.screen is not None:
            row = max(0, self.screen.height - height) + y
            return self.screen.render_row(row, show_cursor) if row < self.screen.height else []
        tail = self.lines.tail(height)
        if y >= len(tail):
            return []
        i, sub = tail[y]
        row = self.lines.render_part(i, sub)
        if show_cursor and self._cursor_visible:
            ci, csub, x = self.lines.cursor_part()
            if (ci, csub) == (i, sub):
                row = _reverse_cell(row, x)
        return row

    def row_text(self, y: int) -> Text:
        return Text.assemble(*((s.text, s.style) for s in self.render_row(y)))

    @property
    def cursor(self) -> tuple[int, int] | None:
        """(x, row) of the cursor; None while the program hides it."""
        if self.screen is not None:
            return self.screen.cursor
        return self.lines.cursor if self._cursor_visible else None

    def plain(self) -> str:
        """All rows as plain text, trailing blanks trimmed (for tests and `--print`)."""
        rows = [self.row_text(y).plain.rstrip() for y in range(self.row_count)]
        while rows and not rows[-1]:
            rows.pop()
        return "\n".join(rows)
