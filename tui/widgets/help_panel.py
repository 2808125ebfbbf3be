"""`?`: every key binding of the presenting screen, as currently mapped (keymap overrides included).

An overlay on the presenting screen rather than a screen of its own: opening it lays out and
paints only its own region, so it answers quickly even while a demo pane floods."""

from __future__ import annotations

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Label, Static


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


class HelpPanel(VerticalScroll, can_focus=False):
    def __init__(self) -> None:
        super().__init__(id="help")
        self.rows: list[tuple[str, str]] = []

    def compose(self) -> ComposeResult:
        yield Label("Keys", id="help-title")
        yield Static(id="help-table")
        yield Label("Esc or ? closes this help.", id="help-hint")

    def show(self, screen: Screen) -> None:
        rows = binding_rows(screen)
        if rows != self.rows or not self.rows:
            self._fill(rows)
        self.display = True

    def _fill(self, rows: list[tuple[str, str]]) -> None:
        self.rows = rows
        table = Table(box=None, show_header=False, padding=(0, 2))
        table.add_column(style="bold", no_wrap=True)
        table.add_column()
        for keys, description in self.rows:
            table.add_row(keys, description)
        table.add_row("ctrl+]", "Back to the slide (while typing in a demo's shell)")
        table.add_row("ctrl+p", "Command palette: every action by name")
        self.query_one("#help-table", Static).update(table)
