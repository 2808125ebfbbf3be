"""Writes what the panes show, one asciicast per step and terminal pane, one event log (.jsonl, see
kubelog.py) per step and kube pane, redacted before it reaches disk.

It subscribes to the same events the UI and `flatdeck run` see. A step's casts are committed
(atomically replacing the previous take) only when the step passed; otherwise the previous
recording stays and the new take is kept beside it as `.partial` to look at.
"""

from __future__ import annotations

import datetime
import os
import time
from pathlib import Path
from typing import Callable

from tui import __version__
from tui.engine.events import Event, PaneOutput, PaneResized, ResourceEvents, StepFinished, StepStarted
from tui.engine.shell import current_line
from tui.kube.store import ADDED, ObjectStore
from tui.recording.asciicast import CastHeader, CastWriter
from tui.recording.kubelog import IDLE_TIME_LIMIT, KubeLogHeader, KubeLogWriter, redact_object
from tui.recording.redact import Redactor, StreamRedactor
from tui.recording.store import Manifest, StepRecord, cast_path
from tui.scenario.model import Scenario

TERM = "xterm-256color"


class TimedRedaction:
    """A pane's output through the stream redactor, keeping each chunk's own time when the text
    needed no redaction (so a replay still types a command out character by character); text
    that was redacted goes out at the time of its last chunk."""

    def __init__(self, redactor: Redactor):
        self.stream = StreamRedactor(redactor)
        self.chunks: list[tuple[float, str]] = []

    def feed(self, when: float, data: str) -> list[tuple[float, str]]:
        self.chunks.append((when, data))
        return self._take(self.stream.feed(data), self.stream.held)

    def flush(self) -> list[tuple[float, str]]:
        return self._take(self.stream.flush(), 0)

    def _take(self, safe: str, held: int) -> list[tuple[float, str]]:
        released_chars = sum(len(chunk) for _, chunk in self.chunks) - held
        released: list[tuple[float, str]] = []
        remaining: list[tuple[float, str]] = []
        count = 0
        for when, chunk in self.chunks:
            if count >= released_chars:
                remaining.append((when, chunk))
            elif count + len(chunk) <= released_chars:
                released.append((when, chunk))
                count += len(chunk)
            else:
                split = released_chars - count
                released.append((when, chunk[:split]))
                remaining.append((when, chunk[split:]))
                count = released_chars
        self.chunks = remaining
        if not released:
            return [(self.chunks[0][0], safe)] if safe else []
        if safe == "".join(chunk for _, chunk in released):
            return released  # nothing secret in it: the original timing stays
        return [(released[-1][0], safe)] if safe else []


