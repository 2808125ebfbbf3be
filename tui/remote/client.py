"""The speaker's side: find the running presentation, join it, follow its state, send commands.

Which presentation: `--socket PATH` names one; otherwise every live socket in the runtime
directory (paths.py) is asked for its `hello`, `--deck DECK` keeps those presenting that deck,
and the most recently started one wins. A socket that belongs to another user, or is served by a
process of another user (SO_PEERCRED), is refused.
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass
from pathlib import Path
from typing import AsyncIterator

from tui.remote.paths import SOCKET_GLOB, check_owner, check_private, runtime_dir
from tui.remote.protocol import MAX_LINE, PROTOCOL, ProtocolError, RemoteError, decode, encode, peer_uid

TIMEOUT = 2.0  # seconds to connect and hear `hello`
RETRY = 1.0  # seconds between looks for a presentation while none runs


class Link:
    """One joined presentation: its `hello`, the stream of its messages, and commands to it."""

    def __init__(self, path: Path, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, hello: dict):
        self.path, self.hello = path, hello
        self._reader, self._writer = reader, writer

    async def messages(self) -> AsyncIterator[dict]:
        """Each message until the presentation goes away (lines this side cannot read are skipped)."""
        while True:
            try:
                line = await self._reader.readline()
            except (ConnectionError, ValueError):
                return
            if not line:
                return
            try:
                yield decode(line)
            except ProtocolError:
                continue

    def send(self, message: dict) -> bool:
        if self._writer.is_closing():
            return False
        self._writer.write(encode(message))
        return True

    def action(self, ident: str) -> bool:
        return self.send({"type": "action", "id": ident})

    def goto(self, slide: int) -> bool:
        return self.send({"type": "goto", "slide": slide})

    def close(self) -> None:
        self._writer.close()


async def join(path: Path, timeout: float = TIMEOUT) -> Link:
    """Connect to the presentation at `path` and read its hello; RemoteError with the reason when
    it is not running, not ours, or not a flatdeck presentation."""
    try:
        check_owner(path)
        reader, writer = await asyncio.wait_for(asyncio.open_unix_connection(str(path), limit=MAX_LINE), timeout)
    except FileNotFoundError:
        raise RemoteError(f"no presentation is running at {path}") from None
    except ConnectionRefusedError:
        raise RemoteError(f"no presentation is running at {path} (a stale socket: its process is gone)") from None
    except (OSError, asyncio.TimeoutError) as exc:
        raise RemoteError(f"cannot connect to {path}: {getattr(exc, 'strerror', None) or 'no answer'}") from None
    try:
        uid = peer_uid(writer.get_extra_info("socket"))
        if uid != os.getuid():
            raise RemoteError(f"{path} is served by a process of uid {uid}, not by you (uid {os.getuid()}): "
                              "refusing to join it")
        try:
            line = await asyncio.wait_for(reader.readline(), timeout)
            hello = decode(line) if line else {"type": "closed"}
        except (asyncio.TimeoutError, ConnectionError, ValueError):
            hello = {"type": "no answer"}
        if hello["type"] == "refused":
            raise RemoteError(f"{path}: refused: {hello.get('reason', '')}")
        if hello["type"] != "hello":
            raise RemoteError(f"{path} is not a flatdeck presentation ({hello['type']})")
        if hello.get("protocol") != PROTOCOL:
            raise RemoteError(f"{path} speaks protocol {hello.get('protocol')!r}, this flatdeck speaks {PROTOCOL}: "
                              "use the same flatdeck for present and notes")
    except BaseException:
        writer.close()
        raise
    return Link(path, reader, writer, hello)


@dataclass(frozen=True)
class Presentation:
    path: Path
    hello: dict

    @property
    def deck(self) -> str:
        return str(self.hello.get("deck", ""))

    @property
    def started(self) -> float:
        started = self.hello.get("started", 0.0)
        return started if isinstance(started, (int, float)) else 0.0


async def presentations(directory: Path | None = None) -> list[Presentation]:
    """Every live presentation of this user in the runtime directory, newest first (stale sockets,
    other users' sockets and anything else are skipped)."""
    directory = directory or runtime_dir()
    if not directory.is_dir():
        return []
    check_private(directory)
    found = []
    for path in sorted(directory.glob(SOCKET_GLOB)):
        try:
            link = await join(path)
        except (RemoteError, OSError):
            continue
        link.close()
        found.append(Presentation(path, link.hello))
    return sorted(found, key=lambda p: p.started, reverse=True)


async def choose(socket: Path | None = None, deck: Path | None = None, directory: Path | None = None) -> Link:
    """Join the presentation the speaker means: `socket`, else the newest one (of `deck`)."""
    if socket is not None:
        return await join(socket)
    directory = directory or runtime_dir()
    found = await presentations(directory)
    if deck is not None:
        wanted = str(deck.resolve())
        found = [p for p in found if p.deck == wanted]
    if not found:
        what = f"of {deck}" if deck is not None else "is running"
        raise RemoteError(f"no presentation {what}: no live socket in {directory} "
                          "(start `flatdeck present` first, or pass --socket PATH)")
    for presentation in found:
        try:
            return await join(presentation.path)
        except RemoteError:
            continue  # it ended between the look and the join
    raise RemoteError(f"no presentation is running any more in {directory}")


class Follower:
    """Stays with the talk: joins, passes on every message, and when the presentation ends looks
    for the next one every RETRY seconds (same --socket / --deck choice)."""

    def __init__(self, socket: Path | None = None, deck: Path | None = None, directory: Path | None = None,
                 retry: float = RETRY):
        self.socket, self.deck, self.directory, self.retry = socket, deck, directory, retry
        self.link: Link | None = None

    async def events(self) -> AsyncIterator[tuple[str, dict | str]]:
        """("joined", hello), ("state", state), ("ended", path) and ("waiting", why), in order."""
        waiting = None
        while True:
            try:
                link = await choose(self.socket, self.deck, self.directory)
            except RemoteError as exc:
                if str(exc) != waiting:
                    waiting = str(exc)
                    yield "waiting", waiting
                await asyncio.sleep(self.retry)
                continue
            waiting = None
            self.link = link
            yield "joined", link.hello
            try:
                async for message in link.messages():
                    if message["type"] == "state":
                        yield "state", message
            finally:
                self.link = None
                link.close()
            yield "ended", str(link.path)

    def action(self, ident: str) -> bool:
        return self.link is not None and self.link.action(ident)

    def goto(self, slide: int) -> bool:
        return self.link is not None and self.link.goto(slide)
