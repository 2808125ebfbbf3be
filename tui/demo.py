"""One demo on stage: a scenario and how its steps are played. The UI drives it; no Textual here.

Modes (see DESIGN.md): `replay` plays each step's recording, or shows its command marked "not
recorded yet", and never executes anything; `live` runs steps through the executor; `record` is
live and writes every pane to assets/recordings/; `auto` runs a step live when its target passes
a quick preflight, else replays it, and a live step that fails can fall back to its recording;
`guided` is live for an attendee working through the demos alone: checks say pass or fail with what
they printed and can be run again, and progress restored from an earlier run (tui/guided/) shows in
the step list while a fresh shell waits for the setup to run again.
"""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path
from typing import Callable

from tui.engine.drivers import drivers_for
from tui.engine.events import (EventBus, ModeChanged, Narration, PaneNotice, PaneOutput, ResourceEvents,
                               Resumed, StepFinished, StepStarted, StepStatus)
from tui.engine.executor import Executor
from tui.engine.session import SessionError
from tui.engine.shell import current_line, plain_text
from tui.recording.asciicast import Cast, read_cast
from tui.recording.kubelog import read_kubelog
from tui.recording.replay import KubeReplayer, Replayer
from tui.recording.store import Manifest, recorded_casts
from tui.scenario.inventory import Inventory, default_inventory
from tui.scenario.model import Scenario, Step
from tui.scenario.variables import shown_command, values_for
from tui.errors import LoadError

MODES = ("replay", "live", "auto", "record", "guided")
BADGES = {"replay": "REPLAY", "live": "LIVE", "record": "REC", "auto": "LIVE", "guided": "GUIDED"}
CLEANUP_TIMEOUT = 20.0  # leaving the talk must not hang on a cleanup step
DIM, RESET = "\x1b[2m", "\x1b[0m"
PROMPT = "\x1b[1;32mdemo\x1b[0m:\x1b[1;34m~\x1b[0m$ "
REPLAY_LAB = default_inventory()  # replay touches no lab: scenario defaults fill the commands shown


