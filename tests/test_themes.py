"""Themes: dark (the default), light and projector; `--theme` wins over the deck's `theme:`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from rich.style import Style

from conftest import FEATURE_DECK, make_app, until
from tui.demostage import DemoStage
from tui.deck.model import THEMES
from tui.engine.events import StepStatus
from tui.render.palette import palette_for
from tui.widgets.slide_view import Chunk

REPO = Path(__file__).resolve().parent.parent
SCENARIOS = Path(__file__).parent / "scenarios"
CODE_SLIDE = 3  # 0-based: "Code"
DEMO_SLIDE = 7  # 0-based: "A demo slide"


def _deck_with_theme(tmp_path: Path, theme: str) -> Path:
    path = tmp_path / "deck.md"
    path.write_text(FEATURE_DECK.read_text().replace("time: 30s\n", f"time: 30s\ntheme: {theme}\n", 1))
    return path


def _heading_colour(app) -> str:
    """The colour the current slide's first heading is drawn in."""
    chunk = app.screen.view.query(Chunk).first()
    strip = chunk.strips(80)[0]
    return next(s.style.color.get_truecolor().hex for s in strip if s.text.strip() and s.style and s.style.color)


def _colour(style: str) -> str:
    return Style.parse(style).color.get_truecolor().hex


async def test_without_a_theme_the_deck_is_dark():
    app = make_app(FEATURE_DECK, start=1)
    async with app.run_test(size=(120, 40)):
        assert app.deck_theme == "dark" and app.theme == "textual-dark"  # no `theme:`: dark
        assert _heading_colour(app) == _colour(palette_for("dark").heading1)


@pytest.mark.parametrize("theme", ["light", "projector"])
async def test_front_matter_theme_colours_slides_and_frame(tmp_path: Path, theme: str):
    app = make_app(_deck_with_theme(tmp_path, theme), start=1)
    async with app.run_test(size=(120, 40)):
        assert app.deck_theme == theme
        assert _heading_colour(app) == _colour(palette_for(theme).heading1)
        assert app.current_theme.background.lower() == palette_for(theme).background.lower()


async def test_the_command_line_wins_over_the_front_matter(tmp_path: Path):
    app = make_app(_deck_with_theme(tmp_path, "light"), start=1, theme="projector")
    async with app.run_test(size=(120, 40)):
        assert app.deck_theme == "projector" and app.theme == "flatdeck-projector"
        assert _heading_colour(app) == _colour(palette_for("projector").heading1)


async def test_a_reload_applies_a_new_front_matter_theme_unless_overridden(tmp_path: Path):
    path = _deck_with_theme(tmp_path, "dark")
    for override, expected in ((None, "light"), ("projector", "projector")):
        path.write_text(path.read_text().replace("theme: light", "theme: dark"))
        app = make_app(path, start=1, theme=override)
        async with app.run_test(size=(120, 40)) as pilot:
            path.write_text(path.read_text().replace("theme: dark", "theme: light"))
            await app.screen.check_reload()
            await pilot.pause()
            assert app.deck_theme == expected
            assert _heading_colour(app) == _colour(palette_for(expected).heading1)


def test_every_theme_has_a_palette_and_a_textual_theme():
    from tui.themes import TEXTUAL_THEMES

    assert set(THEMES) == set(TEXTUAL_THEMES)
    assert all(palette_for(name) is not palette_for("dark") for name in THEMES if name != "dark")


def test_present_refuses_an_unknown_theme_naming_the_valid_ones():
    result = subprocess.run([sys.executable, "-m", "tui", "present", str(FEATURE_DECK), "--theme", "neon"],
                            cwd=REPO, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "neon" in result.stderr and "dark, light, projector" in result.stderr.replace("'", "")


def test_a_deck_with_an_unknown_theme_is_a_located_error(tmp_path: Path):
    path = tmp_path / "deck.md"
    path.write_text("---\ntitle: T\ntheme: neon\n---\n# A\n")
    result = subprocess.run([sys.executable, "-m", "tui", "check", str(path)],
                            cwd=REPO, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert f"{path}:3:8: front matter theme 'neon'; expected one of: dark, light, projector" in result.stderr
    assert "Traceback" not in result.stderr


# snapshots: a slide with code, and a demo slide (step list and panes), in each theme ---------------

@pytest.mark.parametrize("theme", THEMES)
def test_snapshot_code_slide(snap_compare, theme):
    async def run_before(pilot) -> None:
        await pilot.pause()

    assert snap_compare(make_app(start=CODE_SLIDE, theme=theme), terminal_size=(120, 40), run_before=run_before)


@pytest.mark.parametrize("theme", THEMES)
def test_snapshot_demo_slide(snap_compare, theme, tmp_path: Path):
    async def run_before(pilot) -> None:
        await until(pilot, lambda: pilot.app.screen.demo is not None)
        runtime = pilot.app.screen.demo
        await pilot.press("enter", "enter", "enter")
        await until(pilot, lambda: runtime.status["greet"] is StepStatus.SHOWN)
        await pilot.pause(0.4)  # the panes' scrollable size has caught up

    demos = DemoStage(SCENARIOS, mode="replay", recordings=tmp_path)  # no recordings: "not recorded yet"
    assert snap_compare(make_app(start=DEMO_SLIDE, theme=theme, demos=demos), terminal_size=(120, 40),
                        run_before=run_before)
