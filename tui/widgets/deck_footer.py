"""The footer: deck title on the left, a prompt or message in the middle, position and clock on the right."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget


def format_clock(seconds: float) -> str:
    whole = max(0, int(seconds))
    hours, rest = divmod(whole, 3600)
    return f"{hours:d}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60:02d}:{rest % 60:02d}"


class DeckFooter(Widget):
    title: reactive[str] = reactive("")
    position: reactive[str] = reactive("")
    message: reactive[str] = reactive("")
    elapsed: reactive[float] = reactive(0.0)

    def render(self) -> Table:
        grid = Table.grid(expand=True, padding=(0, 1))
        grid.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
        grid.add_column(ratio=1, no_wrap=True, justify="center", overflow="ellipsis")
        grid.add_column(no_wrap=True, justify="right")
        grid.add_row(
            Text(self.title, style="bold"),
            Text(self.message),
            Text.assemble((self.position, ""), "  ", (format_clock(self.elapsed), "bold")),
        )
        return grid
