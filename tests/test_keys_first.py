"""Keys before output (tui/keys_first.py): while a key is answered, a real shell's output
waits in its PTY and a pane's output waits in its backlog; nothing is lost or reordered, and the
gate always opens again (by release or by its own timer)."""

from __future__ import annotations

import asyncio
import gc
import re
import time

from textual.app import App, ComposeResult

from conftest import make_app, until
from tui.engine.events import EventBus, PaneOutput
from tui.keys_first import GATE, HOLD, OutputGate
from tui.engine.local import LocalShell
from tui.widgets.terminal_pane import TerminalPane


async def test_the_gate_opens_by_release_or_by_itself():
    gate = OutputGate()
    woken: list[str] = []
    gate.hold(0.05)
    assert gate.held
    gate.wait(lambda: woken.append("a"))
    gate.release()
    assert not gate.held and woken == ["a"]
    gate.hold(0.05)
    gate.wait(lambda: woken.append("b"))
    await asyncio.sleep(0.1)  # nobody released it: the timer did
    assert not gate.held and woken == ["a", "b"]


async def test_a_flooding_command_waits_while_the_gate_is_held_and_loses_nothing():
    bus = EventBus()
    seen: list[str] = []
    bus.subscribe(lambda e: seen.append(e.data) if isinstance(e, PaneOutput) else None)
    session = LocalShell("flood", bus, cols=80, rows=24)
    await session.start()
    try:
        task = asyncio.create_task(session.run("seq 1 200000"))
        await until_seen(seen, "\n1000\r\n")
        GATE.hold(1.0)  # as a key would, but long enough to watch
        await asyncio.sleep(0.05)  # a read already under way may finish
        held_at = len("".join(seen))
        await asyncio.sleep(0.3)
        assert len("".join(seen)) == held_at, "output was read while the gate was held"
        assert not task.done()  # seq is blocked on its writes
        GATE.release()
        result = await asyncio.wait_for(task, 30)
        assert result.exit_code == 0
        text = re.sub(r"\x1b\][^\x07]*\x07", "", "".join(seen))  # the prompt marks
        numbers = [int(line) for line in re.split(r"[\r\n]+", text) if line.isdigit()]
        assert numbers == list(range(1, 200001))  # every line reached the pane, in order
    finally:
        GATE.release()
        await session.close()


