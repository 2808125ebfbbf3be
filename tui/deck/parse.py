"""Markdown files → Deck. Slides split on `---`, directives come from HTML comments.

Every problem becomes a LocatedError; `load_deck` gathers them all before raising, so
`flatdeck check` can print each one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from markdown_it.token import Token

from tui.deck.directives import Directive, comments_in, comments_only, is_free_comment, parse_directive
from tui.deck.frontmatter import parse_front_matter, split_front_matter
from tui.deck.model import Block, Columns, Deck, Element, FrontMatter, Slide
from tui.errors import LoadError, LocatedError, Location
from tui.markdown import markdown_parser
from tui.textfile import normalize, read_text


def deck_files(path: Path) -> list[Path]:
    """A deck is one `.md` file, or a directory of them taken in name order."""
    try:
        if path.is_dir():
            files = sorted(p for p in path.iterdir() if p.suffix == ".md" and p.is_file())
            if not files:
                raise LoadError.at(path, 0, 0, "no .md files in this directory; expected a deck of Markdown files")
            return files
        if not path.exists():
            raise LoadError.at(path, 0, 0, "no such file or directory; expected a .md deck file or a directory of them")
    except OSError as exc:  # a name too long for the file system, a directory we may not list
        raise LoadError.at(path, 0, 0, f"cannot read: {exc.strerror or exc}; expected a .md deck file or a directory of them") from None
    return [path]


def load_deck(path: Path) -> Deck:
    files = deck_files(path)
    meta = FrontMatter()
    slides: list[Slide] = []
    errors: list[LocatedError] = []
    for index, file in enumerate(files):
        try:
            text = read_text(file)
        except LoadError as exc:
            errors.extend(exc.errors)
            continue
        file_meta, file_slides = _parse_file(text, file, errors, front_matter=index == 0)
        meta = file_meta if index == 0 else meta
        slides.extend(file_slides)
    if errors:
        raise LoadError(errors)
    if not slides:
        raise LoadError.at(path, 0, 0, "the deck has no slides; expected Markdown text with slides separated by '---' lines")
    numbered = tuple(_renumber(s, n) for n, s in enumerate(slides, start=1))
    return Deck(path=path, meta=meta, slides=numbered, files=tuple(files))


def parse_deck_text(text: str, path: Path = Path("deck.md")) -> Deck:
    """Parse a single-file deck from a string (tests, stdin)."""
    errors: list[LocatedError] = []
    # a lone `\r` would end a line for markdown-it but not for our line list: normalise as read_text does
    meta, slides = _parse_file(normalize(text), path, errors, front_matter=True)
    if errors:
        raise LoadError(errors)
    if not slides:
        raise LoadError.at(path, 0, 0, "the deck has no slides; expected Markdown text with slides separated by '---' lines")
    return Deck(path=path, meta=meta, slides=tuple(_renumber(s, n) for n, s in enumerate(slides, 1)), files=(path,))


def _parse_file(text: str, path: Path, errors: list[LocatedError], front_matter: bool) -> tuple[FrontMatter, list[Slide]]:
    """One file's meta and slides; problems go to `errors`, so bad front matter hides none in the slides."""
    meta, slides, first_line = FrontMatter(), [], 1
    if front_matter:
        try:
            yaml_text, text, first_line = split_front_matter(text, path)
            if yaml_text is not None:
                meta = parse_front_matter(yaml_text, path)
                slides = [_title_slide(meta, path)] if meta.title else []
        except LoadError as exc:
            errors.extend(exc.errors)
    try:
        slides.extend(_FileParser(path, first_line).parse(text))
    except LoadError as exc:
        errors.extend(exc.errors)
    return meta, slides


def _renumber(slide: Slide, number: int) -> Slide:
    from dataclasses import replace

    return replace(slide, number=number, title=slide.title or f"Slide {number}")


