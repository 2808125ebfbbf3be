"""The speaker view in the apps: the presenting app (under Pilot) serving a real socket to a client,
the notes app (under Pilot) following a real server, and the footer's timer at fixed fake times."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from rich.console import Console

from conftest import FEATURE_DECK, make_app, until
from tui.app import FlatdeckApp
from tui.deck.parse import load_deck
from tui.demostage import DemoStage
from tui.remote.client import Follower, join
from tui.remote.server import NotesServer
from tui.remote.state import slide_state
from tui.screens.notes import ENDED, NotesApp
from tui.widgets.deck_footer import DeckFooter

SCENARIOS = Path(__file__).parent / "scenarios"
PAUSE_SLIDE, DEMO_SLIDE = 5, 7  # 0-based: "Incremental reveal" (4 steps), "A demo slide"


class FakeClock:
    def __init__(self, now: float = 1000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


async def _latest(link, messages: list, condition, pilot, timeout: float = 10.0) -> dict:
    """Read states until one satisfies `condition` (the app keeps running meanwhile)."""
    async def read() -> dict:
        async for message in link.messages():
            messages.append(message)
            if message["type"] == "state" and condition(message):
                return message
        raise AssertionError("the presentation hung up")

    task = asyncio.ensure_future(read())
    await until(pilot, task.done, timeout)
    return task.result()


def _plain(widget) -> str:
    """What a Static shows, as plain text."""
    console = Console(width=200, color_system=None)
    with console.capture() as capture:
        console.print(widget.content)
    return capture.get().strip()


async def _joined(app, pilot, path: Path):
    await until(pilot, lambda: app.screen.speaker.server is not None)
    return await join(path)


async def test_navigation_both_ways_and_reveal_steps(tmp_path):
    path = tmp_path / "present.sock"
    app = make_app(speaker=path)
    async with app.run_test(size=(120, 40)) as pilot:
        link = await _joined(app, pilot, path)
        seen: list = []
        first = await _latest(link, seen, lambda s: True, pilot)
        assert (first["index"], first["count"], first["title"]) == (0, 11, "The flatdeck feature tour")
        assert first["notes"] == "The title slide is generated from the front matter."
        assert first["next"]["title"] == "Headings and text" and first["budgets"][:2] == [30.0, 60.0]
        link.action("next")  # the speaker's window moves the talk…
        await until(pilot, lambda: app.screen.index == 1)
        await pilot.press("right")  # …and the presenter's keys move the speaker's window
        state = await _latest(link, seen, lambda s: s["index"] == 2, pilot)
        assert state["notes"] == "Notes can span lines.\nThis is the second line."
        assert (state["next"]["number"], state["next"]["title"]) == (4, "Code")
        assert any("systemd-sysext merge" in block for block in state["next"]["blocks"])  # its text, to preview
        link.goto(PAUSE_SLIDE + 1)
        state = await _latest(link, seen, lambda s: s["index"] == PAUSE_SLIDE, pilot)
        assert (state["step"], state["steps"]) == (3, 4)  # goto shows the slide fully revealed
        link.action("previous")  # a reveal step back, from the speaker's window
        state = await _latest(link, seen, lambda s: s["step"] == 2, pilot)
        assert app.screen.index == PAUSE_SLIDE and app.screen.view.step == 2
        link.action("last")
        await until(pilot, lambda: app.screen.index == 10)
        state = await _latest(link, seen, lambda s: s["index"] == 10, pilot)
        assert state["next"] is None
        link.close()


async def test_the_speaker_window_quitting_leaves_the_talk_running_and_the_talk_ending_is_seen(tmp_path):
    path = tmp_path / "present.sock"
    app = make_app(speaker=path)
    async with app.run_test(size=(120, 40)) as pilot:
        link = await _joined(app, pilot, path)
        link.close()
        await until(pilot, lambda: app.screen.speaker.server.clients == 0)
        await pilot.press("right")
        assert app.screen.index == 1 and app.is_running
        again = await _joined(app, pilot, path)  # a new speaker window joins the same talk
        state = await _latest(again, [], lambda s: True, pilot)
        assert state["index"] == 1
        await pilot.press("q")
        await pilot.pause()
    assert await asyncio.wait_for(anext(again.messages(), None), 5) is None  # the talk hung up
    assert not path.exists()  # and took its socket file with it


async def test_a_speaker_window_joining_later_gets_the_times_as_of_now(tmp_path):
    path = tmp_path / "present.sock"
    clock = FakeClock()
    app = FlatdeckApp(load_deck(FEATURE_DECK), 2, clock=clock, watch=False, speaker=path)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: app.screen.speaker.server is not None)
        clock.now += 95  # the talk has run for a while before the speaker's window joins
        link = await join(path)
        state = await _latest(link, [], lambda s: True, pilot)
        assert (state["index"], state["elapsed"], state["spent"]) == (2, 95.0, 95.0)
        link.close()


async def test_demo_steps_and_their_statuses_reach_the_speaker(tmp_path):
    path = tmp_path / "present.sock"
    app = make_app(start=DEMO_SLIDE, demos=DemoStage(SCENARIOS, mode="replay"), speaker=path)
    async with app.run_test(size=(120, 40)) as pilot:
        link = await _joined(app, pilot, path)
        seen: list = []
        state = await _latest(link, seen, lambda s: s["demo"] is not None, pilot)
        demo = state["demo"]
        assert (demo["name"], demo["title"], demo["badge"]) == ("fixture-demo", "Fixture demo", "REPLAY")
        assert [(s["id"], s["status"]) for s in demo["steps"]] == [
            ("intro", "pending"), ("greet", "pending"), ("side", "pending"), ("count", "pending"),
            ("linux", "pending")]
        assert demo["next"] == "intro"
        link.action("demo-next")  # Enter from the speaker's window: the narration
        link.action("demo-next")  # and the first command, shown (replay runs nothing)
        state = await _latest(link, seen, lambda s: s["demo"]["next"] == "side", pilot)
        assert [s["status"] for s in state["demo"]["steps"]][:3] == ["passed", "shown", "pending"]
        assert app.screen.demo.status["greet"].value == "shown"
        link.close()


async def test_a_socket_that_cannot_be_had_is_a_notice_and_the_talk_goes_on(tmp_path):
    path = tmp_path / "present.sock"
    path.write_text("in the way")
    app = make_app(speaker=path)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: any("No speaker view" in n.message for n in app._notifications))
        assert "not a socket" in next(n.message for n in app._notifications)
        await pilot.press("right")
        assert app.screen.index == 1
    assert path.read_text() == "in the way"


# the notes app ---------------------------------------------------------------------------------

async def test_the_notes_app_follows_a_presentation_and_sends_its_keys(tmp_path):
    path = tmp_path / "present.sock"
    commands: list = []
    server = NotesServer(path, lambda kind, value: commands.append((kind, value)),
                         {"deck": str(FEATURE_DECK), "title": "The flatdeck feature tour", "theme": "dark",
                          "started": 1.0})
    await server.start()
    deck = load_deck(FEATURE_DECK)
    server.publish(slide_state(deck, 2, 0, elapsed=200.0, spent=40.0))
    clock = FakeClock()
    app = NotesApp(Follower(socket=path, retry=0.05), clock=clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: app.state is not None)
        assert "Notes can span lines." in _plain(app.query_one("#notes-text"))
        assert app.query_one("#next-pane").border_title == "Next — 4: Code"
        assert "slide 00:40/00:45" in _plain(app.query_one("#pacing"))
        await pilot.press("right", "left", "enter", "g")
        await pilot.press("9", "enter")
        await until(pilot, lambda: len(commands) == 4)
        assert commands == [("action", "next"), ("action", "previous"), ("action", "demo-next"), ("goto", 9)]
        clock.now += 10  # the speaker's window counts on between two states
        app._show_pacing()
        assert "slide 00:50/00:45" in _plain(app.query_one("#pacing"))
        server.close()
        await until(pilot, lambda: _plain(app.query_one("#notes-status")) == ENDED)
        clock.now += 100  # ended: the clocks stop where they were
        app._show_pacing()
        assert "slide 00:50/00:45" in _plain(app.query_one("#pacing"))
        await pilot.press("q")


# the footer's timer ------------------------------------------------------------------------------

def _styles(text) -> dict[str, str]:
    """Each coloured time in the footer's pacing and its style."""
    return {text.plain[span.start:span.end]: str(span.style) for span in text.spans if "bold" in str(span.style)}


