"""The speaker view's link over real Unix sockets: where the socket lives, who may use it, stale
sockets, choosing among several presentations, and the JSON-lines protocol both ways."""

from __future__ import annotations

import asyncio
import os
import pwd
import shutil
import socket
import stat
import subprocess
import tempfile
from pathlib import Path

import pytest

from tui.remote import paths
from tui.remote.client import Follower, choose, join, presentations
from tui.remote.protocol import PROTOCOL, RemoteError
from tui.remote.server import NotesServer

as_root = pytest.mark.skipif(os.getuid() != 0, reason="needs root to act as another user")
SYSTEM_PYTHON = "/usr/bin/python3"  # readable by any user, unlike a venv under a private home


def _nobody() -> tuple[int, int]:
    entry = pwd.getpwnam("nobody")
    return entry.pw_uid, entry.pw_gid


async def _server(path: Path, commands: list | None = None, **hello) -> NotesServer:
    server = NotesServer(path, lambda kind, value: (commands if commands is not None else []).append((kind, value)),
                         {"deck": "/decks/talk.md", "title": "Talk", "started": 100.0, **hello})
    await server.start()
    return server


async def _next(link, timeout: float = 5.0) -> dict:
    return await asyncio.wait_for(anext(link.messages()), timeout)


def _stale_socket(path: Path) -> None:
    """A socket file nobody listens on: what a presentation killed with -9 leaves behind."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.bind(str(path))
    sock.close()


@pytest.fixture
def shared_dir():
    """A directory any user may enter (pytest's tmp_path is private to root)."""
    directory = Path(tempfile.mkdtemp(prefix="flatdeck-shared-", dir="/tmp"))
    directory.chmod(0o777)
    yield directory
    shutil.rmtree(directory, ignore_errors=True)


# where the socket lives ------------------------------------------------------------------------

def test_the_runtime_dir_is_under_xdg_runtime_dir_and_created_private(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path / "run"))
    directory = paths.private_dir()
    assert directory == tmp_path / "run" / "flatdeck"
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700


def test_without_xdg_runtime_dir_a_private_dir_under_tmp(tmp_path, monkeypatch):
    monkeypatch.delenv("XDG_RUNTIME_DIR")
    assert paths.runtime_dir() == Path(f"/tmp/flatdeck-{os.getuid()}")
    monkeypatch.setattr(paths, "FALLBACK_PARENT", tmp_path)
    directory = paths.private_dir()
    assert directory == tmp_path / f"flatdeck-{os.getuid()}"
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700 and directory.stat().st_uid == os.getuid()


def test_a_directory_others_can_read_is_refused(tmp_path):
    directory = tmp_path / "flatdeck"
    directory.mkdir(mode=0o755)
    directory.chmod(0o755)
    with pytest.raises(RemoteError, match="mode 0755.*must be 0700"):
        paths.private_dir(directory)


def test_a_symlink_in_place_of_the_directory_is_refused(tmp_path):
    (tmp_path / "elsewhere").mkdir(mode=0o700)
    (tmp_path / "flatdeck").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(RemoteError, match="not a directory"):
        paths.private_dir(tmp_path / "flatdeck")


@as_root
def test_a_directory_of_another_user_is_refused(tmp_path):
    directory = tmp_path / "flatdeck"
    directory.mkdir(mode=0o700)
    os.chown(directory, *_nobody())
    with pytest.raises(RemoteError, match=f"belongs to uid {_nobody()[0]}, not to you"):
        paths.private_dir(directory)


# the protocol, both ways ---------------------------------------------------------------------

async def test_hello_state_and_commands_over_a_private_socket(tmp_path):
    path = tmp_path / "present-1.sock"
    commands: list = []
    server = await _server(path, commands)
    assert stat.S_ISSOCK(path.stat().st_mode) and stat.S_IMODE(path.stat().st_mode) == 0o600
    server.publish({"index": 0, "title": "First"})
    link = await join(path)
    assert link.hello["type"] == "hello" and link.hello["protocol"] == PROTOCOL
    assert link.hello["pid"] == os.getpid() and link.hello["deck"] == "/decks/talk.md"
    assert (await _next(link))["title"] == "First"  # the last state at once
    server.publish({"index": 1, "title": "Second"})
    assert (await _next(link)) == {"type": "state", "index": 1, "title": "Second"}
    link.action("next")
    link.goto(7)
    for _ in range(100):
        if len(commands) == 2:
            break
        await asyncio.sleep(0.02)
    assert commands == [("action", "next"), ("goto", 7)]
    link.close()
    server.close()
    assert not path.exists()


