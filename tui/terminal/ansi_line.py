"""Interpret one raw terminal line (text plus escape sequences) the way a terminal would draw it.

The line model stores raw strings and only interprets the lines that are drawn, so this is the
hot path of a terminal pane. Three tiers, cheapest first:
  1. printable text, no escapes at all: one run, no parsing;
  2. text with SGR (colour) sequences only, the usual coloured log line: one regex split;
  3. anything else (\r, \b, \t, erase, cursor moves): a cell array, like a terminal's line.

SGR state (colours, attributes) lives in `sgr`; it carries from line to line, so every function
here takes the state a line starts in.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from rich.cells import cell_len, get_character_cell_size
from rich.segment import Segment
from rich.text import Span, Text

from .escapes import SGR, STRINGS
from .sgr import DEFAULT, State, apply_sgr, sgr_sequence, style_for

# Every escape the cell interpreter looks at: CSI (params, final), other ESC sequences, controls.
_TOKEN = re.compile(r"\x1b\[([0-?]*)[ -/]*([@-~])|\x1b[ -/]*[0-~]?|[\x00-\x1f\x7f-\x9f]")


class Interpreted(NamedTuple):
    runs: list[tuple[str, State]]  # text runs with their SGR state, left to right
    cells: int  # display width of the line
    column: int  # where the cursor is left (a later write continues there)
    end: State  # SGR state after the line


def interpret(raw: str, state: State = DEFAULT, width: int | None = None) -> Interpreted:
    """Interpret one raw line starting in SGR `state`; with the pane's `width`, a carriage return
    goes to the start of the wrapped row the cursor is on, as in a terminal (readline relies on
    it when a typed command wraps), not to the start of the whole line."""
    if raw.isprintable():  # tier 1: plain text
        cells = len(raw) if raw.isascii() else cell_len(raw)
        return Interpreted([(raw, state)] if raw else [], cells, cells, state)
    text = raw
    if "\x1b" in text:  # tier 2: colours only (after dropping OSC/DCS strings)
        text = STRINGS.sub("", text)
        pieces = SGR.split(text)
        plain = "".join(pieces[0::2])
        if plain.isprintable():
            runs = []
            last = len(pieces) - 1
            for k in range(0, len(pieces), 2):
                if pieces[k]:
                    runs.append((pieces[k], state))
                if k < last:
                    state = apply_sgr(state, pieces[k + 1])
            cells = len(plain) if plain.isascii() else cell_len(plain)
            return Interpreted(runs, cells, cells, state)
    return _interpret_cells(text, state, width)


class _Cells:
    """One terminal line as cells: a wide character is its text then a "" continuation cell."""

    __slots__ = ("chars", "states", "col")

    def __init__(self) -> None:
        self.chars: list[str] = []
        self.states: list[State] = []
        self.col = 0

    def _pad(self) -> None:
        gap = self.col - len(self.chars)
        if gap > 0:
            self.chars.extend(" " * gap)
            self.states.extend([DEFAULT] * gap)

    def _unsplit(self, i: int) -> None:
        """Before cells from `i` on (or up to `i`) change: never leave half of a wide character."""
        chars = self.chars
        if 0 < i < len(chars) and chars[i] == "":
            chars[i - 1] = chars[i] = " "

    def put(self, text: str, state: State) -> None:
        self._pad()
        chars, col = self.chars, self.col
        if text.isascii():
            k = len(text)
            if col == len(chars):
                chars.extend(text)
                self.states.extend([state] * k)
            else:
                self._unsplit(col)
                self._unsplit(col + k)
                chars[col:col + k] = text
                self.states[col:col + k] = [state] * k
            self.col = col + k
            return
        for ch in text:
            width = get_character_cell_size(ch)
            col = self.col
            if width == 0:  # combining mark, joiner: belongs to the previous cell
                j = col - 1
                if 0 < j < len(chars) and chars[j] == "":
                    j -= 1
                if 0 <= j < len(chars):
                    chars[j] += ch
                continue
            self._pad()
            self._unsplit(col)
            self._unsplit(col + width)
            chars[col:col + width] = [ch] if width == 1 else [ch, ""]
            self.states[col:col + width] = [state] * width
            self.col = col + width

    def erase(self, mode: int) -> None:  # EL: 0 to end, 1 from start, 2 whole line
        chars, col = self.chars, self.col
        if mode == 0:
            self._unsplit(col)
            del chars[col:], self.states[col:]
        elif mode == 1:
            k = min(col + 1, len(chars))
            self._unsplit(k)
            chars[:k] = " " * k
            self.states[:k] = [DEFAULT] * k
        elif mode == 2:
            chars.clear()
            self.states.clear()

    def blank(self, n: int) -> None:  # ECH: blank n cells from the cursor
        end = min(self.col + n, len(self.chars))
        if end > self.col:
            self._unsplit(self.col)
            self._unsplit(end)
            self.chars[self.col:end] = " " * (end - self.col)
            self.states[self.col:end] = [DEFAULT] * (end - self.col)

    def delete(self, n: int) -> None:  # DCH: cells right of the cursor move left
        self._unsplit(self.col)
        self._unsplit(min(self.col + n, len(self.chars)))
        del self.chars[self.col:self.col + n], self.states[self.col:self.col + n]

    def insert(self, n: int) -> None:  # ICH: blanks open at the cursor
        if self.col < len(self.chars):
            self._unsplit(self.col)
            self.chars[self.col:self.col] = " " * n
            self.states[self.col:self.col] = [DEFAULT] * n

    def runs(self) -> list[tuple[str, State]]:
        runs: list[tuple[str, State]] = []
        buf: list[str] = []
        current: object = None
        for ch, st in zip(self.chars, self.states):
            if st is not current and st != current:
                if buf:
                    runs.append(("".join(buf), current))  # type: ignore[arg-type]
                    buf = []
                current = st
            buf.append(ch)
        if buf:
            runs.append(("".join(buf), current))  # type: ignore[arg-type]
        return runs


def _count(params: str) -> int:
    """First CSI parameter as a count: missing or 0 means 1."""
    head = params.split(";", 1)[0]
    return int(head) if head.isdigit() and int(head) > 0 else 1


def _interpret_cells(text: str, state: State, width: int | None = None) -> Interpreted:
    line = _Cells()
    pos = 0
    for match in _TOKEN.finditer(text):
        start = match.start()
        if start > pos:
            line.put(text[pos:start], state)
        pos = match.end()
        token = match.group()
        if token == "\r":
            # at exactly the end of a row the cursor is still on that row (xterm's pending wrap)
            line.col = ((line.col - 1) // width) * width if width and line.col > 0 else 0
        elif token == "\b":
            line.col = max(0, line.col - 1)
        elif token == "\t":
            line.col = (line.col // 8 + 1) * 8
        elif token[0] == "\x1b" and match.group(2):
            params, final = match.group(1), match.group(2)
            if params[:1] in ("<", "=", ">", "?"):
                continue  # private modes (cursor visibility, bracketed paste...): not drawn
            if final == "m":
                state = apply_sgr(state, params)
            elif final == "K":
                line.erase(int(params) if params.isdigit() else 0)
            elif final in "Ca":
                line.col += _count(params)
            elif final == "D":
                line.col = max(0, line.col - _count(params))
            elif final in "G`":
                line.col = _count(params) - 1
            elif final == "X":
                line.blank(_count(params))
            elif final == "P":
                line.delete(_count(params))
            elif final == "@":
                line.insert(_count(params))
        # every other sequence and control character draws nothing
    if pos < len(text):
        line.put(text[pos:], state)
    return Interpreted(line.runs(), len(line.chars), line.col, state)


# output ------------------------------------------------------------------------------------------
def render_line(raw: str, state: State = DEFAULT) -> Text:
    """One raw line as a rich Text (what the terminal would show on that line)."""
    spans = []
    parts = []
    pos = 0
    for text, st in interpret(raw, state).runs:
        end = pos + len(text)
        style = style_for(st)
        if style is not None:
            spans.append(Span(pos, end, style))
        parts.append(text)
        pos = end
    return Text("".join(parts), spans=spans)


def wrap(runs: list[tuple[str, State]], cells: int, width: int) -> list[list[Segment]]:
    """Split runs into rows of at most `width` cells, like a terminal's autowrap.

    A wide character that does not fit in the last cell moves to the next row.
    """
    if cells <= width:
        return [[Segment(text, style_for(st)) for text, st in runs]]
    rows: list[list[Segment]] = []
    row: list[Segment] = []
    used = 0
    for text, st in runs:
        style = style_for(st)
        if text.isascii():
            while text:
                if used == width:
                    rows.append(row)
                    row, used = [], 0
                piece, text = text[:width - used], text[width - used:]
                row.append(Segment(piece, style))
                used += len(piece)
            continue
        buf: list[str] = []
        for ch in text:
            size = get_character_cell_size(ch)
            if size and used + size > width:
                if buf:
                    row.append(Segment("".join(buf), style))
                    buf = []
                if used < width:
                    row.append(Segment(" " * (width - used), style))
                rows.append(row)
                row, used = [], 0
            buf.append(ch)
            used += size
        if buf:
            row.append(Segment("".join(buf), style))
    rows.append(row)
    return rows


def row_count(raw: str, width: int) -> int:
    """How many rows `raw` takes at `width` cells, without interpreting it when that is avoidable."""
    n = len(raw)
    if n <= width and "\t" not in raw and (raw.isascii() or 2 * n <= width):
        return 1  # escapes only make the visible text shorter than len()
    text = STRINGS.sub("", SGR.sub("", raw)) if "\x1b" in raw else raw
    if text.isascii() and text.isprintable():
        return max(1, -(-len(text) // width))
    line = interpret(raw, width=width)
    return len(wrap(line.runs, line.cells, width))


def compact(raw: str, state: State = DEFAULT) -> str:
    """An equivalent, shorter raw line: what a line rewritten many times (\\r progress) shows now."""
    line = interpret(raw, state)
    body = "".join(sgr_sequence(st) + text for text, st in line.runs)
    return f"{body}{sgr_sequence(line.end)}\x1b[{line.column + 1}G"
