"""Play a recorded cast into a pane with its real timing: speed, idle limit, pause, jumps.

Each event is scheduled against the start time (not after the previous sleep), so timing does
not drift however long the cast is. No Textual here: output goes to a callback.
"""

from __future__ import annotations

import asyncio
import time
from typing import Callable

from tui.recording.asciicast import Cast


def effective_times(cast: Cast, idle_time_limit: float | None) -> list[float]:
    """Event times with every pause capped at `idle_time_limit` (as asciinema's player does)."""
    times, last_raw, last = [], 0.0, 0.0
    for event in cast.events:
        gap = event.time - last_raw
        if idle_time_limit is not None:
            gap = min(gap, idle_time_limit)
        last_raw, last = event.time, last + max(0.0, gap)
        times.append(last)
    return times


class Replayer:
    def __init__(self, cast: Cast, emit: Callable[[str], None], speed: float = 1.0,
                 idle_time_limit: float | None = None, clock: Callable[[], float] = time.monotonic):
        self.cast = cast
        self.emit = emit
        self.speed = max(speed, 1e-6)
        limit = idle_time_limit if idle_time_limit is not None else cast.header.idle_time_limit
        self.times = effective_times(cast, limit)
        self.clock = clock
        self.position = 0  # index of the next event to play
        self._origin = 0.0  # clock time at which cast time 0 plays
        self._paused_at: float | None = None
        self._wake = asyncio.Event()
        self._done = asyncio.Event()

    @property
    def paused(self) -> bool:
        return self._paused_at is not None

    @property
    def finished(self) -> bool:
        return self.position >= len(self.cast.events)

    def elapsed(self) -> float:
        """Where playback stands, in cast seconds."""
        now = self._paused_at if self._paused_at is not None else self.clock()
        return (now - self._origin) * self.speed

    async def play(self) -> None:
        self._origin = self.clock()
        while not self.finished:
            if self._paused_at is not None:
                await self._wait_for_wake(None)
                continue
            due = self._origin + self.times[self.position] / self.speed
            delay = due - self.clock()
            if delay > 0:
                await self._wait_for_wake(delay)
                continue
            self._emit_until(self.position + 1)
        self._done.set()

    async def _wait_for_wake(self, timeout: float | None) -> None:
        self._wake.clear()
        try:
            await asyncio.wait_for(self._wake.wait(), timeout)
        except asyncio.TimeoutError:
            pass

    def _emit_until(self, stop: int) -> None:
        """Emit the output of events [position, stop) in one call (fast for a long jump)."""
        chunk = [e.data for e in self.cast.events[self.position:stop] if e.code == "o"]
        self.position = stop
        if chunk:
            self.emit("".join(chunk))

    def pause(self) -> None:
        if self._paused_at is None:
            self._paused_at = self.clock()
            self._wake.set()

    def resume(self) -> None:
        if self._paused_at is not None:
            self._origin += self.clock() - self._paused_at
            self._paused_at = None
            self._wake.set()

    def toggle_pause(self) -> None:
        self.resume() if self.paused else self.pause()

    def next_marker(self) -> bool:
        """Play everything up to the next marker at once and carry on from there; False if none."""
        for index in range(self.position, len(self.cast.events)):
            if self.cast.events[index].code == "m":
                self._jump(index + 1)
                return True
        return False

    def finish(self) -> None:
        """Finish the step now: all remaining output at once."""
        self._jump(len(self.cast.events))

    def _jump(self, stop: int) -> None:
        self._emit_until(stop)
        now = self._paused_at if self._paused_at is not None else self.clock()
        played = self.times[stop - 1] if stop > 0 else 0.0
        self._origin = now - played / self.speed  # the next event keeps its gap from here
        self._wake.set()

    async def wait(self) -> None:
        await self._done.wait()


class KubeReplayer(Replayer):
    """Plays a kube event log (kubelog.KubeLog) with the same timing, pause and jumps. Events due
    at the same moment go out as one batch; the log's starting snapshot goes out as one
    `replace` batch, so a step replayed on its own starts from the right table."""

    def __init__(self, log, emit: Callable[[tuple, bool, float | None], None], speed: float = 1.0,
                 clock: Callable[[], float] = time.monotonic):
        super().__init__(log, emit, speed=speed, clock=clock)  # type: ignore[arg-type]
        self.emit_batch = emit

    def _emit_until(self, stop: int) -> None:
        events = self.cast.events
        snapshot = min(self.cast.header.snapshot, len(events))  # type: ignore[attr-defined]
        if self.position < snapshot:
            stop = max(stop, snapshot)
        while 0 < stop < len(events) and self.times[stop] <= self.times[stop - 1]:
            stop += 1
        start, self.position = self.position, max(stop, self.position)
        if self.position <= start:
            return
        stamp = self.cast.header.timestamp  # type: ignore[attr-defined]
        at = stamp + events[self.position - 1].time if stamp is not None else None
        if start < snapshot:
            self.emit_batch(tuple((e.code, e.data) for e in events[start:snapshot]), True, at)
            start = snapshot
        if start < self.position:
            self.emit_batch(tuple((e.code, e.data) for e in events[start:self.position]), False, at)
