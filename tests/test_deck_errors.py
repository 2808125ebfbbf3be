"""Every error path of the deck loader: located at file:line:column, saying what was expected."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tui.deck.parse import load_deck, parse_deck_text
from tui.errors import LoadError, LocatedError, Location
from tui.textfile import MAX_BYTES, read_text
from tui.yamltext import load_yaml

P = Path("deck.md")


def errors_of(text: str, path: Path = P) -> list[LocatedError]:
    with pytest.raises(LoadError) as info:
        parse_deck_text(text, path)
    return info.value.errors


def only_error(text: str) -> LocatedError:
    errors = errors_of(text)
    assert len(errors) == 1, [str(e) for e in errors]
    return errors[0]


def where(error: LocatedError) -> tuple[int, int]:
    assert error.location.path == P
    return error.location.line, error.location.column


def load_errors(path: Path) -> list[LocatedError]:
    with pytest.raises(LoadError) as info:
        load_deck(path)
    return info.value.errors


# --- the error type itself -------------------------------------------------------------------


def test_located_error_formatting():
    assert str(LocatedError(Location(P, 3, 7), "bad")) == "deck.md:3:7: bad"
    assert str(LocatedError(Location(P, 3), "bad")) == "deck.md:3: bad"
    assert str(LocatedError(Location(P), "bad")) == "deck.md: bad"
    error = LoadError([LocatedError(Location(P, 1, 2), "a"), LocatedError(Location(P, 5), "b")])
    assert str(error) == "deck.md:1:2: a\ndeck.md:5: b"


def test_load_error_needs_an_error():
    with pytest.raises(ValueError):
        LoadError([])


# --- unknown and malformed directives --------------------------------------------------------


def test_unknown_directive_names_line_column_and_the_known_ones():
    error = only_error("# T\n\ntext\n\n<!-- bogus -->\n")
    assert where(error) == (5, 6)
    assert "unknown directive 'bogus'" in error.message
    for name in ("pause", "speaker_note", "column_layout", "column", "reset_layout", "demo", "time", "end_slide"):
        assert name in error.message
    assert "<!-- // text -->" in error.message


def test_unknown_directive_with_value():
    error = only_error("<!-- colour: red -->\n")
    assert where(error) == (1, 6)
    assert "unknown directive 'colour'" in error.message


def test_misspelled_directive():
    error = only_error("x\n\n<!-- speaker-note: hi -->\n")
    assert where(error) == (3, 6)
    assert "'speaker-note'" in error.message


def test_directive_names_are_case_sensitive():
    assert "unknown directive 'PAUSE'" in only_error("<!-- PAUSE -->").message


def test_indented_comment_column():
    assert where(only_error("   <!-- bogus -->\n")) == (1, 9)


def test_second_comment_on_a_line_column():
    assert where(only_error("<!-- pause --><!-- bogus -->\n")) == (1, 20)


def test_multi_line_comment_key_position():
    # the key sits on the second line, after two spaces
    assert where(only_error("intro\n\n<!--\n  bogus\n-->\n")) == (4, 3)


def test_tab_before_key_counts_one_column():
    assert where(only_error("<!--\tbogus -->\n")) == (1, 6)


@pytest.mark.parametrize("comment", ["<!-- -->", "<!---->", "<!--\n\n-->"])
def test_empty_comment(comment):
    error = only_error(f"x\n\n{comment}\n")
    assert error.location.line == 3
    assert "empty comment" in error.message and "<!-- // text -->" in error.message


@pytest.mark.parametrize("name", ["pause", "reset_layout", "end_slide"])
def test_bare_directive_with_a_value(name):
    error = only_error(f"x\n\n<!-- {name}: 2 -->\n")
    assert where(error) == (3, 6)
    assert f"directive {name!r} takes no value" in error.message
    assert f"'<!-- {name} -->'" in error.message


@pytest.mark.parametrize("name", ["speaker_note", "column_layout", "column", "demo", "time"])
def test_valued_directive_without_a_value(name):
    error = only_error(f"x\n\n<!-- {name} -->\n")
    assert where(error) == (3, 6)
    assert f"directive {name!r} needs a value" in error.message


@pytest.mark.parametrize("name", ["column_layout", "column", "demo", "time"])
def test_valued_directive_with_empty_value(name):
    error = only_error(f"<!-- {name}: -->\n")
    assert error.location.line == 1
    assert error.message.startswith(f"{name}: got ''; expected ")


@pytest.mark.parametrize(
    "value", ["[]", "[0, 1]", "[3, -2]", "[3, x]", "[true, 1]", "[1.5]", "[1, 2, 3, 4, 5, 6, 7]", "[101]", "3", "{a: 1}", "'[3, 2]'"]
)
def test_bad_column_layout(value):
    error = only_error(f"# T\n\n<!-- column_layout: {value} -->\n")
    assert where(error) == (3, 21)  # the value's first character
    assert error.message == f"column_layout: got {value!r}; expected a list of 1 to 6 positive widths like [3, 2]"


@pytest.mark.parametrize("value", ["-1", "x", "1.5", "true", "[0]", "null"])
def test_bad_column_index(value):
    error = only_error(f"<!-- column_layout: [1, 1] -->\n<!-- column: {value} -->\n")
    assert where(error) == (2, 14)
    assert "expected a column index like 0 or 1" in error.message


@pytest.mark.parametrize("value", ["Foo", "has space", "-lead", "a/b", "[a]", "über", "'quoted'", "_x"])
def test_bad_demo_name(value):
    error = only_error(f"<!-- demo: {value} -->\n")
    assert where(error) == (1, 12)
    assert "expected a scenario name of lowercase letters, digits, '-' and '_'" in error.message


@pytest.mark.parametrize("value", ["90", "0s", "0m0s", "soon", "1x", "[1m]", "-2m", "1.5"])
def test_bad_time(value):
    error = only_error(f"x\n\n<!-- time: {value} -->\n")
    assert where(error) == (3, 12)
    assert error.message == f"time: got {value!r}; expected a duration like 90s, 2m or 1m30s"


def test_time_that_overflows_is_rejected():
    error = only_error("<!-- time: " + "9" * 400 + "s -->\n")
    assert "expected a duration" in error.message


def test_invalid_yaml_in_a_directive_value_points_into_the_value():
    # `: x` inside a plain scalar list item is fine, but a flow list cut short is not
    error = only_error("# T\n\n<!-- column_layout: [3, 2 -->\n")
    line, column = where(error)
    assert line == 3
    assert 21 <= column <= 27
    assert error.message.startswith("invalid YAML")


def test_invalid_yaml_error_on_a_later_line_of_the_value():
    error = only_error("<!-- column_layout: [3,\n  2 } -->\n")
    assert where(error) == (2, 5)  # the `}`
    assert error.message.startswith("invalid YAML")


def test_empty_speaker_note():
    error = only_error("x\n\n<!-- speaker_note: -->\n")
    assert error.location.line == 3
    assert "speaker_note is empty; expected the note's text" in error.message


def test_empty_block_speaker_note():
    error = only_error("x\n\n<!-- speaker_note: |\n-->\n")
    assert error.location.line == 3
    assert "speaker_note: expected text after the block indicator" in error.message


def test_block_note_yaml_error_on_first_line_has_the_file_column():
    # `|x` is not a block indicator; the error points at the `x`
    error = only_error("<!-- speaker_note: |x -->\n")
    assert where(error) == (1, 21)
    assert error.message.startswith("invalid YAML")


def test_block_note_with_unindented_text():
    # YAML reads the unindented line as a sibling key; the note itself is empty
    error = only_error("<!-- speaker_note: |\nnot indented: here\n-->\n")
    assert error.location.line == 1
    assert "speaker_note: expected text after the block indicator" in error.message


def test_block_note_with_unindented_plain_words():
    error = only_error("<!-- speaker_note: |\nplain words\n-->\n")
    assert error.location.line in (2, 3)
    assert error.message.startswith("invalid YAML")


# --- directives in the wrong place -----------------------------------------------------------


def test_directive_inside_a_paragraph():
    error = only_error("Some text <!-- pause --> more text\n")
    assert where(error) == (1, 11)
    assert "directive inside a paragraph" in error.message
    assert "on its own line" in error.message


def test_directive_on_a_later_line_of_a_paragraph():
    error = only_error("# T\n\nfirst line\nsecond <!-- pause -->\n")
    assert where(error) == (4, 8)


def test_directive_inside_a_heading():
    assert where(only_error("# Title <!-- pause -->\n")) == (1, 9)


def test_directive_inside_a_table_cell():
    error = only_error("| a | b |\n|---|---|\n| x <!-- pause --> | y |\n")
    assert where(error) == (3, 5)


def test_directive_inside_a_list_item():
    error = only_error("- one\n- <!-- pause -->\n- three\n")
    assert where(error) == (2, 3)
    assert "directive inside a list, quote or paragraph" in error.message


def test_directive_inside_a_nested_list_item():
    assert where(only_error("- one\n\n  - <!-- pause -->\n")) == (3, 5)


def test_directive_inside_a_quote():
    assert where(only_error("intro\n\n> quoted\n>\n> <!-- speaker_note: x -->\n")) == (5, 3)


def test_unknown_directive_inside_a_list_is_still_an_error():
    error = only_error("- <!-- whatever -->\n")
    assert error.location.line == 1


def test_directive_followed_by_text_on_its_line():
    # an HTML block that starts with the comment but goes on: the directive must not be dropped
    error = only_error("# T\n\n<!-- pause --> and then text\n")
    assert where(error) == (3, 1)
    assert "on its own line" in error.message


def test_directive_inside_other_html():
    error = only_error("<div>\n<!-- pause -->\n</div>\n")
    assert where(error) == (2, 1)


def test_free_comment_mixed_with_html_is_fine():
    deck = parse_deck_text("<div>\n<!-- // layout helper -->\n</div>\n\n<!-- // x --> trailing\n")
    assert len(deck.slides) == 1


def test_nested_errors_are_all_reported():
    errors = errors_of("- <!-- pause -->\n\n> <!-- pause -->\n\ntext <!-- pause -->\n")
    assert [e.location.line for e in errors] == [1, 3, 5]


# --- column misuse ---------------------------------------------------------------------------


def test_column_out_of_range():
    error = only_error("# T\n\n<!-- column_layout: [3, 2] -->\n<!-- column: 2 -->\n")
    assert where(error) == (4, 6)
    assert error.message == "column 2 is out of range; this layout has 2 columns, expected 0 to 1"


def test_column_out_of_range_in_a_single_column_layout():
    error = only_error("<!-- column_layout: [1] -->\n\n<!-- column: 1 -->\n")
    assert error.location.line == 3
    assert "expected 0 to 0" in error.message


def test_column_without_layout():
    error = only_error("x\n\n<!-- column: 0 -->\n")
    assert where(error) == (3, 6)
    assert "column without a layout" in error.message and "column_layout" in error.message


def test_column_after_reset_layout_has_no_layout():
    error = only_error("<!-- column_layout: [1, 1] -->\n<!-- column: 0 -->\na\n<!-- reset_layout -->\n<!-- column: 1 -->\n")
    assert where(error) == (5, 6)
    assert "column without a layout" in error.message


def test_layout_does_not_carry_over_to_the_next_slide():
    error = only_error("<!-- column_layout: [1, 1] -->\n<!-- column: 0 -->\na\n\n---\n\n<!-- column: 1 -->\n")
    assert error.location.line == 7


def test_reset_layout_without_layout():
    error = only_error("x\n\n<!-- reset_layout -->\n")
    assert where(error) == (3, 6)
    assert "reset_layout without a column layout" in error.message


def test_content_before_first_column():
    error = only_error("# T\n\n<!-- column_layout: [1, 1] -->\n\nstray text\n\n<!-- column: 0 -->\n")
    assert where(error) == (5, 1)
    assert "before any column" in error.message and "<!-- column: N -->" in error.message


# --- one-per-slide directives ----------------------------------------------------------------


def test_second_demo_on_a_slide():
    error = only_error("<!-- demo: a -->\n\ntext\n\n<!-- demo: b -->\n")
    assert where(error) == (5, 6)
    assert "already binds demo 'a' (line 1)" in error.message
    assert "one demo per slide" in error.message


def test_second_time_on_a_slide():
    error = only_error("x\n<!-- time: 1m -->\n<!-- time: 2m -->\n")
    assert where(error) == (3, 6)
    assert "already has a time budget (line 2)" in error.message


def test_one_demo_and_time_per_slide_is_fine_across_slides():
    deck = parse_deck_text("<!-- demo: a -->\n<!-- time: 1m -->\n\n---\n\n<!-- demo: b -->\n<!-- time: 1m -->\n")
    assert [s.demo for s in deck.slides] == ["a", "b"]


# --- front matter ----------------------------------------------------------------------------


def test_unclosed_front_matter():
    error = only_error("---\ntitle: T\n\n# Slide\n")
    assert where(error) == (1, 1)
    assert "never closed" in error.message and "'---'" in error.message


def test_front_matter_invalid_yaml_points_at_the_problem():
    error = only_error("---\ntitle: T\nauthor: [a, b\n---\n# A\n")
    line, column = where(error)
    assert line == 3
    assert column >= 9
    assert error.message.startswith("invalid YAML")


def test_front_matter_invalid_yaml_inside_the_block():
    error = only_error("---\ntitle: T\n  bad: indent\n---\n")
    assert where(error) == (3, 6)
    assert error.message.startswith("invalid YAML")


def test_front_matter_bad_date():
    error = only_error("---\ndate: 2024-13-45\n---\n# A\n")
    assert error.location.line == 2
    assert error.message.startswith("invalid YAML")


def test_front_matter_not_a_mapping():
    error = only_error("---\n- a\n- b\n---\n# A\n")
    assert where(error) == (1, 1)
    assert "front matter is a list; expected a mapping" in error.message


def test_front_matter_scalar():
    assert "front matter is a str" in only_error("---\njust words\n---\n").message


def test_front_matter_unknown_key():
    error = only_error("---\ntitle: T\nsubtitle: S\n---\n")
    assert "unknown front matter key 'subtitle'" in error.message
    assert "sub_title" in error.message


@pytest.mark.parametrize("key", ["title", "sub_title", "event", "location", "date", "speaker_note"])
@pytest.mark.parametrize("value", ["[a, b]", "{a: 1}", "true", "null"])
def test_front_matter_text_key_with_wrong_type(key, value):
    error = only_error(f"---\n{key}: {value}\n---\n# A\n")
    assert f"front matter {key!r} is a" in error.message and "expected text" in error.message


@pytest.mark.parametrize("value", ["[a, 1]", "{a: b}", "42", "[[a]]"])
def test_front_matter_bad_authors(value):
    error = only_error(f"---\nauthors: {value}\n---\n# A\n")
    assert "front matter 'authors': expected a name or a list of names" in error.message


@pytest.mark.parametrize("value", ["blue", "Dark", "[dark]", "1"])
def test_front_matter_bad_theme(value):
    error = only_error(f"---\ntitle: T\ntheme:  {value}\n---\n# A\n")
    assert "expected one of: dark, light, projector" in error.message
    assert where(error) == (3, 9)  # the value, on its own line of the file


def test_front_matter_errors_point_at_their_key_or_value():
    errors = errors_of("---\ntitle: T\n\nbogus: 1\ntime:   soon\n---\n# A\n")
    assert [where(e) for e in errors] == [(4, 1), (5, 9)]


@pytest.mark.parametrize("value", ["90", "soon", "1x", "0s"])
def test_front_matter_bad_time(value):
    error = only_error(f"---\ntitle: T\ntime: {value}\n---\n")
    assert "front matter time" in error.message and "expected a duration like 90s" in error.message


def test_front_matter_errors_are_all_reported():
    errors = errors_of("---\ntitle: [x]\nbogus: 1\ntheme: blue\ntime: 90\nauthors: [1]\n---\n# A\n")
    assert len(errors) == 5
    messages = " | ".join(e.message for e in errors)
    for part in ("'title' is a list", "'bogus'", "theme 'blue'", "time 90", "'authors'"):
        assert part in messages


def test_front_matter_error_does_not_hide_errors_in_the_slides():
    errors = errors_of("---\ntheme: blue\n---\n# A\n\n<!-- bogus -->\n")
    assert len(errors) == 2
    assert "theme" in errors[0].message
    assert errors[1].location.line == 6 and "'bogus'" in errors[1].message


def test_yaml_errors_stay_inside_their_text():
    # libyaml reports the end of a one-line text as the next line; that line does not exist
    with pytest.raises(LoadError) as info:
        load_yaml("[3, 2", P, first_line=7, column_offset=10)
    location = info.value.errors[0].location
    assert location.line == 7
    assert location.column == 16  # just after the `2`


# --- many errors at once ---------------------------------------------------------------------


def test_errors_in_one_file_are_gathered_in_order():
    text = "<!-- bogus -->\n\n<!-- column: 0 -->\n\n---\n\n<!-- time: x -->\n\n<!-- demo: A -->\n"
    errors = errors_of(text)
    assert [(e.location.line, e.location.column) for e in errors] == [(1, 6), (3, 6), (7, 12), (9, 12)]


def test_load_deck_gathers_errors_across_files(tmp_path):
    (tmp_path / "a.md").write_text("---\ntitle: T\nbogus: 1\n---\n# A\n\n<!-- pause: 1 -->\n")
    (tmp_path / "b.md").write_text("# B\n\n<!-- nope -->\n")
    (tmp_path / "c.md").write_bytes(b"# C\n\xff\n")
    (tmp_path / "d.md").write_text("# fine\n")
    errors = load_errors(tmp_path)
    assert [(e.location.path.name, e.location.line) for e in errors] == [("a.md", 3), ("a.md", 7), ("b.md", 3), ("c.md", 2)]
    assert str(errors[2]) == f"{tmp_path / 'b.md'}:3:6: " + errors[2].message


# --- reading files ---------------------------------------------------------------------------


def test_missing_path(tmp_path):
    (error,) = load_errors(tmp_path / "nope.md")
    assert error.location == Location(tmp_path / "nope.md", 0, 0)
    assert "no such file or directory" in error.message


def test_path_with_a_file_as_parent(tmp_path):
    (tmp_path / "f.md").write_text("# A\n")
    (error,) = load_errors(tmp_path / "f.md" / "x.md")
    assert "no such file or directory" in error.message


def test_path_name_too_long(tmp_path):
    (error,) = load_errors(tmp_path / ("x" * 5000 + ".md"))
    assert error.location.line == 0
    assert "expected a .md deck file" in error.message


def test_directory_without_md_files(tmp_path):
    (tmp_path / "README.txt").write_text("# hi\n")
    (tmp_path / "x.markdown").write_text("# hi\n")
    (error,) = load_errors(tmp_path)
    assert error.location == Location(tmp_path, 0, 0)
    assert "no .md files" in error.message


def test_empty_directory(tmp_path):
    (error,) = load_errors(tmp_path)
    assert "no .md files" in error.message


@pytest.mark.parametrize("content", [b"", b"\n\n  \n", b"<!-- // only a comment -->\n", b"---\n\n---\n\n---\n"])
def test_file_without_slides(tmp_path, content):
    path = tmp_path / "empty.md"
    path.write_bytes(content)
    (error,) = load_errors(path)
    assert error.location.path == path
    assert "no slides" in error.message


@pytest.mark.parametrize("text", ["", "\n", "---\n---\n", "<!-- // x -->"])
def test_text_without_slides(text):
    error = only_error(text)
    assert "no slides" in error.message and "'---'" in error.message


def test_directory_of_empty_files_has_no_slides(tmp_path):
    (tmp_path / "a.md").write_text("")
    (tmp_path / "b.md").write_text("\n")
    (error,) = load_errors(tmp_path)
    assert error.location.path == tmp_path
    assert "no slides" in error.message


def test_nul_byte(tmp_path):
    path = tmp_path / "bin.md"
    path.write_bytes(b"# T\nabc\x00def\n")
    (error,) = load_errors(path)
    assert error.location == Location(path, 2, 4)
    assert "NUL byte" in error.message and "expected UTF-8 Markdown text" in error.message


def test_binary_junk(tmp_path):
    path = tmp_path / "junk.md"
    path.write_bytes(bytes(range(256)) * 4)
    (error,) = load_errors(path)
    assert error.location == Location(path, 1, 1)
    assert "NUL byte" in error.message


def test_invalid_utf8_names_line_and_column(tmp_path):
    path = tmp_path / "latin1.md"
    path.write_bytes("# Cafe\n\nna\xefve\n".encode("latin-1"))
    (error,) = load_errors(path)
    assert error.location == Location(path, 3, 3)
    assert "invalid UTF-8 (byte 0xef)" in error.message and "expected UTF-8 Markdown text" in error.message


def test_invalid_utf8_after_crlf_lines(tmp_path):
    path = tmp_path / "x.md"
    path.write_bytes(b"a\r\nb\r\ncd\x80\r\n")
    (error,) = load_errors(path)
    assert (error.location.line, error.location.column) == (3, 3)


def test_truncated_utf8_at_end_of_file(tmp_path):
    path = tmp_path / "x.md"
    path.write_bytes("# ok\n€".encode()[:-1])
    (error,) = load_errors(path)
    assert (error.location.line, error.location.column) == (2, 1)
    assert "byte 0xe2" in error.message


def test_huge_file(tmp_path):
    path = tmp_path / "huge.md"
    with path.open("wb") as f:
        f.truncate(MAX_BYTES + 1)  # sparse: no need to write 8 MiB
    (error,) = load_errors(path)
    assert error.location == Location(path, 0, 0)
    assert "MiB" in error.message and "under 8 MiB" in error.message


def test_file_at_the_size_limit_is_read(tmp_path):
    path = tmp_path / "big.md"
    body = b"# Big\n\n"
    path.write_bytes(body + b"x" * (MAX_BYTES - len(body)))
    assert os.path.getsize(path) == MAX_BYTES
    assert load_deck(path).slides[0].title == "Big"


def test_read_text_of_a_directory(tmp_path):
    with pytest.raises(LoadError) as info:
        read_text(tmp_path)
    assert "is a directory" in info.value.errors[0].message


def test_read_text_of_a_missing_file(tmp_path):
    with pytest.raises(LoadError) as info:
        read_text(tmp_path / "gone.md")
    assert "cannot read" in info.value.errors[0].message


def test_read_text_normalises_bom_and_line_endings(tmp_path):
    path = tmp_path / "x.md"
    path.write_bytes(b"\xef\xbb\xbfa\r\nb\rc\n")
    assert read_text(path) == "a\nb\nc\n"


def test_nul_byte_column_counts_characters(tmp_path):
    path = tmp_path / "x.md"
    path.write_bytes("# T\nnaïve\x00\n".encode())
    (error,) = load_errors(path)
    assert (error.location.line, error.location.column) == (2, 6)


def test_invalid_utf8_column_counts_characters(tmp_path):
    path = tmp_path / "x.md"
    path.write_bytes("€€".encode() + b"\xff")
    (error,) = load_errors(path)
    assert (error.location.line, error.location.column) == (1, 3)


def test_invalid_utf8_column_after_a_bom(tmp_path):
    path = tmp_path / "x.md"
    path.write_bytes(b"\xef\xbb\xbfab\xff")
    (error,) = load_errors(path)
    assert (error.location.line, error.location.column) == (1, 3)


def test_bad_byte_line_counts_lone_cr_line_ends(tmp_path):
    # read_text treats a lone `\r` as a line end, so the error's line does too
    path = tmp_path / "x.md"
    path.write_bytes(b"a\rb\r\nc\n\xff")
    (error,) = load_errors(path)
    assert (error.location.line, error.location.column) == (4, 1)
