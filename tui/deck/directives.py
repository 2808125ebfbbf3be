"""HTML-comment directives (presenterm style): `<!-- pause -->`, `<!-- time: 2m -->`, …"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tui.deck.duration import EXPECTED as DURATION_EXPECTED
from tui.deck.duration import parse_duration
from tui.errors import LoadError
from tui.yamltext import load_yaml

BARE = ("pause", "reset_layout", "end_slide")
VALUED = ("speaker_note", "column_layout", "column", "demo", "time")
KNOWN = BARE + VALUED
MAX_COLUMNS = 6
_COMMENT = re.compile(r"<!--(.*?)-->", re.DOTALL)
_KEY = re.compile(r"([A-Za-z_][\w-]*)\s*:")
_NAME = re.compile(r"[a-z0-9][a-z0-9_-]*")


@dataclass(frozen=True)
class Directive:
    name: str
    value: Any
    line: int
    column: int


def comments_in(html: str) -> list[tuple[str, int]]:
    """Every comment body in a piece of HTML, with the offset of its `<!--`."""
    return [(m.group(1), m.start()) for m in _COMMENT.finditer(html)]


def comments_only(html: str) -> list[tuple[str, int]] | None:
    """The comments in an HTML block with their offsets, or None if it holds anything else."""
    found = comments_in(html)
    if not found or _COMMENT.sub("", html).strip():
        return None
    return found


def is_free_comment(body: str) -> bool:
    """`<!-- // a note to self -->` is a comment, not a directive."""
    return body.strip().startswith("//")


def parse_directive(body: str, path: Path, line: int, column: int) -> Directive | None:
    """Parse one comment body at `line`/`column` (of `<!--`); None for a free comment."""
    if is_free_comment(body):
        return None
    text = body.strip()
    lead = body[: len(body) - len(body.lstrip())] if text else ""  # an empty comment is found at its `<!--`
    key_line = line + lead.count("\n")
    # after a line break the key's column counts from the start of its own line
    key_column = len(lead) - lead.rfind("\n") if "\n" in lead else column + 4 + len(lead)
    if text in BARE:
        return Directive(text, None, key_line, key_column)
    match = _KEY.match(text)
    name = match.group(1) if match else text.split()[0] if text else ""
    if name not in KNOWN:
        expected = ", ".join(KNOWN)
        if not name:
            raise LoadError.at(path, key_line, key_column, f"empty comment; expected a directive ({expected}) or a comment '<!-- // text -->'")
        raise LoadError.at(
            path, key_line, key_column,
            f"unknown directive {name!r}; expected one of: {expected} (write '<!-- // text -->' for a plain comment)",
        )
    if name in BARE:
        raise LoadError.at(path, key_line, key_column, f"directive {name!r} takes no value; expected '<!-- {name} -->'")
    if not match:
        raise LoadError.at(path, key_line, key_column, f"directive {name!r} needs a value; expected '<!-- {name}: … -->'")
    raw = text[match.end() :]
    value_column = key_column + match.end()
    value = _value(name, raw, path, key_line, value_column)
    return Directive(name, value, key_line, key_column)


def _value(name: str, raw: str, path: Path, line: int, column: int) -> Any:
    if name == "speaker_note":
        return _note(raw, path, line, column)
    value = load_yaml(raw, path, first_line=line, column_offset=column - 1) if raw.strip() else None
    at = column + len(raw) - len(raw.lstrip(" \t"))  # point at the value, not the space before it
    fail = lambda expected: LoadError.at(path, line, at, f"{name}: got {raw.strip()!r}; expected {expected}")  # noqa: E731
    if name == "column_layout":
        if not (isinstance(value, list) and 1 <= len(value) <= MAX_COLUMNS
                and all(isinstance(w, int) and not isinstance(w, bool) and 1 <= w <= 100 for w in value)):
            raise fail(f"a list of 1 to {MAX_COLUMNS} positive widths like [3, 2]")
        return tuple(value)
    if name == "column":
        if not (isinstance(value, int) and not isinstance(value, bool) and value >= 0):
            raise fail("a column index like 0 or 1")
        return value
    if name == "demo":
        value = raw.strip()  # verbatim: YAML would read `2024`, `yes` or `null` as a number, a bool, nothing
        if not _NAME.fullmatch(value):
            raise fail("a scenario name of lowercase letters, digits, '-' and '_' (the file scenarios/NAME.yaml)")
        return value
    # time
    seconds = parse_duration(value) if isinstance(value, str) else None
    if seconds is None or seconds <= 0:
        raise fail(DURATION_EXPECTED)
    return seconds


def _note(raw: str, path: Path, line: int, column: int) -> str:
    stripped = raw.strip()
    if stripped[:1] in ("|", ">"):
        # the YAML block form: `speaker_note: |` then indented lines
        # the YAML text starts len("speaker_note:") columns before the value
        value = load_yaml("speaker_note:" + raw, path, first_line=line, column_offset=column - 1 - len("speaker_note:"))
        note = value.get("speaker_note") if isinstance(value, dict) else None
        if not isinstance(note, str) or not note.strip():  # `|` with nothing indented under it
            raise LoadError.at(path, line, column, "speaker_note: expected text after the block indicator")
        return note.strip()
    if not stripped:
        raise LoadError.at(path, line, column, "speaker_note is empty; expected the note's text")
    first, _, rest = raw.partition("\n")
    return (first.strip() + ("\n" + textwrap.dedent(rest) if rest.strip() else "")).strip()
