"""Strict, located reading of a composed YAML node tree (shared by scenarios and the inventory).

We walk `yaml.compose` nodes rather than loaded Python objects so that every value keeps its
position: each error names the line and column of the offending key or value. A reader never
raises; it records a LocatedError and returns None, so a loader can report every problem at once.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Iterator

from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from tui.deck.duration import EXPECTED as DURATION_EXPECTED
from tui.deck.duration import parse_duration
from tui.errors import LocatedError, Location
from tui.yamltext import line_column

TAG = "tag:yaml.org,2002:"
NAME = re.compile(r"[A-Za-z0-9_.-]+")  # ids, targets, panes: safe in file names and on a command line
_CONSTRUCT = SafeConstructor()  # only its scalar helpers (int, float, bool); it keeps no state for them


def describe(node: Node) -> str:
    """What was found, for the first half of "found X; expected Y"."""
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    if node.tag == TAG + "null":
        return "empty (null)"
    kind = {"int": "a number", "float": "a number", "bool": "a boolean"}.get(node.tag.removeprefix(TAG), "a string")
    value = node.value if len(node.value) <= 40 else node.value[:37] + "..."
    return f"{kind} {value!r}"


class Reader:
    """Reads nodes of one file; problems go to `errors`."""

    def __init__(self, path: Path, text: str):
        self.path = path
        self.text = text
        self.errors: list[LocatedError] = []

    def where(self, node: Node) -> Location:
        return Location(self.path, *line_column(self.text, node.start_mark.index))

    def error(self, node: Node, message: str) -> None:
        self.errors.append(LocatedError(self.where(node), message))

    # --- containers ---------------------------------------------------------------------------

    def mapping(self, node: Node, what: str, allowed: tuple[str, ...],
                reserved: dict[str, str] | None = None) -> dict[str, tuple[Node, Node]] | None:
        """`{key: (key node, value node)}`; unknown and duplicate keys are errors (the rest is kept).
        A `reserved` key (planned, not yet supported) gets its own message, and is kept."""
        if not isinstance(node, MappingNode):
            self.error(node, f"{what} is {describe(node)}; expected a mapping with keys: {', '.join(allowed)}")
            return None
        result: dict[str, tuple[Node, Node]] = {}
        for key, value in self._pairs(node, set()):
            name = self.key_name(key, what)
            if name is None:
                continue
            if reserved and name in reserved:
                self.error(key, reserved[name])
                result.setdefault(name, (key, value))  # kept, so the caller can stop there
            elif name not in allowed:
                self.error(key, f"unknown key {name!r} in {what}; expected one of: {', '.join(allowed)}")
            elif name in result:
                first = self.where(result[name][0]).line
                self.error(key, f"duplicate key {name!r} in {what}; the first is at line {first}")
            else:
                result[name] = (key, value)
        return result

    def entries(self, node: Node, what: str) -> Iterator[tuple[str, Node, Node]]:
        """Free-form `name: value` pairs (vars, targets, env), duplicates reported."""
        if not isinstance(node, MappingNode):
            self.error(node, f"{what} is {describe(node)}; expected a mapping of names to values")
            return
        seen: dict[str, Node] = {}
        for key, value in self._pairs(node, set()):
            name = self.key_name(key, what)
            if name is None:
                continue
            if name in seen:
                self.error(key, f"duplicate name {name!r} in {what}; the first is at line {self.where(seen[name]).line}")
                continue
            seen[name] = key
            yield name, key, value

    def _pairs(self, node: MappingNode, seen: set[int]) -> Iterator[tuple[Node, Node]]:
        """Key/value pairs with YAML merge keys (`<<: *base`) expanded: own keys win, then earlier
        merged mappings. `seen` is shared by the whole walk, so a mapping that merges itself, or
        chains of anchors merged twice over (a "billion laughs"), are expanded at most once."""
        seen.add(id(node))
        own: list[tuple[Node, Node]] = []
        merged: list[Node] = []
        for key, value in node.value:
            if key.tag == TAG + "merge":
                merged.extend(value.value if isinstance(value, SequenceNode) else [value])
            else:
                own.append((key, value))
        yield from own
        taken = {k.value for k, _ in own if isinstance(k, ScalarNode)}
        for source in merged:
            if not isinstance(source, MappingNode):
                self.error(source, f"merge key '<<' points at {describe(source)}; expected a mapping or a list of them")
                continue
            if id(source) in seen:
                continue
            for key, value in self._pairs(source, seen):
                name = key.value if isinstance(key, ScalarNode) else None
                if name is None or name not in taken:
                    taken.add(name)
                    yield key, value

    def key_name(self, key: Node, what: str) -> str | None:
        if isinstance(key, ScalarNode) and key.tag != TAG + "null" and key.value:
            return key.value
        self.error(key, f"a key in {what} is {describe(key)}; expected a name")
        return None

    def sequence(self, node: Node, what: str, expected: str) -> list[Node] | None:
        if not isinstance(node, SequenceNode):
            self.error(node, f"{what} is {describe(node)}; expected {expected}")
            return None
        return list(node.value)

    # --- scalars ------------------------------------------------------------------------------

    def string(self, node: Node, what: str, allow_empty: bool = False) -> str | None:
        """Any scalar but null, as written: `version: 1.10` stays "1.10", never the float 1.1."""
        if not isinstance(node, ScalarNode) or node.tag == TAG + "null":
            self.error(node, f"{what} is {describe(node)}; expected a string")
            return None
        if "\0" in node.value:  # a PTY or argv cannot carry it; "\0" in a quoted YAML string gets here
            self.error(node, f"{what} contains a NUL character; expected text")
            return None
        if not allow_empty and not node.value.strip():
            self.error(node, f"{what} is an empty string; expected some text")
            return None
        return node.value

    def optional_string(self, node: Node, what: str) -> tuple[bool, str | None]:
        """(ok, value) where null is a valid None (a scenario var the inventory must supply)."""
        if isinstance(node, ScalarNode) and node.tag == TAG + "null":
            return True, None
        value = self.string(node, what, allow_empty=True)
        return value is not None, value

    def name(self, node: Node, what: str) -> str | None:
        value = self.string(node, what)
        if value is not None and not NAME.fullmatch(value):
            self.error(node, f"{what} {value!r} is not a plain name; expected letters, digits, '_', '.' and '-'")
            return None
        return value

    def integer(self, node: Node, what: str, low: int, high: int) -> int | None:
        value = _construct("int", node)
        if value is None or not low <= value <= high:
            self.error(node, f"{what} is {describe(node)}; expected a whole number from {low} to {high}")
            return None
        return value

    def number(self, node: Node, what: str) -> float | None:
        """A positive, finite number of seconds (int or float)."""
        value = _construct("int", node)
        value = float(value) if value is not None else _construct("float", node)
        if value is None or not math.isfinite(value) or value <= 0:
            self.error(node, f"{what} is {describe(node)}; expected a positive number of seconds")
            return None
        return value

    def boolean(self, node: Node, what: str) -> bool | None:
        value = _construct("bool", node)
        if value is not None:
            return value
        self.error(node, f"{what} is {describe(node)}; expected true or false")
        return None

    def duration(self, node: Node, what: str) -> float | None:
        """A positive duration with a unit; a bare number is refused because 30 could mean 30 ms."""
        text = node.value if isinstance(node, ScalarNode) and node.tag != TAG + "null" else None
        seconds = parse_duration(text) if text is not None else None
        if seconds is None or seconds <= 0:
            hint = " (a bare number has no unit: write 30s)" if text and text.strip().replace(".", "", 1).isdigit() else ""
            self.error(node, f"{what} is {describe(node)}; expected {DURATION_EXPECTED}{hint}")
            return None
        return seconds

    def regex(self, node: Node, what: str) -> str | None:
        source = self.string(node, what)
        if source is None:
            return None
        try:
            re.compile(source, re.MULTILINE)
        except (re.error, OverflowError, RecursionError, ValueError) as exc:
            self.error(node, f"{what} {source!r} is not a valid regular expression: {exc}")
            return None
        return source

    def choice(self, node: Node, what: str, choices: tuple[str, ...]) -> str | None:
        value = self.string(node, what)
        if value is not None and value not in choices:
            self.error(node, f"{what} is {value!r}; expected one of: {', '.join(choices)}")
            return None
        return value


def is_null(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.tag == TAG + "null"


def _construct(kind: str, node: Node) -> int | float | bool | None:
    """The node's value if it is a scalar tagged `kind` that PyYAML can build, else None. An
    explicit tag makes PyYAML try any text (`!!int ''` raises IndexError, `!!bool maybe` KeyError),
    and more digits than int() will parse raise ValueError: none of that may escape a loader."""
    if not (isinstance(node, ScalarNode) and node.tag == TAG + kind):
        return None
    try:
        return getattr(_CONSTRUCT, f"construct_yaml_{kind}")(node)
    except (ValueError, OverflowError, IndexError, KeyError, TypeError):
        return None
