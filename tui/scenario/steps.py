"""One step mapping → Step, with every problem located at the key or value that causes it."""

from __future__ import annotations

from dataclasses import replace
from typing import Mapping

from yaml.nodes import Node

from tui.scenario.kubesteps import QUERY_KEYS, WAIT_TESTS, parse_kube, parse_wait_kube
from tui.scenario.model import KINDS, Expect, Step
from tui.scenario.nodes import Reader
from tui.scenario.variables import placeholder_problems

STEP_KEYS = {
    "run": ("id", "run", "target", "pane", "expect", "timeout", "title"),
    "check": ("id", "check", "target", "pane", "expect", "timeout", "title"),
    "say": ("id", "say", "title"),
    "wait": ("id", "wait", "target", "title"),
    "kube": ("id", "kube", "target", "pane", "timeout", "title"),
}
ALL_STEP_KEYS = ("id", *KINDS, "target", "pane", "expect", "timeout", "title")
WAIT_MODES = ("output", "command", "seconds", "for", "reconnect", "kube")
WAIT_KEYS = (*WAIT_MODES, "pane", "interval", "timeout", *QUERY_KEYS, *WAIT_TESTS)
# which wait mode each optional wait key belongs to
_WAIT_OPTIONS = {"pane": ("output",), "interval": ("command",), "timeout": ("output", "command", "reconnect", "kube"),
                 **{key: ("kube",) for key in (*QUERY_KEYS, *WAIT_TESTS)}}


