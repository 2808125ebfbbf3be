"""flatdeck benchmarks: replay timing drift, jump to a marker on a big cast, idle CPU while replaying.

    .venv/bin/python benchmarks/replay.py [--minutes 5] [--quick]

Each figure is printed beside a baseline measured in the same invocation:
- drift: flatdeck's Replayer (each event scheduled against the start time) and a naive player
  (sleep for each gap in turn) play the same cast side by side on one event loop at 1x;
  drift = when an event was emitted minus when it was due.
- jump: Replayer.next_marker() on a 10 MB cast, output fed to the pane's TerminalModel, against
  reading the cast and feeding all of it (the cost of playing it through at full speed).
- idle CPU: the process's CPU time over 10 s while a replay waits for its next event, against
  the same event loop with nothing to do.
Targets (informational; exit 0 unless the benchmark cannot run): drift <= 10 ms over 5 minutes,
jump <= 100 ms, idle CPU: none added.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tui.recording.asciicast import read_cast  # noqa: E402
from tui.recording.replay import Replayer  # noqa: E402
from tui.terminal import TerminalModel  # noqa: E402

LINE = "\x1b[32mINFO\x1b[0m 2026-11-24T12:00:00Z component=kubelet node=flatcar-{i} msg=\"reconciled {i}\"\r\n"


def write_cast(path: Path, events: list[list]) -> None:
    with path.open("w", encoding="utf-8") as f:
        f.write(json.dumps({"version": 2, "width": 120, "height": 40}) + "\n")
        for event in events:
            f.write(json.dumps(event) + "\n")


async def drift(seconds: float, work: Path) -> tuple[list[float], list[float]]:
    """Per-event lateness (ms) of the Replayer and of a naive sleep-per-gap player."""
    step = 0.05
    write_cast(work / "drift.cast", [[round(i * step, 6), "o", LINE.format(i=i)] for i in range(int(seconds / step) + 1)])
    cast = read_cast(work / "drift.cast")
    ours: list[float] = []
    naive: list[float] = []
    start = time.monotonic()
    index = {"i": 0}

    def emit(_text: str) -> None:
        due = cast.events[index["i"]].time
        ours.append((time.monotonic() - start - due) * 1000)
        index["i"] += 1

    async def naive_player() -> None:
        previous = 0.0
        for event in cast.events:
            await asyncio.sleep(event.time - previous)
            previous = event.time
            naive.append((time.monotonic() - start - event.time) * 1000)

    await asyncio.gather(Replayer(cast, emit).play(), naive_player())
    return ours, naive


def jump(work: Path) -> dict[str, float]:
    events, t, i, total = [], 0.0, 0, 0
    while total < 10_000_000:
        t += 0.001
        events.append([round(t, 6), "o", LINE.format(i=i)])
        total += len(events[-1][2])
        if i % 20000 == 19999:
            events.append([round(t, 6), "m", f"marker {i}"])
        i += 1
    write_cast(work / "big.cast", events)
    size = (work / "big.cast").stat().st_size
    t0 = time.perf_counter()
    cast = read_cast(work / "big.cast")
    read_ms = (time.perf_counter() - t0) * 1000
    model = TerminalModel(120, 40)
    replayer = Replayer(cast, model.feed)
    t0 = time.perf_counter()
    replayer.next_marker()
    for y in range(max(0, model.row_count - 40), model.row_count):
        model.render_row(y)  # what the pane then draws
    jump_ms = (time.perf_counter() - t0) * 1000
    full = TerminalModel(120, 40)
    t0 = time.perf_counter()
    for event in cast.events:
        if event.code == "o":
            full.feed(event.data)
    full_ms = (time.perf_counter() - t0) * 1000
    return {"size_mb": size / 1e6, "read_ms": read_ms, "jump_ms": jump_ms, "full_ms": full_ms,
            "markers": len(cast.markers)}


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def idle(work: Path, seconds: float) -> tuple[float, float]:
    """CPU % over `seconds` with a replay waiting for its next event, and with nothing at all."""
    write_cast(work / "idle.cast", [[0.0, "o", "prompt$ "], [seconds * 3, "o", "late\r\n"]])
    cast = read_cast(work / "idle.cast")
    task = asyncio.create_task(Replayer(cast, lambda text: None).play())
    await asyncio.sleep(0.2)
    c0, t0 = cpu(), time.monotonic()
    await asyncio.sleep(seconds)
    replaying = (cpu() - c0) / (time.monotonic() - t0) * 100
    task.cancel()
    c0, t0 = cpu(), time.monotonic()
    await asyncio.sleep(seconds)
    nothing = (cpu() - c0) / (time.monotonic() - t0) * 100
    return replaying, nothing


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=5.0, help="length of the drift cast (default 5, as the target says)")
    parser.add_argument("--quick", action="store_true", help="a 30 s drift cast and a 3 s idle window")
    args = parser.parse_args()
    seconds = 30.0 if args.quick else args.minutes * 60
    with tempfile.TemporaryDirectory(prefix="flatdeck-bench-replay-") as tmp:
        work = Path(tmp)
        print("[jump] building a 10 MB cast…", file=sys.stderr)
        j = jump(work)
        print(f"[idle] {3 if args.quick else 10} s windows…", file=sys.stderr)
        replaying, nothing = asyncio.run(idle(work, 3.0 if args.quick else 10.0))
        print(f"[drift] a {seconds:g} s cast at 1x, both players side by side…", file=sys.stderr)
        ours, naive = asyncio.run(drift(seconds, work))
    rows = [
        ("drift at the end, 1x", f"{ours[-1]:.1f} ms (max {max(ours):.1f}, p99 {statistics.quantiles(ours, n=100)[98]:.1f})",
         "naive sleep per gap", f"{naive[-1]:.1f} ms (max {max(naive):.1f})", "≤ 10 ms", abs(ours[-1]) <= 10 and max(ours) <= 10),
        ("jump to next marker", f"{j['jump_ms']:.1f} ms", "feed the whole cast", f"{j['full_ms']:.0f} ms",
         "≤ 100 ms", j["jump_ms"] <= 100),
        ("idle CPU, replay waiting", f"{replaying:.2f} %", "event loop, nothing to do", f"{nothing:.2f} %",
         "no more", replaying <= nothing + 0.1),
    ]
    print(f"flatdeck replay benchmarks — {len(ours)} events over {seconds:g} s; a {j['size_mb']:.1f} MB cast with "
          f"{j['markers']} markers (read in {j['read_ms']:.0f} ms)")
    print(f"{'benchmark':<26}  {'flatdeck':<36}  {'baseline':<26}  {'baseline value':<20}  target")
    for name, value, base, base_value, target, ok in rows:
        print(f"{name:<26}  {value:<36}  {base:<26}  {base_value:<20}  {target:<8}  {'ok' if ok else 'over'}")
    print("drift: lateness of each event against its due time on the same clock; the naive player sleeps each gap in turn")
    return 0


if __name__ == "__main__":
    sys.exit(main())
