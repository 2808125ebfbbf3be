"""A start-up cache: the parsed deck and its rendered blocks, kept between runs.

Parsing needs markdown-it and PyYAML, highlighting needs Pygments: together ≈ 70 ms of imports
before the first slide. When the deck's files are unchanged since the last run, the pickled deck
and rendered blocks are loaded instead. Any doubt (another version, a changed file, a corrupt
or unreadable cache file) is a miss, never an error: the deck is parsed as usual.
"""

from __future__ import annotations

import os
import pickle
import sys
import zlib
from pathlib import Path

from tui import __version__
from tui.atomicfile import write_atomic
from tui.deck.model import Deck
from tui.deck.watch import Signature, deck_signature
from tui.render.markdown import RenderedBlock, rendered_snapshot, seed_rendered

FORMAT = 1


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "flatdeck"


def _stamp() -> tuple:
    # rendered blocks are rich objects; rich is pinned exactly, so flatdeck's version covers it
    return (FORMAT, __version__, sys.version_info[:2])


class DeckCache:
    def __init__(self, deck_path: Path, directory: Path | None = None):
        self.deck_path = deck_path.resolve()
        # crc32, not hashlib (3 ms to import): a collision only costs a miss, the signature decides
        digest = zlib.crc32(str(self.deck_path).encode())
        self.file = (directory or cache_dir()) / f"deck-{self.deck_path.stem[:40]}-{digest:08x}.pickle"
        self._saved: tuple[Signature, int] | None = None

    def load(self) -> Deck | None:
        """The cached deck (and its rendered blocks, seeded for the renderer), if still valid."""
        signature = deck_signature(self.deck_path)
        try:
            with self.file.open("rb") as f:
                data = pickle.load(f)
            if data["stamp"] != _stamp() or data["signature"] != signature or not signature:
                return None
            deck, blocks = data["deck"], data["blocks"]
            if not isinstance(deck, Deck) or not isinstance(blocks, dict):
                return None
        except Exception:  # noqa: BLE001 - a cache that cannot be read is a miss
            return None
        seed_rendered(blocks)
        self._saved = (signature, len(blocks))
        return deck

    def save(self, deck: Deck, signature: Signature) -> None:
        """Write atomically; skipped when nothing new was rendered since the last save."""
        blocks: dict[tuple[str, str], RenderedBlock] = rendered_snapshot()
        if not signature or self._saved == (signature, len(blocks)):
            return
        try:
            write_atomic(self.file, pickle.dumps({"stamp": _stamp(), "signature": signature, "deck": deck,
                                                  "blocks": blocks}, protocol=pickle.HIGHEST_PROTOCOL))
            self._saved = (signature, len(blocks))
        except (OSError, pickle.PicklingError):
            pass
