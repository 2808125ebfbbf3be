"""The presenting screen: the current slide, reveal steps, navigation, footer and hot reload."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container
from textual.screen import Screen
from textual.widget import MountError
from textual.widgets import Static

from tui.deck.model import Deck
from tui.deck.watch import deck_signature
from tui.errors import LoadError
from tui.widgets.deck_footer import DeckFooter
from tui.widgets.slide_view import SlideView

RELOAD_POLL_SECONDS = 0.5


class PresentScreen(Screen):
    BINDINGS = [
        Binding("right,space,pagedown,l,j", "next", "Next", id="next"),
        Binding("left,pageup,h,k", "previous", "Previous", id="previous"),
        Binding("home", "first", "First slide", id="first"),
        Binding("end", "last", "Last slide", id="last"),
        Binding("g", "goto", "Go to slide…", id="goto"),
        Binding("o", "overview", "Overview", id="overview"),
        Binding("down", "scroll(1)", "Scroll down", id="scroll-down"),
        Binding("up", "scroll(-1)", "Scroll up", id="scroll-up"),
        Binding("question_mark", "help", "Help", id="help"),
        Binding("q", "app.quit", "Quit", id="quit"),
    ]
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]

    def __init__(self, deck: Deck, start: int = 0, watch: bool = True):
        super().__init__()
        self.deck = deck
        self.index = max(0, min(start, len(deck.slides) - 1))
        self.watch_files = watch
        self._views: dict[int, SlideView] = {}
        self._signature = deck_signature(deck.path) if watch else ()
        # the files as they were when `deck` was parsed; the start-up cache is keyed by them
        self._loaded_signature = self._signature or deck_signature(deck.path)

    def compose(self) -> ComposeResult:
        yield Static(id="reload-error", classes="error-panel")
        yield Container(id="stage")
        yield DeckFooter(id="footer")

    async def on_mount(self) -> None:
        self.query_one("#reload-error").display = False
        footer = self.query_one(DeckFooter)
        footer.title = self.deck.title
        await self.show(self.index, step=0)
        self.set_interval(1.0, self._tick)
        if self.watch_files:
            self.set_interval(RELOAD_POLL_SECONDS, self.check_reload)

    # navigation -------------------------------------------------------------------------------
    @property
    def view(self) -> SlideView:
        return self._views[self.index]

    async def show(self, index: int, step: int | None = None) -> None:
        """Make slide `index` visible at reveal `step` (None = fully revealed)."""
        index = max(0, min(index, len(self.deck.slides) - 1))
        view = self._views.get(index)
        if view is None:
            view = await self._build(index)
        old = self._views.get(self.index)
        if old is not None and old is not view:
            old.display = False
        self.index = index
        view.reveal(view.slide.steps - 1 if step is None else step)
        view.display = True
        view.scroll_home(animate=False)
        self._update_footer()
        self.call_after_refresh(self._prebuild_neighbours)

    async def _build(self, index: int) -> SlideView:
        view = SlideView(self.deck.slides[index], self.deck.meta, self.deck.meta.theme)
        view.display = False
        self._views[index] = view
        await self.query_one("#stage").mount(view)
        return view

    async def _prebuild_neighbours(self) -> None:
        """Build the next and previous slides while the presenter talks, so switching is instant."""
        width = self.view.scrollable_content_region.width
        for index in (self.index + 1, self.index - 1):
            if 0 <= index < len(self.deck.slides) and index not in self._views:
                try:
                    view = await self._build(index)
                except MountError:  # the app is closing (a quit right after start)
                    return
                view.prerender(width)
        if self._loaded_signature:
            self.app.save_cache(self.deck, self._loaded_signature)

    async def action_next(self) -> None:
        view = self.view
        if view.step < view.slide.steps - 1:
            view.reveal(view.step + 1)
            self._update_footer()
        elif self.index < len(self.deck.slides) - 1:
            await self.show(self.index + 1, step=0)

    async def action_previous(self) -> None:
        view = self.view
        if view.step > 0:
            view.reveal(view.step - 1)
            self._update_footer()
        elif self.index > 0:
            await self.show(self.index - 1)

    async def action_first(self) -> None:
        await self.show(0, step=0)

    async def action_last(self) -> None:
        await self.show(len(self.deck.slides) - 1)

    async def goto(self, number: int) -> None:
        """Go to slide `number` (1-based), fully revealed."""
        await self.show(number - 1)

    def action_scroll(self, lines: int) -> None:
        self.view.scroll_relative(y=lines, animate=False)

    def action_goto(self) -> None:
        from tui.screens.goto import GotoScreen

        def done(number: int | None) -> None:
            if number is not None:
                self.run_worker(self.goto(number), exclusive=True)

        self.app.push_screen(GotoScreen(len(self.deck.slides)), done)

    def action_overview(self) -> None:
        from tui.screens.overview import OverviewScreen

        def done(index: int | None) -> None:
            if index is not None:
                self.run_worker(self.show(index), exclusive=True)

        self.app.push_screen(OverviewScreen(self.deck, self.index), done)

    def action_help(self) -> None:
        from tui.screens.help import HelpScreen

        self.app.push_screen(HelpScreen(self))

    # footer and clock -------------------------------------------------------------------------
    def _update_footer(self) -> None:
        footer = self.query_one(DeckFooter)
        slide = self.deck.slides[self.index]
        parts = []
        if self.view.more_below:
            parts.append("↓ more")
        if slide.demo:
            parts.append(f"demo: {slide.demo}")
        if slide.steps > 1:
            parts.append(f"▸ {self.view.step + 1}/{slide.steps}")
        parts.append(f"{self.index + 1} / {len(self.deck.slides)}")
        footer.position = "  ".join(parts)

    def on_slide_view_scrolled(self, event: SlideView.Scrolled) -> None:
        if event.control is self._views.get(self.index):
            self._update_footer()

    def _tick(self) -> None:
        self.query_one(DeckFooter).elapsed = self.app.elapsed()

    # hot reload -------------------------------------------------------------------------------
    async def check_reload(self) -> None:
        signature = deck_signature(self.deck.path)
        if signature == self._signature:
            return
        self._signature = signature
        await self.reload()

    async def reload(self) -> None:
        from tui.deck.parse import load_deck

        panel = self.query_one("#reload-error", Static)
        try:
            deck = load_deck(self.deck.path)
        except LoadError as exc:
            panel.update(self._error_text(exc))
            panel.display = True
            return
        panel.display = False
        step = self.view.step
        self.deck = deck
        self._loaded_signature = self._signature
        self.query_one(DeckFooter).title = deck.title
        for view in self._views.values():
            await view.remove()
        self._views.clear()
        await self.show(min(self.index, len(deck.slides) - 1), step=step)

    @staticmethod
    def _error_text(exc: LoadError):
        from rich.text import Text

        text = Text("The deck has errors — still showing the last good version; save a fix to recover.\n",
                    style="bold")
        for error in exc.errors[:8]:
            text.append(f"\n{error}")
        if len(exc.errors) > 8:
            text.append(f"\n… and {len(exc.errors) - 8} more (run `flatdeck check`)")
        return text
