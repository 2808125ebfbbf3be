"""`flatdeck export --html`: the whole deck as one self-contained page, for sharing after the talk.

Every slide fully revealed, rendered from its Markdown with code highlighted (the same Pygments
style as on screen), its demo's steps with what the recordings show, and its speaker notes. The
CSS is inline and nothing is fetched: no scripts, no external images (an image shows as
"[image: alt]", as on screen), and raw HTML in a slide is shown as text, never run.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from html import escape
from typing import TYPE_CHECKING, Mapping

from rich.style import Style

from tui.deck.model import Block, Columns, Deck, Slide, format_duration
from tui.deck.search import title_lines
from tui.render.palette import Palette, palette_for

if TYPE_CHECKING:
    from markdown_it import MarkdownIt


@dataclass(frozen=True)
class StepView:
    """One demo step as the page shows it."""

    kind: str  # run, wait, say, check
    label: str
    command: str | None = None
    screen: str | None = None  # what the recording ends on (None: not recorded)
    expected: str | None = None  # the step's expected-output regex, shown when not recorded


@dataclass(frozen=True)
class DemoView:
    name: str
    title: str = ""
    steps: tuple[StepView, ...] = ()
    error: str = ""  # the scenario could not be loaded: why


def deck_html(deck: Deck, theme: str, demos: Mapping[str, DemoView] | None = None) -> str:
    palette = palette_for(theme)
    demos = demos or {}
    count = len(deck.slides)
    body = [_header(deck), _contents(deck)]
    for slide in deck.slides:
        body.append(_slide(slide, deck, count, palette, demos))
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta name="generator" content="flatdeck">\n'
        f"<title>{escape(deck.title)}</title>\n<style>\n{_css(palette)}</style>\n</head>\n"
        f'<body class="theme-{escape(theme)}">\n' + "\n".join(body) + "\n</body>\n</html>\n"
    )


# parts of the page ------------------------------------------------------------------------------

def _header(deck: Deck) -> str:
    lines = title_lines(deck.meta) or (deck.title,)
    parts = [f"<header>\n<p class=\"deck-title\">{escape(lines[0])}</p>"]
    parts.extend(f'<p class="deck-meta">{escape(line)}</p>' for line in lines[1:])
    return "\n".join(parts) + "\n</header>"


def _contents(deck: Deck) -> str:
    items = "\n".join(f'<li><a href="#slide-{s.number}">{escape(s.title)}</a></li>' for s in deck.slides)
    return f'<nav>\n<p class="nav-title">Slides</p>\n<ol>\n{items}\n</ol>\n</nav>'


def _slide(slide: Slide, deck: Deck, count: int, palette: Palette, demos: Mapping[str, DemoView]) -> str:
    facts = [f"{slide.number} / {count}"]
    if slide.budget:
        facts.append(format_duration(slide.budget))
    if slide.demo:
        facts.append(f"demo: {slide.demo}")
    parts = [f'<section class="slide{" title-slide" if slide.is_title else ""}" id="slide-{slide.number}">',
             f'<p class="slide-number"><a href="#slide-{slide.number}">{escape(" · ".join(facts))}</a></p>']
    if slide.is_title:
        lines = title_lines(deck.meta)
        parts.append(f"<h1>{escape(lines[0])}</h1>" if lines else "")
        parts.extend(f'<p class="title-line">{escape(line)}</p>' for line in lines[1:])
    for element in slide.elements:
        parts.append(_columns(element, palette) if isinstance(element, Columns) else _markdown(element, palette))
    if slide.demo:
        parts.append(_demo(demos.get(slide.demo) or DemoView(slide.demo, error="not exported")))
    if slide.notes:
        paragraphs = [" ".join(p.split()) for p in slide.notes.split("\n\n") if p.strip()]
        text = "\n".join(f"<p>{escape(p)}</p>" for p in paragraphs)
        parts.append(f'<aside class="notes">\n<p class="notes-title">Speaker notes</p>\n{text}\n</aside>')
    parts.append("</section>")
    return "\n".join(parts)


def _markdown(block: Block, palette: Palette) -> str:
    return _parser(palette.code_theme).render(block.text)


def _columns(layout: Columns, palette: Palette) -> str:
    template = " ".join(f"{width}fr" for width in layout.widths)
    columns = "".join('<div class="column">' + "".join(_markdown(b, palette) for b in blocks) + "</div>"
                      for blocks in layout.columns)
    return f'<div class="columns" style="grid-template-columns: {template}">{columns}</div>'


def _demo(demo: DemoView) -> str:
    title = escape(demo.title or demo.name)
    parts = [f'<div class="demo">\n<p class="demo-title">Demo: {title} <code>{escape(demo.name)}</code></p>']
    if demo.error:
        parts.append(f'<p class="demo-error">{escape(demo.error)}</p>')
    items = []
    for step in demo.steps:
        if step.kind == "say":
            items.append(f'<li class="say">» {escape(step.label)}</li>')
            continue
        item = [f'<span class="step-label">{escape(step.label)}</span>']
        if step.screen is not None:
            item.append(f'<pre class="terminal">{escape(step.screen)}</pre>')
        elif step.command:
            what = "check" if step.kind == "check" else "$"
            note = "not recorded yet" + (f" — expected output: /{step.expected}/" if step.expected else "")
            item.append(f'<pre class="terminal">{what} {escape(step.command)}\n'
                        f'<span class="not-recorded"># {escape(note)}</span></pre>')
        items.append(f'<li class="step step-{escape(step.kind)}">' + "\n".join(item) + "</li>")
    if items:
        parts.append('<ol class="steps">\n' + "\n".join(items) + "\n</ol>")
    return "\n".join(parts) + "\n</div>"


# Markdown and code ------------------------------------------------------------------------------

@lru_cache(maxsize=8)
def _parser(code_theme: str) -> "MarkdownIt":
    from tui.markdown import new_markdown_parser

    md = new_markdown_parser(html=False, highlight=_highlight)  # raw HTML is shown as text
    md.add_render_rule("image", _image)
    return md


def _highlight(code: str, language: str, attrs: str) -> str:
    """Pygments spans for a tagged fence ('' lets markdown-it escape it plain, as on screen)."""
    if not language:
        return ""
    from pygments import highlight
    from pygments.formatters import HtmlFormatter
    from pygments.lexers import get_lexer_by_name
    from pygments.util import ClassNotFound

    try:
        lexer = get_lexer_by_name(language)
    except ClassNotFound:
        return ""
    return highlight(code, lexer, HtmlFormatter(nowrap=True))


def _image(self, tokens, idx, options, env) -> str:
    """No <img>: nothing is fetched; the alt text stands in for it, as on screen."""
    token = tokens[idx]
    alt = self.renderInlineAsText(token.children or [], options, env) or str(token.attrs.get("src", ""))
    return f'<span class="image">[image: {escape(alt)}]</span>'


# styles -----------------------------------------------------------------------------------------

def css_of(rich_style: str) -> str:
    """CSS declarations for a Rich style of the palette ('bold #ffa62b' → 'color: #ffa62b; font-weight: bold')."""
    style = Style.parse(rich_style)
    out = []
    if style.color is not None:
        out.append(f"color: {style.color.get_truecolor().hex}")
    if style.bgcolor is not None:
        out.append(f"background: {style.bgcolor.get_truecolor().hex}")
    if style.bold:
        out.append("font-weight: bold")
    if style.italic:
        out.append("font-style: italic")
    if style.underline:
        out.append("text-decoration: underline")
    return "; ".join(out)


def _hex(rich_style: str) -> str:
    """The colour of a Rich style of the palette, as #rrggbb."""
    color = Style.parse(rich_style).color
    return color.get_truecolor().hex if color is not None else "currentColor"


