"""Pacing arithmetic: slide budgets (`<!-- time: 2m -->`), the talk's running total, and whether the
presenter is on time. Pure functions of numbers and a clock reading; no I/O, no UI.

Thresholds (the README repeats them):
- a slide is green while its time is within its budget, amber up to 25 % over (at least 15 s),
  red beyond;
- the talk is green while the elapsed time is within the budgets of every slide up to and including
  the current one (the running total), amber up to 5 % of the whole talk behind (at least 30 s), red
  beyond.
A slide without a budget, or a deck without any, gets no colour.
"""

from __future__ import annotations

from typing import Sequence

GREEN, AMBER, RED = "green", "amber", "red"
SLIDE_GRACE_SHARE, SLIDE_GRACE_MIN = 0.25, 15.0
TALK_GRACE_SHARE, TALK_GRACE_MIN = 0.05, 30.0


def running_totals(budgets: Sequence[float | None]) -> list[float]:
    """For each slide, the budgets of every slide up to and including it: where the talk's clock
    should be when that slide ends. A slide without a budget adds nothing."""
    totals, total = [], 0.0
    for budget in budgets:
        total += budget or 0.0
        totals.append(total)
    return totals


def status(over: float, grace: float) -> str:
    """GREEN when not over, AMBER when over by at most `grace` seconds, RED beyond."""
    if over <= 0:
        return GREEN
    return AMBER if over <= grace else RED


def slide_status(spent: float, budget: float | None) -> str | None:
    if not budget:
        return None
    return status(spent - budget, max(SLIDE_GRACE_MIN, SLIDE_GRACE_SHARE * budget))


def talk_status(elapsed: float, planned: float, total: float) -> str | None:
    if not total:
        return None
    return status(elapsed - planned, max(TALK_GRACE_MIN, TALK_GRACE_SHARE * total))


class Pace:
    """The pace at one clock reading (a plain class: a dataclass costs ≈ 1 ms at start-up)."""

    __slots__ = ("elapsed", "slide_spent", "slide_budget", "planned", "total")

    def __init__(self, elapsed: float, slide_spent: float, slide_budget: float | None, planned: float,
                 total: float):
        self.elapsed = elapsed  # since the talk started
        self.slide_spent = slide_spent  # on the current slide (every visit added up)
        self.slide_budget = slide_budget
        self.planned = planned  # the running total: budgets up to and including the current slide
        self.total = total  # the whole talk's budget (0: the deck has none)

    @property
    def drift(self) -> float:
        """Seconds behind the plan (past the end of this slide's budget), negative when ahead (not
        yet at the start of it), 0 while the clock is within this slide's share of the talk."""
        if self.elapsed > self.planned:
            return self.elapsed - self.planned
        start = self.planned - (self.slide_budget or 0.0)
        return min(0.0, self.elapsed - start)

    @property
    def slide(self) -> str | None:
        return slide_status(self.slide_spent, self.slide_budget)

    @property
    def talk(self) -> str | None:
        return talk_status(self.elapsed, self.planned, self.total)


def pace(budgets: Sequence[float | None], index: int, elapsed: float, slide_spent: float) -> Pace:
    """The pace on slide `index` (0-based) at one clock reading."""
    totals = running_totals(budgets)
    index = max(0, min(index, len(budgets) - 1))
    return Pace(elapsed, slide_spent, budgets[index] if budgets else None, totals[index] if totals else 0.0,
                totals[-1] if totals else 0.0)


class SlideTimes:
    """Time spent on each slide, from readings of a monotonic clock: entering a slide starts its
    count, leaving stops it, coming back adds to it."""

    def __init__(self) -> None:
        self.current: int | None = None
        self.entered = 0.0
        self.spent: dict[int, float] = {}

    def enter(self, index: int, now: float) -> None:
        if index == self.current:
            return
        if self.current is not None:
            self.spent[self.current] = self.spent_on(self.current, now)
        self.current, self.entered = index, now

    def spent_on(self, index: int, now: float) -> float:
        spent = self.spent.get(index, 0.0)
        if index == self.current:
            spent += max(0.0, now - self.entered)
        return spent
