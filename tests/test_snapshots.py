"""SVG snapshots of every fixture slide at 120×40 and 80×24, plus reveal steps, overview and help."""

from __future__ import annotations

import pytest

from conftest import FEATURE_DECK, make_app
from tui.deck.parse import load_deck

SIZES = {"120x40": (120, 40), "80x24": (80, 24)}
SLIDES = load_deck(FEATURE_DECK).slides


def _show(index: int, step: int | None = None):
    async def run_before(pilot) -> None:
        await pilot.app.screen.show(index, step=step)
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("slide", SLIDES, ids=lambda s: f"{s.number:02d}")
def test_slide(snap_compare, slide, size):
    """Each slide fully revealed."""
    assert snap_compare(make_app(), terminal_size=SIZES[size], run_before=_show(slide.number - 1))


PAUSE_SLIDE = next(s for s in SLIDES if s.title == "Incremental reveal")


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("step", [0, 1])
def test_pause_before_and_after_reveal(snap_compare, size, step):
    assert snap_compare(make_app(), terminal_size=SIZES[size], run_before=_show(PAUSE_SLIDE.number - 1, step))


@pytest.mark.parametrize("size", SIZES)
def test_overview(snap_compare, size):
    assert snap_compare(make_app(start=3), terminal_size=SIZES[size], press=["o"])


@pytest.mark.parametrize("size", SIZES)
def test_help(snap_compare, size):
    assert snap_compare(make_app(), terminal_size=SIZES[size], press=["question_mark"])


def test_goto_prompt(snap_compare):
    assert snap_compare(make_app(), terminal_size=(120, 40), press=["g", "1", "0"])
