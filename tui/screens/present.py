"""The presenting screen: the current slide, reveal steps, navigation, footer and hot reload."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container
from textual.message import Message
from textual.screen import Screen
from textual.widget import MountError
from textual.widgets import Static

from tui.deck import pacing
from tui.deck.model import Deck
from tui.deck.pacing import SlideTimes
from tui.deck.watch import deck_signature
from tui.errors import LoadError
from tui.screens.speaker_link import SpeakerLink
from tui.widgets.deck_footer import DeckFooter
from tui.widgets.help_panel import HelpPanel
from tui.widgets.pace_text import footer_pace
from tui.widgets.slide_view import SlideView

if TYPE_CHECKING:
    from tui.deck.search import Found, SearchHit
    from tui.demo import DemoRuntime
    from tui.widgets.demo_panel import DemoPanel
    from tui.widgets.terminal_pane import TerminalPane

RELOAD_POLL_SECONDS = 0.5
OUTPUT_BATCH = 0.008  # seconds of pane output gathered into one message (under a frame at 60 Hz)


def _slide_search_commands():
    from tui.screens.search_commands import SlideSearchCommands  # loaded when the palette opens

    return SlideSearchCommands


class PresentScreen(Screen):
    BINDINGS = [
        Binding("right,space,pagedown,l,j", "next", "Next", id="next"),
        Binding("left,pageup,h,k", "previous", "Previous", id="previous"),
        Binding("home", "first", "First slide", id="first"),
        Binding("end", "last", "Last slide", id="last"),
        Binding("g", "goto", "Go to slide…", id="goto"),
        Binding("o", "overview", "Overview", id="overview"),
        Binding("slash", "search", "Search slides and notes…", id="search"),
        Binding("n", "search_next(1)", "Next search match", id="search-next"),
        Binding("N", "search_next(-1)", "Previous search match", id="search-previous"),
        Binding("down", "scroll(1)", "Scroll down", id="scroll-down"),
        Binding("up", "scroll(-1)", "Scroll up", id="scroll-up"),
        Binding("enter", "demo('advance')", "Next demo step", id="demo-next"),
        Binding("R", "demo('rerun')", "Rerun the last demo step", id="demo-rerun"),
        Binding("S", "demo('skip')", "Skip the demo step", id="demo-skip"),
        Binding("ctrl+c", "demo('interrupt')", "Interrupt the running step", id="demo-interrupt"),
        Binding("F", "demo_fallback", "Replay the failed step's recording", id="demo-fallback"),
        Binding("p", "demo('toggle_pause')", "Pause / resume a replay", id="demo-pause"),
        Binding("right_square_bracket", "demo('next_marker')", "Replay: jump to the next marker", id="demo-marker"),
        Binding("tab", "focus_pane", "Type into the demo's shell", id="demo-focus"),
        Binding("t", "toggle_timer", "Timer and pacing in the footer", id="timer"),
        # --guided only (check_action hides them otherwise)
        Binding("c", "guided('recheck')", "Run the check again", id="demo-recheck"),
        Binding("u", "guided('catch_up')", "Rebuild the shell: setup and the steps that passed", id="demo-catch-up"),
        Binding("question_mark", "help", "Help", id="help"),
        Binding("q", "quit", "Quit", id="quit"),
        Binding("escape", "close_help", "", id="help-close", show=False),
    ]

    class DemoEvent(Message):
        """An engine event for the demo `name` (published on the engine's bus, shown here)."""

        def __init__(self, name: str, event: object):
            super().__init__()
            self.name, self.event = name, event
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    COMMANDS = {_slide_search_commands}  # typing in the palette finds slides too
    AUTO_FOCUS = ""  # nothing: keys drive the talk until the presenter tabs into a shell

    def __init__(self, deck: Deck, start: int = 0, watch: bool = True):
        super().__init__()
        self.deck = deck
        self.index = max(0, min(start, len(deck.slides) - 1))
        self.watch_files = watch
        self._views: dict[int, SlideView] = {}
        self._panels: dict[str, "DemoPanel"] = {}
        self._pending_output: dict[tuple[str, str, type], list] = {}
        self._found: Found | None = None  # the last search, for n / N
        self._signature = deck_signature(deck.path) if watch else ()
        # the files as they were when `deck` was parsed; the start-up cache is keyed by them
        self._loaded_signature = self._signature or deck_signature(deck.path)
        self.slide_times = SlideTimes()  # pacing: time spent on each slide
        self.show_pacing = False  # `t`: the footer shows the slide and the talk against their budgets
        self.speaker = SpeakerLink(self)  # `flatdeck notes` joins through it

    def compose(self) -> ComposeResult:
        yield Static(id="reload-error", classes="error-panel")
        # direct children (the screen lays them out side by side), so they exist in on_mount
        yield Container(id="slides")
        yield Container(id="demo-area")
        yield DeckFooter(id="footer")
        yield HelpPanel()

    async def on_mount(self) -> None:
        self.query_one("#reload-error").display = False
        self.query_one("#demo-area").display = False
        footer = self.query_one(DeckFooter)
        footer.title = self.deck.title
        await self.show(self.index, step=0)
        for notice in getattr(self.app.demos, "notices", ()):
            self.notify(notice, timeout=12, markup=False)
        self.call_after_refresh(self.speaker.start)  # after the first slide is on screen
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
        self.slide_times.enter(index, self.app.clock())
        await self._show_demo(view.slide.demo)
        self.query_one(DeckFooter).message = ""  # a search result's label; it goes with its slide
        if getattr(self.app, "demos", None) is not None:
            self.app.demos.slide_shown(index)
        self._update_footer()
        self.call_after_refresh(self._prebuild_neighbours)

    async def _build(self, index: int) -> SlideView:
        view = SlideView(self.deck.slides[index], self.deck.meta, self.app.deck_theme)
        view.display = False
        self._views[index] = view
        await self.query_one("#slides").mount(view)
        return view

    async def _prebuild_neighbours(self) -> None:
        """Build the next and previous slides while the presenter talks, so switching is instant."""
        current = self._views.get(self.index)
        if current is None:  # a reload is rebuilding the slides; it prebuilds again when done
            return
        width = current.scrollable_content_region.width
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

        def done(chosen: "int | Found | None") -> None:
            if isinstance(chosen, int):
                self.run_worker(self.show(chosen), exclusive=True)
            elif chosen is not None:  # `/` in the overview searched
                self.jump_to(chosen)

        self.app.push_screen(OverviewScreen(self.deck, self.index), done)

    # search -----------------------------------------------------------------------------------
    def action_search(self) -> None:
        from tui.screens.search import SearchScreen

        def done(found: Found | None) -> None:
            if found is not None:
                self.jump_to(found)

        from tui.render.palette import palette_for

        query = self._found.query if self._found else ""
        self.app.push_screen(SearchScreen(self.deck, query, palette_for(self.app.deck_theme).faint), done)

    def jump_to(self, found: Found) -> None:
        """Show the slide of the chosen hit, at the reveal step that first shows it."""
        self._found = found
        self.run_worker(self._jump(found), exclusive=True)

    async def _jump(self, found: Found) -> None:
        hit = found.current
        if hit is None:
            return
        await self.show(hit.index, step=hit.step)
        self.query_one(DeckFooter).message = found.label()
        if not hit.in_notes:
            self.call_after_refresh(self._scroll_to, hit, found.query)

    def _scroll_to(self, hit: SearchHit, query: str) -> None:
        """On a slide taller than the screen, bring the first line showing the match into view."""
        from tui.deck.search import find_all
        from tui.widgets.slide_view import Chunk

        view = self._views.get(hit.index)
        if view is None or view.max_scroll_y <= 0:
            return
        for chunk in view.query(Chunk):
            if chunk.step != hit.step or not chunk.display:
                continue
            for row, line in enumerate(chunk.render_text().split("\n")):
                if find_all(line, query):
                    top, node = row, chunk
                    while node is not view and node is not None:  # chunk → its columns → the slide
                        top += node.virtual_region.y
                        node = node.parent
                    view.scroll_to(y=max(0, top - 2), animate=False)
                    return

    def action_search_next(self, delta: int) -> None:
        """n / N: the next or previous match of the last search (from the slide shown now)."""
        from tui.deck.search import Found, search_deck

        if self._found is None:
            self.notify("No search yet: press / to search the slides and notes.", timeout=3)
            return
        found = Found(self._found.query, search_deck(self.deck, self._found.query), self._found.position)
        if not found.hits:
            self.notify(f"No slide or note contains {found.query!r}.", severity="warning", timeout=3)
            return
        found.move_from(self.index, delta)
        self.jump_to(found)

    def action_help(self) -> None:
        help_panel = self.query_one(HelpPanel)
        if help_panel.is_open:
            help_panel.close()
        else:
            help_panel.open(self)

    def action_close_help(self) -> bool:
        """Escape (or q) while help shows closes it; True when it did."""
        help_panel = self.query_one(HelpPanel)
        if help_panel.is_open:
            help_panel.close()
            return True
        return False

    def action_quit(self) -> None:
        if not self.action_close_help():
            self.app.exit()

    # demos ------------------------------------------------------------------------------------
    @property
    def demo(self) -> "DemoRuntime | None":
        """The runtime of the demo on the current slide."""
        name = self.deck.slides[self.index].demo
        stage = getattr(self.app, "demos", None)
        return stage.runtimes.get(name) if stage is not None and name else None

    async def _show_demo(self, name: str | None) -> None:
        area = self.query_one("#demo-area")
        if name is None or getattr(self.app, "demos", None) is None:
            area.display = False
            return
        panel = self._panels.get(name)
        if panel is None:
            panel = self._panels[name] = self._make_panel(name)
            await area.mount(panel)
            runtime = self.app.demos.runtimes.get(name)
            if runtime is not None and runtime.live:
                self.run_worker(runtime.open_panes(), group="demo")
        for other in self._panels.values():
            other.display = other is panel
        area.display = True

    def _make_panel(self, name: str) -> "DemoPanel":
        from tui.widgets.demo_panel import DemoPanel

        stage = self.app.demos

        def pane_size(pane: str) -> tuple[int, int]:
            widget = self._panels[name].pane(pane) if name in self._panels else None
            return (widget.model.width, widget.model.height) if widget is not None else (80, 24)

        try:
            runtime = stage.get(name, pane_size)
        except LoadError as exc:
            badge = "REPLAY" if stage.mode == "replay" else "LIVE"
            return DemoPanel(name, None, badge, "\n".join(str(e) for e in exc.errors))
        runtime.bus.subscribe(lambda event: self._forward(name, event))
        return DemoPanel(name, runtime.scenario, runtime.badge)

    def _forward(self, name: str, event: object) -> None:
        """Engine events become messages; pane output is batched for OUTPUT_BATCH seconds, so a
        flooding command costs ~120 messages a second instead of one per read (keys stay
        responsive). Any other event first flushes what is pending, so the order is kept."""
        from tui.engine.events import PaneOutput, ResourceEvents

        if isinstance(event, PaneOutput) or isinstance(event, ResourceEvents) and not event.replace:
            key = (name, event.pane, type(event))
            if not self._pending_output:
                asyncio.get_running_loop().call_later(OUTPUT_BATCH, self._flush_output)
            self._pending_output.setdefault(key, []).append(event)
            return
        self._flush_output()
        self.post_message(self.DemoEvent(name, event))

    def _flush_output(self) -> None:
        from tui.engine.events import PaneOutput, ResourceEvents

        pending, self._pending_output = self._pending_output, {}
        for (name, pane, kind), events in pending.items():
            if kind is PaneOutput:
                merged = PaneOutput(pane, "".join(e.data for e in events))
            else:  # a kube pane's changes of the last few milliseconds, in order, as one batch
                merged = ResourceEvents(pane, tuple(c for e in events for c in e.events), at=events[-1].at)
            self.post_message(self.DemoEvent(name, merged))

    def on_present_screen_demo_event(self, message: DemoEvent) -> None:
        panel = self._panels.get(message.name)
        if panel is not None:
            panel.handle(message.event)
        self.speaker.demo_event(message.event)

    def action_demo(self, method: str) -> None:
        """A demo key: call the runtime's method of that name (a slide without a demo ignores it)."""
        if self.demo is not None:
            getattr(self.demo, method)()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "guided":  # the self-guided keys exist only in guided mode
            return getattr(getattr(self.app, "demos", None), "mode", None) == "guided"
        return True

    def action_guided(self, method: str) -> None:
        self.action_demo(method)

    def action_demo_fallback(self) -> None:
        if self.demo is not None and self.demo.fallback() is None and self.demo.failed is not None:
            self.notify("This step has no recording to fall back to (flatdeck record makes one).",
                        severity="warning", timeout=4)

    def action_focus_pane(self) -> None:
        from tui.widgets.kube_pane import KubePane
        from tui.widgets.terminal_pane import TerminalPane

        panel = self._panels.get(self.deck.slides[self.index].demo or "")
        panes = list(panel.query(".terminal-pane")) if panel is not None and panel.display else []
        panes = [p for p in panes if isinstance(p, (TerminalPane, KubePane))]
        if panes:
            focused = self.focused
            after = panes[(panes.index(focused) + 1) % len(panes)] if focused in panes else panes[0]
            after.focus()

    def on_terminal_pane_input(self, message: TerminalPane.Input) -> None:
        if self.demo is not None:
            self.demo.type_into(message.pane.pane_name, message.data)

    def on_terminal_pane_resized(self, message: TerminalPane.Resized) -> None:
        for name, panel in self._panels.items():
            if message.pane in panel.query(type(message.pane)):
                runtime = self.app.demos.runtimes.get(name)
                if runtime is not None:
                    runtime.resize(message.pane.pane_name, message.cols, message.rows)

    def on_terminal_pane_released(self, message: TerminalPane.Released) -> None:
        self.set_focus(None)

    async def on_unmount(self) -> None:
        self.speaker.close()  # speaker windows say "presentation ended" at once
        stage = getattr(self.app, "demos", None)
        if stage is not None:
            await stage.close()  # cleanup steps, then every shell ends: nothing outlives the talk

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
        self._update_pacing()
        self.speaker.publish()

    def pace(self) -> pacing.Pace:
        """The pace now: the current slide and the talk against their budgets (tui/deck/pacing.py)."""
        now = self.app.clock()
        return pacing.pace([s.budget for s in self.deck.slides], self.index, now - self.app.started_at,
                           self.slide_times.spent_on(self.index, now))

    def _update_pacing(self) -> None:
        self.query_one(DeckFooter).pacing = footer_pace(self.pace()) if self.show_pacing else None

    def action_toggle_timer(self) -> None:
        self.show_pacing = not self.show_pacing
        self._update_pacing()

    def on_slide_view_scrolled(self, event: SlideView.Scrolled) -> None:
        if event.control is self._views.get(self.index):
            self._update_footer()

    def _tick(self) -> None:
        self.query_one(DeckFooter).elapsed = self.app.elapsed()
        if self.show_pacing:
            self._update_pacing()

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
        self.app.use_theme(deck.meta.theme)
        self._loaded_signature = self._signature
        self.query_one(DeckFooter).title = deck.title
        # a neighbour prebuilt while these are removed already belongs to the new deck
        old_views = list(self._views.values())
        self._views.clear()
        for view in old_views:
            await view.remove()
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
