"""Scenario steps → runner calls. Evaluates waits and expectations and publishes typed events.

One executor per scenario on screen (or per `flatdeck run`). Panes are opened on first use; a
shell that a step ended (`exit 3`) is replaced by a fresh one for the next step.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from dataclasses import dataclass, field
from typing import Callable

from tui.engine.events import EventBus, Narration, StepFinished, StepStarted, StepStatus
from tui.engine.session import CommandResult, SessionError, ShellSession
from tui.scenario.model import Scenario, Step, output_pattern
from tui.scenario.variables import fill, substitute

DEFAULT_TIMEOUT = 300.0  # a step with no `timeout:`; long enough for a cluster, short enough to notice a hang
CHECK_TIMEOUT = 60.0


@dataclass(frozen=True)
class StepResult:
    step: Step
    status: StepStatus
    exit_code: int | None = None
    elapsed: float = 0.0
    message: str = ""
    output: str = ""


class TargetDriver:
    """How to reach one inventory target: an interactive shell for panes, plain exec for checks."""

    def open_shell(self, pane: str, bus: EventBus, cols: int, rows: int) -> ShellSession:
        raise NotImplementedError

    async def exec(self, command: str, timeout: float) -> CommandResult:
        raise NotImplementedError

    async def preflight(self) -> bool:
        """A quick 'can this target run steps now?' for --auto."""
        return True


@dataclass
class _Running:
    step: Step
    task: asyncio.Task
    session: ShellSession | None = None
    skipped: bool = False
    inner: asyncio.Task | None = None  # a kube step's own task: interrupting it cancels it


@dataclass
class Executor:
    scenario: Scenario
    drivers: dict[str, TargetDriver]  # target name → driver
    values: dict[str, str]  # variable values (scenario defaults overlaid by the inventory)
    bus: EventBus = field(default_factory=EventBus)
    type_delay: float = 0.0  # seconds per typed character; 0 types the whole line at once
    pane_size: Callable[[str], tuple[int, int]] = lambda pane: (100, 30)

    def __post_init__(self) -> None:
        self.sessions: dict[str, ShellSession] = {}
        self.status: dict[str, StepStatus] = {s.id: StepStatus.PENDING for s in self.scenario.all_steps}
        self._running: _Running | None = None
        # where each pane's output stood when its last command started: a wait sees what came since
        self._output_marks: dict[str, int] = {}
        # how many times each target's connection had dropped when its last step started (SSH):
        # `wait: {reconnect: NODE}` waits for a drop after that, then for the node to answer
        self._loss_marks: dict[str, int] = {}
        self._kube_owners: dict[str, TargetDriver] = {}  # kube pane → the cluster it watches now

    # panes ------------------------------------------------------------------------------------
    async def session(self, step: Step) -> ShellSession:
        pane = step.pane_name
        session = self.sessions.get(pane)
        if session is None or session.closed:
            cols, rows = self.pane_size(pane)
            session = self.drivers[step.target].open_shell(pane, self.bus, cols, rows)
            self.sessions[pane] = session
            await session.start()
        return session

    def resize(self, pane: str, cols: int, rows: int) -> None:
        if pane in self.sessions:
            self.sessions[pane].resize(cols, rows)

    async def close(self) -> None:
        if self._running is not None:
            self._running.task.cancel()
        for session in list(self.sessions.values()):
            await session.close("demo closed")
        for driver in self.drivers.values():
            closer = getattr(driver, "close", None)
            if closer is not None:
                await closer()  # an SSH target's connection

    # control ----------------------------------------------------------------------------------
    @property
    def running(self) -> Step | None:
        return self._running.step if self._running else None

    def next_step(self) -> Step | None:
        """The first main step not yet done (what Enter runs)."""
        return next((s for s in self.scenario.steps if not self.status[s.id].done), None)

    def interrupt(self) -> None:
        if self._running is not None and self._running.session is not None:
            self._running.session.interrupt()
        elif self._running is not None and self._running.inner is not None:
            self._running.inner.cancel()

    def skip(self, step: Step | None = None) -> None:
        """Skip the running step, or mark a pending one skipped."""
        if self._running is not None and (step is None or step is self._running.step):
            self._running.skipped = True
            self.interrupt()
            return
        step = step or self.next_step()
        if step is not None and not self.status[step.id].done:
            self._finish(StepResult(step, StepStatus.SKIPPED, message="skipped"))

    # running ----------------------------------------------------------------------------------
    async def run_step(self, step: Step) -> StepResult:
        if self._running is not None:
            raise RuntimeError(f"step {self._running.step.id!r} is still running")
        task = asyncio.current_task()
        assert task is not None
        self._running = _Running(step, task)
        self.status[step.id] = StepStatus.RUNNING
        command = substitute(step.command, self.values) if step.command else None
        self.bus.publish(StepStarted(step.id, step.pane_name if step.uses_pane else None, command))
        started = time.monotonic()
        try:
            result = await self._execute(step, command)
        except SessionError as exc:
            result = StepResult(step, StepStatus.FAILED, message=str(exc))
        except asyncio.CancelledError:
            result = StepResult(step, StepStatus.INTERRUPTED, message="cancelled")
            self._finish(result, started)
            raise
        finally:
            skipped = self._running.skipped if self._running else False
            self._running = None
        if skipped:
            result = StepResult(step, StepStatus.SKIPPED, result.exit_code, message="skipped while running")
        return self._finish(result, started)

    def _finish(self, result: StepResult, started: float | None = None) -> StepResult:
        elapsed = time.monotonic() - started if started is not None else 0.0
        result = StepResult(result.step, result.status, result.exit_code, elapsed, result.message, result.output)
        self.status[result.step.id] = result.status
        output = result.output if result.step.kind == "check" else ""  # a check's words are its result
        self.bus.publish(StepFinished(result.step.id, result.status, result.exit_code, elapsed, result.message, output))
        return result

    async def _execute(self, step: Step, command: str | None) -> StepResult:
        timeout = step.timeout or DEFAULT_TIMEOUT
        if step.wait_reconnect is not None:
            return await self._wait_reconnect(step, timeout)
        losses = getattr(self.drivers.get(step.target), "losses", None)
        if step.uses_target and losses is not None:
            self._loss_marks[step.target] = losses
        if step.kind == "say":
            self.bus.publish(Narration(step.id, step.text or ""))
            return StepResult(step, StepStatus.PASSED)
        if step.kind == "run":
            session = await self.session(step)
            self._running.session = session  # type: ignore[union-attr]
            self._output_marks[step.pane_name] = session.output_mark()
            result = await session.run(command or "", timeout, self.type_delay)
            return judge(step, result, timeout)
        if step.kind == "check":
            result = await self.drivers[step.target].exec(command or "", step.timeout or CHECK_TIMEOUT)
            return judge(step, result, step.timeout or CHECK_TIMEOUT)
        if step.is_kube:
            return await self._kube(step)
        return await self._wait(step, command, timeout)

    async def _kube(self, step: Step) -> StepResult:
        """A kube pane starts watching (the step passes once the first list is in), or a wait on
        resources runs to its end. Ctrl+C / S stop either."""
        from tui.engine.kube import KUBE_STEP_TIMEOUT, KubeDriver

        driver = self.drivers[step.target]
        if not isinstance(driver, KubeDriver):
            return StepResult(step, StepStatus.FAILED, message=f"{step.target} is not a kube target")
        if step.kube is not None:
            owner = self._kube_owners.get(step.pane_name)
            if owner is not None and owner is not driver:  # the pane showed another cluster until now
                await owner.unwatch(step.pane_name)
            self._kube_owners[step.pane_name] = driver
            work = driver.watch(step.pane_name, step.kube, self.bus, step.timeout or KUBE_STEP_TIMEOUT)
        else:
            assert step.wait_kube is not None
            where = tuple((column, fill(text, self.values)) for column, text in step.wait_kube.where)
            wait = dataclasses.replace(step.wait_kube, where=where)
            work = driver.wait(step.id, wait, self.bus, step.timeout or DEFAULT_TIMEOUT)
        inner = asyncio.ensure_future(work)
        self._running.inner = inner  # type: ignore[union-attr]
        try:
            outcome = await inner
        except asyncio.CancelledError:
            if inner.cancelled() and not asyncio.current_task().cancelling():  # type: ignore[union-attr]
                return StepResult(step, StepStatus.INTERRUPTED, message="interrupted")
            raise
        if step.kube is not None:
            return StepResult(step, StepStatus.PASSED, message=f"watching: {outcome.summary()}")
        ok, message = outcome
        return StepResult(step, StepStatus.PASSED if ok else StepStatus.TIMED_OUT, message=message)

    async def _wait_reconnect(self, step: Step, timeout: float) -> StepResult:
        driver = self.drivers[step.target]
        waiter = getattr(driver, "wait_reconnect", None)
        if waiter is None:
            return StepResult(step, StepStatus.FAILED, message=f"{step.target} is not an SSH target; nothing to reconnect")
        from tui.engine.ssh import ReconnectTimeout

        try:
            message = await waiter(timeout, self._loss_marks.get(step.target))
        except ReconnectTimeout as exc:
            return StepResult(step, StepStatus.TIMED_OUT, message=str(exc))
        self._loss_marks[step.target] = driver.losses  # type: ignore[attr-defined]
        return StepResult(step, StepStatus.PASSED, message=message)

    async def _wait(self, step: Step, command: str | None, timeout: float) -> StepResult:
        if step.wait_output is not None:
            session = await self.session(step)
            since = self._output_marks.get(step.pane_name, 0)
            found = await session.wait_for_output(output_pattern(step.wait_output), since, timeout)
            if found:
                return StepResult(step, StepStatus.PASSED, message=f"/{step.wait_output}/ appeared")
            return StepResult(step, StepStatus.TIMED_OUT, message=f"/{step.wait_output}/ did not appear within {timeout:g}s")
        if command is not None:
            deadline = time.monotonic() + timeout
            tries = 0
            while True:
                tries += 1
                try:
                    result = await self.drivers[step.target].exec(command, max(1.0, deadline - time.monotonic()))
                except SessionError as exc:  # the node is not answering yet: one more failed try
                    result = CommandResult(None, str(exc))
                if result.exit_code == 0:
                    return StepResult(step, StepStatus.PASSED, 0, message=f"succeeded after {tries} tries")
                if time.monotonic() + step.wait_interval > deadline:
                    return StepResult(step, StepStatus.TIMED_OUT, result.exit_code,
                                      message=f"still failing after {timeout:g}s ({tries} tries, last exit {result.exit_code})",
                                      output=result.output)
                await asyncio.sleep(step.wait_interval)
        await asyncio.sleep(step.wait_seconds or 0.0)
        return StepResult(step, StepStatus.PASSED)

    async def run_all(self, only: str | None = None) -> list[StepResult]:
        """Setup, the steps (or just `only`), then cleanup, which runs even after a failure."""
        results: list[StepResult] = []
        steps = [self.scenario.step(only)] if only else list(self.scenario.steps)
        for step in self.scenario.setup:
            results.append(await self.run_step(step))
            if not results[-1].status.ok:
                break
        else:
            for step in steps:
                results.append(await self.run_step(step))
        for step in self.scenario.cleanup:
            results.append(await self.run_step(step))
        return results


def judge(step: Step, result: CommandResult, timeout: float) -> StepResult:
    """Passed when the exit code and the output are what the step expects."""
    if result.timed_out:
        return StepResult(step, StepStatus.TIMED_OUT, None, message=f"no result within {timeout:g}s; interrupted",
                          output=result.output)
    if result.interrupted:
        return StepResult(step, StepStatus.INTERRUPTED, result.exit_code, message="interrupted", output=result.output)
    expected_exit = step.expect.exit if step.expect else 0
    if result.exit_code != expected_exit:
        detail = "the connection closed" if result.exit_code is None else f"exit {result.exit_code}"
        return StepResult(step, StepStatus.FAILED, result.exit_code,
                          message=f"{detail}, expected exit {expected_exit}{_fail_hint(result.output)}", output=result.output)
    pattern = step.expect.pattern if step.expect else None
    if pattern is not None and not pattern.search(result.output):
        return StepResult(step, StepStatus.FAILED, result.exit_code,
                          message=f"output did not match /{step.expect.output}/", output=result.output)  # type: ignore[union-attr]
    return StepResult(step, StepStatus.PASSED, result.exit_code, output=result.output)


def _fail_hint(output: str) -> str:
    """A check may explain itself with a line 'FAIL: …' (as self-guided lab platforms do)."""
    for line in output.splitlines():
        if line.strip().startswith("FAIL:"):
            return f" — {line.strip()[5:].strip()}"
    return ""
