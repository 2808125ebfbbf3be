"""The demo beside a slide: a mode badge, the step list and one pane per scenario pane (a terminal,
or a kube pane for a pane that kube steps watch into)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Label, Static

from tui.engine.events import (ConnectionLost, ConnectionRestored, Event, ModeChanged, Narration, PaneClosed,
                               PaneNotice, PaneOutput, ResourceEvents, Resumed, StepFinished, StepProgress,
                               StepStarted, StepStatus)
from tui.scenario.model import Scenario
from tui.widgets.kube_pane import KubePane
from tui.widgets.step_list import StepList
from tui.widgets.terminal_pane import TerminalPane

HINT = "⏎ step · R rerun · S skip · ^C stop · Tab shell · ^] back"
GUIDED_HINT = "⏎ step · c re-check · u rebuild · S skip · Tab shell · ^] back"


class DemoPanel(Vertical):
    def __init__(self, name: str, scenario: Scenario | None, badge: str, error: str = ""):
        super().__init__(classes="demo-panel")
        self.demo_name = name
        self.scenario = scenario
        self.badge = badge
        self.error = error
        self.guided = badge == "GUIDED"  # self-guided: checks and resumed progress get a box of their own
        self._panes: dict[str, TerminalPane] = {}
        self._kube_panes: dict[str, KubePane] = {}
        self._early: list[Event] | None = []  # events that came before the step list was composed

    def compose(self) -> ComposeResult:
        title = self.scenario.title if self.scenario else self.demo_name
        with Horizontal(classes="demo-header"):
            yield Label(Text(f" {self.badge} ", style="bold"), classes=f"mode-badge -{self.badge.lower()}")
            yield Label(Text(title, style="bold"), classes="demo-title")
        if self.scenario is None:
            yield Static(Text(self.error), classes="error-panel demo-error")
            return
        sections = [("setup", s) for s in self.scenario.setup] + [("steps", s) for s in self.scenario.steps] \
            + [("cleanup", s) for s in self.scenario.cleanup]
        yield StepList(sections)
        if self.guided:
            from tui.widgets.guide_box import GuideBox

            yield GuideBox()
        narration = Static("", classes="narration")
        narration.display = False  # until a `say` step speaks
        yield narration
        for pane in self.scenario.panes:
            if pane in self.scenario.kube_panes:
                self._kube_panes[pane] = KubePane(pane)
                first = next(s for s in self.scenario.all_steps if s.kube is not None and s.pane_name == pane)
                self._kube_panes[pane].configure(first.kube)  # type: ignore[arg-type]  # what it will show
                yield self._kube_panes[pane]
                continue
            self._panes[pane] = TerminalPane(pane)
            yield self._panes[pane]
        yield Label(GUIDED_HINT if self.guided else HINT, classes="demo-hint")

    def on_mount(self) -> None:
        early, self._early = self._early or [], None
        for event in early:
            self.handle(event)

    def set_badge(self, badge: str) -> None:
        label = self.query_one(".mode-badge", Label)
        label.remove_class(f"-{self.badge.lower()}")
        self.badge = badge
        label.add_class(f"-{badge.lower()}")
        label.update(Text(f" {badge} ", style="bold"))

    def _next_id(self, steps: StepList) -> str | None:
        return next((s.id for s in self.scenario.steps if not steps.rows[s.id].status.done), None)

    def _guide(self):
        from tui.widgets.guide_box import GuideBox

        return self.query_one(GuideBox)

    def pane(self, name: str | None) -> TerminalPane | None:
        return self._panes.get(name)  # a dict, not a query: output events come by the thousand

    def kube_pane(self, name: str | None) -> KubePane | None:
        return self._kube_panes.get(name)

    def handle(self, event: Event) -> None:
        """Show one engine event."""
        if self.scenario is None:
            return
        if self._early is not None:  # a demo that had run before (guided) reports at once
            self._early.append(event)
            return
        steps = self.query_one(StepList)
        if isinstance(event, PaneOutput):
            pane = self.pane(event.pane)
            if pane is not None:
                pane.feed(event.data)
        elif isinstance(event, ResourceEvents):
            kube = self.kube_pane(event.pane)
            if kube is not None:
                kube.apply(event)
        elif isinstance(event, PaneNotice):
            kube = self.kube_pane(event.pane)
            if kube is not None:
                kube.notice(event.text, event.severity)
        elif isinstance(event, StepProgress):
            steps.set_progress(event.step_id, event.text)
        elif isinstance(event, StepStarted):
            steps.set_status(event.step_id, StepStatus.RUNNING)
            if self.guided and event.step_id in steps.rows:
                self._guide().started(steps.rows[event.step_id].step)
            step = next((s for s in self.scenario.all_steps if s.id == event.step_id), None)
            kube = self.kube_pane(step.pane_name) if step is not None and step.kube is not None else None
            if kube is not None:
                kube.configure(step.kube)  # type: ignore[union-attr]  # a new watch: the pane starts over
        elif isinstance(event, StepFinished):
            steps.set_status(event.step_id, event.status, event.elapsed, event.message)
            steps.set_next(self._next_id(steps))
            row = steps.rows.get(event.step_id)
            if self.guided and row is not None and row.step.kind == "check":
                self._guide().check_finished(row.step, event.status, event.message, event.output)
        elif isinstance(event, Resumed):
            if self.guided:
                nxt = steps.rows[event.next_step].step.label if event.next_step in steps.rows else None
                self._guide().resumed(event, nxt)
        elif isinstance(event, Narration):
            narration = self.query_one(".narration", Static)
            narration.update(Text(f"» {event.text}", style="italic"))
            narration.display = True
        elif isinstance(event, PaneClosed):
            pane = self.pane(event.pane)
            if pane is not None and event.reason != "demo closed":
                pane.feed(f"\r\n\x1b[2m[{event.reason}; the next step starts a new shell]\x1b[0m\r\n")
        elif isinstance(event, ModeChanged):
            self.set_badge(event.badge)
        elif isinstance(event, ConnectionLost):
            pane = self.pane(event.pane)
            if pane is not None:
                pane.feed(f"\r\n\x1b[33m[connection lost — {event.reason}]\x1b[0m\r\n")
        elif isinstance(event, ConnectionRestored):
            pane = self.pane(event.pane)
            if pane is not None:
                pane.feed("\r\n\x1b[32m[connection restored]\x1b[0m\r\n")