async def test_a_bad_line_gets_an_error_and_the_link_stays(tmp_path):
    path = tmp_path / "present-1.sock"
    commands: list = []
    server = await _server(path, commands)
    link = await join(path)
    link._writer.write(b"this is not json\n")
    assert (await _next(link))["type"] == "error"
    link.send({"type": "action", "id": "quit"})  # not something a speaker window may do
    error = await _next(link)
    assert error["type"] == "error" and "unknown action 'quit'" in error["reason"]
    link.send({"type": "goto", "slide": 0})
    assert "slide number from 1" in (await _next(link))["reason"]
    link.action("previous")
    for _ in range(100):
        if commands:
            break
        await asyncio.sleep(0.02)
    assert commands == [("action", "previous")]
    link.close()
    server.close()


async def test_a_speaker_window_that_leaves_does_not_disturb_the_others(tmp_path):
    path = tmp_path / "present-1.sock"
    server = await _server(path)
    first, second = await join(path), await join(path)
    for _ in range(100):
        if server.clients == 2:
            break
        await asyncio.sleep(0.02)
    first.close()
    for _ in range(100):
        if server.clients == 1:
            break
        await asyncio.sleep(0.02)
    assert server.clients == 1
    server.publish({"index": 3})
    assert (await _next(second))["index"] == 3
    second.close()
    server.close()


async def test_when_the_presentation_ends_the_link_ends_and_the_follower_waits_for_the_next(tmp_path):
    directory = paths.private_dir(tmp_path / "run")
    server = await _server(directory / "present-1.sock")
    server.publish({"index": 2})
    follower = Follower(directory=directory, retry=0.05)
    events = follower.events()
    assert (await anext(events))[0] == "joined"
    assert (await anext(events)) == ("state", {"type": "state", "index": 2})
    server.close()
    assert (await asyncio.wait_for(anext(events), 5))[0] == "ended"
    kind, why = await asyncio.wait_for(anext(events), 5)
    assert kind == "waiting" and "no presentation is running" in why
    again = await _server(directory / "present-2.sock", title="Again")
    again.publish({"index": 0})
    kind, hello = await asyncio.wait_for(anext(events), 5)
    assert kind == "joined" and hello["title"] == "Again"
    assert follower.action("next")
    await events.aclose()
    again.close()


# stale sockets -------------------------------------------------------------------------------

async def test_a_stale_socket_file_is_replaced(tmp_path):
    path = tmp_path / "present-1.sock"
    _stale_socket(path)
    assert paths.probe(path) == paths.STALE
    with pytest.raises(RemoteError, match="stale socket"):
        await join(path)
    server = await _server(path)
    assert paths.probe(path) == paths.LIVE
    link = await join(path)
    assert link.hello["title"] == "Talk"
    link.close()
    server.close()


async def test_a_live_socket_is_never_taken_over(tmp_path):
    path = tmp_path / "present-1.sock"
    server = await _server(path)
    with pytest.raises(RemoteError, match="another presentation is listening"):
        await _server(path)
    assert paths.probe(path) == paths.LIVE
    server.close()


async def test_a_file_that_is_not_a_socket_is_left_alone(tmp_path):
    path = tmp_path / "present-1.sock"
    path.write_text("keep me")
    with pytest.raises(RemoteError, match="not a socket"):
        await _server(path)
    assert path.read_text() == "keep me"


async def test_sweeping_removes_stale_sockets_only(tmp_path):
    directory = paths.private_dir(tmp_path / "run")
    _stale_socket(directory / "present-11.sock")
    server = await _server(directory / "present-12.sock")
    (directory / "notes.txt").write_text("not a socket")
    assert paths.sweep_stale(directory) == [directory / "present-11.sock"]
    assert sorted(p.name for p in directory.iterdir()) == ["notes.txt", "present-12.sock"]
    server.close()


# several presentations, or none --------------------------------------------------------------

async def test_the_newest_presentation_is_chosen_unless_a_deck_or_socket_is_named(tmp_path):
    directory = paths.private_dir(tmp_path / "run")
    old = await _server(directory / "present-1.sock", deck=str(tmp_path / "old.md"), started=100.0)
    new = await _server(directory / "present-2.sock", deck=str(tmp_path / "new.md"), started=200.0)
    _stale_socket(directory / "present-3.sock")
    found = await presentations(directory)
    assert [p.path.name for p in found] == ["present-2.sock", "present-1.sock"]  # newest first, stale skipped
    link = await choose(directory=directory)
    assert link.path.name == "present-2.sock"
    link.close()
    link = await choose(deck=tmp_path / "old.md", directory=directory)
    assert link.path.name == "present-1.sock"
    link.close()
    link = await choose(socket=directory / "present-1.sock")
    assert link.hello["deck"] == str(tmp_path / "old.md")
    link.close()
    with pytest.raises(RemoteError, match="no presentation of .*other.md"):
        await choose(deck=tmp_path / "other.md", directory=directory)
    old.close()
    new.close()


