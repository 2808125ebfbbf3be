"""A pane gives way to keys: while a key is answered (tui/keys_first.py) its output waits and its
repaint is put off, a flooded pane's a little longer, so the frame that answers the key is not
also a redraw of the pane; with no key held, output repaints at once."""

from __future__ import annotations

import time

import pytest
from textual.app import App, ComposeResult

from conftest import until
from tui.keys_first import GATE, OutputGate
from tui.widgets.terminal_pane import FLOOD_BYTES, FLOODED_AFTER_KEY, TerminalPane

LINE = "\x1b[32mINFO\x1b[0m component=kubelet msg=\"reconciled node\" seq=0000\r\n"
FLOOD = LINE * (FLOOD_BYTES // len(LINE) + 10)  # more than a repaint's worth


class PaneApp(App[None]):
    def compose(self) -> ComposeResult:
        yield TerminalPane("flood", 60, 10)


async def _counting(pilot, first: str) -> tuple[TerminalPane, list[int]]:
    """The pane after `first` was fed and drawn, counting its real repaints (not put off) from now on."""
    pane = pilot.app.query_one(TerminalPane)
    pane.feed(first)
    await until(pilot, lambda: pane._repaint_due is None)
    await pilot.pause(0.2)
    counted: list[int] = []
    original = pane._repaint
    pane._repaint = lambda: (original(), pane._repaint_due is None and counted.append(1))
    pane._repainted = 0.0  # due now, as far as the repaint rate goes
    return pane, counted


@pytest.mark.parametrize("flooded", [True, False])
async def test_a_pane_puts_off_its_repaint_while_a_key_is_answered(flooded):
    async with PaneApp().run_test(size=(80, 20)) as pilot:
        pane, counted = await _counting(pilot, FLOOD if flooded else "$ ")
        assert pane._flooded is flooded
        GATE.hold(0.3)
        try:
            pane.feed(LINE * 5)
            assert not counted
            await until(pilot, lambda: counted, timeout=3.0)
            assert not GATE.held  # the repaint came after the hold
        finally:
            GATE.release()
        assert counted == [1] and "seq=0000" in pane.model.plain()


async def test_ordinary_output_repaints_at_once_when_no_key_is_held():
    async with PaneApp().run_test(size=(80, 20)) as pilot:
        pane, counted = await _counting(pilot, "$ ")
        assert not pane._flooded and not GATE.held
        pane.feed("l")
        assert counted == [1]


async def test_a_repaint_already_due_waits_for_the_key_too():
    async with PaneApp().run_test(size=(80, 20)) as pilot:
        pane, counted = await _counting(pilot, FLOOD)
        pane._repainted = time.monotonic()  # drawn just now: the next repaint is a timer
        pane.feed(LINE)
        assert pane._repaint_due is not None and not counted
        GATE.hold(0.4)  # then a key comes
        try:
            await pilot.pause(0.25)  # the repaint's time came during the hold
            assert not counted
            await until(pilot, lambda: counted, timeout=3.0)
            assert not GATE.held
        finally:
            GATE.release()


async def test_a_flooded_pane_stays_off_the_screen_a_while_after_the_key():
    async with PaneApp().run_test(size=(80, 20)) as pilot:
        pane, counted = await _counting(pilot, FLOOD)
        GATE.hold(0.01)  # a short hold: the flooded pane waits longer than the output
        await pilot.pause(0.02)
        assert not GATE.held
        pane.feed(LINE)
        await pilot.pause(FLOODED_AFTER_KEY / 2)
        assert not counted
        await until(pilot, lambda: counted, timeout=3.0)


def test_the_gate_counts_from_the_last_key():
    gate = OutputGate()
    assert gate.remaining() == 0 and gate.remaining(after_key=1.0) == 0
    gate.hold(0.05)
    assert 0 < gate.remaining() <= 0.05
    assert 0.9 < gate.remaining(after_key=1.0) <= 1.0
