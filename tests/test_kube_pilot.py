"""Kube panes in the presenting app: live against kmock, replayed from a recording our recorder made
against kmock, and "not recorded yet" when there is none."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from conftest import make_app, until
from kubeserver import KubeLab, machine
from tui.demostage import DemoStage
from tui.engine.events import StepStatus
from tui.headless import run_scenario
from tui.scenario.load import load_scenario
from tui.widgets.demo_panel import DemoPanel
from tui.widgets.step_list import StepList

SCENARIOS = Path(__file__).parent / "scenarios"
CLUSTER = {"apiVersion": "cluster.x-k8s.io/v1beta1", "kind": "Cluster", "metadata": {"name": "demo", "namespace": "default"},
           "spec": {}, "status": {"conditions": [{"type": "Ready", "status": "False", "reason": "Provisioning"}]}}


@pytest.fixture
def deck(tmp_path: Path) -> Path:
    path = tmp_path / "deck.md"
    path.write_text("# Cluster API\n\n<!-- demo: kube-demo -->\n\nMachines converge beside the slide.\n")
    return path


def _panel(app) -> DemoPanel:
    return app.screen.query_one(DemoPanel)


def _rows(app, pane: str = "mgmt") -> list[str]:
    return _panel(app).kube_pane(pane).plain_lines()[1:]


async def _seed(lab: KubeLab) -> None:
    await lab.create(CLUSTER)
    for name in ("demo-md-0-a", "demo-md-0-b", "demo-md-0-c"):
        await lab.create(machine(name))


async def test_live_a_table_fills_a_wait_shows_progress_and_passes(tmp_path, deck):
    async with KubeLab(tmp_path) as lab:
        await _seed(lab)
        app = make_app(deck, demos=DemoStage(SCENARIOS, lab=lab.lab_file(), mode="live"))
        async with app.run_test(size=(120, 40)) as pilot:
            runtime = app.screen.demo
            await pilot.press("enter", "enter")  # narration, then the kube step
            await until(pilot, lambda: runtime.status["machines"] is StepStatus.PASSED)
            await until(pilot, lambda: len(_rows(app)) == 3)
            assert all("Provisioning" in row for row in _rows(app))
            pane = _panel(app).kube_pane("mgmt")
            assert pane.border_title == "mgmt · kubectl get machines -l cluster.x-k8s.io/cluster-name=demo -w"
            assert pane.border_subtitle == "3 machines"
            await pilot.press("enter")  # the wait
            await until(pilot, lambda: _panel(app).query_one(StepList).rows["running"].progress == "0/3 Running")
            await lab.patch(machine("demo-md-0-a"), {"status": {"phase": "Running"}})
            await until(pilot, lambda: _panel(app).query_one(StepList).rows["running"].progress == "1/3 Running")
            # the table and the wait follow separate watches, so either may see the change first
            await until(pilot, lambda: "Running" in _rows(app)[0])
            for name in ("demo-md-0-b", "demo-md-0-c"):
                await lab.patch(machine(name), {"status": {"phase": "Running"}})
            await until(pilot, lambda: runtime.status["running"] is StepStatus.PASSED)
            await pilot.press("enter")  # the tree, in its own pane
            await until(pilot, lambda: runtime.status["tree"] is StepStatus.PASSED)
            await until(pilot, lambda: len(_rows(app, "tree")) == 6)
            assert [row.split()[0] for row in _rows(app, "tree")] == [
                "Cluster/demo", "└─Workers", "└─Other", "├─Machine/demo-md-0-a", "├─Machine/demo-md-0-b",
                "└─Machine/demo-md-0-c"]


async def test_replay_without_a_recording_shows_what_the_pane_would_watch(tmp_path, deck):
    app = make_app(deck, demos=DemoStage(SCENARIOS, mode="replay", recordings=tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("enter", "enter")
        await pilot.pause(0.1)
        pane = _panel(app).kube_pane("mgmt")
        assert pane.notice_text == ("kubectl get machines -l cluster.x-k8s.io/cluster-name=demo -w — not recorded yet: "
                                    "it would watch mgmt here")
        assert pane.plain_lines() == ["NAME   CLUSTER   NODENAME   PHASE   AGE      VERSION"]


async def test_a_recorded_watch_replays_into_the_same_table_and_tree(tmp_path, deck):
    """Record the scenario for real against kmock (the Machines converge while the wait runs),
    then present it offline: the panes end as the live ones did."""
    recordings = tmp_path / "recordings"
    async with KubeLab(tmp_path) as lab:
        await _seed(lab)

        async def converge() -> None:
            await asyncio.sleep(1.0)
            for name in ("demo-md-0-a", "demo-md-0-b", "demo-md-0-c"):
                await lab.patch(machine(name), {"status": {"phase": "Running", "nodeRef": {"name": f"node-{name[-1]}"}}})
                await asyncio.sleep(0.3)

        task = asyncio.create_task(converge())
        code = await run_scenario(load_scenario(SCENARIOS / "kube-demo.yaml"), lab.inventory(), color=False,
                                  record_to=recordings, out=open(tmp_path / "transcript.txt", "w"))
        await task
        live = sorted((m["metadata"]["name"], m["status"]["phase"], m["status"]["nodeRef"]["name"])
                      for m in lab.served("Machine"))
    assert code == 0, (tmp_path / "transcript.txt").read_text()
    files = sorted(p.name for p in (recordings / "kube-demo").iterdir())
    assert files == ["02-machines--mgmt.jsonl", "03-running--mgmt.jsonl", "04-tree--tree.jsonl", "manifest.json"]
    app = make_app(deck, demos=DemoStage(SCENARIOS, mode="replay", recordings=recordings))
    async with app.run_test(size=(120, 40)) as pilot:
        runtime = app.screen.demo
        assert runtime.executor is None  # nothing runs, nothing connects
        await pilot.press("enter", "enter", "enter")
        await until(pilot, lambda: runtime.status["running"] is StepStatus.PASSED)
        def shown() -> list[tuple[str, str, str]]:
            return sorted((row.split()[0], row.split()[3], row.split()[2]) for row in _rows(app))

        await until(pilot, lambda: shown() == live)  # the table's own log may end a moment after the wait's
        await pilot.press("enter")
        await until(pilot, lambda: runtime.status["tree"] is StepStatus.PASSED)
        assert [row.split()[0] for row in _rows(app, "tree")][0] == "Cluster/demo"
        assert len(_rows(app, "tree")) == 6  # cluster, Workers, Other, three Machines
    # the HTML export shows each kube step as the table it ends on
    from tui.deck.parse import load_deck
    from tui.export import demo_views

    view = demo_views(load_deck(deck), DemoStage(SCENARIOS, mode="replay", recordings=recordings))["kube-demo"]
    running = next(s for s in view.steps if s.label == "Every Machine Running")
    assert running.screen.splitlines()[0].split() == ["NAME", "CLUSTER", "NODENAME", "PHASE", "AGE", "VERSION"]
    assert sorted((line.split()[0], line.split()[3]) for line in running.screen.splitlines()[1:]) == [
        (name, "Running") for name, _, _ in live]
