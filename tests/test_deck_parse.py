"""Deck parsing: slide splitting, titles, blocks and their lines, front matter, files on disk."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui.deck.model import Block, Columns, Deck, FrontMatter
from tui.deck.parse import deck_files, load_deck, parse_deck_text
from tui.errors import Location

P = Path("deck.md")


def texts(slide) -> list[str]:
    return [e.text for e in slide.elements if isinstance(e, Block)]


# --- splitting -----------------------------------------------------------------------------


def test_single_slide_without_separator():
    deck = parse_deck_text("# Hello\n\nSome text.\n")
    assert len(deck.slides) == 1
    slide = deck.slides[0]
    assert slide.number == 1
    assert slide.title == "Hello"
    assert texts(slide) == ["# Hello\n\nSome text."]
    assert slide.elements[0].line == 1
    assert slide.source == Location(P, 1, 1)
    assert slide.steps == 1
    assert not slide.is_title


def test_slides_split_on_dash_line_with_numbers_titles_and_lines():
    text = "# One\n\nfirst\n\n---\n\n# Two\n\nsecond\n\n---\n\n# Three\n"
    deck = parse_deck_text(text)
    assert [s.number for s in deck.slides] == [1, 2, 3]
    assert [s.title for s in deck.slides] == ["One", "Two", "Three"]
    assert [texts(s) for s in deck.slides] == [["# One\n\nfirst"], ["# Two\n\nsecond"], ["# Three"]]
    assert [s.elements[0].line for s in deck.slides] == [1, 7, 13]
    # a slide's source line is the line after its separator
    assert [s.source.line for s in deck.slides] == [1, 6, 12]


def test_separator_needs_no_blank_line_after_a_block_that_is_not_a_paragraph():
    deck = parse_deck_text("# One\n---\n# Two\n")
    assert [s.title for s in deck.slides] == ["One", "Two"]


def test_dashes_under_a_paragraph_make_a_setext_heading_not_a_split():
    # CommonMark: `text` + `---` is a level-2 heading; only a thematic break splits slides
    deck = parse_deck_text("Intro\n---\nmore\n")
    assert len(deck.slides) == 1
    assert deck.slides[0].title == "Intro"


@pytest.mark.parametrize("rule", ["***", "___", "----", "- - -", "-----", "* * *"])
def test_other_thematic_breaks_stay_rules(rule):
    deck = parse_deck_text(f"before\n\n{rule}\n\nafter\n")
    assert len(deck.slides) == 1
    assert texts(deck.slides[0]) == [f"before\n\n{rule}\n\nafter"]


def test_indented_dash_line_still_splits():
    # up to three spaces of indentation keep it a thematic break written `---`
    deck = parse_deck_text("a\n\n   ---\n\nb\n")
    assert [texts(s) for s in deck.slides] == [["a"], ["b"]]


def test_dash_line_with_trailing_spaces_splits():
    deck = parse_deck_text("a\n\n---   \n\nb\n")
    assert len(deck.slides) == 2


@pytest.mark.parametrize("fence", ["```", "~~~", "````"])
def test_dash_line_inside_code_fence_does_not_split(fence):
    text = f"# Code\n\n{fence}yaml\n---\nkey: value\n---\n{fence}\n\n---\n\n# Next\n"
    deck = parse_deck_text(text)
    assert [s.title for s in deck.slides] == ["Code", "Next"]
    assert texts(deck.slides[0]) == [f"# Code\n\n{fence}yaml\n---\nkey: value\n---\n{fence}"]


def test_unclosed_fence_runs_to_end_of_file_and_swallows_separators():
    deck = parse_deck_text("```\na\n\n---\n\nb\n")
    assert len(deck.slides) == 1


def test_dash_line_inside_indented_code_does_not_split():
    deck = parse_deck_text("para\n\n    code\n    ---\n    more\n\nafter\n")
    assert len(deck.slides) == 1


def test_dash_line_inside_list_item_or_quote_does_not_split():
    deck = parse_deck_text("- item\n\n  ---\n\n  still item\n\n> quote\n>\n> ---\n")
    assert len(deck.slides) == 1


def test_empty_slides_between_separators_are_dropped():
    deck = parse_deck_text("---\n\n---\n\n# Only\n\n---\n\n\n\n---\n")
    # a leading `---` opens front matter: `\n` up to the next `---` is empty YAML
    assert [s.title for s in deck.slides] == ["Only"]
    assert deck.slides[0].number == 1


def test_empty_slides_dropped_without_front_matter():
    deck = parse_deck_text("# A\n\n---\n\n---\n\n---\n\n# B\n\n---\n")
    assert [s.title for s in deck.slides] == ["A", "B"]
    assert [s.number for s in deck.slides] == [1, 2]


def test_slide_with_only_free_comment_is_dropped():
    deck = parse_deck_text("# A\n\n---\n\n<!-- // nothing here -->\n\n---\n\n# B\n")
    assert [s.title for s in deck.slides] == ["A", "B"]


def test_end_slide_directive_splits_like_a_separator():
    deck = parse_deck_text("# A\n\n<!-- end_slide -->\n\n# B\n")
    assert [s.title for s in deck.slides] == ["A", "B"]
    assert deck.slides[1].source.line == 4
    assert deck.slides[1].elements[0].line == 5


def test_end_slide_inside_a_comment_group_splits_between_directives():
    deck = parse_deck_text("# A\n\n<!-- pause --><!-- end_slide --><!-- pause -->\n\n# B\n")
    assert [s.steps for s in deck.slides] == [2, 2]


# --- titles ----------------------------------------------------------------------------------


def test_title_is_first_heading_of_any_level():
    deck = parse_deck_text("intro text\n\n### Third level\n\n# First level\n")
    assert deck.slides[0].title == "Third level"


def test_title_collapses_spacing():
    deck = parse_deck_text("#   Spaced  title   #\n")
    assert deck.slides[0].title == "Spaced title"


def test_setext_heading_is_a_title():
    deck = parse_deck_text("Big Title\n=========\n\nbody\n")
    assert deck.slides[0].title == "Big Title"


def test_slide_without_heading_is_named_by_its_first_paragraph():
    deck = parse_deck_text("# A\n\n---\n\njust   text\nwrapped\n\nsecond para\n\n---\n\n- a list\n")
    assert [s.title for s in deck.slides] == ["A", "just text wrapped", "Slide 3"]


def test_heading_beats_an_earlier_paragraph_for_the_title():
    assert parse_deck_text("intro words\n\n## Heading\n").slides[0].title == "Heading"


def test_long_first_paragraph_title_is_shortened():
    title = parse_deck_text("word " * 40 + "\n").slides[0].title
    assert title.startswith("word word") and title.endswith("…")
    assert len(title) <= 60


def test_slide_with_only_code_or_directives_gets_numbered_title():
    deck = parse_deck_text("# A\n\n---\n\n```\ncode\n```\n\n---\n\n<!-- pause -->\n")
    assert [s.title for s in deck.slides] == ["A", "Slide 2", "Slide 3"]


def test_heading_inside_a_list_or_quote_is_not_the_title():
    deck = parse_deck_text("> # Quoted\n\n- # Listed\n\n## Real\n")
    assert deck.slides[0].title == "Real"


def test_empty_heading_does_not_become_the_title():
    deck = parse_deck_text("#\n\n## Second\n")
    assert deck.slides[0].title == "Second"


def test_heading_in_a_column_is_the_title():
    deck = parse_deck_text("<!-- column_layout: [1, 1] -->\n<!-- column: 0 -->\n# Left\n<!-- column: 1 -->\n# Right\n")
    assert deck.slides[0].title == "Left"


# --- blocks ----------------------------------------------------------------------------------


def test_blocks_split_at_directives_and_keep_their_lines():
    text = "# T\n\none\n\n<!-- pause -->\n\ntwo\nstill two\n\n<!-- speaker_note: n -->\nthree\n"
    slide = parse_deck_text(text).slides[0]
    assert [(b.text, b.line, b.step) for b in slide.elements] == [
        ("# T\n\none", 1, 0),
        ("two\nstill two", 7, 1),
        ("three", 11, 1),
    ]


def test_plain_html_block_is_content():
    slide = parse_deck_text("<div>\nhello\n</div>\n").slides[0]
    assert texts(slide) == ["<div>\nhello\n</div>"]


def test_comment_inside_a_fence_is_content_not_a_directive():
    slide = parse_deck_text("```html\n<!-- bogus -->\n<!-- pause -->\n```\n").slides[0]
    assert slide.steps == 1
    assert texts(slide) == ["```html\n<!-- bogus -->\n<!-- pause -->\n```"]


def test_table_and_strikethrough_are_content():
    slide = parse_deck_text("| a | b |\n|---|---|\n| 1 | ~~2~~ |\n").slides[0]
    assert len(slide.elements) == 1
    assert "~~2~~" in slide.elements[0].text


# --- front matter ----------------------------------------------------------------------------

FULL = """\
---
title: Shell on Faster Wheels
sub_title: Immutable Infrastructure
author: Ada
event: FOSDEM
location: Brussels
date: 2025-02-01
theme: light
speaker_note: Welcome everyone
time: 1m30s
---

