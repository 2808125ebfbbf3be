"""Pacing as coloured text, for the footer and the speaker view (the arithmetic is tui/deck/pacing.py)."""

from __future__ import annotations

from rich.text import Text

from tui.deck.pacing import AMBER, GREEN, RED, Pace
from tui.widgets.deck_footer import format_clock

STYLES = {GREEN: "bold green", AMBER: "bold #ffaf00", RED: "bold red", None: "bold"}


def budget_text(label: str, spent: float, budget: float | None, status: str | None) -> Text:
    """`slide 00:45/01:00`, coloured by `status`; without a budget only the time spent."""
    shown = format_clock(spent) + (f"/{format_clock(budget)}" if budget else "")
    return Text.assemble((f"{label} ", "dim"), (shown, STYLES[status]))


def footer_pace(pace: Pace) -> Text:
    """The footer's pacing: the slide against its budget, the talk against its running total."""
    return Text.assemble(budget_text("slide", pace.slide_spent, pace.slide_budget, pace.slide), "  ",
                         budget_text("talk", pace.elapsed, pace.planned if pace.total else None, pace.talk))


def behind_text(pace: Pace) -> Text:
    """`00:40 behind` / `01:10 ahead` / `on time`, coloured like the talk."""
    if not pace.total:
        return Text("")
    drift = round(pace.drift)
    words = "on time" if drift == 0 else f"{format_clock(abs(drift))} {'behind' if drift > 0 else 'ahead'}"
    return Text(words, style=STYLES[pace.talk])
