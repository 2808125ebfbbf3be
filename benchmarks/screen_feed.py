"""Screen-mode feed: one full-screen byte stream through a terminal pane's emulator, chunk by chunk.

    python benchmarks/screen_feed.py --impl flatdeck|textual-terminal STREAM [--chunk N]

Run by `benchmarks/panes.py` twice with the same stream file and chunk size: with the project's
interpreter for flatdeck's `TerminalModel`, and with a throwaway venv's interpreter for
textual-terminal (which is never installed into the project's venv). Prints one JSON object.

Only the standard library at module level, so either interpreter can load it; `make_stream` is
also imported by panes.py to write the stream file.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

WIDTH, HEIGHT = 120, 40
CHUNK = 4096  # a Linux PTY master read returns at most ≈ 4 KiB, whatever the buffer asked for

PROCS = ("systemd", "containerd", "kubelet", "etcd", "kube-apiserver", "coredns", "capi-controller",
         "sshd", "journald", "update_engine", "locksmithd", "flatcar-update")


def _bar(label: str, percent: float, width: int) -> str:
    """`  1[|||||||||||      42.1%]` with green/red/blue parts, like htop's meters."""
    inner = width - len(label) - 9
    used = int(inner * percent / 100)
    low, mid = used // 2, used // 4
    high = used - low - mid
    return (f"\x1b[1;36m{label}\x1b[0;1m[\x1b[0;32m{'|' * low}\x1b[31m{'|' * mid}\x1b[34m{'|' * high}"
            f"\x1b[0m{' ' * (inner - used)}\x1b[2m{percent:5.1f}%\x1b[0;1m]\x1b[0m")


def frame(n: int, width: int = WIDTH, height: int = HEIGHT) -> str:
    """One htop-like redraw: every row positioned with CUP and written in full, in colour."""
    rows: list[str] = []
    half = width // 2
    for cpu in range(2):
        percent = (n * 7 + cpu * 31) % 1000 / 10
        rows.append(_bar(f"  {cpu}", percent, half) + _bar(f"  {cpu + 2}", (percent + 23.7) % 100, width - half))
    mem = f"  Mem[\x1b[32m{'|' * (20 + n % 30)}\x1b[34m{'|' * 10}\x1b[33m{'|' * 5}\x1b[0m"
    rows.append(mem + " " * max(0, width - 11 - 20 - n % 30 - 15 - 1) + "\x1b[1m]\x1b[0m")
    rows.append(f"  \x1b[1;36mTasks: \x1b[1;35m{120 + n % 9}\x1b[0m, \x1b[1;32m{3 + n % 4} running"
                f"\x1b[0m   \x1b[1;36mLoad average: \x1b[1;37m{n % 3}.{n % 97:02d} \x1b[0m0.42 0.17"
                .ljust(width + 40))
    rows.append("")
    header = "    PID USER      PRI  NI  VIRT   RES   SHR S CPU% MEM%   TIME+  Command"
    rows.append(f"\x1b[30;42m{header.ljust(width)}\x1b[0m")
    selected = n % (height - 7)
    for i in range(height - 7):
        pid = 1000 + (i * 37 + n) % 9000
        cpu = (i * 13 + n * 3) % 1000 / 10
        line = (f"\x1b[0m{pid:7d} \x1b[1;37mroot\x1b[0m      20   0 \x1b[36m{(pid * 7) % 999:4d}M\x1b[0m "
                f"{(pid * 3) % 999:4d}M {(pid * 5) % 99:4d}M \x1b[1;32mS\x1b[0m {cpu:4.1f}  0.{i % 10} "
                f"{i % 60:3d}:{n % 60:02d}.{pid % 100:02d} \x1b[1;34m/usr/bin/\x1b[0m{PROCS[(i + n) % len(PROCS)]} "
                f"--node=flatcar-{i % 7} --v={n % 5}")
        if i == selected:
            line = "\x1b[30;46m" + line.replace("\x1b[0m", "\x1b[30;46m") + "\x1b[0m"
        rows.append(line)
    keys = "".join(f"\x1b[0mF{k}\x1b[30;46m{name:<6}" for k, name in
                   enumerate(("Help", "Setup", "Search", "Filter", "Tree", "SortBy", "Nice -", "Nice +",
                              "Kill", "Quit"), 1))
    rows.append(keys + "\x1b[0m")
    # each row from column 1 (CUP), then erase to its end: the whole screen is rewritten
    return "".join(f"\x1b[{y};1H{row}\x1b[K" for y, row in enumerate(rows[:height], 1))


