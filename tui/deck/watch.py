"""A cheap fingerprint of a deck's files, polled to notice edits while presenting."""

from __future__ import annotations

import os
from pathlib import Path

Signature = tuple[tuple[str, int, int], ...]


def deck_signature(path: Path) -> Signature:
    """(name, mtime_ns, size) of every file that makes the deck; a new or removed file changes it too."""
    try:
        if path.is_dir():
            entries = sorted((e for e in os.scandir(path) if e.name.endswith(".md")), key=lambda e: e.name)
            stats = [(e.path, e.stat()) for e in entries]
        else:
            stats = [(str(path), path.stat())]
    except OSError:
        return ()
    return tuple((name, st.st_mtime_ns, st.st_size) for name, st in stats)