async def test_t_shows_the_slide_and_the_talk_against_their_budgets():
    clock = FakeClock()
    app = FlatdeckApp(load_deck(FEATURE_DECK), 1, clock=clock, watch=False)  # slide 2: 1m, running total 1m30s
    async with app.run_test(size=(120, 40)) as pilot:
        footer = app.screen.query_one(DeckFooter)
        assert footer.pacing is None  # off by default: the footer shows the plain clock
        await pilot.press("t")
        assert footer.pacing.plain == "slide 00:00/01:00  talk 00:00/01:30"
        assert _styles(footer.pacing) == {"00:00/01:00": "bold green", "00:00/01:30": "bold green"}
        clock.now += 70  # 10 s over the slide's minute, still within the talk's running total
        app.screen._tick()
        assert _styles(footer.pacing) == {"01:10/01:00": "bold #ffaf00", "01:10/01:30": "bold green"}
        clock.now += 40  # 50 s over the slide (red), 20 s behind the talk (amber: 30 s grace)
        app.screen._tick()
        assert _styles(footer.pacing) == {"01:50/01:00": "bold red", "01:50/01:30": "bold #ffaf00"}
        clock.now += 60
        app.screen._tick()
        assert _styles(footer.pacing)["02:50/01:30"] == "bold red"
        await pilot.press("right")  # a new slide starts its own count; the talk goes on
        assert footer.pacing.plain == "slide 00:00/00:45  talk 02:50/02:15"
        assert "slide 00:00/00:45" in app.screen.query_one(DeckFooter).render().plain
        await pilot.press("t")
        assert footer.pacing is None and "02:50" in footer.render().plain


@pytest.mark.parametrize("key", ["t"])
async def test_the_timer_binding_is_in_help_and_the_palette(key):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        titles = {c.title: c for c in app.get_system_commands(app.screen)}
        command = titles["Timer and pacing in the footer"]
        assert command.help == f"Key: {key}"
        await command.callback()
        await pilot.pause()
        assert app.screen.show_pacing
        await pilot.press("question_mark")
        from tui.widgets.help_panel import HelpPanel

        rows = dict((d, k) for k, d in app.screen.query_one(HelpPanel).rows)
        assert rows["Timer and pacing in the footer"] == key


@pytest.mark.parametrize("theme, textual_theme", [("projector", "flatdeck-projector"), ("light", "textual-light"),
                                                  ("no-such-theme", "textual-dark")])
async def test_the_notes_app_takes_the_presenting_windows_theme(theme, textual_theme):
    app = NotesApp(None, clock=FakeClock())
    async with app.run_test(size=(80, 24)):
        app.joined({"type": "hello", "title": "T", "theme": theme, "pid": 1})
        assert app.theme == textual_theme
        assert app.palette == (theme if theme != "no-such-theme" else "dark")
