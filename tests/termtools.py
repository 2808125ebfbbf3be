"""Helpers for the terminal-model tests: real PTY output, and tmux as a reference terminal."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import shutil
import struct
import subprocess
import tempfile
import termios
import time
import uuid

ENV = {"TERM": "xterm-256color", "LC_ALL": "C.UTF-8", "PS1": "$ "}


def cells(text) -> list[tuple[str, tuple]]:
    """Each character of a rich Text with the styles on it: equal when two Texts look the same."""
    return [(ch, tuple(s.style for s in text.spans if s.start <= i < s.end)) for i, ch in enumerate(text.plain)]


def run_in_pty(script: str, width: int = 80, height: int = 24, timeout: float = 10.0) -> bytes:
    """Run a bash script on a real PTY of width×height and return everything it wrote."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", height, width, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")} | ENV
    proc = subprocess.Popen(
        ["bash", "--norc", "--noprofile", "-c", script],
        stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True, close_fds=True,
    )
    os.close(slave)
    out = bytearray()
    deadline = time.monotonic() + timeout
    try:
        while True:
            ready, _, _ = select.select([master], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                raise TimeoutError(f"{script!r} still running after {timeout}s")
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the other side is closed
                break
            if not data:
                break
            out += data
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        os.close(master)
    return bytes(out)


def tmux_screen(data: bytes, width: int, height: int, timeout: float = 10.0) -> str:
    """What tmux, a real terminal emulator, shows after receiving `data` (the visible screen)."""
    if not shutil.which("tmux"):
        import pytest

        pytest.skip("tmux is not installed")
    marker = "__tmux_done__"
    socket = f"flatdeck-term-{uuid.uuid4().hex[:8]}"
    with tempfile.NamedTemporaryFile(suffix=".bin", delete=False) as f:
        f.write(data + f"\r\n{marker}".encode())
    tmux = ["tmux", "-L", socket, "-f", "/dev/null"]
    try:
        subprocess.run(
            [*tmux, "new-session", "-d", "-x", str(width), "-y", str(height),
             f"stty -opost; cat {f.name}; sleep 60"],
            check=True, capture_output=True, env={**os.environ, "TERM": "xterm-256color"},
        )
        deadline = time.monotonic() + timeout
        while True:
            screen = subprocess.run([*tmux, "capture-pane", "-p"], capture_output=True, text=True).stdout
            if marker in screen:
                return screen[: screen.index(marker)].rstrip("\n")
            if time.monotonic() > deadline:
                raise TimeoutError(f"tmux did not finish; screen:\n{screen}")
            time.sleep(0.05)
    finally:
        subprocess.run([*tmux, "kill-server"], capture_output=True)
        os.unlink(f.name)
