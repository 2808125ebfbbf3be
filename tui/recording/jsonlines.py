"""Crash-safe JSON Lines files: written to PATH.partial one whole line per os.write (no buffering
in this process), so a writer killed at any moment leaves a file whose every line but possibly the
last is complete; `commit()` fsyncs and atomically renames it over PATH. Asciicasts and kube event
logs are both written this way."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

# a lone surrogate (from bytes decoded with surrogateescape) cannot be written as UTF-8
_SURROGATE = re.compile("[\ud800-\udfff]")


def without_surrogates(text: str) -> str:
    return _SURROGATE.sub("\ufffd", text)


class JsonLinesWriter:
    """As a context manager: a clean exit commits; an exception closes the file and keeps the
    .partial for inspection (PATH, the previous recording, is untouched either way)."""

    def __init__(self, path: Path, first_line: Any):
        self.path = Path(path)
        self.partial = self.path.with_name(self.path.name + ".partial")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fd: int | None = os.open(self.partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o644)
        try:
            self._line(first_line)
        except BaseException:
            self.close()
            raise

    def commit(self) -> Path:
        """Make the recording durable, then atomically replace PATH with it."""
        fd = self._open()
        os.fsync(fd)
        self.close()
        os.replace(self.partial, self.path)
        _fsync_dir(self.path.parent)
        return self.path

    def discard(self) -> None:
        self.close()
        self.partial.unlink(missing_ok=True)

    def close(self) -> None:
        """Stop writing and keep the .partial as it is."""
        if self._fd is not None:
            fd, self._fd = self._fd, None
            os.close(fd)

    @property
    def closed(self) -> bool:
        return self._fd is None

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None and not self.closed:
            self.commit()
        else:
            self.close()

    def _line(self, value: Any) -> None:
        data = (json.dumps(value, ensure_ascii=False, separators=(", ", ": ")) + "\n").encode("utf-8")
        fd = self._open()
        while data:  # a regular file takes it all at once, short of a full disk
            data = data[os.write(fd, data):]

    def _open(self) -> int:
        if self._fd is None:
            raise ValueError(f"{self.partial}: the recording is closed")
        return self._fd


def _fsync_dir(directory: Path) -> None:
    """Make the rename itself survive a power cut; some file systems cannot, which is fine."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
