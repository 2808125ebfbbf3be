"""The speaker view's link: `flatdeck present` listens on a Unix socket, `flatdeck notes` joins it.

JSON lines over a stream socket (protocol.py), the socket's place and safety checks (paths.py),
the presenting side (server.py), the speaker's side (client.py) and what the presenter's state
looks like on the wire (state.py). asyncio and the standard library only: no Textual here.
"""
