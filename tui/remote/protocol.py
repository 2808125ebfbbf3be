"""The wire format between `flatdeck present` and `flatdeck notes`: one JSON object per line.

present → notes: `hello` on connect (protocol version, pid, deck, start time), then `state` (the
presenter's position, notes, next slide, demo steps, times; see state.py) at once and after every
change; `refused` (then the connection closes) to a peer of another user; `error` for a line it
could not use (the connection stays).
notes → present: `{"type": "action", "id": "next"}` (a binding id from REMOTE_ACTIONS, applied
through the same action as the key) and `{"type": "goto", "slide": 5}` (1-based).
"""

from __future__ import annotations

import json
import socket
import struct

PROTOCOL = 1
MAX_LINE = 1 << 20  # a state carries a slide's notes and the next slide's text: far below this
# binding ids of the presenting screen that the speaker view may trigger
REMOTE_ACTIONS = ("next", "previous", "first", "last", "demo-next", "demo-rerun", "demo-skip", "demo-pause",
                  "demo-marker", "demo-fallback", "demo-interrupt")


class RemoteError(Exception):
    """Why the speaker view cannot join or listen, in one sentence a presenter can act on."""


class ProtocolError(ValueError):
    """A line that is not a message this side understands."""


def encode(message: dict) -> bytes:
    return json.dumps(message, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"


def decode(line: bytes) -> dict:
    try:
        message = json.loads(line)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ProtocolError(f"not a JSON line: {exc}") from None
    if not isinstance(message, dict) or not isinstance(message.get("type"), str):
        raise ProtocolError('expected a JSON object with a "type"')
    return message


def command(message: dict) -> tuple[str, object]:
    """A speaker's command as ("action", binding id) or ("goto", slide number); ProtocolError if it
    is not one."""
    kind = message["type"]
    if kind == "action":
        ident = message.get("id")
        if ident not in REMOTE_ACTIONS:
            raise ProtocolError(f"unknown action {ident!r}; expected one of: {', '.join(REMOTE_ACTIONS)}")
        return "action", ident
    if kind == "goto":
        slide = message.get("slide")
        if not isinstance(slide, int) or isinstance(slide, bool) or slide < 1:
            raise ProtocolError('goto: expected "slide": a slide number from 1')
        return "goto", slide
    raise ProtocolError(f"unknown message type {kind!r}; expected action or goto")


def peer_uid(sock: socket.socket) -> int:
    """The user id of the process at the other end of a Unix socket (SO_PEERCRED: pid, uid, gid)."""
    creds = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    return struct.unpack("3i", creds)[1]
