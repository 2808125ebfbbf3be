"""asciicast v2/v3 reading and crash-safe v2 writing (docs.asciinema.org, manual/asciicast).

Reading: every event time becomes absolute seconds since the start (v3 stores intervals). Known
codes are "o" output, "i" input, "m" marker, "r" resize and "x" exit status; they are kept in
`Cast.events` in file order. Events with any other code are dropped after their time is checked:
the time is the format's shared clock (a v3 interval moves it), only the data is the code's own.
A last line cut short (a writer killed mid-line) is a warning; every other flaw is a LoadError at
file:line:column, and nothing else ever escapes from the reader.

Writing: `CastWriter` writes v2 (what `asciinema play` 2.x reads) to PATH.partial, one whole line
per os.write, and only `commit()` renames it over PATH, so a failed re-record never touches the
recording that was there before (tui/recording/jsonlines.py).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tui.errors import LoadError
from tui.recording.jsonlines import JsonLinesWriter, without_surrogates
from tui.textfile import normalize, read_text

KNOWN_CODES = frozenset("oimrx")
_RESIZE = re.compile(r"([1-9][0-9]{0,5})x([1-9][0-9]{0,5})")
_STATUS = re.compile(r"\s*(-?[0-9]{1,10})\s*")
_DECODER = json.JSONDecoder()
_JSON_SPACE = " \t\n\r"


@dataclass
class CastHeader:
    width: int
    height: int
    version: int = 2
    timestamp: int | None = None
    title: str | None = None
    command: str | None = None
    idle_time_limit: float | None = None
    env: dict[str, str] = field(default_factory=dict)
    theme: dict | None = None


@dataclass(frozen=True)
class CastEvent:
    time: float  # seconds since the start, also for v3 files
    code: str
    data: str


@dataclass
class Cast:
    path: Path
    header: CastHeader
    events: list[CastEvent]
    warnings: list[str] = field(default_factory=list)
    exit_status: int | None = None  # from the last "x" event, if any

    @property
    def duration(self) -> float:
        return self.events[-1].time if self.events else 0.0

    @property
    def markers(self) -> list[tuple[float, str]]:
        return [(e.time, e.data) for e in self.events if e.code == "m"]

    def output_text(self) -> str:
        return "".join(e.data for e in self.events if e.code == "o")


# --- reading -----------------------------------------------------------------------------------


MAX_CAST_BYTES = 256 * 1024 * 1024  # a long recording of a chatty demo is tens of MB: allowed; a disk image is not


def read_cast(path: Path) -> Cast:
    return parse_cast(read_text(path, "asciicast", MAX_CAST_BYTES), path)


def parse_cast(text: str, path: Path = Path("recording.cast")) -> Cast:
    lines = normalize(text).split("\n")
    filled = [i for i, line in enumerate(lines) if line.strip()]
    if not filled:
        raise LoadError.at(path, 1, 1, 'the file is empty; expected an asciicast header line {"version": 2, "width": …, "height": …}')
    first, last = filled[0], filled[-1]
    header = _header(_json(lines[first], first + 1, path), lines[first], first + 1, path)
    cast = Cast(path, header, [])
    clock = 0.0
    for i in filled[1:]:
        line, number = lines[i], i + 1
        if line.startswith("#") and header.version == 3:
            continue  # a v3 comment
        if i == last and line.lstrip().startswith("[") and _incomplete(line):
            cast.warnings.append(f"{path}:{number}: line {number} is incomplete; ignored")
            break
        if line.startswith("#"):
            raise LoadError.at(path, number, 1, "a '#' comment; expected an event [time, code, data] (comments are asciicast v3 only)")
        event = _json(line, number, path)
        if not isinstance(event, list) or len(event) != 3:
            found = f"an array of {len(event)}" if isinstance(event, list) else _describe(event)
            raise LoadError.at(path, number, _column(line), f"{found}; expected an event [time, code, data]")
        try:
            clock = _time(event[0], clock, header.version)
        except ValueError as exc:
            raise LoadError.at(path, number, _column(line, 0), str(exc)) from None
        code, data = event[1], event[2]
        if not isinstance(code, str) or not code:
            raise LoadError.at(path, number, _column(line, 1), f"event code is {_describe(code)}; expected a string such as \"o\"")
        if code not in KNOWN_CODES:
            continue
        if not isinstance(data, str):
            raise LoadError.at(path, number, _column(line, 2), f"{code!r} event data is {_describe(data)}; expected a string")
        if code == "r" and not _RESIZE.fullmatch(data):
            raise LoadError.at(path, number, _column(line, 2), f"resize to {_quote(data)}; expected \"COLSxROWS\" such as \"80x24\"")
        if code == "x":
            status = _STATUS.fullmatch(data)
            if not status:
                raise LoadError.at(path, number, _column(line, 2), f"exit status {_quote(data)}; expected a whole number as a string such as \"0\"")
            cast.exit_status = int(status.group(1))
        cast.events.append(CastEvent(clock, code, data))
    return cast


def _incomplete(line: str) -> bool:
    """A line that is not valid JSON: the tail of a file whose writer stopped mid-line."""
    try:
        json.loads(line)
    except json.JSONDecodeError:
        return True
    except (ValueError, RecursionError):  # complete, but beyond what can be read: an error
        return False
    return False


def _json(line: str, number: int, path: Path) -> Any:
    try:
        return json.loads(line)
    except json.JSONDecodeError as exc:
        raise LoadError.at(path, number, exc.colno, f"invalid JSON ({exc.msg}); expected one JSON value per line") from None
    except (ValueError, RecursionError) as exc:  # e.g. an integer of 5000 digits, arrays nested 10000 deep
        what = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
        raise LoadError.at(path, number, 1, f"JSON that cannot be read ({what}); expected one JSON value per line") from None


def _time(value: Any, clock: float, version: int) -> float:
    """The event's absolute time: v2 stores it, v3 stores the interval since the previous event."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"the time is {_describe(value)}; expected a number of seconds")
    seconds = _finite(value)
    if seconds is None:
        raise ValueError(f"the time is {_describe(value)}; expected a finite number of seconds")
    if seconds < 0:
        what = "interval" if version == 3 else "time"
        raise ValueError(f"{what} {seconds!r} is negative; expected seconds ≥ 0")
    if version == 3:
        return round(clock + seconds, 6)
    if seconds < clock:
        raise ValueError(f"time {seconds!r} is before the previous event's {clock!r}; expected non-decreasing times")
    return seconds


