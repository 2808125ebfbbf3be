"""The Textual app: holds the deck, the clock and the keymap; the screens do the presenting."""

from __future__ import annotations

import gc
import time
from functools import partial
from typing import TYPE_CHECKING, Callable, Iterable

from textual import events
from textual.app import App, ScreenStackError, SystemCommand, UnknownModeError
from textual.screen import Screen

from tui.deck.model import Deck
from tui.keys_first import GATE

if TYPE_CHECKING:
    from pathlib import Path

    from textual.driver import Driver

    from tui.cache import DeckCache
    from tui.demostage import DemoStage
from tui.screens.present import PresentScreen


def keys_first_driver(base: "type[Driver]") -> "type[Driver]":
    """The platform's driver, holding the output gate the moment its input thread reads a key,
    before the event loop (busy with a flooding pane, say) gets to the key."""

    class KeysFirstDriver(base):  # type: ignore[misc, valid-type]
        def process_message(self, message) -> None:
            if isinstance(message, events.Key) and getattr(self._app, "keys_come_first", True):
                GATE.hold()
            super().process_message(message)

    KeysFirstDriver.__name__ = KeysFirstDriver.__qualname__ = f"KeysFirst{base.__name__}"
    return KeysFirstDriver


class FlatdeckApp(App[None]):
    CSS_PATH = "flatdeck.tcss"
    TITLE = "flatdeck"
    ENABLE_COMMAND_PALETTE = True

    def __init__(
        self,
        deck: Deck,
        start: int = 0,
        *,
        clock: Callable[[], float] = time.monotonic,
        keymap: dict[str, str] | None = None,
        watch: bool = True,
        cache: "DeckCache | None" = None,
        demos: "DemoStage | None" = None,
        theme: str | None = None,
        speaker: "Path | str | None" = None,
    ):
        super().__init__()
        self.deck = deck
        self.start = start
        self.clock = clock
        self.watch = watch
        self.cache = cache
        self.demos = demos  # None: demo slides show no panes (tests of the slides alone)
        self.speaker = speaker  # the speaker view's socket: a path, "auto", or None for none
        self.started_at = clock()
        if keymap:
            self.set_keymap(keymap)
        self.theme_override = theme  # --theme: wins over the deck's front matter
        self.use_theme(deck.meta.theme)

    def get_driver_class(self) -> "type[Driver]":
        return keys_first_driver(super().get_driver_class())

    def use_theme(self, deck_theme: str) -> None:
        """Apply the deck's `theme:` (again after a reload), unless --theme chose one."""
        from tui.themes import apply_theme

        self.deck_theme = self.theme_override or deck_theme
        apply_theme(self, self.deck_theme)

    @property
    def keys_come_first(self) -> bool:
        """Whether a key holds output back for a moment: not while typing into a demo's shell,
        where the shell's echo is the key's answer. (Read from the driver's thread too.)"""
        from tui.widgets.terminal_pane import TerminalPane

        try:
            return not isinstance(self.screen.focused, TerminalPane)
        except (ScreenStackError, UnknownModeError):  # starting or ending: no screen yet
            return True

    async def on_event(self, event: events.Event) -> None:
        if not isinstance(event, events.Key) or event.is_forwarded or not self.keys_come_first:
            await super().on_event(event)  # (a key comes by twice: as itself, then forwarded)
            return
        # Keys first: for a moment after a key, shells leave their output unread, panes put off
        # their repaint and the garbage collector waits (see tui/keys_first.py).
        gc.disable()
        GATE.hold()
        GATE.wait(gc.enable)
        await super().on_event(event)

    def on_ready(self) -> None:
        # What is built by now lives as long as the app: freezing it keeps full garbage
        # collections from rescanning it (each took 30-50 ms while a demo pane flooded).
        gc.freeze()

    def on_unmount(self) -> None:
        GATE.release()
        gc.unfreeze()  # let it go with the app (tests run many apps in one process)

    def save_cache(self, deck: Deck, signature) -> None:
        """Keep what was parsed and rendered so far for the next start (see tui/cache.py)."""
        if self.cache is not None:
            self.cache.save(deck, signature)

    def elapsed(self) -> float:
        return self.clock() - self.started_at

    def get_default_screen(self) -> Screen:
        # the presenting screen is the default one: no blank screen to build and switch away from
        return PresentScreen(self.deck, self.start, watch=self.watch)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if isinstance(screen, PresentScreen):
            for binding in screen.BINDINGS:
                if binding.id in ("quit", "help-close"):  # the palette already offers Quit
                    continue
                if screen.check_action(binding.action.partition("(")[0], ()) is False:
                    continue  # e.g. the self-guided keys outside --guided
                action = binding.action
                yield SystemCommand(
                    f"{binding.description}",
                    f"Key: {self.get_key_display(binding)}",
                    partial(screen.run_action, action),
                )
