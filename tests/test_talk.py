"""The talk in slides/: complete, paced for 30 minutes, every demo bound, every slide rendered."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import frozen_clock
from tui.deck.parse import load_deck
from tui.scenario.load import find_scenario, load_scenario

REPO = Path(__file__).resolve().parent.parent
SLIDES = REPO / "slides"
DECK = load_deck(SLIDES)


def test_every_slide_has_notes_and_a_time_budget():
    assert [s.number for s in DECK.slides if not s.notes] == []
    assert [s.number for s in DECK.slides if not s.budget] == []


def test_the_budgets_add_up_to_a_30_minute_talk():
    assert DECK.total_budget == 30 * 60


def test_every_demo_slide_binds_a_scenario_with_checks_and_expectations():
    assert len(DECK.demos) == 8
    for name in DECK.demos:
        scenario = load_scenario(find_scenario(name, REPO / "scenarios"))
        assert any(step.kind == "check" for step in scenario.all_steps), name
        assert any(step.expect and step.expect.output for step in scenario.all_steps), name


@pytest.mark.parametrize("slide", DECK.slides, ids=lambda s: f"{s.number:02d}")
def test_talk_slide(snap_compare, slide):
    from tui.app import FlatdeckApp
    from tui.demostage import DemoStage

    async def run_before(pilot) -> None:
        await pilot.app.screen.show(slide.number - 1)
        await pilot.pause()

    demos = DemoStage(REPO / "scenarios", mode="replay", recordings=REPO / "assets" / "recordings")
    app = FlatdeckApp(DECK, clock=frozen_clock, watch=False, demos=demos)
    assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)
