"""`flatdeck replay FILE.cast`: one pane playing a cast, with pause, jumps and speed."""

from __future__ import annotations

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from tui.recording.asciicast import Cast
from tui.recording.replay import Replayer
from tui.widgets.deck_footer import format_clock
from tui.widgets.terminal_pane import TerminalPane


class ReplayApp(App[None]):
    CSS = """
    TerminalPane { height: 1fr; border: round $panel-lighten-2; }
    #status { dock: bottom; height: 1; background: $panel; padding: 0 1; }
    """
    BINDINGS = [
        Binding("space", "pause", "Pause / resume", id="replay-pause"),
        Binding("right_square_bracket,full_stop", "marker", "Jump to the next marker", id="replay-marker"),
        Binding("enter", "finish", "Show the end", id="replay-finish"),
        Binding("q,escape", "quit", "Quit", id="replay-quit"),
    ]
    AUTO_FOCUS = ""  # the keys above drive the player; nothing types into a recording

    def __init__(self, cast: Cast, speed: float = 1.0):
        super().__init__()
        self.cast = cast
        self.speed = speed
        self.replayer: Replayer | None = None

    def compose(self) -> ComposeResult:
        pane = TerminalPane(self.cast.header.title or self.cast.path.name)
        pane.can_focus = False
        yield pane
        yield Static(id="status")

    def on_mount(self) -> None:
        pane = self.query_one(TerminalPane)
        self.replayer = Replayer(self.cast, pane.feed, self.speed)
        self.run_worker(self._play(), exclusive=True)
        self.set_interval(0.25, self._status)
        self._status()

    async def _play(self) -> None:
        assert self.replayer is not None
        await self.replayer.play()
        self._status()

    def _status(self) -> None:
        replayer = self.replayer
        if replayer is None:
            return
        state = "done" if replayer.finished else "paused" if replayer.paused else f"playing ×{self.speed:g}"
        elapsed = min(replayer.elapsed(), self.cast.duration) if not replayer.finished else self.cast.duration
        text = Text.assemble((f"{state}  ", "bold"), f"{format_clock(elapsed)} / {format_clock(self.cast.duration)}",
                             ("   space pause · ] next marker · enter end · q quit", "dim"))
        self.query_one("#status", Static).update(text)

    def action_pause(self) -> None:
        if self.replayer is not None:
            self.replayer.toggle_pause()
            self._status()

    def action_marker(self) -> None:
        if self.replayer is not None:
            self.replayer.next_marker()

    def action_finish(self) -> None:
        if self.replayer is not None:
            self.replayer.finish()
