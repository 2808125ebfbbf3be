"""One demo on stage: a scenario and how its steps are played — live through the executor, or,
without --live, shown without executing anything. The UI drives it; it never imports Textual.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Callable

from tui.engine.drivers import drivers_for
from tui.engine.events import EventBus, Narration, PaneOutput, StepFinished, StepStarted, StepStatus
from tui.engine.executor import Executor
from tui.engine.session import SessionError
from tui.scenario.inventory import Inventory, default_inventory
from tui.scenario.model import Scenario, Step
from tui.scenario.variables import substitute, values_for

CLEANUP_TIMEOUT = 20.0  # leaving the talk must not hang on a cleanup step
DIM, RESET = "\x1b[2m", "\x1b[0m"
PROMPT = "\x1b[1;32mdemo\x1b[0m:\x1b[1;34m~\x1b[0m$ "
REPLAY_LAB = default_inventory()  # replay touches no lab: scenario defaults fill the commands shown


class DemoRuntime:
    def __init__(self, scenario: Scenario, inventory: Inventory, live: bool, type_delay: float = 0.0,
                 pane_size: Callable[[str], tuple[int, int]] = lambda pane: (80, 24)):
        self.scenario = scenario
        self.live = live
        self.bus = EventBus()
        self.values = values_for(scenario, inventory.vars)
        self.executor = Executor(scenario, drivers_for(inventory), self.values, self.bus, type_delay, pane_size) \
            if live else None
        self.status: dict[str, StepStatus] = {s.id: StepStatus.PENDING for s in scenario.all_steps}
        self.bus.subscribe(self._track)
        self._task: asyncio.Task | None = None
        self._setup_done = not scenario.setup
        self.last: Step | None = None

    @property
    def mode(self) -> str:
        return "LIVE" if self.live else "REPLAY"

    @property
    def busy(self) -> bool:
        return self._task is not None and not self._task.done()

    def _track(self, event) -> None:
        if isinstance(event, StepStarted):
            self.status[event.step_id] = StepStatus.RUNNING
        elif isinstance(event, StepFinished):
            self.status[event.step_id] = event.status

    def next_step(self) -> Step | None:
        return next((s for s in self.scenario.steps if not self.status[s.id].done), None)

    async def open_panes(self) -> None:
        """Live: start every pane's shell as soon as the demo is on screen, so its prompt shows and
        the presenter can type into it before the first step. A pane that cannot open says why."""
        if self.executor is None:
            return
        for pane in self.scenario.panes:
            step = next(s for s in self.scenario.all_steps if s.uses_pane and s.pane_name == pane)
            try:
                await self.executor.session(step)
            except SessionError as exc:
                self.bus.publish(PaneOutput(pane, f"\x1b[31m{exc}\x1b[0m\r\n"))

    # what the presenter's keys do ---------------------------------------------------------------
    def advance(self) -> asyncio.Task | None:
        """Enter: play the next step (after the setup steps, the first time)."""
        if self.busy:
            return None  # a live command is running: Enter does not queue another one
        step = self.next_step()
        if step is None:
            return None
        if self._instant(step):
            self._play_now(step)  # at once, so a quick second Enter is not lost to a pending task
            return None
        return self._start(self._play_with_setup(step))

    def _instant(self, step: Step) -> bool:
        """Nothing to wait for: replay shows steps, and a `say` only speaks (once setup is done)."""
        return not self.live or (step.kind == "say" and self._setup_done)

    def rerun(self) -> asyncio.Task | None:
        """R: play the last step again."""
        if self.busy or self.last is None:
            return None
        if self._instant(self.last):
            self._play_now(self.last)
            return None
        return self._start(self._play(self.last))

    def skip(self) -> None:
        """S: skip the running step, or the next one."""
        if self.executor is not None and self.busy:
            self.executor.skip()
            return
        step = self.next_step()
        if step is not None and not self.busy:
            self.bus.publish(StepFinished(step.id, StepStatus.SKIPPED, None, 0.0, "skipped"))

    def interrupt(self) -> None:
        if self.executor is not None:
            self.executor.interrupt()

    def type_into(self, pane: str, data: str) -> None:
        """Keys typed into a focused pane go to its shell (live only: nothing runs in replay)."""
        if self.executor is not None and pane in self.executor.sessions:
            self.executor.sessions[pane].write(data)

    def resize(self, pane: str, cols: int, rows: int) -> None:
        if self.executor is not None:
            self.executor.resize(pane, cols, rows)

    async def close(self) -> None:
        """Leaving the talk: run cleanup if the demo ran anything, then end every shell."""
        if self._task is not None and not self._task.done():
            self.interrupt()
            self._task.cancel()
        if self.executor is None:
            return
        ran = any(s is not StepStatus.PENDING for s in self.status.values())
        if ran:
            try:
                await asyncio.wait_for(self._cleanup(), CLEANUP_TIMEOUT)
            except (asyncio.TimeoutError, asyncio.CancelledError):
                pass
        await self.executor.close()

    # playing ----------------------------------------------------------------------------------
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
        if self._instant(step):
            self._play_now(step)
        else:
            self.last = step
            await self.executor.run_step(step)  # type: ignore[union-attr]

    def _play_now(self, step: Step) -> None:
        self.last = step
        if step.kind == "say":
            self.bus.publish(StepStarted(step.id, None, None))
            self.bus.publish(Narration(step.id, step.text or ""))
            self.bus.publish(StepFinished(step.id, StepStatus.PASSED, None, 0.0))
        else:
            self._show(step)

    def _show(self, step: Step) -> None:
        """Replay without a recording: show what would be typed and what is expected, run nothing."""
        self.bus.publish(StepStarted(step.id, step.pane_name if step.uses_pane else None, None))
        if step.uses_pane and step.command:
            expected = step.expect.output if step.expect and step.expect.output else None
            note = f"not recorded yet — expected output: /{expected}/" if expected else "not recorded yet"
            try:
                command = substitute(step.command, self.values)
            except (KeyError, ValueError):  # a value only the presenter's lab has: show the placeholder
                command = step.command
            typed = command.strip().replace("\n", "\r\n> ")
            self.bus.publish(PaneOutput(step.pane_name, f"{PROMPT}{typed}\r\n{DIM}# {note}{RESET}\r\n"))
        self.bus.publish(StepFinished(step.id, StepStatus.SHOWN, None, 0.0, "not recorded yet"))

    async def _cleanup(self) -> None:
        for step in self.scenario.cleanup:
            if self.status[step.id] is StepStatus.PENDING:
                await self.executor.run_step(step)  # type: ignore[union-attr]

