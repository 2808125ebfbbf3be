"""Self-guided mode in the app: real local steps and checks (pass, fail, fixed and run again),
progress saved to the XDG state directory and resumed by a second app run, corrupt files."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from conftest import FIXTURES, make_app, until
from tui.cli import main
from tui.demostage import DemoStage
from tui.engine.events import StepStatus
from tui.guided.progress import Progress
from tui.guided.session import open_guided
from tui.widgets.demo_panel import DemoPanel
from tui.widgets.guide_box import GuideBox
from tui.widgets.help_panel import HelpPanel
from tui.widgets.step_list import StepList
from tui.widgets.terminal_pane import SIZE_SYNC

GUIDED_DECK = FIXTURES / "guided-deck.md"
SCENARIOS = Path(__file__).parent / "scenarios"
DEMO_SLIDE = 3  # 1-based: "Make a greeting" binds guided-lab
SLIDES = 4


def _lab(home: Path) -> Path:
    """The attendee's lab: the local shell, starting in `home` (also $HOME, so the prompt reads ~)."""
    lab = home / "lab.yaml"
    lab.write_text(f"targets:\n  local: {{kind: local, cwd: '{home}', env: {{HOME: '{home}'}}}}\n")
    return lab


def _app(home: Path, slide: int | None = None, restart: bool = False):
    """What `flatdeck present --guided --lab LAB [--slide N] [--restart]` builds."""
    guided = open_guided(GUIDED_DECK, SLIDES, slide, restart)
    stage = DemoStage(SCENARIOS, _lab(home), "guided", progress=guided.progress, notices=guided.notices)
    return make_app(GUIDED_DECK, guided.start, demos=stage), guided


def _saved() -> dict:
    return json.loads(Progress(GUIDED_DECK).file.read_text())


def _guide_text(app) -> str:
    box = app.screen.query_one(GuideBox)
    return box.plain if box.display else ""


def _pane_text(app) -> str:
    return app.screen.query_one(DemoPanel).pane("local").model.plain()


async def _step(pilot, runtime, key: str = "enter") -> None:
    """Press `key` and wait until what it started has finished (a check can take milliseconds)."""
    before = runtime._task
    await pilot.press(key)
    await until(pilot, lambda: runtime._task is not before and not runtime.busy)


async def _first_steps(pilot, app, checks: int) -> None:
    """Enter through the setup, the narration, `write` and `checks` of the two checks."""
    runtime = app.screen.demo
    await until(pilot, lambda: "local" in runtime.executor.sessions)
    for _ in range(2 + checks):
        await _step(pilot, runtime)


async def test_guided_runs_steps_and_checks_which_pass_fail_and_pass_after_a_fix(tmp_path: Path):
    app, _ = _app(tmp_path, slide=DEMO_SLIDE)
    async with app.run_test(size=(120, 40)) as pilot:
        runtime = app.screen.demo
        assert runtime.badge == "GUIDED" and runtime.live
        await _first_steps(pilot, app, checks=2)
        status = runtime.status
        assert status["workdir"] is StepStatus.PASSED  # setup ran first, in the pane's shell
        assert status["write"] is StepStatus.PASSED and (tmp_path / "lab" / "greeting.txt").read_text() == "hello\n"
        assert status["greeting-there"] is StepStatus.PASSED
        assert status["flag-ready"] is StepStatus.FAILED
        rows = app.screen.query_one(StepList).rows
        assert rows["flag-ready"].status is StepStatus.FAILED
        assert "lab/flag.txt does not say ready yet" in rows["flag-ready"].message
        guide = _guide_text(app)
        assert "✗ check failed: flag.txt says ready" in guide
        # what the check printed, and how to try again
        assert "cat: lab/flag.txt: No such file or directory" in guide
        assert "FAIL: lab/flag.txt does not say ready yet" in guide and "press c" in guide
        saved = _saved()["demos"]["guided-lab"]
        assert saved["steps"] == {"intro": "passed", "write": "passed", "greeting-there": "passed",
                                  "flag-ready": "failed"}
        assert "FAIL: lab/flag.txt does not say ready yet" in saved["checks"]["flag-ready"]["output"]

        # the attendee fixes it in the demo's shell, comes back and runs the check again
        await pilot.press("tab")
        await pilot.press(*"echo ready > flag.txt", "enter")
        await until(pilot, lambda: (tmp_path / "lab" / "flag.txt").exists())
        await pilot.press("ctrl+right_square_bracket")
        await _step(pilot, runtime, "c")
        assert runtime.status["flag-ready"] is StepStatus.PASSED
        assert "✓ check passed: flag.txt says ready — ready" in _guide_text(app)
        assert _saved()["demos"]["guided-lab"]["checks"]["flag-ready"] == {"status": "passed", "message": "",
                                                                          "output": "ready\n"}
    # stopped half-way: the lab is kept for next time (cleanup runs once every step is done)
    assert (tmp_path / "lab" / "greeting.txt").exists()


