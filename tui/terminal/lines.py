"""Line mode: the display model of a pane showing command output (the fast path).

Ingest does as little as possible: split on "\\n" and append raw strings, escapes included. Only
the few sequences that move between lines are acted on here (cursor up/down, erase below, clear);
everything inside a line is left to `ansi_line`, which runs only for the rows that are drawn.

Indexes: `i` is a position in the current list of lines; `dropped + i` is a line's absolute
number, stable while older lines are dropped, and is what caches are keyed by.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import OrderedDict
from itertools import accumulate

from rich.segment import Segment
from rich.text import Text

from .ansi_line import compact, interpret, row_count, wrap
from .escapes import split_incomplete
from .sgr import DEFAULT, State, end_state, sgr_sequence

# Sequences that move between lines: CUU/CUD/CNL/CPL/ED (group 1 params, group 2 final), RIS, RI.
_MOVES = re.compile(r"\x1b\[(\d*)([ABEFJ])|\x1b([cM])")
COMPACT_AT = 4096  # a row rewritten in place (\r progress bars) is compacted past this length
_RENDER_CACHE = 1024  # rendered lines kept: a few screens' worth
_FAR_STATES = 4096


class LineBuffer:
    """Raw lines of terminal output, wrapped into visual rows at `width` cells on demand."""

    def __init__(self, width: int, max_lines: int = 10000, *, height: int | None = None) -> None:
        self.width = max(1, width)
        self.height = height  # the cursor cannot move above the top of a screen this high
        self.max_lines = max(1, max_lines)
        self.dropped = 0  # lines dropped from the top so far (cap or clear)
        self.version = 0  # changes whenever anything visible changes
        self._lines: list[str] = [""]  # the last one is the line being written
        self._versions: list[int] = [0]  # per line: `version` when it last changed
        self._cursor = 0  # line the next text goes to
        self._restore: State | None = None  # end state the cursor's row had before a rewrite
        self._carry = ""  # unfinished escape sequence (or a lone \r) from the previous feed
        self._ends: list[int] = []  # visual row after line i (cumulative, from `_base`); lazy
        self._base = 0
        self._states: list[State] = [DEFAULT]  # SGR state at the start of line i; lazy
        self._far_states: dict[int, State] = {}  # absolute line → start state, past `_states`
        self._far_last = -1  # the highest key in `_far_states`
        self._rendered: OrderedDict[tuple, tuple[list[list[Segment]], int]] = OrderedDict()
        self._compact_floor: dict[int, int] = {}  # absolute line → length after its last compaction
        self._tail_key: tuple | None = None
        self._tail: list[tuple[int, int]] = []

    # ingest --------------------------------------------------------------------------------------
    def feed(self, text: str) -> None:
        """Take decoded output; a chunk may end anywhere, even inside an escape sequence."""
        text, self._carry = split_incomplete(self._carry + text)
        if text.endswith("\r"):  # keep \r\n together: the \n may be in the next chunk
            text, self._carry = text[:-1], "\r" + self._carry
        if not text:
            return
        if "\r\n" in text:
            text = text.replace("\r\n", "\n")  # a PTY's newline; "\n" already means a new line here
        pos = 0
        for match in _MOVES.finditer(text):
            self._write(text[pos:match.start()])
            pos = match.end()
            self._move(match)
        self._write(text[pos:])
        self._cap()

    def _write(self, text: str) -> None:
        if not text:
            return
        lines = self._lines
        parts = text.split("\n")
        if self._cursor == len(lines) - 1:  # the usual case: appending at the bottom
            if parts[0]:
                self._append_to(self._cursor, parts[0])
            if len(parts) > 1:
                lines.extend(parts[1:])
                self._versions.extend([self._bump()] * (len(parts) - 1))
                self._cursor = len(lines) - 1
                if len(lines[-1]) > COMPACT_AT:
                    self._maybe_compact(len(lines) - 1)
            return
        # the cursor was moved up: rewrite rows in place, returning to column 0 at each newline
        if parts[0]:
            self._append_to(self._cursor, parts[0])
        for part in parts[1:]:
            if self._cursor + 1 == len(lines):
                lines.append(part)
                self._versions.append(self._bump())
                self._cursor += 1
            else:
                self._goto(self._cursor + 1, column0=True)
                if part:
                    self._append_to(self._cursor, part)

    def _append_to(self, i: int, text: str) -> None:
        self._lines[i] += text
        self._touch(i)
        if len(self._lines[i]) > COMPACT_AT:
            self._maybe_compact(i)

    def _bump(self) -> int:
        """A new version for a change; never reused, so (line, version) names one content."""
        self.version += 1
        return self.version

    def _touch(self, i: int) -> None:
        """Line i changed: its rows and the SGR state of the lines after it must be recomputed."""
        self._versions[i] = self._bump()
        del self._ends[i:], self._states[i + 1:]
        line = self.dropped + i
        if self._far_states and self._far_last > line:  # a line above the newest was rewritten
            self._far_states = {k: v for k, v in self._far_states.items() if k <= line}
            self._far_last = max(self._far_states, default=-1)

    def _maybe_compact(self, i: int) -> None:
        key = self.dropped + i
        if len(self._lines[i]) > 2 * self._compact_floor.get(key, COMPACT_AT // 2):
            self._lines[i] = compact(self._lines[i], self.start_state(i))
            self._compact_floor[key] = len(self._lines[i])
            self._touch(i)

    def _move(self, match: re.Match) -> None:
        params, final, short = match.groups()
        last = len(self._lines) - 1
        n = int(params) if params else 1
        n = n or 1
        if final in ("A", "F") or short == "M":  # cursor up (F and CPL also go to column 0)
            top = max(0, last - self.height + 1) if self.height else 0
            self._goto(max(top, self._cursor - n), column0=final == "F")
        elif final in ("B", "E"):
            self._goto(min(last, self._cursor + n), column0=final == "E")
        elif final == "J":
            if params in ("2", "3"):
                self.clear()
            elif params in ("", "0"):  # erase below: the rest of this row, and the rows under it
                del self._lines[self._cursor + 1:], self._versions[self._cursor + 1:]
                self._restore = None  # nothing under the cursor now
                self._append_to(self._cursor, "\x1b[K")
        elif short == "c":
            self.clear(reset=True)

    def _goto(self, row: int, column0: bool) -> None:
        """Move the cursor to another line, keeping its column and colours (as a terminal does).

        Colours follow the cursor in time, but a rewritten row must not recolour the rows under
        it: the row left gets its old end state back, the row entered gets the cursor's state.
        """
        if row == self._cursor:
            if column0:
                self._append_to(row, "\r")
            return
        here = self._cursor
        pen = self._end_state(here)
        column = 0 if column0 else self._column(here)
        if self._restore is not None and pen != self._restore:
            self._append_to(here, sgr_sequence(self._restore))
        self._cursor = row
        last = row == len(self._lines) - 1
        self._restore = None if last else self._end_state(row)  # the start of the row below
        prefix = "" if pen == self._end_state(row) else sgr_sequence(pen)
        self._append_to(row, prefix + (f"\x1b[{column + 1}G" if column else "\r"))

    def _end_state(self, i: int) -> State:
        return end_state(self._lines[i], self.start_state(i))

    def clear(self, reset: bool = False) -> None:
        """Start fresh (`clear`; `reset` also resets colours): everything so far counts as dropped."""
        pen = DEFAULT if reset else self._end_state(self._cursor)
        fresh = "" if pen == DEFAULT else sgr_sequence(pen)  # colours survive `clear`
        if self._lines == [fresh]:
            return  # already empty (`clear` sends ESC[2J and ESC[3J)
        self.dropped += len(self._lines)
        self._lines, self._versions = [fresh], [self._bump()]
        self._cursor = 0
        self._restore = None
        self._ends, self._base = [], 0
        self._states = [DEFAULT]
        self._far_states.clear()
        self._far_last = -1
        self._compact_floor.clear()

    def _cap(self) -> None:
        k = len(self._lines) - self.max_lines
        if k <= 0:
            return
        first = self.start_state(k)  # the state carried into the first line that stays
        del self._lines[:k], self._versions[:k], self._states[:k]
        if self._states:
            self._states[0] = first
        else:
            self._states.append(first)
        if len(self._ends) >= k:
            self._base = self._ends[k - 1]
            del self._ends[:k]
        else:
            self._ends, self._base = [], 0
        self.dropped += k
        self._cursor = max(0, self._cursor - k)
        if self._compact_floor:
            self._compact_floor = {a: n for a, n in self._compact_floor.items() if a >= self.dropped}

    # geometry ------------------------------------------------------------------------------------
    def resize(self, width: int, height: int | None = None) -> None:
        if height is not None:
            self.height = height
        if max(1, width) != self.width:
            self.width = max(1, width)
            self._ends, self._base = [], 0
            self._bump()

    @property
    def line_count(self) -> int:
        return len(self._lines)

    def line(self, i: int) -> str:
        """The raw text of line i (escapes included)."""
        return self._lines[i]

    def line_version(self, i: int) -> int:
        """Changes when line i changes: a renderer may cache line i under (dropped + i, this)."""
        return self._versions[i]

    def _sync_rows(self) -> list[int]:
        ends, lines, width = self._ends, self._lines, self.width
        if len(ends) < len(lines):
            counts = [_rows(s, width) for s in lines[len(ends):]]
            running = accumulate(counts, initial=ends[-1] if ends else self._base)
            next(running)
            ends.extend(running)
        return ends

    def tail(self, n: int) -> list[tuple[int, int]]:
        """(line index, row within that line) of the newest `n` rows, oldest first.

        What a pane that follows the output draws: it looks only at the last lines, so a flood
        of output is never wrapped and counted row by row just to show its bottom."""
        key = (self.version, self.dropped, self.width, n)
        if self._tail_key == key:
            return self._tail
        picked: list[tuple[int, int]] = []
        lines, width = self._lines, self.width
        i = len(lines) - 1
        while i >= 0 and len(picked) < n:
            picked.extend((i, sub) for sub in range(_rows(lines[i], width) - 1, -1, -1))
            i -= 1
        picked = picked[:n]
        picked.reverse()
        self._tail_key, self._tail = key, picked
        return picked

    def render_part(self, i: int, sub: int) -> list[Segment]:
        """Segments of row `sub` of line i."""
        rows = self._render(i)[0]
        return rows[sub] if sub < len(rows) else []

    def cursor_part(self) -> tuple[int, int, int]:
        """(line index, row within that line, x) of the cursor."""
        column = self._column(self._cursor)
        sub = min(column // self.width, _rows(self._lines[self._cursor], self.width) - 1)
        return self._cursor, sub, min(column - sub * self.width, self.width - 1)

    def estimated_row_count(self, exact_below: int = 2000) -> int:
        """`visual_row_count`, counting at most `exact_below` new lines; past that the new lines
        are assumed to wrap like the counted ones. For a scrollbar while output floods in: the
        rows of lines dropped by the cap before anyone scrolls to them are never counted."""
        new = len(self._lines) - len(self._ends)
        if new <= exact_below:
            return self.visual_row_count
        if not self._ends:
            return new  # nothing counted yet: a row per line
        counted = self._ends[-1] - self._base
        return counted + round(new * counted / len(self._ends))

    @property
    def visual_row_count(self) -> int:
        """Rows at the current width (each line wraps into one or more rows)."""
        return self._sync_rows()[-1] - self._base

    def locate(self, row: int) -> tuple[int, int]:
        """(line index, row within that line) of visual row `row`."""
        ends = self._sync_rows()
        target = self._base + row
        i = bisect_right(ends, target)
        if row < 0 or i >= len(ends):
            raise IndexError(f"row {row} outside 0..{ends[-1] - self._base - 1}")
        return i, target - (ends[i - 1] if i else self._base)

    def row_of_line(self, i: int) -> int:
        """First visual row of line i."""
        ends = self._sync_rows()
        return (ends[i - 1] if i else self._base) - self._base

    # rendering -----------------------------------------------------------------------------------
    def start_state(self, i: int) -> State:
        """SGR state in effect where line i starts (colours carry over newlines, as in a terminal).

        `_states` holds it for every line up to some point. Past that, the walk starts from the
        nearest line before i whose last escape is a reset (where most coloured lines end), so
        the bottom of a flood is drawn without going through every line above it."""
        states, lines = self._states, self._lines
        if i < len(states):
            return states[i]
        key = self.dropped + i
        far = self._far_states.get(key)
        if far is not None:
            return far
        j = i - 1
        while j >= len(states) and not _ends_reset(lines[j]):
            j -= 1
        if j < len(states):  # no such line: fill in every state up to i
            while len(states) <= i:
                k = len(states) - 1
                states.append(end_state(lines[k], states[k]))
            return states[i]
        state = DEFAULT
        for k in range(j + 1, i):
            state = end_state(lines[k], state)
        if len(self._far_states) >= _FAR_STATES:
            self._far_states.clear()
            self._far_last = -1
        self._far_states[key] = state
        self._far_last = max(self._far_last, key)
        return state

    def _render(self, i: int) -> tuple[list[list[Segment]], int]:
        """Rows of line i and the column its cursor ends at; cached by value."""
        key = (self.dropped + i, self._versions[i], self.width, self.start_state(i))
        cache = self._rendered
        hit = cache.get(key)
        if hit is not None:
            cache.move_to_end(key)
            return hit
        line = interpret(self._lines[i], key[3], self.width)
        hit = cache[key] = (wrap(line.runs, line.cells, self.width), line.column)
        if len(cache) > _RENDER_CACHE:
            cache.popitem(last=False)
        return hit

    def _column(self, i: int) -> int:
        return self._render(i)[1]

    def render_row(self, row: int) -> list[Segment]:
        """Segments of visual row `row` (0 = oldest kept row); at most `width` cells."""
        return self.render_part(*self.locate(row))

    def row_text(self, row: int) -> Text:
        return Text.assemble(*((s.text, s.style) for s in self.render_row(row)))

    @property
    def cursor(self) -> tuple[int, int]:
        """(x, visual row) of the cursor."""
        i, sub, x = self.cursor_part()
        return x, self.row_of_line(i) + sub

    def row_count_of(self, i: int) -> int:
        ends = self._sync_rows()
        return ends[i] - (ends[i - 1] if i else self._base)


def _rows(line: str, width: int) -> int:
    # a short ASCII line is one row: no need to look at its escapes
    return 1 if len(line) <= width and line.isascii() and "\t" not in line else row_count(line, width)


def _ends_reset(line: str) -> bool:
    """Whether the line's last escape is an SGR reset: then it ends in the default state,
    whatever state it started in."""
    last = line.rfind("\x1b[")
    return last != -1 and line.startswith(("\x1b[0m", "\x1b[m"), last)
