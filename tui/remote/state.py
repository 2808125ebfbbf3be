"""What the speaker view is told: the presenter's state as plain JSON-ready data.

Built from the deck model and plain values; the demo part from a demo runtime's own fields
(scenario, status, badge), read by name so this module imports nothing from the engine.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tui.deck.model import Block, Deck, Slide

if TYPE_CHECKING:
    from tui.demo import DemoRuntime


def hello(deck: Deck, theme: str, started: float) -> dict:
    """What a presentation says about itself on connect: its deck, its theme (dark, light, projector)
    and when it started (wall-clock seconds)."""
    return {"deck": str(deck.path.resolve()), "title": deck.title, "theme": theme, "started": started}


def slide_markdown(deck: Deck, slide: Slide) -> list[str]:
    """The slide's Markdown blocks in reading order (columns one after the other), for a preview."""
    if slide.is_title:
        meta = deck.meta
        return [f"# {meta.title}", *([f"## {meta.sub_title}"] if meta.sub_title else []),
                *([", ".join(meta.authors)] if meta.authors else [])]
    blocks = []
    for element in slide.elements:
        if isinstance(element, Block):
            blocks.append(element.text)
        else:
            blocks.extend(block.text for column in element.columns for block in column)
    return blocks


def demo_state(name: str, runtime: "DemoRuntime | None", error: str = "") -> dict:
    """The current demo's steps with their statuses (setup, steps, cleanup), its badge and the next step."""
    if runtime is None:
        return {"name": name, "title": name, "badge": "", "steps": [], "next": None,
                "error": error or "not loaded"}
    scenario = runtime.scenario
    sections = [("setup", s) for s in scenario.setup] + [("steps", s) for s in scenario.steps] \
        + [("cleanup", s) for s in scenario.cleanup]
    following = runtime.next_step()
    return {"name": name, "title": scenario.title, "badge": runtime.badge,
            "steps": [{"id": step.id, "label": step.label, "kind": step.kind, "section": section,
                       "status": runtime.status[step.id].value} for section, step in sections],
            "next": following.id if following is not None else None}


def slide_state(deck: Deck, index: int, step: int, elapsed: float, spent: float, demo: dict | None = None) -> dict:
    """The presenter's position on slide `index` (0-based) at reveal `step`, with the talk's times
    (seconds, measured by the presenting side) and the slides' budgets for pacing."""
    slide = deck.slides[index]
    following = deck.slides[index + 1] if index + 1 < len(deck.slides) else None
    return {
        "index": index, "count": len(deck.slides), "number": slide.number, "title": slide.title,
        "step": step, "steps": slide.steps, "notes": slide.notes, "budget": slide.budget,
        "next": None if following is None else {"number": following.number, "title": following.title,
                                                 "blocks": slide_markdown(deck, following)},
        "demo": demo, "budgets": [s.budget for s in deck.slides],
        "elapsed": elapsed, "spent": spent,
    }
