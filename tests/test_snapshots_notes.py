"""SVG snapshots of the speaker view at 120×40 and 80×24, fed the states the presenting side builds,
at fixed times (the clock is frozen; the times shown are the ones in the state)."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import FEATURE_DECK, frozen_clock, make_app
from tui.deck.parse import load_deck
from tui.demostage import DemoStage
from tui.remote.state import demo_state, hello, slide_state
from tui.screens.notes import NotesApp

SIZES = {"120x40": (120, 40), "80x24": (80, 24)}
SCENARIOS = Path(__file__).parent / "scenarios"
DECK = load_deck(FEATURE_DECK)


def _notes(state: dict, ended: bool = False):
    app = NotesApp(None, clock=frozen_clock)

    async def run_before(pilot) -> None:
        app.joined({"type": "hello", "pid": 4242, **hello(DECK, "dark", 0.0)})
        await app.apply(state)
        if ended:
            app.ended()
        await pilot.pause()

    return app, run_before


def _demo_after_two_steps() -> dict:
    """The fixture demo in replay after Enter twice: the narration passed, the first command shown."""
    runtime = DemoStage(SCENARIOS, mode="replay").get("fixture-demo", lambda pane: (80, 24))
    runtime.advance()
    runtime.advance()
    return demo_state("fixture-demo", runtime)


@pytest.mark.parametrize("size", SIZES)
def test_notes_on_a_slide_with_reveal_steps_running_late(snap_compare, size):
    # "Incremental reveal" (no budget of its own) at step 2 of 4, 4m10s in: 25 s past the running
    # total of 3m45s (amber)
    app, run_before = _notes(slide_state(DECK, 5, 1, elapsed=250.0, spent=20.0))
    assert snap_compare(app, terminal_size=SIZES[size], run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_notes_on_a_demo_slide_with_step_statuses(snap_compare, size):
    # the demo slide (2m), 1m30s on it, 4m in: ahead of the plan, green
    state = slide_state(DECK, 7, 0, elapsed=240.0, spent=90.0, demo=_demo_after_two_steps())
    app, run_before = _notes(state)
    assert snap_compare(app, terminal_size=SIZES[size], run_before=run_before)


def test_notes_when_the_presentation_ended(snap_compare):
    # the lists slide, 1m10s over its 45 s (red), then the presentation went away
    app, run_before = _notes(slide_state(DECK, 2, 0, elapsed=300.0, spent=115.0), ended=True)
    assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_footer_with_the_timer_on(snap_compare, size):
    """`t` on the code slide: the slide and talk times against their budgets (the clock is frozen: 00:00)."""
    assert snap_compare(make_app(start=3), terminal_size=SIZES[size], press=["t"])
