"""The footer: deck title on the left, a prompt or message in the middle, position and clock on the right."""

from __future__ import annotations

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
    pacing: reactive[Text | None] = reactive(None)  # timer on (`t`): slide and talk against their budgets

    def render(self) -> Text:
        # one line laid out by hand: the right part always shows whole, the title gives way first
        width = self.size.width
        clock = self.pacing if self.pacing is not None else Text(format_clock(self.elapsed), style="bold")
        right = Text.assemble(self.position, "  ", clock)
        middle = Text(self.message)
        room = max(0, width - right.cell_len - 1)
        left = Text(self.title, style="bold")
        left.truncate(max(0, room // 2 if middle else room), overflow="ellipsis")
        middle.truncate(max(0, room - left.cell_len - 1), overflow="ellipsis")
        gap = max(1, room - left.cell_len - middle.cell_len)
        before = gap // 2 if middle else gap
        return Text.assemble(left, " " * before, middle, " " * (gap - before), " ", right)
