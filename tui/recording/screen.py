"""A cast's final screen as plain text (`flatdeck replay --print`: no TTY needed)."""

from __future__ import annotations

from tui.recording.asciicast import Cast
from tui.terminal import TerminalModel


def play_into(cast: Cast, model: TerminalModel | None = None) -> TerminalModel:
    """Feed every output and resize event of `cast` to a terminal model of the recorded size."""
    model = model or TerminalModel(cast.header.width, cast.header.height)
    for event in cast.events:
        if event.code == "o":
            model.feed(event.data)
        elif event.code == "r":
            cols, _, rows = event.data.partition("x")
            model.resize(int(cols), int(rows))
    return model


def final_screen(cast: Cast) -> str:
    """What a terminal of the recorded size shows at the end: the last `height` rows."""
    model = play_into(cast)
    first = max(0, model.row_count - model.height) if model.mode == "line" else 0
    rows = [model.row_text(y).plain.rstrip() for y in range(first, model.row_count)]
    while rows and not rows[-1]:
        rows.pop()
    return "\n".join(rows)