class Recorder:
    def __init__(self, scenario: Scenario, root: Path, redactor: Redactor, lab: str,
                 pane_size: Callable[[str], tuple[int, int]], clock: Callable[[], float] = time.monotonic):
        self.scenario, self.root, self.redactor = scenario, root, redactor
        self.pane_size, self.clock = pane_size, clock
        self.folder = root / scenario.name
        self.manifest = Manifest.load(self.folder) or Manifest(scenario.name, scenario.title, "", lab, __version__)
        self.manifest.title, self.manifest.lab, self.manifest.flatdeck = scenario.title, lab, __version__
        self.manifest.recorded_at = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
        self.committed: list[Path] = []
        self.kept_partial: list[Path] = []
        self._tails: dict[str, str] = {}  # each pane's current line: the prompt a step starts from
        self._writers: dict[str, CastWriter | KubeLogWriter] = {}
        self._streams: dict[str, TimedRedaction] = {}
        self._kube_state: dict[str, ObjectStore] = {}  # what each kube pane holds, between steps too
        self._kube_query: dict[str, str] = {}
        self._step = None
        self._t0 = 0.0

    def __call__(self, event: Event) -> None:
        if isinstance(event, StepStarted):
            self._start(event)
        elif isinstance(event, PaneOutput):
            self._output(event.pane, event.data)
        elif isinstance(event, ResourceEvents):
            self._resources(event)
        elif isinstance(event, PaneResized):
            writer = self._writers.get(event.pane)
            if writer is not None:
                writer.resize(self._now(), event.cols, event.rows)
        elif isinstance(event, StepFinished):
            self._finish(event)

    def _now(self) -> float:
        return self.clock() - self._t0

    def _start(self, event: StepStarted) -> None:
        self._step = self.scenario.step(event.step_id)
        self._t0 = self.clock()
        if self._step.kube is not None:  # the pane starts over with what this step watches
            self._kube_state[self._step.pane_name] = ObjectStore()
            self._kube_query[self._step.pane_name] = self._step.kube.summary()
        if event.pane is not None and event.pane not in self.scenario.kube_panes:
            writer = self._open(event.pane, event.command)
            tail = self.redactor.redact_text(self._tails.get(event.pane, ""))
            if tail:
                writer.output(0.0, tail)  # the prompt the command is typed at

    def _open(self, pane: str, command: str | None) -> CastWriter:
        cols, rows = self.pane_size(pane)
        step = self._step
        header = CastHeader(
            width=cols, height=rows, version=2, timestamp=int(time.time()),
            title=self.redactor.redact_text(f"{self.scenario.title} — {step.label}"),
            command=self.redactor.redact_text(command) if command else None,
            env={"TERM": TERM, "SHELL": os.environ.get("SHELL", "/bin/bash")},
        )
        writer = CastWriter(cast_path(self.root, self.scenario, step, pane), header)
        writer.marker(0.0, f"start {step.id}")
        self._writers[pane] = writer
        self._streams[pane] = TimedRedaction(self.redactor)
        return writer

    def _output(self, pane: str, data: str) -> None:
        self._tails[pane] = current_line(self._tails.get(pane, ""), data)
        if self._step is None:
            return  # typed by hand between steps: not part of any step's recording
        writer = self._writers.get(pane)
        if writer is None:
            if not self._step.uses_pane:
                return  # a check or say step shows nothing in a pane: this is a late prompt, kept as the tail
            writer = self._open(pane, None)
        for when, text in self._streams[pane].feed(self._now(), data):
            writer.output(when, text)

    def _resources(self, event: ResourceEvents) -> None:
        """A kube pane's changes; a step's log starts with what the pane held when the step began."""
        state = self._kube_state.setdefault(event.pane, ObjectStore())
        before = state.snapshot() if self._step is not None and event.pane not in self._writers else None
        changes = state.replace([obj for _, obj in event.events]) if event.replace else state.apply_all(event.events)
        if self._step is None or not changes:
            return
        now = self._now()
        writer = self._writers.get(event.pane)
        if writer is None:
            header = KubeLogHeader(timestamp=round(time.time() - now, 3), pane=event.pane,
                                   query=self.redactor.redact_text(self._kube_query.get(event.pane, "")) or None,
                                   idle_time_limit=IDLE_TIME_LIMIT, snapshot=len(before or ()))
            writer = KubeLogWriter(cast_path(self.root, self.scenario, self._step, event.pane), header)
            self._writers[event.pane] = writer
            for obj in before or ():
                writer.event(0.0, ADDED, redact_object(self.redactor, obj))
        assert isinstance(writer, KubeLogWriter)
        for kind, obj in changes:
            writer.event(now, kind, redact_object(self.redactor, obj))

    def _finish(self, event: StepFinished) -> None:
        if self._step is None or self._step.id != event.step_id:
            return
        now = self._now()
        files = []
        for pane, writer in self._writers.items():
            if isinstance(writer, CastWriter):
                for when, text in self._streams[pane].flush():
                    writer.output(when, text)
                exit_text = "" if event.exit_code is None else f" (exit {event.exit_code})"
                writer.marker(now, f"end {event.step_id}: {event.status.value}{exit_text}")
            if event.status.ok:
                writer.commit()
                self.committed.append(writer.path)
                files.append(writer.path.name)
            else:
                writer.close()
                self.kept_partial.append(writer.path.with_name(writer.path.name + ".partial"))
        if event.status.ok or event.step_id not in self.manifest.steps:
            pane = self._step.pane_name if self._step.uses_pane else None
            self.manifest.steps[event.step_id] = StepRecord(event.step_id, pane, event.status.value, event.exit_code,
                                                            round(event.elapsed, 3), files)
        self.manifest.save(self.folder)
        self._writers.clear()
        self._streams.clear()
        self._step = None
