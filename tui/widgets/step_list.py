"""The demo's steps with their status: pending · running ▶ (spinner, elapsed) · ✓ · ✗ · skipped."""

from __future__ import annotations

import time
from dataclasses import dataclass

from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual.timer import Timer
from textual.widget import Widget

from tui.engine.events import StepStatus
from tui.keys_first import GATE
from tui.render.palette import Palette, palette_for
from tui.scenario.model import Step

SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
VISIBLE = 9  # rows shown at most: a long scenario shows a window around the step at hand
ICONS = {
    StepStatus.PENDING: ("·", "dim"), StepStatus.PASSED: ("✓", "bold green"), StepStatus.FAILED: ("✗", "bold red"),
    StepStatus.TIMED_OUT: ("⏱", "bold red"), StepStatus.INTERRUPTED: ("✗", "bold yellow"),
    StepStatus.SKIPPED: ("⊘", "dim"), StepStatus.SHOWN: ("○", "cyan"),
}
# the colour of each status in the deck's theme: the Palette field to use instead of ICONS' dark style
THEMED = {
    StepStatus.PENDING: "faint", StepStatus.PASSED: "passed", StepStatus.FAILED: "failed",
    StepStatus.TIMED_OUT: "failed", StepStatus.INTERRUPTED: "warned", StepStatus.SKIPPED: "faint",
    StepStatus.SHOWN: "shown",
}


@dataclass
class _Row:
    step: Step
    section: str  # setup, steps, cleanup
    status: StepStatus = StepStatus.PENDING
    started: float | None = None
    elapsed: float | None = None
    message: str = ""
    progress: str = ""  # while running: how far it is ("2/3 Running")


class StepList(Widget):
    DEFAULT_CSS = "StepList { height: auto; max-height: 40%; padding: 0 1; }"

    def __init__(self, steps: list[tuple[str, Step]], clock=time.monotonic, *, id: str | None = None):
        super().__init__(id=id)
        self.rows = {step.id: _Row(step, section) for section, step in steps}
        self.clock = clock
        self._frame = 0
        self._timer: Timer | None = None
        self.next_id: str | None = next((r.step.id for r in self.rows.values() if r.section == "steps"), None)

    def set_status(self, step_id: str, status: StepStatus, elapsed: float | None = None, message: str = "") -> None:
        row = self.rows.get(step_id)
        if row is None:
            return
        row.status, row.message, row.progress = status, message, ""
        if status is StepStatus.RUNNING:
            row.started, row.elapsed = self.clock(), None
        elif elapsed is not None:
            row.elapsed = elapsed
        running = any(r.status is StepStatus.RUNNING for r in self.rows.values())
        if running and self._timer is None:
            self._timer = self.set_interval(0.125, self._tick)
        elif not running and self._timer is not None:
            self._timer.stop()  # no timer while idle: idle CPU stays near zero
            self._timer = None
        self.refresh(layout=True)

    def set_progress(self, step_id: str, text: str) -> None:
        row = self.rows.get(step_id)
        if row is not None and row.status is StepStatus.RUNNING and text != row.progress:
            row.progress = text
            self.refresh()

    def set_next(self, step_id: str | None) -> None:
        self.next_id = step_id
        self.refresh()

    def _tick(self) -> None:
        if GATE.held:  # a key is being answered: the spinner can skip a beat (tui/keys_first.py)
            return
        self._frame += 1
        self.refresh()

    @property
    def palette(self) -> Palette:
        return palette_for(getattr(self.app, "deck_theme", "dark"))

    def render(self) -> Table:
        p = self.palette
        table = Table.grid(padding=(0, 1), expand=True)
        table.add_column(width=1, no_wrap=True)
        table.add_column(width=1, no_wrap=True)
        table.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
        table.add_column(justify="right", no_wrap=True)
        rows = list(self.rows.values())
        focus = next((i for i, r in enumerate(rows) if r.status is StepStatus.RUNNING),
                     next((i for i, r in enumerate(rows) if r.step.id == self.next_id), len(rows) - 1))
        start = max(0, min(focus - VISIBLE // 3, len(rows) - VISIBLE)) if len(rows) > VISIBLE else 0
        end = min(len(rows), start + VISIBLE)
        if start:
            table.add_row("", "", Text(f"↑ {start} earlier", style=p.faint), "")
        for row in rows[start:end]:
            pointer = Text("▸", style="bold") if row.step.id == self.next_id else Text(" ")
            if row.status is StepStatus.RUNNING:
                icon = Text(SPINNER[self._frame % len(SPINNER)], style=p.running)
                elapsed = self.clock() - (row.started or self.clock())
            else:
                symbol, _ = ICONS.get(row.status, ("?", ""))
                icon = Text(symbol, style=getattr(p, THEMED.get(row.status, "faint")))
                elapsed = row.elapsed
            label = Text(row.step.label, style=p.faint if row.section != "steps" else "")
            if row.step.kind == "say":
                label.stylize("italic")
            if row.message and not row.status.ok and row.status.done:
                label.append(f" — {row.message}", style=Style(color=Style.parse(p.failed).color))
            if row.progress and row.status is StepStatus.RUNNING:
                label.append(f" — {row.progress}", style=Style(color=Style.parse(p.running).color))
            # a time only for what ran for a while: not for a replay, a narration or an instant command
            shown = elapsed is not None and elapsed >= 0.05 and row.status is not StepStatus.SHOWN
            time_text = Text(f"{elapsed:.1f}s" if shown else "", style=p.faint)
            table.add_row(pointer, icon, label, time_text)
        if end < len(rows):
            table.add_row("", "", Text(f"↓ {len(rows) - end} more", style=p.faint), "")
        return table
