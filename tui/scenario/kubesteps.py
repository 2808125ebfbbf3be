"""The `kube:` step and the `wait: {kube: …}` resource wait, read with every problem located.

    - id: machines
      target: mgmt                       # a kube target of the lab inventory (required)
      kube:
        get: machines                    # kind, plural or short name; NAME.GROUP to be explicit
        namespace: default               # default: the context's namespace; `all` for every one
        cluster: demo                    # = selector cluster.x-k8s.io/cluster-name=demo
        selector: "!cluster.x-k8s.io/control-plane"
        columns: {PROVIDER: .spec.providerID}   # extra JSONPath columns
    - id: tree
      target: mgmt
      kube: {describe: demo}             # the `clusterctl describe cluster demo` tree
    - id: running
      target: mgmt
      wait: {kube: machines, cluster: demo, phase: Running, count: 3, timeout: 30m}
"""

from __future__ import annotations

import re

from yaml.nodes import MappingNode, Node

from tui.kube.columns import columns_for
from tui.kube.jsonpath import JsonPath, JsonPathError, parse_jsonpath
from tui.kube.kinds import ResourceName, parse_resource_name
from tui.kube.objects import CLUSTER_LABEL
from tui.kube.query import ALL_NAMESPACES, KubeQuery, KubeWait
from tui.kube.selector import EVERYTHING, combine, parse_selector
from tui.scenario.nodes import Reader
from tui.scenario.variables import undeclared

VIEW_MODES = ("get", "describe")
QUERY_KEYS = ("namespace", "selector", "cluster", "name", "columns")
KUBE_KEYS = (*VIEW_MODES, *QUERY_KEYS)
WAIT_TESTS = ("phase", "condition", "where", "count")
WAIT_KUBE_KEYS = ("kube", *QUERY_KEYS, *WAIT_TESTS)  # besides `timeout`, which every wait takes
CONDITION_STATUSES = ("True", "False", "Unknown")
_DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
_OBJECT_NAME = re.compile(r"[a-z0-9]([-a-z0-9.]*[a-z0-9])?")
_CONDITION = re.compile(r"([A-Za-z][A-Za-z0-9]*)(?:=(\S+))?")
_TITLE = re.compile(r"[A-Za-z0-9][A-Za-z0-9 _.-]*")


def parse_kube(reader: Reader, node: Node) -> KubeQuery | None:
    """The value of a step's `kube:` key; None when a problem was reported."""
    before = len(reader.errors)
    keys = reader.mapping(node, "kube", KUBE_KEYS)
    if keys is None:
        return None
    modes = [k for k in keys if k in VIEW_MODES]
    if len(modes) != 1:
        where = keys[modes[1]][0] if len(modes) > 1 else node
        found = "both 'get' and 'describe'" if len(modes) > 1 else "neither 'get' nor 'describe'"
        reader.error(where, f"kube has {found}; expected get: RESOURCE (a table) or describe: CLUSTER (a tree)")
        return None
    mode = modes[0]
    if mode == "describe":
        for option in ("selector", "name", "columns"):
            if option in keys:
                reader.error(keys[option][0], f"{option!r} does not apply to describe (the tree shows one cluster); "
                                              f"it takes: describe, namespace")
        if "cluster" in keys:
            reader.error(keys["cluster"][0], "'cluster' does not apply to describe: describe names the cluster itself")
        cluster = _object_name(reader, keys["describe"][1], "kube describe")
        namespace = _namespace(reader, keys["namespace"][1]) if "namespace" in keys else None
        if len(reader.errors) > before:
            return None
        return KubeQuery(None, describe=cluster, namespace=namespace)
    resource = _resource(reader, keys["get"][1], "kube get")
    query = _query(reader, keys, resource)
    return query if len(reader.errors) == before else None


def parse_wait_kube(reader: Reader, keys: dict[str, tuple[Node, Node]], declared) -> KubeWait | None:
    """A wait mapping whose mode is `kube`; the caller has checked the keys belong to it. A `where`
    value may hold `{{ var }}` placeholders (declared in `declared`), filled in when the wait runs."""
    before = len(reader.errors)
    resource = _resource(reader, keys["kube"][1], "wait kube")
    query = _query(reader, keys, resource)
    phase = reader.string(keys["phase"][1], "wait phase") if "phase" in keys else None
    condition = _condition(reader, keys["condition"][1]) if "condition" in keys else None
    count = reader.integer(keys["count"][1], "wait count", 1, 100_000) if "count" in keys else None
    where: tuple[tuple[str, str], ...] = ()
    if "where" in keys and query is not None:
        where = _where(reader, keys["where"][1], query, declared)
    if not any(k in keys for k in ("phase", "condition", "where")):
        first = keys["kube"][0]
        reader.error(first, "a wait on kube has nothing to wait for; expected phase: PHASE, condition: TYPE "
                            "and/or where: {COLUMN: TEXT}")
    if len(reader.errors) > before or query is None:
        return None
    return KubeWait(query, phase=phase, condition=condition, where=where, count=count)


