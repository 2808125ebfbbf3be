"""`flatdeck run`: a scenario without the UI, for rehearsals and CI. The exit code is the result."""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
from pathlib import Path
from typing import TextIO

from tui.engine.drivers import drivers_for
from tui.engine.events import (ConnectionLost, ConnectionRestored, Event, Narration, PaneNotice, PaneOutput,
                               ResourceEvents, StepFinished, StepProgress, StepStarted, StepStatus)
from tui.engine.executor import Executor, StepResult
from tui.engine.shell import plain_text
from tui.errors import LoadError, LocatedError, Location
from tui.scenario.inventory import Inventory, validate_targets
from tui.scenario.model import Scenario
from tui.scenario.variables import missing_values, values_for

MARKS = {StepStatus.PASSED: "✓", StepStatus.SKIPPED: "–", StepStatus.FAILED: "✗", StepStatus.TIMED_OUT: "✗",
         StepStatus.INTERRUPTED: "✗"}


def check_runnable(scenario: Scenario, inventory: Inventory) -> None:
    """Every target known, every variable with a value; else one LoadError listing all of it."""
    errors = validate_targets(scenario, inventory)
    lab = inventory.path or "the default lab"
    for name in missing_values(scenario, inventory.vars):
        errors.append(LocatedError(Location(scenario.path, 0, 0),
                                   f"variable {name!r} has no value; expected it under `vars:` in {lab}"))
    if errors:
        raise LoadError(errors)


class Transcript:
    """Writes what the panes show, under a header per step, then the result of each step."""

    def __init__(self, scenario: Scenario, out: TextIO, color: bool):
        self.out, self.color = out, color
        steps = scenario.all_steps
        self.numbers = {s.id: (n, s) for n, s in enumerate(steps, 1)}
        self.total = len(steps)
        self.at_line_start = True
        self.width = 100
        self.views: dict = {}  # kube pane → its table or tree (tui.kube)
        self.headers_due: set[str] = set()  # kube panes whose header is not printed yet
        self.progress: dict[str, str] = {}

    def __call__(self, event: Event) -> None:
        if isinstance(event, StepStarted):
            number, step = self.numbers[event.step_id]
            where = f" · {step.target}" if step.uses_target else ""
            what = (event.command or step.label).strip().split("\n", 1)[0]
            self._line(f"── [{number}/{self.total}] {step.id}{where} · {what}", "1")
            if step.kube is not None:
                from tui.kube.table import TableView
                from tui.kube.tree import TreeView

                self.views[step.pane_name] = TreeView(step.kube) if step.kube.view == "tree" else TableView(step.kube)
                self.headers_due.add(step.pane_name)
        elif isinstance(event, ResourceEvents):
            self._resources(event)
        elif isinstance(event, PaneNotice):
            if event.text:
                self._line(f"[{event.pane}] {event.text}", {"error": "31", "warning": "33"}.get(event.severity, "2"))
        elif isinstance(event, StepProgress):
            if self.progress.get(event.step_id) != event.text:
                self.progress[event.step_id] = event.text
                self._line(f"  … {event.text}", "36")
        elif isinstance(event, PaneOutput):
            text = event.data if self.color else plain_text(event.data)
            self.out.write(text)
            self.at_line_start = text.endswith("\n")
        elif isinstance(event, Narration):
            self._line(f"» {event.text}", "3")
        elif isinstance(event, ConnectionLost):
            self._line(f"[{event.pane}: connection lost — {event.reason}]", "33")
        elif isinstance(event, ConnectionRestored):
            self._line(f"[{event.pane}: connection restored]", "32")
        elif isinstance(event, StepFinished):
            mark = MARKS.get(event.status, "?")
            detail = f": {event.message}" if event.message else ""
            code = "32" if event.status.ok else "31"
            self._line(f"{mark} {event.status.value} in {event.elapsed:.1f}s{detail}", code)
        self.out.flush()

    def _resources(self, event: ResourceEvents) -> None:
        """A kube pane as `kubectl get -w` prints it: the header once, then a line per change."""
        import time

        from tui.kube.objects import key_of
        from tui.kube.view import line_text

        view = self.views.get(event.pane)
        if view is None:
            return
        changed = view.replace([o for _, o in event.events]) if event.replace else view.apply(event.events)
        if not changed:
            return
        layout, now = view.layout(self.width), time.time()
        if event.pane in self.headers_due:
            self.headers_due.discard(event.pane)
            self._line(f"[{event.pane}] {line_text(view, layout, view.header())}", "1")
        for kind, obj in event.events:
            index = view.index_of(key_of(obj))
            if index is None:
                name = (obj.get("metadata") or {}).get("name")
                self._line(f"[{event.pane}] {obj.get('kind')}/{name} deleted", "2")
            else:
                self._line(f"[{event.pane}] {line_text(view, layout, view.cells(index, now))}", "0")

    def _line(self, text: str, sgr: str) -> None:
        if not self.at_line_start:
            self.out.write("\n")
        self.out.write(f"\x1b[{sgr}m{text}\x1b[0m\n" if self.color else f"{text}\n")
        self.at_line_start = True

    def summary(self, results: list[StepResult]) -> None:
        width = max((len(r.step.id) for r in results), default=4)
        self._line("", "0")
        self._line(f"{'result':<12} {'step':<{width}}  {'time':>6}  note", "1")
        for r in results:
            note = r.message if not r.status.ok else ""
            self._line(f"{MARKS.get(r.status, '?')} {r.status.value:<10} {r.step.id:<{width}}  {r.elapsed:5.1f}s  {note}",
                       "32" if r.status.ok else "31")


