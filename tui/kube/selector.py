"""Label selectors as kubectl -l takes them, matched here too: the API server filters, and so do we
(a server that ignores the selector, or a recording, still shows only the objects asked for).

    app=web,tier!=cache    environment in (prod, staging)    !canary    release
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping

_KEY = r"(?:[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?/)?[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?"
_VALUE = r"(?:[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?)?"
_REQUIREMENT = re.compile(
    rf"\s*(?:(?P<not>!)\s*(?P<nkey>{_KEY})"
    rf"|(?P<key>{_KEY})\s*(?:(?P<op>==|=|!=)\s*(?P<value>{_VALUE})"
    rf"|\s+(?P<set>in|notin)\s*\((?P<values>[^)]*)\))?)\s*"
)
EXPECTED = "a label selector such as app=web,tier!=cache or env in (prod,staging)"


@dataclass(frozen=True)
class Requirement:
    key: str
    operator: str  # = != in notin exists !exists
    values: tuple[str, ...] = ()

    def matches(self, labels: Mapping[str, str]) -> bool:
        present = self.key in labels
        if self.operator == "exists":
            return present
        if self.operator == "!exists":
            return not present
        if self.operator in ("=", "in"):
            return present and labels[self.key] in self.values
        return not present or labels[self.key] not in self.values  # != and notin


@dataclass(frozen=True)
class Selector:
    source: str
    requirements: tuple[Requirement, ...]

    def matches(self, labels: Mapping[str, str] | None) -> bool:
        labels = labels or {}
        return all(r.matches(labels) for r in self.requirements)

    @property
    def keys(self) -> frozenset[str]:
        return frozenset(r.key for r in self.requirements)

    def __str__(self) -> str:
        return self.source


EVERYTHING = Selector("", ())


def parse_selector(text: str) -> Selector:
    """ValueError with the position of the first requirement that cannot be read."""
    if not text.strip():
        return EVERYTHING
    requirements = []
    position = 0
    for part in _split(text):
        match = _REQUIREMENT.fullmatch(part)
        if not match:
            raise ValueError(f"label selector {text!r}: cannot read {part.strip()!r} (at character {position + 1}); "
                             f"expected {EXPECTED}")
        if match.group("not"):
            requirements.append(Requirement(match.group("nkey"), "!exists"))
        elif match.group("op"):
            op = "!=" if match.group("op") == "!=" else "="
            requirements.append(Requirement(match.group("key"), op, (match.group("value"),)))
        elif match.group("set"):
            values = tuple(v.strip() for v in match.group("values").split(","))
            if not values or any(not re.fullmatch(_VALUE, v) or not v for v in values):
                raise ValueError(f"label selector {text!r}: the values in ({match.group('values')}) are not label "
                                 f"values; expected {EXPECTED}")
            requirements.append(Requirement(match.group("key"), match.group("set"), values))
        else:
            requirements.append(Requirement(match.group("key"), "exists"))
        position += len(part) + 1
    return Selector(text.strip(), tuple(requirements))


def _split(text: str) -> list[str]:
    """Split at commas outside parentheses."""
    parts, depth, current = [], 0, []
    for char in text:
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        if char == "," and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


def combine(*selectors: str | None) -> str:
    return ",".join(s.strip() for s in selectors if s and s.strip())
