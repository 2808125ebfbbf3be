"""Recordings: asciicast files for terminal panes, and the redaction every recording passes through."""

from tui.recording.asciicast import Cast, CastEvent, CastHeader, CastWriter, parse_cast, read_cast
from tui.recording.redact import REDACTED, Redactor, StreamRedactor

__all__ = [
    "Cast", "CastEvent", "CastHeader", "CastWriter", "parse_cast", "read_cast",
    "REDACTED", "Redactor", "StreamRedactor",
]
