"""`o`: every slide's title in a list; Enter jumps there."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from tui.deck.model import Deck, format_duration
from tui.deck.search import Found
from tui.render.palette import palette_for


class OverviewScreen(ModalScreen["int | Found | None"]):
    """Dismissed with the index of the chosen slide, or with a search's result (`/` searches)."""

    BINDINGS = [
        Binding("escape,o,q", "close", "Close", id="overview-close"),
        Binding("slash", "search", "Search slides and notes…", id="overview-search"),
    ]

    def __init__(self, deck: Deck, current: int):
        super().__init__()
        self.deck = deck
        self.current = current

    def compose(self) -> ComposeResult:
        width = len(str(len(self.deck.slides)))
        faint = self.faint = palette_for(getattr(self.app, "deck_theme", "dark")).faint
        options = []
        for slide in self.deck.slides:
            line = Text.assemble((f"{slide.number:>{width}}  ", faint), slide.title)
            extras = []
            if slide.demo:
                extras.append(f"demo: {slide.demo}")
            if slide.budget:
                extras.append(format_duration(slide.budget))
            if extras:
                line.append(f"  ({', '.join(extras)})", style=faint)
            options.append(Option(line, id=str(slide.number - 1)))
        with Vertical(id="overview"):
            yield Label(f"{self.deck.title} — {len(self.deck.slides)} slides", id="overview-title")
            yield OptionList(*options, id="overview-list")

    def on_mount(self) -> None:
        self.query_one(OptionList).highlighted = self.current

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(int(event.option.id or 0))

    def action_search(self) -> None:
        from tui.screens.search import SearchScreen

        def done(found: Found | None) -> None:
            if found is not None:
                self.dismiss(found)

        self.app.push_screen(SearchScreen(self.deck, faint=self.faint), done)

    def action_close(self) -> None:
        self.dismiss(None)
