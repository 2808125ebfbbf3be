"""The pure side of kube panes: names, JSONPath, selectors, ages, colours, trimming, the store's
diffs, table order and layout, the tree, and wait progress. No cluster, no Textual."""

from __future__ import annotations

import pytest

from kubeserver import machine, node
from tui.kube.columns import human_duration, status_style
from tui.kube.jsonpath import JsonPathError, parse_jsonpath
from tui.kube.kinds import Resource, ResourceName, choose, parse_resource_name
from tui.kube.objects import fields_for, parse_time, trim
from tui.kube.query import KubeQuery, KubeWait
from tui.kube.selector import parse_selector
from tui.kube.store import ObjectStore
from tui.kube.table import TableView
from tui.kube.view import render_text
from tui.kube.waits import evaluate

NOW = parse_time("2026-01-01T00:05:00Z")


@pytest.mark.parametrize("text, name, group", [
    ("machines", "machines", None), ("Machine", "machine", None), ("ma", "ma", None),
    ("machines.cluster.x-k8s.io", "machines", "cluster.x-k8s.io"), ("KCP", "kcp", None),
])
def test_resource_names(text, name, group):
    assert parse_resource_name(text) == ResourceName(name, group)


@pytest.mark.parametrize("text", ["ma chines", "", "-x", "machines.", "machines.Cluster_X"])
def test_bad_resource_names(text):
    with pytest.raises(ValueError, match="expected"):
        parse_resource_name(text)


def test_a_known_name_prefers_its_own_group_over_a_lookalike():
    served = [Resource("example.com", "v1", "machines", "Machine", True),
              Resource("cluster.x-k8s.io", "v1beta1", "machines", "Machine", True, ("ma",)),
              Resource("cluster.x-k8s.io", "v1beta1", "machines/status", "Machine", True)]
    assert choose(parse_resource_name("ma"), served).group == "cluster.x-k8s.io"
    assert choose(parse_resource_name("machines.example.com"), served).group == "example.com"
    assert choose(parse_resource_name("widgets"), served) is None
    assert served[1].path("default") == "/apis/cluster.x-k8s.io/v1beta1/namespaces/default/machines"
    assert Resource("", "v1", "nodes", "Node", False).path("default") == "/api/v1/nodes"


def test_jsonpath_subset():
    obj = {"status": {"conditions": [{"type": "Ready", "status": "True"}, {"type": "Other", "status": "False"}]},
           "metadata": {"labels": {"cluster.x-k8s.io/cluster-name": "demo"}},
           "spec": {"containers": [{"name": "a"}, {"name": "b"}]}}
    assert parse_jsonpath('{.status.conditions[?(@.type=="Ready")].status}').text(obj) == "True"
    assert parse_jsonpath(".metadata.labels['cluster.x-k8s.io/cluster-name']").text(obj) == "demo"
    assert parse_jsonpath(".spec.containers[*].name").text(obj) == "a,b"
    assert parse_jsonpath(".spec.containers[-1].name").text(obj) == "b"
    assert parse_jsonpath(".spec.missing").text(obj) == "<none>"
    assert parse_jsonpath(".status.conditions[0]").text(obj) == '{"status":"True","type":"Ready"}'
    assert parse_jsonpath(".status.conditions[0].type").field_prefix() == ("status", "conditions")


@pytest.mark.parametrize("text, offset, message", [
    ("status.phase", 0, "does not start with '.'"),
    ("..phase", 0, "recursive descent"),
    (".status[", 7, "is never closed"),
    (".status[?(@.x>1)]", 7, "is not supported"),
    ("{.a.}", 4, "expected a field name"),
])
def test_jsonpath_errors_say_where(text, offset, message):
    with pytest.raises(JsonPathError, match=message.replace("(", r"\(").replace(".", r"\.")) as info:
        parse_jsonpath(text)
    assert info.value.offset == offset


def test_selectors_match_as_the_api_server_does():
    labels = {"app": "web", "tier": "front", "cluster.x-k8s.io/cluster-name": "demo"}
    assert parse_selector("app=web,tier!=cache").matches(labels)
    assert parse_selector("tier in (front, back)").matches(labels)
    assert not parse_selector("tier notin (front)").matches(labels)
    assert parse_selector("!canary,cluster.x-k8s.io/cluster-name").matches(labels)
    assert not parse_selector("app==db").matches(labels)
    assert parse_selector("missing!=x").matches(labels)
    assert parse_selector("").matches(None)
    assert parse_selector("a=b, c in (d)").keys == {"a", "c"}
    with pytest.raises(ValueError, match="cannot read"):
        parse_selector("a in (b")
    with pytest.raises(ValueError, match="cannot read"):
        parse_selector("a=b c")


@pytest.mark.parametrize("seconds, text", [
    (None, "<none>"), (-5, "<invalid>"), (-0.5, "0s"), (45, "45s"), (119, "119s"), (200, "3m20s"), (600, "10m"),
    (10799, "179m"), (5 * 3600 + 600, "5h10m"), (20 * 3600, "20h"), (3 * 86400 + 4 * 3600, "3d4h"), (90 * 86400, "90d"),
    (800 * 86400, "2y70d"), (3000 * 86400, "8y"),
])
def test_ages_read_like_kubectl(seconds, text):
    assert human_duration(seconds) == text


