"""`g` then a number: a one-line prompt in the footer's place."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import ModalScreen
from textual.widgets import Input, Label


class GotoScreen(ModalScreen[int | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="goto-cancel")]

    def __init__(self, count: int):
        super().__init__(classes="goto")
        self.count = count

    def compose(self) -> ComposeResult:
        with Horizontal(id="goto-bar"):
            yield Label(f"Go to slide (1–{self.count}): ")
            yield Input(type="integer", id="goto-input", select_on_focus=False)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        try:
            number = int(event.value)
        except ValueError:
            number = 0
        if 1 <= number <= self.count:
            self.dismiss(number)
        else:
            self.notify(f"No slide {event.value or '(empty)'}; the deck has slides 1 to {self.count}.",
                        severity="warning", timeout=3)
            event.input.value = ""

    def action_cancel(self) -> None:
        self.dismiss(None)
