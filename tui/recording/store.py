"""Where recordings live: assets/recordings/<scenario>/NN-<step>--<pane>.cast (a terminal pane) or
.jsonl (a kube pane: tui/recording/kubelog.py), plus manifest.json."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from tui.atomicfile import write_atomic
from tui.scenario.model import Scenario, Step

MANIFEST = "manifest.json"


def recordings_dir_for(scenarios_dir: Path) -> Path:
    """The repository layout: scenarios/ and assets/recordings/ side by side."""
    return scenarios_dir.parent / "assets" / "recordings"


def cast_path(root: Path, scenario: Scenario, step: Step, pane: str) -> Path:
    """A terminal pane's asciicast, or a kube pane's event log (.jsonl), of one step."""
    number = scenario.all_steps.index(step) + 1
    suffix = ".jsonl" if pane in scenario.kube_panes else ".cast"
    return root / scenario.name / f"{number:02d}-{step.id}--{pane}{suffix}"


@dataclass
class StepRecord:
    id: str
    pane: str | None
    status: str
    exit_code: int | None
    duration: float
    files: list[str] = field(default_factory=list)  # relative to the scenario's folder


@dataclass
class Manifest:
    scenario: str
    title: str
    recorded_at: str
    lab: str
    flatdeck: str
    steps: dict[str, StepRecord] = field(default_factory=dict)

    @classmethod
    def load(cls, folder: Path) -> "Manifest | None":
        try:
            data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
            steps = {k: StepRecord(**v) for k, v in data.pop("steps", {}).items()}
            return cls(**data, steps=steps)
        except (OSError, ValueError, TypeError, AttributeError):
            return None  # no manifest, or not ours: the casts alone still replay

    def save(self, folder: Path) -> None:
        """Atomically, so a crash never leaves half a manifest."""
        data = {**asdict(self), "steps": {k: asdict(v) for k, v in self.steps.items()}}
        write_atomic(folder / MANIFEST, json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def recorded_casts(root: Path, scenario: Scenario, step: Step) -> dict[str, Path]:
    """pane → recording of a step (asciicast or kube event log), for the panes that have one."""
    found = {}
    for pane in scenario.panes:
        path = cast_path(root, scenario, step, pane)
        if path.is_file():
            found[pane] = path
    return found
