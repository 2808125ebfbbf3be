"""The local pane: an interactive bash in a real PTY, with its own session and process group.

Follows the PTY checklist: the PTY becomes the controlling terminal (setsid --ctty, no fork in this
threaded process), the master is read non-blocking on the event loop, size via TIOCSWINSZ, and on
close every process of the shell's session goes: HUP, then TERM, then KILL. No orphans.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import shutil
import signal
import struct
import subprocess
import tempfile
import termios
from pathlib import Path

from tui.engine.events import EventBus
from tui.engine.session import CommandResult, SessionError, ShellSession
from tui.engine.shell import BASH_RC
from tui.keys_first import GATE

READ_SIZE = 65536
# flatdeck started with SIGINT ignored (nohup, a background job) would hand that on to the shell,
# and bash cannot undo it: Ctrl+C would stop nothing. coreutils' env resets them first.
DEFAULT_SIGNALS = ["env", "--default-signal=INT,QUIT,TERM,HUP"]
READS_PER_TURN = 16
# A command that floods its pane would otherwise keep the event loop busy with nothing but its
# output, and keys would wait behind it. Past this many bytes in a window the PTY is left unread
# until the window ends; the command then blocks on write, as it would under a slow terminal.
READ_BUDGET, READ_WINDOW = 100 * 1024, 0.010  # ≈ 10 MB/s, far more than anyone can read
TERM = "xterm-256color"


def session_members(sid: int) -> list[int]:
    """Every live process whose session id is `sid` (the shell and all its jobs, foreground or not).

    Zombies do not count: they are dead, only waiting for a parent (often init) to reap them."""
    members = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        # fields after the command name (which may hold spaces and parentheses)
        fields = stat[stat.rfind(b")") + 2 :].split()
        if len(fields) > 3 and int(fields[3]) == sid and fields[0] not in (b"Z", b"X"):
            members.append(int(entry.name))
    return members


def set_window_size(fd: int, cols: int, rows: int) -> None:
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


class LocalShell(ShellSession):
    def __init__(self, pane: str, bus: EventBus, *, target: str = "local", shell: str = "bash",
                 cwd: str | None = None, env: dict[str, str] | None = None, cols: int = 80, rows: int = 24):
        super().__init__(pane, target, bus, cols, rows)
        self.shell = shell
        self.cwd = cwd
        self.extra_env = env or {}
        self.process: subprocess.Popen | None = None
        self._master: int | None = None
        self._window_end = 0.0  # when the current read-budget window ends (loop time)
        self._window_bytes = 0
        self._paused = False
        self._rcdir: tempfile.TemporaryDirectory | None = None

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    async def _spawn(self) -> None:
        shell = shutil.which(self.shell)
        setsid = shutil.which("setsid")
        if shell is None:
            raise SessionError(f"{self.target}: shell {self.shell!r} not found on PATH")
        if setsid is None:
            raise SessionError(f"{self.target}: 'setsid' (util-linux) is needed to give the shell its own terminal")
        self._rcdir = tempfile.TemporaryDirectory(prefix="flatdeck-shell-")
        rcfile = Path(self._rcdir.name) / "bashrc"
        rcfile.write_text(BASH_RC)
        master, slave = os.openpty()
        set_window_size(slave, self.cols, self.rows)
        env = {**os.environ, "TERM": TERM, **self.extra_env}
        for noisy in ("PROMPT_COMMAND", "PS0", "PS1", "COLUMNS", "LINES", "TMUX", "TEXTUAL"):
            env.pop(noisy, None)
        try:
            self.process = subprocess.Popen(
                [*DEFAULT_SIGNALS, setsid, "--ctty", shell, "--noprofile", "--rcfile", str(rcfile), "-i"],
                stdin=slave, stdout=slave, stderr=slave, cwd=self.cwd, env=env,
                close_fds=True, start_new_session=False,
            )
        except OSError as exc:
            os.close(master)
            raise SessionError(f"{self.target}: cannot start {shell}: {exc.strerror}") from None
        finally:
            os.close(slave)
        os.set_blocking(master, False)
        self._master = master
        asyncio.get_running_loop().add_reader(master, self._readable)

    def _readable(self) -> None:
        # a PTY hands out at most ~4 KiB per read: take what is there now in one go (bounded),
        # so a flooding command costs one pass through decoding and marks per loop turn
        loop = asyncio.get_running_loop()
        if GATE.held:  # a key is being answered: its frame first
            loop.remove_reader(self._master)  # type: ignore[arg-type]
            self._paused = True
            GATE.wait(self._resume)
            return
        now = loop.time()
        if now >= self._window_end:
            self._window_end, self._window_bytes = now + READ_WINDOW, 0
        chunks: list[bytes] = []
        ended = False
        for _ in range(READS_PER_TURN):
            if self._window_bytes >= READ_BUDGET:
                self._pause_until(self._window_end)
                break
            try:
                data = os.read(self._master, READ_SIZE)  # type: ignore[arg-type]
            except BlockingIOError:
                break
            except OSError:  # EIO: the other side closed
                data = b""
            if not data:
                ended = True
                break
            chunks.append(data)
            self._window_bytes += len(data)
        if chunks:
            self._received(b"".join(chunks))
        if ended:
            self._stop_reading()
            self._eof("the shell exited")


    async def _exit_status(self) -> int | None:
        process = self.process
        if process is None:
            return None
        for _ in range(100):  # the PTY closes a moment before the process can be reaped
            if process.poll() is not None:
                return process.returncode if process.returncode >= 0 else 128 - process.returncode
            await asyncio.sleep(0.02)
        return None

    def _pause_until(self, when: float) -> None:
        loop = asyncio.get_running_loop()
        loop.remove_reader(self._master)  # type: ignore[arg-type]
        self._paused = True
        loop.call_at(when, self._resume)

    def _resume(self) -> None:
        if self._paused and self._master is not None:
            self._paused = False
            asyncio.get_running_loop().add_reader(self._master, self._readable)

    def _stop_reading(self) -> None:
        self._paused = False
        if self._master is not None:
            asyncio.get_running_loop().remove_reader(self._master)

    def _send(self, data: bytes) -> None:
        if self._master is None:
            return
        view = memoryview(data)
        while view:
            try:
                written = os.write(self._master, view)
            except BlockingIOError:
                # the shell is not reading; the PTY buffer is full. Typing more would only block.
                break
            except OSError:
                break
            view = view[written:]

    def _apply_size(self) -> None:
        if self._master is not None:
            set_window_size(self._master, self.cols, self.rows)  # the kernel sends SIGWINCH

    async def _terminate(self) -> None:
        process = self.process
        if process is not None:
            sid = process.pid  # setsid made the shell its session's leader
            # a shell leaves on HUP at once; what ignores HUP gets TERM, then KILL
            for sig, grace in ((signal.SIGHUP, 0.3), (signal.SIGTERM, 0.3), (signal.SIGKILL, 2.0)):
                members = session_members(sid)
                if not members:
                    break
                for pid in members:
                    try:
                        os.kill(pid, sig)
                    except ProcessLookupError:
                        pass
                await self._reap(process, sid, grace)
            await self._reap(process, sid, 0.5)
        if self._master is not None:
            self._stop_reading()
            os.close(self._master)
            self._master = None
        if self._rcdir is not None:
            self._rcdir.cleanup()
            self._rcdir = None

    @staticmethod
    async def _reap(process: subprocess.Popen, sid: int, grace: float) -> None:
        """Wait up to `grace` seconds for the session to empty (the shell itself reaped here)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + grace
        while True:
            process.poll()
            if process.returncode is not None and not session_members(sid):
                return
            if loop.time() >= deadline:
                return
            await asyncio.sleep(0.02)


