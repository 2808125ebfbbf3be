"""The `clusterctl describe cluster NAME` tree: Cluster → infrastructure, control plane → its
Machines, Workers → MachineDeployments → Machines, with each one's Ready condition.

    NAME                                                  READY  SEVERITY  REASON        SINCE  MESSAGE
    Cluster/demo                                          True                           2m
    ├─ClusterInfrastructure - OpenStackCluster/demo       True                           3m
    ├─ControlPlane - KubeadmControlPlane/demo-cp          True                           2m
    │ └─Machine/demo-cp-x2b4k                             True                           2m
    └─Workers
      └─MachineDeployment/demo-md-0                       False  Warning   WaitingFor…   2m     Minimum…
        └─Machine/demo-md-0-abc                           False  Info      Bootstrapping 30s
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from tui.kube.columns import STYLE_BAD, STYLE_BUSY, STYLE_INFO, STYLE_NONE, Column, status_style
from tui.kube.jsonpath import dig
from tui.kube.objects import (CLUSTER_LABEL, CONTROL_PLANE_LABEL, DEPLOYMENT_LABEL, Key, condition, key_of,
                              labels_of, name_of, namespace_of, parse_time)
from tui.kube.query import KubeQuery
from tui.kube.store import Change, ObjectStore
from tui.kube.view import Cell, KubeView



def _ready(obj: dict | None) -> dict | None:
    return condition(obj, "Ready") if obj is not None else None


def _ready_status(obj: dict | None) -> str:
    found = _ready(obj)
    if found is not None:
        return str(found.get("status") or "")
    ready = dig(obj, "status", "ready") if obj is not None else None
    return ("True" if ready else "False") if isinstance(ready, bool) else ""


def _since(obj: dict) -> float | None:
    found = _ready(obj)
    return parse_time(found.get("lastTransitionTime")) if found else None


COLUMNS = (
    Column("NAME", lambda obj: ""),
    Column("READY", _ready_status, status=True),
    # narrow panes drop SEVERITY first (READY's colour says it), then SINCE, REASON, MESSAGE
    Column("SEVERITY", lambda obj: str((_ready(obj) or {}).get("severity") or ""), status=True, drop=4),
    Column("REASON", lambda obj: str((_ready(obj) or {}).get("reason") or ""), drop=2),
    Column("SINCE", lambda obj: "", since=_since, drop=3),
    Column("MESSAGE", lambda obj: str((_ready(obj) or {}).get("message") or "").replace("\n", " "), drop=1),
)


@dataclass
class TreeRow:
    prefix: str  # the tree guides: "├─", "│ └─"
    label: str  # "Cluster/demo", "Workers"
    obj: dict | None  # None: a grouping row, or an object not seen yet
    version: int = 0


class TreeView(KubeView):
    columns = COLUMNS

    def __init__(self, query: KubeQuery):
        self.query = query
        self.cluster = query.describe or ""
        super().__init__()
        self.store = ObjectStore()
        self.moved = None  # a change may move any row of a tree: it is repainted whole
        self.rows: list[TreeRow] = []
        self._versions: dict[object, tuple[dict | None, int]] = {}
        self._rebuild()

    # rows -------------------------------------------------------------------------------------
    @property
    def row_count(self) -> int:
        return len(self.rows)

    def row_key(self, index: int) -> object:
        return (self.rows[index].prefix, self.rows[index].label)

    def row_version(self, index: int) -> int:
        return self.rows[index].version

    def cells(self, index: int, now: float) -> list[Cell]:
        row = self.rows[index]
        name = Cell(row.prefix + row.label, "" if row.obj is not None or row.label == "Workers" else STYLE_NONE)
        if row.obj is None:
            return [name, *(Cell("") for _ in self.columns[1:])]
        cells = [name]
        for column in self.columns[1:]:
            cell = self._cell(column, row.obj, None, now)
            if column.since is not None and column.since(row.obj) is None:
                cell = Cell("")
            if column.name == "SEVERITY":
                cell = Cell(cell.text, _severity_style(cell.text))
            cells.append(cell)
        return cells

    @property
    def summary(self) -> str:
        machines = [o for o in self.store if o.get("kind") == "Machine"]
        return f"cluster {self.cluster}: {len(machines)} machine{'s' if len(machines) != 1 else ''}"

    # changes ----------------------------------------------------------------------------------
    def apply(self, changes: Iterable[Change]) -> bool:
        if not self.store.apply_all(changes):
            return False
        self._rebuild()
        return True

    def replace(self, objects: Iterable[dict]) -> bool:
        if not self.store.replace(objects):
            return False
        self._rebuild()
        return True

    def _rebuild(self) -> None:
        rows = list(self._tree())
        for row in rows:
            key = (row.prefix, row.label)
            old = self._versions.get(key)
            row.version = old[1] if old is not None and old[0] == row.obj else (old[1] + 1 if old else 0)
        self._versions = {(r.prefix, r.label): (r.obj, r.version) for r in rows}
        if [(r.prefix, r.label) for r in rows] != [(r.prefix, r.label) for r in self.rows]:
            self.layout_version += 1
        self.rows = rows
        for row in rows:
            texts = [row.prefix + row.label] + [("" if c.timed or row.obj is None else c.get(row.obj))
                                                for c in self.columns[1:]]
            self._grow(texts)

    def _tree(self):
        objects = [o for o in self.store if self._in_scope(o)]
        cluster = next((o for o in objects if o.get("kind") == "Cluster" and name_of(o) == self.cluster), None)
        if cluster is None:
            yield TreeRow("", f"Cluster/{self.cluster} (not found yet)", None)
            return
        yield TreeRow("", f"Cluster/{self.cluster}", cluster)
        infra_ref = dig(cluster, "spec", "infrastructureRef") or {}
        cp_ref = dig(cluster, "spec", "controlPlaneRef") or {}
        machines = sorted((o for o in objects if o.get("kind") == "Machine" and self._ours(o)), key=name_of)
        deployments = sorted((o for o in objects if o.get("kind") == "MachineDeployment" and self._ours(o)),
                             key=name_of)
        branches: list[tuple[str, dict | None, list]] = []
        if infra_ref.get("kind"):
            infra = self._find(objects, infra_ref)
            branches.append((f"ClusterInfrastructure - {infra_ref['kind']}/{infra_ref.get('name', '')}", infra, []))
        cp_machines = [m for m in machines if CONTROL_PLANE_LABEL in labels_of(m) or self._owned_by(m, cp_ref)]
        if cp_ref.get("kind"):
            plane = self._find(objects, cp_ref)
            children = [(f"Machine/{name_of(m)}", m, []) for m in cp_machines]
            branches.append((f"ControlPlane - {cp_ref['kind']}/{cp_ref.get('name', '')}", plane, children))
        rest = [m for m in machines if m not in cp_machines]
        workers = []
        for deployment in deployments:
            own = [m for m in rest if labels_of(m).get(DEPLOYMENT_LABEL) == name_of(deployment)]
            rest = [m for m in rest if m not in own]
            workers.append((f"MachineDeployment/{name_of(deployment)}", deployment,
                            [(f"Machine/{name_of(m)}", m, []) for m in own]))
        if rest:
            workers.append(("Other", None, [(f"Machine/{name_of(m)}", m, []) for m in rest]))
        if workers:
            branches.append(("Workers", None, workers))
        yield from _walk(branches, "")

    def _in_scope(self, obj: dict) -> bool:
        namespace = self.query.namespace
        return namespace in (None, "all") or namespace_of(obj) == namespace

    def _ours(self, obj: dict) -> bool:
        return (labels_of(obj).get(CLUSTER_LABEL) == self.cluster
                or dig(obj, "spec", "clusterName") == self.cluster)

    @staticmethod
    def _find(objects: list[dict], ref: dict) -> dict | None:
        return next((o for o in objects if o.get("kind") == ref.get("kind") and name_of(o) == ref.get("name")), None)

    @staticmethod
    def _owned_by(obj: dict, ref: dict) -> bool:
        owners = dig(obj, "metadata", "ownerReferences") or []
        return bool(ref.get("kind")) and any(o.get("kind") == ref.get("kind") and o.get("name") == ref.get("name")
                                             for o in owners)

    def index_of(self, key: Key) -> int | None:
        return next((i for i, r in enumerate(self.rows) if r.obj is not None and key_of(r.obj) == key), None)


def _walk(branches: list[tuple[str, dict | None, list]], indent: str):
    for i, (label, obj, children) in enumerate(branches):
        last = i == len(branches) - 1
        yield TreeRow(indent + ("└─" if last else "├─"), label, obj)
        yield from _walk(children, indent + ("  " if last else "│ "))


def _severity_style(text: str) -> str:
    return {"Error": STYLE_BAD, "Warning": STYLE_BUSY, "Info": STYLE_INFO}.get(text, status_style(text))
