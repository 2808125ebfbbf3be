"""A flooded pane gives way to keys: after a key it holds its next repaint a moment, so the frame
that answers the key is not also a full redraw of the pane; a pane with ordinary output does not."""

from __future__ import annotations

from textual.app import App, ComposeResult

from conftest import until
from tui.widgets.terminal_pane import FLOOD_BYTES, TerminalPane

LINE = "\x1b[32mINFO\x1b[0m component=kubelet msg=\"reconciled node\" seq=0000\r\n"


class PaneApp(App[None]):
    def compose(self) -> ComposeResult:
        yield TerminalPane("flood", 60, 10)


async def _repaints(pane: TerminalPane, pilot, feed: str) -> list[int]:
    """Feed after a key; how many repaints happened right away, and after waiting."""
    counted: list[int] = []
    original = pane._repaint

    def counting() -> None:
        original()
        if pane._repaint_due is None:  # it really repainted (not held over)
            counted.append(1)

    pane._repaint = counting
    pane._repainted = 0.0  # due now, as far as the repaint rate goes
    pane.input_first()
    pane.feed(feed)
    now = len(counted)
    await until(pilot, lambda: counted, timeout=3.0)
    return [now, len(counted)]


async def test_a_flooded_pane_holds_its_repaint_after_a_key():
    app = PaneApp()
    async with app.run_test(size=(80, 20)) as pilot:
        pane = app.query_one(TerminalPane)
        pane.feed(LINE * (FLOOD_BYTES // len(LINE) + 10))  # more than a repaint's worth: a flood
        await until(pilot, lambda: pane._repaint_due is None)
        assert pane._flooded
        right_away, later = await _repaints(pane, pilot, LINE * 5)
        assert right_away == 0 and later == 1


async def test_ordinary_output_repaints_at_once_after_a_key():
    app = PaneApp()
    async with app.run_test(size=(80, 20)) as pilot:
        pane = app.query_one(TerminalPane)
        pane.feed("$ ")
        await pilot.pause(0.2)
        assert not pane._flooded
        right_away, later = await _repaints(pane, pilot, "l")
        assert right_away == 1 and later == 1
