"""Screen mode: full-screen programs (htop, watch, less, vim) on a pyte screen.

pyte.Screen, not HistoryScreen (3× slower): the alternate screen has no scrollback anyway.
Rows are rendered from pyte's cells and cached until pyte marks them dirty.
"""

from __future__ import annotations

import re

import pyte
from pyte import modes as mo
from rich.color import Color
from rich.segment import Segment
from rich.style import Style
from rich.text import Text

from .sgr import ANSI_NAMES

# CSI > 4 ; 2 m (xterm modifyOtherKeys, sent by vim): pyte skips the ">" and would underline.
_PRIVATE_SGR = re.compile(r"\x1b\[[<=>][0-9;]*m")


class _Screen(pyte.Screen):
    def __init__(self, columns: int, lines: int) -> None:
        super().__init__(columns, lines)
        self._cells: dict[pyte.screens.Char, dict[str, pyte.screens.Char]] = {}  # attrs → char → cell

    def draw(self, data: str) -> None:
        """pyte's `draw`, with a fast path for the common case: printable ASCII (one cell each)
        in replace mode. Same cells, same cursor, same dirty rows; pyte builds a new cell per
        character (a namedtuple `_replace`), which made it most of a full-screen redraw's cost."""
        text = data.translate(self.g1_charset if self.charset else self.g0_charset)
        if not (text.isascii() and text.isprintable()) or mo.IRM in self.mode:
            super().draw(data)
            return
        cursor, columns, dirty = self.cursor, self.columns, self.dirty
        attrs = cursor.attrs
        cells = self._cells.get(attrs)
        if cells is None:
            if len(self._cells) > 1024:  # a true-colour gradient must not grow it forever
                self._cells.clear()
            cells = self._cells[attrs] = {}
        wrap = mo.DECAWM in self.mode
        x, line = cursor.x, self.buffer[cursor.y]
        for char in text:
            if x == columns:  # past the last column: wrap, or overwrite the last cell
                if wrap:
                    dirty.add(cursor.y)
                    cursor.x = x
                    self.carriage_return()
                    self.linefeed()
                    x, line = cursor.x, self.buffer[cursor.y]
                else:
                    x -= 1
            cell = cells.get(char)
            if cell is None:
                cell = cells[char] = attrs._replace(data=char)
            line[x] = cell
            x += 1
        cursor.x = x
        dirty.add(cursor.y)

    def select_graphic_rendition(self, *attrs: int, private: bool = False) -> None:
        if private:  # CSI ? ... m is not SGR (pyte would raise on the keyword)
            return
        # 38;5;N with N < 16 is palette colour N, the same as 30+N / 90+N-8: keep it a named
        # colour (themed like the rest) instead of pyte's fixed hex for it.
        out: list[int] = []
        i = 0
        while i < len(attrs):
            a = attrs[i]
            if a in (38, 48) and i + 2 < len(attrs) and attrs[i + 1] == 5 and attrs[i + 2] < 16:
                n = attrs[i + 2]
                out.append((30 if a == 38 else 40) + n if n < 8 else (90 if a == 38 else 100) + n - 8)
                i += 3
                continue
            if a in (38, 48) and i + 1 < len(attrs):  # keep extended colours whole
                take = 5 if attrs[i + 1] == 2 else 3
                out.extend(attrs[i:i + take])
                i += take
                continue
            out.append(a)
            i += 1
        super().select_graphic_rendition(*out)


_colors: dict[str, Color | None] = {"default": None}


def pyte_color(name: str) -> Color | None:
    """A rich Color for a pyte colour: ANSI names ("brown" is yellow), "brightX", or hex "ff8700"."""
    try:
        return _colors[name]
    except KeyError:
        pass
    bright = name.startswith(("bright", "bfight"))  # pyte spells the bright magenta background so
    base = name[6:] if bright else name
    base = "yellow" if base == "brown" else base
    if base in ANSI_NAMES:
        color: Color | None = Color.parse(f"bright_{base}" if bright else base)
    elif re.fullmatch(r"[0-9a-fA-F]{6}", name):
        color = Color.parse(f"#{name}")
    else:
        color = None  # unknown: draw in the default colour rather than fail
    if len(_colors) > 4096:
        _colors.clear()
        _colors["default"] = None
    _colors[name] = color
    return color


