"""Colours of each deck theme (Rich styles, since Rich renderables cannot use CSS variables).

The slide content, code highlighting, the demo's step list and the exported HTML page read them
here; the Textual colours of the frame (footer, panes, badges) come from the theme the app applies
(tui/themes.py), built for `projector` from the `background`/`foreground`/`surface` below.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Palette:
    heading1: str
    heading2: str
    heading3: str
    accent: str
    link: str
    code_inline: str
    code_theme: str  # a Pygments style
    code_background: str
    quote_bar: str
    quote_text: str
    rule: str
    table_header: str
    table_border: str
    muted: str
    # the page behind the slide (the app's theme draws it; the HTML export needs it spelled out)
    background: str
    foreground: str
    surface: str
    # demo step list: statuses, and what is secondary (setup, cleanup, times)
    passed: str
    failed: str
    warned: str
    shown: str
    running: str
    faint: str


PALETTES = {
    "dark": Palette(
        heading1="bold #ffa62b", heading2="bold #5fd7ff", heading3="bold #e0e0e0", accent="#ffa62b",
        link="underline #5fd7ff", code_inline="#ffd787 on #2a2a3a", code_theme="monokai",
        code_background="#1e1e2a", quote_bar="#5fd7ff", quote_text="italic #c6c6c6", rule="#585858",
        table_header="bold #ffa62b", table_border="#6c6c6c", muted="#8a8a8a",
        background="#121212", foreground="#e0e0e0", surface="#1e1e1e",
        passed="bold green", failed="bold red", warned="bold yellow", shown="cyan", running="bold cyan", faint="dim",
    ),
    "light": Palette(
        heading1="bold #a04000", heading2="bold #005f87", heading3="bold #1c1c1c", accent="#a04000",
        link="underline #005f87", code_inline="#870000 on #eeeeee", code_theme="friendly",
        code_background="#f2f2f2", quote_bar="#005f87", quote_text="italic #444444", rule="#9e9e9e",
        table_header="bold #a04000", table_border="#8a8a8a", muted="#6c6c6c",
        background="#e0e0e0", foreground="#1f1f1f", surface="#d8d8d8",
        passed="bold #006400", failed="bold #b00020", warned="bold #8a5a00", shown="#005f87", running="bold #005f87",
        faint="#5f5f5f",
    ),
    # high contrast for a washed-out projector: pure black and white, saturated colours, no dimming;
    # "native" keeps every code token at 7:1 or more against its background (WCAG AAA)
    "projector": Palette(
        heading1="bold #ffff00", heading2="bold #00ffff", heading3="bold #ffffff", accent="#ffff00",
        link="underline bold #00ffff", code_inline="bold #ffffff on #303030", code_theme="native",
        code_background="#1c1c1c", quote_bar="#ffff00", quote_text="#ffffff", rule="#ffffff",
        table_header="bold #ffff00", table_border="#ffffff", muted="#d0d0d0",
        background="#000000", foreground="#ffffff", surface="#262626",
        passed="bold #00ff00", failed="bold #ff5f5f", warned="bold #ffff00", shown="bold #00ffff",
        running="bold #00ffff", faint="#d0d0d0",
    ),
}


def palette_for(theme: str) -> Palette:
    return PALETTES.get(theme, PALETTES["dark"])
