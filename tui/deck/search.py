"""Find text in a deck's slides and speaker notes: case- and accent-insensitive, Unicode-safe.

Slides are searched as they read on screen (Markdown syntax left out: `**bold**` is found as
"bold"), notes as written. Each hit is one line with every occurrence in it, the reveal step
that first shows it, and whether it is in the notes. Pure: no Textual, no files.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable

from tui.deck.model import Block, Columns, Deck, FrontMatter, Slide


@dataclass(frozen=True)
class Line:
    """A searchable line of a slide."""

    text: str
    step: int = 0  # the reveal step that first shows it (notes and title slides: 0)
    in_notes: bool = False


@dataclass(frozen=True)
class SearchHit:
    index: int  # 0-based slide index
    number: int  # 1-based, as shown
    title: str
    line: str
    spans: tuple[tuple[int, int], ...]  # [start, end) of each occurrence in `line`
    step: int
    in_notes: bool


# folding ----------------------------------------------------------------------------------------

@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    """Case-folded, compatibility-decomposed, without combining marks: 'É' → 'e', 'ß' → 'ss', 'ﬁ' → 'fi'."""
    decomposed = unicodedata.normalize("NFKD", char.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def fold(text: str) -> tuple[str, list[int]]:
    """The folded text and, for each of its characters, the index of the character of `text` it
    came from (so a match in the folded text maps back to whole characters of the original)."""
    parts: list[str] = []
    owners: list[int] = []
    for index, char in enumerate(text):
        folded = _fold_char(char)
        parts.append(folded)
        owners.extend([index] * len(folded))
    return "".join(parts), owners


def find_all(text: str, query: str) -> tuple[tuple[int, int], ...]:
    """Every non-overlapping occurrence of `query` in `text` as [start, end) of `text`."""
    needle = fold(query.strip())[0]
    if not needle:
        return ()
    haystack, owners = fold(text)
    spans: list[tuple[int, int]] = []
    at = haystack.find(needle)
    while at >= 0:
        start, end = owners[at], owners[at + len(needle) - 1] + 1
        while end < len(text) and unicodedata.combining(text[end]):
            end += 1  # a decomposed accent belongs to the letter before it
        if not spans or start >= spans[-1][1]:
            spans.append((start, end))
        at = haystack.find(needle, at + len(needle))
    return tuple(spans)


# what a slide says --------------------------------------------------------------------------------

@lru_cache(maxsize=2048)
def block_lines(text: str) -> tuple[str, ...]:
    """The lines a Markdown block shows: headings, paragraphs (joined as they wrap), list items, table
    rows, code lines; no syntax, no comments."""
    from tui.markdown import markdown_parser

    lines: list[str] = []
    row: list[str] | None = None
    for token in markdown_parser().parse(text):
        if token.type == "tr_open":
            row = []
        elif token.type == "tr_close" and row is not None:
            lines.append("  ".join(cell for cell in row if cell))
            row = None
        elif token.type == "inline":
            shown = _inline_text(token.children or [])
            if row is not None:
                row.append(shown.replace("\n", " ").strip())
            else:
                lines.extend(shown.split("\n"))
        elif token.type in ("fence", "code_block"):
            lines.extend(token.content.rstrip("\n").split("\n"))
        elif token.type == "html_block" and not token.content.lstrip().startswith("<!--"):
            lines.extend(token.content.rstrip("\n").split("\n"))
    return tuple(line.strip() for line in lines if line.strip())


def _inline_text(children: Iterable) -> str:
    out: list[str] = []
    for child in children:
        if child.type in ("text", "code_inline"):
            out.append(child.content)
        elif child.type == "softbreak":
            out.append(" ")
        elif child.type == "hardbreak":
            out.append("\n")
        elif child.type == "image":
            out.append(f"[image: {_inline_text(child.children or []) or child.attrs.get('src', '')}]")
        elif child.type == "html_inline":
            if not child.content.startswith("<!--"):
                out.append(child.content)
        elif child.children:
            out.append(_inline_text(child.children))
    return "".join(out)


def title_lines(meta: FrontMatter) -> tuple[str, ...]:
    """What the generated title slide shows."""
    where = " · ".join(x for x in (meta.event, meta.location, meta.date) if x)
    return tuple(x for x in (meta.title, meta.sub_title, ", ".join(meta.authors), where) if x)


def slide_lines(slide: Slide, meta: FrontMatter) -> list[Line]:
    """Every searchable line of a slide, in reading order, then its notes."""
    lines: list[Line] = []
    if slide.is_title:
        lines.extend(Line(text) for text in title_lines(meta))
    for element in slide.elements:
        blocks: Iterable[Block] = (b for column in element.columns for b in column) \
            if isinstance(element, Columns) else (element,)
        for block in blocks:
            lines.extend(Line(text, block.step) for text in block_lines(block.text))
    lines.extend(Line(text.strip(), 0, True) for text in slide.notes.split("\n") if text.strip())
    return lines


# searching ----------------------------------------------------------------------------------------

def search_deck(deck: Deck, query: str, limit: int | None = None) -> list[SearchHit]:
    """Every line of the deck that contains `query`, in deck order (slide text before its notes)."""
    hits: list[SearchHit] = []
    if not fold(query.strip())[0]:
        return hits
    for index, slide in enumerate(deck.slides):
        for line in slide_lines(slide, deck.meta):
            spans = find_all(line.text, query)
            if spans:
                hits.append(SearchHit(index, slide.number, slide.title, line.text, spans, line.step, line.in_notes))
                if limit is not None and len(hits) >= limit:
                    return hits
    return hits


@dataclass
class Found:
    """The results of a search and the one shown now: `n`/`N` walk through them, wrapping around."""

    query: str
    hits: list[SearchHit] = field(default_factory=list)
    position: int = 0

    @property
    def current(self) -> SearchHit | None:
        return self.hits[self.position] if self.hits else None

    def move(self, delta: int) -> SearchHit | None:
        if self.hits:
            self.position = (self.position + delta) % len(self.hits)
        return self.current

    def move_from(self, index: int, delta: int) -> SearchHit | None:
        """n / N on slide `index`: the next (delta > 0) or previous hit; from the hit shown now when
        it is on this slide, else the first hit after (or the last before) this slide, wrapping."""
        current = self.current
        if current is None or current.index == index:
            return self.move(delta)
        if delta > 0:
            self.position = next((i for i, h in enumerate(self.hits) if h.index > index), 0)
        else:
            self.position = next((i for i in reversed(range(len(self.hits))) if self.hits[i].index < index),
                                 len(self.hits) - 1)
        return self.current

    def label(self) -> str:
        """'/query 2/7' — what the footer shows."""
        return f"/{self.query}  {self.position + 1}/{len(self.hits)}" if self.hits else f"/{self.query}  no match"


def snippet(line: str, spans: tuple[tuple[int, int], ...], width: int) -> tuple[str, tuple[tuple[int, int], ...]]:
    """`line` cut to at most `width` characters around its first match (… marks a cut), with the
    spans moved to match, so a long paragraph still shows what was found."""
    if len(line) <= width:
        return line, spans
    room = max(1, width - 2)  # what is left beside the two marks
    if not spans:
        return line[:room] + "…", ()
    first_start, first_end = spans[0]
    start = max(0, min(first_start - room // 3, len(line) - room))
    end = min(len(line), max(start + room, first_end))
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(line) else ""
    shift = len(prefix) - start
    moved = tuple((max(s, start) + shift, min(e, end) + shift) for s, e in spans if e > start and s < end)
    return prefix + line[start:end] + suffix, moved