_styles: dict[tuple, Style | None] = {}


def _style(attrs: tuple) -> Style | None:
    """Style of a pyte Char's attributes (fg, bg, bold, italics, underscore, strike, reverse, blink)."""
    style = _styles.get(attrs, False)
    if style is False:
        fg, bg, bold, italics, underscore, strike, reverse, blink = attrs
        style = Style(
            color=pyte_color(fg), bgcolor=pyte_color(bg), bold=bold or None, italic=italics or None,
            underline=underscore or None, strike=strike or None, reverse=reverse or None,
            blink=blink or None,
        )
        style = None if not style else style
        if len(_styles) > 4096:  # a true-colour gradient must not grow it forever
            _styles.clear()
        _styles[attrs] = style
    return style  # type: ignore[return-value]


class ScreenBuffer:
    """A fixed width×height character screen driven by pyte."""

    def __init__(self, width: int, height: int) -> None:
        self._screen = _Screen(max(1, width), max(1, height))
        self._stream = pyte.Stream(self._screen)
        self._rows: dict[int, list[Segment]] = {}
        self.version = 0
        self.errors = 0  # sequences pyte failed on (the rest of that chunk is lost)

    @property
    def width(self) -> int:
        return self._screen.columns

    @property
    def height(self) -> int:
        return self._screen.lines

    def feed(self, text: str) -> None:
        if "\x1b[" in text and _PRIVATE_SGR.search(text):
            text = _PRIVATE_SGR.sub("", text)
        try:
            self._stream.feed(text)
        except Exception:  # a program's odd output must not take the pane down
            self.errors += 1
        for y in self._screen.dirty:
            self._rows.pop(y, None)
        self._screen.dirty.clear()
        self.version += 1

    def resize(self, width: int, height: int) -> None:
        self._screen.resize(lines=max(1, height), columns=max(1, width))
        self._screen.dirty.clear()
        self._rows.clear()
        self.version += 1

    @property
    def cursor(self) -> tuple[int, int] | None:
        """(x, y) of the cursor, or None while the program hides it."""
        c = self._screen.cursor
        return None if c.hidden else (min(c.x, self.width - 1), c.y)

    def render_row(self, y: int, show_cursor: bool = False) -> list[Segment]:
        """Segments of screen row y, `width` cells; the cursor cell reversed if asked."""
        cursor = self.cursor if show_cursor else None
        if cursor is not None and cursor[1] == y:
            return self._build(y, cursor[0])  # not cached: the cursor moves more than text does
        row = self._rows.get(y)
        if row is None:
            row = self._rows[y] = self._build(y)
        return row

    def row_text(self, y: int) -> Text:
        return Text.assemble(*((s.text, s.style) for s in self.render_row(y)))

    def _build(self, y: int, cursor_x: int = -1) -> list[Segment]:
        line = self._screen.buffer[y]
        segments: list[Segment] = []
        buf: list[str] = []
        current = None
        for x in range(self._screen.columns):
            char = line[x]
            attrs = char[1:]
            if x == cursor_x:  # the cursor: the cell with reverse video toggled
                attrs = (*attrs[:6], not attrs[6], attrs[7])
            if attrs != current:
                if buf:
                    segments.append(Segment("".join(buf), _style(current)))  # type: ignore[arg-type]
                    buf = []
                current = attrs
            buf.append(char.data)  # "" after a wide character: it covers two cells
        if buf:
            segments.append(Segment("".join(buf), _style(current)))  # type: ignore[arg-type]
        return segments
