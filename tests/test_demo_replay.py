"""Demo slides with recordings: replay by default, --auto per step, FALLBACK after a live failure."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import make_app, until
from tui.demostage import DemoStage
from tui.engine.events import StepStatus
from tui.widgets.demo_panel import DemoPanel
from tui.widgets.terminal_pane import SIZE_SYNC

SCENARIOS = Path(__file__).parent / "scenarios"
DEMO_SLIDE = 7  # 0-based: "A demo slide" binds fixture-demo


@pytest.fixture(scope="module")
def recordings(fixture_demo_recordings: Path) -> Path:
    return fixture_demo_recordings


def _panel(app) -> DemoPanel:
    return app.screen.query_one(DemoPanel)



async def test_replay_plays_the_recording_into_the_pane(recordings: Path):
    app = make_app(start=DEMO_SLIDE, demos=DemoStage(SCENARIOS, mode="replay", recordings=recordings))
    async with app.run_test(size=(120, 40)) as pilot:
        runtime = app.screen.demo
        assert runtime.executor is None  # replay never runs anything
        await pilot.press("enter", "enter")  # narration, then the first recorded step
        await until(pilot, lambda: runtime.status["greet"] is StepStatus.PASSED)
        assert "hello from the main pane" in _panel(app).pane("local").model.plain()
        assert _panel(app).badge == "REPLAY"


async def test_replay_without_a_recording_says_so(tmp_path: Path):
    app = make_app(start=DEMO_SLIDE, demos=DemoStage(SCENARIOS, mode="replay", recordings=tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("enter", "enter")
        await pilot.pause(0.1)
        assert "not recorded yet" in _panel(app).pane("local").model.plain()


async def test_auto_replays_a_step_whose_target_fails_preflight(recordings: Path, tmp_path: Path):
    lab = tmp_path / "lab.yaml"  # `local` points at a shell that does not exist: its preflight fails
    lab.write_text("targets:\n  local: {kind: local, shell: no-such-shell-flatdeck}\n")
    app = make_app(start=DEMO_SLIDE, demos=DemoStage(SCENARIOS, lab=lab, mode="auto", recordings=recordings))
    async with app.run_test(size=(120, 40)) as pilot:
        runtime = app.screen.demo
        await pilot.press("enter", "enter")
        await until(pilot, lambda: runtime.status["greet"] is StepStatus.PASSED)
        assert _panel(app).badge == "REPLAY"
        assert "hello from the main pane" in _panel(app).pane("local").model.plain()


async def test_auto_runs_live_when_the_target_answers(recordings: Path):
    app = make_app(start=DEMO_SLIDE, demos=DemoStage(SCENARIOS, mode="auto", recordings=recordings))
    async with app.run_test(size=(120, 40)) as pilot:
        runtime = app.screen.demo
        await until(pilot, lambda: "local" in runtime.executor.sessions)
        await pilot.press("enter", "enter")
        await until(pilot, lambda: runtime.status["greet"] is StepStatus.PASSED)
        assert _panel(app).badge == "LIVE"


async def test_a_failed_live_step_falls_back_to_its_recording(recordings: Path, tmp_path: Path):
    broken = tmp_path / "scenarios"
    broken.mkdir()
    # same scenario name and step ids as the recording, but the live command now fails
    text = (SCENARIOS / "fixture-demo.yaml").read_text().replace("from the main pane\\n'", "from the main pane\\n'; false")
    (broken / "fixture-demo.yaml").write_text(text)
    app = make_app(start=DEMO_SLIDE, demos=DemoStage(broken, mode="auto", recordings=recordings))
    async with app.run_test(size=(120, 40)) as pilot:
        runtime = app.screen.demo
        await pilot.press("enter", "enter")
        await until(pilot, lambda: runtime.status["greet"] is StepStatus.FAILED)
        await pilot.press("F")
        await until(pilot, lambda: _panel(app).badge == "FALLBACK" or runtime.status["greet"] is StepStatus.PASSED)
        await until(pilot, lambda: runtime.status["greet"] is StepStatus.PASSED)
        assert "fallback" in _panel(app).query_one("StepList").rows["greet"].message
        assert _panel(app).badge == "LIVE"  # back to live for the next step


def test_snapshot_demo_slide_replaying_a_recording(snap_compare, recordings: Path):
    async def run_before(pilot) -> None:
        await until(pilot, lambda: pilot.app.screen.demo is not None)
        runtime = pilot.app.screen.demo
        await pilot.press("enter", "enter")
        await until(pilot, lambda: runtime.status["greet"] is StepStatus.PASSED)
        await pilot.press("enter")  # the side pane's step
        await until(pilot, lambda: runtime.status["side"] is StepStatus.PASSED)
        await pilot.pause(SIZE_SYNC + 0.1)  # the panes' scrollable size has caught up

    app = make_app(start=DEMO_SLIDE, demos=DemoStage(SCENARIOS, mode="replay", recordings=recordings))
    assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)
