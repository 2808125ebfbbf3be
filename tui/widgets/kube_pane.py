"""A kube pane: draws a watch table or a `clusterctl describe` tree (tui/kube/table.py, tree.py).

Display only: it opens no connection. Changes arrive through `apply` (live from the engine, or
from a recording), API errors and reconnects through `notice`. Drawn with the Line API: only the
visible rows are rendered, each row's strip is cached until that row, the column layout, the
width or an age it shows changes — 2,000 rows cost no more per frame than 40.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from typing import Callable

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.timer import Timer

from tui.engine.events import ResourceEvents
from tui.kube.query import KubeQuery
from tui.kube.table import TableView
from tui.kube.tree import TreeView
from tui.kube.view import Cell, KubeView, Layout, pad, render_text
from tui.render.palette import palette_for
from tui.widgets.terminal_pane import RELEASE_KEY, TerminalPane

CACHE_ROWS = 512
MAX_NOTICE_LINES = 3
NOTICE_STYLES = {"error": "bad", "warning": "busy", "info": "faint"}


class KubePane(ScrollView, can_focus=True):
    DEFAULT_CSS = """
    KubePane { background: $background; scrollbar-size-vertical: 1; scrollbar-gutter: stable; }
    KubePane:focus { background-tint: $foreground 3%; }
    """
    BINDINGS = [Binding(RELEASE_KEY, "release", "Back to the slide", id="kube-pane-release", show=False),
                Binding("escape", "release", "Back to the slide", show=False)]

    def __init__(self, name: str, *, clock: Callable[[], float] = time.time, id: str | None = None):
        super().__init__(id=id, classes="terminal-pane kube-pane")
        self.pane_name = name
        self.clock = clock
        self.view: KubeView | None = None
        self.query: KubeQuery | None = None
        self.notice_text, self.notice_severity = "", "info"
        self.border_title = name
        self._offset = 0.0  # a replay's objects are as old as they were when recorded
        self._strips: OrderedDict[tuple, Strip] = OrderedDict()
        self._styles: dict[str, Style] = {}
        self._base: Style | None = None
        self._ticker: Timer | None = None
        self._shown_ages: tuple = ()
        self._fed = False  # objects have arrived (live or replayed) since `configure`

    # what the engine (or a replay) says ---------------------------------------------------------
    def configure(self, query: KubeQuery) -> None:
        """Show `query` from now on: an empty table or tree until its objects arrive."""
        self.query = query
        self.view = TreeView(query) if query.view == "tree" else TableView(query)
        self.notice_text = ""
        self._offset = 0.0
        self._fed = False
        self.border_title = f"{self.pane_name} · {query.summary()}"
        self._changed()

    def apply(self, event: ResourceEvents) -> None:
        if self.view is None:
            return  # events for a pane that was never configured (a log replayed without its step)
        if event.at is not None:
            self._offset = event.at - self.clock()
        layout, rows = self.view.layout_version, self.view.row_count
        if self.view.moved is not None:
            self.view.moved.clear()
        changed = self.view.replace([obj for _, obj in event.events]) if event.replace else self.view.apply(event.events)
        if not changed and self._fed:
            return
        if self._fed and (layout, rows) == (self.view.layout_version, self.view.row_count) and self.view.moved is not None:
            self._repaint_rows(self.view.moved)  # rows changed in place: repaint those lines only
            return
        self._fed = True
        self._changed()

    def _repaint_rows(self, indexes) -> None:
        top, height = int(self.scroll_offset.y), self.scrollable_content_region.height
        fixed = self._fixed_lines()
        for index in indexes:
            if top <= index < top + height - fixed:
                self.refresh_line(fixed + index)

    def notice(self, text: str, severity: str = "info") -> None:
        if (text, severity) != (self.notice_text, self.notice_severity):
            self.notice_text, self.notice_severity = text, severity
            self._changed()

    def now(self) -> float:
        return self.clock() + self._offset

    # drawing ----------------------------------------------------------------------------------
    def _changed(self) -> None:
        self.border_subtitle = self.view.summary if self.view is not None and self._fed else ""
        size = Size(self.scrollable_content_region.width or 1, self._fixed_lines() + self._row_count())
        if size != self.virtual_size:
            self.virtual_size = size
        self.refresh()
        if self._ticker is None and self.is_mounted:
            self._ticker = self.set_interval(1.0, self._tick)

    def on_mount(self) -> None:
        if self.view is not None and self._ticker is None:
            self._ticker = self.set_interval(1.0, self._tick)

    def _row_count(self) -> int:
        return self.view.row_count if self.view is not None else 0

    def _notice_lines(self, width: int) -> list[str]:
        if not self.notice_text:
            return []
        lines, text = [], self.notice_text
        while text and len(lines) < MAX_NOTICE_LINES:
            cut = len(text) if cell_len(text) <= width else _cut(text, width)
            lines.append(text[:cut])
            text = text[cut:].lstrip()
        return lines

    def _fixed_lines(self) -> int:
        return len(self._notice_lines(max(1, self.scrollable_content_region.width))) + (1 if self.view else 0)

    def _tick(self) -> None:
        """Ages move on: repaint only when an age on screen shows a different text."""
        if self.view is None or not self.display or not self.view.row_count:
            return
        now = self.now()
        height = self.scrollable_content_region.height
        top = int(self.scroll_offset.y)
        timed = [i for i, c in enumerate(self.view.columns) if c.timed]
        if not timed:
            return
        ages = tuple(self.view.timed_texts(r, now) for r in range(top, min(self.view.row_count, top + height)))
        if ages != self._shown_ages:
            self._shown_ages = ages
            self.refresh()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._base = None
        self._strips.clear()
        self._styles.clear()  # the theme may have changed

    def _style(self, name: str) -> Style:
        """A view's semantic style (good, busy, bad, faint, info, bold) in the deck theme's colours."""
        style = self._styles.get(name)
        if style is None:
            p = palette_for(getattr(self.app, "deck_theme", "dark"))
            themed = {"good": p.passed, "busy": p.warned, "bad": p.failed, "faint": p.faint, "info": p.shown}
            style = self._styles[name] = Style.parse(themed.get(name, name)) if name else Style()
        return style

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        if self._base is None:
            self._base = self.rich_style
        base = self._base
        notices = self._notice_lines(width)
        if y < len(notices):
            style = base + self._style(NOTICE_STYLES.get(self.notice_severity, ""))
            return Strip([Segment(notices[y], style)]).extend_cell_length(width, base).crop(0, width)
        if self.view is None:
            return Strip.blank(width, base)
        y -= len(notices)
        layout = self.view.layout(width)
        if y == 0:
            return self._line(self.view.header(), layout, width, base)
        index = int(self.scroll_offset.y) + y - 1
        if index >= self.view.row_count:
            return Strip.blank(width, base)
        now = self.now()
        key = (self.view.row_key(index), self.view.row_version(index), self.view.layout_version, width,
               self.view.timed_texts(index, now))
        strip = self._strips.get(key)
        if strip is None:
            strip = self._line(self.view.cells(index, now), layout, width, base)
            self._strips[key] = strip
            if len(self._strips) > CACHE_ROWS:
                self._strips.popitem(last=False)
        else:
            self._strips.move_to_end(key)
        return strip

    def _line(self, cells: list[Cell], layout: Layout, width: int, base: Style) -> Strip:
        segments: list[Segment] = []
        gap = Segment(" " * layout.gap, base)
        last = len(layout.columns) - 1
        for n, (index, column_width) in enumerate(zip(layout.columns, layout.widths)):
            cell = cells[index]
            text = cell.text
            if n < last:
                text = pad(text, column_width, self.view is not None and self.view.columns[index].right)
            segments.append(Segment(text, base + self._style(cell.style) if cell.style else base))
            if n < last:
                segments.append(gap)
        return Strip(segments).extend_cell_length(width, base).crop(0, width)

    def on_resize(self) -> None:
        self._changed()

    def action_release(self) -> None:
        self.post_message(TerminalPane.Released())

    # for tests and the transcript ------------------------------------------------------------
    def plain_lines(self) -> list[str]:
        """The whole pane as text at its current width (header, every row), without styles."""
        width = max(1, self.scrollable_content_region.width or 120)
        return render_text(self.view, width, self.now()) if self.view is not None else []


def _cut(text: str, width: int) -> int:
    """Where to break `text` to fit `width` cells: at the last space that fits, else hard."""
    fit = 0
    for i in range(len(text)):
        if cell_len(text[:i + 1]) > width:
            break
        fit = i + 1
    space = text.rfind(" ", 0, fit)
    return space if space > width // 2 else max(1, fit)