async def test_progress_survives_a_restart_and_u_rebuilds_the_shell(tmp_path: Path):
    app, _ = _app(tmp_path, slide=DEMO_SLIDE)
    async with app.run_test(size=(120, 40)) as pilot:
        await _first_steps(pilot, app, checks=1)
    assert _saved()["slide"] == DEMO_SLIDE

    # a second run, as `flatdeck present --guided` again: back on the demo slide, steps restored
    app, guided = _app(tmp_path)
    assert guided.start == DEMO_SLIDE - 1
    assert any("Welcome back: resuming at slide 3 with 3 demo steps done" in n for n in guided.notices)
    async with app.run_test(size=(120, 40)) as pilot:
        assert app.screen.index == DEMO_SLIDE - 1
        runtime = app.screen.demo
        await until(pilot, lambda: app.screen.query_one(GuideBox).display)
        rows = app.screen.query_one(StepList).rows
        assert [rows[i].status for i in ("workdir", "intro", "write", "greeting-there", "flag-ready")] == \
            [StepStatus.PENDING, StepStatus.PASSED, StepStatus.PASSED, StepStatus.PASSED, StepStatus.PENDING]
        assert app.screen.query_one(StepList).next_id == "flag-ready"
        guide = _guide_text(app)
        assert "Resumed: 3 of 5 steps were done in an earlier run" in guide and "This shell is new" in guide
        assert "runs the setup again, then ‘flag.txt says ready’" in guide
        await until(pilot, lambda: "demo:~$" in _pane_text(app))
        await _step(pilot, runtime, "u")  # setup, then `write` again: the shell is in lab/ once more
        assert runtime.status["workdir"] is StepStatus.PASSED and runtime.status["write"] is StepStatus.PASSED
        assert "demo:~/lab$" in _pane_text(app)
        assert "Resumed" not in _guide_text(app)  # the notice goes once steps run
        (tmp_path / "lab" / "flag.txt").write_text("ready\n")
        await _step(pilot, runtime)  # the check
        assert runtime.status["flag-ready"] is StepStatus.PASSED
        await _step(pilot, runtime)  # `cat greeting.txt flag.txt`, relative: needs the rebuilt shell
        assert runtime.status["show"] is StepStatus.PASSED
        assert "hello\nready" in _pane_text(app)
    # every step done: leaving ran the cleanup
    assert not (tmp_path / "lab").exists()
    assert set(_saved()["demos"]["guided-lab"]["steps"].values()) == {"passed"}


async def test_enter_after_a_restart_runs_the_setup_again_first(tmp_path: Path):
    app, _ = _app(tmp_path, slide=DEMO_SLIDE)
    async with app.run_test(size=(120, 40)) as pilot:
        await _first_steps(pilot, app, checks=0)
    (tmp_path / "lab").rename(tmp_path / "gone")  # the setup must make it again
    app, _ = _app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        runtime = app.screen.demo
        await until(pilot, lambda: "local" in runtime.executor.sessions)
        await _step(pilot, runtime)
        assert runtime.status["workdir"] is StepStatus.PASSED and (tmp_path / "lab").is_dir()
        assert runtime.status["greeting-there"] is StepStatus.FAILED  # no greeting.txt in the new lab/
        assert "lab/greeting.txt does not say hello" in _guide_text(app)


async def test_restart_forgets_the_progress(tmp_path: Path):
    app, _ = _app(tmp_path, slide=DEMO_SLIDE)
    async with app.run_test(size=(120, 40)) as pilot:
        await _first_steps(pilot, app, checks=1)
    app, guided = _app(tmp_path, restart=True)
    assert guided.start == 0 and any("forgotten" in n for n in guided.notices)
    assert _saved()["demos"] == {}
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("right", "right")
        runtime = app.screen.demo
        await until(pilot, lambda: "local" in runtime.executor.sessions)
        assert all(s is StepStatus.PENDING for s in runtime.status.values())
        assert not app.screen.query_one(GuideBox).display
    assert _saved()["slide"] == DEMO_SLIDE


