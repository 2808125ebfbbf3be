"""Kube panes and resource waits against a Kubernetes API served over real HTTP (kmock), read by the
official `kubernetes` client in worker threads, changed by a second client as kubectl would."""

from __future__ import annotations

import asyncio
from pathlib import Path

import kmock
import pytest

from kubeserver import CAPI, CREATED, INFRA, KCP, RESOURCES, KubeLab, machine, node
from tui.engine.events import EventBus, PaneNotice, ResourceEvents, StepFinished, StepProgress, StepStatus
from tui.engine.executor import Executor
from tui.engine.kube import KubeDriver, KubeError
from tui.kube.kinds import parse_resource_name
from tui.kube.objects import parse_time
from tui.kube.query import KubeQuery, KubeWait
from tui.kube.selector import parse_selector
from tui.kube.table import TableView
from tui.kube.tree import TreeView
from tui.kube.view import render_text
from tui.scenario.load import parse_scenario

NOW = parse_time(CREATED) + 300  # every object is 5 minutes old in the rendered tables
MACHINES = KubeQuery(parse_resource_name("machines"))


async def eventually(condition, timeout: float = 15.0) -> None:
    for _ in range(int(timeout / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("condition not met in time")


class Pane:
    """What a kube pane would show: the bus's ResourceEvents into the same view the widget draws."""

    def __init__(self, bus: EventBus, pane: str, query: KubeQuery):
        self.view = TreeView(query) if query.view == "tree" else TableView(query)
        self.events: list[tuple[str, str]] = []  # (type, name), for "no duplicate" checks
        self.notices: list[tuple[str, str]] = []
        bus.subscribe(self._on)
        self.pane = pane

    def _on(self, event) -> None:
        if isinstance(event, ResourceEvents) and event.pane == self.pane:
            self.events.extend((kind, obj["metadata"]["name"]) for kind, obj in event.events)
            self.view.replace([o for _, o in event.events]) if event.replace else self.view.apply(event.events)
        elif isinstance(event, PaneNotice) and event.pane == self.pane:
            self.notices.append((event.severity, event.text))

    def lines(self, width: int = 120) -> list[str]:
        return render_text(self.view, width, NOW)

    def names(self) -> list[str]:
        return [line.split()[0] for line in self.lines()[1:]]


@pytest.fixture
async def lab(tmp_path: Path):
    async with KubeLab(tmp_path) as served:
        yield served


@pytest.fixture
async def driver(lab: KubeLab):
    kube = KubeDriver(lab.inventory().targets["mgmt"])
    yield kube
    await kube.close()


async def test_list_and_watch_machines_with_changes_from_a_second_client(lab, driver):
    for name in ("demo-md-0-a", "demo-md-0-b", "demo-md-0-c"):
        await lab.create(machine(name))
    bus = EventBus()
    pane = Pane(bus, "mgmt", MACHINES)
    feed = await driver.watch("mgmt", MACHINES, bus, timeout=10)
    assert feed.summary() == "3 machines"
    assert pane.lines() == [
        "NAME          CLUSTER   NODENAME   PHASE          AGE      VERSION",
        "demo-md-0-a   demo      <none>     Provisioning   5m       v1.33.4",
        "demo-md-0-b   demo      <none>     Provisioning   5m       v1.33.4",
        "demo-md-0-c   demo      <none>     Provisioning   5m       v1.33.4",
    ]
    await lab.patch(machine("demo-md-0-b"), {"status": {"phase": "Running", "nodeRef": {"name": "worker-1"}}})
    await lab.create(machine("demo-md-0-0"))
    await lab.delete(machine("demo-md-0-c"))
    await eventually(lambda: pane.names() == ["demo-md-0-0", "demo-md-0-a", "demo-md-0-b"] and "Running" in pane.lines()[3])
    assert pane.lines()[3] == "demo-md-0-b   demo      worker-1   Running        5m       v1.33.4"
    assert pane.events == [("ADDED", "demo-md-0-a"), ("ADDED", "demo-md-0-b"), ("ADDED", "demo-md-0-c"),
                           ("MODIFIED", "demo-md-0-b"), ("ADDED", "demo-md-0-0"), ("DELETED", "demo-md-0-c")]


async def test_nodes_table_a_heartbeat_is_no_event_a_cordon_is(lab, driver):
    await lab.create(node("control-1", role="control-plane"))
    await lab.create(node("worker-1"))
    bus = EventBus()
    query = KubeQuery(parse_resource_name("no"))
    pane = Pane(bus, "nodes", query)
    await driver.watch("nodes", query, bus, timeout=10)
    assert pane.lines() == [
        "NAME        STATUS   ROLES           AGE      VERSION   OS-IMAGE",
        "control-1   Ready    control-plane   5m       v1.33.4   Flatcar Container Linux by Kinvolk 4230.2.0",
        "worker-1    Ready    <none>          5m       v1.33.4   Flatcar Container Linux by Kinvolk 4230.2.0",
    ]
    beat = node("worker-1")["status"]
    beat["conditions"][0]["lastHeartbeatTime"] = "2026-01-01T00:20:00Z"
    await lab.patch(node("worker-1"), {"status": beat})  # a kubelet heartbeat: nothing visible changes
    await lab.patch(node("worker-1"), {"spec": {"unschedulable": True}})  # kured cordons it
    await eventually(lambda: "SchedulingDisabled" in pane.lines()[2])
    assert pane.lines()[2].startswith("worker-1    Ready,SchedulingDisabled   <none>")
    assert pane.events[2:] == [("MODIFIED", "worker-1")]  # the heartbeat made no event


async def test_the_selector_applies_even_where_the_server_ignores_it(lab, driver):
    await lab.create(machine("demo-md-0-a"))
    await lab.create(machine("other-md-0-a", cluster="other"))
    bus = EventBus()
    query = KubeQuery(parse_resource_name("machines"), selector=parse_selector("cluster.x-k8s.io/cluster-name=demo"))
    pane = Pane(bus, "mgmt", query)
    await driver.watch("mgmt", query, bus, timeout=10)
    await lab.create(machine("other-md-0-b", cluster="other"))
    await lab.create(machine("demo-md-0-b"))
    await eventually(lambda: len(pane.names()) == 2)
    await asyncio.sleep(0.2)
    assert pane.names() == ["demo-md-0-a", "demo-md-0-b"]
    watch = next(r for r in lab.kmock if r.action == kmock.action.WATCH)
    assert watch.params["labelSelector"] == "cluster.x-k8s.io/cluster-name=demo"  # asked of the server too


async def test_server_stopped_and_restarted_mid_watch_loses_and_duplicates_no_row(lab, driver):
    for name in ("m-0", "m-1", "m-2"):
        await lab.create(machine(name))
    bus = EventBus()
    pane = Pane(bus, "mgmt", MACHINES)
    feed = await driver.watch("mgmt", MACHINES, bus, timeout=10)
    await lab.stop_server()
    await eventually(lambda: any("connection lost" in text for _, text in pane.notices))
    # while the API is down the cluster moves on: these reach no watch (no HTTP), only a new list sees them
    lab.kmock.objects[lab.key(machine("m-1"))].patch({"status": {"phase": "Running"}})
    lab.kmock.objects[lab.key(machine("m-2"))].delete()
    lab.kmock.objects[lab.key(machine("m-3"))] = machine("m-3")
    await asyncio.sleep(1.2)  # a few refused reconnects with backoff
    await lab.start_server()
    await eventually(lambda: pane.names() == ["m-0", "m-1", "m-3"], timeout=20)
    await lab.patch(machine("m-0"), {"status": {"phase": "Running"}})  # and the watch is live again
    await eventually(lambda: pane.lines()[1].split()[3] == "Running")
    served = sorted((m["metadata"]["name"], m["status"]["phase"]) for m in lab.served("Machine"))
    shown = sorted((line.split()[0], line.split()[3]) for line in pane.lines()[1:])
    assert shown == served == [("m-0", "Running"), ("m-1", "Running"), ("m-3", "Provisioning")]
    assert pane.events == [("ADDED", "m-0"), ("ADDED", "m-1"), ("ADDED", "m-2"),  # nothing twice, nothing lost
                           ("DELETED", "m-2"), ("MODIFIED", "m-1"), ("ADDED", "m-3"), ("MODIFIED", "m-0")]
    assert feed.watchers[0].lists == 2  # no resourceVersion from this server: it listed again
    assert pane.notices[-1] == ("info", "connection restored (machines: listed again)")


async def test_resumes_from_the_last_resource_version_and_relists_on_410_gone(lab, driver):
    versioned = machine("m-0")
    versioned["metadata"]["resourceVersion"] = "7"  # a server that versions its objects
    await lab.create(versioned)
    bus = EventBus()
    pane = Pane(bus, "mgmt", MACHINES)
    feed = await driver.watch("mgmt", MACHINES, bus, timeout=10)
    await eventually(lambda: feed.watchers[0].last_version == "7")
    await lab.stop_server()
    await lab.start_server()
    await eventually(lambda: len(_reads(lab)) >= 3, timeout=20)
    assert [r.action for r in _reads(lab)] == [kmock.action.LIST, kmock.action.WATCH, kmock.action.WATCH]
    assert _reads(lab)[-1].params.get("resourceVersion") == "7"  # resumed, not listed again
    # now the version is too old: the server says 410 Gone, and the watcher lists afresh
    lab.kmock["watch", kmock.params(resourceVersion="7")] << 410 << {
        "kind": "Status", "apiVersion": "v1", "code": 410, "reason": "Expired", "message": "too old resource version: 7"}
    await lab.stop_server()
    await lab.start_server()
    await eventually(lambda: feed.watchers[0].lists == 2, timeout=20)
    assert pane.names() == ["m-0"]
    assert pane.events == [("ADDED", "m-0")]


async def test_a_missing_crd_fails_the_step_with_a_clear_message(tmp_path):
    core_only = {k: v for k, v in RESOURCES.items() if k.startswith("v1/")}
    async with KubeLab(tmp_path, resources=core_only) as served:
        scenario = parse_scenario("title: T\nsteps:\n  - {id: machines, target: mgmt, kube: {get: machines}}\n")
        executor = _executor(scenario, served)
        notices, finished = _collect(executor.bus)
        try:
            result = await executor.run_step(scenario.steps[0])
        finally:
            await executor.close()
    expected = (f"{served.url} does not serve machines (cluster.x-k8s.io): is its CustomResourceDefinition "
                f"installed? (kubectl get crd machines.cluster.x-k8s.io)")
    assert (result.status, result.message) == (StepStatus.FAILED, expected)
    assert notices == [("error", expected)]
    assert finished[0].message == expected


async def test_a_rejected_token_says_401_with_the_context_and_kubeconfig(lab):
    lab.kmock[kmock.headers(Authorization="Bearer expired")] << 401 << {
        "kind": "Status", "apiVersion": "v1", "code": 401, "reason": "Unauthorized", "message": "Unauthorized"}
    target = lab.inventory(token="expired").targets["mgmt"]
    kube = KubeDriver(target)
    try:
        with pytest.raises(KubeError) as info:
            await kube.watch("mgmt", MACHINES, EventBus(), timeout=10)
    finally:
        await kube.close()
    assert str(info.value) == (f"401 Unauthorized: {lab.url} did not accept the credentials of context kind-mgmt in "
                               f"{target.kubeconfig} (an expired token or certificate?)")
    ok, line = await KubeDriver(target).diagnose(3)
    assert not ok and line.startswith("✗ mgmt: 401 Unauthorized")


async def test_forbidden_says_403_with_the_server_s_reason(lab, driver):
    message = ('machines.cluster.x-k8s.io is forbidden: User "system:serviceaccount:default:viewer" cannot list '
               'resource "machines" in API group "cluster.x-k8s.io" in the namespace "default"')
    lab.kmock["list", kmock.resource("cluster.x-k8s.io", "v1beta1", "machines")] << 403 << {
        "kind": "Status", "apiVersion": "v1", "code": 403, "reason": "Forbidden", "message": message}
    with pytest.raises(KubeError) as info:
        await driver.watch("mgmt", MACHINES, EventBus(), timeout=10)
    assert str(info.value) == f"403 Forbidden: {message} (context kind-mgmt; RBAC)"


async def test_a_wait_succeeds_as_machines_converge_showing_progress(lab, driver):
    names = ("demo-md-0-a", "demo-md-0-b", "demo-control-plane-x")
    for name in names:
        await lab.create(machine(name))
    wait = KubeWait(KubeQuery(parse_resource_name("machines"), selector=parse_selector(
        "cluster.x-k8s.io/cluster-name=demo")), phase="Running", count=3)
    bus = EventBus()
    progress = []
    bus.subscribe(lambda e: progress.append(e.text) if isinstance(e, StepProgress) else None)

    async def converge() -> None:  # one Machine after the other, as they come up
        await eventually(lambda: bool(progress))
        for done, name in enumerate(names, 1):
            await lab.patch(machine(name), {"status": {"phase": "Running"}})
            await eventually(lambda: progress[-1].startswith(f"{done}/3"))

    task = asyncio.create_task(converge())
    ok, message = await driver.wait("running", wait, bus, timeout=20)
    await task
    assert ok and message.startswith("3/3 Running after ")
    assert progress == ["0/3 Running", "1/3 Running", "2/3 Running", "3/3 Running"]


async def test_a_wait_times_out_naming_what_is_not_there_yet(lab, driver):
    await lab.create(node("worker-1", version="v1.33.5"))
    await lab.create(node("worker-2", version="v1.33.4"))
    await lab.create(node("worker-3", version="v1.33.5", ready=False))
    wait = KubeWait(KubeQuery(parse_resource_name("nodes")), where=(("STATUS", "Ready"), ("VERSION", "v1.33.5")), count=3)
    ok, message = await driver.wait("versions", wait, EventBus(), timeout=1.5)
    assert not ok
    assert message == ("1/3 Ready, v1.33.5 after 1s (not yet: worker-2: VERSION v1.33.4; worker-3: STATUS NotReady)")


async def test_a_wait_on_a_condition_of_a_kubeadmcontrolplane(lab, driver):
    plane = {"apiVersion": KCP, "kind": "KubeadmControlPlane",
             "metadata": {"name": "demo-control-plane", "namespace": "default", "creationTimestamp": CREATED},
             "status": {"conditions": [{"type": "Available", "status": "False", "reason": "WaitingForKubeadmInit"}]}}
    await lab.create(plane)
    wait = KubeWait(KubeQuery(parse_resource_name("kcp"), name="demo-control-plane"), condition=("Available", "True"))
    waiting = asyncio.create_task(driver.wait("available", wait, EventBus(), timeout=20))
    await asyncio.sleep(0.5)
    assert not waiting.done()
    await lab.patch(plane, {"status": {"conditions": [{"type": "Available", "status": "True"}]}})
    ok, message = await waiting
    assert ok and message.startswith("1/1 Available after")


async def test_the_describe_tree_follows_the_cluster_and_its_references(lab, driver):
    await lab.create({"apiVersion": CAPI, "kind": "Cluster", "metadata": {"name": "demo", "namespace": "default"},
                      "spec": {"controlPlaneRef": {"apiVersion": KCP, "kind": "KubeadmControlPlane", "name": "demo-cp"},
                               "infrastructureRef": {"apiVersion": INFRA, "kind": "OpenStackCluster", "name": "demo"}},
                      "status": {"conditions": [_ready("True", at="2026-01-01T00:03:00Z")]}})
    await lab.create({"apiVersion": INFRA, "kind": "OpenStackCluster", "metadata": {"name": "demo", "namespace": "default"},
                      "status": {"ready": True, "conditions": [_ready("True")]}})
    await lab.create({"apiVersion": KCP, "kind": "KubeadmControlPlane", "metadata": {"name": "demo-cp", "namespace": "default",
                      "labels": {"cluster.x-k8s.io/cluster-name": "demo"}}, "status": {"conditions": [_ready("True")]}})
    await lab.create({"apiVersion": CAPI, "kind": "MachineDeployment", "metadata": {"name": "demo-md-0", "namespace": "default",
                      "labels": {"cluster.x-k8s.io/cluster-name": "demo"}},
                      "status": {"conditions": [_ready("False", "WaitingForAvailableMachines", "Warning",
                                                       "Minimum availability requires 2 replicas, current 0 available")]}})
    await lab.create(machine("demo-cp-x2b4k", phase="Running", control_plane=True) | {"status": {"conditions": [_ready("True")]}})
    await lab.create(machine("demo-md-0-abc") | {"status": {"conditions": [_ready("False", "Bootstrapping", "Info")]}})
    bus = EventBus()
    query = KubeQuery(None, describe="demo", namespace="default")
    pane = Pane(bus, "tree", query)
    await driver.watch("tree", query, bus, timeout=10)
    # the referenced infrastructure and control plane objects arrive through watches of their own
    await eventually(lambda: len(pane.lines()) == 8 and all(pane.lines(130)[i].endswith("5m") for i in (2, 3)))
    assert pane.lines(130) == [
        "NAME                                              READY   SEVERITY   REASON                        SINCE    MESSAGE",
        "Cluster/demo                                      True                                             2m",
        "├─ClusterInfrastructure - OpenStackCluster/demo   True                                             5m",
        "├─ControlPlane - KubeadmControlPlane/demo-cp      True                                             5m",
        "│ └─Machine/demo-cp-x2b4k                         True                                             5m",
        "└─Workers",
        "  └─MachineDeployment/demo-md-0                   False   Warning    WaitingForAvailableMachines   5m       "
        "Minimum availability requires 2 replicas, current 0 available",
        "    └─Machine/demo-md-0-abc                       False   Info       Bootstrapping                 5m",
    ]
    await lab.patch(machine("demo-md-0-abc"), {"status": {"conditions": [_ready("True", at="2026-01-01T00:04:30Z")]}})
    await eventually(lambda: pane.lines()[-1].split()[1] == "True")
    assert pane.lines(130)[-1] == "    └─Machine/demo-md-0-abc                       True                                             30s"


async def test_ctrl_c_stops_a_long_wait(lab):
    await lab.create(machine("demo-md-0-a"))
    scenario = parse_scenario("title: T\nsteps:\n  - {id: w, target: mgmt, wait: {kube: machines, phase: Running, timeout: 5m}}\n")
    executor = _executor(scenario, lab)
    try:
        running = asyncio.create_task(executor.run_step(scenario.steps[0]))
        await asyncio.sleep(1.0)
        executor.interrupt()
        result = await asyncio.wait_for(running, 10)
    finally:
        await executor.close()
    assert result.status is StepStatus.INTERRUPTED


async def test_an_unknown_kind_is_found_by_discovery_and_shows_jsonpath_columns(tmp_path):
    widgets = {**RESOURCES, "example.com/v1alpha1/widgets": kmock.ResourceInfo(kind="Widget", namespaced=True, shortnames={"wd"})}
    async with KubeLab(tmp_path, resources=widgets) as served:
        await served.request("POST", "/apis/example.com/v1alpha1/namespaces/default/widgets", {
            "apiVersion": "example.com/v1alpha1", "kind": "Widget", "metadata": {"name": "w1", "namespace": "default",
                                                                                 "creationTimestamp": CREATED},
            "spec": {"size": 3, "secret": "hunter2"}, "status": {"conditions": [_ready("True")]}})
        scenario = parse_scenario("title: T\nsteps:\n  - id: w\n    target: mgmt\n    kube:\n      get: wd\n"
                                  "      columns: {SIZE: .spec.size, READY: '.status.conditions[?(@.type==\"Ready\")].status'}\n")
        query = scenario.steps[0].kube
        bus = EventBus()
        pane = Pane(bus, "mgmt", query)
        kube = KubeDriver(served.inventory().targets["mgmt"])
        try:
            feed = await kube.watch("mgmt", query, bus, timeout=10)
        finally:
            await kube.close()
    assert pane.lines() == ["NAME   AGE      SIZE   READY", "w1     5m       3      True"]
    (obj,) = feed.store
    assert obj["spec"] == {"size": 3}  # trimmed to what the columns read: the rest never leaves the engine


async def test_a_kube_target_runs_no_commands(lab):
    scenario = parse_scenario("title: T\nsteps:\n  - {id: a, run: kubectl get nodes, target: mgmt}\n")
    from tui.scenario.inventory import validate_targets

    (error,) = validate_targets(scenario, lab.inventory())
    assert error.message == "step 'a' runs a command on 'mgmt', a Kubernetes cluster; expected a local or ssh target"
    kube_on_local = parse_scenario("title: T\nsteps:\n  - {id: b, kube: {get: nodes}, target: local}\n")
    (error,) = validate_targets(kube_on_local, lab.inventory())
    assert error.message == ("step 'b' reads Kubernetes resources from 'local', a local target; "
                             "expected a kube target (kind: kube)")


def _ready(status: str, reason: str = "", severity: str = "", message: str = "",
           at: str = "2026-01-01T00:00:00Z") -> dict:
    condition = {"type": "Ready", "status": status, "lastTransitionTime": at}
    condition.update({k: v for k, v in (("reason", reason), ("severity", severity), ("message", message)) if v})
    return condition


def _reads(lab: KubeLab) -> list:
    """The list and watch requests for machines the server has seen, in order."""
    return [r for r in lab.kmock if r.url.path.endswith("/machines") and r.action in (kmock.action.LIST, kmock.action.WATCH)]


def _executor(scenario, lab: KubeLab) -> Executor:
    from tui.engine.drivers import drivers_for

    return Executor(scenario, drivers_for(lab.inventory()), {})


def _collect(bus: EventBus):
    notices: list[tuple[str, str]] = []
    finished: list[StepFinished] = []
    bus.subscribe(lambda e: notices.append((e.severity, e.text)) if isinstance(e, PaneNotice) and e.text else None)
    bus.subscribe(lambda e: finished.append(e) if isinstance(e, StepFinished) else None)
    return notices, finished


async def test_without_kubeconfig_the_target_reads_KUBECONFIG(lab, monkeypatch):
    await lab.create(node("worker-1"))
    monkeypatch.setenv("KUBECONFIG", str(lab.kubeconfig()))
    from tui.scenario.inventory import parse_inventory

    target = parse_inventory("targets:\n  mgmt: {kind: kube}\n").targets["mgmt"]
    kube = KubeDriver(target)
    bus = EventBus()
    pane = Pane(bus, "mgmt", KubeQuery(parse_resource_name("nodes")))
    try:
        await kube.watch("mgmt", KubeQuery(parse_resource_name("nodes")), bus, timeout=10)
        ok, line = await kube.diagnose(3)
    finally:
        await kube.close()
    assert pane.names() == ["worker-1"]
    assert ok and line == f"✓ mgmt: {lab.url} (context kind-mgmt), Kubernetes v1.26.4+k3s1, credentials accepted"


async def test_one_scenario_two_clusters_and_a_pane_that_changes_cluster(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    async with KubeLab(tmp_path / "a") as management, KubeLab(tmp_path / "b") as workload:
        await management.create(machine("demo-md-0-a"))
        await workload.create(node("demo-md-0-a"))
        await workload.create(node("demo-md-0-b"))
        lab = tmp_path / "lab.yaml"
        lab.write_text(f"targets:\n  mgmt: {{kind: kube, kubeconfig: {management.kubeconfig()}}}\n"
                       f"  workload: {{kind: kube, kubeconfig: {workload.kubeconfig()}}}\n")
        scenario = parse_scenario(
            "title: T\nsteps:\n"
            "  - {id: machines, target: mgmt, kube: {get: machines}}\n"
            "  - {id: nodes, target: workload, kube: {get: nodes}}\n"
            "  - {id: same-pane, target: workload, pane: mgmt, kube: {get: nodes}}\n")
        from tui.engine.drivers import drivers_for
        from tui.scenario.inventory import load_inventory

        executor = Executor(scenario, drivers_for(load_inventory(lab)), {})
        machines, nodes = Pane(executor.bus, "mgmt", MACHINES), Pane(executor.bus, "workload", KubeQuery(parse_resource_name("nodes")))
        try:
            results = [await executor.run_step(step) for step in scenario.steps]
            assert [r.message for r in results] == ["watching: 1 machine", "watching: 2 nodes", "watching: 2 nodes"]
            assert machines.names() == ["demo-md-0-a"] and nodes.names() == ["demo-md-0-a", "demo-md-0-b"]
            mgmt_driver = executor.drivers["mgmt"]
            assert "mgmt" not in mgmt_driver.feeds  # the pane now shows the workload cluster: the old watch ended
            assert set(executor.drivers["workload"].feeds) == {"workload", "mgmt"}
            feeds = list(executor.drivers["workload"].feeds.values())
        finally:
            await executor.close()
        assert not any(w._thread.is_alive() for f in feeds for w in f.watchers)  # closing ends every watch thread


async def test_ctrl_c_while_a_kube_step_still_connects(tmp_path):
    port = __import__("kubeserver").free_port()  # nothing listens: every attempt is refused
    config = tmp_path / "kubeconfig"
    config.write_text(f'{{"apiVersion": "v1", "kind": "Config", "current-context": "c", "clusters": [{{"name": "c", '
                      f'"cluster": {{"server": "http://127.0.0.1:{port}"}}}}], "users": [{{"name": "u", "user": {{}}}}], '
                      f'"contexts": [{{"name": "c", "context": {{"cluster": "c", "user": "u"}}}}]}}')
    lab = tmp_path / "lab.yaml"
    lab.write_text(f"targets:\n  mgmt: {{kind: kube, kubeconfig: {config}}}\n")
    scenario = parse_scenario("title: T\nsteps:\n  - {id: m, target: mgmt, kube: {get: nodes}, timeout: 1m}\n")
    from tui.engine.drivers import drivers_for
    from tui.scenario.inventory import load_inventory

    executor = Executor(scenario, drivers_for(load_inventory(lab)), {})
    notices, _ = _collect(executor.bus)
    try:
        running = asyncio.create_task(executor.run_step(scenario.steps[0]))
        await eventually(lambda: bool(notices))
        executor.interrupt()
        result = await asyncio.wait_for(running, 10)
    finally:
        await executor.close()
    assert result.status is StepStatus.INTERRUPTED
    assert notices[0][0] == "warning" and "connection refused" in notices[0][1]