async def run_scenario(scenario: Scenario, inventory: Inventory, only: str | None = None,
                       out: TextIO = sys.stdout, color: bool | None = None, record_to: Path | None = None,
                       type_delay: float = 0.0, size: tuple[int, int] | None = None) -> int:
    """Run (and with `record_to`, record) the scenario; the exit code says whether every step passed."""
    check_runnable(scenario, inventory)
    if only is not None:
        scenario.step(only)  # KeyError names the steps there are
    color = out.isatty() if color is None else color
    cols, rows = size or (shutil.get_terminal_size((100, 30)) if color else os.terminal_size((100, 30)))
    executor = Executor(scenario, drivers_for(inventory), values_for(scenario, inventory.vars),
                        type_delay=type_delay, pane_size=lambda pane: (cols, rows))
    transcript = Transcript(scenario, out, color)
    executor.bus.subscribe(transcript)
    recorder = None
    if record_to is not None:
        from tui.recording.recorder import Recorder
        from tui.recording.redact import Redactor

        lab = str(inventory.path) if inventory.path else "default (local only)"
        recorder = Recorder(scenario, record_to, Redactor(inventory.redact), lab, lambda pane: (cols, rows))
        executor.bus.subscribe(recorder)
    try:
        results = await executor.run_all(only)
    finally:
        await executor.close()
    transcript.summary(results)
    if recorder is not None:
        for path in recorder.committed:
            transcript._line(f"recorded {path}", "2")
        for path in recorder.kept_partial:
            transcript._line(f"not kept (step failed; the previous recording is unchanged): {path}", "33")
    failed = [r for r in results if not r.status.ok]
    if failed:
        first = failed[0]
        transcript._line(f"FAILED: step {first.step.id!r} ({first.message or first.status.value})"
                         + (f" and {len(failed) - 1} more" if len(failed) > 1 else ""), "1;31")
        return 1
    transcript._line(f"all {len(results)} steps passed", "1;32")
    return 0


def run_command(name: str, step: str | None, lab: Path | None, scenarios_dir: Path,
                record_to: Path | None = None, typing_speed: float = 0.0,
                size: tuple[int, int] | None = None) -> int:
    from tui.scenario.inventory import find_inventory
    from tui.scenario.load import find_scenario, load_scenario

    scenario = load_scenario(find_scenario(name, scenarios_dir))
    inventory = find_inventory(lab, scenarios_dir)
    try:
        delay = 1.0 / typing_speed if typing_speed > 0 else 0.0
        return asyncio.run(run_scenario(scenario, inventory, step, record_to=record_to, type_delay=delay, size=size))
    except KeyError as exc:
        print(f"error: {exc.args[0]}", file=sys.stderr)
        return 2