class LocalDriver:
    """The `local` target: a PTY shell per pane, and `bash -c` for checks and waits."""

    def __init__(self, name: str = "local", shell: str = "bash", cwd: str | None = None,
                 env: dict[str, str] | None = None):
        self.name, self.shell, self.cwd, self.env = name, shell, cwd, env or {}

    async def preflight(self) -> bool:
        return shutil.which(self.shell) is not None and shutil.which("setsid") is not None

    def open_shell(self, pane: str, bus: EventBus, cols: int, rows: int) -> LocalShell:
        return LocalShell(pane, bus, target=self.name, shell=self.shell, cwd=self.cwd, env=self.env,
                          cols=cols, rows=rows)

    async def exec(self, command: str, timeout: float) -> CommandResult:
        env = {**os.environ, **self.env}
        try:
            process = await asyncio.create_subprocess_exec(
                shutil.which(self.shell) or self.shell, "-c", command, cwd=self.cwd, env=env,
                stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
                start_new_session=True,
            )
        except OSError as exc:
            raise SessionError(f"{self.name}: cannot run {self.shell}: {exc.strerror}") from None
        try:
            out, _ = await asyncio.wait_for(process.communicate(), timeout)
        except asyncio.TimeoutError:
            _kill_session(process.pid)
            await process.wait()
            return CommandResult(None, "", timed_out=True)
        except asyncio.CancelledError:
            _kill_session(process.pid)
            raise
        return CommandResult(process.returncode, out.decode("utf-8", "replace"))


def _kill_session(sid: int) -> None:
    for pid in session_members(sid):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
