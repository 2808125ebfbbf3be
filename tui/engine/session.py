"""A persistent interactive shell in one pane, driven step by step through prompt marks.

Transport-neutral: the local PTY and the SSH channel subclass it and provide `_send`, `_apply_size`,
`_spawn` and `_terminate`. One shell per pane, so `cd` and `export` carry across steps.
"""

from __future__ import annotations

import asyncio
import codecs
import re
from dataclasses import dataclass

from tui.engine.events import EventBus, PaneClosed, PaneOpened, PaneOutput, PaneResized
from tui.engine.shell import MARK_EXECUTING, MARK_FINISHED, MARK_PROMPT, MarkScanner, plain_text

RECENT_LIMIT = 256 * 1024  # output kept for `wait: {output: …}` (raw; escapes stripped when searched)
CAPTURE_LIMIT = 1024 * 1024  # a step's output kept for `expect`: its last MiB (a flood must not eat RAM)
INTERRUPT = "\x03"


class SessionError(Exception):
    """The shell could not start or went away; the message is meant for the pane and the CLI."""


@dataclass(frozen=True)
class CommandResult:
    exit_code: int | None  # None when the command did not finish (timeout, closed)
    output: str  # plain text between the command starting and finishing
    timed_out: bool = False
    interrupted: bool = False
    shell_exited: bool = False  # the command ended the shell itself (`exit 3`): the next step gets a new one


