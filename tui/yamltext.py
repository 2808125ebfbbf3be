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
    except Exception as exc:
        raise _located(exc, text, path, first_line, column_offset) from None


def compose_yaml(text: str, path: Path) -> yaml.Node | None:
    """Parse `text` to a node tree without building Python objects, so every node keeps its
    position (`start_mark.index`) for located errors; None for an empty document."""
    try:
        return yaml.compose(text, Loader=_Loader)
    except Exception as exc:
        raise _located(exc, text, path, 1, 0) from None


def line_column(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of character `index`, counting only `\n` as a line end, as editors
    do (libyaml also breaks lines at U+2028 and U+0085, so its own mark.line can disagree)."""
    index = max(0, min(index, len(text)))  # libyaml may put the end of the stream past the text
    return text.count("\n", 0, index) + 1, index - (text.rfind("\n", 0, index) + 1) + 1


def _located(exc: Exception, text: str, path: Path, first_line: int, column_offset: int) -> Exception:
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        if not mark:
            return LoadError.at(path, first_line, 0, f"invalid YAML: {problem}")
        row, column = line_column(text, mark.index)
        column += column_offset if row == 1 else 0
        return LoadError.at(path, first_line + row - 1, column, f"invalid YAML: {problem}")
    if isinstance(exc, yaml.reader.ReaderError) and isinstance(exc.character, (int, str)):
        # a character YAML refuses (a control character); libyaml gives it as an int and its position
        # in UTF-8 bytes, so find it in the text instead: the first one is the one that stopped it
        code = ord(exc.character) if isinstance(exc.character, str) else exc.character
        index = text.find(chr(code))
        row, column = line_column(text, index if index >= 0 else exc.position)
        column += column_offset if row == 1 else 0
        return LoadError.at(path, first_line + row - 1, column, f"invalid YAML: {exc.reason} (U+{code:04X})")
    if isinstance(exc, (yaml.YAMLError, ValueError, TypeError, OverflowError, RecursionError)):
        # e.g. a date like 2024-13-45 makes the constructor raise ValueError
        return LoadError.at(path, first_line, 0, f"invalid YAML: {exc}")
    return exc
