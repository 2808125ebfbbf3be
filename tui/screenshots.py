"""`flatdeck export --svg`: every slide as the app draws it, one SVG each, from a headless app.

The presenting app itself runs headless at the chosen size and theme: each slide is shown fully
revealed, a demo slide's recordings are replayed at once to their end state (steps without one
show their command marked "not recorded yet", as on stage), and Textual's own screenshot is
written. So an SVG is exactly what the audience saw. Nothing executes: demos are in replay mode.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from tui.deck.model import Deck
    from tui.demostage import DemoStage


def write_svgs(deck: "Deck", paths: list[Path], size: tuple[int, int], theme: str | None,
               demos: "DemoStage", written: Callable[[Path], None] = lambda path: None) -> None:
    """Write slide i of `deck` to `paths[i]`; OSError when a file cannot be written."""
    from tui.app import FlatdeckApp
    from tui.screens.present import OUTPUT_BATCH

    app = FlatdeckApp(deck, 0, clock=lambda: 0.0, watch=False, demos=demos, theme=theme)
    failure: list[BaseException] = []

    async def export(pilot) -> None:
        try:
            screen = app.screen
            for index, (slide, path) in enumerate(zip(deck.slides, paths)):
                await screen.show(index)  # fully revealed
                runtime = screen.demo
                if runtime is not None:
                    from tui.widgets.terminal_pane import TerminalPane

                    await runtime.play_all()
                    await pilot.pause(OUTPUT_BATCH * 3)  # the last batch of pane output is delivered
                    await pilot.pause()  # and laid out: the panes know their height
                    for pane in screen.query(TerminalPane):
                        pane.settle()  # scrolled to the newest output, as they follow it on stage
                await pilot.pause()
                title = f"{deck.title} — {slide.number}/{len(deck.slides)} {slide.title}"
                path.write_text(app.export_screenshot(title=title), encoding="utf-8")
                written(path)
        except BaseException as exc:  # noqa: BLE001 - handed to the caller outside the app's loop
            failure.append(exc)
        finally:
            app.exit()

    app.run(headless=True, size=size, auto_pilot=export)
    if failure:
        raise failure[0]
