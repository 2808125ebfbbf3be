"""Keys before output: while the app answers a key, the shells stop taking output for a moment.

A command that floods its pane fills every turn of the event loop with output to decode and
draw, and the frame that answers a key waits behind it. So the app holds this gate for `HOLD`
when a key arrives: a shell that finds it held leaves its output unread (the local PTY's reader
and the SSH channel pause), a pane keeps what already came in a backlog and puts off its repaint,
and all carry on when it opens. The flooding command just waits on its writes for those milliseconds, as under a slow
terminal; nothing is lost or reordered. (Releasing it once the key's frame is out would be
sooner, but Textual cannot tell which frame answers which key: an unrelated frame released it
too early, and the numbers got worse.)

One gate per process: there is one app, one event loop and one keyboard.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

HOLD = 0.05  # seconds a key keeps output waiting: its frame takes 5-20 ms on a busy 2-core machine


class OutputGate:
    """`hold` may be called from any thread (the terminal driver's input thread holds it the
    moment a key is read, before the event loop gets to it); everything else runs on the loop."""

    def __init__(self) -> None:
        self._until = 0.0  # time.monotonic() when the hold ends by itself
        self._key_at = float("-inf")  # time.monotonic() of the last key
        self._waiting: list[Callable[[], None]] = []
        self._timer: asyncio.TimerHandle | None = None
        self._timer_loop: asyncio.AbstractEventLoop | None = None

    @property
    def held(self) -> bool:
        return time.monotonic() < self._until

    def remaining(self, after_key: float = 0.0) -> float:
        """Seconds until the hold ends by itself, or until `after_key` seconds after the last
        key if that is later (0 when both have passed)."""
        now = time.monotonic()
        return max(0.0, self._until - now, self._key_at + after_key - now)

    def hold(self, seconds: float = HOLD) -> None:
        """A key arrived: output waits until `release()` or `seconds` from now."""
        now = time.monotonic()
        self._key_at = now  # float stores: safe from another thread
        self._until = max(self._until, now + seconds)

    def wait(self, resume: Callable[[], None]) -> None:
        """A reader stood back while the gate was held: `resume()` is called when it opens."""
        if resume not in self._waiting:
            self._waiting.append(resume)
        loop = asyncio.get_running_loop()
        if self._timer is None or self._timer_loop is not loop:  # (a timer of an ended loop never fires)
            self._timer_loop = loop
            self._timer = loop.call_later(self.remaining(), self._expire)

    def _expire(self) -> None:
        self._timer = None
        if self.held:  # held again (another key) since the timer was set
            self._timer = asyncio.get_running_loop().call_later(self.remaining(), self._expire)
        else:
            self.release()

    def release(self) -> None:
        """The hold is over (or the app ends): readers carry on."""
        self._until = 0.0
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        waiting, self._waiting = self._waiting, []
        for resume in waiting:
            resume()


GATE = OutputGate()
