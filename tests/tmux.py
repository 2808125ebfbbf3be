"""A tiny tmux driver for end-to-end tests of the installed CLI (private server, never the user's)."""

from __future__ import annotations

import shutil
import subprocess
import time
import uuid


class Tmux:
    def __init__(self, width: int = 120, height: int = 40):
        if not shutil.which("tmux"):
            raise RuntimeError("tmux is not installed (make test installs it)")
        self.socket = f"flatdeck-test-{uuid.uuid4().hex[:8]}"
        self.width, self.height = width, height

    def _tmux(self, *args: str) -> str:
        return subprocess.run(["tmux", "-L", self.socket, *args], check=True, capture_output=True, text=True).stdout

    def start(self, command: str, env: dict[str, str] | None = None, cwd: str = ".") -> None:
        # COLUMNS/LINES from the caller would override the pane's real size
        exports = " ".join(f"{k}={v}" for k, v in (env or {}).items())
        self._tmux("new-session", "-d", "-s", "e2e", "-c", cwd, "-x", str(self.width), "-y", str(self.height),
                   f"env -u COLUMNS -u LINES {exports} {command}; echo '[exited]' $?; sleep 30")

    def screen(self) -> str:
        return self._tmux("capture-pane", "-p", "-t", "e2e")

    def keys(self, *keys: str) -> None:
        self._tmux("send-keys", "-t", "e2e", *keys)

    def wait_for(self, text: str, timeout: float = 10.0) -> str:
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen()
            if text in screen:
                return screen
            if time.monotonic() > deadline:
                raise AssertionError(f"{text!r} not on screen after {timeout}s; screen:\n{screen}")
            time.sleep(0.05)

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True)
