"""Every directive: what it does to the slide, and the deck-level views built from them."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from tui.deck.directives import Directive, comments_only, is_free_comment, parse_directive
from tui.deck.duration import parse_duration
from tui.deck.model import Block, Columns, format_duration
from tui.deck.parse import load_deck, parse_deck_text

P = Path("deck.md")


def one_slide(text: str):
    deck = parse_deck_text(text)
    assert len(deck.slides) == 1, deck.slides
    return deck.slides[0]


# --- pause -----------------------------------------------------------------------------------


def test_pause_counts_steps_and_blocks_get_their_step():
    slide = one_slide("# T\n\nintro\n\n<!-- pause -->\n\nsecond\n\n<!-- pause -->\n\nthird\n")
    assert slide.steps == 3
    assert [(b.text, b.step) for b in slide.elements] == [("# T\n\nintro", 0), ("second", 1), ("third", 2)]


def test_pause_without_blank_line_after_text():
    # a comment starts an HTML block that may interrupt a paragraph
    slide = one_slide("one\n<!-- pause -->\ntwo\n")
    assert slide.steps == 2
    assert [(b.text, b.line, b.step) for b in slide.elements] == [("one", 1, 0), ("two", 3, 1)]


def test_trailing_pause_adds_an_empty_step():
    slide = one_slide("text\n\n<!-- pause -->\n")
    assert slide.steps == 2
    assert [b.step for b in slide.elements] == [0]


def test_pauses_are_per_slide():
    deck = parse_deck_text("a\n\n<!-- pause -->\n\nb\n\n---\n\nc\n")
    assert [s.steps for s in deck.slides] == [2, 1]
    assert deck.slides[1].elements[0].step == 0


def test_several_directives_in_one_comment_group():
    slide = one_slide("a\n\n<!-- pause --> <!-- pause -->\n<!-- pause -->\n\nb\n")
    assert slide.steps == 4
    assert slide.elements[-1].step == 3


def test_directive_whitespace_is_free():
    slide = one_slide("<!--pause-->\n\n<!--\n\tpause\n-->\n\nx\n")
    assert slide.steps == 3


# --- speaker notes ---------------------------------------------------------------------------


def test_one_line_note():
    assert one_slide("x\n\n<!-- speaker_note: Say hello. -->\n").notes == "Say hello."


def test_several_notes_join_with_blank_line():
    slide = one_slide("<!-- speaker_note: first -->\n\nx\n\n<!-- speaker_note: second -->\n")
    assert slide.notes == "first\n\nsecond"


def test_note_continuation_lines_are_dedented():
    slide = one_slide("<!-- speaker_note: first\n  second\n    third\n-->\n")
    assert slide.notes == "first\nsecond\n  third"


def test_note_block_literal_form_keeps_lines():
    slide = one_slide("x\n\n<!-- speaker_note: |\n  line one\n  line two\n\n  para\n-->\n")
    assert slide.notes == "line one\nline two\n\npara"


def test_note_block_folded_form_joins_lines():
    slide = one_slide("<!-- speaker_note: >\n  folded\n  text\n-->\n")
    assert slide.notes == "folded text"


def test_note_value_may_contain_colons_and_yaml_like_text():
    slide = one_slide("<!-- speaker_note: remember: [not, yaml] # kept -->\n")
    assert slide.notes == "remember: [not, yaml] # kept"


def test_note_with_block_and_chomping_indicator():
    assert one_slide("<!-- speaker_note: |-\n  kept\n-->\n").notes == "kept"


def test_notes_do_not_make_blocks_or_steps():
    slide = one_slide("a\n\n<!-- speaker_note: n -->\n\nb\n")
    assert slide.steps == 1
    assert [(b.text, b.step) for b in slide.elements] == [("a", 0), ("b", 0)]


def test_note_on_a_slide_of_its_own_makes_a_slide():
    deck = parse_deck_text("# A\n\n---\n\n<!-- speaker_note: only a note -->\n")
    assert len(deck.slides) == 2
    assert deck.slides[1].notes == "only a note" and deck.slides[1].elements == ()


# --- columns ---------------------------------------------------------------------------------

COLUMNS = """\
# Cols

