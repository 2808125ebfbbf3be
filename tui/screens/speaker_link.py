"""The presenting screen's side of the speaker view (`flatdeck notes`).

The notes server (tui/remote/server.py) runs in a worker owned by the app, started after the
first slide is on screen; this glue tells it the presenter's state after every change and applies
the speaker's commands through the screen's own actions, exactly as the keys do. When the server
cannot listen, the talk goes on and a notification says why.
"""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tui.remote.server import NotesServer
    from tui.screens.present import PresentScreen

AUTO = "auto"  # the default socket: present-PID.sock in the runtime directory (tui/remote/paths.py)


class SpeakerLink:
    def __init__(self, screen: "PresentScreen"):
        self.screen = screen
        self.server: "NotesServer | None" = None
        self._sent: dict | None = None

    def start(self) -> None:
        where = getattr(self.screen.app, "speaker", None)
        if where is not None:
            self.screen.app.run_worker(self._serve(where), name="notes-server", group="notes-server",
                                       exit_on_error=False)

    async def _serve(self, where: Path | str) -> None:
        from tui.remote.paths import private_dir, socket_path, sweep_stale
        from tui.remote.protocol import RemoteError
        from tui.remote.server import NotesServer
        from tui.remote.state import hello

        app = self.screen.app
        try:
            if where == AUTO:
                directory = private_dir()
                sweep_stale(directory)
                where = socket_path(directory, os.getpid())
            server = NotesServer(Path(where), self._command, hello(self.screen.deck, getattr(app, "deck_theme", "dark"), time.time()),
                                 self.state)
            await server.start()
        except RemoteError as exc:
            self.screen.notify(f"No speaker view for this talk: {exc}", severity="warning", timeout=8)
            return
        self.server = server
        self.publish()
        try:
            await asyncio.get_running_loop().create_future()  # until the app ends and cancels the worker
        finally:
            self.close()

    def close(self) -> None:
        if self.server is not None:
            self.server.close()
            self.server = None

    def publish(self) -> None:
        """Tell every speaker window where the presenter is now (nothing when nothing changed)."""
        if self.server is None:
            return
        state = self.state()
        if state is None:
            return
        unchanged = {k: v for k, v in state.items() if k not in ("elapsed", "spent")}
        if unchanged == self._sent:
            return  # a scroll, or pane output: the speaker view shows nothing new
        self._sent = unchanged
        self.server.publish(state)

    def state(self) -> dict | None:
        """The presenter's state now (tui/remote/state.py); None while a reload rebuilds the slides."""
        from tui.remote.state import demo_state, slide_state

        screen, app = self.screen, self.screen.app
        if screen.index not in screen._views:
            return None
        slide = screen.deck.slides[screen.index]
        demo = None
        if slide.demo and getattr(app, "demos", None) is not None:
            panel = screen._panels.get(slide.demo)
            demo = demo_state(slide.demo, screen.demo, getattr(panel, "error", ""))
        now = app.clock()
        return slide_state(screen.deck, screen.index, screen.view.step, now - app.started_at,
                           screen.slide_times.spent_on(screen.index, now), demo)

    def demo_event(self, event: object) -> None:
        from tui.engine.events import PaneNotice, PaneOutput, ResourceEvents

        # steps started or finished, the badge changed; not what a pane shows (a kube pane's changes
        # come by the hundred a second)
        if not isinstance(event, (PaneOutput, ResourceEvents, PaneNotice)):
            self.publish()

    def _command(self, kind: str, value: object) -> None:
        """A speaker's command, applied like the key that does the same."""
        screen = self.screen
        if not screen.is_attached:
            return
        if kind == "goto":
            screen.call_later(screen.goto, value)
            return
        action = next(b.action for b in type(screen).BINDINGS if b.id == value)
        screen.call_later(screen.run_action, action)
