"""`{{ name }}` placeholders in commands, filled from the lab inventory, always shell-quoted.

Only `{{ word }}` is a placeholder; braces around anything else (`{{.State.Status}}` in a
`docker inspect --format`) are left alone for the command's own use.

Quoting makes a value one inert word for the shell that reads the step's command. A program that
parses its arguments as shell code again (`eval`, `sh -c`, `ssh host CMD`) will still run what is
in the value: that is what such a program is for, so a scenario should not hand it a placeholder.
"""

from __future__ import annotations

import re
import shlex
from typing import TYPE_CHECKING, Mapping

from tui.scenario.shellcontext import context_of, quoted_spans

if TYPE_CHECKING:
    from tui.scenario.model import Scenario

VAR_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# a little wider than VAR_NAME, so `{{ node-ip }}` is reported as undeclared, not run literally
PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_.-]*)\s*\}\}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def placeholders(text: str) -> list[str]:
    """Names used in `text`, in order of first use."""
    return list(dict.fromkeys(m.group(1) for m in PLACEHOLDER.finditer(text)))


def control_character(value: str) -> str | None:
    """The first control character in `value`, as U+XXXX. Typed into a terminal, ^C, ^U or a tab
    act on the line even inside quotes, so a value carrying one is not inert."""
    match = _CONTROL.search(value)
    return f"U+{ord(match.group()):04X}" if match else None


def substitute(text: str, values: Mapping[str, str]) -> str:
    """`text` with every placeholder replaced by its shell-quoted value (KeyError when one has none)."""

    def quoted(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            raise KeyError(f"no value for placeholder {{{{ {name} }}}}")
        bad = control_character(values[name])
        if bad:
            raise ValueError(f"the value of {name!r} contains the control character {bad}")
        return shlex.quote(values[name])

    return PLACEHOLDER.sub(quoted, text)


def fill(text: str, values: Mapping[str, str]) -> str:
    """`text` with every placeholder replaced by its value as it is (no shell reads it: a value a
    kube wait compares with); KeyError when one has none."""

    def value(match: re.Match[str]) -> str:
        if match.group(1) not in values:
            raise KeyError(f"no value for placeholder {{{{ {match.group(1)} }}}}")
        return values[match.group(1)]

    return PLACEHOLDER.sub(value, text)


def undeclared(text: str, declared: Mapping[str, object]) -> list[str]:
    """A message for each placeholder in `text` that names no declared variable."""
    known = ", ".join(declared) or "none"
    return [f"placeholder {{{{ {name} }}}} names no variable declared under 'vars' (declared: {known}); "
            f"expected a declared name" for name in placeholders(text) if name not in declared]


def shown_command(command: str, values: Mapping[str, str]) -> str:
    """The command as a replay shows it: substituted where the values are known, else with its
    placeholders (a value only the presenter's lab has)."""
    try:
        return substitute(command, values)
    except (KeyError, ValueError):
        return command


def placeholder_problems(command: str, declared: Mapping[str, object]) -> list[str]:
    """What is wrong with the placeholders of one command: undeclared names, unsafe places."""
    problems: list[str] = undeclared(command, declared)
    spans = quoted_spans(command) if "{{" in command else []
    for match in PLACEHOLDER.finditer(command):
        name = match.group(1)
        where = context_of(spans, match.start())
        if where:
            problems.append(f"placeholder {{{{ {name} }}}} is {where}; expected it outside quotes "
                            f"(its value is shell-quoted for you)")
    return problems


def values_for(scenario: Scenario, inventory_vars: Mapping[str, str]) -> dict[str, str]:
    """The value of every declared variable that has one: the lab's wins over the scenario's default."""
    values = {name: inventory_vars.get(name, default) for name, default in scenario.vars.items()}
    return {name: value for name, value in values.items() if value is not None}


def missing_values(scenario: Scenario, inventory_vars: Mapping[str, str]) -> list[str]:
    """Declared variables without a default that the lab inventory does not give either."""
    return [name for name, default in scenario.vars.items() if default is None and name not in inventory_vars]