CORRUPT = {
    "truncated": b'{"format": 1, "slide": ',
    "binary": b"\xff\xfe\x00junk",
    "not-an-object": b"[1, 2]",
    "bad-slide": None,  # filled in below: right deck, slide "three"
    "bad-status": None,
}


@pytest.mark.parametrize("kind", list(CORRUPT))
async def test_a_corrupt_progress_file_says_so_and_starts_afresh(tmp_path: Path, kind: str):
    progress = Progress(GUIDED_DECK)
    progress.file.parent.mkdir(parents=True, exist_ok=True)
    good = {"format": 1, "deck": str(GUIDED_DECK.resolve()), "slide": 3, "demos": {}}
    if kind == "bad-slide":
        data = json.dumps({**good, "slide": "three"}).encode()
    elif kind == "bad-status":
        data = json.dumps({**good, "demos": {"guided-lab": {"steps": {"write": "sort of"}}}}).encode()
    else:
        data = CORRUPT[kind]
    progress.file.write_bytes(data)
    app, guided = _app(tmp_path)
    assert guided.start == 0
    notice = " ".join(guided.notices)
    assert f"Saved progress could not be used — {progress.file}" in notice and "Starting from the beginning" in notice
    assert progress.file.with_name(progress.file.name + ".corrupt").read_bytes() == data  # kept for a look
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        assert app.screen.index == 0
        await until(pilot, lambda: any("could not be used" in str(t.render()) for t in app.screen.query("Toast")))
        await pilot.press("right")
        await until(pilot, lambda: _saved()["slide"] == 2)


async def test_a_progress_file_that_is_a_directory_is_set_aside(tmp_path: Path):
    Progress(GUIDED_DECK).file.mkdir(parents=True)
    _, guided = _app(tmp_path)
    assert "is a directory" in " ".join(guided.notices)
    assert _saved()["slide"] == 1


def test_progress_that_cannot_be_saved_is_said_once(tmp_path: Path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    guided = open_guided(GUIDED_DECK, SLIDES, directory=blocker / "progress")
    assert any("cannot save progress" in n and "will not be kept" in n for n in guided.notices)


def test_an_explicit_slide_wins_and_a_shrunk_deck_clamps(tmp_path: Path):
    progress = Progress(GUIDED_DECK)
    progress.slide = 4
    assert progress.save()
    assert open_guided(GUIDED_DECK, SLIDES, slide=2).start == 1
    progress.slide = 9  # the deck had more slides when the progress was saved
    assert progress.save()
    assert open_guided(GUIDED_DECK, SLIDES).start == SLIDES - 1


async def test_the_guided_keys_exist_only_in_guided_mode(tmp_path: Path):
    app, _ = _app(tmp_path, slide=1)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("question_mark")
        descriptions = [d for _, d in app.screen.query_one(HelpPanel).rows]
        assert "Run the check again" in descriptions
        assert "Run the check again" in {c.title for c in app.get_system_commands(app.screen)}
    app = make_app(GUIDED_DECK, demos=DemoStage(SCENARIOS, mode="live"))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("question_mark")
        descriptions = [d for _, d in app.screen.query_one(HelpPanel).rows]
        assert "Run the check again" not in descriptions
        assert "Run the check again" not in {c.title for c in app.get_system_commands(app.screen)}


def test_restart_without_guided_is_refused(capsys):
    assert main(["present", str(GUIDED_DECK), "--restart"]) == 2
    assert "--restart forgets --guided progress" in capsys.readouterr().err


def test_snapshot_guided_step_list_after_a_restart(snap_compare, tmp_path: Path):
    """What the attendee sees on coming back: steps done earlier, the failed check with what it
    printed, and what a new shell means. The first run is real (steps and checks on this machine)."""

    async def first_run() -> None:
        app, _ = _app(tmp_path, slide=DEMO_SLIDE)
        async with app.run_test(size=(120, 40)) as pilot:
            await _first_steps(pilot, app, checks=2)

    asyncio.run(first_run())
    app, _ = _app(tmp_path)
    app.demos.notices.clear()  # the welcome toast is tested above; it would fade mid-snapshot

    async def run_before(pilot) -> None:  # the screen may still be building the demo panel
        await until(pilot, lambda: any(box.display for box in pilot.app.screen.query(GuideBox)))
        await until(pilot, lambda: "demo:~$" in _pane_text(pilot.app))
        await pilot.pause(SIZE_SYNC + 0.1)

    assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)
