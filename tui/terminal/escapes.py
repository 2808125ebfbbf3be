"""Escape-sequence grammar shared by the line and screen models (ECMA-48, as xterm reads it)."""

from __future__ import annotations

import re

# One complete escape sequence starting at an ESC: CSI, a string (OSC/DCS/SOS/PM/APC) with its
# terminator, or a short ESC sequence (ESC 7, ESC c, ESC ( B, ESC \ ...).
COMPLETE = re.compile(
    r"\x1b(?:\[[0-?]*[ -/]*[@-~]|[\]PX^_][^\x07\x1b]*(?:\x07|\x1b\\)|[ -/]*[0-OQ-WYZ\\`-~])"
)  # the short form's final is anything but the introducers [ ] P X ^ _ (ESC \ is ST: complete)
# Strings that never draw: OSC (titles, shell-integration marks like ESC]133;D;0 BEL), DCS, SOS,
# PM, APC. An unterminated one runs to the end of the line.
STRINGS = re.compile(r"\x1b[\]PX^_][^\x07\x1b]*(?:\x07|\x1b\\|$)")
# SGR with plain parameters (no private marker); group 1 = the parameters.
SGR = re.compile(r"\x1b\[([0-9;:]*)m")

# A sequence still open this many characters from the end is not waited for (a runaway string).
MAX_PENDING = 1024


def split_incomplete(text: str) -> tuple[str, str]:
    """Split `text` into what can be processed now and an unfinished escape sequence at its end.

    A PTY read can end in the middle of a sequence; the tail is prepended to the next chunk so
    that no sequence is ever seen in two halves.
    """
    start = text.rfind("\x1b", max(0, len(text) - MAX_PENDING))
    if start == -1 or COMPLETE.match(text, start):
        return text, ""
    return text[:start], text[start:]
