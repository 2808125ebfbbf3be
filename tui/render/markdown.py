"""Render a Markdown block (CommonMark + tables) as Rich renderables for a slide.

Faster and more predictable on a slide than a full Markdown widget: one parse per block,
cached, and no widget per paragraph.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable

from rich import box
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.padding import Padding
from rich.rule import Rule
from rich.segment import Segment
from rich.style import Style
from rich.table import Table
from rich.text import Text

from tui.markdown import markdown_parser
from tui.render.palette import Palette, palette_for

if TYPE_CHECKING:
    from markdown_it.tree import SyntaxTreeNode

BULLETS = ("•", "◦", "▪")


@dataclass(frozen=True)
class RenderedBlock:
    renderable: RenderableType
    starts_with_list: bool
    ends_with_list: bool


_rendered: dict[tuple[str, str], RenderedBlock] = {}
MAX_CACHED = 4096


def render_markdown(text: str, theme: str = "dark") -> RenderedBlock:
    """Rendered once per (text, theme); the cache can be saved and seeded (see tui/cache.py)."""
    key = (text, theme)
    block = _rendered.get(key)
    if block is None:
        if len(_rendered) >= MAX_CACHED:
            _rendered.clear()
        block = _rendered[key] = _render(text, theme)
    return block


def rendered_snapshot() -> dict[tuple[str, str], RenderedBlock]:
    return dict(_rendered)


def seed_rendered(blocks: dict[tuple[str, str], RenderedBlock]) -> None:
    _rendered.update(blocks)


def _render(text: str, theme: str) -> RenderedBlock:
    from markdown_it.tree import SyntaxTreeNode

    root = SyntaxTreeNode(markdown_parser().parse(text))
    children = [c for c in root.children if not _is_comment(c)]
    renderer = _Renderer(palette_for(theme))
    return RenderedBlock(
        renderable=renderer.blocks(children, loose=True),
        starts_with_list=bool(children) and children[0].type in ("bullet_list", "ordered_list"),
        ends_with_list=bool(children) and children[-1].type in ("bullet_list", "ordered_list"),
    )


def _is_comment(node: SyntaxTreeNode) -> bool:
    return node.type == "html_block" and node.content.strip().startswith("<!--") and node.content.strip().endswith("-->")


class Quote:
    """A block quote: the content indented behind a coloured bar."""

    def __init__(self, content: RenderableType, bar_style: str):
        self.content = content
        self.bar = Segment("▌ ", Style.parse(bar_style))

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        lines = console.render_lines(self.content, options.update_width(max(1, options.max_width - 2)), pad=False)
        for line in lines:
            yield self.bar
            yield from line
            yield Segment.line()


class _Renderer:
    def __init__(self, palette: Palette):
        self.p = palette

    # blocks -----------------------------------------------------------------------------------
    def blocks(self, nodes: Iterable[SyntaxTreeNode], loose: bool) -> RenderableType:
        parts: list[RenderableType] = []
        for node in nodes:
            rendered = self.block(node)
            if rendered is None:
                continue
            if parts and loose:
                parts.append(Text(""))
            parts.append(rendered)
        return Group(*parts)

    def block(self, node: SyntaxTreeNode) -> RenderableType | None:
        kind = node.type
        if kind == "heading":
            return self.heading(node)
        if kind == "paragraph":
            return self.inline(node.children[0] if node.children else None)
        if kind in ("bullet_list", "ordered_list"):
            return self.list(node, depth=0)
        if kind in ("fence", "code_block"):
            return self.code(node)
        if kind == "blockquote":
            return Quote(self.blocks(node.children, loose=True), self.p.quote_bar)
        if kind == "table":
            return self.table(node)
        if kind == "hr":
            return Rule(style=self.p.rule)
        if kind == "html_block":
            return None if _is_comment(node) else Text(node.content.rstrip("\n"), style=self.p.muted)
        return Text(node.content or "")

    def heading(self, node: SyntaxTreeNode) -> RenderableType:
        level = int(node.tag[1])
        text = self.inline(node.children[0] if node.children else None)
        if level == 1:
            text.stylize(self.p.heading1)
            return Group(text, Text("━" * min(text.cell_len, 200), style=self.p.accent))
        if level == 2:
            text.stylize(self.p.heading2)
            return text
        text.stylize(self.p.heading3 if level == 3 else self.p.heading3 + " italic")
        return text

    def list(self, node: SyntaxTreeNode, depth: int) -> RenderableType:
        ordered = node.type == "ordered_list"
        start = int(node.attrs.get("start", 1)) if ordered else 1
        grid = Table.grid(padding=(0, 1), expand=False)
        grid.add_column(no_wrap=True, justify="right" if ordered else "left", style=self.p.accent)
        grid.add_column(ratio=1)
        loose = any(not child.hidden for item in node.children for child in item.children if child.type == "paragraph")
        for number, item in enumerate(node.children, start=start):
            marker = f"{number}{node.markup or '.'}" if ordered else BULLETS[depth % len(BULLETS)]
            parts: list[RenderableType] = []
            for child in item.children:
                if child.type in ("bullet_list", "ordered_list"):
                    parts.append(self.list(child, depth + 1))
                else:
                    rendered = self.block(child)
                    if rendered is not None:
                        if parts and loose:
                            parts.append(Text(""))
                        parts.append(rendered)
            grid.add_row(marker, Group(*parts))
            if loose and number != start + len(node.children) - 1:
                grid.add_row("", "")
        return grid

    def code(self, node: SyntaxTreeNode) -> RenderableType:
        code = node.content.rstrip("\n")
        language = (node.info or "").strip().split(" ")[0] if node.type == "fence" else ""
        if language:
            from rich.syntax import Syntax  # Pygments is loaded only when a slide has code

            # highlight now (this runs once per block, often while a neighbour slide is pre-built)
            # so that showing the slide later costs no lexing
            text = Syntax(code, language, theme=self.p.code_theme, background_color=self.p.code_background).highlight(code)
            text.rstrip()
        else:
            text = Text(code)  # no language: shown plain rather than letting Pygments guess
        return Padding(text, (0, 1), style=f"on {self.p.code_background}", expand=True)

    def table(self, node: SyntaxTreeNode) -> RenderableType:
        table = Table(box=box.ROUNDED, border_style=self.p.table_border, header_style=self.p.table_header,
                      show_edge=True, pad_edge=True, expand=False)
        rows = [tr for section in node.children for tr in section.children]
        if not rows:
            return table
        header, body = rows[0], rows[1:]
        for cell in header.children:
            style = cell.attrs.get("style", "")
            justify = "right" if "right" in style else "center" if "center" in style else "left"
            table.add_column(self.inline(cell.children[0] if cell.children else None), justify=justify)
        for row in body:
            table.add_row(*(self.inline(c.children[0] if c.children else None) for c in row.children))
        return table

    # inline -----------------------------------------------------------------------------------
    def inline(self, node: SyntaxTreeNode | None) -> Text:
        text = Text()
        if node is not None:
            self._inline_into(text, node.children, Style())
        return text

    def _inline_into(self, text: Text, nodes: Iterable[SyntaxTreeNode], style: Style) -> None:
        for node in nodes:
            kind = node.type
            if kind == "text":
                text.append(node.content, style)
            elif kind == "softbreak":
                text.append(" ", style)
            elif kind == "hardbreak":
                text.append("\n", style)
            elif kind == "code_inline":
                text.append(node.content, style + Style.parse(self.p.code_inline))
            elif kind == "strong":
                self._inline_into(text, node.children, style + Style(bold=True))
            elif kind == "em":
                self._inline_into(text, node.children, style + Style(italic=True))
            elif kind == "s":
                self._inline_into(text, node.children, style + Style(strike=True))
            elif kind == "link":
                href = str(node.attrs.get("href", ""))
                self._inline_into(text, node.children, style + Style.parse(self.p.link) + Style(link=href))
            elif kind == "image":
                alt = "".join(c.content for c in node.children) or str(node.attrs.get("src", ""))
                text.append(f"[image: {alt}]", style + Style.parse(self.p.muted))
            elif kind == "html_inline":
                if not node.content.startswith("<!--"):
                    text.append(node.content, style + Style.parse(self.p.muted))
            elif node.children:
                self._inline_into(text, node.children, style)
            else:
                text.append(node.content, style)