def make_stream(frames: int, width: int = WIDTH, height: int = HEIGHT) -> str:
    """A full-screen program's output: alternate screen on, `frames` redraws, alternate screen off."""
    return ("\x1b[?1049h\x1b[?25l\x1b[H\x1b[2J" + "".join(frame(n, width, height) for n in range(frames))
            + "\x1b[?25h\x1b[?1049l")


def chunked(stream: str, size: int) -> list[str]:
    return [stream[i:i + size] for i in range(0, len(stream), size)]


# flatdeck -------------------------------------------------------------------------------------
def run_flatdeck(parts: list[str], width: int, height: int) -> dict:
    """TerminalModel fed each chunk, then every row rendered (what a full repaint of the pane asks)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from tui.terminal import TerminalModel

    model = TerminalModel(width, height)
    screen_chunks = 0
    start = time.perf_counter()
    for part in parts:
        model.feed(part)
        if model.screen is not None:
            screen_chunks += 1
        for y in range(model.row_count):
            model.render_row(y)
    elapsed = time.perf_counter() - start
    return {"impl": "flatdeck TerminalModel", "elapsed": elapsed, "chunks": len(parts),
            "screen_chunks": screen_chunks, "how": "TerminalModel.feed + render_row for every row, per chunk"}


# textual-terminal -----------------------------------------------------------------------------
class _Messages:
    """Stands in for the widget's receive queue: hands out the chunks, then ends `recv`."""

    def __init__(self, messages: list) -> None:
        self._it = iter(messages)

    async def get(self):
        for message in self._it:
            return message
        import asyncio

        raise asyncio.CancelledError  # recv() catches it and returns: the stream is over


def run_textual_terminal(parts: list[str], width: int, height: int) -> dict:
    """textual-terminal's own per-chunk code: `Terminal.recv` handling each "stdout" message
    (its mouse-mode scan, pyte `stream.feed`, then a rich Text built for every screen line)."""
    import asyncio
    import importlib.metadata as md

    note = ""
    try:
        import textual_terminal._terminal as tt
    except ImportError as exc:
        if "DEFAULT_COLORS" not in str(exc):
            return run_peer_copy(parts, width, height, f"textual_terminal does not import: {exc}")
        # textual ≥ 0.x dropped textual.app.DEFAULT_COLORS; textual-terminal reads it only for
        # default_colors="textual" (not the default, not used here). Give it the name, nothing else.
        import textual.app

        textual.app.DEFAULT_COLORS = {}
        note = (f"textual-terminal {md.version('textual-terminal')} does not import with textual "
                f"{md.version('textual')} as is ({exc}); the benchmark defines that one unused name "
                "(read only for default_colors='textual') before importing it; its code runs unchanged")
        try:
            import textual_terminal._terminal as tt
        except Exception as exc2:  # noqa: BLE001
            return run_peer_copy(parts, width, height, f"textual_terminal does not import even so: {exc2}")
    widget = tt.Terminal(command="true")  # never started: no process, only the display side
    widget.ncol, widget.nrow = width, height
    widget._screen.resize(height, width)  # what its on_resize does
    widget.recv_queue = _Messages([["stdout", part] for part in parts])
    start = time.perf_counter()
    asyncio.run(widget.recv())
    elapsed = time.perf_counter() - start
    lines = widget._display.lines
    return {"impl": f"textual-terminal {md.version('textual-terminal')} Terminal.recv", "elapsed": elapsed,
            "chunks": len(parts), "note": note, "fallback": False, "rows": len(lines),
            "how": "Terminal.recv per 'stdout' message: DECSET scan, pyte Stream.feed, a rich Text per line"}


