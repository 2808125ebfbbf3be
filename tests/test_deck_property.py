"""Property tests: any input gives a Deck or a LoadError, and what comes out is consistent with it.

Besides "no other exception", every result is checked against the source: block texts are the
exact source lines at their line numbers, steps cover every block, errors point inside the file.
A model-based test renders random well-formed decks and predicts the whole parse.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tui.deck.model import Block, Columns, Deck
from tui.deck.parse import load_deck, parse_deck_text
from tui.errors import LoadError
from tui.textfile import normalize

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
P = Path("deck.md")


# --- invariants of any outcome ---------------------------------------------------------------


def check_deck(deck: Deck, sources: dict[Path, list[str]]) -> None:
    """A parsed deck agrees with the source lines it came from."""
    assert deck.slides
    assert [s.number for s in deck.slides] == list(range(1, len(deck.slides) + 1))
    assert [s.is_title for s in deck.slides].count(True) <= 1
    assert not any(s.is_title for s in deck.slides[1:])
    for slide in deck.slides:
        assert isinstance(slide.title, str) and slide.title.strip()
        assert slide.steps >= 1
        lines = sources[slide.source.path]
        assert 1 <= slide.source.line <= len(lines) + 1
        assert slide.budget is None or slide.budget > 0
        for element in slide.elements:
            assert 0 <= element.step < slide.steps
            if isinstance(element, Columns):
                assert 1 <= len(element.widths) == len(element.columns)
                assert all(1 <= w <= 100 for w in element.widths)
                blocks = [b for column in element.columns for b in column]
            else:
                blocks = [element]
            for block in blocks:
                assert isinstance(block, Block)
                assert element.step <= block.step < slide.steps
                assert block.text.strip(" \t\n")  # CommonMark: only spaces and tabs make a line blank
                # the block is exactly the source lines at its line number
                count = block.text.count("\n") + 1
                assert "\n".join(lines[block.line - 1 : block.line - 1 + count]) == block.text
    assert deck.total_budget == sum(s.budget or 0 for s in deck.slides)
    assert set(deck.demos) == {s.demo for s in deck.slides if s.demo}


def check_errors(error: LoadError, sources: dict[Path, list[str]], deck_path: Path) -> None:
    assert error.errors
    for located in error.errors:
        assert located.message.strip()
        where = located.location
        assert where.path in sources or where.path == deck_path
        assert where.line >= 0 and where.column >= 0
        if where.path in sources:
            lines = sources[where.path]
            assert where.line <= len(lines) + 1, (str(located), len(lines))
            if where.column and 1 <= where.line <= len(lines):
                assert where.column <= len(lines[where.line - 1]) + 1, str(located)


def parse_checked(text: str) -> Deck | None:
    sources = {P: normalize(text).split("\n")}
    try:
        deck = parse_deck_text(text, P)
    except LoadError as exc:
        check_errors(exc, sources, P)
        return None
    check_deck(deck, sources)
    return deck


# --- arbitrary input -------------------------------------------------------------------------

PREFIXES = st.sampled_from(["", "---\n", "---\ntitle: T\n---\n", "\ufeff", "<!-- ", "```\n", "- ", "> "])


@SETTINGS
@given(st.text())
def test_any_text_gives_a_deck_or_a_load_error(text):
    parse_checked(text)


@SETTINGS
@given(PREFIXES, st.text(alphabet=st.characters(codec="utf-8"), max_size=200))
def test_any_text_after_a_tricky_prefix(prefix, text):
    parse_checked(prefix + text)


def sources_of_file(data: bytes, path: Path) -> dict[Path, list[str]]:
    # an undecodable file's error columns count each bad byte as one character, like "replace"
    return {path: normalize(data.decode("utf-8", "replace")).split("\n")}


@SETTINGS
@given(st.binary(max_size=2000))
def test_any_bytes_in_a_file_give_a_deck_or_a_load_error(tmp_path, data):
    path = tmp_path / "deck.md"
    path.write_bytes(data)
    sources = sources_of_file(data, path)
    try:
        deck = load_deck(path)
    except LoadError as exc:
        check_errors(exc, sources, path)
        if b"\0" in data:
            assert "NUL byte" in exc.errors[0].message
        return
    assert b"\0" not in data
    check_deck(deck, sources)


@SETTINGS
@given(st.binary(max_size=300).map(lambda b: b"# Slide\n\n" + b))
def test_bytes_after_a_valid_start(tmp_path, data):
    path = tmp_path / "deck.md"
    path.write_bytes(data)
    sources = sources_of_file(data, path)
    try:
        check_deck(load_deck(path), sources)
    except LoadError as exc:
        check_errors(exc, sources, path)


# --- structured random decks -----------------------------------------------------------------

VOCABULARY = [
    # directives, good and bad
    "<!-- pause -->", "<!-- end_slide -->", "<!-- reset_layout -->", "<!-- column_layout: [3, 2] -->",
    "<!-- column_layout: [1, 1, 1] -->", "<!-- column: 0 -->", "<!-- column: 1 -->", "<!-- column: 2 -->",
    "<!-- column: 7 -->", "<!-- demo: sysext -->", "<!-- demo: capi -->", "<!-- demo: Bad Name -->",
    "<!-- time: 90s -->", "<!-- time: 1m30s -->", "<!-- time: 0s -->", "<!-- time: 2 -->",
    "<!-- speaker_note: hello -->", "<!-- speaker_note: |", "<!-- speaker_note: >", "  indented note line",
    "-->", "<!--", "<!-- // free comment -->", "<!-- bogus -->", "<!-- pause: 1 -->",
    "<!-- column_layout: [3, 2 -->", "<!-- -->", "<!---->", "<!-- time -->", "<!-- pause --><!-- pause -->",
    "<!-- pause --> trailing", "   <!-- pause -->", "<!--\tcolumn: 0 -->",
    # separators, rules, fences
    "---", "---", "***", "___", "----", "   ---", "```", "```yaml", "~~~", "...",
    # Markdown around them
    "", "", "", "# Title", "## Sub", "Setext", "===", "text", "more text <!-- pause -->", "- item",
    "  - nested item", "- <!-- pause -->", "> quote", "> <!-- pause -->", "1. one", "    indented code",
    "| a | b |", "|---|---|", "| x <!-- pause --> | y |", "<div>", "</div>", "title: x", "theme: light",
    "\t<!-- pause -->", "<!-- // x --> <div>",
]
LINE = st.one_of(st.sampled_from(VOCABULARY), st.text(max_size=12).filter(lambda s: "\n" not in s and "\r" not in s))
FRONT = st.sampled_from([
    "", "---\ntitle: T\n---\n", "---\ntitle: T\ntime: 2m\nspeaker_note: hi\n---\n", "---\ntitle: [\n---\n",
    "---\nbogus: 1\n---\n", "---\n", "\ufeff---\ntitle: T\n---\n", "---\n- a\n---\n", "---\ntime: 0s\n---\n",
])
NEWLINE = st.sampled_from(["\n", "\r\n", "\r"])


def structured_text(front: str, lines: list[str], newline: str) -> str:
    return (front + "\n".join(lines)).replace("\n", newline)


@SETTINGS
@given(FRONT, st.lists(LINE, max_size=40), NEWLINE)
def test_structured_random_decks(front, lines, newline):
    text = structured_text(front, lines, newline)
    deck = parse_checked(text)
    if newline != "\n":  # line endings never change the outcome
        assert deck == parse_checked(structured_text(front, lines, "\n"))


@SETTINGS
@given(st.lists(st.tuples(FRONT, st.lists(LINE, max_size=15)), min_size=1, max_size=4))
def test_structured_random_directory_decks(tmp_path, files):
    deck_dir = tmp_path / "deck"
    deck_dir.mkdir(exist_ok=True)
    for old in deck_dir.iterdir():
        old.unlink()
    sources = {}
    for index, (front, lines) in enumerate(files):
        path = deck_dir / f"{index:02d}.md"
        text = structured_text(front, lines, "\n")
        path.write_text(text)
        sources[path] = normalize(text).split("\n")
    try:
        deck = load_deck(deck_dir)
    except LoadError as exc:
        check_errors(exc, sources, deck_dir)
        return
    check_deck(deck, sources)
    assert deck.files == tuple(sorted(sources))


# --- model-based: well-formed decks parse to exactly what was written -------------------------

LOWER = "abcdefghijklmnopqrstuvwxyz"
WORDS = st.lists(st.text(LOWER, min_size=1, max_size=8), min_size=1, max_size=6).map(" ".join)
DEMO = st.builds(lambda a, b: a + b, st.sampled_from(LOWER + "0123456789"), st.text(LOWER + "0123456789_-", max_size=10))
ITEM = st.one_of(
    st.tuples(st.just("heading"), WORDS),
    st.tuples(st.just("para"), WORDS),
    st.tuples(st.just("pause"), st.none()),
    st.tuples(st.just("note"), WORDS),
)
SLIDE = st.tuples(
    st.lists(ITEM, min_size=1, max_size=8),
    st.one_of(st.none(), DEMO),
    st.one_of(st.none(), st.integers(1, 3600)),  # time budget in seconds
)


def render(front_title: str | None, slides) -> tuple[str, list[dict]]:
    """The deck's text, and for each slide what the parser must find."""
    lines: list[str] = []
    if front_title is not None:
        lines += ["---", f"title: '{front_title}'", "time: 1m", "---", ""]  # quoted: `true` is a YAML bool
    expected = []
    for index, (items, demo, seconds) in enumerate(slides):
        if index:
            lines += ["---", ""]
        blocks, chunk, step, notes = [], None, 0, []
        title = next((text for kind, text in items if kind == "heading"), None)
        title = title or next((text for kind, text in items if kind == "para"), None)
        directives = [("demo", demo)] if demo else []
        directives += [("time", seconds)] if seconds else []
        for kind, text in list(items) + directives:
            if kind in ("heading", "para"):
                source = f"# {text}" if kind == "heading" else text
                if chunk is None:
                    chunk = [len(lines) + 1, [source]]
                else:
                    chunk[1].append(source)
                lines += [source, ""]
                continue
            if chunk is not None:  # any directive ends the block
                blocks.append(Block("\n\n".join(chunk[1]), chunk[0], step))
                chunk = None
            if kind == "pause":
                step += 1
                lines += ["<!-- pause -->", ""]
            elif kind == "note":
                notes.append(text)
                lines += [f"<!-- speaker_note: {text} -->", ""]
            elif kind == "demo":
                lines += [f"<!-- demo: {text} -->", ""]
            else:
                lines += [f"<!-- time: {text}s -->", ""]
        if chunk is not None:
            blocks.append(Block("\n\n".join(chunk[1]), chunk[0], step))
        expected.append(dict(title=title, elements=tuple(blocks), steps=step + 1, notes="\n\n".join(notes),
                             demo=demo, budget=float(seconds) if seconds else None))
    return "\n".join(lines), expected


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.none(), WORDS), st.lists(SLIDE, min_size=1, max_size=6))
def test_well_formed_decks_parse_to_what_was_written(front_title, slides):
    text, expected = render(front_title, slides)
    deck = parse_checked(text)
    assert deck is not None
    body = [s for s in deck.slides if not s.is_title]
    if front_title is not None:
        assert deck.slides[0].is_title and deck.slides[0].title == front_title and deck.slides[0].budget == 60.0
        assert deck.meta.title == front_title
    else:
        assert not any(s.is_title for s in deck.slides)
    assert len(body) == len(expected)
    for slide, want in zip(body, expected):
        assert slide.title == (want["title"] or f"Slide {slide.number}")
        assert slide.elements == want["elements"]
        assert (slide.steps, slide.notes, slide.demo, slide.budget) == (
            want["steps"], want["notes"], want["demo"], want["budget"])
    demos = [w["demo"] for w in expected if w["demo"]]
    assert deck.demos == tuple(dict.fromkeys(demos))
    assert deck.total_budget == sum(w["budget"] or 0 for w in expected) + (60.0 if front_title is not None else 0)


@SETTINGS
@given(st.lists(SLIDE, min_size=2, max_size=5), st.data())
def test_splitting_a_deck_into_files_keeps_its_slides(tmp_path, slides, data):
    single, _ = render(None, slides)
    cut = sorted(set(data.draw(st.lists(st.integers(1, len(slides) - 1), max_size=3))))
    parts = [slides[a:b] for a, b in zip([0, *cut], [*cut, len(slides)])]
    deck_dir = tmp_path / "split"
    deck_dir.mkdir(exist_ok=True)
    for old in deck_dir.iterdir():
        old.unlink()
    for index, part in enumerate(parts):
        (deck_dir / f"{index:02d}.md").write_text(render(None, part)[0])
    whole, split = parse_deck_text(single), load_deck(deck_dir)

    def summary(deck):
        return [(s.title, s.steps, s.notes, s.demo, s.budget, [(b.text, b.step) for b in s.elements]) for s in deck.slides]

    assert summary(split) == summary(whole)
    assert len(split.files) == len(parts)
