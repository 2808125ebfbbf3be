"""The deck as data: slides made of Markdown blocks, column layouts and reveal steps.

Pure data, built by `tui.deck.parse`; nothing here reads files or knows about the UI.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Union

from tui.errors import Location

THEMES = ("dark", "light", "projector")  # colours in tui/render/palette.py


@dataclass(frozen=True)
class Block:
    """A run of Markdown between two directives, shown from reveal step `step` on."""

    text: str
    line: int  # 1-based line of its first character in the source file
    step: int


@dataclass(frozen=True)
class Columns:
    """A column layout: `widths` are relative (as in `column_layout: [3, 2]`)."""

    widths: tuple[int, ...]
    columns: tuple[tuple[Block, ...], ...]
    line: int
    step: int


Element = Union[Block, Columns]


@dataclass(frozen=True)
class FrontMatter:
    title: str = ""
    sub_title: str = ""
    authors: tuple[str, ...] = ()
    event: str = ""
    location: str = ""
    date: str = ""
    theme: str = "dark"
    speaker_note: str = ""  # notes and budget of the generated title slide
    time: float | None = None


@dataclass(frozen=True)
class Slide:
    number: int  # 1-based position in the deck
    title: str
    elements: tuple[Element, ...]
    source: Location
    steps: int = 1  # reveal states: one more than the number of pauses
    notes: str = ""
    demo: str | None = None
    budget: float | None = None  # seconds, from `<!-- time: 2m -->`
    is_title: bool = False  # generated from the front matter


@dataclass(frozen=True)
class Deck:
    path: Path  # the file or directory it was loaded from
    meta: FrontMatter
    slides: tuple[Slide, ...]
    files: tuple[Path, ...] = field(default=())

    @property
    def title(self) -> str:
        return self.meta.title or self.path.stem

    @property
    def demos(self) -> tuple[str, ...]:
        """Scenario names bound by slides, in order of first use."""
        seen: dict[str, None] = {}
        for slide in self.slides:
            if slide.demo:
                seen.setdefault(slide.demo)
        return tuple(seen)

    @property
    def total_budget(self) -> float:
        return sum(s.budget or 0.0 for s in self.slides)


def format_duration(seconds: float) -> str:
    """90 -> '1m30s'; used by `check` and the footer."""
    whole = int(round(seconds))
    minutes, secs = divmod(whole, 60)
    hours, minutes = divmod(minutes, 60)
    parts = [f"{hours}h" if hours else "", f"{minutes}m" if minutes else "", f"{secs}s" if secs else ""]
    return "".join(parts) or "0s"
