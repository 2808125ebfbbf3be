"""Shell integration shared by local and SSH panes: prompt markers tell where a command ends and how.

The shell prints OSC 133 marks the way modern terminals expect them (FinalTerm/VS Code/WezTerm):
`A` before each prompt, `C` when a typed command starts executing (bash's PS0), and `D;status`
when it has finished. Terminals ignore them, so they cost nothing on screen or in a recording.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MARK_PROMPT = "A"
MARK_EXECUTING = "C"
MARK_FINISHED = "D"
_MARK = re.compile(r"\x1b\]133;([A-D])(?:;([^\x07\x1b]*))?(?:\x07|\x1b\\)")
_PARTIAL_TAIL = 64  # a mark split across reads is shorter than this

PROMPT = r"\[\e[1;32m\]demo\[\e[0m\]:\[\e[1;34m\]\w\[\e[0m\]$ "

BASH_RC = r"""
# flatdeck shell integration: a clean, predictable demo shell
unset HISTFILE
__flatdeck_prompt() { local s=$?; printf '\033]133;D;%s\007' "$s"; }
PROMPT_COMMAND=__flatdeck_prompt
PS0=$'\033]133;C\007'
PS1=$'\\[\033]133;A\007\\]''__PROMPT__'
PS2='> '
""".replace("__PROMPT__", PROMPT)


@dataclass(frozen=True)
class Mark:
    kind: str  # A, C or D
    status: int | None  # exit status, for D
    start: int  # offset of the mark in the text it was found in
    end: int


class MarkScanner:
    """Finds marks in a stream of decoded output, including marks split across two reads."""

    def __init__(self) -> None:
        self._carry = ""

    def feed(self, text: str) -> tuple[str, list[Mark]]:
        """Return (the text with any carried-over prefix, the marks in it)."""
        text = self._carry + text
        self._carry = ""
        marks = []
        for match in _MARK.finditer(text):
            status = None
            if match.group(1) == MARK_FINISHED:
                try:
                    status = int(match.group(2) or 0)
                except ValueError:
                    status = None
            marks.append(Mark(match.group(1), status, match.start(), match.end()))
        # keep an unfinished mark (or the start of one) for the next read
        tail_from = _unfinished_mark(text, marks)
        if tail_from is not None:
            self._carry = text[tail_from:]
            text = text[:tail_from]
        return text, marks


def _unfinished_mark(text: str, marks: list[Mark]) -> int | None:
    """Where a mark starts that this text does not finish, if any."""
    start = text.rfind("\x1b", max(0, len(text) - _PARTIAL_TAIL))
    if start < 0 or any(m.start <= start < m.end for m in marks):
        return None
    tail = text[start:]
    if "\x07" in tail or "\x1b\\" in tail[1:]:
        return None  # a finished sequence of another kind
    prefix = "\x1b]133;"
    return start if tail.startswith(prefix) or prefix.startswith(tail) else None


_ESCAPES = re.compile(r"\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b\[[0-?]*[ -/]*[@-~]|\x1b[@-Z\\-_]")


def current_line(before: str, text: str, limit: int = 512) -> str:
    """The line a pane is on after `text` follows `before`: usually the prompt a command is typed at."""
    joined = before + text
    return joined[max(joined.rfind("\n"), joined.rfind("\r")) + 1:][-limit:]


def plain_text(text: str) -> str:
    """Output without escape sequences or carriage returns, for matching `expect` regexes."""
    return _ESCAPES.sub("", text).replace("\r", "")
