"""Pacing arithmetic at fixed fake times: budgets, running totals, green / amber / red."""

from __future__ import annotations

import pytest

from conftest import FEATURE_DECK
from tui.deck.pacing import AMBER, GREEN, RED, SlideTimes, pace, running_totals, slide_status, talk_status
from tui.deck.parse import load_deck

# the feature deck: title 30s, headings 1m, lists 45s, code 1m30s, four slides without, demo 2m
BUDGETS = [s.budget for s in load_deck(FEATURE_DECK).slides]


def test_the_fixture_budgets_are_what_the_tests_assume():
    assert BUDGETS == [30.0, 60.0, 45.0, 90.0, None, None, None, 120.0, None, None, None]


def test_running_totals_add_each_slide_and_skip_slides_without_a_budget():
    assert running_totals(BUDGETS) == [30, 90, 135, 225, 225, 225, 225, 345, 345, 345, 345]
    assert running_totals([]) == []


@pytest.mark.parametrize("spent, expected", [
    (0, GREEN), (60, GREEN),  # within the budget, to the second
    (61, AMBER), (75, AMBER),  # a 1m slide may run 15 s over (25 % of 60 s is less than the 15 s floor)
    (75.5, RED), (600, RED),
])
def test_slide_status_of_a_one_minute_slide(spent, expected):
    assert slide_status(spent, 60.0) == expected


def test_a_long_slide_gets_a_quarter_of_its_budget_as_grace():
    assert slide_status(600 + 150, 600.0) == AMBER
    assert slide_status(600 + 151, 600.0) == RED


def test_a_slide_without_a_budget_has_no_colour():
    assert slide_status(1000, None) is None
    assert slide_status(1000, 0.0) is None


@pytest.mark.parametrize("elapsed, expected", [
    (100, GREEN), (1800, GREEN),  # on or ahead of the running total
    (1801, AMBER), (1890, AMBER),  # 5 % of a 30-minute talk: 90 s
    (1890.5, RED),
])
def test_talk_status_of_a_thirty_minute_talk_at_its_last_slide(elapsed, expected):
    assert talk_status(elapsed, planned=1800, total=1800) == expected


def test_a_short_talk_gets_at_least_thirty_seconds():
    assert talk_status(130, planned=100, total=300) == AMBER  # 5 % would be 15 s
    assert talk_status(131, planned=100, total=300) == RED


def test_a_deck_without_budgets_has_no_talk_colour():
    assert talk_status(5000, planned=0, total=0) is None
    assert pace([None, None], 1, 5000, 10).talk is None


def test_pace_on_the_code_slide_at_fixed_times():
    # slide 4 (index 3, 1m30s), planned to end at 3m45s; the talk's whole budget is 5m45s
    on_time = pace(BUDGETS, 3, elapsed=200, slide_spent=50)
    assert (on_time.slide_budget, on_time.planned, on_time.total) == (90, 225, 345)
    assert (on_time.slide, on_time.talk, on_time.drift) == (GREEN, GREEN, 0)
    early = pace(BUDGETS, 3, elapsed=100, slide_spent=10)
    assert early.drift == -35  # 35 s before this slide's share of the talk begins
    late = pace(BUDGETS, 3, elapsed=245, slide_spent=100)
    assert (late.slide, late.talk, late.drift) == (AMBER, AMBER, 20)
    very_late = pace(BUDGETS, 3, elapsed=300, slide_spent=130)
    assert (very_late.slide, very_late.talk, very_late.drift) == (RED, RED, 75)


def test_slide_times_add_up_visits_and_stop_when_leaving():
    times = SlideTimes()
    times.enter(0, now=1000)
    assert times.spent_on(0, now=1010) == 10
    times.enter(1, now=1010)
    times.enter(1, now=1015)  # showing the same slide again (a reveal step) does not restart it
    assert times.spent_on(0, now=1030) == 10  # not counting while elsewhere
    assert times.spent_on(1, now=1030) == 20
    times.enter(0, now=1030)
    assert times.spent_on(0, now=1035) == 15  # back again: its time goes on
    assert times.spent_on(1, now=1035) == 20
    assert times.spent_on(5, now=1035) == 0