def run_peer_copy(parts: list[str], width: int, height: int, why: str) -> dict:
    """Fallback: textual-terminal 0.3.0's exact pyte configuration and per-chunk line building,
    copied from its source (_terminal.py: TerminalPyteScreen, Terminal.recv, char_rich_style…)."""
    import re

    import pyte
    from rich.style import Style
    from rich.text import Text

    class TerminalPyteScreen(pyte.Screen):
        def set_margins(self, *args, **kwargs):
            kwargs.pop("private", None)
            return super().set_margins(*args, **kwargs)

    def detect_color(color: str) -> str:
        if color == "brown":
            return "yellow"
        if color == "brightblack":
            return "#808080"
        if re.match("[0-9a-f]{6}", color, re.IGNORECASE):
            return f"#{color}"
        return color

    def char_rich_style(char) -> Style:
        try:
            return Style(color=detect_color(char.fg), bgcolor=detect_color(char.bg), bold=char.bold)
        except Exception:  # noqa: BLE001  (ColorParseError in the original)
            return None

    def same(a, b) -> bool:
        return (a.fg == b.fg and a.bg == b.bg and a.bold == b.bold and a.italics == b.italics
                and a.underscore == b.underscore and a.strikethrough == b.strikethrough
                and a.reverse == b.reverse and a.blink == b.blink)

    ansi = re.compile(r"(\x1b\[\??[\d;]*[a-zA-Z])")
    screen = TerminalPyteScreen(80, 24)
    stream = pyte.Stream(screen)
    screen.resize(height, width)
    start = time.perf_counter()
    for chars in parts:
        for match in re.finditer(ansi, chars):
            sequence = match.group(0)
            if sequence.startswith("\x1b[?"):
                parameters = sequence.removeprefix("\x1b[?").split(";")
                _ = "1000h" in parameters, "1000l" in parameters
        try:
            stream.feed(chars)
        except TypeError:
            pass
        lines = []
        for y in range(screen.lines):
            line_text = Text()
            line = screen.buffer[y]
            style_change_pos = 0
            for x in range(screen.columns):
                char = line[x]
                line_text.append(char.data)
                if x > 0:
                    last_char = line[x - 1]
                    if not same(char, last_char) or x == screen.columns - 1:
                        line_text.stylize(char_rich_style(last_char), style_change_pos, x + 1)
                        style_change_pos = x
                if screen.cursor.x == x and screen.cursor.y == y:
                    line_text.stylize("reverse", x, x + 1)
            lines.append(line_text)
    elapsed = time.perf_counter() - start
    return {"impl": "textual-terminal 0.3.0 (copied pyte configuration)", "elapsed": elapsed,
            "chunks": len(parts), "fallback": True, "note": f"FALLBACK: {why}; measured a copy of its "
            "pyte configuration and per-chunk line building instead", "how": "copy of Terminal.recv's work"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--impl", choices=("flatdeck", "textual-terminal"), required=True)
    parser.add_argument("stream", type=Path, help="the byte stream (UTF-8)")
    parser.add_argument("--chunk", type=int, default=CHUNK, help="characters per feed")
    parser.add_argument("--width", type=int, default=WIDTH)
    parser.add_argument("--height", type=int, default=HEIGHT)
    args = parser.parse_args(argv)
    stream = args.stream.read_text(encoding="utf-8")
    parts = chunked(stream, args.chunk)
    run = run_flatdeck if args.impl == "flatdeck" else run_textual_terminal
    result = run(parts, args.width, args.height)
    result.update(bytes=len(stream.encode()), python=sys.version.split()[0], executable=sys.executable)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