def _finite(value: int | float) -> float | None:
    try:
        number = float(value)
    except OverflowError:  # an integer beyond any float
        return None
    return number if math.isfinite(number) else None


def _header(value: Any, line: str, number: int, path: Path) -> CastHeader:
    def fail(message: str, *keys: str | int) -> LoadError:
        return LoadError.at(path, number, _column(line, *keys), message)

    if not isinstance(value, dict):
        raise fail(f"the header is {_describe(value)}; expected a JSON object {{\"version\": 2, \"width\": …, \"height\": …}}")
    version = value.get("version")
    if type(version) is not int or version not in (2, 3):
        found = f"'version' is {_describe(version)}" if "version" in value else "no 'version'"
        raise fail(f"{found}; expected asciicast version 2 or 3", *(("version",) if "version" in value else ()))
    if version == 3:
        term = value.get("term")
        if "term" not in value:
            raise fail("a version 3 header without 'term'; expected \"term\": {\"cols\": …, \"rows\": …}")
        if not isinstance(term, dict):
            raise fail(f"'term' is {_describe(term)}; expected an object {{\"cols\": …, \"rows\": …}}", "term")
        size, keys, prefix = term, ("cols", "rows"), ("term",)
    else:
        size, keys, prefix = value, ("width", "height"), ()
    width, height = (_size(size, key, prefix, fail) for key in keys)
    theme = value.get("theme") if version == 2 else term.get("theme")
    if theme is not None and not isinstance(theme, dict):
        raise fail(f"'theme' is {_describe(theme)}; expected an object {{\"fg\", \"bg\", \"palette\"}}", *prefix, "theme")
    env = value.get("env")
    if env is not None and not isinstance(env, dict):
        raise fail(f"'env' is {_describe(env)}; expected an object of strings", "env")
    # asciinema writes null for an unset variable: those are left out, not an error
    env = {k: v for k, v in (env or {}).items() if isinstance(v, str)}
    if version == 3 and isinstance(term.get("type"), str):
        env.setdefault("TERM", term["type"])  # v3 moved TERM out of env into term.type
    timestamp = _optional(value, "timestamp", (int, float), "a number (unix seconds)", fail)
    if isinstance(timestamp, float) and _finite(timestamp) is None:
        raise fail(f"'timestamp' is {timestamp!r}; expected unix seconds", "timestamp")
    limit = _optional(value, "idle_time_limit", (int, float), "a number of seconds", fail)
    if limit is not None and not (_finite(limit) is not None and limit >= 0):
        raise fail(f"'idle_time_limit' is {_describe(limit)}; expected seconds ≥ 0", "idle_time_limit")
    return CastHeader(
        width=width, height=height, version=version,
        timestamp=None if timestamp is None else int(timestamp),
        title=_optional(value, "title", str, "a string", fail),
        command=_optional(value, "command", str, "a string", fail),
        idle_time_limit=None if limit is None else float(limit),
        env=env, theme=theme,
    )


