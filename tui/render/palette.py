"""Colours for slide content per deck theme (Rich styles, since Rich renderables cannot use CSS variables)."""

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
    code_theme: str
    code_background: str
    quote_bar: str
    quote_text: str
    rule: str
    table_header: str
    table_border: str
    muted: str


PALETTES = {
    "dark": Palette(
        heading1="bold #ffa62b", heading2="bold #5fd7ff", heading3="bold #e0e0e0", accent="#ffa62b",
        link="underline #5fd7ff", code_inline="#ffd787 on #2a2a3a", code_theme="monokai",
        code_background="#1e1e2a", quote_bar="#5fd7ff", quote_text="italic #c6c6c6", rule="#585858",
        table_header="bold #ffa62b", table_border="#6c6c6c", muted="#8a8a8a",
    ),
    "light": Palette(
        heading1="bold #a04000", heading2="bold #005f87", heading3="bold #1c1c1c", accent="#a04000",
        link="underline #005f87", code_inline="#870000 on #eeeeee", code_theme="friendly",
        code_background="#f2f2f2", quote_bar="#005f87", quote_text="italic #444444", rule="#9e9e9e",
        table_header="bold #a04000", table_border="#8a8a8a", muted="#6c6c6c",
    ),
}


def palette_for(theme: str) -> Palette:
    return PALETTES.get(theme, PALETTES["dark"])
