"""Where a presentation's socket lives, and the checks that keep it the presenter's own.

Sockets are `present-PID.sock` in `$XDG_RUNTIME_DIR/flatdeck/`, or, when XDG_RUNTIME_DIR is unset,
in `/tmp/flatdeck-UID/`. Either directory is created with mode 0700 and refused when it is not
private (a symlink, another owner, or group/other permissions). Each socket is mode 0600.
A socket file whose process is gone (nobody accepts a connection: "stale") is removed by the next
`flatdeck present`; one that answers is never touched.
"""

from __future__ import annotations

import os
import socket
import stat
from pathlib import Path

from tui.remote.protocol import RemoteError

SOCKET_GLOB = "present-*.sock"
FALLBACK_PARENT = Path("/tmp")
MAX_PATH = 107  # sun_path holds 108 bytes, the last one a NUL
LIVE, STALE, MISSING, NOT_SOCKET, DENIED = "live", "stale", "missing", "not a socket", "denied"


def runtime_dir() -> Path:
    base = os.environ.get("XDG_RUNTIME_DIR")
    if base:
        return Path(base) / "flatdeck"
    return FALLBACK_PARENT / f"flatdeck-{os.getuid()}"


def socket_path(directory: Path, pid: int) -> Path:
    return directory / f"present-{pid}.sock"


def private_dir(directory: Path | None = None) -> Path:
    """The socket directory, created with mode 0700 when missing; RemoteError when it is not private."""
    directory = directory or runtime_dir()
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise RemoteError(f"cannot create {directory}: {exc.strerror}") from None
    check_private(directory)
    return directory


def check_private(directory: Path) -> None:
    info = os.lstat(directory)
    me = os.getuid()
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
        raise RemoteError(f"{directory} is not a directory (a symlink or a file); remove it")
    if info.st_uid != me:
        raise RemoteError(f"{directory} belongs to uid {info.st_uid}, not to you (uid {me}); "
                          "remove it or set XDG_RUNTIME_DIR")
    if info.st_mode & 0o077:
        raise RemoteError(f"{directory} has mode {stat.S_IMODE(info.st_mode):04o}, readable by others; "
                          f"it must be 0700 (chmod 700 {directory})")


def check_owner(path: Path) -> None:
    """The speaker's side: join only a socket that belongs to the same user."""
    owner, me = os.lstat(path).st_uid, os.getuid()
    if owner != me:
        raise RemoteError(f"{path} belongs to uid {owner}, not to you (uid {me}): refusing to join it")


def probe(path: Path) -> str:
    """LIVE when a process accepts connections on `path`, STALE when the file is a socket nobody
    listens on, else MISSING, NOT_SOCKET or DENIED (no permission to connect)."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return MISSING
    if not stat.S_ISSOCK(info.st_mode):
        return NOT_SOCKET
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(1.0)
    try:
        sock.connect(str(path))
        return LIVE
    except ConnectionRefusedError:
        return STALE
    except FileNotFoundError:
        return MISSING
    except PermissionError:
        return DENIED
    except OSError:  # a full backlog or a timeout: someone is there
        return LIVE
    finally:
        sock.close()


def sweep_stale(directory: Path) -> list[Path]:
    """Remove the stale sockets of this user in `directory`; the removed paths."""
    removed = []
    for path in sorted(directory.glob(SOCKET_GLOB)):
        try:
            if probe(path) == STALE and os.lstat(path).st_uid == os.getuid():
                path.unlink()
                removed.append(path)
        except OSError:
            continue  # gone meanwhile, or not ours to remove
    return removed


def listen(path: Path) -> socket.socket:
    """A listening socket at `path` (mode 0600), replacing a stale socket file; RemoteError when a
    presentation already listens there or the path cannot be used."""
    if len(os.fsencode(str(path))) > MAX_PATH:
        raise RemoteError(f"the socket path is longer than {MAX_PATH} bytes: {path}; "
                          "set XDG_RUNTIME_DIR to a shorter directory or pass --socket PATH")
    state = probe(path)
    if state == LIVE:
        raise RemoteError(f"another presentation is listening on {path}")
    if state in (NOT_SOCKET, DENIED):
        raise RemoteError(f"{path} exists and is {'not a socket' if state == NOT_SOCKET else 'not yours'}; "
                          "remove it or choose another --socket")
    if state == STALE:
        owner = os.lstat(path).st_uid
        if owner != os.getuid():
            raise RemoteError(f"{path} is a stale socket of uid {owner}; remove it or choose another --socket")
        path.unlink()
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.bind(str(path))
        os.chmod(path, 0o600)
        sock.listen(16)
        sock.setblocking(False)
    except OSError as exc:
        sock.close()
        raise RemoteError(f"cannot listen on {path}: {exc.strerror or exc}") from None
    return sock