def _title_slide(meta: FrontMatter, path: Path) -> Slide:
    return Slide(number=0, title=meta.title, elements=(), source=Location(path, 1, 1),
                 notes=meta.speaker_note, budget=meta.time, is_title=True)


@dataclass
class _Layout:
    widths: tuple[int, ...]
    line: int
    step: int
    columns: list[list[Block]] = field(default_factory=list)
    current: int | None = None


class _SlideBuilder:
    """Collects one slide's elements while the file is walked top to bottom."""

    def __init__(self, path: Path, line: int):
        self.path = path
        self.line = line
        self.elements: list[Element] = []
        self.step = 0
        self.notes: list[str] = []
        self.demo: tuple[str, int] | None = None
        self.budget: tuple[float, int] | None = None
        self.title = ""
        self.first_words = ""  # names a slide that has no heading
        self.layout: _Layout | None = None
        self.touched = False  # any content or directive at all

    def add_block(self, text: str, line: int, column: int = 1) -> None:
        self.touched = True
        block = Block(text=text, line=line, step=self.step)
        if self.layout is None:
            self.elements.append(block)
        elif self.layout.current is None:
            raise LoadError.at(self.path, line, column,
                               "content inside a column layout before any column; expected '<!-- column: N -->' first")
        else:
            self.layout.columns[self.layout.current].append(block)

    def directive(self, d: Directive) -> None:
        self.touched = True
        where = (self.path, d.line, d.column)
        if d.name == "pause":
            self.step += 1
        elif d.name == "speaker_note":
            self.notes.append(d.value)
        elif d.name == "demo":
            if self.demo:
                raise LoadError.at(*where, f"this slide already binds demo {self.demo[0]!r} (line {self.demo[1]}); expected one demo per slide")
            self.demo = (d.value, d.line)
        elif d.name == "time":
            if self.budget:
                raise LoadError.at(*where, f"this slide already has a time budget (line {self.budget[1]}); expected one per slide")
            self.budget = (d.value, d.line)
        elif d.name == "column_layout":
            self.close_layout()
            self.layout = _Layout(widths=d.value, line=d.line, step=self.step,
                                  columns=[[] for _ in d.value])
        elif d.name == "column":
            if self.layout is None:
                raise LoadError.at(*where, "column without a layout; expected '<!-- column_layout: [3, 2] -->' earlier in this slide")
            count = len(self.layout.widths)
            if d.value >= count:
                raise LoadError.at(*where, f"column {d.value} is out of range; this layout has {count} columns, expected 0 to {count - 1}")
            self.layout.current = d.value
        elif d.name == "reset_layout":
            if self.layout is None:
                raise LoadError.at(*where, "reset_layout without a column layout; expected '<!-- column_layout: [...] -->' before it")
            self.close_layout()

    def close_layout(self) -> None:
        if self.layout is not None:
            layout, self.layout = self.layout, None
            self.elements.append(Columns(widths=layout.widths, line=layout.line, step=layout.step,
                                         columns=tuple(tuple(c) for c in layout.columns)))

    def build(self) -> Slide | None:
        self.close_layout()
        if not self.touched:
            return None
        title = self.title or (self.first_words[:57] + "…" if len(self.first_words) > 60 else self.first_words)
        return Slide(number=0, title=title, elements=tuple(self.elements), source=Location(self.path, self.line, 1),
                     steps=self.step + 1, notes="\n\n".join(self.notes),
                     demo=self.demo[0] if self.demo else None, budget=self.budget[0] if self.budget else None)


