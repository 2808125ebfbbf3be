"""Screen mode on pyte, and the facade switching between line and screen mode."""

from __future__ import annotations

import subprocess
import sys

import pytest
from rich.color import Color

from tui.terminal import ScreenBuffer, TerminalModel, pyte_color

ENTER, LEAVE = "\x1b[?1049h", "\x1b[?1049l"


@pytest.mark.parametrize(
    ("name", "color"),
    [
        ("default", None),
        ("red", Color.parse("red")),
        ("brown", Color.parse("yellow")),
        ("brightbrown", Color.parse("bright_yellow")),
        ("brightblue", Color.parse("bright_blue")),
        ("bfightmagenta", Color.parse("bright_magenta")),  # pyte's spelling for SGR 105
        ("ff8700", Color.from_rgb(255, 135, 0)),
        ("not-a-colour", None),
    ],
)
def test_pyte_colour_names(name, color):
    assert pyte_color(name) == color


def cell_style(screen: ScreenBuffer, y: int, text: str):
    return next(s.style for s in screen.render_row(y) if text in s.text)


def test_screen_colours_from_pyte():
    screen = ScreenBuffer(20, 3)
    screen.feed("\x1b[33mY\x1b[0m \x1b[1;4;38;5;208mO\x1b[0m \x1b[38;2;1;2;3;48;5;4mT\x1b[0m \x1b[38;5;1mR")
    assert cell_style(screen, 0, "Y").color == Color.parse("yellow")  # pyte says "brown"
    orange = cell_style(screen, 0, "O")
    assert (orange.color, orange.bold, orange.underline) == (Color.parse("#ff8700"), True, True)
    t = cell_style(screen, 0, "T")
    assert (t.color, t.bgcolor) == (Color.from_rgb(1, 2, 3), Color.parse("blue"))
    assert cell_style(screen, 0, "R").color == Color.parse("red")  # palette 1 stays palette 1


def test_screen_rows_cursor_and_wide_characters():
    screen = ScreenBuffer(10, 3)
    screen.feed("\x1b[2;3H日本\x1b[7mR\x1b[0m")
    assert [screen.row_text(y).plain for y in range(3)] == [" " * 10, "  日本R   ", " " * 10]
    assert cell_style(screen, 1, "R").reverse
    assert screen.cursor == (7, 1)
    row = screen.render_row(1, show_cursor=True)
    assert [s.text for s in row if s.style and s.style.reverse] == ["R "]  # R, then the cursor
    screen.feed("\x1b[?25l")
    assert screen.cursor is None


def test_screen_ignores_sequences_pyte_gets_wrong():
    screen = ScreenBuffer(10, 2)
    screen.feed("\x1b[>4;2m\x1b[?1mA")  # modifyOtherKeys (vim), a private "SGR"
    assert screen.row_text(0).plain.rstrip() == "A"
    assert cell_style(screen, 0, "A") is None
    assert screen.errors == 0


def test_screen_rows_are_redrawn_when_dirty():
    screen = ScreenBuffer(10, 2)
    screen.feed("one\r\ntwo")
    top = screen.render_row(0)
    screen.feed("!")
    assert screen.render_row(0) is top
    screen.feed("\x1b[H\x1b[2KONE")
    assert screen.row_text(0).plain.rstrip() == "ONE"


def test_screen_resize():
    screen = ScreenBuffer(10, 2)
    screen.feed("abcdefghij")
    screen.resize(4, 3)
    assert [screen.row_text(y).plain for y in range(3)] == ["abcd", "    ", "    "]


def test_alternate_screen_in_and_out():
    term = TerminalModel(20, 4)
    term.feed("$ htop\r\n")
    term.feed(f"{ENTER}\x1b[H\x1b[2J\x1b[1;1HCPU 50%\x1b[3;1HMem")
    assert term.mode == "screen"
    assert term.row_count == 4
    assert [term.row_text(y).plain.rstrip() for y in range(4)] == ["CPU 50%", "", "Mem", ""]
    term.feed(f"{LEAVE}$ ")
    assert term.mode == "line"
    assert term.plain() == "$ htop\n$"  # the alternate screen's content is gone
    assert term.cursor == (2, 1)


def test_the_switch_can_sit_anywhere_in_a_chunk_or_across_chunks():
    term = TerminalModel(20, 3)
    stream = f"before\r\n{ENTER}inside\x1b[22;0;0t{LEAVE}after"
    for i in range(len(stream)):
        one = TerminalModel(20, 3)
        one.feed(stream[:i])
        one.feed(stream[i:])
        assert one.plain() == "before\nafter", i
    term.feed(stream[:12])
    assert term.mode == "line"  # "\x1b[?1" is not enough to decide
    term.feed(stream[12:18])
    assert term.mode == "screen"


