"""The deck themes applied to a Textual app: dark, light and the high-contrast projector theme.

Slide content takes its colours from tui/render/palette.py; this module gives the frame around it
(footer, demo panes, badges, overlays) the matching Textual theme.
"""

from __future__ import annotations

from textual.app import App
from textual.theme import Theme

from tui.render.palette import palette_for

TEXTUAL_THEMES = {"dark": "textual-dark", "light": "textual-light", "projector": "flatdeck-projector"}


def _projector() -> Theme:
    p = palette_for("projector")
    return Theme(
        name=TEXTUAL_THEMES["projector"], primary="#0050d0", secondary="#00ffff", accent="#ffff00",
        warning="#ffff00", error="#ff3030", success="#00ff00", foreground=p.foreground, background=p.background,
        surface=p.background, panel=p.surface, dark=True, text_alpha=1.0,
        # no faded text: muted is light grey, not a translucent foreground
        variables={"text-muted": p.muted, "border": p.foreground, "border-blurred": p.muted},
    )


def apply_theme(app: App, name: str) -> None:
    """Give `app` the Textual theme of deck theme `name` (an unknown name gets the dark one)."""
    textual_name = TEXTUAL_THEMES.get(name, TEXTUAL_THEMES["dark"])
    if textual_name not in app.available_themes:
        app.register_theme(_projector())
    app.theme = textual_name
