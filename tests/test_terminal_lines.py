"""Line mode: raw lines in, wrapped visual rows out (tui.terminal.lines.LineBuffer)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.color import Color

from termtools import cells
from tui.terminal.lines import COMPACT_AT, LineBuffer


def rows(buf: LineBuffer) -> list[str]:
    return [buf.row_text(y).plain for y in range(buf.visual_row_count)]


def fed(*chunks: str, width: int = 40, **kw) -> LineBuffer:
    buf = LineBuffer(width, **kw)
    for chunk in chunks:
        buf.feed(chunk)
    return buf


def test_lines_split_on_newlines_and_the_cursor_line_stays_open():
    buf = fed("one\r\ntwo\r\nthr", "ee")
    assert rows(buf) == ["one", "two", "three"]
    assert buf.line(2) == "three"
    assert buf.cursor == (5, 2)


def test_an_escape_sequence_split_across_feeds():
    buf = fed("\x1b[3", "1mred\x1b", "[0m plain\r", "\n")
    assert rows(buf) == ["red plain", ""]
    assert buf.row_text(0).spans[0].style.color == Color.parse("red")
    assert buf.line_count == 2  # the \r\n pair split across feeds is still one newline


def test_every_split_of_a_sequence_is_carried_over():
    stream = "one\r\ntwo\x1b[1;31m!\x1b]0;title\x1b\\\x1b[1A\rONE\x1b[0m"
    for i in range(len(stream) + 1):
        buf = fed(stream[:i], stream[i:])
        assert rows(buf) == ["ONE", "two!"], i
        assert buf.row_text(0).spans[0].style.color == Color.parse("red")


def test_cursor_up_rewrites_earlier_lines():
    # the shape of docker pull / multi-bar progress: draw three bars, go up, redraw them
    buf = fed("layer1: 10%\r\nlayer2: 10%\r\nlayer3: 10%\r\n")
    buf.feed("\x1b[3A\x1b[2Klayer1: done\r\n\x1b[2Klayer2: 50%\r\n\x1b[2Klayer3: 70%\r\n")
    assert rows(buf) == ["layer1: done", "layer2: 50%", "layer3: 70%", ""]
    buf.feed("\x1b[2A\rlayer2: done\x1b[K\x1b[1B\rlayer3: done\r\n")
    assert rows(buf) == ["layer1: done", "layer2: done", "layer3: done", ""]


def test_colours_follow_the_cursor_but_do_not_leak_into_rows_below():
    buf = fed("a\r\nb\r\nc")
    buf.feed("\x1b[2A\r\x1b[32mA\x1b[1B\rB\x1b[0m\x1b[1B\rC")
    assert rows(buf) == ["A", "B", "C"]
    green = Color.parse("green")
    assert [[s.style and s.style.color for s in buf.render_row(y)] for y in range(3)] == [[green], [green], [None]]
    buf = fed("a\r\nb\r\nc\x1b[2A\r\x1b[31mX\r\n")  # red left on in row 0, row 1 untouched
    assert buf.render_row(1)[0].style is None
    assert buf.row_text(1).plain == "b"


def test_cursor_up_keeps_the_column():
    buf = fed("abcdef\r\nxy")
    buf.feed("\x1b[AZ")  # xterm: up one row, same column (2)
    assert rows(buf) == ["abZdef", "xy"]


def test_cursor_up_cannot_leave_the_screen():
    buf = fed("".join(f"line {i}\r\n" for i in range(10)), height=4)
    buf.feed("\x1b[99A\rX")
    assert rows(buf)[6:] == ["line 6", "Xine 7", "line 8", "line 9", ""]  # top of a 4-row screen


def test_erase_below_removes_the_rows_under_the_cursor():
    buf = fed("a\r\nb\r\nc\r\nd")
    buf.feed("\x1b[2A\r\x1b[Jnew")
    assert rows(buf) == ["a", "new"]


def test_progress_with_carriage_returns():
    buf = fed("downloading 10%\r", "downloading 20%\r", "downloading 100%\r\n", "next")
    assert rows(buf) == ["downloading 100%", "next"]


def test_a_long_running_progress_line_is_compacted():
    buf = LineBuffer(80)
    for i in range(5000):
        buf.feed(f"\r\x1b[32m{i:5d}\x1b[0m of 5000 [{'#' * (i // 100):50}]")
    assert len(buf.line(0)) < 2 * COMPACT_AT
    assert rows(buf) == [f" 4999 of 5000 [{'#' * 49:50}]"]
    assert buf.row_text(0).spans[0].style.color == Color.parse("green")
    buf.feed("\r\ndone")
    assert rows(buf)[-1] == "done"


def test_clear_starts_fresh():
    buf = fed("old 1\r\nold 2\r\n")
    before = buf.dropped
    buf.feed("\x1b[H\x1b[2J\x1b[3Jnew")
    assert rows(buf) == ["new"]
    assert buf.dropped == before + 3
    buf.feed("\r\nmore\x1bcfresh")
    assert rows(buf) == ["fresh"]


def test_clear_keeps_the_colour_and_reset_does_not():
    buf = fed("\x1b[31mred\x1b[H\x1b[2Jstill red")
    assert buf.row_text(0).spans[0].style.color == Color.parse("red")
    buf.feed("\x1bcplain")
    assert buf.row_text(0).spans == []


def test_max_lines_drops_the_oldest_and_counts_them():
    buf = fed("".join(f"line {i}\r\n" for i in range(25)), max_lines=10)
    assert buf.line_count == 10
    assert buf.dropped == 16
    assert rows(buf)[0] == "line 16"
    assert rows(buf)[-2:] == ["line 24", ""]


def test_colours_carry_over_newlines_and_survive_dropping():
    buf = fed("\x1b[31mred one\r\nred two\r\n", "".join(f"{i}\r\n" for i in range(20)), max_lines=5)
    assert all(s.style.color == Color.parse("red") for s in buf.render_row(0))
    buf.feed("\x1b[0mplain")
    assert buf.render_row(buf.visual_row_count - 1)[0].style is None


def test_wrapping_rows_at_a_width_and_after_resize():
    buf = fed("short\r\n" + "x" * 25 + "\r\n\x1b[32m" + "日" * 6 + "\x1b[0m\r\nend", width=10)
    assert rows(buf) == ["short", "x" * 10, "x" * 10, "x" * 5, "日" * 5, "日", "end"]
    assert buf.locate(3) == (1, 2)
    assert buf.row_of_line(3) == 6
    buf.resize(30)
    assert rows(buf) == ["short", "x" * 25, "日" * 6, "end"]
    buf.resize(4)
    assert buf.visual_row_count == 2 + 7 + 3 + 1
    assert rows(buf)[-1] == "end"


def test_wrapped_rows_follow_a_growing_last_line():
    buf = fed("abc", width=4)
    assert buf.visual_row_count == 1
    buf.feed("defgh")
    assert rows(buf) == ["abcd", "efgh"]
    assert buf.cursor == (3, 1)  # pending wrap: the cursor stays in the last column
    buf.feed("i")
    assert rows(buf) == ["abcd", "efgh", "i"]


def test_versions_tell_a_renderer_what_changed():
    buf = fed("a\r\nb\r\nc")
    v, line_versions = buf.version, [buf.line_version(i) for i in range(3)]
    buf.feed("")
    assert buf.version == v
    buf.feed("d")
    assert buf.version > v
    assert [buf.line_version(i) for i in range(2)] == line_versions[:2]
    assert buf.line_version(2) != line_versions[2]
    buf.feed("\x1b[2A\rA")
    assert buf.line_version(0) != line_versions[0]
    assert buf.line_version(1) == line_versions[1]


def test_rendered_rows_are_cached_until_their_line_changes():
    buf = fed("\x1b[31mred\x1b[0m\r\nplain")
    first = buf.render_row(0)
    assert buf.render_row(0) is first
    buf.feed(" more")
    assert buf.render_row(0) is first
    buf.feed("\x1b[A\r\x1b[32mgreen")
    assert buf.render_row(0) is not first
    assert buf.row_text(0).plain == "green"


_stream = st.lists(
    st.sampled_from(
        ["word ", "日本", "\r\n", "\n", "\r", "\x1b[31m", "\x1b[0m", "\x1b[1;38;5;208m", "\x1b[A",
         "\x1b[2K", "\x1b]133;D;0\x07", "\t", "\b", "\x1b[3D", "x" * 30]
    ),
    max_size=40,
)


@settings(max_examples=150)
@given(_stream, st.lists(st.integers(0, 400), max_size=6))
def test_how_the_output_is_chunked_does_not_matter(pieces, cuts):
    stream = "".join(pieces)
    whole = fed(stream, width=12)
    bounds = [0, *sorted(min(c, len(stream)) for c in cuts), len(stream)]
    chunked = fed(*(stream[a:b] for a, b in zip(bounds, bounds[1:])), width=12)
    assert [cells(chunked.row_text(y)) for y in range(chunked.visual_row_count)] == [
        cells(whole.row_text(y)) for y in range(whole.visual_row_count)
    ]


def test_carriage_return_goes_to_the_start_of_the_wrapped_row():
    """readline, when a typed command reaches the last column, writes ' \\r' to wrap: the rest of
    the command continues on the next row instead of overwriting the start of the line."""
    from tui.terminal import TerminalModel

    model = TerminalModel(20, 10)
    model.feed("$ " + "a" * 18 + " \r" + "bbbb\r\n")
    assert model.plain() == "$ " + "a" * 18 + "\nbbbb"
    model = TerminalModel(20, 10)
    model.feed("x" * 20 + "\rY\r\n")  # exactly a full row: the cursor is still on it (pending wrap)
    assert model.plain() == "Y" + "x" * 19


@settings(max_examples=150)
@given(_stream, st.integers(1, 12), st.booleans(), st.integers(3, 40))
def test_the_followed_tail_is_the_bottom_of_the_whole_picture(pieces, height, focused, cap):
    """A pane that follows its output draws `render_tail_row`, which never counts every row;
    it must show exactly the bottom `height` rows of the full model, cursor included."""
    from tui.terminal import TerminalModel

    model = TerminalModel(12, height, max_lines=cap)
    for piece in pieces:
        model.feed(piece)
        top = max(0, model.row_count - height)
        whole = [model.render_row(top + y, show_cursor=focused) if top + y < model.row_count else []
                 for y in range(height)]
        assert [model.render_tail_row(y, height, show_cursor=focused) for y in range(height)] == whole


@settings(max_examples=300)
@given(_stream, st.lists(st.tuples(st.integers(0, 40), st.integers(0, 60)), max_size=6), st.integers(3, 30),
       st.randoms(use_true_random=False))
def test_start_states_asked_in_any_order_match_a_walk_through_every_line(pieces, asks, cap, rng):
    """`start_state` may skip to the nearest line that ends with a reset; the colours it finds
    must be those of a walk from the first line, whichever lines were asked for before."""
    from tui.terminal.sgr import end_state

    buf = LineBuffer(12, max_lines=cap)
    for n, piece in enumerate(pieces):
        buf.feed(piece)
        for when, line in asks:  # some lines asked for while output still arrives
            if when == n and line < buf.line_count:
                buf.start_state(line)
    state, expected = buf.start_state(0), []
    for i in range(buf.line_count):
        expected.append(state)
        state = end_state(buf.line(i), state)
    order = list(range(buf.line_count))
    rng.shuffle(order)
    assert {i: buf.start_state(i) for i in order} == dict(enumerate(expected))
