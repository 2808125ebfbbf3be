"""SGR (colour and attribute) state: parse, cache, turn into rich Styles, write back.

A state is a small hashable tuple (fg, bg, flags) so that transitions, rich Styles and rendered
lines can all be cached by value, and a state can be written back as an escape sequence.
"""

from __future__ import annotations

from rich.color import Color
from rich.style import Style

from .escapes import SGR

# fg and bg are canonical SGR fragments ("31", "91", "38;5;208", "48;2;1;2;3") or None.
State = tuple  # (fg: str | None, bg: str | None, flags: int)
DEFAULT: State = (None, None, 0)

BOLD, DIM, ITALIC, UNDERLINE, BLINK, REVERSE, CONCEAL, STRIKE, OVERLINE = (1 << i for i in range(9))
_FLAG_ON = {1: BOLD, 2: DIM, 3: ITALIC, 4: UNDERLINE, 5: BLINK, 6: BLINK, 7: REVERSE, 8: CONCEAL,
            9: STRIKE, 21: UNDERLINE, 53: OVERLINE}
_FLAG_OFF = {22: BOLD | DIM, 23: ITALIC, 24: UNDERLINE, 25: BLINK, 27: REVERSE, 28: CONCEAL,
             29: STRIKE, 55: OVERLINE}
_FLAG_CODES = ((BOLD, "1"), (DIM, "2"), (ITALIC, "3"), (UNDERLINE, "4"), (BLINK, "5"),
               (REVERSE, "7"), (CONCEAL, "8"), (STRIKE, "9"), (OVERLINE, "53"))
ANSI_NAMES = ("black", "red", "green", "yellow", "blue", "magenta", "cyan", "white")

_CACHE_LIMIT = 4096

_transitions: dict[tuple[State, str], State] = {}


def apply_sgr(state: State, params: str) -> State:
    """The state after `ESC [ params m`; cached, since a program repeats the same few sequences."""
    key = (state, params)
    new = _transitions.get(key)
    if new is None:
        if len(_transitions) > _CACHE_LIMIT:
            _transitions.clear()
        new = _transitions[key] = _apply(state, params)
    return new


def _extended(args: list[str]) -> str | None:
    """`5;N` or `2;R;G;B` (after 38/48) as a canonical fragment tail, or None when malformed."""
    try:
        if args[0] == "5":
            return f"5;{min(int(args[1]), 255)}"
        if args[0] == "2":
            r, g, b = (min(int(v or 0), 255) for v in args[-3:])
            return f"2;{r};{g};{b}"
    except (IndexError, ValueError):
        pass
    return None


def _apply(state: State, params: str) -> State:
    fg, bg, flags = state
    codes = params.split(";")
    i, n = 0, len(codes)
    while i < n:
        code = codes[i]
        i += 1
        if ":" in code:  # ITU form: 38:5:N, 38:2::R:G:B, 4:3 (curly underline)
            head, *args = code.split(":")
            if head in ("38", "48") and args:
                tail = _extended(args if args[0] == "5" else ["2", *args[1:][-3:]])
                if tail:
                    fg, bg = (f"38;{tail}", bg) if head == "38" else (fg, f"48;{tail}")
            elif head == "4":
                flags = flags & ~UNDERLINE if args[:1] == ["0"] else flags | UNDERLINE
            continue
        if not code.isdigit():
            if code:
                continue
            c = 0  # an empty parameter means 0
        else:
            c = int(code)
        if c == 0:
            fg, bg, flags = None, None, 0
        elif 30 <= c <= 37 or 90 <= c <= 97:
            fg = str(c)
        elif 40 <= c <= 47 or 100 <= c <= 107:
            bg = str(c)
        elif c == 39:
            fg = None
        elif c == 49:
            bg = None
        elif c in (38, 48):
            args = codes[i:i + 4] if codes[i:i + 1] == ["2"] else codes[i:i + 2]
            tail = _extended(args)
            if tail is None:
                break  # malformed: the rest cannot be parsed reliably (xterm stops too)
            i += len(args)
            if c == 38:
                fg = f"38;{tail}"
            else:
                bg = f"48;{tail}"
        elif c in _FLAG_ON:
            flags |= _FLAG_ON[c]
        elif c in _FLAG_OFF:
            flags &= ~_FLAG_OFF[c]
    return (fg, bg, flags)


def sgr_sequence(state: State) -> str:
    """A sequence that sets `state` from any state (used to compact rewritten lines)."""
    fg, bg, flags = state
    parts = ["0", *(code for bit, code in _FLAG_CODES if flags & bit)]
    parts += [c for c in (fg, bg) if c]
    return "\x1b[" + ";".join(parts) + "m"


_colors: dict[str, Color] = {}


def sgr_color(fragment: str) -> Color:
    """A rich Color for a canonical fragment: 3x/4x/9x/10x → named ANSI, 5;N → palette, 2;R;G;B."""
    color = _colors.get(fragment)
    if color is None:
        parts = fragment.split(";")
        if len(parts) == 1:
            c = int(parts[0])
            name = ANSI_NAMES[c % 10]
            color = Color.parse(f"bright_{name}" if c >= 90 else name)
        elif parts[1] == "5":
            color = Color.from_ansi(int(parts[2]))
        else:
            color = Color.from_rgb(int(parts[2]), int(parts[3]), int(parts[4]))
        if len(_colors) > _CACHE_LIMIT:  # a true-colour gradient must not grow it forever
            _colors.clear()
        _colors[fragment] = color
    return color


_styles: dict[State, Style | None] = {DEFAULT: None}


def style_for(state: State) -> Style | None:
    """The rich Style of an SGR state (None for the default state); cached."""
    try:
        return _styles[state]
    except KeyError:
        pass
    fg, bg, flags = state

    def on(bit: int) -> bool | None:
        return True if flags & bit else None

    style = Style(
        color=sgr_color(fg) if fg else None, bgcolor=sgr_color(bg) if bg else None,
        bold=on(BOLD), dim=on(DIM), italic=on(ITALIC), underline=on(UNDERLINE), blink=on(BLINK),
        reverse=on(REVERSE), conceal=on(CONCEAL), strike=on(STRIKE), overline=on(OVERLINE),
    )
    if len(_styles) > _CACHE_LIMIT:
        _styles.clear()
        _styles[DEFAULT] = None
    _styles[state] = style
    return style


def end_state(raw: str, start: State = DEFAULT) -> State:
    """The SGR state after `raw`, cheaply: most coloured lines end with a reset."""
    last = raw.rfind("\x1b[")
    if last == -1:
        return start
    if raw.startswith(("\x1b[0m", "\x1b[m"), last):
        return DEFAULT
    state = start
    for params in SGR.findall(raw):
        state = apply_sgr(state, params)
    return state