class StepParser:
    """Parses the steps of one file in order; remembers what a later step may refer to."""

    def __init__(self, reader: Reader, declared: Mapping[str, object] | None):
        self.reader = reader
        self.declared = declared  # None: `vars` itself is broken, so don't call names undeclared
        self.ids: dict[str, Node] = {}
        self.last_pane: Step | None = None  # the pane a `wait: {output: …}` without a pane watches
        self.pane_uses: dict[str, tuple[bool, str]] = {}  # pane → (shows kube resources?, first step id)

    def parse(self, node: Node) -> Step | None:
        """The Step, or None when any problem was reported (each one already in reader.errors)."""
        r = self.reader
        before = len(r.errors)
        keys = r.mapping(node, "a step", ALL_STEP_KEYS)
        if keys is None:
            return None
        kinds = [k for k in keys if k in KINDS]
        if not kinds:
            r.error(node, f"a step has no kind; expected exactly one of: {', '.join(KINDS)}")
            return None
        kind = kinds[0]
        for other in kinds[1:]:
            r.error(keys[other][0], f"this step has both {kind!r} and {other!r}; expected exactly one of: {', '.join(KINDS)}")
        for key, (key_node, _) in keys.items():
            if key not in STEP_KEYS[kind] and key not in KINDS:
                hint = " (it goes inside the wait mapping)" if kind == "wait" and key in WAIT_KEYS else ""
                r.error(key_node, f"{key!r} does not apply to a {kind} step{hint}; a {kind} step takes: {', '.join(STEP_KEYS[kind])}")
        step_id = self._id(node, keys)
        fields: dict = {}
        if "title" in keys:
            fields["title"] = r.string(keys["title"][1], "title")
        for key in ("target", "pane"):
            if key in keys and key in STEP_KEYS[kind]:
                fields[key] = r.name(keys[key][1], key)
        if "timeout" in keys and kind in ("run", "check", "kube"):
            fields["timeout"] = r.duration(keys["timeout"][1], "timeout")
        if "expect" in keys and kind in ("run", "check"):
            fields["expect"] = self._expect(keys["expect"][1])
        elif kind == "check":
            fields["expect"] = Expect()  # a check with nothing to verify would always pass
        value = keys[kind][1]
        if kind == "say":
            fields["text"] = r.string(value, "say")
        elif kind == "wait":
            fields.update(self._wait(value))
            node_name = fields.get("wait_reconnect")
            if node_name is not None and "target" in keys:
                if fields.get("target") not in (None, node_name):
                    r.error(keys["target"][1], f"target {fields['target']!r} differs from the node this wait reconnects to "
                                               f"({node_name!r}); expected no target: on a wait on 'reconnect'")
            if node_name is not None:
                fields["target"] = node_name
        elif kind == "kube":
            fields["kube"] = parse_kube(r, value)
            if fields["kube"] is None:
                del fields["kube"]
        else:
            fields["command"] = self._command(value, kind)
        needs_cluster = kind == "kube" or "wait_kube" in fields
        if needs_cluster and "target" not in keys:
            what = "a kube step" if kind == "kube" else "a wait on kube"
            r.error(node, f"{what} has no 'target'; expected the name of a kube target of the lab inventory, "
                          f"like target: mgmt")
        if len(r.errors) > before or step_id is None:
            return None
        where = r.where(node)
        step = Step(id=step_id, kind=kind, line=where.line, column=where.column, **fields)
        if step.wait_output is not None and "pane" not in fields and "target" not in fields and self.last_pane:
            # a wait on output with no pane named watches the pane of the step before it
            step = replace(step, target=self.last_pane.target, pane=self.last_pane.pane)
        if step.uses_pane and not self._pane_fits(step, node):
            return None
        if step.uses_pane and step.kind != "kube":
            self.last_pane = step
        return step

    def _pane_fits(self, step: Step, node: Node) -> bool:
        """A pane is a terminal or a kube pane for the whole scenario, never both."""
        kube = step.kind == "kube"
        first = self.pane_uses.setdefault(step.pane_name, (kube, step.id))
        if first[0] == kube:
            return True
        was, now = ("a kube pane", "a terminal") if first[0] else ("a terminal", "a kube pane")
        self.reader.error(node, f"pane {step.pane_name!r} is {was} (step {first[1]!r}); step {step.id!r} needs "
                                f"{now}: expected another pane: NAME")
        return False

    def _id(self, node: Node, keys: dict) -> str | None:
        if "id" not in keys:
            self.reader.error(node, "a step has no 'id'; expected a unique name, like id: start-vm")
            return None
        id_node = keys["id"][1]
        step_id = self.reader.name(id_node, "step id")
        if step_id is None:
            return None
        if step_id in self.ids:
            first = self.reader.where(self.ids[step_id]).line
            self.reader.error(id_node, f"duplicate step id {step_id!r}; the first is at line {first}, expected unique ids")
            return None
        self.ids[step_id] = id_node
        return step_id

    def _command(self, node: Node, what: str) -> str | None:
        command = self.reader.string(node, what)
        if command is None:
            return None
        problems = placeholder_problems(command, self.declared if self.declared is not None else _Everything())
        for problem in problems:
            self.reader.error(node, problem)
        return None if problems else command

    def _expect(self, node: Node) -> Expect | None:
        r = self.reader
        keys = r.mapping(node, "expect", ("output", "exit"))
        if keys is None:
            return None
        if not node.value:
            r.error(node, "expect is an empty mapping; expected output: REGEX and/or exit: CODE")
            return None
        output = r.regex(keys["output"][1], "expect output") if "output" in keys else None
        code = r.integer(keys["exit"][1], "expect exit", 0, 255) if "exit" in keys else 0
        if not keys or ("output" in keys and output is None) or code is None:
            return None
        return Expect(output=output, exit=code)

    def _wait(self, node: Node) -> dict:
        """Step fields of a wait ({} when a problem was reported)."""
        r, failed = self.reader, {}
        keys = r.mapping(node, "wait", WAIT_KEYS)
        if keys is None:
            return failed
        modes = [k for k in keys if k in WAIT_MODES]
        if not modes:
            r.error(node, f"wait has none of: {', '.join(WAIT_MODES)}; expected exactly one")
            return failed
        mode = modes[0]
        errors = len(r.errors)
        for other in modes[1:]:
            r.error(keys[other][0], f"wait has both {mode!r} and {other!r}; expected exactly one of: {', '.join(WAIT_MODES)}")
        for option, owners in _WAIT_OPTIONS.items():
            if option in keys and mode not in owners:
                r.error(keys[option][0], f"{option!r} does not apply to a wait on {mode!r}; it goes with: {', '.join(owners)}")
        value = keys[mode][1]
        fields: dict = {}
        if mode == "output":
            fields["wait_output"] = r.regex(value, "wait output")
            if "pane" in keys:
                fields["pane"] = r.name(keys["pane"][1], "wait pane")
        elif mode == "command":
            fields["command"] = self._command(value, "wait command")
            if "interval" in keys:
                fields["wait_interval"] = r.duration(keys["interval"][1], "wait interval")
        elif mode == "reconnect":
            fields["wait_reconnect"] = r.name(value, "wait reconnect")
        elif mode == "kube":
            fields["wait_kube"] = parse_wait_kube(r, keys, self.declared if self.declared is not None else _Everything())
        elif mode == "seconds":
            fields["wait_seconds"] = r.number(value, "wait seconds")
        else:
            fields["wait_seconds"] = r.duration(value, "wait for")
        if "timeout" in keys and mode in ("output", "command", "reconnect", "kube"):
            fields["timeout"] = r.duration(keys["timeout"][1], "wait timeout")
        if len(r.errors) > errors:
            return failed
        return fields


class _Everything:
    """Stands in for the declared names when `vars` could not be read: every name is declared."""

    def __contains__(self, name: object) -> bool:
        return True

    def __iter__(self):
        return iter(())