@pytest.mark.parametrize("text, style", [
    ("Running", "good"), ("Provisioning", "busy"), ("Ready,SchedulingDisabled", "busy"), ("NotReady", "bad"),
    ("Failed", "bad"), ("<none>", "faint"), ("v1.33.4", ""),
])
def test_status_colours(text, style):
    assert status_style(text) == style


def test_trim_keeps_what_views_read_and_drops_secrets_and_noise():
    obj = node("worker-1")
    obj["metadata"]["annotations"] = {"secret": "x"}
    obj["metadata"]["managedFields"] = [{"manager": "kubelet"}]
    trimmed = trim(obj, fields_for("Node"))
    assert "annotations" not in trimmed["metadata"] and "managedFields" not in trimmed["metadata"]
    assert "labels" not in trimmed["metadata"]  # kubernetes.io/hostname is read by no view
    assert "lastHeartbeatTime" not in trimmed["status"]["conditions"][0]
    assert "machineID" not in trimmed["status"]["nodeInfo"]
    assert trimmed["status"]["nodeInfo"]["kubeletVersion"] == "v1.33.4"
    kept = trim(machine("m"), fields_for("Machine"), parse_selector("app=x").keys)
    assert kept["metadata"]["labels"] == {"cluster.x-k8s.io/cluster-name": "demo", "cluster.x-k8s.io/deployment-name": "demo-md-0"}
    assert kept["spec"] == {"clusterName": "demo", "version": "v1.33.4"}  # the bootstrap secret's name is not kept


def test_the_store_turns_relists_and_repeats_into_exact_changes():
    store = ObjectStore()
    a, b = machine("a"), machine("b")
    assert store.apply("ADDED", a) == ("ADDED", a)
    assert store.apply("ADDED", a) is None  # a watch that re-sends what we have: nothing
    assert store.apply("MODIFIED", b) == ("ADDED", b)  # a modification of something never seen: an addition
    b2 = machine("b", "Running")
    c = machine("c")
    changes = store.replace([b2, c])
    assert changes == [("DELETED", a), ("MODIFIED", b2), ("ADDED", c)]
    assert store.apply("DELETED", a) is None
    nodes_only = store.replace([], owns=lambda key: key[1] == "Node")
    assert nodes_only == [] and len(store) == 2


def _table(query: KubeQuery | None = None) -> TableView:
    return TableView(query or KubeQuery(parse_resource_name("machines")))


def test_a_table_keeps_a_stable_order_and_updates_rows_in_place():
    table = _table()
    table.apply([("ADDED", trim(machine(n), fields_for("Machine"))) for n in ("c", "a", "b")])
    assert [table.row(i).obj["metadata"]["name"] for i in range(3)] == ["a", "b", "c"]
    version, layout = table.row_version(1), table.layout_version
    table.apply([("MODIFIED", trim(machine("b", "Running"), fields_for("Machine")))])
    assert table.row_version(1) == version + 1 and table.layout_version == layout  # one row, in place
    table.apply([("DELETED", machine("a"))])
    assert table.row_count == 2 and table.index_of(("cluster.x-k8s.io", "Machine", "default", "c")) == 1
    assert table.apply([("MODIFIED", trim(machine("b", "Running"), fields_for("Machine")))]) is False


def test_all_namespaces_adds_a_namespace_column_and_sorts_by_it():
    table = _table(KubeQuery(parse_resource_name("machines"), namespace="all"))
    other = machine("a")
    other["metadata"]["namespace"] = "zz"
    table.apply([("ADDED", machine("b")), ("ADDED", other)])
    assert render_text(table, 120, NOW) == [
        "NAMESPACE   NAME   CLUSTER   NODENAME   PHASE          AGE      VERSION",
        "default     b      demo      <none>     Provisioning   5m       v1.33.4",
        "zz          a      demo      <none>     Provisioning   5m       v1.33.4",
    ]


def test_a_narrow_pane_drops_columns_in_order():
    table = _table()
    table.apply([("ADDED", machine("demo-md-0-7d9f5-abcde", node="demo-md-0-7d9f5-abcde"))])
    shown = {width: render_text(table, width, NOW)[0].split() for width in (100, 60, 50, 40, 30)}
    assert shown == {100: ["NAME", "CLUSTER", "NODENAME", "PHASE", "AGE", "VERSION"],
                     60: ["NAME", "PHASE", "VERSION"],  # CLUSTER, AGE, NODENAME went, in that order
                     50: ["NAME", "PHASE", "VERSION"],
                     40: ["NAME", "PHASE"],
                     30: ["NAME", "PHASE"]}  # PHASE is never dropped: NAME and PHASE are what a watch is for


def test_wait_progress_counts_and_names_what_is_missing():
    wait = KubeWait(KubeQuery(parse_resource_name("machines")), phase="Running", count=3)
    columns = _table().columns
    assert evaluate(wait, [], columns).text == "0/3 Running"
    progress = evaluate(wait, [machine("a", "Running"), machine("b")], columns)
    assert (progress.done, progress.text, progress.pending) == (False, "1/3 Running", ("b: phase Provisioning",))
    assert evaluate(wait, [machine(n, "Running") for n in "abc"], columns).done
    assert evaluate(KubeWait(KubeQuery(parse_resource_name("machines")), phase="Running"), [], columns).done is False
    ready = KubeWait(KubeQuery(parse_resource_name("nodes")), condition=("Ready", "True"))
    assert evaluate(ready, [node("n1", ready=False)], ()).pending == ("n1: Ready False (KubeletNotReady)",)