<!-- column_layout: [3, 2] -->

<!-- column: 0 -->

left one

left two

<!-- column: 1 -->

right

<!-- reset_layout -->

after
"""


def test_column_layout_collects_blocks_per_column():
    slide = one_slide(COLUMNS)
    head, cols, after = slide.elements
    assert head == Block("# Cols", 1, 0)
    assert isinstance(cols, Columns)
    assert cols.widths == (3, 2)
    assert cols.line == 3 and cols.step == 0
    assert cols.columns == ((Block("left one\n\nleft two", 7, 0),), (Block("right", 13, 0),))
    assert after == Block("after", 17, 0)


def test_columns_can_be_revisited_and_pauses_inside_columns():
    text = (
        "<!-- column_layout: [1, 1, 1] -->\n<!-- column: 2 -->\nc\n<!-- pause -->\n<!-- column: 0 -->\na\n"
        "<!-- column: 2 -->\nc2\n"
    )
    slide = one_slide(text)
    (cols,) = slide.elements
    assert cols.widths == (1, 1, 1)
    assert [[(b.text, b.step) for b in col] for col in cols.columns] == [[("a", 1)], [], [("c", 0), ("c2", 1)]]
    assert cols.step == 0
    assert slide.steps == 2


def test_layout_opened_after_a_pause_remembers_its_step():
    slide = one_slide("a\n\n<!-- pause -->\n\n<!-- column_layout: [1] -->\n<!-- column: 0 -->\nb\n")
    assert slide.elements[1].step == 1


def test_a_new_layout_closes_the_previous_one():
    text = "<!-- column_layout: [1, 1] -->\n<!-- column: 1 -->\nx\n<!-- column_layout: [2, 1, 1] -->\n<!-- column: 2 -->\ny\n"
    first, second = one_slide(text).elements
    assert first.widths == (1, 1) and [len(c) for c in first.columns] == [0, 1]
    assert second.widths == (2, 1, 1) and second.columns[2][0].text == "y"
    assert second.line == 4


def test_layout_is_closed_at_end_of_slide():
    deck = parse_deck_text("<!-- column_layout: [1, 1] -->\n<!-- column: 0 -->\nx\n\n---\n\nnext\n")
    assert isinstance(deck.slides[0].elements[0], Columns)
    assert deck.slides[1].elements == (Block("next", 7, 0),)


def test_layout_with_max_columns_and_max_width():
    slide = one_slide("<!-- column_layout: [1, 2, 3, 4, 5, 100] -->\n<!-- column: 5 -->\nx\n")
    assert slide.elements[0].widths == (1, 2, 3, 4, 5, 100)
    assert slide.elements[0].columns[5][0].text == "x"


def test_reset_layout_then_plain_blocks():
    slide = one_slide("<!-- column_layout: [1] -->\n<!-- reset_layout -->\nplain\n")
    cols, plain = slide.elements
    assert cols.columns == ((),)
    assert plain == Block("plain", 3, 0)


# --- demo ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["sysext", "capi-1", "a_b", "0day", "x", "2024", "yes", "null", "on", "0x1f", "017", "1_0"])
def test_demo_binds_a_scenario(name):
    assert one_slide(f"# D\n\n<!-- demo: {name} -->\n").demo == name


def test_demo_defaults_to_none():
    assert one_slide("# D\n").demo is None


def test_deck_demos_in_order_of_first_use_without_duplicates():
    text = "<!-- demo: b -->\n\n---\n\nno demo\n\n---\n\n<!-- demo: a -->\n\n---\n\n<!-- demo: b -->\n\n---\n\n<!-- demo: c -->\n"
    deck = parse_deck_text(text)
    assert [s.demo for s in deck.slides] == ["b", None, "a", "b", "c"]
    assert deck.demos == ("b", "a", "c")


# --- time ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "seconds"),
    [("90s", 90.0), ("2m", 120.0), ("1m30s", 90.0), ("1h", 3600.0), ("1h2m3s", 3723.0), ("1.5m", 90.0),
     ("1m 30s", 90.0), ("0.5s", 0.5)],
)
def test_time_budget(value, seconds):
    assert one_slide(f"x\n\n<!-- time: {value} -->\n").budget == seconds


def test_total_budget_sums_slides_with_a_budget_and_the_title_slide():
    text = "---\ntitle: T\ntime: 30s\n---\n# A\n<!-- time: 2m -->\n\n---\n\n# B\n\n---\n\n# C\n<!-- time: 1m30s -->\n"
    deck = parse_deck_text(text)
    assert [s.budget for s in deck.slides] == [30.0, 120.0, None, 90.0]
    assert deck.total_budget == 240.0
    assert format_duration(deck.total_budget) == "4m"


def test_total_budget_without_budgets_is_zero():
    assert parse_deck_text("# A\n").total_budget == 0.0


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("90s", 90), ("2m", 120), ("1m30s", 90), ("1h", 3600), (" 1h 30m ", 5400), ("0s", 0), ("2.5h", 9000)],
)
def test_parse_duration(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "90", "m", "1x", "1s2m", "-1s", "1.s", "s1", "1e3s", "abc", "1m30"])
def test_parse_duration_rejects(text):
    assert parse_duration(text) is None


def test_parse_duration_rejects_overflowing_numbers():
    # 400 digits overflow a float to infinity: that is not a budget
    assert parse_duration("9" * 400 + "s") is None


@pytest.mark.parametrize(("seconds", "text"), [(0, "0s"), (59.6, "1m"), (90, "1m30s"), (3600, "1h"), (3661, "1h1m1s"), (7200, "2h")])
def test_format_duration(seconds, text):
    assert format_duration(seconds) == text


def test_format_duration_of_any_parsed_budget_is_total():
    for value in ("1" + "0" * 300 + "s", "999999999h"):
        seconds = parse_duration(value)
        assert seconds is not None and math.isfinite(seconds)
        assert format_duration(seconds).endswith(("h", "m", "s"))


# --- free comments ---------------------------------------------------------------------------


@pytest.mark.parametrize("comment", ["<!-- // a note to self -->", "<!--// tight -->", "<!-- //pause -->", "<!--\n// multi\nline\n-->"])
def test_free_comments_are_ignored(comment):
    slide = one_slide(f"a\n\n{comment}\n\nb\n")
    assert slide.steps == 1
    assert [b.text for b in slide.elements] == ["a", "b"]


def test_free_comment_inside_paragraph_or_list_is_fine():
    slide = one_slide("text <!-- // aside --> more\n\n- item <!-- // aside -->\n- <!-- // block aside -->\n")
    assert len(slide.elements) == 1


# --- the directive parser on its own ---------------------------------------------------------


def test_parse_directive_positions_and_values():
    assert parse_directive(" pause ", P, 4, 1) == Directive("pause", None, 4, 6)
    assert parse_directive(" column_layout: [3, 2] ", P, 2, 3) == Directive("column_layout", (3, 2), 2, 8)
    assert parse_directive(" column: 1 ", P, 1, 1) == Directive("column", 1, 1, 6)
    assert parse_directive(" demo: k8s ", P, 1, 1) == Directive("demo", "k8s", 1, 6)
    assert parse_directive(" time: 2m ", P, 1, 1) == Directive("time", 120.0, 1, 6)
    assert parse_directive("\n\n   end_slide\n", P, 10, 1) == Directive("end_slide", None, 12, 4)
    assert parse_directive(" // free ", P, 1, 1) is None


def test_comments_only_and_free_comment_helpers():
    assert comments_only("<!-- a -->\n<!-- b -->\n") == [(" a ", 0), (" b ", 11)]
    assert comments_only("<!-- a --> text") is None
    assert comments_only("<div></div>") is None
    assert is_free_comment("  // x")
    assert not is_free_comment(" pause ")


def test_directives_across_a_directory_deck(tmp_path):
    (tmp_path / "1.md").write_text("# A\n<!-- demo: one -->\n<!-- time: 1m -->\n")
    (tmp_path / "2.md").write_text("# B\n<!-- demo: two -->\n<!-- time: 30s -->\n\n---\n\n# C\n<!-- demo: one -->\n")
    deck = load_deck(tmp_path)
    assert deck.demos == ("one", "two")
    assert deck.total_budget == 90.0