class DemoRuntime:
    def __init__(self, scenario: Scenario, inventory: Inventory, mode: str = "replay", type_delay: float = 0.0,
                 pane_size: Callable[[str], tuple[int, int]] = lambda pane: (80, 24),
                 recordings: Path | None = None):
        assert mode in MODES
        self.scenario, self.mode, self.recordings = scenario, mode, recordings
        self.bus = EventBus()
        self.values = values_for(scenario, inventory.vars)
        runs = mode != "replay"
        self.drivers = drivers_for(inventory) if runs else {}
        self.executor = Executor(scenario, self.drivers, self.values, self.bus, type_delay, pane_size) if runs else None
        if mode == "record" and recordings is not None:
            from tui.recording.recorder import Recorder
            from tui.recording.redact import Redactor

            lab = str(inventory.path) if inventory.path else "default (local only)"
            self.bus.subscribe(Recorder(scenario, recordings, Redactor(inventory.redact), lab, pane_size))
        self.manifest = Manifest.load(recordings / scenario.name) if recordings is not None else None
        self.status: dict[str, StepStatus] = {s.id: StepStatus.PENDING for s in scenario.all_steps}
        self.bus.subscribe(self._track)
        self.badge = BADGES[mode]
        self.last: Step | None = None
        self.failed: Step | None = None  # the last live step that failed: what `fallback` replays
        self._task: asyncio.Task | None = None
        self._replayers: list[Replayer] = []
        self._setup_done = not scenario.setup
        self._preflight: dict[str, bool] = {}
        self._tails: dict[str, str] = {}  # the line each pane's replay ended on (its prompt)
        self._at_once = False  # play recordings without their timing (`play_all`)
        self._ran_here = False  # a step started in this run (restored progress does not count)
        self._checks_run: list[Step] = []  # checks in the order they last ran: `c` runs one again
        self._restored: dict[str, tuple[StepStatus, str, str]] = {}  # guided: step id → (status, message, output)

    @property
    def live(self) -> bool:
        return self.executor is not None

    @property
    def busy(self) -> bool:
        return self._task is not None and not self._task.done()

    def _track(self, event) -> None:
        if isinstance(event, StepStarted):
            self._ran_here = True
            self.status[event.step_id] = StepStatus.RUNNING
        elif isinstance(event, StepFinished):
            self.status[event.step_id] = event.status

    def _set_badge(self, badge: str) -> None:
        if badge != self.badge:
            self.badge = badge
            self.bus.publish(ModeChanged(badge))

    def next_step(self) -> Step | None:
        return next((s for s in self.scenario.steps if not self.status[s.id].done), None)

    def has_recording(self, step: Step) -> bool:
        return self.recordings is not None and bool(recorded_casts(self.recordings, self.scenario, step))

    def restore(self, statuses: dict[str, tuple[StepStatus, str, str]]) -> None:
        """Guided: main steps done in an earlier run, as (status, message, a check's output). The
        shell is new, so the setup steps stay pending and run again before the next step."""
        main = {s.id for s in self.scenario.steps}
        self._restored = {k: v for k, v in statuses.items() if k in main and v[0].done}
        for step_id, (status, _, _) in self._restored.items():
            self.status[step_id] = status

    def _announce_restored(self) -> None:
        """Tell the step list what an earlier run did (once, when the demo is first on screen)."""
        restored, self._restored = self._restored, {}
        if not restored:
            return
        for step_id, (status, message, output) in restored.items():
            self.bus.publish(StepFinished(step_id, status, None, 0.0, message, output))
        nxt = self.next_step()
        self.bus.publish(Resumed(tuple(restored), len(self.scenario.steps), nxt.id if nxt else None,
                                 bool(self.scenario.setup)))

    async def open_panes(self) -> None:
        """Live: start every pane's shell as soon as the demo is on screen, so its prompt shows and
        the presenter can type into it before the first step. A pane that cannot open says why.
        Guided: first show what an earlier run had done."""
        if self.executor is None:
            return
        self._announce_restored()
        for pane in self.scenario.panes:
            if pane in self.scenario.kube_panes:
                continue  # a kube pane starts watching with its step
            step = next(s for s in self.scenario.all_steps if s.uses_pane and s.pane_name == pane)
            if self.mode == "auto" and not await self._target_ok(step.target):
                continue
            try:
                await self.executor.session(step)
            except SessionError as exc:
                self.bus.publish(PaneOutput(pane, f"\x1b[31m{exc}\x1b[0m\r\n"))

    # what the presenter's keys do ---------------------------------------------------------------
    def advance(self) -> asyncio.Task | None:
        """Enter: play the next step (after the setup steps, the first time); while a recording
        plays, show the rest of it at once."""
        if self._replayers:
            for replayer in self._replayers:
                replayer.finish()
            return None
        if self.busy:
            return None  # a live command is running: Enter does not queue another one
        step = self.next_step()
        if step is None:
            return None
        if self._instant(step):
            self._play_now(step)  # at once, so a quick second Enter is not lost to a pending task
            return None
        return self._start(self._play_with_setup(step))

    async def play_all(self) -> None:
        """Replay: every remaining step at once, recordings without their timing, so the panes
        show the demo's end state (`flatdeck export`). Runs nothing: replay mode only."""
        if self.executor is not None:
            raise RuntimeError("play_all is for replay mode; a live demo runs at the presenter's pace")
        self._at_once = True
        while (step := self.next_step()) is not None:
            task = self.advance()
            if task is not None:
                await task
            if self.next_step() is step:  # nothing moved it on: stop rather than loop
                break

    def rerun(self) -> asyncio.Task | None:
        """R: play the last step again."""
        if self.busy or self.last is None:
            return None
        if self._instant(self.last):
            self._play_now(self.last)
            return None
        return self._start(self._play(self.last))

    def recheck(self) -> asyncio.Task | None:
        """c (guided): run a check again after fixing things — the last one that failed, else the
        last one that ran, else one that failed in an earlier run."""
        if self.executor is None or self.busy:
            return None
        failed = [s for s in self._checks_run if self.status[s.id].done and not self.status[s.id].ok]
        earlier = [s for s in self.scenario.steps if s.kind == "check" and self.status[s.id].done
                   and not self.status[s.id].ok]
        step = (failed or self._checks_run or earlier or [None])[-1]
        if step is None:
            return None
        return self._start(self._play(step))

    def catch_up(self) -> asyncio.Task | None:
        """u (guided): after a restart the shell is new: run the setup again, then every `run` step
        that had passed, in order, so the shell is where it was (directory, variables). Stops at the
        first step that fails."""
        if self.executor is None or self.busy:
            return None
        steps = [s for s in self.scenario.steps if s.kind == "run" and self.status[s.id] is StepStatus.PASSED]
        return self._start(self._rebuild([*self.scenario.setup, *steps]))

    async def _rebuild(self, steps: list[Step]) -> None:
        self._setup_done = True
        for step in steps:
            await self._play(step)
            if not self.status[step.id].ok:
                return

    def fallback(self) -> asyncio.Task | None:
        """F: a live step failed on stage — replay its recording in its place."""
        step = self.failed
        if self.busy or step is None or not self.has_recording(step):
            return None
        return self._start(self._replay(step, fallback=True))

    def skip(self) -> None:
        """S: skip the running step, or the next one."""
        if self.executor is not None and self.busy and not self._replayers:
            self.executor.skip()
            return
        if self._replayers:
            for replayer in self._replayers:
                replayer.finish()
            return
        step = self.next_step()
        if step is not None and not self.busy:
            self.bus.publish(StepFinished(step.id, StepStatus.SKIPPED, None, 0.0, "skipped"))

    def interrupt(self) -> None:
        if self.executor is not None:
            self.executor.interrupt()

    def toggle_pause(self) -> None:
        for replayer in self._replayers:
            replayer.toggle_pause()

    def next_marker(self) -> None:
        for replayer in self._replayers:
            replayer.next_marker()

    def type_into(self, pane: str, data: str) -> None:
        """Keys typed into a focused pane go to its shell (live only: nothing runs in replay)."""
        if self.executor is not None and pane in self.executor.sessions:
            self.executor.sessions[pane].write(data)

    def resize(self, pane: str, cols: int, rows: int) -> None:
        if self.executor is not None:
            self.executor.resize(pane, cols, rows)

    async def close(self) -> None:
        """Leaving the talk: run cleanup if the demo ran anything, then end every shell."""
        for replayer in self._replayers:
            replayer.finish()
        if self._task is not None and not self._task.done():
            self.interrupt()
            self._task.cancel()
        if self.executor is None:
            return
        ran = any(s is not StepStatus.PENDING for s in self.status.values())
        if self.mode == "guided":
            # an attendee who stops half-way resumes later on the same lab: clean up only once done
            ran = self._ran_here and all(self.status[s.id].done for s in self.scenario.steps)
        if ran:
            try:
                await asyncio.wait_for(self._cleanup(), CLEANUP_TIMEOUT)
            except (asyncio.TimeoutError, asyncio.CancelledError):
                pass
        await self.executor.close()

    # playing ----------------------------------------------------------------------------------
    def _instant(self, step: Step) -> bool:
        """Nothing to wait for: a `say` (once setup is done), or a replayed step with no recording."""
        if step.kind == "say":
            return self._setup_done or self.executor is None
        return self.executor is None and not self.has_recording(step)

    def _start(self, coro) -> asyncio.Task:
        self._task = asyncio.get_running_loop().create_task(coro)
        return self._task

    async def _play_with_setup(self, step: Step) -> None:
        if not self._setup_done:
            self._setup_done = True
            for setup in self.scenario.setup:
                await self._play(setup)
                if not self.status[setup.id].ok:
                    return
        await self._play(step)

    async def _play(self, step: Step) -> None:
        self.last = step
        if step.kind == "check":
            self._checks_run = [s for s in self._checks_run if s is not step] + [step]
        if self._instant(step):
            self._play_now(step)
        elif await self._runs_live(step):
            self._set_badge({"record": "REC", "guided": "GUIDED"}.get(self.mode, "LIVE"))
            result = await self.executor.run_step(step)  # type: ignore[union-attr]
            if not result.status.ok:
                self.failed = step
        else:
            await self._replay(step)

    async def _runs_live(self, step: Step) -> bool:
        if self.executor is None:
            return False
        if self.mode != "auto" or not step.uses_target:
            return True
        return await self._target_ok(step.target) or not self.has_recording(step)

    async def _target_ok(self, target: str) -> bool:
        """auto: a quick preflight per target, once; a target that fails it is replayed."""
        if target not in self._preflight:
            driver = self.drivers.get(target)
            self._preflight[target] = driver is not None and await driver.preflight()
        return self._preflight[target]

    def _play_now(self, step: Step) -> None:
        self.last = step
        if step.kind == "say":
            self.bus.publish(StepStarted(step.id, None, None))
            self.bus.publish(Narration(step.id, step.text or ""))
            self.bus.publish(StepFinished(step.id, StepStatus.PASSED, None, 0.0))
        else:
            self._show(step)

    async def _replay(self, step: Step, fallback: bool = False) -> None:
        """Play the step's recorded casts in their panes, with their real timing."""
        self._set_badge("FALLBACK" if fallback else "REPLAY")
        casts = recorded_casts(self.recordings, self.scenario, step) if self.recordings else {}
        if not casts:
            self._show(step)
            return
        self.bus.publish(StepStarted(step.id, step.pane_name if step.uses_pane else None, None))
        try:
            self._replayers = [self._replayer(pane, path) for pane, path in casts.items()]
        except LoadError as exc:
            self._replayers = []
            self.bus.publish(StepFinished(step.id, StepStatus.FAILED, None, 0.0, f"recording unreadable: {exc.errors[0]}"))
            return
        if self._at_once:
            for replayer in self._replayers:
                replayer.finish()
        try:
            await asyncio.gather(*(replayer.play() for replayer in self._replayers))
        finally:
            self._replayers = []
        record = self.manifest.steps.get(step.id) if self.manifest else None
        status = StepStatus(record.status) if record and record.status in {s.value for s in StepStatus} else StepStatus.PASSED
        # no elapsed time: a replay's pace is the recording's, not the lab's
        self.bus.publish(StepFinished(step.id, status, record.exit_code if record else None, 0.0,
                                      "fallback: the recording" if fallback else "replayed"))
        if fallback:
            self.failed = None
            self._set_badge("LIVE")

    def _replayer(self, pane: str, path: Path) -> Replayer:
        if pane in self.scenario.kube_panes:
            def emit(events: tuple, replace: bool, at: float | None) -> None:
                self.bus.publish(ResourceEvents(pane, events, replace, at))

            return KubeReplayer(read_kubelog(path), emit)
        return Replayer(self._without_repeated_prompt(pane, read_cast(path)), self._emitter(pane))

    def _emitter(self, pane: str) -> Callable[[str], None]:
        def emit(text: str) -> None:
            self._tails[pane] = current_line(self._tails.get(pane, ""), text)
            self.bus.publish(PaneOutput(pane, text))

        return emit

    def _without_repeated_prompt(self, pane: str, cast: Cast) -> Cast:
        """A cast starts with the prompt its command was typed at; when the previous step's cast
        already ended on that prompt, the pane shows it once, not twice."""
        first = next((i for i, e in enumerate(cast.events) if e.code == "o"), None)
        shown = plain_text(self._tails.get(pane, "")).strip()
        if first is None or not shown or plain_text(cast.events[first].data).strip() != shown:
            return cast
        return dataclasses.replace(cast, events=cast.events[:first] + cast.events[first + 1:])

    def _show(self, step: Step) -> None:
        """Replay without a recording: show what would be typed and what is expected, run nothing."""
        self.bus.publish(StepStarted(step.id, step.pane_name if step.uses_pane else None, None))
        if step.uses_pane and step.command:
            expected = step.expect.output if step.expect and step.expect.output else None
            note = f"not recorded yet — expected output: /{expected}/" if expected else "not recorded yet"
            typed = shown_command(step.command, self.values).strip().replace("\n", "\r\n> ")
            self.bus.publish(PaneOutput(step.pane_name, f"{PROMPT}{typed}\r\n{DIM}# {note}{RESET}\r\n"))
        elif step.kube is not None:
            self.bus.publish(PaneNotice(step.pane_name, f"{step.kube.summary()} — not recorded yet: it would watch "
                                                        f"{step.target} here", "info"))
        self.bus.publish(StepFinished(step.id, StepStatus.SHOWN, None, 0.0, "not recorded yet"))

    async def _cleanup(self) -> None:
        for step in self.scenario.cleanup:
            if self.status[step.id] is StepStatus.PENDING:
                await self.executor.run_step(step)  # type: ignore[union-attr]
