"""Opening a self-guided run: read (or forget) the saved progress, pick the slide to start on, and
keep each demo's progress as its steps finish."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from tui.engine.events import StepFinished, StepStatus
from tui.guided.progress import Progress, ProgressError

if TYPE_CHECKING:
    from tui.demo import DemoRuntime


@dataclass
class GuidedStart:
    progress: Progress
    start: int  # the slide to open on, 0-based
    notices: list[str] = field(default_factory=list)  # what the attendee should be told on screen


def open_guided(deck_path: Path, slides: int, slide: int | None = None, restart: bool = False,
                directory: Path | None = None) -> GuidedStart:
    """Saved progress for this deck, or a fresh start (--restart, no file, or a file that cannot be
    used: it is set aside and the notice says so). An explicit --slide wins over the saved one."""
    progress = Progress(deck_path, directory)
    notices: list[str] = []
    if restart:
        try:
            if progress.forget():
                notices.append("Saved progress forgotten (--restart): starting from the beginning.")
        except ProgressError as exc:
            notices.append(f"{exc}. Starting from the beginning anyway.")
    else:
        try:
            if progress.load():
                done = sum(1 for d in progress.demos.values() for s in d.steps.values() if s == StepStatus.PASSED.value)
                notices.append(f"Welcome back: resuming at slide {progress.slide or 1} with {done} demo "
                               f"step{'s' if done != 1 else ''} done. Demo shells are new: "
                               "press u on a demo to rebuild one. --restart starts over.")
        except ProgressError as exc:
            aside = progress.set_aside()
            kept = f" The unreadable file is kept as {aside}." if aside else ""
            notices.append(f"Saved progress could not be used — {exc}. Starting from the beginning.{kept}")
            progress = Progress(deck_path, directory)
    if slide is not None:
        start = slide - 1
    else:
        start = min(progress.slide or 1, slides) - 1
    progress.slide = start + 1
    if not progress.save():
        notices.append(f"{progress.save_error}. Your progress will not be kept.")
    return GuidedStart(progress, start, notices)


def attach(progress: Progress, name: str, runtime: "DemoRuntime") -> None:
    """Restore demo `name`'s saved steps into its runtime, and save each main step as it finishes."""
    saved = progress.demo(name)
    restored = {}
    for step_id, value in saved.steps.items():
        check = saved.checks.get(step_id)
        restored[step_id] = (StepStatus(value), check.message if check else "", check.output if check else "")
    runtime.restore(restored)
    kinds = {s.id: s.kind for s in runtime.scenario.steps}

    def keep(event: object) -> None:
        if isinstance(event, StepFinished) and event.step_id in kinds:
            progress.record(name, event.step_id, event.status, kinds[event.step_id] == "check",
                            event.message, event.output)

    runtime.bus.subscribe(keep)
