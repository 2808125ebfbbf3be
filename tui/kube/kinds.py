"""Resource names as scenarios write them (kind, plural, singular or short name, optionally
`plural.group`) and the resources a cluster serves (from API discovery)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

CAPI = "cluster.x-k8s.io"
_NAME = re.compile(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?")
_GROUP = re.compile(r"[a-z0-9]([a-z0-9.-]*[a-z0-9])?")


@dataclass(frozen=True)
class Kind:
    """A resource flatdeck knows without asking the cluster (it still asks for the version)."""

    kind: str
    plural: str
    group: str  # "" is the core group (api/v1)
    short: tuple[str, ...] = ()
    namespaced: bool = True

    def names(self) -> tuple[str, ...]:
        return (self.plural, self.kind.lower(), *self.short)


KNOWN: tuple[Kind, ...] = (
    Kind("Node", "nodes", "", ("no",), namespaced=False),
    Kind("Pod", "pods", "", ("po",)),
    Kind("Namespace", "namespaces", "", ("ns",), namespaced=False),
    Kind("Service", "services", "", ("svc",)),
    Kind("Deployment", "deployments", "apps", ("deploy",)),
    Kind("DaemonSet", "daemonsets", "apps", ("ds",)),
    Kind("Cluster", "clusters", CAPI, ("cl",)),
    Kind("Machine", "machines", CAPI, ("ma",)),
    Kind("MachineSet", "machinesets", CAPI, ("ms",)),
    Kind("MachineDeployment", "machinedeployments", CAPI, ("md",)),
    Kind("MachineHealthCheck", "machinehealthchecks", CAPI, ("mhc",)),
    Kind("KubeadmControlPlane", "kubeadmcontrolplanes", "controlplane." + CAPI, ("kcp",)),
    Kind("KubeadmConfig", "kubeadmconfigs", "bootstrap." + CAPI),
)


@dataclass(frozen=True)
class ResourceName:
    """What a scenario asked for: `machines`, `Machine`, `ma`, `machines.cluster.x-k8s.io`."""

    name: str  # lower case
    group: str | None = None  # only when written as NAME.GROUP

    def __str__(self) -> str:
        return f"{self.name}.{self.group}" if self.group is not None else self.name

    @property
    def known(self) -> Kind | None:
        for kind in KNOWN:
            if self.name in kind.names() and self.group in (None, kind.group):
                return kind
        return None


def parse_resource_name(text: str) -> ResourceName:
    """ValueError says what was expected."""
    text = text.strip()
    name, _, group = text.partition(".")
    lowered = name.lower()
    if not _NAME.fullmatch(lowered):
        raise ValueError(f"resource {text!r} is not a resource name; expected a kind, plural or short name "
                         f"such as machines, Machine, nodes or kcp (optionally NAME.GROUP)")
    if "." in text and not _GROUP.fullmatch(group):
        raise ValueError(f"resource {text!r} has an invalid API group {group!r}; expected NAME.GROUP such as "
                         f"machines.{CAPI}")
    return ResourceName(lowered, group or None)


@dataclass(frozen=True)
class Resource:
    """A resource the cluster serves: enough to build its URLs and show it."""

    group: str
    version: str
    plural: str
    kind: str
    namespaced: bool
    short: tuple[str, ...] = ()

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def full_name(self) -> str:
        """As `kubectl get crd` names it: machines.cluster.x-k8s.io (core: nodes)."""
        return f"{self.plural}.{self.group}" if self.group else self.plural

    def path(self, namespace: str | None = None, name: str | None = None) -> str:
        base = f"/apis/{self.group}/{self.version}" if self.group else f"/api/{self.version}"
        if self.namespaced and namespace:
            base += f"/namespaces/{namespace}"
        base += f"/{self.plural}"
        return f"{base}/{name}" if name else base

    def matches(self, wanted: ResourceName) -> bool:
        if wanted.group is not None and wanted.group != self.group:
            return False
        return wanted.name in (self.plural, self.kind.lower(), *self.short)


def choose(wanted: ResourceName, served: Iterable[Resource]) -> Resource | None:
    """The served resource a name means: a known kind's own group first (so `machines` is Cluster
    API's even if another group has machines too), then the core group, then by group name."""
    candidates = [r for r in served if r.matches(wanted) and "/" not in r.plural]
    if not candidates:
        return None
    known = wanted.known
    preferred = known.group if known is not None else ""
    return sorted(candidates, key=lambda r: (r.group != preferred, r.group))[0]


def group_of(api_version: str) -> str:
    """`cluster.x-k8s.io/v1beta1` → `cluster.x-k8s.io`; `v1` → the core group ""."""
    return api_version.rpartition("/")[0]