# --- pieces ------------------------------------------------------------------------------------

def _query(reader: Reader, keys: dict[str, tuple[Node, Node]], resource: ResourceName | None) -> KubeQuery | None:
    before = len(reader.errors)
    namespace = _namespace(reader, keys["namespace"][1]) if "namespace" in keys else None
    selector_text = reader.string(keys["selector"][1], "selector") if "selector" in keys else None
    cluster = _object_name(reader, keys["cluster"][1], "cluster") if "cluster" in keys else None
    name = _object_name(reader, keys["name"][1], "name") if "name" in keys else None
    columns = _columns(reader, keys["columns"][1]) if "columns" in keys else ()
    selector = EVERYTHING
    text = combine(f"{CLUSTER_LABEL}={cluster}" if cluster else None, selector_text)
    if text:
        try:
            selector = parse_selector(text)
        except ValueError as exc:
            reader.error(keys["selector"][1] if "selector" in keys else keys["cluster"][1], str(exc))
    if len(reader.errors) > before or resource is None:
        return None
    return KubeQuery(resource, namespace=namespace, selector=selector, name=name, columns=columns)


def _resource(reader: Reader, node: Node, what: str) -> ResourceName | None:
    text = reader.string(node, what)
    if text is None:
        return None
    try:
        return parse_resource_name(text)
    except ValueError as exc:
        reader.error(node, f"{what}: {exc}")
        return None


def _namespace(reader: Reader, node: Node) -> str | None:
    text = reader.string(node, "namespace")
    if text is not None and text != ALL_NAMESPACES and not _DNS_LABEL.fullmatch(text):
        reader.error(node, f"namespace {text!r} is not a namespace name; expected lower-case letters, digits and "
                           f"'-', or {ALL_NAMESPACES!r} for every namespace")
        return None
    return text


def _object_name(reader: Reader, node: Node, what: str) -> str | None:
    text = reader.string(node, what)
    if text is not None and not _OBJECT_NAME.fullmatch(text):
        reader.error(node, f"{what} {text!r} is not an object name; expected lower-case letters, digits, '-' and '.'")
        return None
    return text


def _columns(reader: Reader, node: Node) -> tuple[tuple[str, JsonPath], ...]:
    result = []
    for title, key, value in reader.entries(node, "columns"):
        if not _TITLE.fullmatch(title):
            reader.error(key, f"column title {title!r}; expected letters, digits, spaces, '_', '.' and '-'")
            continue
        source = reader.string(value, f"column {title!r}")
        if source is None:
            continue
        try:
            result.append((title.upper(), parse_jsonpath(source)))
        except JsonPathError as exc:
            reader.error(value, str(exc))
    return tuple(result)


def _condition(reader: Reader, node: Node) -> tuple[str, str] | None:
    text = reader.string(node, "wait condition")
    if text is None:
        return None
    match = _CONDITION.fullmatch(text.strip())
    if not match or (match.group(2) is not None and match.group(2) not in CONDITION_STATUSES):
        reader.error(node, f"wait condition {text!r}; expected a condition type such as Ready or Available, "
                           f"optionally =True, =False or =Unknown")
        return None
    return match.group(1), match.group(2) or "True"


def _where(reader: Reader, node: Node, query: KubeQuery, declared) -> tuple[tuple[str, str], ...]:
    if not isinstance(node, MappingNode):
        reader.error(node, "wait where is not a mapping; expected {COLUMN: TEXT}, e.g. {STATUS: Ready, VERSION: v1.33.5}")
        return ()
    known = query.resource.known if query.resource is not None else None
    columns = columns_for(known.kind if known else "", query.columns)
    titles = [c.name for c in columns if not c.timed]
    result = []
    for title, key, value in reader.entries(node, "wait where"):
        if title.upper() not in titles:
            what = f"a column of {known.plural}" if known else f"a column of {query.resource} (an unknown kind shows NAME and its `columns:`)"
            reader.error(key, f"{title!r} is not {what}; expected one of: {', '.join(titles)}")
            continue
        text = reader.string(value, f"wait where {title}")
        problems = undeclared(text, declared) if text is not None else []
        for problem in problems:
            reader.error(value, problem)
        if text is not None and not problems:
            result.append((title.upper(), text))
    return tuple(result)
