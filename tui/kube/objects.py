"""Reading Kubernetes objects (plain JSON dicts) and trimming them to what the views need.

Trimming keeps a watch pane's memory and its recordings small, and it drops fields that change
without anything visible changing (a Node's heartbeat every few seconds): an update whose trimmed
object is unchanged is no event at all.
"""

from __future__ import annotations

import datetime
from typing import Any, Iterable, Mapping

from tui.kube.jsonpath import dig
from tui.kube.kinds import CAPI, group_of

Key = tuple[str, str, str, str]  # group, kind, namespace ("" when cluster-scoped), name

CLUSTER_LABEL = f"{CAPI}/cluster-name"
DEPLOYMENT_LABEL = f"{CAPI}/deployment-name"
CONTROL_PLANE_LABEL = f"{CAPI}/control-plane"
ROLE_PREFIX = "node-role.kubernetes.io/"
# labels a view reads; the rest (and every annotation) is left out of a trimmed object
KEEP_LABEL_PREFIXES = (f"{CAPI}/", f"topology.{CAPI}/", ROLE_PREFIX)
CONDITION_FIELDS = ("type", "status", "reason", "severity", "message", "lastTransitionTime")

# per kind, the fields its columns and tree rows read (a path to a dict keeps the whole dict)
_STATUS_REPLICAS = ("replicas", "readyReplicas", "updatedReplicas", "unavailableReplicas", "availableReplicas",
                    "upToDateReplicas")
KIND_FIELDS: dict[str, tuple[tuple[str, ...], ...]] = {
    "Node": (("spec", "unschedulable"), ("spec", "taints"), ("status", "addresses"),
             *(("status", "nodeInfo", f) for f in ("kubeletVersion", "osImage", "kernelVersion",
                                                    "containerRuntimeVersion", "bootID"))),
    "Pod": (("spec", "nodeName"), ("spec", "containers", "name"), ("status", "reason"),
            *(("status", "containerStatuses", f) for f in ("name", "ready", "restartCount", "state"))),
    "Machine": (("spec", "clusterName"), ("spec", "version"), ("spec", "providerID"), ("status", "nodeRef", "name")),
    "MachineSet": (("spec", "clusterName"), ("spec", "replicas"), ("spec", "template", "spec", "version"),
                   *(("status", f) for f in _STATUS_REPLICAS)),
    "MachineDeployment": (("spec", "clusterName"), ("spec", "replicas"), ("spec", "template", "spec", "version"),
                          *(("status", f) for f in _STATUS_REPLICAS)),
    "KubeadmControlPlane": (("spec", "replicas"), ("spec", "version"), ("status", "initialized"), ("status", "ready"),
                            ("status", "version"), ("status", "initialization"),
                            *(("status", f) for f in _STATUS_REPLICAS)),
    "Cluster": (("spec", "controlPlaneRef"), ("spec", "infrastructureRef"), ("spec", "topology", "version"),
                ("spec", "topology", "class"), ("status", "controlPlaneReady"), ("status", "infrastructureReady")),
    "DaemonSet": tuple(("status", f) for f in ("desiredNumberScheduled", "currentNumberScheduled", "numberReady",
                                               "updatedNumberScheduled", "numberAvailable")),
    "Deployment": (("spec", "replicas"), *(("status", f) for f in _STATUS_REPLICAS)),
    "Service": (("spec", "type"), ("spec", "clusterIP")),
}
COMMON_FIELDS: tuple[tuple[str, ...], ...] = (("status", "phase"),)


def key_of(obj: Mapping[str, Any]) -> Key:
    meta = obj.get("metadata") or {}
    return (group_of(str(obj.get("apiVersion") or "")), str(obj.get("kind") or ""),
            str(meta.get("namespace") or ""), str(meta.get("name") or ""))


def name_of(obj: Mapping[str, Any]) -> str:
    return str(dig(obj, "metadata", "name") or "")


def namespace_of(obj: Mapping[str, Any]) -> str:
    return str(dig(obj, "metadata", "namespace") or "")


def labels_of(obj: Mapping[str, Any]) -> dict[str, str]:
    labels = dig(obj, "metadata", "labels")
    return labels if isinstance(labels, dict) else {}


def conditions_of(obj: Mapping[str, Any]) -> list[dict]:
    found = dig(obj, "status", "conditions")
    return [c for c in found if isinstance(c, dict)] if isinstance(found, list) else []


def condition(obj: Mapping[str, Any], kind: str) -> dict | None:
    return next((c for c in conditions_of(obj) if c.get("type") == kind), None)


def parse_time(text: Any) -> float | None:
    """An RFC 3339 timestamp as Kubernetes writes it → unix seconds."""
    if not isinstance(text, str) or not text:
        return None
    try:
        return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def created_at(obj: Mapping[str, Any]) -> float | None:
    return parse_time(dig(obj, "metadata", "creationTimestamp"))


# --- trimming ----------------------------------------------------------------------------------

def keep_tree(paths: Iterable[tuple[str, ...]]) -> dict:
    """Paths → a nested dict of what to keep; True keeps a whole value."""
    tree: dict = {}
    for path in paths:
        node = tree
        for part in path[:-1]:
            child = node.get(part)
            if child is True:
                break
            node = node.setdefault(part, {})
        else:
            if path:
                node[path[-1]] = True
    return tree


def fields_for(kind: str, extra: Iterable[tuple[str, ...]] = ()) -> dict:
    return keep_tree((*COMMON_FIELDS, *KIND_FIELDS.get(kind, ()), *extra))


def trim(obj: Mapping[str, Any], fields: dict, label_keys: Iterable[str] = ()) -> dict:
    """The object with only identity, age, kept labels, owners, conditions and `fields`."""
    meta = obj.get("metadata") or {}
    slim_meta: dict[str, Any] = {k: meta[k] for k in ("name", "namespace", "uid", "creationTimestamp",
                                                      "deletionTimestamp") if meta.get(k) is not None}
    wanted = set(label_keys)
    labels = {k: v for k, v in (meta.get("labels") or {}).items()
              if k in wanted or k.startswith(KEEP_LABEL_PREFIXES)}
    if labels:
        slim_meta["labels"] = labels
    owners = [{k: o[k] for k in ("apiVersion", "kind", "name", "controller") if k in o}
              for o in meta.get("ownerReferences") or () if isinstance(o, dict)]
    if owners:
        slim_meta["ownerReferences"] = owners
    result: dict[str, Any] = {"apiVersion": obj.get("apiVersion"), "kind": obj.get("kind"), "metadata": slim_meta}
    for section in ("spec", "status"):
        kept = _keep(obj.get(section), fields.get(section))
        if kept is not None:
            result[section] = kept
    conditions = [{k: c[k] for k in CONDITION_FIELDS if k in c} for c in conditions_of(obj)]
    if conditions:
        result.setdefault("status", {})["conditions"] = conditions
    for key, value in obj.items():  # top-level fields that are neither spec nor status (rare: `data`)
        if key not in ("apiVersion", "kind", "metadata", "spec", "status") and fields.get(key):
            kept = _keep(value, fields[key])
            if kept is not None:
                result[key] = kept
    return result


def _keep(value: Any, wanted: Any) -> Any:
    if wanted is True:
        return value
    if not wanted or value is None:
        return None
    if isinstance(value, list):
        items = [_keep(item, wanted) for item in value]
        return [item for item in items if item is not None]
    if not isinstance(value, dict):
        return None
    kept = {}
    for key, sub in wanted.items():
        if key in value:
            item = _keep(value[key], sub)
            if item is not None:
                kept[key] = item
    return kept or None
