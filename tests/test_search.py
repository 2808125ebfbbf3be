"""Search: the matching (pure), `/` on the presenting screen, n/N, the overview and the palette."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import FEATURE_DECK, make_app, until
from tui.deck.parse import load_deck, parse_deck_text
from tui.deck.search import Found, block_lines, find_all, fold, search_deck, snippet
from tui.screens.present import PresentScreen
from tui.screens.search import SearchScreen
from tui.widgets.deck_footer import DeckFooter

DECK = load_deck(FEATURE_DECK)
PAUSE_SLIDE = 5  # "Incremental reveal": the quote shows at step 3
LONG_SLIDE = 8  # 35 numbered lines


# matching ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, query, found", [
    ("Systemd-Sysext merge", "SYSEXT", "Sysext"),
    ("Die Straße", "STRASSE", "Straße"),  # ß folds to ss
    ("STRASSE", "straße", "STRASSE"),
    ("Café au lait", "cafe", "Café"),  # accents do not matter
    ("cafe\u0301 decomposed", "café", "cafe\u0301"),  # a decomposed accent stays with its letter
    ("ǅemo", "dže", "ǅe"),
    ("ﬁle system", "file", "ﬁle"),  # compatibility ligature
    ("Ünïcödé 🙂 text", "🙂 TEXT", "🙂 text"),
    ("ΣΊΣΥΦΟΣ", "σίσυφος", "ΣΊΣΥΦΟΣ"),  # final sigma
])
def test_find_all_is_case_and_accent_insensitive_and_keeps_whole_characters(text, query, found):
    spans = find_all(text, query)
    assert [text[s:e] for s, e in spans] == [found]


def test_every_occurrence_is_found_once():
    assert find_all("aaa bAa", "a") == ((0, 1), (1, 2), (2, 3), (5, 6), (6, 7))
    assert find_all("ßß", "s") == ((0, 1), (1, 2))  # "ß" is two s's, but one character to highlight
    assert find_all("abc", "   ") == ()


@given(st.text(), st.text())
def test_find_all_never_fails_and_its_spans_fold_to_the_query(text, query):
    needle = fold(query.strip())[0]
    previous_end = 0
    for start, end in find_all(text, query):
        assert previous_end <= start < end <= len(text)
        assert needle in fold(text[start:end])[0]
        previous_end = end


def test_slide_text_is_searched_as_it_reads_not_as_markdown():
    lines = block_lines("# A **bold** title\n\nSome `code` and a [link](https://x.example/).\n\n"
                        "| a | b |\n|---|---|\n| one | two |\n\n```bash\nls -l\n```\n")
    assert lines == ("A bold title", "Some code and a link.", "a  b", "one  two", "ls -l")
    assert search_deck(DECK, "**") == []  # no Markdown syntax is found
    assert search_deck(DECK, "https://www.flatcar.org") == []  # nor link targets


def test_hits_say_slide_line_step_and_whether_in_notes():
    hits = search_deck(DECK, "quote")
    assert [(h.number, h.line, h.step, h.in_notes) for h in hits] == [
        (5, "Tables and quotes", 0, False), (6, "And finally a quote.", 3, False)]
    notes = search_deck(DECK, "four reveal steps")
    assert [(h.number, h.in_notes, h.line) for h in notes] == [(6, True, "Three pauses, so four reveal steps.")]
    title = search_deck(DECK, "snapshot conf")  # the generated title slide's event line
    assert [(h.index, h.line) for h in title] == [(0, "Snapshot Conf · Room 42 · 2026-11-24")]


def test_columns_and_reveal_steps_inside_them():
    hits = search_deck(DECK, "revealed after")
    assert [(h.number, h.step) for h in hits] == [(7, 1)]


def test_a_limit_stops_early():
    assert len(search_deck(DECK, "line", limit=3)) == 3
    assert len(search_deck(DECK, "line")) > 30


def test_found_walks_and_wraps_and_moves_from_another_slide():
    deck = parse_deck_text("# One\n\nfoo\n\n---\n\n# Two\n\nno\n\n---\n\n# Three\n\nfoo foo\n\nfoo\n")
    found = Found("foo", search_deck(deck, "foo"))
    assert [h.number for h in found.hits] == [1, 3, 3]
    assert found.move(1).number == 3 and found.move(1).number == 3 and found.move(1).number == 1
    assert found.move(-1).number == 3 and found.position == 2
    found.position = 0
    assert found.move_from(1, 1).number == 3 and found.position == 1  # from slide Two: the next is on Three
    found.position = 0
    assert found.move_from(1, -1).number == 1  # the previous one, before Two
    assert found.label() == "/foo  1/3"
    assert Found("x").label() == "/x  no match" and Found("x").move(1) is None


def test_snippet_keeps_the_match_in_view():
    line = "x" * 100 + "needle" + "y" * 100
    text, spans = snippet(line, find_all(line, "needle"), 40)
    assert len(text) <= 40 and text.startswith("…") and text.endswith("…")
    assert [text[s:e] for s, e in spans] == ["needle"]
    assert snippet("short", ((0, 5),), 40) == ("short", ((0, 5),))


# the app ------------------------------------------------------------------------------------------

def _present(app) -> PresentScreen:
    screen = app.screen_stack[0]
    assert isinstance(screen, PresentScreen)
    return screen


def _results(app) -> list[str]:
    from textual.widgets import OptionList

    results = app.screen.query_one(OptionList)
    return [str(results.get_option_at_index(i).prompt) for i in range(results.option_count)]


async def test_slash_searches_as_you_type_and_enter_jumps_to_the_reveal_step():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("slash")
        assert isinstance(app.screen, SearchScreen)
        await pilot.press(*"QUOTE")
        await pilot.pause()
        assert [r.split()[0] for r in _results(app)] == ["5", "6"]
        assert "And finally a quote." in _results(app)[1]
        await pilot.press("down", "enter")
        await until(pilot, lambda: _present(app).index == PAUSE_SLIDE)
        screen = _present(app)
        assert screen.view.step == 3  # the quote is behind three pauses: revealed, nothing more to hide
        assert screen.query_one(DeckFooter).message == "/QUOTE  2/2"


async def test_a_match_before_any_pause_shows_the_slide_from_its_start():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("slash", *"first this", "enter")
        await until(pilot, lambda: _present(app).index == PAUSE_SLIDE)
        assert _present(app).view.step == 0


async def test_n_and_shift_n_walk_the_matches_and_wrap():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("n")  # no search yet: a hint, nothing moves
        assert _present(app).index == 0
        await pilot.press("slash", *"notes can", "enter")
        await until(pilot, lambda: _present(app).index == 1)
        await pilot.press("n")
        await until(pilot, lambda: _present(app).index == 2)
        await pilot.press("n")  # wraps around to the first
        await until(pilot, lambda: _present(app).index == 1)
        await pilot.press("N")
        await until(pilot, lambda: _present(app).index == 2)
        assert _present(app).query_one(DeckFooter).message == "/notes can  2/2"
        await pilot.press("right")  # leaving the slide by hand clears the label
        assert _present(app).query_one(DeckFooter).message == ""


async def test_a_match_far_down_a_long_slide_is_scrolled_into_view():
    app = make_app(start=LONG_SLIDE)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "thirty-five" not in app.export_screenshot()  # below the screen at first
        await pilot.press("slash", *"thirty-five", "enter")
        view = _present(app).view
        await until(pilot, lambda: view.scroll_y > 0)
        await pilot.pause()
        assert "thirty-five" in app.export_screenshot()


async def test_escape_closes_without_moving_and_no_match_says_so():
    app = make_app(start=2)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("slash", *"zzzz-nothing")
        await pilot.pause()
        assert _results(app) == []
        assert "No match" in str(app.screen.query_one("#search-count").render())
        await pilot.press("enter")  # nothing to jump to: stays open
        assert isinstance(app.screen, SearchScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, PresentScreen) and app.screen.index == 2


async def test_slash_in_the_overview_searches_and_jumps():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("o", "slash", *"nested bullet", "enter")
        await until(pilot, lambda: isinstance(app.screen, PresentScreen) and app.screen.index == 2)


async def test_the_command_palette_finds_slides_by_their_text():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+p")
        await pilot.press(*"strikethrough")
        from textual.command import CommandList

        commands = app.screen.query_one(CommandList)
        await until(pilot, lambda: commands.option_count > 0)
        assert any("Headings and text" in str(commands.get_option_at_index(i).prompt)
                   for i in range(commands.option_count))
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, PresentScreen) and app.screen.index == 1)
        assert app.screen.query_one(DeckFooter).message.startswith("/strikethrough")


async def test_search_follows_a_reloaded_deck(tmp_path: Path):
    path = tmp_path / "deck.md"
    path.write_text(FEATURE_DECK.read_text())
    app = make_app(path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("slash", *"bullet three", "enter")
        await until(pilot, lambda: _present(app).index == 2)
        path.write_text(path.read_text().replace("# Headings and text", "# Bullet three moved here"))
        await _present(app).check_reload()
        await pilot.press("N")
        await until(pilot, lambda: _present(app).index == 1)


def test_snapshot_search_results(snap_compare):
    assert snap_compare(make_app(), terminal_size=(120, 40), press=["slash", *"sysext"])


async def test_search_keys_can_be_remapped_by_id():
    app = make_app(keymap={"next": "n", "search-next": "ctrl+n"})  # the README's example
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("slash", *"notes can", "enter")
        await until(pilot, lambda: _present(app).index == 1)
        await pilot.press("ctrl+n")
        await until(pilot, lambda: _present(app).index == 2)
        await pilot.press("n")  # now `next`
        await until(pilot, lambda: _present(app).index == 3)