class _FileParser:
    """Walks the top-level Markdown blocks of one file, splitting slides and reading directives."""

    def __init__(self, path: Path, first_line: int):
        self.path = path
        self.offset = first_line - 1  # body line 0 is file line `first_line`
        self.errors: list[LocatedError] = []

    def parse(self, body: str) -> list[Slide]:
        lines = self.lines = body.split("\n")
        tokens = markdown_parser().parse(body)
        slides: list[Slide] = []
        builder = _SlideBuilder(self.path, self.offset + 1)
        pending: list[int] | None = None  # [start, end) body lines of content not yet added

        def flush() -> None:
            nonlocal pending
            if pending is not None:
                start, end = pending
                pending = None
                self._guard(builder.add_block, "\n".join(lines[start:end]).strip("\n"), self.offset + start + 1)

        def finish(next_line: int) -> None:
            nonlocal builder
            flush()
            slide = self._guard(builder.build)
            if slide is not None:
                slides.append(slide)
            builder = _SlideBuilder(self.path, next_line)

        for index, token in enumerate(tokens):
            if token.level != 0 or token.nesting == -1 or token.map is None:
                self._check_nested(token)
                continue
            start, end = token.map
            if token.type == "hr" and lines[start].strip() == "---":  # `***`, `___` stay rules
                finish(self.offset + end + 1)
                continue
            comments = comments_only(token.content) if token.type == "html_block" else None
            if comments is not None:
                flush()
                for body_text, offset in comments:
                    line = self.offset + start + 1 + token.content.count("\n", 0, offset)
                    column = offset - (token.content.rfind("\n", 0, offset) + 1) + 1
                    directive = self._guard(parse_directive, body_text, self.path, line, column)
                    if directive is not None and directive.name == "end_slide":
                        finish(self.offset + end + 1)
                    elif directive is not None:
                        self._guard(builder.directive, directive)
                continue
            if token.type == "html_block":  # HTML around a directive: the directive would be lost
                self._misplaced(token.content, token.map,
                                "directive mixed with other HTML or text; expected it on its own line with a blank line before it")
            if token.type in ("heading_open", "paragraph_open") and index + 1 < len(tokens):
                words = " ".join(tokens[index + 1].content.split())
                if token.type == "heading_open" and not builder.title:
                    builder.title = words
                elif not builder.first_words:
                    builder.first_words = words
            pending = [pending[0] if pending else start, end]
        finish(self.offset + len(lines) + 1)
        if self.errors:
            raise LoadError(self.errors)
        return slides

    def _check_nested(self, token: Token) -> None:
        """A directive inside a list or quote cannot split the slide: say so instead of ignoring it."""
        if token.map is None:
            return
        if token.type == "html_block":
            self._misplaced(token.content, token.map,
                            "directive inside a list, quote or paragraph; expected it on its own line with a blank line before it")
        cursor = [token.map[0], 0]  # shared, so a second identical comment is found after the first
        for child in token.children or []:
            if child.type == "html_inline":
                self._misplaced(child.content, token.map,
                                "directive inside a paragraph; expected it on its own line with a blank line before it", cursor)

    def _misplaced(self, html: str, rows: list[int], message: str, cursor: list[int] | None = None) -> None:
        """Report every directive (any comment but `<!-- // … -->`) in `html`, a block on body lines `rows`."""
        cursor = cursor if cursor is not None else [rows[0], 0]
        for body_text, offset in comments_in(html):
            if not is_free_comment(body_text):
                line, column = self._locate(html[offset:].split("\n", 1)[0], rows, cursor)
                self.errors.append(LocatedError(Location(self.path, line, column), message))

    def _locate(self, head: str, rows: list[int], cursor: list[int]) -> tuple[int, int]:
        """File line and column of `head` within body lines `rows`, searching on from `cursor`.

        Nested blocks lose their `> ` and list indentation, so offsets in them are not file columns;
        the comment's first line is copied verbatim, though, so look it up in the source.
        """
        row, col = cursor
        while row < min(rows[1], len(self.lines)):
            found = self.lines[row].find(head, col)
            if found >= 0:
                cursor[:] = [row, found + len(head)]
                return self.offset + row + 1, found + 1
            row, col = row + 1, 0
        return self.offset + rows[0] + 1, 0

    def _guard(self, fn, *args):
        try:
            return fn(*args)
        except LoadError as exc:
            self.errors.extend(exc.errors)
            return None
