"""A private tmux server driven through one control-mode client.

Spawning `tmux capture-pane` per poll costs ≈ 3 ms of process start-up, more than the thing we
measure. A control-mode client (`tmux -C`) takes commands on stdin and answers each one with a
`%begin … %end` block on stdout, so a poll is one pipe round trip (well under a millisecond).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time

SOCKET = f"flatdeck-bench-{os.getpid()}"  # `-L`: a private server per run, never the user's tmux
KEEPER = "keeper"  # an idle session the control client stays attached to


class TmuxError(RuntimeError):
    pass


def quote(arg: str) -> str:
    """Quote one argument for tmux's command parser (single quotes; `'` spliced in via "'")."""
    return "'" + arg.replace("'", "'\"'\"'") + "'"


class Tmux:
    def __init__(self, width: int = 120, height: int = 40, env: dict[str, str] | None = None):
        self.exe = shutil.which("tmux")
        if self.exe is None:
            raise TmuxError("tmux not found on PATH; install it (e.g. `apt-get install tmux`) to run the benchmarks")
        # -f /dev/null: ignore ~/.tmux.conf; -u: UTF-8 whatever the locale says
        self.base = [self.exe, "-L", SOCKET, "-f", "/dev/null", "-u"]
        self.kill_server()  # a leftover server from an interrupted run
        self.proc = None
        # The server inherits `env`; every pane starts from it. Measured sessions have no client
        # attached, so their windows keep default-size. (Not `window-size manual`: tmux 3.3a
        # crashes when a control client creates a session under it.)
        try:
            self._start(width, height, env)
        except (OSError, subprocess.CalledProcessError, TmuxError) as exc:
            self.close()
            detail = getattr(exc, "stderr", None)
            raise TmuxError(f"could not start tmux: {detail.decode().strip() if detail else exc}") from exc

    def _start(self, width: int, height: int, env: dict[str, str] | None) -> None:
        size = f"{width}x{height}"
        subprocess.run(
            [*self.base, "new-session", "-d", "-s", KEEPER, "-x", str(width), "-y", str(height), "sleep", "86400",
             ";", "set", "-g", "default-size", size,
             ";", "set", "-g", "default-terminal", "tmux-256color",
             ";", "set", "-g", "remain-on-exit", "on"],  # a crash stays on screen for the error message
            env=env, check=True, capture_output=True,
        )
        self.proc = subprocess.Popen([*self.base, "-C", "attach", "-t", KEEPER],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)
        self.sync()

    # protocol ---------------------------------------------------------------------------------
    def send(self, command: str) -> None:
        self.proc.stdin.write(command.encode() + b"\n")
        self.proc.stdin.flush()

    def reply(self) -> list[str]:
        """Read the output of our next command: a `%begin … %end` block whose flags are 1 (sent
        by this client). Notifications (%output, %window-add…) come only between blocks; blocks
        with flags 0 (tmux's own, e.g. for the attach) may come at any time; both are skipped."""
        readline = self.proc.stdout.readline
        while True:
            line = readline()
            if not line:
                raise TmuxError("the tmux control client exited")
            if not line.startswith(b"%begin"):
                continue
            _, _, number, flags = line.split()  # %begin TIME NUMBER FLAGS
            lines: list[str] = []
            while True:
                line = readline()
                if not line:
                    raise TmuxError("the tmux control client exited")
                head = line.split()
                if head[:1] in ([b"%end"], [b"%error"]) and len(head) == 4 and head[2] == number:
                    break
                lines.append(line.decode("utf-8", "replace").rstrip("\n"))
            if flags != b"1":
                continue
            if head[0] == b"%error":
                raise TmuxError("tmux: " + " ".join(lines))
            return lines

    def command(self, command: str) -> list[str]:
        self.send(command)
        return self.reply()

    def sync(self) -> None:
        """Check the client answers before the first measured command."""
        if self.command("display-message -p flatdeck-bench-sync") != ["flatdeck-bench-sync"]:
            raise TmuxError("the tmux control client does not answer as expected")

    # helpers ----------------------------------------------------------------------------------
    def new_session(self, name: str, argv: list[str], cwd: str) -> tuple[str, int]:
        """Start `argv` as the only pane of a new detached session; returns (pane id, pane pid).

        More than one argument makes tmux exec the program directly (no `sh -c`), so the pane
        pid is the program itself."""
        args = " ".join(quote(a) for a in argv)
        pane, pid = self.command(f"new-session -d -s {name} -c {quote(cwd)} -P -F '#{{pane_id}} #{{pane_pid}}' -- {args}")[0].split()
        return pane, int(pid)

    def capture(self, pane: str, history: int = 0) -> list[str]:
        """The visible screen, plus `history` lines scrolled off above it."""
        return self.command(f"capture-pane -p -t {pane}" + (f" -S -{history}" if history else ""))

    def kill_session(self, name: str) -> None:
        try:
            self.command(f"kill-session -t {name}")
        except TmuxError:
            pass  # already gone

    def kill_server(self) -> None:
        subprocess.run([*self.base, "kill-server"], capture_output=True)

    def close(self) -> None:
        """Stop the server and the control client; safe to call twice."""
        proc = getattr(self, "proc", None)
        if proc is not None and proc.poll() is None:
            try:
                self.send("kill-server")
            except OSError:
                pass
            try:
                proc.wait(timeout=2)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.kill_server()


def alive(pid: int) -> bool:
    """Running, not a zombie (tmux may not reap a pane's process at once)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except (FileNotFoundError, ProcessLookupError):
        return False


def wait_gone(pid: int, timeout: float = 3.0) -> None:
    """Wait for a pane's process to exit after its session was killed (SIGHUP), so one run's
    shutdown never overlaps the next run; SIGKILL it if it lingers."""
    deadline = time.monotonic() + timeout
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.01)
    if alive(pid):
        try:
            os.kill(pid, 9)
        except ProcessLookupError:
            pass
