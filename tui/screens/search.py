"""`/`: search slide text and notes; results update as you type, Enter jumps to the one highlighted."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from tui.deck.model import Deck
from tui.deck.search import Found, SearchHit, search_deck, snippet

MAX_RESULTS = 200  # lines listed at most (the count above the list says how many there are)
MATCH_STYLE = "bold reverse"  # readable in every theme


def hit_text(hit: SearchHit, width: int, faint: str = "dim") -> Text:
    """One result on one line: number, title, then the line with its matches highlighted."""
    title = hit.title if len(hit.title) <= 24 else hit.title[:23] + "…"
    text = Text.assemble((f"{hit.number:>3}  ", faint), (f"{title:<24}", "bold"), "  ")
    if hit.in_notes:
        text.append("notes: ", style=f"{faint} italic")
    line, spans = snippet(hit.line, hit.spans, max(10, width - text.cell_len))
    shown = Text(line)
    for start, end in spans:
        shown.stylize(MATCH_STYLE, start, end)
    text.append_text(shown)
    text.truncate(width, overflow="ellipsis")  # wide characters count twice
    return text


class SearchScreen(ModalScreen[Found | None]):
    BINDINGS = [
        Binding("escape", "close", "Close", id="search-close"),
        Binding("down", "move(1)", "Next result", show=False, id="search-down"),
        Binding("up", "move(-1)", "Previous result", show=False, id="search-up"),
        Binding("pagedown", "move(10)", "Results: page down", show=False, id="search-page-down"),
        Binding("pageup", "move(-10)", "Results: page up", show=False, id="search-page-up"),
    ]

    def __init__(self, deck: Deck, query: str = "", faint: str = "dim"):
        super().__init__()
        self.deck = deck
        self.query_text = query
        self.faint = faint
        self.hits: list[SearchHit] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="search"):
            yield Input(value=self.query_text, placeholder="Search slide text and notes", id="search-input")
            yield Label("", id="search-count")
            results = OptionList(id="search-results")
            results.can_focus = False  # the keys stay in the input; ↑ ↓ move through the results
            yield results

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        self.call_after_refresh(self._update, self.query_text)  # laid out: the list knows its width

    def on_input_changed(self, event: Input.Changed) -> None:
        self._update(event.value)

    def _update(self, query: str) -> None:
        self.query_text = query
        self.hits = search_deck(self.deck, query)
        results = self.query_one(OptionList)
        width = max(40, results.scrollable_content_region.width - 1)
        results.clear_options()
        results.add_options(Option(hit_text(hit, width, self.faint)) for hit in self.hits[:MAX_RESULTS])
        if self.hits:
            results.highlighted = 0
        slides = len({hit.index for hit in self.hits})
        count = ("Type to search the slides and their notes." if not query.strip()
                 else "No match." if not self.hits
                 else f"{len(self.hits)} line{'s' if len(self.hits) != 1 else ''} on {slides} "
                      f"slide{'s' if slides != 1 else ''} — Enter jumps, Esc closes, n/N later for the next/previous")
        self.query_one("#search-count", Label).update(count)

    def action_move(self, delta: int) -> None:
        results = self.query_one(OptionList)
        if results.option_count:
            current = results.highlighted if results.highlighted is not None else 0
            results.highlighted = max(0, min(results.option_count - 1, current + delta))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        highlighted = self.query_one(OptionList).highlighted
        if self.hits and highlighted is not None:
            self.dismiss(Found(self.query_text.strip(), self.hits, highlighted))
        elif not self.hits and self.query_text.strip():
            self.notify(f"No slide or note contains {self.query_text.strip()!r}.", severity="warning", timeout=3)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(Found(self.query_text.strip(), self.hits, event.option_index))

    def action_close(self) -> None:
        self.dismiss(None)