def _size(obj: dict, key: str, prefix: tuple, fail) -> int:
    number = obj.get(key)
    if isinstance(number, bool) or not isinstance(number, int) or not 1 <= number <= 100_000:
        found = f"{key!r} is {_describe(number)}" if key in obj else f"no {key!r}"
        where = (*prefix, key) if key in obj else prefix
        raise fail(f"{found}; expected {key} as a whole number from 1 to 100000", *where)
    return number


def _optional(obj: dict, key: str, kinds, expected: str, fail) -> Any:
    found = obj.get(key)
    if found is not None and (isinstance(found, bool) or not isinstance(found, kinds)):
        raise fail(f"{key!r} is {_describe(found)}; expected {expected}", key)
    return found


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"the boolean {'true' if value else 'false'}"
    if isinstance(value, (int, float)):
        return f"the number {value!r}" if len(repr(value)) < 40 else "a number"
    if isinstance(value, str):
        return f"the string {_quote(value)}"
    return "an array" if isinstance(value, list) else "an object"


def _quote(text: str) -> str:
    return repr(text) if len(text) <= 40 else repr(text[:40]) + "…"


def _column(line: str, *path: str | int) -> int:
    """1-based column of the JSON value at `path` (object keys, array indexes) in a line that is
    valid JSON; where a step cannot be found, the column of the deepest value found so far."""
    at = _skip(line, 0)
    try:
        for step in path:
            found = None
            if line[at] == "{":
                i = _skip(line, at + 1)
                while line[i] != "}":
                    key, i = _DECODER.raw_decode(line, i)
                    i = _skip(line, _skip(line, i) + 1)  # past the ':'
                    if key == step:
                        found = i  # keep going: with a duplicate key, json.loads keeps the last
                    i = _skip(line, _DECODER.raw_decode(line, i)[1])
                    i = _skip(line, i + 1) if line[i] == "," else i
            elif line[at] == "[":
                i, index = _skip(line, at + 1), 0
                while line[i] != "]" and found is None:
                    if index == step:
                        found = i
                    i = _skip(line, _DECODER.raw_decode(line, i)[1])
                    i = _skip(line, i + 1) if line[i] == "," else i
                    index += 1
            if found is None:
                break
            at = found
    except (IndexError, ValueError, RecursionError):
        pass
    return min(at, len(line)) + 1


def _skip(line: str, i: int) -> int:
    while i < len(line) and line[i] in _JSON_SPACE:
        i += 1
    return i


# --- writing -----------------------------------------------------------------------------------


class CastWriter(JsonLinesWriter):
    """Write an asciicast v2 recording to PATH.partial; `commit()` makes it PATH.

    Every call appends one whole JSON line with a single os.write (see JsonLinesWriter), so a
    writer killed at any moment leaves a file that asciinema and `read_cast` both accept.
    """

    def __init__(self, path: Path, header: CastHeader):
        self._last = 0.0
        super().__init__(path, _header_object(header))

    def output(self, time: float, data: str) -> None:
        self._event(time, "o", data)

    def marker(self, time: float, label: str = "") -> None:
        self._event(time, "m", label)

    def resize(self, time: float, cols: int, rows: int) -> None:
        if not (isinstance(cols, int) and isinstance(rows, int) and cols >= 1 and rows >= 1):
            raise ValueError(f"resize to {cols!r}x{rows!r}; expected whole numbers ≥ 1")
        self._event(time, "r", f"{cols}x{rows}")

    def _event(self, time: float, code: str, data: str) -> None:
        if not math.isfinite(time):
            raise ValueError(f"event time {time!r}; expected a finite number of seconds")
        # microseconds as asciinema writes them; an earlier time (clock jitter) is clamped so that
        # the file stays valid: players require non-decreasing times
        self._last = max(round(float(time), 6), self._last)
        self._line([self._last, code, without_surrogates(data)])


def _header_object(header: CastHeader) -> dict[str, Any]:
    """asciinema's own field order; only SHELL and TERM of the environment (anything else in it
    could be a secret), and optional fields only when they are set."""
    obj: dict[str, Any] = {"version": 2, "width": header.width, "height": header.height}
    if header.timestamp is not None:
        obj["timestamp"] = int(header.timestamp)
    if header.idle_time_limit is not None:
        obj["idle_time_limit"] = header.idle_time_limit
    if header.command is not None:
        obj["command"] = header.command
    if header.title is not None:
        obj["title"] = header.title
    obj["env"] = {k: header.env[k] for k in ("SHELL", "TERM") if k in header.env}
    if header.theme is not None:
        obj["theme"] = header.theme
    return obj