async def until_seen(seen: list[str], text: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while text not in "".join(seen):
        assert time.monotonic() < deadline, f"{text!r} never arrived"
        await asyncio.sleep(0.01)


class PaneApp(App[None]):
    def compose(self) -> ComposeResult:
        yield TerminalPane("p", 40, 5)


async def test_a_pane_keeps_output_back_during_a_key_yet_reads_current():
    app = PaneApp()
    async with app.run_test(size=(60, 10)) as pilot:
        pane = app.query_one(TerminalPane)
        pane.feed("one\r\n")
        GATE.hold(1.0)
        try:
            pane.feed("two\r\n")
            pane.feed("three\r\n")
            assert pane._backlog == ["two\r\n", "three\r\n"]  # not decoded yet
            assert [pane.model.row_text(i).plain for i in range(3)] == ["one", "two", "three"]  # reading feeds it
            assert pane._backlog == []
            pane.feed("four\r\n")
        finally:
            GATE.release()
        assert pane._backlog == []
        assert pane.model.row_text(3).plain == "four"
        await until(pilot, lambda: "four" in "".join(s.text for s in pane.render_line(3)))


async def test_a_key_holds_the_gate_and_the_collector_then_lets_both_go(monkeypatch):
    holds: list[bool] = []  # per hold: was the collector enabled at that moment?
    original = GATE.hold
    monkeypatch.setattr(GATE, "hold", lambda *a: (holds.append(gc.isenabled()), original(*a)))
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("right")
        assert holds == [False]
        await pilot.pause(HOLD * 3)
        assert not GATE.held and gc.isenabled()
        await pilot.press("question_mark")
        await pilot.pause(HOLD * 3)
        assert holds == [False, False]
        assert not GATE.held and gc.isenabled()
    assert gc.isenabled()


async def test_the_gate_can_be_held_from_another_thread():
    """The driver's input thread holds it; the loop's readers see it at once and are woken later."""
    import threading

    gate = OutputGate()
    thread = threading.Thread(target=gate.hold, args=(0.05,))
    thread.start()
    thread.join()
    assert gate.held
    woken: list[bool] = []
    gate.wait(lambda: woken.append(True))
    gate.hold(0.15)  # another key while waiting: the wake-up moves with it
    await asyncio.sleep(0.1)
    assert gate.held and not woken
    await asyncio.sleep(0.1)
    assert not gate.held and woken == [True]


async def test_the_driver_holds_the_gate_as_soon_as_it_reads_a_key():
    from textual import events
    from textual.drivers.headless_driver import HeadlessDriver

    from tui.app import keys_first_driver

    GATE.release()
    driver = keys_first_driver(HeadlessDriver)(make_app())
    driver.process_message(events.Resize.from_dimensions((80, 24), None))
    assert not GATE.held  # only keys
    driver.process_message(events.Key("question_mark", "?"))
    assert GATE.held
    GATE.release()


async def test_the_step_spinner_skips_its_beats_while_a_key_is_answered():
    from tui.engine.events import StepStatus
    from tui.scenario.load import parse_scenario
    from tui.widgets.step_list import StepList

    scenario = parse_scenario("title: t\nsteps:\n  - id: flood\n    run: yes\n")

    class ListApp(App[None]):
        def compose(self) -> ComposeResult:
            yield StepList([("steps", step) for step in scenario.steps])

    app = ListApp()
    async with app.run_test(size=(60, 10)) as pilot:
        steps = app.query_one(StepList)
        steps.set_status("flood", StepStatus.RUNNING)
        await until(pilot, lambda: steps._frame >= 2)  # the spinner turns
        GATE.hold(0.5)
        try:
            beat = steps._frame
            await pilot.pause(0.4)
            assert steps._frame == beat
        finally:
            GATE.release()
        await until(pilot, lambda: steps._frame > beat)  # and turns again


async def test_typing_into_a_shell_pane_holds_nothing_back(monkeypatch):
    """The shell's echo is the answer to a key typed into its pane: no hold, no backlog."""
    from pathlib import Path

    from tui.demostage import DemoStage
    from tui.widgets.demo_panel import DemoPanel

    holds: list[str] = []
    original = GATE.hold
    monkeypatch.setattr(GATE, "hold", lambda *a: (holds.append("hold"), original(*a)))
    app = make_app(start=7, demos=DemoStage(Path(__file__).parent / "scenarios", mode="live"))
    async with app.run_test(size=(120, 40)) as pilot:
        pane = app.screen.query_one(DemoPanel).pane("local")
        await until(pilot, lambda: "demo:" in pane.model.plain())
        await pilot.press("tab")
        assert app.focused is pane and not app.keys_come_first
        holds.clear()
        await pilot.press(*"echo typed")
        await until(pilot, lambda: "echo typed" in pane.model.plain())
        assert holds == [] and pane._backlog == []
        await pilot.press("ctrl+right_square_bracket")  # back to the slide: keys come first again
        assert app.keys_come_first


def test_a_timer_left_by_an_ended_loop_does_not_strand_the_next_readers():
    """One gate per process, many event loops over a test run (or an app started twice)."""
    gate = OutputGate()

    async def hold_and_wait(woken: list[str], name: str, sleep: float) -> None:
        gate.hold(0.05)
        gate.wait(lambda: woken.append(name))
        await asyncio.sleep(sleep)

    woken: list[str] = []
    asyncio.run(hold_and_wait(woken, "first", 0.0))  # ends before its timer fires
    assert woken == []
    asyncio.run(hold_and_wait(woken, "second", 0.2))
    assert "second" in woken and not gate.held


async def test_a_key_before_any_screen_exists_still_comes_first():
    """The driver asks the app from its own thread, possibly before the first screen is up:
    that must answer, not raise (an exception there would end the input thread)."""
    app = make_app()
    assert app.keys_come_first
