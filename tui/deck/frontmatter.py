"""The YAML block at the top of a deck: title, sub_title, author(s), event, date, theme…"""

from __future__ import annotations

import datetime
from pathlib import Path

from tui.deck.duration import EXPECTED as DURATION_EXPECTED
from tui.deck.duration import parse_duration
from tui.deck.model import THEMES, FrontMatter
from tui.errors import LoadError, LocatedError, Location
from tui.yamltext import compose_yaml, line_column, load_yaml

_TEXT_KEYS = ("title", "sub_title", "event", "location", "date", "speaker_note")
KEYS = (*_TEXT_KEYS, "author", "authors", "theme", "time")


def split_front_matter(text: str, path: Path) -> tuple[str | None, str, int]:
    """Return (yaml text or None, the rest, line number where the rest starts)."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        return None, text, 1
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            return "\n".join(lines[1:index]), "\n".join(lines[index + 1 :]), index + 2
    raise LoadError.at(path, 1, 1, "front matter opened here is never closed; expected a line '---' after it")


def parse_front_matter(yaml_text: str, path: Path) -> FrontMatter:
    data = load_yaml(yaml_text, path, first_line=2)
    if data is None:
        return FrontMatter()
    if not isinstance(data, dict):
        raise LoadError([LocatedError(Location(path, 1, 1), f"front matter is a {type(data).__name__}; expected a mapping of {', '.join(KEYS)}")])
    # (where, message): where is a key's value, or (key, "key") for the key itself; located only if any
    problems: list[tuple[object, str]] = []
    values: dict = {}
    for key, value in data.items():
        if key not in KEYS:
            problems.append(((str(key), "key"), f"unknown front matter key {key!r}; expected one of: {', '.join(KEYS)}"))
        elif key in _TEXT_KEYS:
            if isinstance(value, (datetime.date, int, float)) and not isinstance(value, bool):
                value = value.isoformat() if isinstance(value, datetime.date) else str(value)
            if not isinstance(value, str):
                problems.append((key, f"front matter {key!r} is a {type(value).__name__}; expected text"))
            else:
                values[key] = value.strip()
        elif key in ("author", "authors"):
            names = [value] if isinstance(value, str) else value
            if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
                problems.append((key, f"front matter {key!r}: expected a name or a list of names"))
            else:
                values["authors"] = values.get("authors", ()) + tuple(n.strip() for n in names)
        elif key == "theme":
            if value not in THEMES:
                problems.append((key, f"front matter theme {value!r}; expected one of: {', '.join(THEMES)}"))
            else:
                values["theme"] = value
        elif key == "time":
            seconds = parse_duration(str(value)) if isinstance(value, str) else None
            if seconds is None or seconds <= 0:  # as for `<!-- time: … -->`, a zero budget is a slip
                problems.append((key, f"front matter time {value!r}; expected {DURATION_EXPECTED}"))
            else:
                values["time"] = seconds
    if problems:
        where = _locations(yaml_text, path)
        raise LoadError([LocatedError(where.get(at, Location(path, 1, 1)), message) for at, message in problems])
    return FrontMatter(**values)


def _locations(yaml_text: str, path: Path) -> dict:
    """Where each key's value starts in the file (under the key), and each key itself (under
    (key, "key")); the YAML text starts on line 2."""
    node = compose_yaml(yaml_text, path)
    found: dict = {}
    for key, value in node.value if node is not None and node.tag.endswith(":map") else ():
        for name, mark in ((str(key.value), value.start_mark), ((str(key.value), "key"), key.start_mark)):
            line, column = line_column(yaml_text, mark.index)
            found.setdefault(name, Location(path, line + 1, column))
    return found
