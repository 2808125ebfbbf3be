"""Read a user's text file safely: size cap, NUL bytes and bad UTF-8 become located errors."""

from __future__ import annotations

from pathlib import Path

from tui.errors import LoadError

MAX_BYTES = 8 * 1024 * 1024  # a deck or scenario bigger than this is a mistake, not a talk


def _line_col(data: bytes, offset: int) -> tuple[int, int]:
    """Line and column of byte `offset`, counted as in the decoded text every other error uses:
    `\r\n`, `\r` and `\n` end lines, columns count characters (a bad byte counts as one), no BOM."""
    head = data[:offset]
    line = head.count(b"\n") + head.count(b"\r") - head.count(b"\r\n") + 1
    start = max(head.rfind(b"\n"), head.rfind(b"\r")) + 1
    column = len(head[start:].decode("utf-8-sig" if start == 0 else "utf-8", "replace")) + 1
    return line, column


def read_text(path: Path, what: str = "Markdown", limit: int = MAX_BYTES) -> str:
    """Return the file's text, or raise LoadError naming the file, line and what was expected."""
    try:
        size = path.stat().st_size
        if size > limit:
            raise LoadError.at(path, 0, 0, f"file is {size / 2**20:.1f} MiB; expected {what} text under {limit // 2**20} MiB")
        data = path.read_bytes()
    except LoadError:
        raise
    except IsADirectoryError:
        raise LoadError.at(path, 0, 0, f"is a directory; expected a {what} file") from None
    except OSError as exc:
        raise LoadError.at(path, 0, 0, f"cannot read: {exc.strerror or exc}") from None
    nul = data.find(b"\0")
    if nul >= 0:
        line, col = _line_col(data, nul)
        raise LoadError.at(path, line, col, f"NUL byte: this looks like a binary file; expected UTF-8 {what} text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = _line_col(data, exc.start)
        raise LoadError.at(
            path, line, col, f"invalid UTF-8 (byte 0x{data[exc.start]:02x}); expected UTF-8 {what} text"
        ) from None
    return normalize(text)


def normalize(text: str) -> str:
    """Drop a BOM and make every line end in `\n`, as Markdown and YAML parsers count lines."""
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
