"""A terminal pane: draws a TerminalModel, turns keys into bytes for whoever owns the shell.

Display only: it never starts a process. Output arrives through `feed`; keyboard input leaves as
`TerminalPane.Input` messages; a resize is announced with `TerminalPane.Resized`.
"""

from __future__ import annotations

import time

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.timer import Timer

from tui.keys_first import GATE
from tui.terminal import TerminalModel

# keys whose bytes are not their printable character (xterm sequences, as bash and curses expect)
KEY_BYTES = {
    "enter": "\r", "tab": "\t", "shift+tab": "\x1b[Z", "backspace": "\x7f", "escape": "\x1b",
    "up": "\x1b[A", "down": "\x1b[B", "right": "\x1b[C", "left": "\x1b[D",
    "home": "\x1b[H", "end": "\x1b[F", "pageup": "\x1b[5~", "pagedown": "\x1b[6~",
    "delete": "\x1b[3~", "insert": "\x1b[2~",
    **{f"f{n}": seq for n, seq in zip(range(1, 13), ("\x1bOP", "\x1bOQ", "\x1bOR", "\x1bOS", "\x1b[15~",
                                                     "\x1b[17~", "\x1b[18~", "\x1b[19~", "\x1b[20~",
                                                     "\x1b[21~", "\x1b[23~", "\x1b[24~"))},
}
RELEASE_KEY = "ctrl+right_square_bracket"  # gives the keyboard back to the slide (telnet's escape)
SIZE_SYNC = 0.25  # seconds between updates of the scrollable size while output pours in
REPAINT = 1 / 30  # at most this often while output comes in (typing, a command's lines)
# Past FLOOD_BYTES between two repaints the pane is flooded: nobody reads that frame by frame, and
# every repaint of a full pane costs the keys a frame's time, so it slows down to FLOOD_REPAINT.
FLOOD_BYTES, FLOOD_REPAINT = 16 * 1024, 1 / 10
# After a key a flooded pane stays off the screen a little longer than its output waits
# (tui/keys_first.py): a full pane's frame right behind the key's one made keys ≈ 5 ms slower.
FLOODED_AFTER_KEY = 0.1


def key_bytes(event: events.Key) -> str | None:
    if event.key in KEY_BYTES:
        return KEY_BYTES[event.key]
    if event.key.startswith("ctrl+") and len(event.key) == 6 and event.key[5].isalpha():
        return chr(ord(event.key[5].lower()) - 96)  # ctrl+c → \x03
    return event.character if event.character and event.is_printable else None


