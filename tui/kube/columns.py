"""Per-kind columns as kubectl and clusterctl print them, ages as kubectl writes them, and the
colour of a status. Styles are semantic names (good, busy, bad, faint, info, bold) that the pane
maps to the deck theme's colours; nothing here draws."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping

from tui.kube.jsonpath import NONE, JsonPath, dig
from tui.kube.objects import (CLUSTER_LABEL, ROLE_PREFIX, condition, created_at, labels_of, namespace_of,
                              name_of)

Obj = Mapping[str, Any]


@dataclass(frozen=True)
class Column:
    name: str
    get: Callable[[Obj], str]  # the cell's text (for a timed column: unused, see `since`)
    drop: int = 0  # in a narrow pane the highest `drop` goes first; 0 = always shown
    status: bool = False  # coloured by status_style
    since: Callable[[Obj], float | None] | None = None  # a timed column: shows the age of this instant
    right: bool = False  # numbers align right

    @property
    def timed(self) -> bool:
        return self.since is not None


# --- formatting --------------------------------------------------------------------------------

def human_duration(seconds: float | None) -> str:
    """kubectl's AGE: 45s, 3m20s, 45m, 5h10m, 20h, 3d4h, 90d, 2y30d, 9y."""
    if seconds is None:
        return NONE
    s = int(seconds)
    if s < -1:
        return "<invalid>"
    if s < 0:
        return "0s"
    if s < 120:
        return f"{s}s"
    minutes = s // 60
    if minutes < 10:
        return f"{minutes}m{s % 60}s" if s % 60 else f"{minutes}m"
    if minutes < 180:
        return f"{minutes}m"
    hours = minutes // 60
    if hours < 8:
        return f"{hours}h{minutes % 60}m" if minutes % 60 else f"{hours}h"
    if hours < 48:
        return f"{hours}h"
    days = hours // 24
    if hours < 24 * 8:
        return f"{days}d{hours % 24}h" if hours % 24 else f"{days}d"
    if days < 365 * 2:
        return f"{days}d"
    years = days // 365
    if years < 8:
        return f"{years}y{days % 365}d" if days % 365 else f"{years}y"
    return f"{years}y"


GOOD = frozenset({"Running", "Ready", "True", "Provisioned", "Active", "Succeeded", "Available", "Completed",
                  "Deployed", "Bound", "Healthy"})
BUSY = frozenset({"Pending", "Provisioning", "Deleting", "Terminating", "ScalingUp", "ScalingDown", "Scaling",
                  "SchedulingDisabled", "ContainerCreating", "PodInitializing", "Updating", "Upgrading",
                  "Unknown", "Warning", "Info"})
BAD = frozenset({"Failed", "NotReady", "False", "Error", "CrashLoopBackOff", "ImagePullBackOff", "ErrImagePull",
                 "OOMKilled", "Evicted"})
# semantic styles: the pane turns them into the deck theme's colours (tui/render/palette.py)
STYLE_GOOD, STYLE_BUSY, STYLE_BAD, STYLE_NONE, STYLE_INFO = "good", "busy", "bad", "faint", "info"


def status_style(text: str) -> str:
    """Red if any part (of `Ready,SchedulingDisabled`) is bad, else yellow if one is in progress,
    else green if one is good; plain otherwise."""
    if text in ("", NONE):
        return STYLE_NONE
    parts = set(text.replace(" ", ",").split(","))
    if parts & BAD:
        return STYLE_BAD
    if parts & BUSY:
        return STYLE_BUSY
    if parts & GOOD:
        return STYLE_GOOD
    return ""


def _text(value: Any) -> str:
    if value is None or value == "":
        return NONE
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def field(*path: str) -> Callable[[Obj], str]:
    return lambda obj: _text(dig(obj, *path))


def number(*path: str) -> Callable[[Obj], str]:
    """A count that is absent until a controller sets it: shown as 0, as kubectl does."""
    return lambda obj: _text(dig(obj, *path) or 0)


# --- per-kind cells ----------------------------------------------------------------------------

def _cluster(obj: Obj) -> str:
    return _text(dig(obj, "spec", "clusterName") or labels_of(obj).get(CLUSTER_LABEL))


def node_status(obj: Obj) -> str:
    ready = condition(obj, "Ready")
    status = "Ready" if ready is not None and ready.get("status") == "True" else "NotReady"
    if ready is None:
        status = "Unknown"
    if dig(obj, "spec", "unschedulable"):
        status += ",SchedulingDisabled"
    return status


def _roles(obj: Obj) -> str:
    roles = sorted(k[len(ROLE_PREFIX):] for k in labels_of(obj) if k.startswith(ROLE_PREFIX) and k != ROLE_PREFIX)
    return ",".join(roles) or NONE


def _pod_ready(obj: Obj) -> str:
    statuses = dig(obj, "status", "containerStatuses") or []
    containers = dig(obj, "spec", "containers") or []
    ready = sum(1 for s in statuses if isinstance(s, dict) and s.get("ready"))
    return f"{ready}/{len(containers) or len(statuses)}"


def pod_status(obj: Obj) -> str:
    if dig(obj, "metadata", "deletionTimestamp"):
        return "Terminating"
    for status in dig(obj, "status", "containerStatuses") or []:
        state = status.get("state") if isinstance(status, dict) else None
        for phase in ("waiting", "terminated"):
            reason = dig(state, phase, "reason") if isinstance(state, dict) else None
            if reason and reason != "Completed":
                return str(reason)
    return _text(dig(obj, "status", "reason") or dig(obj, "status", "phase"))


