"""Pilot-driven interaction: navigation, reveal, goto, overview, help, palette, keymap and hot reload."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import FEATURE_DECK, make_app, until
from tui.screens.goto import GotoScreen
from tui.screens.overview import OverviewScreen
from tui.screens.present import PresentScreen
from tui.widgets.deck_footer import DeckFooter

PAUSE_SLIDE = 5  # 0-based index of "Incremental reveal" (4 steps)


def present(app) -> PresentScreen:
    screen = app.screen
    assert isinstance(screen, PresentScreen)
    return screen


def visible_text(screen: PresentScreen) -> str:
    """The plain text of the chunks currently displayed on the current slide."""
    parts = []
    for chunk in screen.view.query(".chunk"):
        if chunk.display and all(a.display for a in chunk.ancestors if hasattr(a, "display")):
            parts.append(chunk.source)
    return "\n".join(parts)


@pytest.mark.parametrize("key", ["right", "space", "pagedown", "l", "j"])
async def test_every_next_key_advances(key):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press(key)
        assert present(app).index == 1


@pytest.mark.parametrize("key", ["left", "pageup", "h", "k"])
async def test_every_previous_key_goes_back(key):
    app = make_app(start=3)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press(key)
        assert present(app).index == 2


async def test_home_end_and_bounds():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = present(app)
        await pilot.press("left")  # already first: stays
        assert screen.index == 0
        await pilot.press("end")
        last = len(screen.deck.slides) - 1
        assert screen.index == last
        await pilot.press("right")  # already last: stays
        assert screen.index == last
        await pilot.press("home")
        assert screen.index == 0


async def test_pauses_reveal_one_step_per_key_and_previous_hides_them():
    app = make_app(start=PAUSE_SLIDE)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = present(app)
        assert screen.view.step == 0
        assert "then this bullet" not in visible_text(screen)
        footer = present(app).query_one(DeckFooter)
        assert "▸ 1/4" in footer.position
        await pilot.press("right")
        assert screen.index == PAUSE_SLIDE and screen.view.step == 1
        assert "then this bullet" in visible_text(screen)
        assert "and this one" not in visible_text(screen)
        await pilot.press("right", "right")
        assert screen.view.step == 3 and "finally a quote" in visible_text(screen)
        assert "▸ 4/4" in footer.position
        await pilot.press("right")  # all revealed: next slide, at its first step
        assert screen.index == PAUSE_SLIDE + 1 and screen.view.step == 0
        await pilot.press("left")  # back: the previous slide comes back fully revealed
        assert screen.index == PAUSE_SLIDE and screen.view.step == 3
        await pilot.press("left")
        assert screen.view.step == 2 and "finally a quote" not in visible_text(screen)


async def test_goto_jumps_and_rejects_out_of_range():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("g")
        assert isinstance(app.screen, GotoScreen)
        await pilot.press("9", "9", "enter")  # out of range: stays open, warns
        assert isinstance(app.screen, GotoScreen)
        await pilot.press("7", "enter")
        await pilot.pause()
        screen = present(app)
        assert screen.index == 6
        await pilot.press("g", "escape")
        assert present(app).index == 6


async def test_overview_lists_titles_and_enter_jumps():
    app = make_app(start=2)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("o")
        overview = app.screen
        assert isinstance(overview, OverviewScreen)
        from textual.widgets import OptionList

        options = overview.query_one(OptionList)
        assert options.option_count == len(present_deck_titles())
        assert options.highlighted == 2
        await pilot.press("down", "down", "enter")
        await pilot.pause()
        assert present(app).index == 4


def present_deck_titles() -> list[str]:
    from tui.deck.parse import load_deck

    return [s.title for s in load_deck(FEATURE_DECK).slides]


def _enabled(app, binding) -> bool:
    """False for keys of another mode (the --guided keys in a replayed talk)."""
    return present(app).check_action(binding.action.partition("(")[0], ()) is not False


async def test_help_lists_every_binding_with_its_keys():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        from tui.widgets.help_panel import HelpPanel

        await pilot.press("question_mark")
        panel = present(app).query_one(HelpPanel)
        assert panel.is_open
        descriptions = {d for _, d in panel.rows}
        for binding in PresentScreen.BINDINGS:
            if binding.show and _enabled(app, binding):
                assert binding.description in descriptions
        keys = dict((d, k) for k, d in panel.rows)
        assert keys["Next"].split() == ["→", "space", "pgdn", "l", "j"]
        await pilot.press("escape")
        assert not panel.is_open
        await pilot.press("question_mark", "q")  # q closes the help first…
        assert not panel.is_open and app.is_running
        await pilot.press("right")  # …and the keys drive the slides again
        assert present(app).index == 1


async def test_every_binding_has_an_id_and_a_palette_command():
    app = make_app()
    async with app.run_test(size=(120, 40)):
        ids = [b.id for b in PresentScreen.BINDINGS]
        assert all(ids) and len(set(ids)) == len(ids)
        titles = {c.title for c in app.get_system_commands(app.screen)}
        for binding in PresentScreen.BINDINGS:
            if binding.show and _enabled(app, binding):  # silent keys (Escape closing the help) have no palette entry
                assert binding.description in titles


async def test_palette_command_runs_the_action():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        command = next(c for c in app.get_system_commands(app.screen) if c.title == "Last slide")
        await command.callback()  # the palette runs it the same way, via call_later
        await pilot.pause()
        assert present(app).index == len(present(app).deck.slides) - 1


async def test_keymap_override_rebinds_by_id():
    app = make_app(keymap={"next": "n"})
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("right")
        assert present(app).index == 0
        await pilot.press("n")
        assert present(app).index == 1


async def test_down_scrolls_a_tall_slide_and_footer_says_more():
    app = make_app(start=8)  # the long slide
    async with app.run_test(size=(80, 24)) as pilot:
        screen = present(app)
        await pilot.pause()
        footer = present(app).query_one(DeckFooter)
        assert "↓ more" in footer.position
        await pilot.press("down", "down")
        assert screen.view.scroll_y == 2
        for _ in range(60):
            await pilot.press("down")
        await pilot.pause()
        assert "↓ more" not in footer.position


async def test_quit_key_exits():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


# hot reload ----------------------------------------------------------------------------------

@pytest.fixture
def deck_copy(tmp_path: Path) -> Path:
    path = tmp_path / "deck.md"
    shutil.copy(FEATURE_DECK, path)
    return path


async def test_reload_keeps_the_slide_and_shows_the_new_text(deck_copy: Path):
    app = make_app(deck_copy, start=3)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = present(app)
        deck_copy.write_text(deck_copy.read_text().replace("# Code", "# Code, edited live"))
        await screen.check_reload()
        await pilot.pause()
        assert screen.index == 3
        assert screen.deck.slides[3].title == "Code, edited live"
        assert "Code, edited live" in visible_text(screen)


async def test_reload_error_shows_a_panel_and_the_next_good_save_recovers(deck_copy: Path):
    good = deck_copy.read_text()
    app = make_app(deck_copy, start=2)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = present(app)
        panel = screen.query_one("#reload-error")
        deck_copy.write_text(good.replace("# Lists", "# Lists\n\n<!-- bogus_directive -->"))
        await screen.check_reload()
        await pilot.pause()
        assert panel.display
        message = str(panel.render())
        assert "unknown directive 'bogus_directive'" in message
        assert f"{deck_copy}:" in message  # located: file and line
        assert screen.index == 2  # still presenting the last good version
        await pilot.press("right")
        assert screen.index == 3
        deck_copy.write_text(good)
        await screen.check_reload()
        await pilot.pause()
        assert not panel.display
        assert screen.index == 3


async def test_reload_is_polled_while_presenting(deck_copy: Path):
    """With watching on, an edit is noticed without calling anything by hand."""
    app = make_app(deck_copy, start=1, watch=True)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = present(app)
        deck_copy.write_text(deck_copy.read_text().replace("# Headings and text", "# Polled title"))
        # the new deck is in place before its slide is shown: wait for the slide (the whole reload)
        await until(pilot, lambda: screen.index in screen._views and "Polled title" in visible_text(screen),
                    timeout=4.0)
        assert screen.deck.slides[1].title == "Polled title"
        assert screen.index == 1


async def test_reload_clamps_when_slides_are_removed(deck_copy: Path):
    app = make_app(deck_copy, start=10)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = present(app)
        text = deck_copy.read_text()
        deck_copy.write_text(text[: text.index("# Tables and quotes")])
        await screen.check_reload()
        await pilot.pause()
        assert screen.index == len(screen.deck.slides) - 1 == 3


async def test_a_block_that_fails_to_render_shows_an_error_and_the_talk_goes_on(monkeypatch):
    import tui.widgets.slide_view as slide_view

    def explode(text, theme="dark"):
        if "Bullet one" in text:
            raise RuntimeError("renderer bug")
        return real(text, theme)

    real = slide_view.render_markdown
    monkeypatch.setattr(slide_view, "render_markdown", explode)
    app = make_app(start=2)  # the Lists slide
    async with app.run_test(size=(120, 40)) as pilot:
        screen = present(app)
        errors = list(screen.view.query(".render-error"))
        assert len(errors) == 1 and "renderer bug" in errors[0].render_text()
        await pilot.press("right")
        assert screen.index == 3
