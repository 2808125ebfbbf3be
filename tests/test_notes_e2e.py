"""End to end: `flatdeck present` and `flatdeck notes` as two real processes in two terminals (tmux),
talking over the Unix socket; read back from both screens."""

from __future__ import annotations

import os
import pwd
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import FEATURE_DECK
from tmux import Tmux
from tui.remote.paths import LIVE, probe

pytestmark = pytest.mark.e2e
FLATDECK = Path(sys.executable).parent / "flatdeck"
REPO = Path(__file__).resolve().parent.parent


def _env() -> dict[str, str]:
    return {name: os.environ[name] for name in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_RUNTIME_DIR")} \
        | {"TERM": "xterm-256color"}


def _sockets() -> list[Path]:
    directory = Path(os.environ["XDG_RUNTIME_DIR"]) / "flatdeck"
    return sorted(directory.glob("present-*.sock")) if directory.is_dir() else []


def _wait(condition, what: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not seen after {timeout}s")
        time.sleep(0.05)


def _notes(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(FLATDECK), "notes", *args], env=os.environ | _env(), capture_output=True, text=True,
                          timeout=30)


@pytest.fixture
def terminals():
    opened: list[Tmux] = []

    def open_terminal(command: str) -> Tmux:
        term = Tmux(120, 40)
        opened.append(term)
        term.start(command, _env(), cwd=str(REPO))
        return term

    yield open_terminal
    for term in opened:
        term.close()


def _present(terminals, *args: str) -> Tmux:
    before = set(_sockets())
    present = terminals(f"{FLATDECK} present {FEATURE_DECK} {' '.join(args)}")
    present.wait_for("1 / 11" if "--slide" not in args else " / 11")
    _wait(lambda: set(_sockets()) - before or "--socket" in args, "the presentation's socket")
    return present


def test_notes_without_a_presentation_says_so_and_exits_1():
    result = _notes()
    assert result.returncode == 1
    assert "no presentation is running" in result.stderr and "flatdeck present" in result.stderr
    assert "Traceback" not in result.stderr


def test_two_windows_navigate_each_other_and_either_can_quit(terminals):
    present = _present(terminals)
    notes = terminals(f"{FLATDECK} notes")
    screen = notes.wait_for("● live")
    assert "The title slide is generated from the front matter." in screen
    assert "Next — 2: Headings and text" in screen

    notes.keys("Right")  # the speaker's window moves the talk
    present.wait_for("2 / 11")
    present.keys("Right")  # the presenter's keys move the speaker's window
    screen = notes.wait_for("slide 3 / 11")
    assert "Notes can span lines." in screen and "Next — 4: Code" in screen
    notes.keys("g")
    notes.wait_for("Go to slide")
    notes.keys("6", "Enter")
    present.wait_for("▸ 4/4  6 / 11")  # goto: fully revealed, as from the presenter's own prompt
    notes.keys("Left")  # one reveal step back
    present.wait_for("▸ 3/4  6 / 11")
    notes.wait_for("slide 6 / 11  ▸ 3/4")

    notes.keys("q")  # the speaker's window quits: the talk goes on
    notes.wait_for("[exited] 0")
    present.keys("Right")
    present.wait_for("▸ 4/4  6 / 11")
    present.keys("Right")
    present.wait_for("7 / 11")

    again = terminals(f"{FLATDECK} notes")
    again.wait_for("slide 7 / 11")
    present.keys("q")  # the talk ends: the speaker's window says so and keeps its last view
    present.wait_for("[exited] 0")
    screen = again.wait_for("presentation ended")
    assert "Columns" in screen
    assert _sockets() == []  # the presentation removed its socket
    again.keys("q")
    again.wait_for("[exited] 0")


def test_a_demo_step_from_the_speakers_window(terminals):
    present = _present(terminals, "--slide", "8")
    notes = terminals(f"{FLATDECK} notes")
    notes.wait_for("Demo — Fixture demo  REPLAY")
    notes.keys("Enter", "Enter")  # the narration, then the first command (replay: shown, not run)
    present.wait_for("not recorded yet")
    screen = notes.wait_for("○ printf")
    assert "✓ Two panes, one shell each." in screen


def test_a_stale_socket_is_replaced_by_the_next_presentation(terminals, tmp_path):
    directory = Path(os.environ["XDG_RUNTIME_DIR"]) / "flatdeck"
    directory.mkdir(mode=0o700, parents=True)
    stale = directory / "present-4194305.sock"  # above any pid: a presentation killed long ago
    chosen = tmp_path / "talk.sock"
    for path in (stale, chosen):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.bind(str(path))
        sock.close()  # no listener: what kill -9 leaves behind
    result = _notes()
    assert result.returncode == 1 and "no presentation is running" in result.stderr
    result = _notes("--socket", str(chosen))
    assert result.returncode == 1 and "stale socket" in result.stderr

    _present(terminals)
    assert not stale.exists()  # swept by the next `present`
    present = _present(terminals, "--socket", str(chosen))  # and a stale --socket is taken over
    _wait(lambda: probe(chosen) == LIVE, "a listener on the --socket path")
    listed = _notes("--list").stdout.splitlines()  # the runtime directory's one, not the --socket one
    assert len(listed) == 1 and str(FEATURE_DECK.resolve()) in listed[0] and "present-" in listed[0]
    notes = terminals(f"{FLATDECK} notes --socket {chosen}")
    notes.wait_for("● live")
    notes.keys("End")
    present.wait_for("11 / 11")


def test_a_socket_served_by_another_user_is_refused(tmp_path):
    if os.getuid() != 0:
        pytest.skip("needs root to act as another user")
    shared = Path("/tmp") / f"flatdeck-e2e-{os.getpid()}"
    shared.mkdir(mode=0o777)
    shared.chmod(0o777)
    path = shared / "present-1.sock"
    entry = pwd.getpwnam("nobody")
    code = ("import socket, sys, time; s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(1); "
            "print('ok', flush=True); time.sleep(60)")
    process = subprocess.Popen(["/usr/bin/python3", "-c", code, str(path)], user=entry.pw_uid, group=entry.pw_gid,
                               extra_groups=[], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout.readline().strip() == "ok"
        result = _notes("--socket", str(path))
        assert result.returncode == 1
        assert f"belongs to uid {entry.pw_uid}, not to you" in result.stderr and "refusing" in result.stderr
    finally:
        process.kill()
        process.wait()
        path.unlink(missing_ok=True)
        shared.rmdir()
