"""The one Markdown dialect of flatdeck: CommonMark plus GFM tables and strikethrough."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from markdown_it import MarkdownIt


@lru_cache(maxsize=1)
def markdown_parser() -> "MarkdownIt":
    """The shared parser (slides are parsed and rendered with it)."""
    return new_markdown_parser()


def new_markdown_parser(**options) -> "MarkdownIt":
    """A parser of the dialect of one's own, with markdown-it options (the HTML export's)."""
    from markdown_it import MarkdownIt  # ≈ 30 ms: not on the start path when the deck cache is warm

    return MarkdownIt("commonmark", options).enable(["table", "strikethrough"])
