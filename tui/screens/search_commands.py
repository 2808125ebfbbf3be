"""Ctrl+P: text typed in the command palette also finds slides (their text and notes)."""

from __future__ import annotations

from functools import partial

from textual.command import Hit, Hits, Provider

from tui.deck.search import Found, search_deck
from tui.screens.search import hit_text

MAX_HITS = 30
PALETTE_WIDTH = 70  # roughly what the palette shows of a line


class SlideSearchCommands(Provider):
    async def search(self, query: str) -> Hits:
        screen = self.screen
        jump = getattr(screen, "jump_to", None)
        deck = getattr(screen, "deck", None)
        if jump is None or deck is None or len(query.strip()) < 2:  # one letter would match everything
            return
        hits = search_deck(deck, query, limit=MAX_HITS)
        for position, hit in enumerate(hits):
            # below an exact command name, slide headings first, notes last, in deck order
            score = (0.6 if hit.line == hit.title else 0.4 if hit.in_notes else 0.5) - position / 10_000
            yield Hit(score, hit_text(hit, PALETTE_WIDTH), partial(jump, Found(query.strip(), hits, position)),
                      text=f"{hit.number} {hit.title}: {hit.line}",
                      help=f"slide {hit.number}" + (" · speaker notes" if hit.in_notes else ""))