def _css(p: Palette) -> str:
    from pygments.formatters import HtmlFormatter

    code = HtmlFormatter(style=p.code_theme).get_style_defs("pre code")
    return f"""\
body {{ background: {p.background}; color: {p.foreground}; margin: 0 auto; max-width: 64rem; padding: 1.5rem;
  font: 17px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; }}
a {{ {css_of(p.link)}; }}
header {{ padding: 2rem 0 1rem; }}
.deck-title {{ {css_of(p.heading1)}; font-size: 2rem; margin: 0; }}
.deck-meta, .title-line {{ {css_of(p.heading2)}; margin: .3rem 0; }}
nav {{ background: {p.surface}; padding: .5rem 1.5rem; }}
.nav-title, .notes-title {{ {css_of(p.muted)}; font-size: .85rem; text-transform: uppercase; margin: .5rem 0; }}
section.slide {{ border-top: 2px solid {_hex(p.rule)}; padding: 1rem 0 2rem;
  break-before: page; }}
.slide-number {{ font-size: .85rem; margin: 0 0 .5rem; }}
.slide-number a {{ {css_of(p.muted)}; text-decoration: none; }}
h1 {{ {css_of(p.heading1)}; border-bottom: 3px solid {_hex(p.accent)};
  display: inline-block; margin: .2rem 0 1rem; }}
h2 {{ {css_of(p.heading2)}; }}
h3, h4, h5, h6 {{ {css_of(p.heading3)}; }}
li::marker {{ color: {_hex(p.accent)}; }}
code {{ {css_of(p.code_inline)}; font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: .92em;
  padding: 0 .2em; }}
pre {{ background: {p.code_background}; color: {p.foreground}; padding: .75rem 1rem; overflow-x: auto;
  font: 15px/1.4 ui-monospace, "DejaVu Sans Mono", monospace; }}
blockquote {{ border-left: 4px solid {_hex(p.quote_bar)}; margin: 1rem 0;
  padding: 0 1rem; {css_of(p.quote_text)}; }}
hr {{ border: 0; border-top: 1px solid {_hex(p.rule)}; }}
table {{ border-collapse: collapse; }}
th, td {{ border: 1px solid {_hex(p.table_border)}; padding: .25rem .6rem; }}
th {{ {css_of(p.table_header)}; }}
.columns {{ display: grid; gap: 2rem; }}
.image {{ {css_of(p.muted)}; }}
.title-slide h1 {{ font-size: 2.4rem; }}
.demo {{ background: {p.surface}; padding: .5rem 1rem; margin: 1rem 0; }}
.demo-title {{ font-weight: bold; }}
.demo-error {{ {css_of(p.failed)}; }}
.steps {{ padding-left: 1.5rem; }}
.step-label {{ font-weight: bold; }}
.say {{ font-style: italic; }}
.terminal {{ white-space: pre-wrap; }}
.not-recorded {{ {css_of(p.muted)}; }}
aside.notes {{ border-left: 4px solid {_hex(p.accent)}; background: {p.surface};
  padding: .25rem 1rem; margin-top: 1.5rem; }}
@media print {{ nav {{ display: none; }} }}
{code}
pre code {{ background: none; color: inherit; font-weight: normal; padding: 0; font-size: inherit; }}
"""
