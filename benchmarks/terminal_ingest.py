"""Terminal pane ingest: LineBuffer against Text.from_ansi and pyte, measured in the same run.

    .venv/bin/python benchmarks/terminal_ingest.py [--mb 20] [--width 120] [--pyte-mb 2]

Feeds coloured log lines (~100 characters, \\r\\n endings as a PTY sends them) in 64 KiB chunks
and, after each chunk, renders the last 40 rows as a widget would (at most once per chunk).
Baselines: `Text.from_ansi` on every line (what a naive pane does), and a 120×40 pyte Screen
(fed a smaller sample: it is slow). Targets are informational: the exit code is always 0.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

CHUNK = 64 * 1024
ROWS = 40
TARGET = 15.0  # MB/s for LineBuffer ingest+render here (the PTY read costs the rest of 6 MB/s)
LEVELS = ("\x1b[32mINFO\x1b[0m ", "\x1b[33mWARN\x1b[0m ", "\x1b[1;31mERROR\x1b[0m", "\x1b[2mDEBUG\x1b[0m")
COMPONENTS = ("kubelet", "containerd", "etcd", "kube-apiserver", "capi-controller")


def make_log(megabytes: float) -> str:
    lines = []
    size = 0
    i = 0
    while size < megabytes * 1_000_000:
        line = (
            f"{LEVELS[i % 4]} 2026-11-24T12:{i // 60 % 60:02d}:{i % 60:02d} "
            f"\x1b[36mcomponent\x1b[0m={COMPONENTS[i % 5]} msg=\"reconciled node flatcar-{i % 7}\" "
            f"seq={i}\r\n"
        )
        lines.append(line)
        size += len(line)
        i += 1
    return "".join(lines)


def chunks(text: str):
    return [text[i:i + CHUNK] for i in range(0, len(text), CHUNK)]


def bench_linebuffer(parts: list[str], width: int) -> float:
    from tui.terminal.lines import LineBuffer

    buf = LineBuffer(width)
    start = time.perf_counter()
    for part in parts:
        buf.feed(part)
        total = buf.visual_row_count
        for row in range(max(0, total - ROWS), total):
            buf.render_row(row)
    return time.perf_counter() - start


def bench_model(parts: list[str], width: int) -> float:
    """The same through the facade a widget uses (adds the alternate-screen check)."""
    from tui.terminal import TerminalModel

    term = TerminalModel(width, ROWS)
    start = time.perf_counter()
    for part in parts:
        term.feed(part)
        total = term.row_count
        for row in range(max(0, total - ROWS), total):
            term.render_row(row)
    return time.perf_counter() - start


def bench_from_ansi(parts: list[str]) -> float:
    from rich.text import Text

    carry = ""
    start = time.perf_counter()
    for part in parts:
        lines = (carry + part).split("\n")
        carry = lines.pop()
        for line in lines:
            Text.from_ansi(line)
    return time.perf_counter() - start


def bench_pyte(parts: list[str], width: int) -> float:
    import pyte

    screen = pyte.Screen(width, ROWS)
    stream = pyte.Stream(screen)
    start = time.perf_counter()
    for part in parts:
        stream.feed(part)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=20.0, help="megabytes of log to feed")
    parser.add_argument("--pyte-mb", type=float, default=2.0, help="megabytes fed to pyte")
    parser.add_argument("--width", type=int, action="append", help="pane width (repeatable)")
    args = parser.parse_args()
    widths = args.width or [120, 80]

    log = make_log(args.mb)
    parts = chunks(log)
    size = len(log.encode()) / 1e6
    sample = chunks(log[: int(args.pyte_mb * 1_000_000)])
    sample_size = sum(len(p.encode()) for p in sample) / 1e6
    print(f"{size:.1f} MB of coloured log lines, {len(parts)} chunks of {CHUNK // 1024} KiB")

    ansi = size / bench_from_ansi(parts)
    pyte_rate = sample_size / bench_pyte(sample, widths[0])
    print(f"  Text.from_ansi per line   {ansi:7.1f} MB/s   (reference 6.8)")
    print(f"  pyte Screen {widths[0]}x{ROWS}       {pyte_rate:7.1f} MB/s   (reference 1.1, {sample_size:.1f} MB)")
    for width in widths:
        rate = size / bench_linebuffer(parts, width)
        verdict = "ok" if rate >= TARGET else f"below target {TARGET:g}"
        print(
            f"  LineBuffer w={width:<3} +render {rate:7.1f} MB/s   "
            f"×{rate / ansi:.1f} from_ansi, ×{rate / pyte_rate:.1f} pyte   [{verdict}]"
        )
    rate = size / bench_model(parts, widths[0])
    print(f"  TerminalModel w={widths[0]:<3}      {rate:7.1f} MB/s   ×{rate / ansi:.1f} from_ansi (widget path)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
