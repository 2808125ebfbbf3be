"""Property tests: any input gives a Scenario (or Inventory) or a LoadError, never another exception;
what comes out agrees with the source, and well-formed scenarios load to exactly what was written."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tui.errors import LoadError
from tui.scenario.inventory import Inventory, load_inventory, parse_inventory
from tui.scenario.load import load_scenario, parse_scenario
from tui.kube.kinds import parse_resource_name
from tui.kube.query import KubeQuery, KubeWait
from tui.scenario.model import KINDS, Expect, Scenario, Step
from tui.scenario.variables import placeholders
from tui.textfile import normalize

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
P = Path("demo.yaml")


def check_errors(error: LoadError, text: str, path: Path) -> None:
    lines = normalize(text).split("\n")
    assert error.errors
    for located in error.errors:
        assert located.message.strip()
        where = located.location
        assert where.path == path
        assert 0 <= where.line <= len(lines) + 1, str(located)
        if where.column and 1 <= where.line <= len(lines):
            assert 1 <= where.column <= len(lines[where.line - 1]) + 1, str(located)


def check_scenario(scenario: Scenario, text: str) -> None:
    lines = normalize(text).split("\n")
    assert scenario.title.strip() and scenario.steps
    ids = [s.id for s in scenario.all_steps]
    assert len(ids) == len(set(ids))
    for step in scenario.all_steps:
        assert step.kind in KINDS
        assert 1 <= step.line <= len(lines) and 1 <= step.column <= len(lines[step.line - 1])
        for name in placeholders(step.command or ""):
            assert name in scenario.vars
        assert step.label.strip()


def parse_checked(text: str) -> Scenario | None:
    try:
        scenario = parse_scenario(text, P)
    except LoadError as exc:
        check_errors(exc, text, P)
        return None
    check_scenario(scenario, text)
    return scenario


# --- arbitrary input ---------------------------------------------------------------------------


@SETTINGS
@given(st.text())
def test_any_text_gives_a_scenario_or_a_load_error(text):
    parse_checked(text)


@SETTINGS
@given(st.binary(max_size=1000))
def test_any_bytes_in_a_file(tmp_path, data):
    path = tmp_path / "demo.yaml"
    path.write_bytes(data)
    try:
        check_scenario(load_scenario(path), data.decode())
    except LoadError as exc:
        check_errors(exc, data.decode("utf-8", "replace"), path)


@SETTINGS
@given(st.binary(max_size=1000))
def test_any_bytes_as_an_inventory(tmp_path, data):
    path = tmp_path / "lab.yaml"
    path.write_bytes(data)
    try:
        assert isinstance(load_inventory(path), Inventory)
    except LoadError as exc:
        check_errors(exc, data.decode("utf-8", "replace"), path)


# --- structured random YAML: reaches deep into the validation ----------------------------------

VALUES = st.sampled_from([
    "x", "'echo {{ v }}'", "\"echo '{{ v }}'\"", "'{{ w }}'", "~", "[]", "{}", "[a, b]", "0", "-1", "256", "1e999",
    ".inf", "'(['", "30s", "1m30s", "30", "yes", "'a b'", "&a x", "*a", "&m {run: y}", "*m", "!!binary aGk=",
    "9" * 400, "'\\0'", "|\n      multi\n      line", "{output: x}", "{command: 'true', interval: 2s}",
    "{seconds: 2}", "{for: 5s}", "{output: x, command: y}", "{output: '[', pane: p}", "{exit: 1}",
    "{output: ok, exit: 0}", "{regex: 'a+'}", "!!int ''", "!!float _", "!!bool maybe", "!!str 5", "!!set {a}",
])
STEP_KEYS = st.sampled_from(["id", "run", "wait", "say", "check", "kube", "target", "pane", "expect", "timeout",
                             "title", "bogus", "<<", "interval"])
STEP = st.dictionaries(STEP_KEYS, VALUES, max_size=5)
TOP = st.fixed_dictionaries(
    {},
    optional={"title": VALUES, "description": VALUES, "vars": st.sampled_from(["{v: x}", "{v: ~}", "[v]", "{v: x, w: [1]}"]),
              "setup": st.lists(STEP, max_size=3), "steps": st.one_of(st.lists(STEP, max_size=5), VALUES),
              "cleanup": st.lists(STEP, max_size=3), "extra": VALUES},
)


def render_step(step: dict) -> str:
    lines = [f"{key}: {value}" for key, value in step.items()]
    return "  - " + "\n    ".join(lines) if lines else "  - {}"


def render(top: dict) -> str:
    out = []
    for key, value in top.items():
        if isinstance(value, list):
            out.append(f"{key}:" + ("" if value else " []"))
            out += [render_step(s) for s in value]
        else:
            out.append(f"{key}: {value}")
    return "\n".join(out) + "\n"


@SETTINGS
@given(TOP)
def test_structured_random_scenarios(top):
    parse_checked(render(top))


TARGET = st.dictionaries(
    st.sampled_from(["kind", "host", "port", "user", "identity", "host_key", "agent", "shell", "cwd", "env",
                     "kubeconfig", "context", "bogus"]),
    st.sampled_from(["local", "ssh", "kube", "h", "22", "0", "[a, b]", "~", "accept-new", "yolo", "true", "{A: b}",
                     "{A: [1]}", "''", "'a b'", "~/x", "!!bool x", "!!int ''", "!!int 0x"]),
    max_size=5,
)


@SETTINGS
@given(st.dictionaries(st.sampled_from(["local", "node1", "my node", "mgmt"]), TARGET, max_size=3),
       st.sampled_from(["", "vars: {a: b}\n", "vars: {a: ~}\n", "redact: [x, {regex: 'a+'}]\n", "redact: [{regex: ''}]\n"]))
def test_structured_random_inventories(targets, extra):
    lines = ["targets:"] + [f"  '{name}': {{{', '.join(f'{k}: {v}' for k, v in t.items())}}}" for name, t in targets.items()]
    text = ("\n".join(lines) if targets else "targets: {}") + "\n" + extra
    try:
        inventory = parse_inventory(text, P)
    except LoadError as exc:
        check_errors(exc, text, P)
        return
    assert inventory.targets["local"].kind == "local"


# --- model-based: well-formed scenarios load to what was written -------------------------------

NAMES = st.text("abcdefghijklmnopqrstuvwxyz0123456789-_.", min_size=1, max_size=10)
TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=30).filter(
    lambda s: s.strip() and "\ufeff" not in s and "\x85" not in s)
COMMAND = TEXT.map(lambda s: s.replace("{", "("))  # placeholders are tested elsewhere
REGEX = st.sampled_from(["ok", "^done$", r"\d+ pods?", "a|b"])
SECONDS = st.integers(1, 7200)
PANES = NAMES.filter(lambda n: n != "mgmt")  # kube steps use the pane "mgmt" (their target's)
RESOURCES = st.sampled_from(["machines", "nodes", "pods", "kcp", "MachineDeployment", "widgets.example.com"])
NAMESPACES = st.sampled_from([None, "default", "all", "capi-system"])


@st.composite
def steps(draw, ids):
    kind = draw(st.sampled_from(KINDS))
    step_id = draw(NAMES.filter(lambda n: n not in ids))
    ids.add(step_id)
    fields: dict = {}
    yaml: dict = {"id": step_id}
    if draw(st.booleans()):
        fields["title"] = yaml["title"] = draw(TEXT)
    if kind == "say":
        fields["text"] = yaml["say"] = draw(TEXT)
    elif kind == "kube":
        resource, namespace = draw(RESOURCES), draw(NAMESPACES)
        fields["kube"] = KubeQuery(parse_resource_name(resource), namespace=namespace)
        yaml["kube"] = {"get": resource, **({"namespace": namespace} if namespace else {})}
        fields["target"] = yaml["target"] = "mgmt"
    elif kind in ("run", "check"):
        fields["command"] = yaml[kind] = draw(COMMAND)
        fields["target"] = yaml["target"] = draw(st.sampled_from(["local", "node1"]))
        if draw(st.booleans()):
            fields["pane"] = yaml["pane"] = draw(PANES)
        if draw(st.booleans()):
            seconds = draw(SECONDS)
            fields["timeout"], yaml["timeout"] = float(seconds), f"{seconds}s"
        if draw(st.booleans()):
            output, code = draw(st.one_of(st.none(), REGEX)), draw(st.integers(0, 255))
            fields["expect"], yaml["expect"] = Expect(output, code), {"exit": code, **({"output": output} if output else {})}
        elif kind == "check":
            fields["expect"] = Expect()
    else:
        mode = draw(st.sampled_from(["output", "command", "seconds", "kube"]))
        seconds = draw(SECONDS)
        if mode == "kube":
            resource, phase, count = draw(RESOURCES), draw(st.sampled_from(["Running", "Provisioned"])), draw(st.integers(1, 9))
            fields["wait_kube"] = KubeWait(KubeQuery(parse_resource_name(resource)), phase=phase, count=count)
            fields["target"] = yaml["target"] = "mgmt"
            fields["timeout"] = float(seconds)
            yaml["wait"] = {"kube": resource, "phase": phase, "count": count, "timeout": f"{seconds}s"}
        elif mode == "output":
            fields["wait_output"] = draw(REGEX)
            fields["pane"] = draw(PANES)
            yaml["wait"] = {"output": fields["wait_output"], "pane": fields["pane"], "timeout": f"{seconds}s"}
            fields["timeout"] = float(seconds)
        elif mode == "command":
            fields["command"] = draw(COMMAND)
            yaml["wait"] = {"command": fields["command"], "interval": f"{seconds}s"}
            fields["wait_interval"] = float(seconds)
        else:
            fields["wait_seconds"] = float(seconds)
            yaml["wait"] = {"seconds": seconds}
    return kind, fields, yaml


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_well_formed_scenarios_load_to_what_was_written(data):
    ids: set[str] = set()
    sections = {name: data.draw(st.lists(steps(ids), min_size=1 if name == "steps" else 0, max_size=4))
                for name in ("setup", "steps", "cleanup")}
    title = data.draw(TEXT)
    doc = {"title": title, **{name: [y for _, _, y in items] for name, items in sections.items()}}
    # JSON is YAML: every string comes back exactly, and each step starts on its own line
    lines = ["{", f'"title": {json.dumps(title, ensure_ascii=False)},']
    for name, items in sections.items():
        lines.append(f'"{name}": [')
        lines += [json.dumps(y, ensure_ascii=False) + ("," if i < len(items) - 1 else "") for i, (_, _, y) in enumerate(items)]
        lines.append("]" + ("," if name != "cleanup" else ""))
    lines.append("}")
    text = "\n".join(lines)
    assert json.loads(text) == doc
    scenario = parse_checked(text)
    assert scenario is not None
    line = 4
    for name, items in sections.items():
        got = getattr(scenario, name)
        assert len(got) == len(items)
        for step, (kind, fields, yaml) in zip(got, items):
            assert step == Step(id=yaml["id"], kind=kind, line=line, column=1, **fields)
            line += 1
        line += 2
