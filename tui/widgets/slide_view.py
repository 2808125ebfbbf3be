"""One slide on screen: its Markdown blocks, column layouts and reveal steps."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.geometry import Size
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Static

from tui.deck.model import Block, Columns, FrontMatter, Slide
from tui.render.markdown import RenderedBlock, render_markdown
from tui.render.palette import palette_for


class Chunk(Widget):
    """A Markdown block that appears at reveal step `step`.

    Drawn line by line from strips rendered once per width (a Static would render its Rich
    renderable twice per layout: once to measure, once to paint), and `prerender` lets a hidden
    neighbour slide do that work before the presenter switches to it.
    """

    DEFAULT_CSS = "Chunk { height: auto; }"

    def __init__(self, block: Block, theme: str, previous_ends_list: bool):
        try:
            rendered = render_markdown(block.text, theme)
        except Exception as exc:  # noqa: BLE001 - a slide that cannot render must not end the talk
            rendered = RenderedBlock(Text(f"line {block.line}: this block could not be rendered: {exc!r}"), False, False)
            classes = "chunk render-error"
        else:
            classes = "chunk -tight" if previous_ends_list and rendered.starts_with_list else "chunk"
        super().__init__(classes=classes)
        self.renderable = rendered.renderable
        self.step = block.step
        self.source = block.text
        self.ends_list = rendered.ends_with_list
        self._strips: tuple[int, list[Strip]] = (-1, [])
        self._styled: tuple[int, object, list[Strip]] = (-1, None, [])

    def strips(self, width: int) -> list[Strip]:
        if self._strips[0] != width:
            options = self.app.console_options.update(width=width, max_width=width, highlight=False)
            lines = self.app.console.render_lines(self.renderable, options, pad=False)
            self._strips = (width, [Strip(line).simplify() for line in lines])
        return self._strips[1]

    def _styled_strips(self, width: int) -> list[Strip]:
        """The strips on the widget's background, padded to its width: what is painted."""
        style = self.rich_style
        if self._styled[:2] != (width, style):
            styled = [s.apply_style(style).extend_cell_length(width, style).simplify() for s in self.strips(width)]
            self._styled = (width, style, styled)
        return self._styled[2]

    def prerender(self, width: int) -> None:
        if width > 0:
            self.strips(width)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.strips(width))

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        strips = self._styled_strips(width)
        return strips[y] if y < len(strips) else Strip.blank(width, self.rich_style)

    def render_text(self) -> str:
        """The chunk's text as drawn (tests and export read it)."""
        return "\n".join(strip.text.rstrip() for strip in self.strips(self.size.width or 80))


def title_renderable(meta: FrontMatter, theme: str) -> Text:
    """The generated title slide: title, sub-title, authors, then event · location · date."""
    palette = palette_for(theme)
    text = Text(justify="center")
    text.append(meta.title, style=palette.heading1)
    if meta.sub_title:
        text.append("\n\n")
        text.append(meta.sub_title, style=palette.heading2)
    people = ", ".join(meta.authors)
    where = " · ".join(x for x in (meta.event, meta.location, meta.date) if x)
    if people or where:
        text.append("\n")
    if people:
        text.append("\n")
        text.append(people, style="bold")
    if where:
        text.append("\n")
        text.append(where, style=palette.muted)
    return text


class SlideView(VerticalScroll, can_focus=False):
    """Scrolls when the slide is taller than the screen, so nothing is cut silently."""

    class Scrolled(Message):
        """The view scrolled or resized: whether more lies below may have changed."""

        def __init__(self, view: "SlideView"):
            super().__init__()
            self.view = view

        @property
        def control(self) -> "SlideView":
            return self.view

    def __init__(self, slide: Slide, meta: FrontMatter, theme: str):
        super().__init__(classes="slide -title" if slide.is_title else "slide")
        self.slide = slide
        self.meta = meta
        self.theme_name = theme
        self.step = slide.steps - 1

    def compose(self) -> ComposeResult:
        if self.slide.is_title:
            yield Static(title_renderable(self.meta, self.theme_name), classes="title-card")
            return
        ends_list = False
        for element in self.slide.elements:
            if isinstance(element, Block):
                chunk = Chunk(element, self.theme_name, ends_list)
                ends_list = chunk.ends_list
                yield chunk
            else:
                yield self._columns(element)
                ends_list = False

    def _columns(self, layout: Columns) -> Horizontal:
        columns = []
        for width, blocks in zip(layout.widths, layout.columns):
            column = Vertical(*self._column_chunks(blocks), classes="column")
            column.styles.width = f"{width}fr"
            columns.append(column)
        row = Horizontal(*columns, classes="columns")
        row.step = layout.step  # type: ignore[attr-defined]
        return row

    def _column_chunks(self, blocks: tuple[Block, ...]) -> list[Chunk]:
        chunks, ends_list = [], False
        for block in blocks:
            chunk = Chunk(block, self.theme_name, ends_list)
            ends_list = chunk.ends_list
            chunks.append(chunk)
        return chunks

    def on_mount(self) -> None:
        self.reveal(self.step)

    @property
    def more_below(self) -> bool:
        return self.scroll_y < self.max_scroll_y

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        self.post_message(self.Scrolled(self))

    def on_resize(self) -> None:
        self.post_message(self.Scrolled(self))

    def watch_virtual_size(self) -> None:
        self.post_message(self.Scrolled(self))

    def prerender(self, width: int) -> None:
        """Render the full-width blocks now, at the width they will have when shown."""
        for chunk in self.query_children(Chunk):
            chunk.prerender(width)

    def reveal(self, step: int) -> None:
        """Show everything up to reveal step `step` (0 = before the first pause)."""
        self.step = max(0, min(step, self.slide.steps - 1))
        for widget in self.query(".chunk, .columns"):
            widget.display = getattr(widget, "step", 0) <= self.step
