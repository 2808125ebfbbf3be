"""What a kube pane draws, whatever it shows (a table or a tree): a header, rows of cells with
their styles, column widths, and which columns fit a given width. The widget only draws this."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from rich.cells import cell_len, set_cell_size

from tui.kube.columns import Column, human_duration, status_style
from tui.kube.objects import Key
from tui.kube.store import Change

TIMED_WIDTH = 6  # "5h10m", "2y30d": wide enough for every age but the rare "<invalid>"
GAP, NARROW_GAP = 3, 2  # spaces between columns, as kubectl prints them; 2 when it helps to fit
LAST_MIN = 20  # a long last column (a MESSAGE) is cut at the pane's edge rather than dropped


@dataclass(frozen=True)
class Cell:
    text: str
    style: str = ""


@dataclass(frozen=True)
class Layout:
    columns: tuple[int, ...]  # indexes into the view's columns, in order
    widths: tuple[int, ...]  # of those columns
    gap: int


class KubeView:
    """Base of TableView and TreeView."""

    columns: tuple[Column, ...] = ()

    def __init__(self) -> None:
        self.widths = [cell_len(c.name) if not c.timed else max(cell_len(c.name), TIMED_WIDTH) for c in self.columns]
        self.layout_version = 0  # bumps when widths change or rows move: cached lines are stale
        # the rows the last apply changed in place (indexes), or None when it cannot say which
        self.moved: set[int] | None = set()

    # what subclasses provide -------------------------------------------------------------------
    @property
    def row_count(self) -> int:
        raise NotImplementedError

    def row_key(self, index: int) -> object:
        raise NotImplementedError

    def row_version(self, index: int) -> int:
        raise NotImplementedError

    def cells(self, index: int, now: float) -> list[Cell]:
        raise NotImplementedError

    def timed_texts(self, index: int, now: float) -> tuple[str, ...]:
        """Only the ages a row shows (what changes with the clock alone)."""
        return tuple(cell.text for cell, column in zip(self.cells(index, now), self.columns) if column.timed)

    def apply(self, changes: Iterable[Change]) -> bool:
        """Take changes; True when something visible may have changed."""
        raise NotImplementedError

    def index_of(self, key: Key) -> int | None:
        """The row showing the object with this key, if one does."""
        raise NotImplementedError

    def replace(self, objects: Iterable[dict]) -> bool:
        raise NotImplementedError

    @property
    def summary(self) -> str:
        """A few words for the pane's border: "3 machines"."""
        raise NotImplementedError

    # shared ------------------------------------------------------------------------------------
    def header(self) -> list[Cell]:
        return [Cell(c.name, "bold") for c in self.columns]

    def _grow(self, texts: list[str]) -> None:
        for i, text in enumerate(texts):
            if not self.columns[i].timed:
                width = cell_len(text)
                if width > self.widths[i]:
                    self.widths[i] = width
                    self.layout_version += 1

    def layout(self, width: int) -> Layout:
        """The columns that fit `width`: the highest `drop` goes first, NAME and the others marked
        0 always stay (the last one is cut at the edge when even they do not fit)."""
        shown = list(range(len(self.columns)))
        for gap in (GAP, NARROW_GAP):
            if self._total(shown, gap) <= width:
                return Layout(tuple(shown), tuple(self.widths[i] for i in shown), gap)
        droppable = sorted((i for i in shown if self.columns[i].drop > 0), key=lambda i: -self.columns[i].drop)
        for index in droppable:
            shown.remove(index)
            if self._total(shown, NARROW_GAP) <= width:
                break
        return Layout(tuple(shown), tuple(self.widths[i] for i in shown), NARROW_GAP)

    def _total(self, shown: list[int], gap: int) -> int:
        """The width `shown` needs; the last column may be cut at the edge, down to LAST_MIN cells."""
        widths = [self.widths[i] for i in shown]
        if widths:
            widths[-1] = min(widths[-1], max(LAST_MIN, cell_len(self.columns[shown[-1]].name)))
        return sum(widths) + gap * max(0, len(shown) - 1)

    def _cell(self, column: Column, obj: dict, text: str | None, now: float) -> Cell:
        if column.since is not None:
            since = column.since(obj)
            return Cell(human_duration(None if since is None else now - since), "")
        text = column.get(obj) if text is None else text
        return Cell(text, status_style(text) if column.status else "")


def pad(text: str, width: int, right: bool = False) -> str:
    """`text` in exactly `width` cells: cut, or padded (on the left for numbers)."""
    if right and cell_len(text) <= width:
        return " " * (width - cell_len(text)) + text
    return set_cell_size(text, width)


def render_text(view: KubeView, width: int, now: float) -> list[str]:
    """The view as plain lines, laid out as a pane of `width` cells shows it (tests, transcripts)."""
    layout = view.layout(width)
    return [line_text(view, layout, view.header())] + [line_text(view, layout, view.cells(i, now))
                                                       for i in range(view.row_count)]


def line_text(view: KubeView, layout: Layout, cells: list[Cell]) -> str:
    last = len(layout.columns) - 1
    parts = [cells[i].text if n == last else pad(cells[i].text, w, view.columns[i].right)
             for n, (i, w) in enumerate(zip(layout.columns, layout.widths))]
    return (" " * layout.gap).join(parts).rstrip()