def _restarts(obj: Obj) -> str:
    return str(sum(int(s.get("restartCount") or 0) for s in dig(obj, "status", "containerStatuses") or []
                   if isinstance(s, dict)))


def _ratio(ready: tuple[str, ...], total: tuple[str, ...]) -> Callable[[Obj], str]:
    return lambda obj: f"{dig(obj, *ready) or 0}/{dig(obj, *total) or 0}"


def _kcp_initialized(obj: Obj) -> str:
    value = dig(obj, "status", "initialized")
    if value is None:
        value = dig(obj, "status", "initialization", "controlPlaneInitialized")
    return _text(bool(value))


def _kcp_available(obj: Obj) -> str:
    value = dig(obj, "status", "ready")
    if value is None:
        found = condition(obj, "Available")
        value = found is not None and found.get("status") == "True"
    return _text(bool(value))


def _since_created(obj: Obj) -> float | None:
    return created_at(obj)


NAME = Column("NAME", name_of)
NAMESPACE = Column("NAMESPACE", namespace_of, drop=9)
AGE = Column("AGE", lambda obj: "", drop=3, since=_since_created, right=False)

KIND_COLUMNS: dict[str, tuple[Column, ...]] = {
    "Machine": (NAME, Column("CLUSTER", _cluster, drop=5), Column("NODENAME", field("status", "nodeRef", "name"), drop=2),
                Column("PHASE", field("status", "phase"), status=True), AGE,
                Column("VERSION", field("spec", "version"), drop=1)),
    "Node": (NAME, Column("STATUS", node_status, status=True), Column("ROLES", _roles, drop=4), AGE,
             Column("VERSION", field("status", "nodeInfo", "kubeletVersion")),
             Column("OS-IMAGE", field("status", "nodeInfo", "osImage"), drop=5)),
    "Pod": (NAME, Column("READY", _pod_ready, right=True), Column("STATUS", pod_status, status=True),
            Column("RESTARTS", _restarts, drop=4, right=True), AGE, Column("NODE", field("spec", "nodeName"), drop=5)),
    "Cluster": (NAME, Column("CLUSTERCLASS", field("spec", "topology", "class"), drop=5),
                Column("PHASE", field("status", "phase"), status=True), AGE,
                Column("VERSION", field("spec", "topology", "version"), drop=2)),
    "MachineDeployment": (NAME, Column("CLUSTER", _cluster, drop=6), Column("REPLICAS", number("status", "replicas"), drop=4, right=True),
                          Column("READY", number("status", "readyReplicas"), right=True),
                          Column("UPDATED", number("status", "updatedReplicas"), drop=5, right=True),
                          Column("UNAVAILABLE", number("status", "unavailableReplicas"), drop=7, right=True),
                          Column("PHASE", field("status", "phase"), status=True), AGE,
                          Column("VERSION", field("spec", "template", "spec", "version"), drop=2)),
    "MachineSet": (NAME, Column("CLUSTER", _cluster, drop=6), Column("REPLICAS", number("status", "replicas"), drop=4, right=True),
                   Column("READY", number("status", "readyReplicas"), right=True),
                   Column("AVAILABLE", number("status", "availableReplicas"), drop=5, right=True), AGE,
                   Column("VERSION", field("spec", "template", "spec", "version"), drop=2)),
    "KubeadmControlPlane": (NAME, Column("CLUSTER", _cluster, drop=6),
                            Column("INITIALIZED", _kcp_initialized, status=True, drop=5),
                            Column("API SERVER AVAILABLE", _kcp_available, status=True, drop=7),
                            Column("REPLICAS", number("status", "replicas"), drop=4, right=True),
                            Column("READY", number("status", "readyReplicas"), right=True),
                            Column("UPDATED", number("status", "updatedReplicas"), drop=5, right=True),
                            Column("UNAVAILABLE", number("status", "unavailableReplicas"), drop=8, right=True), AGE,
                            Column("VERSION", field("spec", "version"), drop=2)),
    "DaemonSet": (NAME, *(Column(title, number("status", key), drop=drop, right=True) for title, key, drop in (
        ("DESIRED", "desiredNumberScheduled", 4), ("CURRENT", "currentNumberScheduled", 5), ("READY", "numberReady", 0),
        ("UP-TO-DATE", "updatedNumberScheduled", 6), ("AVAILABLE", "numberAvailable", 7))), AGE),
    "Deployment": (NAME, Column("READY", _ratio(("status", "readyReplicas"), ("spec", "replicas")), right=True),
                   Column("UP-TO-DATE", number("status", "updatedReplicas"), drop=5, right=True),
                   Column("AVAILABLE", number("status", "availableReplicas"), drop=4, right=True), AGE),
    "Namespace": (NAME, Column("STATUS", field("status", "phase"), status=True), AGE),
    "Service": (NAME, Column("TYPE", field("spec", "type"), drop=4), Column("CLUSTER-IP", field("spec", "clusterIP"), drop=5), AGE),
}
DEFAULT_COLUMNS = (NAME, AGE)


def jsonpath_column(title: str, path: JsonPath) -> Column:
    return Column(title.upper(), path.text, drop=1, status=True)


def columns_for(kind: str, extra: tuple[tuple[str, JsonPath], ...] = (), all_namespaces: bool = False) -> tuple[Column, ...]:
    columns = KIND_COLUMNS.get(kind, DEFAULT_COLUMNS)
    columns = (*columns, *(jsonpath_column(title, path) for title, path in extra))
    return (NAMESPACE, *columns) if all_namespaces else columns
