"""The part of kubectl's JSONPath that custom columns use.

    .status.phase     {.status.phase}     .metadata.labels['cluster.x-k8s.io/cluster-name']
    .spec.containers[0].image     .spec.containers[*].name
    .status.conditions[?(@.type=="Ready")].status

A path yields every value it reaches; a column shows them joined with ",", or `<none>`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Iterator

NONE = "<none>"
_FIELD = re.compile(r"[A-Za-z_$][A-Za-z0-9_$-]*")
_FILTER = re.compile(r"""\?\(@\.([A-Za-z0-9_.-]+)\s*(==|!=)\s*(?:"([^"]*)"|'([^']*)'|(-?[0-9.]+|true|false))\)""")


class JsonPathError(ValueError):
    def __init__(self, message: str, offset: int):
        super().__init__(message)
        self.offset = offset  # 0-based, in the text as written


@dataclass(frozen=True)
class Segment:
    kind: str  # field | index | all | filter
    field: str = ""
    index: int = 0
    test: tuple[tuple[str, ...], str, Any] | None = None  # (path, operator, value)


@dataclass(frozen=True)
class JsonPath:
    source: str
    segments: tuple[Segment, ...]

    def values(self, obj: Any) -> list[Any]:
        current = [obj]
        for segment in self.segments:
            current = list(_step(current, segment))
        return [v for v in current if v is not None]

    def text(self, obj: Any) -> str:
        values = self.values(obj)
        if not values:
            return NONE
        return ",".join(v if isinstance(v, str) else json.dumps(v, separators=(",", ":"), sort_keys=True)
                        for v in values)

    def field_prefix(self) -> tuple[str, ...]:
        """The leading plain fields: what a trimmed object must keep for this path to work."""
        prefix = []
        for segment in self.segments:
            if segment.kind != "field":
                break
            prefix.append(segment.field)
        return tuple(prefix)


def parse_jsonpath(text: str) -> JsonPath:
    source = text
    body, offset = text.strip(), len(text) - len(text.lstrip())
    if body.startswith("{") and body.endswith("}"):
        body, offset = body[1:-1], offset + 1
    if not body.startswith((".", "[")):
        raise JsonPathError(f"JSONPath {source!r} does not start with '.'; expected a path such as .status.phase", offset)
    segments: list[Segment] = []
    i = 0
    while i < len(body):
        at = offset + i
        if body.startswith("..", i):
            raise JsonPathError(f"JSONPath {source!r}: recursive descent '..' is not supported; expected a full path", at)
        if body[i] == ".":
            match = _FIELD.match(body, i + 1)
            if not match:
                raise JsonPathError(f"JSONPath {source!r}: expected a field name after '.' at column {at + 2}", at + 1)
            segments.append(Segment("field", field=match.group()))
            i = match.end()
        elif body[i] == "[":
            end = body.find("]", i)
            if end < 0:
                raise JsonPathError(f"JSONPath {source!r}: '[' is never closed; expected ']'", at)
            inner = body[i + 1:end].strip()
            segments.append(_bracket(inner, source, at))
            i = end + 1
        else:
            raise JsonPathError(f"JSONPath {source!r}: unexpected {body[i]!r}; expected '.' or '['", at)
    if not segments:
        raise JsonPathError(f"JSONPath {source!r} is empty; expected a path such as .status.phase", offset)
    return JsonPath(source, tuple(segments))


def _bracket(inner: str, source: str, at: int) -> Segment:
    if inner == "*":
        return Segment("all")
    if re.fullmatch(r"-?[0-9]+", inner):
        return Segment("index", index=int(inner))
    if len(inner) >= 2 and inner[0] == inner[-1] and inner[0] in "'\"":
        return Segment("field", field=inner[1:-1])
    match = _FILTER.fullmatch(inner)
    if match:
        path, operator, dq, sq, bare = match.groups()
        value: Any = dq if dq is not None else sq
        if value is None:
            value = json.loads(bare)
        return Segment("filter", test=(tuple(path.split(".")), operator, value))
    raise JsonPathError(f"JSONPath {source!r}: [{inner}] is not supported; expected [N], [*], ['key'] or "
                        f"[?(@.field==\"value\")]", at)


def _step(values: list[Any], segment: Segment) -> Iterator[Any]:
    for value in values:
        if segment.kind == "field":
            if isinstance(value, dict) and segment.field in value:
                yield value[segment.field]
        elif segment.kind == "index":
            if isinstance(value, list) and -len(value) <= segment.index < len(value):
                yield value[segment.index]
        elif segment.kind == "all":
            if isinstance(value, list):
                yield from value
            elif isinstance(value, dict):
                yield from value.values()
        elif isinstance(value, list):
            path, operator, expected = segment.test  # type: ignore[misc]
            for item in value:
                found = dig(item, *path)
                if (found == expected) == (operator == "=="):
                    yield item


def dig(obj: Any, *path: str) -> Any:
    """obj[path[0]][path[1]]…, or None where the way stops."""
    for key in path:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj
