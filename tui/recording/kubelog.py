"""Kube pane recordings: JSON Lines of timed watch events, one file per step and pane.

    {"version": 1, "format": "flatdeck-kube-events", "timestamp": 1767225600.0, "pane": "machines",
     "query": "kubectl get machines -n default -w", "idle_time_limit": 2.0, "snapshot": 2}
    [0.0, "ADDED", {"apiVersion": "cluster.x-k8s.io/v1beta1", "kind": "Machine", "metadata": {…}, …}]
    [0.0, "ADDED", {…}]
    [41.27, "MODIFIED", {…}]
    [95.5, "DELETED", {…}]

The first line (optional for a reader) is a header: `timestamp` is the unix time of t = 0 (so a
replay shows the ages the objects had), `snapshot` says the first N events are the pane's whole
contents when the step began (a replay of that step alone starts from there), `idle_time_limit`
caps the pauses a replay waits (a cluster that took 20 minutes replays in under a minute).
Every other line is `[t, "ADDED"|"MODIFIED"|"DELETED", object]`, t in seconds since the start,
non-decreasing; objects are trimmed to what the views show and redacted before they are written.

Reading: an event type it does not know is ignored; a last line cut short (a writer killed
mid-line) is a warning; anything else invalid is a LoadError at file:line:column.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tui.errors import LoadError
from tui.recording.asciicast import _column, _describe, _finite, _incomplete, _json
from tui.recording.jsonlines import JsonLinesWriter, without_surrogates
from tui.recording.redact import Redactor
from tui.textfile import normalize, read_text

FORMAT = "flatdeck-kube-events"
VERSION = 1
SUFFIX = ".jsonl"
TYPES = ("ADDED", "MODIFIED", "DELETED")
IDLE_TIME_LIMIT = 2.0  # what the recorder writes: a replay never waits longer between two events
MAX_LOG_BYTES = 256 * 1024 * 1024


@dataclass
class KubeLogHeader:
    timestamp: float | None = None
    pane: str | None = None
    query: str | None = None
    idle_time_limit: float | None = None
    snapshot: int = 0
    version: int = VERSION


@dataclass(frozen=True)
class KubeLogEvent:
    time: float
    code: str  # ADDED | MODIFIED | DELETED
    data: dict  # the object


@dataclass
class KubeLog:
    path: Path
    header: KubeLogHeader
    events: list[KubeLogEvent]
    warnings: list[str] = field(default_factory=list)

    @property
    def duration(self) -> float:
        return self.events[-1].time if self.events else 0.0


# --- reading -----------------------------------------------------------------------------------

def read_kubelog(path: Path) -> KubeLog:
    return parse_kubelog(read_text(path, "kube event log", MAX_LOG_BYTES), path)


def parse_kubelog(text: str, path: Path = Path("recording.jsonl")) -> KubeLog:
    lines = normalize(text).split("\n")
    filled = [i for i, line in enumerate(lines) if line.strip()]
    log = KubeLog(path, KubeLogHeader(), [])
    if not filled:
        return log  # an empty log is a step during which the pane did not change
    last, clock = filled[-1], 0.0
    for position, i in enumerate(filled):
        line, number = lines[i], i + 1
        if i == last and line.lstrip().startswith(("[", "{")) and _incomplete(line):
            log.warnings.append(f"{path}:{number}: line {number} is incomplete; ignored")
            break
        value = _json(line, number, path)
        if position == 0 and isinstance(value, dict):
            log.header = _header(value, line, number, path)
            continue
        if not isinstance(value, list) or len(value) != 3:
            found = f"an array of {len(value)}" if isinstance(value, list) else _describe(value)
            raise LoadError.at(path, number, _column(line), f"{found}; expected an event [t, \"ADDED\"|\"MODIFIED\"|\"DELETED\", object]")
        when, code, obj = value
        if isinstance(when, bool) or not isinstance(when, (int, float)) or _finite(when) is None or when < 0:
            raise LoadError.at(path, number, _column(line, 0), f"the time is {_describe(when)}; expected seconds ≥ 0")
        if when < clock:
            raise LoadError.at(path, number, _column(line, 0),
                               f"time {when!r} is before the previous event's {clock!r}; expected non-decreasing times")
        clock = float(when)
        if not isinstance(code, str) or not code:
            raise LoadError.at(path, number, _column(line, 1), f"event type is {_describe(code)}; expected \"ADDED\", \"MODIFIED\" or \"DELETED\"")
        if code not in TYPES:
            continue  # a type from a later version: ignored, as asciicast readers ignore unknown codes
        if not isinstance(obj, dict) or not isinstance(obj.get("metadata"), dict) or not obj["metadata"].get("name"):
            raise LoadError.at(path, number, _column(line, 2),
                               f"the object is {_describe(obj) if not isinstance(obj, dict) else 'an object without metadata.name'}; "
                               f"expected a Kubernetes object with kind and metadata.name")
        log.events.append(KubeLogEvent(clock, code, obj))
    if log.header.snapshot > len(log.events):
        log.header.snapshot = len(log.events)
    return log


def _header(value: dict, line: str, number: int, path: Path) -> KubeLogHeader:
    def fail(message: str, *keys: str) -> LoadError:
        return LoadError.at(path, number, _column(line, *keys), message)

    if value.get("format") != FORMAT:
        raise fail(f"'format' is {_describe(value.get('format'))}; expected {FORMAT!r} (a flatdeck kube event log)",
                   *(("format",) if "format" in value else ()))
    version = value.get("version")
    if type(version) is not int or version < 1:
        raise fail(f"'version' is {_describe(version)}; expected 1", *(("version",) if "version" in value else ()))
    header = KubeLogHeader(version=version)
    for key, kinds in (("timestamp", (int, float)), ("idle_time_limit", (int, float)), ("pane", str), ("query", str)):
        found = value.get(key)
        if found is None:
            continue
        if isinstance(found, bool) or not isinstance(found, kinds) or (
                isinstance(found, (int, float)) and (_finite(found) is None or found < 0)):
            raise fail(f"{key!r} is {_describe(found)}; expected {'a string' if kinds is str else 'a number ≥ 0'}", key)
        setattr(header, key, float(found) if kinds is not str else found)
    snapshot = value.get("snapshot", 0)
    if isinstance(snapshot, bool) or not isinstance(snapshot, int) or snapshot < 0:
        raise fail(f"'snapshot' is {_describe(snapshot)}; expected a whole number ≥ 0", "snapshot")
    header.snapshot = snapshot
    return header


def final_text(log: KubeLog, query, width: int = 100) -> str:
    """The pane a log ends on, as text (the HTML export's picture of a kube step): its events
    played into the view that `query` (a tui.kube.query.KubeQuery) shows, laid out at `width`."""
    from tui.kube.table import TableView
    from tui.kube.tree import TreeView
    from tui.kube.view import render_text

    view = TreeView(query) if query.view == "tree" else TableView(query)
    snapshot = log.header.snapshot
    view.replace([e.data for e in log.events[:snapshot]])
    view.apply([(e.code, e.data) for e in log.events[snapshot:]])
    now = (log.header.timestamp or 0.0) + log.duration
    return "\n".join(render_text(view, width, now))


# --- writing -----------------------------------------------------------------------------------

def redact_object(redactor: Redactor, value: Any) -> Any:
    """Every string in the object through the redactor (names, messages, labels alike)."""
    if isinstance(value, str):
        return redactor.redact_text(value)
    if isinstance(value, dict):
        return {k: redact_object(redactor, v) for k, v in value.items()}
    if isinstance(value, list):
        return [redact_object(redactor, v) for v in value]
    return value


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return without_surrogates(value)
    if isinstance(value, dict):
        return {without_surrogates(str(k)): _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


class KubeLogWriter(JsonLinesWriter):
    """Header first, then `event()` per change; `commit()` makes PATH (see JsonLinesWriter)."""

    def __init__(self, path: Path, header: KubeLogHeader):
        self._last = 0.0
        first: dict[str, Any] = {"version": VERSION, "format": FORMAT}
        for key in ("timestamp", "pane", "query", "idle_time_limit"):
            if getattr(header, key) is not None:
                first[key] = getattr(header, key)
        first["snapshot"] = header.snapshot
        super().__init__(path, first)

    def event(self, time: float, code: str, obj: dict) -> None:
        if code not in TYPES:
            raise ValueError(f"event type {code!r}; expected one of {TYPES}")
        if not math.isfinite(time):
            raise ValueError(f"event time {time!r}; expected a finite number of seconds")
        self._last = max(round(float(time), 6), self._last)
        self._line([self._last, code, _clean(obj)])
