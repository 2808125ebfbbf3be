"""A scenario as data: the ordered steps of one demo, with their targets, panes and checks.

Pure data, built by `tui.scenario.load`; nothing here reads files, runs commands or knows the UI.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from tui.kube.query import KubeQuery, KubeWait

KINDS = ("run", "wait", "say", "check", "kube")
# a step of these kinds shows its output in a pane; `check` and a `wait` on a command run out of
# band (a separate process), so the demo shell's state and screen stay as the presenter left them.
# A `kube` step's pane is a watch table or tree, not a terminal.
_PANE_KINDS = ("run", "kube")


def output_pattern(source: str) -> re.Pattern[str]:
    """Output regexes are matched against whole terminal output: `^` and `$` work per line."""
    return re.compile(source, re.MULTILINE)


@dataclass(frozen=True)
class Expect:
    """What a finished command must show: `output` (a regex searched in its output) and exit code."""

    output: str | None = None
    exit: int = 0

    def __post_init__(self) -> None:
        if self.output is not None:
            output_pattern(self.output)  # the loader reports a bad regex with its location first

    @property
    def pattern(self) -> re.Pattern[str] | None:
        return output_pattern(self.output) if self.output is not None else None


@dataclass(frozen=True)
class Step:
    id: str
    kind: str  # one of KINDS
    line: int  # where the step starts in its scenario file (1-based)
    column: int
    command: str | None = None  # run, check, and wait-until-command-succeeds
    text: str | None = None  # say
    target: str = "local"  # a name in the lab inventory
    pane: str | None = None  # None: the target's own pane
    expect: Expect | None = None
    timeout: float | None = None  # seconds; None: the engine's default
    wait_output: str | None = None  # wait until the pane's output matches this regex
    wait_interval: float = 1.0  # seconds between tries of a wait command
    title: str | None = None
    wait_seconds: float | None = None  # a plain pause: `wait: {seconds: 5}` or `wait: {for: 5s}`
    wait_reconnect: str | None = None  # `wait: {reconnect: NODE}`: until the SSH target NODE answers again
    kube: KubeQuery | None = None  # a kube step: what its pane watches
    wait_kube: KubeWait | None = None  # `wait: {kube: …}`: until resources reach a state

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"step kind {self.kind!r}; expected one of {KINDS}")
        if self.wait_output is not None:
            output_pattern(self.wait_output)

    @property
    def pane_name(self) -> str:
        return self.pane or self.target

    @property
    def uses_pane(self) -> bool:
        return self.kind in _PANE_KINDS or self.wait_output is not None

    @property
    def is_kube(self) -> bool:
        """Talks to a Kubernetes API (a kube pane, or a wait on resources), not to a shell."""
        return self.kube is not None or self.wait_kube is not None

    @property
    def uses_target(self) -> bool:
        """A say step, or a plain pause, runs nowhere."""
        return (self.command is not None or self.wait_output is not None or self.wait_reconnect is not None
                or self.is_kube)

    @property
    def label(self) -> str:
        """One line for a step list."""
        for text in (self.title, self.command, self.text):
            if text and text.strip():
                return text.strip().split("\n", 1)[0]
        if self.wait_output is not None:
            return f"wait for /{self.wait_output}/"
        if self.wait_seconds is not None:
            return f"wait {self.wait_seconds:g}s"
        if self.wait_reconnect is not None:
            return f"wait for {self.wait_reconnect} to reconnect"
        if self.kube is not None:
            return self.kube.summary()
        if self.wait_kube is not None:
            return f"wait: {self.wait_kube.summary()}"
        return self.id


@dataclass(frozen=True)
class Scenario:
    name: str  # the file's stem: scenarios/NAME.yaml, as `<!-- demo: NAME -->` names it
    path: Path
    title: str
    description: str
    vars: dict[str, str | None]  # None: the lab inventory must give the value
    setup: tuple[Step, ...]
    steps: tuple[Step, ...]
    cleanup: tuple[Step, ...]

    @property
    def all_steps(self) -> tuple[Step, ...]:
        return self.setup + self.steps + self.cleanup

    def step(self, id: str) -> Step:
        for step in self.all_steps:
            if step.id == id:
                return step
        raise KeyError(f"no step {id!r} in scenario {self.name!r}; it has: {', '.join(s.id for s in self.all_steps)}")

    @property
    def targets(self) -> frozenset[str]:
        """Inventory targets the scenario runs on."""
        return frozenset(s.target for s in self.all_steps if s.uses_target)

    @property
    def panes(self) -> tuple[str, ...]:
        """Pane names in order of first use; a slide lays them out in this order."""
        return tuple(dict.fromkeys(s.pane_name for s in self.all_steps if s.uses_pane))

    @property
    def kube_panes(self) -> frozenset[str]:
        """The panes that show Kubernetes resources (a table or tree) instead of a terminal."""
        return frozenset(s.pane_name for s in self.all_steps if s.kind == "kube")
