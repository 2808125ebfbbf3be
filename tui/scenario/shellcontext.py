"""Where in a shell command a substituted value would NOT be inert.

A placeholder's value is inserted shell-quoted ('…'). That is only safe where the shell reads a
bare word: inside "…" or '…' the inserted quotes become literal characters and `$(…)` in the value
runs again; in an unquoted here-document the body is expanded as well. So the loader refuses a
placeholder in any of these places. The scan errs on the side of refusing (e.g. `"$(echo {{x}})"`
is reported although it would be safe) because a false alarm costs an edit, a miss runs code.
"""

from __future__ import annotations

import re

_HEREDOC = re.compile(r"<<(-?)[ \t]*(?:'([^'\n]*)'|\"([^\"\n]*)\"|\\?([^\s;&|<>()'\"]+))")
_WORD_START = " \t\n;&|()"


def quoted_spans(command: str) -> list[tuple[int, int, str]]:
    """(start, end, why) for every region of `command` where a quoted value would not be inert."""
    spans: list[tuple[int, int, str]] = []
    heredocs: list[tuple[str, bool]] = []  # delimiters waiting for the end of the line
    i, n = 0, len(command)
    while i < n:
        c = command[i]
        if c == "\\":
            i += 2
        elif c == "'" or (c == "$" and command.startswith("$'", i)):
            ansi = c == "$"
            start = i + (2 if ansi else 1)
            end = _closing(command, start, "'", escapes=ansi)
            spans.append((start, end, "inside $'…' quotes" if ansi else "inside single quotes"))
            i = end + 1
        elif c == '"':
            end = _closing(command, i + 1, '"', escapes=True)
            spans.append((i + 1, end, "inside double quotes"))
            i = end + 1
        elif c == "#" and (i == 0 or command[i - 1] in _WORD_START):
            i = _line_end(command, i)  # a comment: nothing in it runs
        elif c == "<" and command.startswith("<<", i) and not command.startswith("<<<", i):
            match = _HEREDOC.match(command, i)
            if match:
                word = match.group(2) or match.group(3) or match.group(4) or ""
                heredocs.append((word, bool(match.group(1))))
                i = match.end()
            else:
                i += 2
        elif c == "\n" and heredocs:
            i = _heredoc_bodies(command, i + 1, heredocs, spans)
            heredocs = []
        else:
            i += 1
    return spans


def _closing(text: str, start: int, quote: str, escapes: bool) -> int:
    """Index of the closing quote, or the end of the text when it never closes."""
    i = start
    while i < len(text):
        if escapes and text[i] == "\\":
            i += 2
        elif text[i] == quote:
            return i
        else:
            i += 1
    return len(text)


def _line_end(text: str, start: int) -> int:
    end = text.find("\n", start)
    return len(text) if end < 0 else end


def _heredoc_bodies(text: str, i: int, heredocs: list[tuple[str, bool]], spans: list) -> int:
    """Mark the bodies that start at `i`, one per pending delimiter; return where the shell resumes."""
    for word, strip_tabs in heredocs:
        start = i
        while i < len(text):
            end = _line_end(text, i)
            line = text[i:end]
            i = end + 1
            if (line.lstrip("\t") if strip_tabs else line) == word:
                spans.append((start, i - len(line) - 1, "inside a here-document"))
                break
        else:  # never closed: the rest of the command is body
            spans.append((start, len(text), "inside a here-document"))
            return len(text)
    return i


def context_of(spans: list[tuple[int, int, str]], index: int) -> str | None:
    for start, end, why in spans:
        if start <= index < end:
            return why
    return None
