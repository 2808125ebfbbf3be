"""The app side of benchmarks/kube.py: `flatdeck present --live` on a one-slide deck whose demo
watches 2,000 Machines, run in a real terminal (tmux), instrumented from outside the app's code.

    python benchmarks/kube_app.py WORKDIR VARIANT     # VARIANT: flatdeck | datatable

WORKDIR holds deck.md, scenarios/bench.yaml and lab.yaml (written by kube.py). The app runs the
kube step itself, writes WORKDIR/listed once the 2,000 rows are in, and when WORKDIR/stop appears
(the server has sent everything) waits until every event has arrived, writes
WORKDIR/result-VARIANT.json and exits. Measured, with time.time() stamps:

- every frame: the wall time of each screen refresh (layout, rendering the dirty lines, writing
  to the terminal: textual's Screen._on_timer_update);
- every batch of watch events handled by the screen (PresentScreen.on_present_screen_demo_event);
- the event loop's lateness: a task that sleeps 10 ms and notes how late it wakes (a key press
  waits that long).

VARIANT datatable swaps the kube pane for the baseline: Textual's DataTable with one keyed row per
Machine, each event applied as it comes (add_row, update_cell per column, remove_row).
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from textual.screen import Screen  # noqa: E402
from textual.widgets import DataTable  # noqa: E402

import tui.widgets.demo_panel as demo_panel  # noqa: E402
from tui.app import FlatdeckApp  # noqa: E402
from tui.deck.parse import load_deck  # noqa: E402
from tui.demostage import DemoStage  # noqa: E402
from tui.engine.events import StepStatus  # noqa: E402
from tui.kube.columns import human_duration  # noqa: E402
from tui.kube.objects import key_of  # noqa: E402
from tui.kube.table import TableView  # noqa: E402
from tui.screens.present import PresentScreen  # noqa: E402

FRAMES: list[tuple[float, float]] = []  # (start, seconds)
APPLIES: list[tuple[float, float, int]] = []  # (start, seconds, events)
LATENESS: list[tuple[float, float]] = []  # (when, seconds late)


def instrument() -> None:
    frame = Screen._on_timer_update

    def timed_frame(self) -> None:
        start = time.time()
        t0 = time.perf_counter()
        frame(self)
        FRAMES.append((start, time.perf_counter() - t0))

    Screen._on_timer_update = timed_frame
    handle = PresentScreen.on_present_screen_demo_event

    def timed_handle(self, message) -> None:
        start = time.time()
        t0 = time.perf_counter()
        handle(self, message)
        count = len(getattr(message.event, "events", ()))
        if count:
            APPLIES.append((start, time.perf_counter() - t0, count))

    PresentScreen.on_present_screen_demo_event = timed_handle


class NaiveTable(DataTable):
    """The baseline: a DataTable fed the same events one by one, no batching, no diffing."""

    def __init__(self, name: str, **kwargs):
        super().__init__(classes="terminal-pane kube-pane")
        self.pane_name = name
        self.border_title = name
        self.columns_of = ()

    def configure(self, query) -> None:
        self.columns_of = TableView(query).columns
        self.clear(columns=True)
        for column in self.columns_of:
            self.add_column(column.name, key=column.name)

    def _cells(self, obj: dict) -> list[str]:
        now = time.time()
        return [human_duration(now - column.since(obj)) if column.since and column.since(obj) else column.get(obj)
                for column in self.columns_of]

    def apply(self, event) -> None:
        for kind, obj in event.events:
            key = "/".join(key_of(obj))
            if kind == "DELETED":
                if key in self.rows:
                    self.remove_row(key)
                continue
            cells = self._cells(obj)
            if key not in self.rows:
                self.add_row(*cells, key=key)
            else:
                for column, value in zip(self.columns_of, cells):
                    self.update_cell(key, column.name, value)

    def notice(self, text: str, severity: str = "info") -> None:
        self.border_subtitle = text

    def nodes(self) -> dict[str, str]:
        column = [c.name for c in self.columns_of].index("NODENAME")
        return {str(key.value).rsplit("/", 1)[1]: str(self.get_row(key)[column]) for key in self.rows}


class BenchApp(FlatdeckApp):
    CSS_PATH = str(HERE.parent / "tui" / "flatdeck.tcss")  # relative paths resolve beside this file

    def __init__(self, work: Path, variant: str, **kwargs):
        super().__init__(**kwargs)
        self.work, self.variant = work, variant

    def on_mount(self) -> None:
        self.run_worker(self.drive(), exclusive=False)
        self.run_worker(self.heartbeat(), exclusive=False)

    async def heartbeat(self) -> None:
        while True:
            t0 = time.perf_counter()
            await asyncio.sleep(0.01)
            LATENESS.append((time.time(), time.perf_counter() - t0 - 0.01))

    def pane(self):
        panel = self.screen.query_one(demo_panel.DemoPanel)
        return panel.kube_pane("mgmt") if self.variant == "flatdeck" else panel.query_one(NaiveTable)

    def rows(self) -> int:
        pane = self.pane()
        return pane.view.row_count if self.variant == "flatdeck" else pane.row_count

    async def drive(self) -> None:
        while self.screen.demo is None:
            await asyncio.sleep(0.05)
        runtime = self.screen.demo
        started = time.time()
        runtime.advance()  # Enter: the kube step
        while runtime.status["machines"] is not StepStatus.PASSED or self.rows() < 2000:
            if runtime.status["machines"].done and runtime.status["machines"] is not StepStatus.PASSED:
                self.finish({"error": f"the kube step ended {runtime.status['machines'].value}"})
                return
            await asyncio.sleep(0.02)
        listed = time.time() - started
        await asyncio.sleep(1.0)
        feed = runtime.drivers["mgmt"].feeds["mgmt"]
        before = feed.received  # the list, and the ADDED events kmock sends when a watch opens
        (self.work / "listed").write_text(json.dumps({"seconds": listed, "rss": rss_mib()}))
        while not (self.work / "stop").exists():
            await asyncio.sleep(0.1)
        sent = json.loads((self.work / "final.json").read_text())["sent"]
        deadline = time.time() + 20
        while feed.received - before < sent and time.time() < deadline:
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.5)  # the last batch reaches the pane
        pane = self.pane()
        if self.variant == "flatdeck":
            column = [c.name for c in pane.view.columns].index("NODENAME")
            nodes = {row.obj["metadata"]["name"]: row.texts[column]
                     for row in (pane.view.row(i) for i in range(pane.view.row_count))}
        else:
            nodes = pane.nodes()
        self.finish({"listed_seconds": listed, "received": feed.received - before, "nodes": nodes, "rss_end": rss_mib()})

    def finish(self, result: dict) -> None:
        result.update(frames=FRAMES, applies=APPLIES, lateness=LATENESS)
        (self.work / f"result-{self.variant}.json").write_text(json.dumps(result))
        self.exit()


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    work, variant = Path(sys.argv[1]), sys.argv[2]
    instrument()
    if variant == "datatable":
        demo_panel.KubePane = NaiveTable  # type: ignore[misc]  # the baseline pane, same events
    demos = DemoStage(work / "scenarios", lab=work / "lab.yaml", mode="live")
    app = BenchApp(work, variant, deck=load_deck(work / "deck.md"), watch=False, demos=demos)
    app.run()


if __name__ == "__main__":
    main()
