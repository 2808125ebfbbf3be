"""Typed events the engine publishes; the UI, the recorder and `flatdeck run` subscribe to them."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Callable, Union


class StepStatus(enum.Enum):
    PENDING = "pending"
    RUNNING = "running"
    PASSED = "passed"
    FAILED = "failed"
    TIMED_OUT = "timed out"
    INTERRUPTED = "interrupted"
    SKIPPED = "skipped"
    SHOWN = "shown"  # replay with no recording: the command was shown, nothing ran

    @property
    def done(self) -> bool:
        return self not in (StepStatus.PENDING, StepStatus.RUNNING)

    @property
    def ok(self) -> bool:
        return self in (StepStatus.PASSED, StepStatus.SKIPPED, StepStatus.SHOWN)


@dataclass(frozen=True)
class PaneOpened:
    pane: str
    target: str
    cols: int
    rows: int


@dataclass(frozen=True)
class PaneOutput:
    pane: str
    data: str  # decoded text, escape sequences included


@dataclass(frozen=True)
class PaneResized:
    pane: str
    cols: int
    rows: int


@dataclass(frozen=True)
class PaneClosed:
    pane: str
    reason: str


@dataclass(frozen=True)
class StepStarted:
    step_id: str
    pane: str | None
    command: str | None  # after variable substitution


@dataclass(frozen=True)
class StepFinished:
    step_id: str
    status: StepStatus
    exit_code: int | None
    elapsed: float
    message: str = ""
    output: str = ""  # what a check printed (self-guided mode shows it); empty for other steps


@dataclass(frozen=True)
class Resumed:
    """Self-guided mode: this demo's earlier progress was restored into a fresh shell."""

    done: tuple[str, ...]  # ids of the main steps done in an earlier run
    total: int  # main steps in the scenario
    next_step: str | None  # what Enter runs next (after the setup steps)
    has_setup: bool


@dataclass(frozen=True)
class Narration:
    step_id: str
    text: str


@dataclass(frozen=True)
class ModeChanged:
    """The demo's badge: LIVE, REPLAY, REC or FALLBACK (auto mode switches per step)."""

    badge: str


@dataclass(frozen=True)
class ConnectionLost:
    pane: str
    reason: str


@dataclass(frozen=True)
class ConnectionRestored:
    pane: str


@dataclass(frozen=True)
class ResourceEvents:
    """Watch events for a kube pane, in order: (ADDED | MODIFIED | DELETED, trimmed object) pairs.
    With `replace`, the objects are the pane's whole contents (a replay's starting state)."""

    pane: str
    events: tuple[tuple[str, dict], ...]
    replace: bool = False
    at: float | None = None  # the unix time the objects describe (a replay's); None: now


@dataclass(frozen=True)
class PaneNotice:
    """A line for a kube pane: an API error, a reconnect, what a replay without recording would watch.
    An empty text clears the notice."""

    pane: str
    text: str
    severity: str = "info"  # info | warning | error


@dataclass(frozen=True)
class StepProgress:
    """How far a running step is, e.g. a resource wait's "2/3 Running"."""

    step_id: str
    text: str


Event = Union[PaneOpened, PaneOutput, PaneResized, PaneClosed, StepStarted, StepFinished, Narration,
              ModeChanged, ConnectionLost, ConnectionRestored, Resumed, ResourceEvents, PaneNotice,
              StepProgress]
Subscriber = Callable[[Event], None]


class EventBus:
    """Synchronous fan-out on the event loop's thread: publishers never wait for subscribers' I/O."""

    def __init__(self) -> None:
        self._subscribers: list[Subscriber] = []

    def subscribe(self, subscriber: Subscriber) -> Callable[[], None]:
        self._subscribers.append(subscriber)
        return lambda: self._subscribers.remove(subscriber) if subscriber in self._subscribers else None

    def publish(self, event: Event) -> None:
        for subscriber in list(self._subscribers):
            subscriber(event)