class ShellSession:
    def __init__(self, pane: str, target: str, bus: EventBus, cols: int = 80, rows: int = 24):
        self.pane = pane
        self.target = target
        self.bus = bus
        self.cols, self.rows = cols, rows
        self.closed = False
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._scanner = MarkScanner()
        self._ready = asyncio.Event()  # a prompt is showing: the shell waits for a command
        self._finished: asyncio.Future[int | None] | None = None
        self._capture: list[str] | None = None
        self._captured_chars = 0
        self._output = ""  # what the last command printed, escape sequences included
        self._recent: list[str] = []  # raw output chunks, the newest last
        self._recent_chars = 0
        self._recent_base = 0  # how many characters have dropped off the front of _recent
        self._interrupted = False
        self._lock = asyncio.Lock()

    # transport hooks --------------------------------------------------------------------------
    async def _spawn(self) -> None:
        raise NotImplementedError

    def _send(self, data: bytes) -> None:
        raise NotImplementedError

    def _apply_size(self) -> None:
        raise NotImplementedError

    async def _terminate(self) -> None:
        raise NotImplementedError

    async def _exit_status(self) -> int | None:
        """The shell's own exit status once its output has ended, if the transport knows it."""
        return None

    # lifecycle --------------------------------------------------------------------------------
    async def start(self, timeout: float = 15.0) -> None:
        await self._spawn()
        self.bus.publish(PaneOpened(self.pane, self.target, self.cols, self.rows))
        try:
            await asyncio.wait_for(self._ready.wait(), timeout)
        except asyncio.TimeoutError:
            await self.close("no prompt")
            raise SessionError(f"{self.target}: the shell showed no prompt within {timeout:.0f}s") from None

    async def close(self, reason: str = "closed") -> None:
        if self.closed:
            return
        self.closed = True
        await self._terminate()
        self._fail_pending()
        self.bus.publish(PaneClosed(self.pane, reason))

    # output from the transport ----------------------------------------------------------------
    def _received(self, data: bytes) -> None:
        self._text_received(self._decoder.decode(data))

    def _text_received(self, text: str) -> None:
        text, marks = self._scanner.feed(text)
        if not text:
            return
        self.bus.publish(PaneOutput(self.pane, text))
        position = 0
        for mark in marks:
            self._take(text[position:mark.start])
            position = mark.end
            if mark.kind == MARK_EXECUTING and self._finished is not None:
                self._capture, self._captured_chars = [], 0
            elif mark.kind == MARK_FINISHED and self._finished is not None and self._capture is not None:
                self._output = "".join(self._capture)
                self._capture = None  # the prompt that follows is not the command's output
                if not self._finished.done():
                    self._finished.set_result(mark.status)
            elif mark.kind == MARK_PROMPT:
                self._ready.set()
        self._take(text[position:])

    def _take(self, text: str) -> None:
        if not text:
            return
        if self._capture is not None:
            self._capture.append(text)
            self._captured_chars += len(text)
            while self._captured_chars > CAPTURE_LIMIT and len(self._capture) > 1:
                self._captured_chars -= len(self._capture.pop(0))
        self._recent.append(text)
        self._recent_chars += len(text)
        while self._recent_chars > RECENT_LIMIT and len(self._recent) > 1:
            dropped = len(self._recent.pop(0))
            self._recent_chars -= dropped
            self._recent_base += dropped

    def _eof(self, reason: str) -> None:
        if not self.closed:
            asyncio.get_running_loop().create_task(self._ended(reason))

    async def _ended(self, reason: str) -> None:
        status = await self._exit_status()
        if self._finished is not None and not self._finished.done():
            self._finished.set_result(status)  # e.g. a step that ran `exit 3`
        await self.close(reason if status is None else f"{reason} (status {status})")

    def _fail_pending(self) -> None:
        if self._finished is not None and not self._finished.done():
            self._finished.set_result(None)

    # what the executor and the keyboard use ----------------------------------------------------
    def write(self, text: str) -> None:
        """Keyboard input typed into the pane."""
        if not self.closed:
            self._send(text.encode())

    def resize(self, cols: int, rows: int) -> None:
        if (cols, rows) != (self.cols, self.rows) and cols > 0 and rows > 0:
            self.cols, self.rows = cols, rows
            if not self.closed:
                self._apply_size()
            self.bus.publish(PaneResized(self.pane, cols, rows))

    def interrupt(self) -> None:
        if self._finished is not None:
            self._interrupted = True
        self.write(INTERRUPT)

    @property
    def busy(self) -> bool:
        return self._finished is not None

    def output_mark(self) -> int:
        """A position in the output; `wait_for_output` can look from there on."""
        return self._recent_base + self._recent_chars

    async def run(self, command: str, timeout: float | None = None, type_delay: float = 0.0) -> CommandResult:
        """Type `command` at the prompt and wait for its exit status."""
        async with self._lock:
            if self.closed:
                raise SessionError(f"{self.target}: the shell has exited")
            await self._ready.wait()
            self._ready.clear()
            loop = asyncio.get_running_loop()
            self._finished = loop.create_future()
            self._capture = None
            self._output = ""
            self._interrupted = False
            try:
                await self._type(command, type_delay)
                try:
                    status = await asyncio.wait_for(asyncio.shield(self._finished), timeout)
                except asyncio.TimeoutError:
                    self.write(INTERRUPT)
                    try:  # give the shell a moment to come back to its prompt
                        await asyncio.wait_for(asyncio.shield(self._finished), 3.0)
                    except asyncio.TimeoutError:
                        pass
                    return CommandResult(None, self._captured(), timed_out=True)
                return CommandResult(status, self._captured(), interrupted=self._interrupted, shell_exited=self.closed)
            finally:
                self._finished = None
                self._capture = None

    def _captured(self) -> str:
        return plain_text(self._output or "".join(self._capture or []))

    async def _type(self, command: str, delay: float) -> None:
        text = command.rstrip("\n")
        if delay <= 0:
            self.write(text + "\n")
            return
        for char in text:
            self.write(char)
            await asyncio.sleep(delay)
        self.write("\n")

    async def wait_for_output(self, pattern: re.Pattern[str], since: int, timeout: float | None) -> bool:
        """True once the output after position `since` matches; False on timeout or close."""

        async def poll() -> bool:
            while not self.closed:
                raw = "".join(self._recent)[max(0, since - self._recent_base):]
                if pattern.search(plain_text(raw)):
                    return True
                await asyncio.sleep(0.05)
            return False

        try:
            return await asyncio.wait_for(poll(), timeout)
        except asyncio.TimeoutError:
            return False
