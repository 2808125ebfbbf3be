"""Demo slides in the app: replay shows and runs nothing; --live runs steps in real shells."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import make_app, until
from tui.demostage import DemoStage
from tui.engine.events import StepStatus
from tui.engine.local import session_members
from tui.widgets.demo_panel import DemoPanel
from tui.widgets.step_list import StepList
from tui.widgets.terminal_pane import SIZE_SYNC, TerminalPane

SCENARIOS = Path(__file__).parent / "scenarios"
DEMO_SLIDE = 7  # 0-based: "A demo slide" binds fixture-demo


def _app(live: bool, **kwargs):
    return make_app(start=DEMO_SLIDE, demos=DemoStage(SCENARIOS, mode="live" if live else "replay"), **kwargs)


def _pane(app, name: str) -> TerminalPane:
    return app.screen.query_one(DemoPanel).pane(name)



async def test_replay_shows_commands_and_runs_nothing(tmp_path: Path):
    marker = tmp_path / "ran"
    scenario = tmp_path / "scenarios" / "fixture-demo.yaml"
    scenario.parent.mkdir()
    scenario.write_text(f"title: would touch\nsteps:\n  - id: touch\n    run: touch {marker}\n")
    app = make_app(start=DEMO_SLIDE, demos=DemoStage(scenario.parent, mode="replay"))
    async with app.run_test(size=(120, 40)) as pilot:
        runtime = app.screen.demo
        assert runtime is not None and runtime.executor is None
        await pilot.press("enter")
        await pilot.pause(0.2)
        text = _pane(app, "local").model.plain().replace("\n", "")  # rows wrap at the pane width
        assert f"touch {marker}" in text and "not recorded yet" in text
        assert runtime.status["touch"] is StepStatus.SHOWN
    assert not marker.exists()


async def test_live_runs_each_step_on_enter_and_leaves_no_process():
    app = _app(live=True)
    async with app.run_test(size=(120, 40)) as pilot:
        runtime = app.screen.demo
        await until(pilot, lambda: "local" in runtime.executor.sessions and "side" in runtime.executor.sessions)
        shells = [s.pid for s in runtime.executor.sessions.values()]
        for _ in range(5):
            await pilot.press("enter")
            await until(pilot, lambda: not runtime.busy)
        assert all(runtime.status[s.id] is StepStatus.PASSED for s in runtime.scenario.steps)
        await until(pilot, lambda: "3" in _pane(app, "local").model.plain())
        assert "hello from the main pane" in _pane(app, "local").model.plain()
        assert "the side pane has its own shell" in _pane(app, "side").model.plain()
        rows = app.screen.query_one(StepList).rows
        assert rows["greet"].status is StepStatus.PASSED and rows["greet"].elapsed is not None
    assert [pid for sid in shells for pid in session_members(sid)] == []


async def test_tab_types_into_the_shell_and_ctrl_bracket_gives_the_keys_back():
    app = _app(live=True)
    async with app.run_test(size=(120, 40)) as pilot:
        runtime = app.screen.demo
        await until(pilot, lambda: "local" in runtime.executor.sessions)
        await until(pilot, lambda: "demo:" in _pane(app, "local").model.plain())
        await pilot.press("tab")
        assert app.focused is _pane(app, "local")
        await pilot.press(*"echo $((40+2))", "enter")
        await until(pilot, lambda: "\n42" in _pane(app, "local").model.plain())
        await pilot.press("ctrl+right_square_bracket")
        assert app.focused is None
        await pilot.press("right")  # keys drive the slides again
        assert app.screen.index == DEMO_SLIDE + 1


async def test_ctrl_c_interrupts_a_running_step(tmp_path: Path):
    scenario = tmp_path / "scenarios" / "fixture-demo.yaml"
    scenario.parent.mkdir()
    scenario.write_text("title: long\nsteps:\n  - id: long\n    run: sleep 30\n  - id: after\n    run: echo after\n")
    app = make_app(start=DEMO_SLIDE, demos=DemoStage(scenario.parent, mode="live"))
    async with app.run_test(size=(120, 40)) as pilot:
        runtime = app.screen.demo
        await pilot.press("enter")
        await until(pilot, lambda: runtime.status["long"] is StepStatus.RUNNING)
        await pilot.pause(0.3)
        await pilot.press("ctrl+c")
        await until(pilot, lambda: runtime.status["long"] is StepStatus.INTERRUPTED)
        await pilot.press("R")  # rerun, then skip it while it runs
        await until(pilot, lambda: runtime.status["long"] is StepStatus.RUNNING)
        await pilot.press("S")
        await until(pilot, lambda: runtime.status["long"] is StepStatus.SKIPPED)
        await pilot.press("enter")
        await until(pilot, lambda: runtime.status["after"] is StepStatus.PASSED)


async def test_a_missing_scenario_shows_a_located_error_and_the_talk_goes_on(tmp_path: Path):
    app = make_app(start=DEMO_SLIDE, demos=DemoStage(tmp_path, mode="replay"))
    async with app.run_test(size=(120, 40)) as pilot:
        error = app.screen.query_one(".demo-error")
        assert "no scenario named 'fixture-demo'" in str(error.render())
        await pilot.press("enter", "right")
        assert app.screen.index == DEMO_SLIDE + 1


@pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=["120x40", "80x24"])
def test_snapshot_demo_slide_in_replay(snap_compare, size):
    async def run_before(pilot) -> None:
        await pilot.press("enter", "enter", "enter")
        await pilot.pause(SIZE_SYNC + 0.1)  # the panes' scrollable size has caught up

    assert snap_compare(_app(live=False), terminal_size=size, run_before=run_before)
