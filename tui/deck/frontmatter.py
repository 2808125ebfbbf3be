"""The YAML block at the top of a deck: title, sub_title, author(s), event, date, theme…"""

from __future__ import annotations

import datetime
from pathlib import Path

from tui.deck.duration import EXPECTED as DURATION_EXPECTED
from tui.deck.duration import parse_duration
from tui.deck.model import THEMES, FrontMatter
from tui.errors import LoadError, LocatedError, Location
from tui.yamltext import load_yaml

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
    where = Location(path, 1, 1)
    if not isinstance(data, dict):
        raise LoadError([LocatedError(where, f"front matter is a {type(data).__name__}; expected a mapping of {', '.join(KEYS)}")])
    errors: list[LocatedError] = []
    values: dict = {}
    for key, value in data.items():
        if key not in KEYS:
            errors.append(LocatedError(where, f"unknown front matter key {key!r}; expected one of: {', '.join(KEYS)}"))
        elif key in _TEXT_KEYS:
            if isinstance(value, (datetime.date, int, float)) and not isinstance(value, bool):
                value = value.isoformat() if isinstance(value, datetime.date) else str(value)
            if not isinstance(value, str):
                errors.append(LocatedError(where, f"front matter {key!r} is a {type(value).__name__}; expected text"))
            else:
                values[key] = value.strip()
        elif key in ("author", "authors"):
            names = [value] if isinstance(value, str) else value
            if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
                errors.append(LocatedError(where, f"front matter {key!r}: expected a name or a list of names"))
            else:
                values["authors"] = values.get("authors", ()) + tuple(n.strip() for n in names)
        elif key == "theme":
            if value not in THEMES:
                errors.append(LocatedError(where, f"front matter theme {value!r}; expected one of: {', '.join(THEMES)}"))
            else:
                values["theme"] = value
        elif key == "time":
            seconds = parse_duration(str(value)) if isinstance(value, str) else None
            if seconds is None or seconds <= 0:  # as for `<!-- time: … -->`, a zero budget is a slip
                errors.append(LocatedError(where, f"front matter time {value!r}; expected {DURATION_EXPECTED}"))
            else:
                values["time"] = seconds
    if errors:
        raise LoadError(errors)
    return FrontMatter(**values)
