"""Every demo of a talk, made on demand. Light to import: it is on `flatdeck present`'s start path,
while the engine (and PyYAML) load only when a demo slide is first shown."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from tui.demo import DemoRuntime
    from tui.guided.progress import Progress
    from tui.scenario.inventory import Inventory


def scenarios_dir_for(deck_path: Path) -> Path:
    """The `scenarios/` folder that goes with a deck: beside it, or up to two levels above."""
    start = deck_path if deck_path.is_dir() else deck_path.parent
    for folder in (start, *list(start.resolve().parents)[:2]):
        candidate = folder / "scenarios"
        if candidate.is_dir():
            return candidate
    return start / "scenarios"


class DemoStage:
    """Every demo of a talk, created when its slide is first shown and kept for the whole talk
    (so a live shell keeps its state when the presenter goes back a slide)."""

    def __init__(self, scenarios_dir: Path, lab: Path | None = None, mode: str = "replay", type_delay: float = 0.0,
                 recordings: Path | None = None, progress: "Progress | None" = None, notices: list[str] | None = None):
        self.scenarios_dir, self.lab, self.mode, self.type_delay = scenarios_dir, lab, mode, type_delay
        self.progress = progress  # guided: the attendee's saved progress, kept up to date
        self.notices = notices or []  # shown once when the talk opens (resumed, progress unreadable…)
        # assets/recordings/ beside scenarios/ (the repository layout) unless told otherwise
        self.recordings = recordings or scenarios_dir.parent / "assets" / "recordings"
        self.runtimes: dict[str, DemoRuntime] = {}
        self._inventory: Inventory | None = None

    @property
    def inventory(self) -> Inventory:
        if self._inventory is None:
            from tui.scenario.inventory import find_inventory

            self._inventory = find_inventory(self.lab, self.scenarios_dir)
        return self._inventory

    def get(self, name: str, pane_size: Callable[[str], tuple[int, int]]) -> DemoRuntime:
        """The runtime for demo `name`; LoadError with a location when it cannot be had."""
        runtime = self.runtimes.get(name)
        if runtime is None:
            from tui.headless import check_runnable
            from tui.scenario.load import find_scenario, load_scenario

            scenario = load_scenario(find_scenario(name, self.scenarios_dir))
            if self.mode in ("live", "record", "guided"):
                check_runnable(scenario, self.inventory)
            from tui.demo import REPLAY_LAB, DemoRuntime

            lab = REPLAY_LAB if self.mode == "replay" else self.inventory
            runtime = DemoRuntime(scenario, lab, self.mode, self.type_delay, pane_size, self.recordings)
            if self.progress is not None:
                from tui.guided.session import attach

                attach(self.progress, name, runtime)
            self.runtimes[name] = runtime
        return runtime

    def slide_shown(self, index: int) -> None:
        """Slide `index` (0-based) is on screen: guided mode remembers it."""
        if self.progress is not None:
            self.progress.set_slide(index)

    async def close(self) -> None:
        for runtime in self.runtimes.values():
            await runtime.close()