async def test_no_presentation_running_is_a_clear_error(tmp_path):
    directory = paths.private_dir(tmp_path / "run")
    with pytest.raises(RemoteError, match=f"no presentation is running: no live socket in {directory}"):
        await choose(directory=directory)
    _stale_socket(directory / "present-5.sock")
    with pytest.raises(RemoteError, match="no presentation is running"):
        await choose(directory=directory)
    with pytest.raises(RemoteError, match="no presentation is running at"):
        await choose(socket=tmp_path / "nothing.sock")


# other users ---------------------------------------------------------------------------------

LISTEN_AS_NOBODY = """
import socket, sys
sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
sock.bind(sys.argv[1])
sock.listen(4)
print("listening", flush=True)
while True:
    conn, _ = sock.accept()
    conn.sendall(b'{"type":"hello","protocol":1,"deck":"/evil.md","started":1e12}\\n')
"""


@pytest.fixture
def nobody_listener(shared_dir):
    """A fake presentation served by a process of the user nobody."""
    path = shared_dir / "present-999.sock"
    uid, gid = _nobody()
    process = subprocess.Popen([SYSTEM_PYTHON, "-c", LISTEN_AS_NOBODY, str(path)], user=uid, group=gid,
                               extra_groups=[], stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "listening"
    yield path
    process.kill()
    process.wait()


@as_root
async def test_a_socket_owned_by_another_user_is_refused(nobody_listener):
    assert os.lstat(nobody_listener).st_uid == _nobody()[0]
    with pytest.raises(RemoteError, match=f"belongs to uid {_nobody()[0]}, not to you .*refusing"):
        await join(nobody_listener)


@as_root
async def test_a_socket_served_by_another_user_is_refused_even_when_the_file_is_ours(nobody_listener):
    os.chown(nobody_listener, 0, 0)  # the file looks like ours; the process behind it is not
    with pytest.raises(RemoteError, match=f"served by a process of uid {_nobody()[0]}.*refusing"):
        await join(nobody_listener)


CONNECT_AS_NOBODY = """
import json, socket, sys
sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
sock.connect(sys.argv[1])
sock.sendall(b'{"type":"action","id":"next"}\\n')
data = b""
while chunk := sock.recv(4096):
    data += chunk
print(data.decode().strip())
"""


@as_root
async def test_the_presentation_refuses_a_speaker_window_of_another_user(shared_dir):
    path = shared_dir / "present-1.sock"
    commands: list = []
    server = await _server(path, commands)
    server.publish({"index": 4, "notes": "secret notes"})
    path.chmod(0o666)  # open the door on purpose: SO_PEERCRED must still keep nobody out
    uid, gid = _nobody()
    process = await asyncio.create_subprocess_exec(SYSTEM_PYTHON, "-c", CONNECT_AS_NOBODY, str(path), user=uid,
                                                   group=gid, extra_groups=[], stdout=subprocess.PIPE)
    out, _ = await asyncio.wait_for(process.communicate(), 10)
    lines = out.decode().splitlines()
    assert len(lines) == 1 and '"type":"refused"' in lines[0] and f"not to uid {uid}" in lines[0]
    assert "secret notes" not in out.decode()
    await asyncio.sleep(0.1)
    assert commands == [] and server.clients == 0
    link = await join(path)  # the presenter's own speaker window is still welcome
    assert (await _next(link))["notes"] == "secret notes"
    link.close()
    server.close()


@as_root
def test_a_user_without_root_cannot_even_reach_the_default_socket(tmp_path, monkeypatch):
    """0700 directory and 0600 socket: the kernel already stops another user before SO_PEERCRED."""
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    directory = paths.private_dir()
    path = directory / "present-1.sock"
    sock = paths.listen(path)
    try:
        uid, gid = _nobody()
        result = subprocess.run([SYSTEM_PYTHON, "-c", CONNECT_AS_NOBODY, str(path)], user=uid, group=gid,
                                extra_groups=[], capture_output=True, text=True, timeout=10)
        assert result.returncode != 0 and "PermissionError" in result.stderr
    finally:
        sock.close()
