"""The lab inventory: where a scenario's targets are (local shell, SSH nodes, Kubernetes clusters),
the values of its variables, and what to redact from recordings.

Paths in the file (`cwd`, `identity`, `known_hosts`, `kubeconfig`) may start with `~`; a relative
one is relative to the inventory file, so a lab directory can be moved as a whole.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Union

from yaml.nodes import MappingNode, Node, ScalarNode

from tui.errors import LoadError, LocatedError, Location
from tui.scenario.model import Scenario
from tui.scenario.nodes import NAME, Reader, describe, is_null
from tui.scenario.variables import VAR_NAME, control_character
from tui.textfile import normalize, read_text
from tui.yamltext import compose_yaml

LAB_FILE = "lab.yaml"  # the default inventory, next to the scenarios
HOST_KEY_POLICIES = ("verify", "accept-new", "insecure-lab")
TOP_KEYS = ("vars", "targets", "redact")
TARGET_KEYS = {
    "local": ("kind", "shell", "cwd", "env"),
    "ssh": ("kind", "host", "port", "user", "identity", "host_key", "proxy_jump", "known_hosts", "agent"),
    "kube": ("kind", "kubeconfig", "context"),
}
_ALL_TARGET_KEYS = tuple(dict.fromkeys(k for keys in TARGET_KEYS.values() for k in keys))


@dataclass(frozen=True)
class LocalTarget:
    name: str = "local"
    shell: str = "bash"
    cwd: Path | None = None
    env: dict[str, str] = field(default_factory=dict)
    kind = "local"  # a class attribute, not a field: the type is the kind


@dataclass(frozen=True)
class SshTarget:
    name: str
    host: str
    port: int = 22
    user: str | None = None  # None: the SSH client's default
    identity: tuple[Path, ...] = ()
    host_key: str = "verify"  # verify (known_hosts only) | accept-new (trust on first use) | insecure-lab
    proxy_jump: str | None = None
    known_hosts: Path | None = None
    agent: bool = True
    kind = "ssh"


@dataclass(frozen=True)
class KubeTarget:
    name: str
    kubeconfig: Path | None = None  # None: $KUBECONFIG or ~/.kube/config
    context: str | None = None  # None: the kubeconfig's current context
    kind = "kube"


Target = Union[LocalTarget, SshTarget, KubeTarget]


@dataclass(frozen=True)
class Redaction:
    """A secret to blank out of recordings: a literal string, or a regex when `regex` is set."""

    source: str
    regex: bool = False

    @property
    def pattern(self) -> re.Pattern[str]:
        return re.compile(self.source, re.MULTILINE) if self.regex else re.compile(re.escape(self.source))


@dataclass(frozen=True)
class Inventory:
    path: Path | None  # None: the built-in default
    targets: dict[str, Target]
    vars: dict[str, str] = field(default_factory=dict)
    redact: tuple[Redaction, ...] = ()


def default_inventory() -> Inventory:
    """When no lab file exists: only the local shell."""
    return Inventory(path=None, targets={"local": LocalTarget()})


def load_inventory(path: Path) -> Inventory:
    return parse_inventory(read_text(path, "YAML"), path)


def parse_inventory(text: str, path: Path = Path(LAB_FILE)) -> Inventory:
    text = normalize(text)
    root = compose_yaml(text, path)
    if root is None or is_null(root):  # a lab file of comments only: nothing beyond the local shell
        return Inventory(path=path, targets={"local": LocalTarget()})
    reader = Reader(path, text)
    keys = reader.mapping(root, "the lab inventory", TOP_KEYS) or {}
    variables = _vars(reader, keys["vars"][1]) if "vars" in keys else {}
    targets: dict[str, Target] = {"local": LocalTarget()}  # implicit unless the file says more
    if "targets" in keys:
        for name, key, node in reader.entries(keys["targets"][1], "targets"):
            target = _target(reader, name, key, node, path.parent)
            if target is not None:
                targets[name] = target
    redact = _redactions(reader, keys["redact"][1]) if "redact" in keys else ()
    if reader.errors:
        raise LoadError(sorted(reader.errors, key=lambda e: (e.location.line, e.location.column)))
    return Inventory(path=path, targets=targets, vars=variables, redact=redact)


def validate_targets(scenario: Scenario, inventory: Inventory) -> list[LocatedError]:
    """A located error at each step whose target the lab lacks, or cannot run a command on."""
    errors = []
    for step in scenario.all_steps:
        if not step.uses_target:
            continue
        target = inventory.targets.get(step.target)
        where = Location(scenario.path, step.line, step.column)
        lab = inventory.path or "the default lab (local only)"
        if target is None:
            known = ", ".join(sorted(inventory.targets))
            errors.append(LocatedError(where, f"step {step.id!r} runs on target {step.target!r}, which {lab} does not define; "
                                              f"expected one of: {known}"))
        elif step.wait_reconnect is not None and not isinstance(target, SshTarget):
            errors.append(LocatedError(where, f"step {step.id!r} waits for {step.target!r} to reconnect, but it is a "
                                              f"{target.kind} target; expected an ssh target"))
        elif step.is_kube and not isinstance(target, KubeTarget):
            errors.append(LocatedError(where, f"step {step.id!r} reads Kubernetes resources from {step.target!r}, a "
                                              f"{target.kind} target; expected a kube target (kind: kube)"))
        elif isinstance(target, KubeTarget) and not step.is_kube:
            errors.append(LocatedError(where, f"step {step.id!r} runs a command on {step.target!r}, a Kubernetes cluster; "
                                              f"expected a local or ssh target"))
    return errors


# --- reading the file --------------------------------------------------------------------------


def _vars(reader: Reader, node: Node) -> dict[str, str]:
    result = {}
    for name, key, value_node in reader.entries(node, "vars"):
        if not VAR_NAME.fullmatch(name):
            reader.error(key, f"variable name {name!r}; expected letters, digits and '_', not starting with a digit")
            continue
        value = reader.string(value_node, f"variable {name!r}", allow_empty=True)
        bad = control_character(value) if value is not None else None
        if bad:
            reader.error(value_node, f"variable {name!r} contains the control character {bad}; expected one line of text")
        elif value is not None:
            result[name] = value
    return result


def _target(reader: Reader, name: str, key: Node, node: Node, base: Path) -> Target | None:
    before = len(reader.errors)
    if not NAME.fullmatch(name):
        reader.error(key, f"target name {name!r} is not a plain name; expected letters, digits, '_', '.' and '-'")
    keys = reader.mapping(node, f"target {name!r}", _ALL_TARGET_KEYS)
    if keys is None:
        return None
    if "kind" not in keys:
        reader.error(node, f"target {name!r} has no 'kind'; expected kind: {', '.join(TARGET_KEYS)}")
        return None
    kind = reader.choice(keys["kind"][1], f"target {name!r} kind", tuple(TARGET_KEYS))
    if kind is None:
        return None
    if name == "local" and kind != "local":
        reader.error(keys["kind"][1], "the target name 'local' is kept for the local shell; expected kind: local")
    for option, (option_key, _) in keys.items():
        if option not in TARGET_KEYS[kind]:
            reader.error(option_key, f"{option!r} does not apply to a {kind} target; it takes: {', '.join(TARGET_KEYS[kind])}")
    values = {k: v for k, (_, v) in keys.items() if k != "kind" and k in TARGET_KEYS[kind]}
    fields = _target_fields(reader, kind, values, base, node, name)
    if len(reader.errors) > before:
        return None
    cls = {"local": LocalTarget, "ssh": SshTarget, "kube": KubeTarget}[kind]
    return cls(name=name, **fields)


def _target_fields(reader: Reader, kind: str, values: dict[str, Node], base: Path, node: Node, name: str) -> dict:
    fields: dict = {}
    for option, value in values.items():
        what = f"target {name!r} {option}"
        if option in ("cwd", "known_hosts", "kubeconfig"):
            fields[option] = _path(reader, value, what, base)
        elif option == "identity":
            items = value.value if not isinstance(value, (ScalarNode, MappingNode)) else [value]
            fields[option] = tuple(_path(reader, item, what, base) for item in items)
        elif option == "port":
            fields[option] = reader.integer(value, what, 1, 65535)
        elif option == "agent":
            fields[option] = reader.boolean(value, what)
        elif option == "host_key":
            fields[option] = reader.choice(value, what, HOST_KEY_POLICIES)
        elif option == "env":
            fields[option] = env = {}
            for variable, key, item in reader.entries(value, what):
                if not VAR_NAME.fullmatch(variable):
                    reader.error(key, f"environment variable name {variable!r}; expected letters, digits and '_'")
                env[variable] = reader.string(item, f"{what} {variable}", allow_empty=True)
        else:  # shell, host, user, proxy_jump, context
            fields[option] = reader.string(value, what)
            if option in ("host", "user") and fields[option] and any(c.isspace() for c in fields[option]):
                reader.error(value, f"{what} {fields[option]!r} contains a space; expected a single word")
    if kind == "ssh" and "host" not in values:
        reader.error(node, f"ssh target {name!r} has no 'host'; expected host: NAME-OR-ADDRESS")
    return fields


def _path(reader: Reader, node: Node, what: str, base: Path) -> Path | None:
    text = reader.string(node, what)
    if text is None:
        return None
    path = Path(text).expanduser()  # no I/O: only $HOME is read
    return path if path.is_absolute() else base / path


def _redactions(reader: Reader, node: Node) -> tuple[Redaction, ...]:
    result = []
    for item in reader.sequence(node, "redact", 'a list of literal strings and {regex: "..."} mappings') or ():
        if isinstance(item, MappingNode):
            keys = reader.mapping(item, "a redact entry", ("regex",))
            if keys is None or "regex" not in keys:
                if keys is not None and not item.value:  # else the unknown key is reported already
                    reader.error(item, "a redact mapping has no 'regex'; expected {regex: \"PATTERN\"}")
                continue
            source = reader.regex(keys["regex"][1], "redact regex")
            if source is not None and re.compile(source, re.MULTILINE).fullmatch(""):
                reader.error(keys["regex"][1], f"redact regex {source!r} matches the empty string; expected a pattern that matches only the secret")
            elif source is not None:
                result.append(Redaction(source, regex=True))
        elif isinstance(item, ScalarNode):
            literal = reader.string(item, "a redact entry")
            if literal is not None:
                result.append(Redaction(literal))
        else:
            reader.error(item, f"a redact entry is {describe(item)}; expected a literal string or {{regex: \"PATTERN\"}}")
    return tuple(result)


def find_inventory(explicit: Path | None, scenarios_dir: Path) -> Inventory:
    """--lab FILE, else the presenter's own ($XDG_CONFIG_HOME/flatdeck/lab.yaml), else the repo's
    default next to the scenarios, else the built-in local-only lab."""
    if explicit is not None:
        return load_inventory(explicit)
    import os

    config = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "flatdeck" / LAB_FILE
    for candidate in (config, scenarios_dir / LAB_FILE):
        if candidate.is_file():
            return load_inventory(candidate)
    return default_inventory()