class TerminalPane(ScrollView, can_focus=True):
    DEFAULT_CSS = """
    /* stable gutter: the scrollbar appearing must not change the width the shell was told */
    TerminalPane { background: $background; scrollbar-size-vertical: 1; scrollbar-gutter: stable; }
    TerminalPane:focus { background-tint: $foreground 3%; }
    """
    BINDINGS = [Binding(RELEASE_KEY, "release", "Back to the slide", id="pane-release", show=False)]

    title: reactive[str] = reactive("")

    class Input(Message):
        def __init__(self, pane: "TerminalPane", data: str):
            super().__init__()
            self.pane, self.data = pane, data

        @property
        def control(self) -> "TerminalPane":
            return self.pane

    class Resized(Message):
        def __init__(self, pane: "TerminalPane", cols: int, rows: int):
            super().__init__()
            self.pane, self.cols, self.rows = pane, cols, rows

        @property
        def control(self) -> "TerminalPane":
            return self.pane

    class Released(Message):
        """Ctrl+] in the pane: focus should go back to the slide."""

    def __init__(self, name: str, cols: int = 80, rows: int = 24, *, id: str | None = None):
        super().__init__(id=id, classes="terminal-pane")
        self.pane_name = name
        self._model = TerminalModel(cols, rows)
        self._backlog: list[str] = []  # output that came while a key was being answered
        self.border_title = name
        self._follow = True  # keep the newest output in view until the presenter scrolls up
        self._size_due: Timer | None = None
        self._size_synced = 0.0
        self._size_version = -1  # the model's version at the last size update
        self._repaint_due: Timer | None = None
        self._repainted = 0.0
        self._unpainted = 0  # characters fed since the last repaint
        self._flooded = False
        self._style: Style | None = None
        self._frame: tuple[int, int, bool] | None = None  # (width, height, focused) while a frame renders

    @property
    def model(self) -> TerminalModel:
        """The display model, with any output held back during a key fed in first."""
        if self._backlog:  # someone reads it mid-hold (a frame, a test): it must be current
            data, self._backlog = "".join(self._backlog), []
            self._model.feed(data)
            self._unpainted += len(data)
        return self._model

    @model.setter
    def model(self, model: TerminalModel) -> None:
        self._backlog.clear()
        self._model = model

    # output -----------------------------------------------------------------------------------
    def feed(self, data: str) -> None:
        """New output: repaint at most every REPAINT (FLOOD_REPAINT) seconds; the scrollable size follows at most
        every SIZE_SYNC seconds. While the app answers a key (tui/keys_first.py) the
        output only queues up: decoding it can wait until that key's frame is out.

        Setting `virtual_size` lays out the whole screen, so doing it per chunk while a command
        floods the pane would make every key wait; while following, rows are drawn from the
        bottom of the model, so the picture is current even when the size is a moment behind."""
        if GATE.held:
            if not self._backlog:
                GATE.wait(self._take_backlog)
            self._backlog.append(data)
            if self._repaint_due is None:  # drawn after the hold even if nobody calls back
                self._repaint_due = self.set_timer(GATE.remaining() + 0.005, self._repaint)
            return
        if self._backlog:
            self._take_backlog()
        self._ingest(data)

    def _take_backlog(self) -> None:
        """The key's frame is out: feed what waited (a frame may have fed it already; then
        this only schedules the repaint)."""
        data, self._backlog = "".join(self._backlog), []
        if self.is_attached:
            self._ingest(data)

    def _ingest(self, data: str) -> None:
        self._model.feed(data)
        now = time.monotonic()
        self._unpainted += len(data)
        if self._repaint_due is None:
            every = FLOOD_REPAINT if self._flooded else REPAINT
            if now - self._repainted >= every:
                self._repaint()
            else:  # never 0: a Textual timer of interval 0 divides by it
                self._repaint_due = self.set_timer(max(0.005, self._repainted + every - now), self._repaint)
        if self._size_due is None:
            wait = max(0.01, self._size_synced + SIZE_SYNC - now)
            self._size_due = self.set_timer(wait, self._size_timer)

    def _repaint(self) -> None:
        wait = GATE.remaining(FLOODED_AFTER_KEY if self._flooded else 0.0)
        if wait > 0:  # a key is being answered: its frame first, this pane's after it
            self._repaint_due = self.set_timer(wait + 0.005, self._repaint)
            return
        self._repaint_due = None
        self._repainted = time.monotonic()
        self._flooded, self._unpainted = self._unpainted > FLOOD_BYTES, 0
        self.refresh()

    def clear(self) -> None:
        cols, rows = self.model.width, self.model.height
        self.model = TerminalModel(cols, rows)
        self._sync_size()
        self.refresh()

    def settle(self) -> None:
        """Bring the scrollable size up to date now rather than at the next sync (a screenshot)."""
        if self._size_due is not None:
            self._size_due.stop()
        self._sync_size()

    def _sync_size(self) -> None:
        """While output keeps coming the size may be an estimate (counting every wrapped row of
        a flood costs more than drawing it); once it stops, one more update makes it exact."""
        if self._size_due is not None:
            self._size_due.stop()
            self._size_due = None
        self._size_synced = time.monotonic()
        flowing = self.model.version != self._size_version
        self._size_version = self.model.version
        rows = self.model.estimated_row_count() if flowing else self.model.row_count
        if flowing:
            self._size_due = self.set_timer(SIZE_SYNC, self._size_timer)
        size = Size(self.model.width, rows)
        if size != self.virtual_size:
            self.virtual_size = size
        if self._follow:
            self.scroll_to(y=max(0, size.height - self.scrollable_content_region.height), animate=False,
                           immediate=True)

    def _size_timer(self) -> None:
        self._size_due = None
        self._sync_size()

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        self._follow = new >= self.max_scroll_y

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._style = None

    def render_lines(self, crop: Region) -> list[Strip]:
        # what every line of this frame shares, looked up once rather than per line
        region = self.scrollable_content_region
        self._frame = (region.width, region.height, self.has_focus)
        try:
            return super().render_lines(crop)
        finally:
            self._frame = None

    def render_line(self, y: int) -> Strip:
        if self._frame is not None:
            width, height, focused = self._frame
        else:
            region = self.scrollable_content_region
            width, height, focused = region.width, region.height, self.has_focus
        if self._style is None:
            self._style = self.rich_style  # computed per style change, not per line
        style = self._style
        if self._follow:  # the newest rows, without counting every row of a flood
            segments = self.model.render_tail_row(y, height, focused)
            if not segments:
                return Strip.blank(width, style)
        else:
            row = int(self.scroll_offset.y) + y
            if row >= self.model.row_count:
                return Strip.blank(width, style)
            segments = self.model.render_row(row, show_cursor=focused)
        return Strip(Segment.apply_style(segments, style)).adjust_cell_length(width, style)

    # size -------------------------------------------------------------------------------------
    def on_resize(self, event: events.Resize) -> None:
        region = self.scrollable_content_region
        cols, rows = max(1, region.width), max(1, region.height)
        if (cols, rows) != (self.model.width, self.model.height):
            self.model.resize(cols, rows)
            self._sync_size()
            self.post_message(self.Resized(self, cols, rows))

    # input ------------------------------------------------------------------------------------
    async def on_key(self, event: events.Key) -> None:
        if event.key == RELEASE_KEY:
            return  # the binding handles it
        data = key_bytes(event)
        if data is not None:
            event.stop()
            event.prevent_default()
            self.post_message(self.Input(self, data))

    def on_paste(self, event: events.Paste) -> None:
        event.stop()
        self.post_message(self.Input(self, event.text))

    def action_release(self) -> None:
        self.post_message(self.Released())
