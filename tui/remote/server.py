"""The presenting side of the speaker view: a Unix socket server speaking JSON lines.

Every speaker window of the same user gets `hello`, then the last `state`, then each new one;
its commands go to `on_command` (the presenting screen applies them through its own actions).
A peer of another user (SO_PEERCRED) is told `refused` and dropped. A speaker window that goes
away, or cannot keep up, is dropped without disturbing the talk. Imports only what Textual has
already loaded (asyncio, socket, struct) plus json: `flatdeck present` starts as fast as before.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Callable

from tui.remote.paths import listen
from tui.remote.protocol import MAX_LINE, PROTOCOL, ProtocolError, command, decode, encode, peer_uid

MAX_BACKLOG = 4 << 20  # bytes queued for one speaker window before it counts as gone
REFUSE_WAIT = 1.0  # seconds a refused peer gets to read why


class NotesServer:
    def __init__(self, path: Path, on_command: Callable[[str, object], None], hello: dict,
                 current: Callable[[], dict | None] | None = None):
        self.path = path
        self.on_command = on_command
        self.current = current  # the state as of now, for a window that joins (its times must be fresh)
        self.hello = {"type": "hello", "protocol": PROTOCOL, "pid": os.getpid(), **hello}
        self._server: asyncio.AbstractServer | None = None
        self._clients: set[asyncio.StreamWriter] = set()
        self._last: bytes | None = None
        self._inode: int | None = None

    @property
    def clients(self) -> int:
        return len(self._clients)

    async def start(self) -> None:
        """Listen (RemoteError when the socket cannot be had)."""
        sock = listen(self.path)
        self._inode = os.stat(self.path).st_ino
        self._server = await asyncio.start_unix_server(self._serve, sock=sock, limit=MAX_LINE)

    def publish(self, state: dict) -> None:
        """Send a state to every speaker window now, and to each one that joins later."""
        self._last = encode({**state, "type": "state"})
        for writer in list(self._clients):
            self._send(writer, self._last)

    def _send(self, writer: asyncio.StreamWriter, data: bytes) -> None:
        if writer.is_closing() or writer.transport.get_write_buffer_size() > MAX_BACKLOG:
            self._drop(writer)
            return
        writer.write(data)

    def _drop(self, writer: asyncio.StreamWriter) -> None:
        self._clients.discard(writer)
        writer.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            uid = peer_uid(writer.get_extra_info("socket"))
            if uid != os.getuid():
                writer.write(encode({"type": "refused",
                                     "reason": f"this presentation belongs to uid {os.getuid()}, not to uid {uid}"}))
                writer.write_eof()
                # read what it sent meanwhile (unread data would turn the close into a reset that
                # can swallow the reason), but none of it is acted upon
                await asyncio.wait_for(reader.read(MAX_LINE), REFUSE_WAIT)
                return
            writer.write(encode(self.hello))
            state = self.current() if self.current is not None else None
            if state is not None:
                writer.write(encode({**state, "type": "state"}))
            elif self._last is not None:
                writer.write(self._last)
            self._clients.add(writer)
            while line := await reader.readline():
                try:
                    kind, value = command(decode(line))
                except ProtocolError as exc:
                    self._send(writer, encode({"type": "error", "reason": str(exc)}))
                    continue
                self.on_command(kind, value)
        except (ConnectionError, ValueError, asyncio.TimeoutError):  # ValueError: a line over MAX_LINE
            pass
        except asyncio.CancelledError:
            # the loop is ending (the app quit): this task is the connection's own, nobody awaits it,
            # and Python 3.11's stream callback would print the cancellation as an error
            pass
        finally:
            self._drop(writer)

    def close(self) -> None:
        """Stop listening, hang up on every speaker window and remove the socket file (if it is
        still the one this server made)."""
        if self._server is not None:
            self._server.close()
            self._server = None
        for writer in list(self._clients):
            self._drop(writer)
        try:
            if self._inode is not None and os.stat(self.path).st_ino == self._inode:
                self.path.unlink()
        except OSError:
            pass
        self._inode = None
