"""`?`: every key binding of the presenting screen, as currently mapped (keymap overrides included)."""

from __future__ import annotations

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Label, Static


def binding_rows(screen: Screen) -> list[tuple[str, str]]:
    """(keys, description) per binding id, in declaration order, as the keymap left them."""
    app = screen.app
    order = [b.id for b in type(screen).BINDINGS if isinstance(b, Binding)]
    own = set(order)
    rows: dict[str, tuple[list[str], str]] = {}
    for _key, active in screen.active_bindings.items():
        binding = active.binding
        if binding.id not in own:
            continue  # inherited extras (focus, copy) are not presenting keys
        ident = binding.id or binding.action
        keys, _ = rows.setdefault(ident, ([], binding.description))
        display = app.get_key_display(binding)
        if display not in keys:
            keys.append(display)
    ranked = sorted(rows.items(), key=lambda item: order.index(item[0]))  # as declared, not as keyed
    return [(" ".join(keys), description) for _, (keys, description) in ranked]


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,question_mark,q", "close", "Close", id="help-close")]

    def __init__(self, present: Screen):
        super().__init__()
        self.rows = binding_rows(present)

    def compose(self) -> ComposeResult:
        table = Table(box=None, show_header=False, padding=(0, 2))
        table.add_column(style="bold", no_wrap=True)
        table.add_column()
        for keys, description in self.rows:
            table.add_row(keys, description)
        table.add_row("ctrl+]", "Back to the slide (while typing in a demo's shell)")
        table.add_row("ctrl+p", "Command palette: every action by name")
        with VerticalScroll(id="help"):
            yield Label("Keys", id="help-title")
            yield Static(table)
            yield Label("Esc or ? closes this help.", id="help-hint")

    def action_close(self) -> None:
        self.dismiss(None)
