"""`flatdeck notes`: the speaker view, in a second terminal beside the running `flatdeck present`.

Shows the current slide's notes, the next slide's title and a preview, the current demo's steps
with their statuses, the elapsed time and the pacing (tui/deck/pacing.py). Its keys drive the
talk: each one is sent to the presentation, which applies it like its own key and answers with
its new state, so both windows always show the same position. What arrives over the socket
comes from tui/remote/client.py (a `Follower`); this app only shows it.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Callable

from rich.console import Group, RenderableType
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Label, Static

from tui.deck.pacing import pace
from tui.remote.client import Follower
from tui.render.markdown import render_markdown
from tui.widgets.deck_footer import format_clock
from tui.widgets.pace_text import behind_text, budget_text

if TYPE_CHECKING:
    from tui.widgets.step_list import StepList

ENDED = "presentation ended — waiting for it to start again (q quits)"


def _remote(ident: str) -> str:
    return f"remote('{ident}')"


class NotesApp(App[None]):
    CSS_PATH = "../flatdeck.tcss"  # the go-to prompt's look, as in the presenting window
    CSS = """
    #notes-header { dock: top; height: 1; background: $panel; }
    #notes-title { width: 1fr; text-style: bold; padding: 0 1; }
    #notes-status { width: auto; padding: 0 1; }
    #notes-status.-live { color: $success; }
    #notes-status.-ended { color: $error; text-style: bold; }
    #notes-main { height: 1fr; }
    #notes-pane { width: 3fr; border: round $accent; border-title-color: $accent; padding: 0 1; }
    #notes-side { width: 2fr; }
    #next-pane { height: 1fr; border: round $panel-lighten-2; border-title-color: $text-muted;
                 padding: 0 1; overflow: hidden; }
    #demo-pane { height: auto; max-height: 60%; border: round $panel-lighten-2;
                 border-title-color: $text-muted; padding: 0 1; }
    #demo-pane StepList { max-height: 100%; padding: 0; }
    #notes-bottom { dock: bottom; height: auto; }
    #pacing { height: 1; background: $panel; padding: 0 1; }
    #notes-keys { height: 1; color: $text-muted; padding: 0 1; }
    """
    BINDINGS = [
        Binding("right,space,pagedown,l,j", _remote("next"), "Next", id="next"),
        Binding("left,pageup,h,k", _remote("previous"), "Previous", id="previous"),
        Binding("home", _remote("first"), "First slide", id="first"),
        Binding("end", _remote("last"), "Last slide", id="last"),
        Binding("g", "goto", "Go to slide…", id="goto"),
        Binding("down", "scroll(1)", "Scroll the notes down", id="scroll-down"),
        Binding("up", "scroll(-1)", "Scroll the notes up", id="scroll-up"),
        Binding("enter", _remote("demo-next"), "Next demo step", id="demo-next"),
        Binding("R", _remote("demo-rerun"), "Rerun the last demo step", id="demo-rerun"),
        Binding("S", _remote("demo-skip"), "Skip the demo step", id="demo-skip"),
        Binding("ctrl+c", _remote("demo-interrupt"), "Interrupt the running step", id="demo-interrupt"),
        Binding("F", _remote("demo-fallback"), "Replay the failed step's recording", id="demo-fallback"),
        Binding("p", _remote("demo-pause"), "Pause / resume a replay", id="demo-pause"),
        Binding("right_square_bracket", _remote("demo-marker"), "Replay: jump to the next marker", id="demo-marker"),
        Binding("q", "quit", "Quit", id="quit"),
    ]
    HINT = (("next", "next"), ("previous", "previous"), ("goto", "go to"), ("demo-next", "demo step"),
            ("quit", "quit"))

    def __init__(self, follower: Follower | None, *, clock: Callable[[], float] = time.monotonic,
                 keymap: dict[str, str] | None = None):
        super().__init__()
        self.follower = follower  # None: nothing joins (tests feed `apply` themselves)
        self.clock = clock
        self.state: dict | None = None
        self.received = 0.0  # our clock when `state` arrived: times shown grow from there
        self.ended_at: float | None = None  # our clock when the presentation went away
        self.palette = "dark"  # the deck's theme, for the Markdown of notes and previews
        self._demo_name: str | None = None
        self._steps: "StepList | None" = None
        if keymap:
            self.set_keymap(keymap)

    def compose(self) -> ComposeResult:
        with Horizontal(id="notes-header"):
            yield Label("", id="notes-title")
            yield Label("joining…", id="notes-status")
        with Horizontal(id="notes-main"):
            with VerticalScroll(id="notes-pane", can_focus=False):  # keys drive the talk, not the scroll
                yield Static(id="notes-text")
            with Vertical(id="notes-side"):
                with Vertical(id="next-pane"):
                    yield Static(id="next-preview")
                yield Vertical(id="demo-pane")
        with Vertical(id="notes-bottom"):
            yield Static(id="notes-keys")
            yield Static(id="pacing")

    def on_mount(self) -> None:
        self.query_one("#notes-pane").border_title = "Notes"
        self.query_one("#next-pane").border_title = "Next"
        self.query_one("#demo-pane").display = False
        self.query_one("#notes-keys", Static).update(self._hint())
        if self.follower is not None:
            self.run_worker(self._follow(), name="notes-link", exclusive=True)
        self.set_interval(1.0, self._show_pacing)

    def _hint(self) -> Text:
        keys: dict[str, str] = {}
        for key, active in self.active_bindings.items():
            keys.setdefault(active.binding.id or "", self.get_key_display(active.binding))
        return Text("  ·  ".join(f"{keys[ident]} {label}" for ident, label in self.HINT if ident in keys))

    async def _follow(self) -> None:
        assert self.follower is not None
        async for kind, data in self.follower.events():
            if kind == "joined":
                self.joined(data)  # type: ignore[arg-type]
            elif kind == "state":
                await self.apply(data)  # type: ignore[arg-type]
            elif self.state is not None:  # ended, or still waiting for it to come back
                self.ended()
            else:
                self.set_status(str(data), "-ended")

    # what the presentation says ----------------------------------------------------------------
    def joined(self, hello: dict) -> None:
        from tui.deck.model import THEMES
        from tui.themes import apply_theme

        self.palette = hello["theme"] if hello.get("theme") in THEMES else "dark"
        apply_theme(self, self.palette)  # the presenting window's colours
        self.query_one("#notes-title", Label).update(str(hello.get("title", "")))
        self.set_status(f"● live (pid {hello.get('pid')})", "-live")

    def ended(self) -> None:
        """The presentation went away: say so, and stop the clocks where they were."""
        if self.ended_at is None:
            self.ended_at = self.clock()
            self._show_pacing()
        self.set_status(ENDED, "-ended")

    def set_status(self, text: str, kind: str) -> None:
        status = self.query_one("#notes-status", Label)
        status.set_classes(kind)
        status.update(text)

    async def apply(self, state: dict) -> None:
        """Show the presenter's state (a `state` message, see tui/remote/state.py)."""
        self.state, self.received, self.ended_at = state, self.clock(), None
        position = f"slide {state['number']} / {state['count']}"
        if state["steps"] > 1:
            position += f"  ▸ {state['step'] + 1}/{state['steps']}"
        pane = self.query_one("#notes-pane", VerticalScroll)
        pane.border_title = f"Notes — {state['title']}"
        pane.border_subtitle = position
        notes = state.get("notes") or ""
        self.query_one("#notes-text", Static).update(
            render_markdown(notes, self.palette).renderable if notes.strip()
            else Text("(no notes on this slide)", style="dim italic"))
        pane.scroll_home(animate=False)
        self._show_next(state.get("next"))
        await self._show_demo(state.get("demo"))
        self._show_pacing()

    def _show_next(self, following: dict | None) -> None:
        box = self.query_one("#next-pane")
        preview = self.query_one("#next-preview", Static)
        if following is None:
            box.border_title = "Next — (the end)"
            preview.update(Text("This is the last slide.", style="dim italic"))
            return
        box.border_title = f"Next — {following['number']}: {following['title']}"
        parts: list[RenderableType] = []
        for block in following.get("blocks", []):
            if parts:
                parts.append(Text(""))
            parts.append(render_markdown(block, self.palette).renderable)
        preview.update(Group(*parts))

    async def _show_demo(self, demo: dict | None) -> None:
        from tui.engine.events import StepStatus
        from tui.scenario.model import KINDS, Step
        from tui.widgets.step_list import StepList

        box = self.query_one("#demo-pane", Vertical)
        box.display = demo is not None
        if demo is None:
            return
        box.border_title = f"Demo — {demo['title']}" + (f"  {demo['badge']}" if demo.get("badge") else "")
        if demo.get("error"):
            await box.remove_children()
            await box.mount(Static(Text(str(demo["error"]), style="red")))
            self._steps = None
            return
        step_list = self._steps
        if step_list is None or demo["name"] != self._demo_name or [r["id"] for r in demo["steps"]] != list(step_list.rows):
            steps = [(row["section"], Step(row["id"], row["kind"] if row["kind"] in KINDS else "run", 0, 0,
                                           title=row["label"])) for row in demo["steps"]]
            await box.remove_children()
            step_list = self._steps = StepList(steps, self.clock)
            await box.mount(step_list)
            self._demo_name = demo["name"]
        for row in demo["steps"]:
            try:
                status = StepStatus(row["status"])
            except ValueError:
                status = StepStatus.PENDING
            if step_list.rows[row["id"]].status is not status:
                step_list.set_status(row["id"], status)
        step_list.set_next(demo.get("next"))

    def _show_pacing(self) -> None:
        state = self.state
        if state is None:
            return
        now = self.clock() if self.ended_at is None else self.ended_at
        since = max(0.0, now - self.received)  # the presentation's times, grown since it sent them
        now = pace(state["budgets"], state["index"], state["elapsed"] + since, state["spent"] + since)
        parts = [Text.assemble((format_clock(now.elapsed), "bold"), (" elapsed", "dim")),
                 budget_text("slide", now.slide_spent, now.slide_budget, now.slide)]
        if now.total:
            parts += [Text.assemble(budget_text("talk", now.elapsed, now.planned, now.talk),
                                    (f" of {format_clock(now.total)}", "dim")), behind_text(now)]
        self.query_one("#pacing", Static).update(Text("   ").join(parts))

    # keys -----------------------------------------------------------------------------------------
    def action_remote(self, ident: str) -> None:
        if self.follower is None or not self.follower.action(ident):
            self.bell()

    def action_goto(self) -> None:
        from tui.screens.goto import GotoScreen

        if self.state is None:
            self.bell()
            return

        def done(number: int | None) -> None:
            if number is not None and (self.follower is None or not self.follower.goto(number)):
                self.bell()

        self.push_screen(GotoScreen(self.state["count"]), done)

    def action_scroll(self, lines: int) -> None:
        self.query_one("#notes-pane", VerticalScroll).scroll_relative(y=lines, animate=False)
