"""One raw line → what a terminal shows on it (tui.terminal.ansi_line)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.color import Color

from termtools import cells
from tui.terminal.ansi_line import compact, interpret, render_line, row_count, wrap
from tui.terminal.sgr import DEFAULT, apply_sgr, end_state


def styles_of(raw: str) -> dict[str, object]:
    """Each styled piece of text → its rich Style."""
    text = render_line(raw)
    return {text.plain[s.start:s.end]: s.style for s in text.spans}


def test_plain_line_is_one_unstyled_run():
    text = render_line("just text, no escapes")
    assert text.plain == "just text, no escapes"
    assert text.spans == []


@pytest.mark.parametrize(
    ("raw", "color"),
    [
        ("\x1b[31mX\x1b[0m", Color.parse("red")),
        ("\x1b[33mX\x1b[0m", Color.parse("yellow")),
        ("\x1b[94mX\x1b[0m", Color.parse("bright_blue")),
        ("\x1b[38;5;208mX\x1b[0m", Color.from_ansi(208)),
        ("\x1b[38;2;255;135;0mX\x1b[0m", Color.from_rgb(255, 135, 0)),
        ("\x1b[38:2::1:2:3mX\x1b[0m", Color.from_rgb(1, 2, 3)),
        ("\x1b[38:5:99mX\x1b[0m", Color.from_ansi(99)),
    ],
)
def test_foreground_colours(raw, color):
    assert styles_of(raw)["X"].color == color


def test_background_colours():
    assert styles_of("\x1b[41mX")["X"].bgcolor == Color.parse("red")
    assert styles_of("\x1b[103mX")["X"].bgcolor == Color.parse("bright_yellow")
    assert styles_of("\x1b[48;5;17mX")["X"].bgcolor == Color.from_ansi(17)
    assert styles_of("\x1b[48;2;0;0;95mX")["X"].bgcolor == Color.from_rgb(0, 0, 95)


def test_combined_parameters_and_attributes():
    style = styles_of("\x1b[1;38;5;208;4mX\x1b[0m")["X"]
    assert (style.bold, style.underline, style.color) == (True, True, Color.from_ansi(208))
    style = styles_of("\x1b[2;3;7;9mX")["X"]
    assert (style.dim, style.italic, style.reverse, style.strike) == (True, True, True, True)


def test_resets():
    styles = styles_of("\x1b[1;31ma\x1b[22mb\x1b[39mc\x1b[1md\x1b[me")
    assert styles["a"].bold and styles["a"].color == Color.parse("red")
    assert not styles["b"].bold and styles["b"].color == Color.parse("red")
    assert "c" not in styles  # nothing left after 22 and 39
    assert styles["d"].bold
    assert "e" not in styles  # ESC[m resets everything


def test_a_malformed_extended_colour_stops_the_sequence():
    assert apply_sgr(DEFAULT, "38;5") == DEFAULT
    assert apply_sgr(DEFAULT, "1;38;2;9") == (None, None, 1)


def test_carriage_return_overwrites_from_column_zero():
    assert render_line("10%\r20%\r100%").plain == "100%"
    assert render_line("progress 100%\rdone").plain == "doneress 100%"


def test_backspace_moves_left():
    assert render_line("abc\bX").plain == "abX"
    assert render_line("a\b\b\bZ").plain == "Z"  # never left of column 0


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("hello world\r\x1b[Khi", "hi"),
        ("hello world\r\x1b[0Khi", "hi"),
        ("hello world\x1b[6D\x1b[K", "hello"),
        ("hello world\x1b[6D\x1b[1K", "      world"),
        ("hello world\x1b[2Knew", "           new"),  # erases the line, cursor stays
        ("hello\r\x1b[2X", "  llo"),
    ],
)
def test_erase(raw, shown):
    assert render_line(raw).plain == shown


def test_cursor_right_left_and_absolute_column():
    assert render_line("ab\x1b[3Cc").plain == "ab   c"
    assert render_line("abcdef\x1b[3DX").plain == "abcXef"
    assert render_line("abcdef\x1b[2GX").plain == "aXcdef"
    assert render_line("abcdef\x1b[GX").plain == "Xbcdef"


def test_tabs_go_to_the_next_multiple_of_eight():
    assert render_line("a\tb").plain == "a       b"
    assert render_line("12345678\tx").plain == "12345678        x"
    assert render_line("abc\t").plain == "abc"  # a tab moves, it does not draw


def test_wide_characters_take_two_cells():
    line = interpret("日本\x1b[31mX")
    assert (line.cells, line.column) == (5, 5)
    assert render_line("日本語\rX").plain == "X 本語"  # the half left of 日 becomes a blank
    assert render_line("ab\x1b[1G日").plain == "日"
    assert interpret("🚀 go").cells == 5


def test_osc_and_other_strings_are_invisible():
    raw = "\x1b]133;A\x07user@host $ \x1b]0;window title\x1b\\ls\x1b]133;D;0\x07"
    assert render_line(raw).plain == "user@host $ ls"
    assert render_line("a\x1bP+q544e\x1b\\b").plain == "ab"


def test_other_sequences_and_controls_draw_nothing():
    raw = "\x1b[?25l\x1b[?2004ha\x07b\x1b(Bc\x1b[>4;2md\x1b[6ne\x00\x7f"
    line = render_line(raw)
    assert line.plain == "abcde"
    assert line.spans == []  # the private ">4;2m" is not an underline


def test_state_carries_in_and_out():
    red = apply_sgr(DEFAULT, "31")
    assert styles_of_state("text", red) == Color.parse("red")
    assert end_state("\x1b[32mgreen \x1b[1mbold", DEFAULT) == apply_sgr(DEFAULT, "32;1")
    assert end_state("\x1b[32mgreen\x1b[0m", red) == DEFAULT
    assert end_state("no escapes", red) == red


def styles_of_state(raw, state):
    text = render_line(raw, state)
    return text.spans[0].style.color


def test_wrap_at_width():
    line = interpret("\x1b[32m" + "a" * 25 + "\x1b[0m" + "b" * 10)
    rows = wrap(line.runs, line.cells, 10)
    assert ["".join(s.text for s in row) for row in rows] == ["a" * 10, "a" * 10, "aaaaabbbbb", "bbbbb"]
    assert all(s.style.color == Color.parse("green") for s in rows[0])


def test_a_wide_character_that_does_not_fit_moves_to_the_next_row():
    line = interpret("abcd日")
    rows = wrap(line.runs, line.cells, 5)
    assert ["".join(s.text for s in row) for row in rows] == ["abcd ", "日"]
    assert row_count("abcd日", 5) == 2


@pytest.mark.parametrize(
    ("raw", "width", "rows"),
    [
        ("", 10, 1),
        ("a" * 10, 10, 1),
        ("a" * 11, 10, 2),
        ("\x1b[31m" + "a" * 10 + "\x1b[0m", 10, 1),  # escapes take no cells
        ("日" * 5, 10, 1),
        ("日" * 6, 10, 2),
        ("a\tb", 8, 2),
        ("x" * 30 + "\ry", 10, 3),
    ],
)
def test_row_count(raw, width, rows):
    assert row_count(raw, width) == rows


_pieces = st.sampled_from(
    ["abc", "日本", "\r", "\b", "\t", "\x1b[K", "\x1b[1K", "\x1b[2K", "\x1b[3C", "\x1b[2D", "\x1b[4G",
     "\x1b[31m", "\x1b[1;44m", "\x1b[0m", "\x1b[38;5;208m", "\x1b]0;t\x07", " ", "é", "\x1b[P", "\x1b[2@"]
)


@given(st.lists(_pieces, max_size=25), st.sampled_from([DEFAULT, (None, "41", 1)]))
def test_compacting_a_line_keeps_what_it_shows(pieces, state):
    raw = "".join(pieces)
    short = compact(raw, state)
    assert cells(render_line(short)) == cells(render_line(raw, state))
    after = "Z\x1b[31mY"  # and text written after it lands in the same place, in the same colour
    assert cells(render_line(short + after)) == cells(render_line(raw + after, state))
