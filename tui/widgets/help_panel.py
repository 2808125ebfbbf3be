"""`?`: every key binding of the presenting screen, as currently mapped (keymap overrides included).

An overlay on the presenting screen rather than a screen of its own, drawn from lines rendered
once per width: opening it while a demo pane floods repaints one box from lines it already has,
instead of measuring and rendering a table again (that frame is what the key waits for)."""

from __future__ import annotations

from rich.console import Group
from rich.segment import Segment
from rich.table import Table
from rich.text import Text
from textual.binding import Binding
from textual.geometry import Size
from textual.screen import Screen
from textual.scroll_view import ScrollView
from textual.strip import Strip

HINT = "Esc or ? closes this help."
EXTRA_ROWS = (("ctrl+]", "Back to the slide (while typing in a demo's shell)"),
              ("ctrl+p", "Command palette: every action by name"))


def binding_rows(screen: Screen) -> list[tuple[str, str]]:
    """(keys, description) per binding id, in declaration order, as the keymap left them."""
    app = screen.app
    order = [b.id for b in type(screen).BINDINGS if isinstance(b, Binding)]
    own = set(order)
    rows: dict[str, tuple[list[str], str]] = {}
    for _key, active in screen.active_bindings.items():
        binding = active.binding
        if binding.id not in own or not binding.description:
            continue  # inherited extras (focus, copy) and silent keys are not listed
        ident = binding.id or binding.action
        keys, _ = rows.setdefault(ident, ([], binding.description))
        display = app.get_key_display(binding)
        if display not in keys:
            keys.append(display)
    ranked = sorted(rows.items(), key=lambda item: order.index(item[0]))  # as declared, not as keyed
    return [(" ".join(keys), description) for _, (keys, description) in ranked]


class HelpPanel(ScrollView, can_focus=False):
    COMPONENT_CLASSES = {"help-panel--title", "help-panel--keys", "help-panel--hint"}
    DEFAULT_CSS = """
    HelpPanel > .help-panel--title { color: $accent; text-style: bold; }
    HelpPanel > .help-panel--keys { text-style: bold; }
    HelpPanel > .help-panel--hint { color: $text-muted; }
    """

    def __init__(self) -> None:
        super().__init__(id="help")
        self.rows: list[tuple[str, str]] = []
        self._lines: list[Strip] = []
        self._built_for: tuple[int, tuple] | None = None  # (width, rows) the lines were rendered for

    # Open and closed by visibility, not `display`: the box stays in the screen's layout, so
    # opening it repaints only its own region. Adding or removing a widget renumbers the
    # paint order of every widget on the screen, and Textual then repaints them all.
    @property
    def is_open(self) -> bool:
        return self.visible

    def open(self, screen: Screen) -> None:
        rows = binding_rows(screen)
        if rows != self.rows:
            self.rows = rows
            self.refresh(layout=True)  # its height may change
        self.visible = True

    def close(self) -> None:
        self.visible = False

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._built_for = None  # a theme change recolours the lines

    def lines(self, width: int) -> list[Strip]:
        """The help's lines at `width` cells, rendered once per width and set of rows."""
        key = (width, tuple(self.rows))
        if key != self._built_for:
            self._built_for = key
            self._lines = self._render(max(1, width))
            # set quietly: this runs while the screen is laid out, which then updates the
            # scrollbar in the same pass (assigning it would ask for one more layout)
            self.set_reactive(ScrollView.virtual_size, Size(width, len(self._lines)))
        return self._lines

    def _render(self, width: int) -> list[Strip]:
        table = Table(box=None, show_header=False, padding=(0, 2))
        table.add_column(style=self.get_component_rich_style("help-panel--keys", partial=True), no_wrap=True)
        table.add_column()
        for keys, description in (*self.rows, *EXTRA_ROWS):
            table.add_row(keys, description)
        content = Group(Text("Keys", style=self.get_component_rich_style("help-panel--title", partial=True)),
                        "", table, "",
                        Text(HINT, style=self.get_component_rich_style("help-panel--hint")))
        console = self.app.console
        base = self.rich_style
        lines = console.render_lines(content, console.options.update_width(width), pad=False)
        return [Strip(Segment.apply_style(line, base)).extend_cell_length(width, base) for line in lines]

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.lines(width - self.scrollbar_gutter.width))  # drawn beside the (stable) gutter

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        lines = self.lines(width)
        index = int(self.scroll_offset.y) + y
        if 0 <= index < len(lines):
            return lines[index].crop(0, width)
        return Strip.blank(width, self.rich_style)
