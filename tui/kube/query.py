"""What a kube step watches and what a resource wait waits for, as the scenario says it."""

from __future__ import annotations

from dataclasses import dataclass

from tui.kube.jsonpath import JsonPath
from tui.kube.kinds import ResourceName
from tui.kube.selector import EVERYTHING, Selector

ALL_NAMESPACES = "all"


@dataclass(frozen=True)
class KubeQuery:
    resource: ResourceName | None  # list + watch this (a table); None with `describe`
    describe: str | None = None  # the Cluster API cluster whose tree to show
    namespace: str | None = None  # None: the context's namespace (else "default"); "all": every one
    selector: Selector = EVERYTHING
    name: str | None = None  # only this object
    columns: tuple[tuple[str, JsonPath], ...] = ()  # extra (TITLE, JSONPath) columns

    @property
    def view(self) -> str:
        return "tree" if self.describe is not None else "table"

    @property
    def all_namespaces(self) -> bool:
        return self.namespace == ALL_NAMESPACES

    def summary(self, namespace: str | None = None) -> str:
        """The kubectl/clusterctl command that shows the same (what `flatdeck check` lists)."""
        namespace = self.namespace or namespace
        scope = " -A" if self.all_namespaces else (f" -n {namespace}" if namespace else "")
        if self.describe is not None:
            return f"clusterctl describe cluster {self.describe}{scope}"
        text = f"kubectl get {self.resource}"
        if self.name:
            text += f" {self.name}"
        text += scope
        if self.selector.requirements:
            text += f" -l {self.selector}"
        if self.columns:
            text += " +" + ",".join(f"{title}:{path.source}" for title, path in self.columns)
        return text + " -w"


@dataclass(frozen=True)
class KubeWait:
    """Until every object the query finds (at least `count`, default 1) passes every test."""

    query: KubeQuery
    phase: str | None = None  # .status.phase equals
    condition: tuple[str, str] | None = None  # (type, status): a condition of that type has that status
    where: tuple[tuple[str, str], ...] = ()  # (column, text): the table shows exactly that text
    count: int | None = None

    def goal(self, columns: bool = True) -> str:
        """What every object must show: "Running", "Ready, STATUS=Ready, VERSION=v1.33.5"."""
        tests = []
        if self.phase:
            tests.append(self.phase)
        if self.condition:
            kind, status = self.condition
            tests.append(kind if status == "True" else f"{kind}={status}")
        tests.extend(f"{column}={value}" if columns else value for column, value in self.where)
        return ", ".join(tests) or "present"

    def summary(self) -> str:
        what = self.query.name or f"all {self.query.resource}"
        scope = f" ({self.query.selector})" if self.query.selector.requirements else ""
        count = f", at least {self.count}" if self.count else ""
        return f"{what}{scope}: {self.goal()}{count}"
