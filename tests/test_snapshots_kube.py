"""SVG snapshots of a kube table and a `clusterctl describe` tree fed deterministic watch events
(a frozen clock: every age is fixed), at 120×40 and 80×24."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult

from kubeserver import CAPI, INFRA, KCP, machine, node
from tui.engine.events import ResourceEvents
from tui.kube.kinds import parse_resource_name
from tui.kube.objects import fields_for, parse_time, trim
from tui.kube.query import KubeQuery
from tui.widgets.kube_pane import KubePane

SIZES = {"120x40": (120, 40), "80x24": (80, 24)}
NOW = parse_time("2026-01-01T00:12:00Z")


def _ready(status: str, at: str, reason: str = "", severity: str = "", message: str = "") -> dict:
    found = {"type": "Ready", "status": status, "lastTransitionTime": at}
    found.update({k: v for k, v in (("reason", reason), ("severity", severity), ("message", message)) if v})
    return found


def _aged(obj: dict, created: str) -> dict:
    obj["metadata"]["creationTimestamp"] = created
    return trim(obj, fields_for(obj["kind"]))


def machines() -> list[tuple[str, dict]]:
    """A cluster coming up: the control plane runs, workers provision, one was deleted, one failed."""
    events = [
        ("ADDED", _aged(machine("demo-control-plane-x2b4k", "Running", node="demo-control-plane-x2b4k",
                                control_plane=True), "2026-01-01T00:00:00Z")),
        ("ADDED", _aged(machine("demo-md-0-7d9f5-abcde"), "2026-01-01T00:04:00Z")),
        ("ADDED", _aged(machine("demo-md-0-7d9f5-fghij"), "2026-01-01T00:04:00Z")),
        ("ADDED", _aged(machine("demo-md-0-7d9f5-klmno"), "2026-01-01T00:11:15Z")),
        ("ADDED", _aged(machine("demo-md-0-7d9f5-zzzzz", "Failed"), "2025-12-30T00:00:00Z")),
    ]
    running = machine("demo-md-0-7d9f5-abcde", "Running", node="demo-md-0-7d9f5-abcde")
    events += [("MODIFIED", _aged(running, "2026-01-01T00:04:00Z")),
               ("DELETED", _aged(machine("demo-md-0-7d9f5-klmno"), "2026-01-01T00:11:15Z"))]
    return events


def nodes() -> list[tuple[str, dict]]:
    cordoned = node("worker-2", version="v1.33.4")
    cordoned["spec"] = {"unschedulable": True}
    return [("ADDED", _aged(node("control-1", "v1.33.5", role="control-plane"), "2026-01-01T00:00:00Z")),
            ("ADDED", _aged(node("worker-1", "v1.33.5"), "2026-01-01T00:00:00Z")),
            ("ADDED", _aged(cordoned, "2026-01-01T00:00:00Z")),
            ("ADDED", _aged(node("worker-3", "v1.33.4", ready=False), "2026-01-01T00:00:00Z"))]


def tree() -> list[tuple[str, dict]]:
    meta = {"namespace": "default", "labels": {"cluster.x-k8s.io/cluster-name": "demo"}}
    return [
        ("ADDED", {"apiVersion": CAPI, "kind": "Cluster", "metadata": {"name": "demo", **meta},
                   "spec": {"controlPlaneRef": {"kind": "KubeadmControlPlane", "name": "demo-control-plane"},
                            "infrastructureRef": {"kind": "OpenStackCluster", "name": "demo"}},
                   "status": {"conditions": [_ready("True", "2026-01-01T00:09:00Z")]}}),
        ("ADDED", {"apiVersion": INFRA, "kind": "OpenStackCluster", "metadata": {"name": "demo", **meta},
                   "status": {"conditions": [_ready("True", "2026-01-01T00:01:00Z")]}}),
        ("ADDED", {"apiVersion": KCP, "kind": "KubeadmControlPlane", "metadata": {"name": "demo-control-plane", **meta},
                   "status": {"conditions": [_ready("True", "2026-01-01T00:08:00Z")]}}),
        ("ADDED", {"apiVersion": CAPI, "kind": "MachineDeployment", "metadata": {"name": "demo-md-0", **meta},
                   "status": {"conditions": [_ready("False", "2026-01-01T00:04:00Z", "WaitingForAvailableMachines",
                                                    "Warning", "Minimum availability requires 2 replicas, current 1 available")]}}),
        ("ADDED", machine("demo-control-plane-x2b4k", "Running", control_plane=True)
         | {"status": {"conditions": [_ready("True", "2026-01-01T00:08:00Z")]}}),
        ("ADDED", machine("demo-md-0-7d9f5-abcde", "Running") | {"status": {"conditions": [_ready("True", "2026-01-01T00:10:30Z")]}}),
        ("ADDED", machine("demo-md-0-7d9f5-fghij") | {"status": {"conditions": [
            _ready("False", "2026-01-01T00:04:00Z", "WaitingForBootstrapData", "Info", "1 of 2 completed")]}}),
    ]


class KubePanes(App):
    """Two kube panes stacked, as a demo slide shows them, with a frozen clock."""

    CSS = """
    KubePane { height: 1fr; border: round $panel-lighten-2; border-title-color: $text-muted; }
    """

    def __init__(self, panes: list[tuple[KubeQuery, list[tuple[str, dict]], str]]):
        super().__init__()
        self.panes = panes

    def compose(self) -> ComposeResult:
        for index, _ in enumerate(self.panes):
            yield KubePane(f"pane{index}", clock=lambda: NOW)

    def on_mount(self) -> None:
        for widget, (query, events, notice) in zip(self.query(KubePane), self.panes):
            widget.configure(query)
            widget.apply(ResourceEvents(widget.pane_name, tuple(events)))
            if notice:
                widget.notice(notice, "warning")


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_machine_and_node_tables(snap_compare, size):
    app = KubePanes([
        (KubeQuery(parse_resource_name("machines")), machines(), ""),
        (KubeQuery(parse_resource_name("nodes")), nodes(),
         "connection lost — cannot reach https://10.0.0.1:6443: connection refused — retrying in 2s"),
    ])

    async def run_before(pilot) -> None:
        await pilot.pause()
        # a change after the first paint repaints only its own line: it must still reach the screen
        provisioned = machine("demo-md-0-7d9f5-fghij", "Provisioned", node="demo-md-0-7d9f5-fghij")
        pane = pilot.app.query(KubePane).first()
        pane.apply(ResourceEvents(pane.pane_name, (("MODIFIED", _aged(provisioned, "2026-01-01T00:04:00Z")),)))
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZES[size], run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_describe_tree(snap_compare, size):
    app = KubePanes([(KubeQuery(None, describe="demo", namespace="default"), tree(), "")])
    assert snap_compare(app, terminal_size=SIZES[size])