@pytest.mark.parametrize("enter", ["\x1b[?1049h", "\x1b[?1047h", "\x1b[?47h", "\x1b[?1;1049h"])
def test_every_alternate_screen_mode(enter):
    term = TerminalModel(10, 2)
    term.feed(enter + "x")
    assert term.mode == "screen"
    term.feed(enter.replace("h", "l"))
    assert term.mode == "line"


def test_other_private_modes_stay_in_line_mode():
    term = TerminalModel(10, 2)
    term.feed("\x1b[?25l\x1b[?2004hprompt")
    assert term.mode == "line"
    assert term.plain() == "prompt"


def test_bytes_split_inside_a_character():
    term = TerminalModel(20, 2)
    data = "naïve 日本 ✓\r\n".encode()
    for i in range(len(data)):
        term.feed(data[i:i + 1])
    assert term.plain() == "naïve 日本 ✓"


def test_resize_in_both_modes():
    term = TerminalModel(10, 3)
    term.feed("x" * 15)
    assert term.row_count == 2
    term.resize(20, 3)
    assert term.row_count == 1
    term.feed(ENTER + "y" * 15)
    term.resize(5, 2)
    assert [term.row_text(y).plain for y in range(term.row_count)] == ["yyyyy", "     "]
    term.feed(LEAVE)
    assert term.row_count == 3  # 15 x's at 5 wide; the cursor waits in the last column


def test_version_changes_with_every_change():
    term = TerminalModel(10, 3)
    seen = {term.version}
    for chunk in ["a", ENTER, "b", LEAVE, "c"]:
        term.feed(chunk)
        assert term.version not in seen
        seen.add(term.version)
    term.resize(11, 3)
    assert term.version not in seen


def test_line_mode_cursor_is_drawn_when_asked():
    term = TerminalModel(10, 3)
    term.feed("\x1b[32mab\x1b[0m")
    row = term.render_row(0, show_cursor=True)
    assert [s.text for s in row] == ["ab", " "]
    assert row[1].style.reverse
    term.feed("\b\b")
    row = term.render_row(0, show_cursor=True)
    assert [s.text for s in row] == ["a", "b"] and row[0].style.reverse and row[0].style.color
    term.feed("\x1b[?25l")  # hidden, as progress bars do while they draw
    assert term.cursor is None
    assert not any(s.style and s.style.reverse for s in term.render_row(0, show_cursor=True))
    term.feed("\x1b[?25h")
    assert term.cursor == (0, 0)


def test_the_model_does_not_import_textual():
    code = "import sys, tui.terminal; print(sorted(m for m in sys.modules if m.startswith('textual')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


# the fast path of _Screen.draw against pyte's own draw: same cells, cursor and dirty rows --------
from hypothesis import example, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_PIECES = st.one_of(
    st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7e), max_size=30),  # the fast path
    st.sampled_from(["é", "漢字", "e\u0301", "\t", "\x7f", "→", "🙂"]),  # wide, combining, unprintable
    st.sampled_from(["\r\n", "\n", "\r", "\x08", "\x1b[H", "\x1b[5;70H", "\x1b[2J", "\x1b[K", "\x1b[1;31m",
                     "\x1b[0m", "\x1b[38;2;1;2;3m", "\x1b[7m", "\x1b[4h", "\x1b[4l", "\x1b[?7l", "\x1b[?7h",
                     "\x1b(0", "\x1b(B", "\x0e", "\x0f", "\x1b[3@", "\x1b[2P"]),  # moves, SGR, IRM, DECAWM, charsets
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=40), st.integers(min_value=1, max_value=12))
@example(["abcdef", "\r", "\x1b[4h", "XY"], 10)  # insert mode pushes the rest of the line right
@example(["\x1b(0", "lqqk"], 10)  # DEC line drawing: ASCII in, box characters out
@example(["\x1b[?7l", "abcdefghijkl"], 5)  # no autowrap: the last cell is overwritten
def test_fast_draw_matches_pyte(pieces, width):
    import pyte

    from tui.terminal.screen import _Screen

    class Reference(_Screen):
        draw = pyte.Screen.draw  # pyte's own, cell by cell

    ours, theirs = _Screen(width, 4), Reference(width, 4)
    for screen in (ours, theirs):
        stream = pyte.Stream(screen)
        for piece in pieces:
            stream.feed(piece)
    assert (ours.cursor.x, ours.cursor.y) == (theirs.cursor.x, theirs.cursor.y)
    assert ours.dirty == theirs.dirty
    for y in range(4):
        assert [ours.buffer[y][x] for x in range(width)] == [theirs.buffer[y][x] for x in range(width)]