# First

body
"""


def test_front_matter_fields_and_generated_title_slide():
    deck = parse_deck_text(FULL)
    assert deck.meta == FrontMatter(
        title="Shell on Faster Wheels", sub_title="Immutable Infrastructure", authors=("Ada",), event="FOSDEM",
        location="Brussels", date="2025-02-01", theme="light", speaker_note="Welcome everyone", time=90.0,
    )
    assert deck.title == "Shell on Faster Wheels"
    title, first = deck.slides
    assert title.is_title and title.number == 1 and title.title == "Shell on Faster Wheels"
    assert title.elements == () and title.source == Location(P, 1, 1)
    assert title.notes == "Welcome everyone" and title.budget == 90.0
    assert first.number == 2 and first.title == "First" and not first.is_title
    # lines after the front matter keep their file numbers
    assert first.elements[0].line == 13
    assert first.source.line == 12


def test_front_matter_without_title_makes_no_title_slide():
    deck = parse_deck_text("---\nauthor: Ada\ntheme: dark\n---\n# Only\n")
    assert [s.title for s in deck.slides] == ["Only"]
    assert deck.meta.authors == ("Ada",)
    assert deck.title == "deck"  # falls back to the file's stem


def test_front_matter_defaults():
    deck = parse_deck_text("# A\n")
    assert deck.meta == FrontMatter()
    assert deck.meta.theme == "dark"


def test_front_matter_closed_by_three_dots():
    deck = parse_deck_text("---\ntitle: T\n...\n# A\n")
    assert deck.meta.title == "T"
    assert deck.slides[1].elements[0].line == 4


def test_empty_front_matter():
    deck = parse_deck_text("---\n---\n# A\n")
    assert deck.meta == FrontMatter()
    assert deck.slides[0].elements[0].line == 3


def test_front_matter_authors_list_and_author_combine():
    deck = parse_deck_text("---\nauthors: [ Ada , Grace]\nauthor: Linus\n---\n# A\n")
    assert deck.meta.authors == ("Ada", "Grace", "Linus")


def test_front_matter_numbers_and_dates_become_text():
    deck = parse_deck_text("---\ntitle: 2024\nevent: 1.5\ndate: 2024-03-01\n---\n")
    assert deck.meta.title == "2024"
    assert deck.meta.event == "1.5"
    assert deck.meta.date == "2024-03-01"


def test_front_matter_title_only_deck_has_the_title_slide():
    deck = parse_deck_text("---\ntitle: Lonely\n---\n")
    assert len(deck.slides) == 1 and deck.slides[0].is_title


def test_front_matter_only_at_the_very_top():
    # a later `---` pair is a separator and a paragraph, not metadata
    deck = parse_deck_text("# A\n\n---\ntitle: X\n---\n")
    assert deck.meta.title == ""


# --- line endings and BOM --------------------------------------------------------------------

CRLF = "---\r\ntitle: T\r\n---\r\n\r\n# One\r\n\r\ntext\r\n\r\n<!-- pause -->\r\n\r\nmore\r\n\r\n---\r\n\r\n# Two\r\n"


def test_crlf_text_parses_like_lf():
    lf = parse_deck_text(CRLF.replace("\r\n", "\n"))
    crlf = parse_deck_text(CRLF)
    assert crlf == lf
    assert [s.title for s in crlf.slides] == ["T", "One", "Two"]
    assert all("\r" not in b.text for s in crlf.slides for b in s.elements)


def test_lone_cr_line_endings_parse_like_lf():
    assert parse_deck_text(CRLF.replace("\r\n", "\r")) == parse_deck_text(CRLF.replace("\r\n", "\n"))


def test_bom_before_front_matter_in_text():
    deck = parse_deck_text("\ufeff---\ntitle: T\n---\n# A\n")
    assert deck.meta.title == "T"
    assert [s.title for s in deck.slides] == ["T", "A"]


def test_crlf_and_bom_file(tmp_path):
    path = tmp_path / "talk.md"
    path.write_bytes(b"\xef\xbb\xbf" + CRLF.encode())
    deck = load_deck(path)
    assert deck.meta.title == "T"
    assert [s.title for s in deck.slides] == ["T", "One", "Two"]
    one = deck.slides[1]
    assert [(b.text, b.line, b.step) for b in one.elements] == [("# One\n\ntext", 5, 0), ("more", 11, 1)]
    assert deck.slides[2].elements[0].line == 15


# --- files on disk ---------------------------------------------------------------------------


def test_load_single_file(tmp_path):
    path = tmp_path / "talk.md"
    path.write_text("# A\n\n---\n\n# B\n")
    deck = load_deck(path)
    assert isinstance(deck, Deck)
    assert deck.path == path and deck.files == (path,)
    assert deck.title == "talk"
    assert [s.source.path for s in deck.slides] == [path, path]


def test_load_any_file_name_when_given_a_file(tmp_path):
    path = tmp_path / "talk.txt"
    path.write_text("# A\n")
    assert load_deck(path).slides[0].title == "A"


def test_directory_deck_in_name_order_with_front_matter_from_first_file(tmp_path):
    (tmp_path / "10-middle.md").write_text("# Middle\n\n---\n\n# Middle 2\n")
    (tmp_path / "02-start.md").write_text("---\ntitle: Talk\nauthor: Ada\n---\n\n# Start\n")
    (tmp_path / "20-end.md").write_text("# End\n")
    (tmp_path / "notes.txt").write_text("# not a slide\n")
    (tmp_path / "sub.md").mkdir()  # a directory with a .md name is not a deck file
    (tmp_path / "sub.md" / "x.md").write_text("# nested, ignored\n")
    deck = load_deck(tmp_path)
    assert deck.path == tmp_path
    assert deck.files == tuple(tmp_path / n for n in ("02-start.md", "10-middle.md", "20-end.md"))
    assert deck.meta.title == "Talk" and deck.meta.authors == ("Ada",)
    assert [s.title for s in deck.slides] == ["Talk", "Start", "Middle", "Middle 2", "End"]
    assert [s.number for s in deck.slides] == [1, 2, 3, 4, 5]
    assert [(s.source.path.name, s.elements[0].line if s.elements else None) for s in deck.slides] == [
        ("02-start.md", None), ("02-start.md", 6), ("10-middle.md", 1), ("10-middle.md", 5), ("20-end.md", 1),
    ]


def test_directory_each_file_starts_a_new_slide(tmp_path):
    (tmp_path / "a.md").write_text("# A\n\n<!-- pause -->\n\npart")
    (tmp_path / "b.md").write_text("more text, no heading\n")
    deck = load_deck(tmp_path)
    assert [s.title for s in deck.slides] == ["A", "more text, no heading"]
    assert deck.slides[0].steps == 2 and deck.slides[1].steps == 1


def test_directory_front_matter_in_later_file_is_not_metadata(tmp_path):
    (tmp_path / "a.md").write_text("---\ntitle: Real\n---\n# A\n")
    (tmp_path / "b.md").write_text("---\n\ntitle: Fake\n\n---\n\n# B\n")
    deck = load_deck(tmp_path)
    assert deck.meta.title == "Real"
    assert [s.title for s in deck.slides if s.is_title] == ["Real"]
    assert "B" in [s.title for s in deck.slides]


def test_directory_title_falls_back_to_directory_name(tmp_path):
    deck_dir = tmp_path / "mytalk"
    deck_dir.mkdir()
    (deck_dir / "a.md").write_text("# A\n")
    assert load_deck(deck_dir).title == "mytalk"


def test_deck_files_order_is_by_name(tmp_path):
    for name in ("b.md", "a.md", "C.md", "a1.md"):
        (tmp_path / name).write_text("x")
    assert [p.name for p in deck_files(tmp_path)] == ["C.md", "a.md", "a1.md", "b.md"]


def test_load_deck_and_parse_deck_text_agree(tmp_path):
    path = tmp_path / "deck.md"
    path.write_text(FULL)
    loaded = load_deck(path)
    parsed = parse_deck_text(FULL, path)
    assert loaded == parsed


def test_repo_slides_directory_loads_if_present():
    slides = Path(__file__).resolve().parent.parent / "slides"
    if not any(slides.glob("*.md")):
        pytest.skip("no slides in the repository yet")
    deck = load_deck(slides)
    assert deck.slides
    assert isinstance(deck.slides[0].elements, tuple)
    assert all(isinstance(e, (Block, Columns)) for s in deck.slides for e in s.elements)
