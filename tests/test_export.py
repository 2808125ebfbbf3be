"""`flatdeck export`: SVGs and the HTML page read back, demos at their end state, errors located."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import FEATURE_DECK
from tui.deck.model import Deck
from tui.deck.parse import load_deck
from tui.export import slide_file_name, slug
from tui.render.palette import palette_for

REPO = Path(__file__).resolve().parent.parent
SCENARIOS = Path(__file__).parent / "scenarios"
SVG = "{http://www.w3.org/2000/svg}"


def flatdeck(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tui", *args], cwd=REPO, capture_output=True, text=True,
                          timeout=300)


def words(text: str) -> str:
    return " ".join(text.split())


# reading the output back -----------------------------------------------------------------------

def svg_text(path: Path) -> tuple[str, str]:
    """(window title, the screen's text) of a Textual SVG; parsing fails on malformed XML."""
    root = ET.parse(path).getroot()
    title, rows = "", []
    for element in root.iter(f"{SVG}text"):
        text = (element.text or "").replace("\xa0", " ")
        if element.get("class", "").endswith("-title"):
            title = text
        else:
            rows.append(text)
    return title, "".join(rows)


class PageText(HTMLParser):
    """The page's text per section, and every tag and attribute it uses."""

    def __init__(self) -> None:
        super().__init__()
        self.sections: dict[str, list[str]] = {}
        self.headings: dict[str, list[str]] = {}
        self.tags: list[tuple[str, dict]] = []
        self.style = ""
        self._section: str | None = None
        self._in: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag == "section":
            self._section = attributes.get("id")
            self.sections[self._section] = []
            self.headings[self._section] = []
        self._in.append(tag)

    def handle_endtag(self, tag):
        if self._in and self._in[-1] == tag:
            self._in.pop()
        if tag == "section":
            self._section = None

    def handle_data(self, data):
        if self._in and self._in[-1] == "style":
            self.style += data
        if self._section is not None:
            self.sections[self._section].append(data)
            if self._in and self._in[-1] == "h1":
                self.headings[self._section].append(data)

    def section(self, number: int) -> str:
        return words(" ".join(self.sections[f"slide-{number}"]))


def read_page(path: Path) -> PageText:
    page = PageText()
    page.feed(path.read_text(encoding="utf-8"))
    page.close()
    return page


def assert_svgs_match_the_deck(directory: Path, deck: Deck) -> dict[int, str]:
    """One well-formed SVG per slide, in slide order, each showing its slide's title; returns the texts."""
    files = sorted(directory.glob("*.svg"))
    assert [f.name for f in files] == [slide_file_name(s, len(deck.slides)) for s in deck.slides]
    texts = {}
    for path, slide in zip(files, deck.slides):
        title, screen = svg_text(path)
        assert title.endswith(f"{slide.number}/{len(deck.slides)} {slide.title}")
        # the heading may wrap beside a demo: every word of it is on screen
        assert all(word in screen for word in slide.title.split()), (path.name, slide.title)
        assert f"{slide.number} / {len(deck.slides)}" in screen  # the footer
        texts[slide.number] = screen
    return texts


def assert_page_matches_the_deck(page: PageText, deck: Deck) -> None:
    for slide in deck.slides:
        section = page.section(slide.number)
        headings = words(" ".join(page.headings[f"slide-{slide.number}"]))
        assert words(slide.title.replace("`", "")) in (headings or section)  # a slide without a heading: its first words
        if slide.notes:
            assert words(slide.notes) in section, slide.number
    # nothing is fetched: no scripts, images, frames, stylesheets or sources; CSS without url()
    assert not [tag for tag, _ in page.tags if tag in ("script", "img", "iframe", "link", "object", "embed")]
    assert not [attrs for _, attrs in page.tags if "src" in attrs or "srcset" in attrs]
    assert "url(" not in page.style and "@import" not in page.style


# the feature deck ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def exported(tmp_path_factory, fixture_demo_recordings: Path) -> Path:
    out = tmp_path_factory.mktemp("export")
    result = flatdeck("export", str(FEATURE_DECK), "--svg", str(out / "svg"), "--html", str(out / "deck.html"),
                      "--recordings", str(fixture_demo_recordings))
    assert result.returncode == 0, result.stderr
    assert f"wrote {out / 'deck.html'}" in result.stdout and f"wrote 11 SVGs to {out / 'svg'}" in result.stdout
    return out


def test_one_svg_per_slide_each_with_its_title(exported: Path):
    texts = assert_svgs_match_the_deck(exported / "svg", load_deck(FEATURE_DECK))
    assert "And finally a quote." in texts[6]  # fully revealed: the last step of the pause slide
    assert "Revealed after a pause." in texts[7]


def test_a_demo_slide_is_drawn_at_the_end_of_its_recordings(exported: Path):
    screen = svg_text(exported / "svg" / "08-a-demo-slide.svg")[1]
    assert "hello from the main pane" in screen  # every recorded step played, in both panes
    assert "the side pane has its own shell" in screen
    assert "│1│\n" in screen and "│3│\n" in screen  # `seq 1 3`, the last recorded step
    assert "REPLAY" in screen and "not recorded yet" not in screen


def test_the_page_has_every_slide_title_and_note_and_fetches_nothing(exported: Path):
    deck = load_deck(FEATURE_DECK)
    page = read_page(exported / "deck.html")
    assert len(page.sections) == len(deck.slides)
    assert_page_matches_the_deck(page, deck)
    assert "Three pauses, so four reveal steps." in page.section(6)


def test_the_page_renders_markdown_and_highlights_code(exported: Path):
    html = (exported / "deck.html").read_text()
    page = read_page(exported / "deck.html")
    assert "<strong>bold</strong>" in html and "<s>strikethrough</s>" in html
    assert '<a href="https://www.flatcar.org/">link to Flatcar</a>' in html
    code = [attrs.get("class", "") for tag, attrs in page.tags if tag == "span"]
    assert "k" in code and "nf" in code  # Pygments token classes: `def` keyword, `greet` function name
    assert "grid-template-columns: 3fr 2fr" in html  # the column layout
    assert "Line thirty-five: the very last line" in page.section(9)  # nothing cut off, unlike a screen


def test_the_page_shows_the_recorded_demo(exported: Path):
    demo = read_page(exported / "deck.html").section(8)
    assert "Demo: Fixture demo" in demo and "hello from the main pane" in demo
    assert "uname -s" in demo and "not recorded yet — expected output: /Linux/" in demo  # a check is never recorded


def test_without_recordings_demos_show_their_commands(tmp_path: Path):
    result = flatdeck("export", str(FEATURE_DECK), "--svg", str(tmp_path / "svg"), "--html", str(tmp_path / "d.html"),
                      "--recordings", str(tmp_path / "none"))
    assert result.returncode == 0, result.stderr
    screen = svg_text(tmp_path / "svg" / "08-a-demo-slide.svg")[1]
    assert "printf '\\033[32mhello\\033[0m from the main pane\\n'" in screen and "not recorded yet" in screen
    assert "$ seq 1 3 # not recorded yet" in read_page(tmp_path / "d.html").section(8)


def test_raw_html_in_a_slide_is_shown_as_text_not_run(tmp_path: Path):
    deck = tmp_path / "deck.md"
    deck.write_text('# Careful\n\n<script>alert(1)</script>\n\n![a diagram](https://example.com/x.png)\n\n'
                    "<!-- speaker_note: a <b>note</b> & more -->\n")
    assert flatdeck("export", str(deck), "--html", str(tmp_path / "d.html")).returncode == 0
    page = read_page(tmp_path / "d.html")
    assert [tag for tag, _ in page.tags if tag in ("script", "img", "b")] == []
    assert "<script>alert(1)</script>" in page.section(1) and "[image: a diagram]" in page.section(1)
    assert "a <b>note</b> & more" in page.section(1)


@pytest.mark.parametrize("theme", ["light", "projector"])
def test_the_theme_option_colours_both_outputs(tmp_path: Path, theme: str):
    result = flatdeck("export", str(FEATURE_DECK), "--svg", str(tmp_path), "--html", str(tmp_path / "d.html"),
                      "--theme", theme)
    assert result.returncode == 0, result.stderr
    background = palette_for(theme).background.lower()
    assert f'fill="{background}"' in (tmp_path / "04-code.svg").read_text().lower()
    assert f"background: {background}" in (tmp_path / "d.html").read_text()


def test_the_front_matter_theme_is_the_default_and_the_option_wins(tmp_path: Path):
    deck = tmp_path / "deck.md"
    deck.write_text("---\ntitle: Light talk\ntheme: light\n---\n\n# One\n")
    assert flatdeck("export", str(deck), "--html", str(tmp_path / "a.html")).returncode == 0
    assert 'class="theme-light"' in (tmp_path / "a.html").read_text()
    assert flatdeck("export", str(deck), "--html", str(tmp_path / "b.html"), "--theme", "projector").returncode == 0
    assert 'class="theme-projector"' in (tmp_path / "b.html").read_text()


def test_size_option(tmp_path: Path):
    assert flatdeck("export", str(FEATURE_DECK), "--svg", str(tmp_path), "--size", "80x24").returncode == 0
    root = ET.parse(tmp_path / "02-headings-and-text.svg").getroot()
    clip = root.find(f".//{SVG}clipPath/{SVG}rect")
    assert clip is not None and float(clip.get("width")) == pytest.approx(80 * 12.2, abs=13)


def test_an_earlier_export_is_noted_never_deleted(tmp_path: Path):
    (tmp_path / "99-old-slide.svg").write_text("<svg/>")
    result = flatdeck("export", str(FEATURE_DECK), "--svg", str(tmp_path))
    assert result.returncode == 0
    assert "also holds 1 slide SVG(s) this export did not write" in result.stdout and "99-old-slide.svg" in result.stdout
    assert (tmp_path / "99-old-slide.svg").exists()


def test_an_unknown_demo_shows_its_error_and_the_export_goes_on(tmp_path: Path):
    deck = tmp_path / "deck.md"
    deck.write_text("# Demo\n\n<!-- demo: no-such-demo -->\n\nText.\n")
    result = flatdeck("export", str(deck), "--svg", str(tmp_path / "svg"), "--html", str(tmp_path / "d.html"),
                      "--scenarios", str(SCENARIOS))
    assert result.returncode == 0, result.stderr
    assert "no-such-demo" in svg_text(tmp_path / "svg" / "01-demo.svg")[1]
    assert "no-such-demo" in read_page(tmp_path / "d.html").section(1)


# errors ----------------------------------------------------------------------------------------

def test_a_bad_deck_is_a_located_error(tmp_path: Path):
    deck = tmp_path / "deck.md"
    deck.write_text("# One\n\n<!-- colum: 1 -->\n")
    result = flatdeck("export", str(deck), "--svg", str(tmp_path / "svg"))
    assert result.returncode == 1
    assert result.stderr.startswith(f"error: {deck}:3:6: unknown directive 'colum'")
    assert "Traceback" not in result.stderr and not (tmp_path / "svg").exists()


@pytest.mark.parametrize("option", ["--svg", "--html"])
def test_an_output_under_a_file_is_one_clear_line(tmp_path: Path, option: str):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    target = blocker / ("out" if option == "--svg" else "talk.html")
    result = flatdeck("export", str(FEATURE_DECK), option, str(target))
    assert result.returncode == 1
    lines = result.stderr.strip().split("\n")
    assert len(lines) == 1 and lines[0].startswith("error: cannot write") and f"{blocker} is a file, not a directory" in lines[0]
    assert str(target) in lines[0] and "Traceback" not in result.stderr


def test_an_html_path_that_is_a_directory_is_refused(tmp_path: Path):
    result = flatdeck("export", str(FEATURE_DECK), "--html", str(tmp_path))
    assert result.returncode == 1
    assert result.stderr.strip() == f"error: cannot write {tmp_path}: it is a directory; expected a file name like talk.html"


def test_an_unwritable_directory_is_refused_before_any_work(tmp_path: Path):
    target = Path("/proc/flatdeck-export-test")  # not writable, even for root
    result = flatdeck("export", str(FEATURE_DECK), "--svg", str(target))
    assert result.returncode == 1 and result.stderr.startswith(f"error: cannot write SVGs to {target}: ")
    assert len(result.stderr.strip().split("\n")) == 1


@pytest.mark.parametrize("args, message", [
    ([], "nothing to export; expected --svg DIR and/or --html FILE"),
    (["--svg", "x", "--size", "wide"], "--size 'wide': expected COLSxROWS like 120x40"),
])
def test_usage_errors(args, message):
    result = flatdeck("export", str(FEATURE_DECK), *args)
    assert result.returncode == 2 and message in result.stderr


def test_an_unknown_theme_lists_the_valid_ones():
    result = flatdeck("export", str(FEATURE_DECK), "--html", "x.html", "--theme", "neon")
    assert result.returncode == 2 and "dark, light, projector" in result.stderr.replace("'", "")


@pytest.mark.parametrize("title, expected", [
    ("Demo: merge without a VM", "demo-merge-without-a-vm"),
    ("A/B partitions: atomic updates", "a-b-partitions-atomic-updates"),
    ("Ünïcödé café — naïve", "unicode-cafe-naive"),
    ("🙂 ???", "slide"),
    ("x" * 80, "x" * 48),
])
def test_file_names_are_numbered_slugs(title, expected):
    assert slug(title) == expected


# the talk --------------------------------------------------------------------------------------

def test_the_talk_exports_completely(tmp_path: Path):
    deck = load_deck(REPO / "slides")
    result = flatdeck("export", "slides", "--svg", str(tmp_path / "svg"), "--html", str(tmp_path / "talk.html"))
    assert result.returncode == 0, result.stderr
    texts = assert_svgs_match_the_deck(tmp_path / "svg", deck)
    assert len(texts) == len(deck.slides) == 28
    merge = next(s for s in deck.slides if s.demo == "sysext-merge")
    assert "Hello from the system extension 'hello', version 2.0!" in texts[merge.number]  # its recording's end
    assert_page_matches_the_deck(read_page(tmp_path / "talk.html"), deck)
