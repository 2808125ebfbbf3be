"""YAML parsing that turns every failure into a located error (file:line:col)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from tui.errors import LoadError

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text: str, path: Path, first_line: int = 1, column_offset: int = 0) -> Any:
    """Parse `text`, which starts at line `first_line` of `path`; raise LoadError on any problem."""
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - a safe loader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        # count from the character index: libyaml puts the end of the stream on a line past the text
        index = min(mark.index, len(text)) if mark else 0
        row = text.count("\n", 0, index)
        line = first_line + row
        column = (index - (text.rfind("\n", 0, index) + 1) + 1 + (column_offset if row == 0 else 0)) if mark else 0
        problem = exc.problem or exc.context or "invalid YAML"
        raise LoadError.at(path, line, column, f"invalid YAML: {problem}") from None
    except (yaml.YAMLError, ValueError, TypeError, OverflowError, RecursionError) as exc:
        # e.g. a date like 2024-13-45 makes the constructor raise ValueError
        raise LoadError.at(path, first_line, 0, f"invalid YAML: {exc}") from None
