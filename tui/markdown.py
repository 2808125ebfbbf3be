"""The one Markdown dialect of flatdeck: CommonMark plus GFM tables and strikethrough."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from markdown_it import MarkdownIt


@lru_cache(maxsize=1)
def markdown_parser() -> "MarkdownIt":
    from markdown_it import MarkdownIt  # ≈ 30 ms: not on the start path when the deck cache is warm

    return MarkdownIt("commonmark").enable(["table", "strikethrough"])
